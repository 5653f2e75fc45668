"""The lapse-boundary scenario of ``benchmarks/appointments.py`` (issue 20): many holds lapse at
the same moment T while their owners confirm in the last second before it and others reserve
the same units in the first second after it.

- ``setup`` (child process, benchmark settings): the office "lapse" is open tomorrow only, with
  4 counters and N units, like the rush office. Every unit gets a hold, given name and e-mail
  through the services (waiting for the e-mail link); then the end of all holds (``held_until``
  on the appointments and their claims) is set to one moment T a few seconds ahead, as if they
  had all been made one confirmation window ago.
- ``clients``: each owner opens its confirmation page (GET, for the CSRF token) and confirms
  (POST) at a random moment in the last second before T; two other clients per unit reserve its
  start through the API at a random moment in the first second after T. Nobody retries.
- ``check`` (child process): per unit, the live appointments (confirmed, or held with time
  left): exactly one each, none twice, and no confirmed appointment without its claims.

Not a benchmark of its own (no ``run``); ``benchmarks.appointments`` runs it after the rush.
"""

from __future__ import annotations

import datetime
import random
import re
import threading
import time
import uuid
from collections import Counter
from typing import Any

OFFICE = "lapse"
LEAD_SECONDS = 12.0  # from the holds' new end back to now: time for the owners to open their pages
OTHERS_PER_UNIT = 2
# Owners confirm within the last SPREAD seconds before T, the others reserve within the first after it.
SPREAD = 1.0
TIMEOUT = 180.0
_CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def setup() -> dict[str, Any]:
    """Holds on every unit of the lapse office, all ending at T; their links and T."""
    import django

    django.setup()
    from django.utils import timezone

    from rathaus.appointments import services, tokens
    from rathaus.appointments.models import Appointment, Slot, SlotClaim
    from rathaus.directory.models import Office, Service

    office = Office.objects.get(slug=OFFICE)
    service = Service.objects.get(leika_key="99012001000000")
    starts = Counter(Slot.objects.filter(office=office).values_list("start", flat=True))
    holds = []
    for start, counters in sorted(starts.items()):
        for _ in range(counters):
            hold, _token = services.appointment_reserve(office=office, services=[service], start=start)
            email = f"lapse-{len(holds)}@example.org"
            holds.append(services.appointment_preconfirm(appointment=hold, name="Lapse", email=email))
    lapse_at = timezone.now() + datetime.timedelta(seconds=LEAD_SECONDS)
    ids = [hold.pk for hold in holds]
    Appointment.objects.filter(pk__in=ids).update(held_until=lapse_at)
    SlotClaim.objects.filter(appointment_id__in=ids).update(held_until=lapse_at)
    return {
        "lapse_at": lapse_at.timestamp(),
        "office": office.pk,
        "service": service.pk,
        "verify_tokens": [tokens.verify_token(hold) for hold in holds],
        "starts": sorted(start.isoformat() for start in starts.elements()),
    }


def check() -> dict[str, int]:
    """Per unit of the lapse office: how many live appointments cover it."""
    import django

    django.setup()
    from django.utils import timezone

    from rathaus.appointments.models import Appointment, Slot

    now = timezone.now()
    slots = list(Slot.objects.filter(office__slug=OFFICE))
    live: Counter[int] = Counter()
    lacking = confirmed = 0
    for appointment in Appointment.objects.filter(office__slug=OFFICE, status__in=Appointment.OPEN):
        if appointment.status in Appointment.HOLDING and appointment.held_until < now:
            continue
        covered = [
            s.pk
            for s in slots
            if s.counter_id == appointment.counter_id and appointment.start <= s.start < appointment.end
        ]
        live.update(covered)
        if appointment.status == Appointment.Status.CONFIRMED:
            confirmed += 1
            claimed = appointment.claims.filter(slot_id__in=covered).count()
            lacking += claimed < appointment.units
    return {
        "units": len(slots),
        "units_live_once": sum(1 for s in slots if live[s.pk] == 1),
        "units_live_twice": sum(1 for s in slots if live[s.pk] > 1),
        "units_free": sum(1 for s in slots if live[s.pk] == 0),
        "confirmed_by_owners": confirmed,
        "confirmed_without_claims": lacking,
    }


def _wait_until(moment: float) -> None:
    time.sleep(max(0.0, moment - time.time()))


def clients(base: str, setup: dict[str, Any], token: str, seed: int = 20) -> dict[str, Any]:
    """Owners confirm in the last second before T, others reserve in the first second after it."""
    import requests

    lapse_at = float(setup["lapse_at"])
    statuses: Counter[str] = Counter()
    lock = threading.Lock()
    rng = random.Random(seed)  # noqa: S311 (spreading the clients, not a secret)

    def count(key: str) -> None:
        with lock:
            statuses[key] += 1

    def owner(verify_token: str, moment: float) -> None:
        session = requests.Session()
        url = f"{base}/termine/bestaetigen/{verify_token}/"
        try:
            page = session.get(url, timeout=TIMEOUT)
            csrf = _CSRF.search(page.text)
            late = time.time() > moment
            _wait_until(moment)
            answer = session.post(
                url, data={"csrfmiddlewaretoken": csrf.group(1) if csrf else ""}, timeout=TIMEOUT,
                allow_redirects=False,
            )  # fmt: skip
        except requests.RequestException:
            count("connection_error")
            return
        count(f"confirm_{answer.status_code}")
        if late:
            count("owners_late")

    def other(start: str, moment: float) -> None:
        body = {"office_id": setup["office"], "service_ids": [setup["service"]], "start": start}
        # One key per attempt: the API requires it (decision 0085), each client asks once.
        headers = {"Authorization": f"Bearer {token}", "Idempotency-Key": str(uuid.uuid4())}
        _wait_until(moment)
        try:
            answer = requests.post(
                f"{base}/api/v1/appointments/reservations", json=body, headers=headers, timeout=TIMEOUT
            )
        except requests.RequestException:
            count("connection_error")
            return
        count(f"reserve_{answer.status_code}")

    threads = [
        threading.Thread(target=owner, args=(verify_token, lapse_at - SPREAD * rng.random()))
        for verify_token in setup["verify_tokens"]
    ]
    threads += [
        threading.Thread(target=other, args=(start, lapse_at + SPREAD * rng.random()))
        for start in setup["starts"]
        for _ in range(OTHERS_PER_UNIT)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    expected = {"confirm_302", "confirm_409", "reserve_201", "reserve_409", "owners_late"}
    return {
        "owners": len(setup["verify_tokens"]),
        "others": len(setup["starts"]) * OTHERS_PER_UNIT,
        "answers": dict(statuses),
        "confirmed_302": statuses["confirm_302"],
        "hold_expired_409": statuses["confirm_409"],
        "reservations_201": statuses["reserve_201"],
        "errors_5xx": sum(n for key, n in statuses.items() if key.rsplit("_", 1)[-1].startswith("5")),
        "unexpected_answers": sum(n for key, n in statuses.items() if key not in expected),
    }


def summary(answers: dict[str, Any], checks: dict[str, int]) -> dict[str, Any]:
    """The scenario's figures: the clients' answers beside the units' state in the database."""
    return {
        **answers,
        **checks,
        "double_bookings": checks["units_live_twice"],
        "every_unit_live_once": checks["units_live_once"] == checks["units"]
        and checks["units_live_twice"] == 0
        and checks["confirmed_without_claims"] == 0
        and answers["errors_5xx"] == 0
        and answers["confirmed_302"] == checks["confirmed_by_owners"],
    }
