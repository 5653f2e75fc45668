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


def test_a_flat_tariff_of_a_traffic_service_is_the_one_amount_the_catalogue_names():
    catalogue = _catalogue()
    keys = {"99036004000000", "99037003000000", "99037002000000"}
    tariffs = {t["service_key"]: t for t in _tariffs() if t.get("service_key") in keys}
    assert set(tariffs) == keys
    for key, tariff in tariffs.items():
        euros = tariff["amount"].replace(".", ",")
        assert tariff["kind"] == "flat" and tariff["payment_policy"] == "mandatory"
        assert catalogue[key]["fees"] == f"{euros} Euro", (key, catalogue[key]["fees"])


def test_certificates_priced_per_copy_get_no_flat_tariff():
    catalogue = _catalogue()
    per_copy = {key for key, service in catalogue.items() if "je Urkunde" in service["fees"]}
    assert {"99105002000000", "99105016000000", "99107002000000"} <= per_copy
    assert not [t["key"] for t in _tariffs() if t.get("service_key") in per_copy and t["kind"] == "flat"]
