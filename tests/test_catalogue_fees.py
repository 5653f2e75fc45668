"""The fee schedule (payments/data/fees.json) and the service catalogue (directory/data) agree:
a tariff bound to a service by its LeiKa key names a service of the catalogue, and never one the
catalogue tells citizens is free of charge. (A tariff once carried the key of "Wohnsitz
anmelden", so the free registration of residence would have been charged.)"""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src" / "rathaus"


def _catalogue() -> dict[str, dict]:
    services: dict[str, dict] = {}
    for path in sorted((SRC / "directory" / "data" / "services").glob("*.json")):
        for service in json.loads(path.read_text(encoding="utf-8"))["services"]:
            services[service["leika_key"]] = service
    return services


def _tariffs() -> list[dict]:
    return json.loads((SRC / "payments" / "data" / "fees.json").read_text(encoding="utf-8"))["tariffs"]


def test_a_tariff_with_an_amount_is_never_bound_to_a_service_the_catalogue_calls_free():
    catalogue = _catalogue()
    wrong = [
        (tariff["key"], tariff["service_key"], catalogue[tariff["service_key"]]["name"])
        for tariff in _tariffs()
        if tariff.get("service_key") in catalogue
        and Decimal(tariff.get("amount", "0")) > 0
        and catalogue[tariff["service_key"]]["fees"].lower().startswith("gebührenfrei")
    ]
    assert wrong == []


def test_the_register_information_fee_is_the_catalogues_amount():
    catalogue = _catalogue()
    tariff = next(t for t in _tariffs() if t["key"] == "melderegisterauskunft")
    service = catalogue[tariff["service_key"]]
    assert service["name"] == "Einfache Melderegisterauskunft beantragen"
    assert service["fees"].startswith("10,00 Euro") and tariff["amount"] == "10.00"
