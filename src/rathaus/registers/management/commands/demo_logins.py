"""``rathaus demo_logins``: how to log in to the demo (staff logins, example residents)."""

from __future__ import annotations

import base64
import time

from django.core.management.base import BaseCommand
from django_otp.oath import TOTP
from rich.console import Console
from rich.table import Table

from rathaus.kernel import urls
from rathaus.registers.demo.city import DEMO_STAFF_PASSWORD, DEMO_TOTP_SECRET
from rathaus.registers.models import BirthRecord, IncomeNotification, PensionNotification, Person


def demo_url() -> str:
    """Where the demo is served: ``RATHAUS_BASE_URL`` (``make run`` sets it from HOST and PORT)."""
    return urls.absolute("/")


def current_totp(secret: str = DEMO_TOTP_SECRET, *, at: float | None = None) -> str:
    """The six-digit TOTP code (RFC 6238, 30-second steps) for ``secret`` now or at time ``at``."""
    token = TOTP(base64.b32decode(secret + "=" * (-len(secret) % 8)), step=30, t0=0, digits=6)
    if at is not None:
        token.time = at
    return f"{token.token():06d}"


def example_residents() -> list[tuple[str, Person]]:
    """Residents worth logging in as: the mother whose consent and birth data exchange the
    Datenschutzcockpit shows (``registers.demo.exchange``), a parent, an employee, a pensioner."""
    from rathaus.registers.demo.exchange import demo_mother

    examples: list[tuple[str, Person]] = []
    mother = demo_mother()
    if mother is not None and mother.exchanges.exists():
        examples.append(("Datenschutzcockpit", mother))
    birth = (
        BirthRecord.objects.select_related("mother")
        .filter(mother__date_of_death__isnull=True)
        .exclude(mother_id__in=[p.pk for _label, p in examples])
        .order_by("id")
        .first()
    )
    if birth:
        examples.append(("Elternteil", birth.mother))
    income = (
        IncomeNotification.objects.select_related("person")
        .filter(person__marital_status="ledig")
        .exclude(person_id__in=[p.pk for _label, p in examples])
        .order_by("id")
        .first()
    )
    if income:
        examples.append(("Beschäftigt", income.person))
    pension = PensionNotification.objects.select_related("person").order_by("id").first()
    if pension:
        examples.append(("Rente", pension.person))
    return examples


class Command(BaseCommand):
    help = (
        "Zeigt, wie man sich in der Demo anmeldet: Logins der Beschäftigten "
        "(mit aktuellem TOTP-Code) und Beispiel-Einwohner."
    )

    def handle(self, *args: object, **options: object) -> None:
        from rathaus.accounts.types import User

        console = Console(file=self.stdout._out, width=120)  # type: ignore[attr-defined]
        console.print(f"[bold]Rathaus-Demo:[/bold] {demo_url()}\n")
        code = current_totp()
        staff = Table(title="Beschäftigte (Passwort + TOTP)")
        for column in ("Benutzername", "Name", "Dienststelle", "Passwort", "TOTP-Code jetzt"):
            staff.add_column(column)
        # Every staff login with the demo TOTP key: DEMO_STAFF and those the parts' demo data add.
        demo_key = base64.b32decode(DEMO_TOTP_SECRET + "=" * (-len(DEMO_TOTP_SECRET) % 8)).hex()
        members = (
            User.objects.filter(kind=User.Kind.STAFF, is_active=True, totpdevice__key=demo_key)
            .prefetch_related("staff_roles__office")
            .distinct()
            .order_by("pk")
        )
        existing = False
        for member in members:
            offices = ", ".join(sorted({role.office.slug for role in member.staff_roles.all()}))
            staff.add_row(member.username, member.get_full_name(), offices, DEMO_STAFF_PASSWORD, code)
            existing = True
        if existing:
            console.print(staff)
            remaining = 30 - int(time.time()) % 30
            console.print(
                f"TOTP-Schlüssel für eine Authenticator-App: {DEMO_TOTP_SECRET} "
                f"(Code gilt noch {remaining} s)\n"
            )
        else:
            console.print("Keine Demo-Logins für Beschäftigte angelegt (`rathaus demo --staff-logins`).\n")
        suppliers = User.objects.filter(kind=User.Kind.ORGANISATION, is_active=True).order_by("pk")[:5]
        if suppliers:
            table = Table(title="Organisationen (Passwort, ohne TOTP)")
            for column in ("Benutzername", "Name", "Passwort"):
                table.add_column(column)
            for supplier in suppliers:
                table.add_row(supplier.username, supplier.get_full_name(), DEMO_STAFF_PASSWORD)
            console.print(table)
        residents = Table(title="Bürgerinnen und Bürger (Demo-Identitätsanbieter: Person auswählen)")
        for column in ("Beispiel", "Name", "Registernummer", "geboren"):
            residents.add_column(column)
        for label, person in example_residents():
            residents.add_row(
                label, person.full_name, person.register_number, person.date_of_birth.strftime("%d.%m.%Y")
            )
        if residents.row_count:
            console.print(residents)
        else:
            console.print("Noch keine Einwohner – zuerst `rathaus demo` ausführen.")
