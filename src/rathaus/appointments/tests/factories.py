"""Test data: an office with planning, counters and two offered services."""

from __future__ import annotations

import datetime
import itertools
from dataclasses import dataclass
from typing import Any

from django.utils import timezone

from rathaus.accounts import services as account_services
from rathaus.appointments import services
from rathaus.appointments.models import Appointment
from rathaus.directory.models import Office, Service
from rathaus.kernel.testing import log_in_staff as login_staff  # noqa: F401 (the appointments tests' name)

T = datetime.time
_numbers = itertools.count(1)
PASSWORD = "Terminvergabe-2026-sicher!"
# Tuesday, 1 December 2026, 09:00 in Bremen.
NOW = timezone.make_aware(datetime.datetime(2026, 12, 1, 9, 0))  # noqa: DTZ001 (local wall-clock time)


def local(year: int, month: int, day: int, hour: int, minute: int = 0) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime(year, month, day, hour, minute))  # noqa: DTZ001


@dataclass
class Planned:
    office: Office
    passport: Service  # 15 min + 5 buffer = 2 units
    certify: Service  # 10 min = 1 unit


def planned_office(
    *,
    counters: int = 2,
    every_day: bool = False,
    now: datetime.datetime | None = NOW,
    release_days: int = 30,
    **plan: Any,
) -> Planned:
    """Mon–Fri 8–12 (or every day 0–24 with ``every_day``), slots generated for ``now``."""
    n = next(_numbers)
    office = Office.objects.create(
        slug=f"ba-{n}", name=f"Bürgeramt {n}", street_address="Markt 1", postal_code="28195"
    )
    values = {
        "slot_minutes": 15,
        "release_days": release_days,
        "release_time": T(8, 0),
        "min_lead_minutes": 60,
        "hold_minutes": 10,
        "verify_minutes": 30,
        "max_open_per_person": 1,
        **plan,
    }
    services.plan_upsert(office=office, **values)
    for number in range(1, counters + 1):
        services.counter_ensure(office=office, name=f"Schalter {number}")
    if every_day:
        hours = [(d, T(0, 0), T(23, 45)) for d in range(7)]
    else:
        hours = [(d, T(8, 0), T(12, 0)) for d in range(5)]
    services.opening_hours_set(office=office, hours=hours)
    passport, _ = Service.objects.get_or_create(
        leika_key="99102019000000", defaults={"name": "Reisepass beantragen"}
    )
    certify, _ = Service.objects.get_or_create(
        leika_key="99012001000000", defaults={"name": "Kopien und Unterschriften amtlich beglaubigen lassen"}
    )
    services.offer_upsert(office=office, service=passport, duration_minutes=15, buffer_minutes=5)
    services.offer_upsert(office=office, service=certify, duration_minutes=10)
    services.slots_generate(office=office, now=now)
    return Planned(office=office, passport=passport, certify=certify)


def confirmed(
    planned: Planned,
    start: datetime.datetime,
    *,
    email: str = "anna@example.org",
    now: datetime.datetime = NOW,
    service: Service | None = None,
) -> Appointment:
    from rathaus.appointments import tokens

    appointment, _token = services.appointment_reserve(
        office=planned.office,
        services=[service or planned.certify],
        start=start,
        now=now,
        origin="http://testserver",
    )
    services.appointment_preconfirm(appointment=appointment, name="Anna Becker", email=email, now=now)
    appointment.refresh_from_db()
    return services.appointment_verify(token=tokens.verify_token(appointment), now=now)


def make_staff(office: Office):
    n = next(_numbers)
    return account_services.staff_user_create(
        username=f"termin{n}",
        full_name=f"Frauke Tietjen{n}",
        password=PASSWORD,
        office=office,
        role="sachbearbeitung",
    )


def make_citizen(*, email: str = ""):
    """A citizen account with its register person (as after an eID login)."""
    from rathaus.accounts.models import User
    from rathaus.registers.models import Person

    n = next(_numbers)
    person = Person.objects.create(
        register_number=f"HBT{n:09d}",
        family_name="Becker",
        given_names="Anna",
        date_of_birth=datetime.date(1984, 3, 7),
        place_of_birth="Bremen",
        sex="w",
    )
    return User.objects.create_user(
        username=f"buergerin-{n}",
        kind=User.Kind.CITIZEN,
        person=person,
        email=email,
        first_name="Anna",
        last_name="Becker",
    )
