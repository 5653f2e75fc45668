"""Demo data of E-Payment: the fee schedule, the cash office and the Geoinformation office
with two cash clerks (four eyes), a few claims and one bank statement file ready to import
(``var/demo-camt053.xml``). Idempotent and quick. The parcels of the cadastral extract are
the cadastre app's demo data (``rathaus.cadastre.demo``)."""

from __future__ import annotations

import datetime
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.conf import settings

from rathaus.kernel.demo import Step

from . import camt, conf, services
from .models import Claim, FeeTariff

DATA = Path(__file__).resolve().parent / "data" / "fees.json"
DEMO_CLERKS = (("kasse", "Birte Oltmanns"), ("kasse2", "Enno Harms"))
# The demo's Geoinformation office charges the map extract fee; the cadastral extract
# (``rathaus.cadastre``) finds it by this slug, its default ``RATHAUS_CADASTRE_OFFICE``.
GEO_OFFICE_SLUG = "geoinformation"


def load_fee_schedule() -> int:
    tariffs = json.loads(DATA.read_text(encoding="utf-8"))["tariffs"]
    for row in tariffs:
        fields: dict[str, Any] = dict(row)
        key = fields.pop("key")
        valid_from = datetime.date.fromisoformat(fields.pop("valid_from"))
        if FeeTariff.objects.filter(key=key, valid_from=valid_from).exists():
            continue
        if "valid_until" in fields:
            fields["valid_until"] = datetime.date.fromisoformat(fields["valid_until"])
        for money in ("amount", "minimum", "maximum"):
            if money in fields:
                fields[money] = Decimal(fields[money])
        services.fee_tariff_upsert(key=key, valid_from=valid_from, by="rathaus demo", **fields)
    return len(tariffs)


def offices_ensure() -> dict[str, Any]:
    from rathaus.directory.services import office_upsert
    from rathaus.directory.types import Office

    cash = office_upsert(
        slug=conf.cash_office_slug(), name="Landeshauptkasse Bremen", short_name="LHK",
        kind=Office.Kind.AUTHORITY,
        street_address="Rudolf-Hilferding-Platz 1", postal_code="28195", by="rathaus demo",
    )  # fmt: skip
    geo = office_upsert(
        slug=GEO_OFFICE_SLUG, name="GeoInformation Bremen", short_name="GeoInfo",
        kind=Office.Kind.AUTHORITY, street_address="Lloydstraße 4", postal_code="28217", by="rathaus demo",
    )  # fmt: skip
    return {"cash": cash, "geo": geo}


def clerks_ensure(cash_office: Any) -> list[str]:
    from rathaus.accounts.services import staff_user_create
    from rathaus.accounts.types import User
    from rathaus.registers.demo.city import DEMO_STAFF_PASSWORD, DEMO_TOTP_SECRET

    created = []
    for username, name in DEMO_CLERKS:
        if not User.objects.filter(username=username).exists():
            staff_user_create(
                username=username, full_name=name, password=DEMO_STAFF_PASSWORD, office=cash_office,
                role="sachbearbeitung", totp_secret=DEMO_TOTP_SECRET,
            )  # fmt: skip
            created.append(username)
    return created


def load_demo(*, seed: int, step: Step) -> str:
    advance = step("E-Payment", 4)
    tariffs = load_fee_schedule()
    advance(1)
    offices = offices_ensure()
    clerks_ensure(offices["cash"])
    advance(1)
    if not Claim.objects.exists():
        for i, (name, key) in enumerate(
            (
                ("Jana Meyer", "melderegisterauskunft"),
                ("Ole Becker", "liegenschaftskarte-auszug"),
                ("Bau GmbH Nord", "melderegisterauskunft"),
            )
        ):
            services.claim_create(
                office=offices["geo"] if "karte" in key else offices["cash"],
                purpose=f"Demo-Forderung {i + 1}",
                debtor_name=name,
                tariff_key=key,
                by="rathaus demo",
            )
    advance(1)
    claims = list(Claim.objects.order_by("id")[:3])
    statement = camt.write_camt053(
        iban=conf.payee_iban(),
        message_id=f"DEMO-{seed}",
        credits=[
            camt.OutCredit(
                amount=claims[0].amount,
                remittance=f"KZ {claims[0].display_kassenzeichen} Auskunft",
                debtor_name=claims[0].debtor_name,
                reference=f"DEMO-{seed}-1",
            ),
            camt.OutCredit(
                amount=claims[1].amount,
                remittance=f"kassenzeichen {claims[1].kassenzeichen[:6]} {claims[1].kassenzeichen[6:]}",
                debtor_name=claims[1].debtor_name,
                reference=f"DEMO-{seed}-2",
            ),
            camt.OutCredit(
                amount=Decimal("35.00"),
                remittance="Spende Stadtbibliothek",
                debtor_name="Unbekannt",
                reference=f"DEMO-{seed}-3",
            ),
        ],
    )
    path = Path(settings.VAR_DIR) / "demo-camt053.xml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(statement)
    advance(1)
    return (
        f"E-Payment: {tariffs} Gebührentarife, Kasse mit Logins "
        f"{', '.join(u for u, _ in DEMO_CLERKS)}; Kontoauszug zum Einlesen: {path}"
    )
