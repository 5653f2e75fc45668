import datetime

import pytest
from django.core import mail

from rathaus.appointments import selectors, services, tokens
from rathaus.appointments.models import Appointment, Slot, SlotClaim
from rathaus.directory.models import Office, Service
from rathaus.kernel.exceptions import Conflict, InvalidInput, NotFound

from .factories import NOW, confirmed, local, make_staff, planned_office

pytestmark = pytest.mark.django_db

MINUTE = datetime.timedelta(minutes=1)


@pytest.fixture
def planned():
    return planned_office()


def test_slots_are_generated_per_counter_inside_opening_hours_only(planned):
    """Tue 1 Dec 2026 … 31 Dec: weekdays 8–12 = 16 units per counter; weekends and holidays none."""
    day = Slot.objects.filter(
        office=planned.office, start__gte=local(2026, 12, 2, 0), start__lt=local(2026, 12, 3, 0)
    )
    assert day.count() == 16 * 2
    assert not Slot.objects.filter(
        office=planned.office, start__gte=local(2026, 12, 5, 0), start__lt=local(2026, 12, 7, 0)
    ).exists()
    assert not Slot.objects.filter(
        office=planned.office, start__gte=local(2026, 12, 25, 0), start__lt=local(2026, 12, 26, 0)
    ).exists()
    before = Slot.objects.count()
    services.slots_generate(office=planned.office, now=NOW)
    assert Slot.objects.count() == before


def test_reservation_holds_the_units_and_the_same_time_is_given_once_per_counter(planned):
    start = local(2026, 12, 2, 9, 0)
    first, token = services.appointment_reserve(
        office=planned.office, services=[planned.certify], start=start, now=NOW
    )
    assert first.status == Appointment.Status.RESERVED
    assert first.held_until == NOW + 10 * MINUTE
    assert tokens.appointment_by_link(token) == first
    second, _ = services.appointment_reserve(
        office=planned.office, services=[planned.certify], start=start, now=NOW
    )
    assert {first.counter_id, second.counter_id} == set(planned.office.counters.values_list("pk", flat=True))
    with pytest.raises(Conflict) as refused:
        services.appointment_reserve(office=planned.office, services=[planned.certify], start=start, now=NOW)
    assert refused.value.code == "slot_taken"
    assert start not in [
        f.start for f in selectors.availability(office=planned.office, services=[planned.certify], now=NOW)
    ]


def test_two_services_in_one_visit_add_up(planned):
    """Passport 15 + 5 buffer and certification 10: 30 minutes = 2 units (buffer counted once)."""
    appointment, _ = services.appointment_reserve(
        office=planned.office,
        services=[planned.passport, planned.certify],
        start=local(2026, 12, 2, 10, 0),
        now=NOW,
    )
    assert appointment.units == 2
    assert appointment.end == local(2026, 12, 2, 10, 30)
    assert appointment.claims.count() == 2


def test_visit_that_would_run_past_closing_is_not_offered_and_refused(planned):
    frees = selectors.availability(
        office=planned.office, services=[planned.passport], now=NOW, day=datetime.date(2026, 12, 2)
    )
    assert frees[-1].start == local(2026, 12, 2, 11, 30)
    with pytest.raises(InvalidInput) as refused:
        services.appointment_reserve(
            office=planned.office, services=[planned.passport], start=local(2026, 12, 2, 11, 45), now=NOW
        )
    assert refused.value.code == "slot_runs_past_closing"


@pytest.mark.parametrize(
    ("start", "code"),
    [
        (local(2026, 11, 30, 9, 0), "slot_past"),  # yesterday
        (local(2026, 12, 1, 9, 30), "slot_past"),  # within the hour of lead time
        (local(2026, 12, 2, 13, 0), "slot_outside_hours"),
        (local(2026, 12, 2, 7, 45), "slot_outside_hours"),
        (local(2026, 12, 2, 9, 5), "slot_off_grid"),
        (local(2026, 12, 25, 9, 0), "slot_holiday"),  # 1. Weihnachtstag, a Friday
        (local(2026, 12, 5, 9, 0), "slot_closed"),  # Saturday
        (local(2027, 1, 15, 9, 0), "slot_not_released"),
    ],
)
def test_bad_times_are_refused_with_their_reason(planned, start, code):
    """Tried: a past slot, outside opening hours, off the grid, on a Bremen holiday, on a closed day,
    before release. Each is refused with its own code and nothing is held."""
    with pytest.raises(InvalidInput) as refused:
        services.appointment_reserve(office=planned.office, services=[planned.certify], start=start, now=NOW)
    assert refused.value.code == code
    assert not SlotClaim.objects.exists()


def test_unknown_service_office_combination_is_not_found(planned):
    """Tried: a service the office does not offer, and an office without planning."""
    other = Service.objects.create(leika_key="99000000000001", name="Hundesteuer anmelden")
    with pytest.raises(NotFound) as refused:
        services.appointment_reserve(
            office=planned.office, services=[other], start=local(2026, 12, 2, 9), now=NOW
        )
    assert refused.value.code == "service_not_offered"
    bare = Office.objects.create(slug="ohne-termine", name="Amt ohne Termine")
    with pytest.raises(NotFound):
        services.appointment_reserve(
            office=bare, services=[planned.certify], start=local(2026, 12, 2, 9), now=NOW
        )
    with pytest.raises(InvalidInput):
        services.appointment_reserve(
            office=planned.office,
            services=[planned.certify, planned.certify],
            start=local(2026, 12, 2, 9),
            now=NOW,
        )


def test_hold_lapses_and_its_units_return_to_the_pool(planned):
    start = local(2026, 12, 2, 9, 0)
    held = [
        services.appointment_reserve(office=planned.office, services=[planned.certify], start=start, now=NOW)[
            0
        ]
        for _ in range(2)
    ]
    later = NOW + 11 * MINUTE
    assert start in [
        f.start for f in selectors.availability(office=planned.office, services=[planned.certify], now=later)
    ]
    fresh, _ = services.appointment_reserve(
        office=planned.office, services=[planned.certify], start=start, now=later
    )
    assert fresh.status == Appointment.Status.RESERVED
    assert (
        Appointment.objects.filter(pk__in=[h.pk for h in held], status=Appointment.Status.LAPSED).count() >= 1
    )


def test_details_after_the_hold_expired_are_refused(planned):
    """Tried: name and e-mail for a hold 11 minutes old (hold: 10 minutes)."""
    appointment, _ = services.appointment_reserve(
        office=planned.office, services=[planned.certify], start=local(2026, 12, 2, 9), now=NOW
    )
    with pytest.raises(Conflict) as refused:
        services.appointment_preconfirm(
            appointment=appointment, name="Anna", email="anna@example.org", now=NOW + 11 * MINUTE
        )
    assert refused.value.code == "hold_expired"
    appointment.refresh_from_db()
    assert appointment.status == Appointment.Status.LAPSED
    assert not appointment.claims.exists()


def test_verification_after_the_hold_expired_is_refused(planned, django_capture_on_commit_callbacks):
    """Tried: the verification link opened 40 minutes later (it is valid for 30)."""
    appointment, _ = services.appointment_reserve(
        office=planned.office, services=[planned.certify], start=local(2026, 12, 2, 9), now=NOW
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.appointment_preconfirm(
            appointment=appointment, name="Anna", email="anna@example.org", now=NOW
        )
    appointment.refresh_from_db()
    with pytest.raises(Conflict) as refused:
        services.appointment_verify(token=tokens.verify_token(appointment), now=NOW + 40 * MINUTE)
    assert refused.value.code == "hold_expired"
    appointment.refresh_from_db()
    assert appointment.status == Appointment.Status.LAPSED


def test_confirmation_sends_ics_and_personal_link_and_the_verification_link_works_once(
    planned, settings, django_capture_on_commit_callbacks
):
    """Tried: the same verification link a second time – refused, nothing changes."""
    settings.RATHAUS_BASE_URL = "http://testserver"  # where the e-mail's links go (kernel.urls)
    appointment, token = services.appointment_reserve(
        office=planned.office,
        services=[planned.certify],
        start=local(2026, 12, 2, 9),
        now=NOW,
        origin="http://testserver",
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.appointment_preconfirm(
            appointment=appointment, name="Anna Becker", email="Anna@Example.org", now=NOW
        )
    assert len(mail.outbox) == 1
    verify_mail = mail.outbox[0]
    assert verify_mail.to == ["Anna@Example.org"]
    appointment.refresh_from_db()
    verify_token = tokens.verify_token(appointment)
    assert f"/termine/bestaetigen/{verify_token}/" in verify_mail.body
    with django_capture_on_commit_callbacks(execute=True):
        done = services.appointment_verify(token=verify_token, now=NOW + MINUTE)
    assert done.status == Appointment.Status.CONFIRMED
    assert not done.claims.filter(held_until__isnull=False).exists()
    confirmation = mail.outbox[1]
    assert confirmation.subject == "Ihr Termin ist bestätigt"
    assert done.code in confirmation.body
    assert f"http://testserver/termine/t/{token}/" in confirmation.body
    filename, content, mimetype = confirmation.attachments[0]
    assert (filename, mimetype) == ("termin.ics", "text/calendar")
    ics = content.decode() if isinstance(content, bytes) else content
    assert "BEGIN:VEVENT" in ics and f"UID:{done.code}@rathaus-terminvergabe" in ics
    assert "DTSTART;TZID=Europe/Berlin:20261202T090000" in ics
    with pytest.raises(NotFound) as second:
        services.appointment_verify(token=verify_token, now=NOW + 2 * MINUTE)
    assert second.value.code == "verify_link_invalid"


def test_at_most_one_open_appointment_per_email_and_service(planned):
    """Tried: a second booking of the same service with the same address (any spelling)."""
    confirmed(planned, local(2026, 12, 2, 9), email="anna@example.org")
    second, _ = services.appointment_reserve(
        office=planned.office, services=[planned.certify], start=local(2026, 12, 3, 9), now=NOW
    )
    with pytest.raises(Conflict) as refused:
        services.appointment_preconfirm(appointment=second, name="Anna", email="ANNA@example.org", now=NOW)
    assert refused.value.code == "too_many_open"
    other_service, _ = services.appointment_reserve(
        office=planned.office, services=[planned.passport], start=local(2026, 12, 3, 10), now=NOW
    )
    services.appointment_preconfirm(appointment=other_service, name="Anna", email="anna@example.org", now=NOW)


@pytest.mark.parametrize(
    ("name", "email"),
    [
        ("Anna\r\nBcc: victim@example.org", "anna@example.org"),
        ("Anna", "anna@example.org\r\nBcc: victim@example.org"),
        ("Anna", "anna@example.org\nSubject: Gewinn"),
        ("Anna", "not-an-address"),
    ],
)
def test_header_injection_in_name_or_email_is_refused(planned, name, email):
    """Tried: CR/LF with extra headers in the name and in the address. Refused; no e-mail sent."""
    appointment, _ = services.appointment_reserve(
        office=planned.office, services=[planned.certify], start=local(2026, 12, 2, 9), now=NOW
    )
    with pytest.raises(InvalidInput):
        services.appointment_preconfirm(appointment=appointment, name=name, email=email, now=NOW)
    assert mail.outbox == []
    appointment.refresh_from_db()
    assert appointment.status == Appointment.Status.RESERVED


def test_cancel_frees_the_units_at_once_and_sends_a_cancelling_ics(
    planned, django_capture_on_commit_callbacks
):
    start = local(2026, 12, 2, 9)
    appointment = confirmed(planned, start)
    with django_capture_on_commit_callbacks(execute=True):
        services.appointment_cancel(appointment=appointment, now=NOW)
    appointment.refresh_from_db()
    assert appointment.status == Appointment.Status.CANCELLED
    assert not appointment.claims.exists()
    assert "METHOD:CANCEL" in str(mail.outbox[-1].attachments[0][1])
    assert start in [
        f.start
        for f in selectors.availability(
            office=planned.office, services=[planned.certify], now=NOW, day=datetime.date(2026, 12, 2)
        )
    ]
    with pytest.raises(Conflict):
        services.appointment_cancel(appointment=appointment, now=NOW)


def test_move_takes_the_new_units_and_frees_the_old_ones(planned):
    appointment = confirmed(planned, local(2026, 12, 2, 9))
    moved = services.appointment_move(appointment=appointment, start=local(2026, 12, 3, 10), now=NOW)
    assert moved.start == local(2026, 12, 3, 10)
    assert moved.revision == 1
    assert {c.slot.start for c in moved.claims.select_related("slot")} == {local(2026, 12, 3, 10)}
    assert SlotClaim.objects.count() == 1


def test_failed_move_keeps_the_old_time(planned):
    """Tried: moving onto a time both counters already gave away."""
    appointment = confirmed(planned, local(2026, 12, 2, 9))
    taken = local(2026, 12, 3, 10)
    for n in range(2):
        confirmed(planned, taken, email=f"other{n}@example.org")
    with pytest.raises(Conflict):
        services.appointment_move(appointment=appointment, start=taken, now=NOW)
    appointment.refresh_from_db()
    assert appointment.start == local(2026, 12, 2, 9)
    assert appointment.claims.count() == 1


def test_forged_or_foreign_tokens_find_nothing(planned):
    """Tried: a token with a valid pk and a made-up MAC, a truncated one and garbage."""
    appointment = confirmed(planned, local(2026, 12, 2, 9))
    real = tokens.link_token(appointment)
    forged = f"{appointment.pk}-{'A' * 43}"
    assert tokens.appointment_by_link(real) == appointment
    for token in (forged, real[:-1], "x", "", f"{appointment.pk}", "99999999-" + "A" * 43):
        assert tokens.appointment_by_link(token) is None


def _confirmation_sent(appointment, at):
    """Given: the confirmation e-mail went out at ``at`` (the task stamps the real clock)."""
    Appointment.objects.filter(pk=appointment.pk).update(confirmation_sent_at=at)


def test_reminder_is_sent_once_the_day_before_after_the_confirmation(
    planned, django_capture_on_commit_callbacks
):
    """Booked on Tuesday for Thursday: the confirmation first, the reminder on Wednesday, once."""
    with django_capture_on_commit_callbacks(execute=True):
        appointment = confirmed(planned, local(2026, 12, 3, 9))
    assert [m.subject for m in mail.outbox] == ["Ihr Termin ist bestätigt"]
    _confirmation_sent(appointment, NOW)
    wednesday = local(2026, 12, 2, 10)
    assert services.reminders_send_due(now=wednesday) == 1
    assert [m.subject for m in mail.outbox] == [
        "Ihr Termin ist bestätigt",
        "Erinnerung an Ihren Termin morgen",
    ]
    assert appointment.code in mail.outbox[1].body
    assert services.reminders_send_due(now=wednesday) == 0


def test_no_reminder_for_a_booking_made_within_the_reminder_lead_time(
    planned, django_capture_on_commit_callbacks
):
    """Booked on Tuesday 09:00 for Wednesday: the confirmation is reminder enough (it used to be
    followed, or even preceded, by the day-before reminder)."""
    with django_capture_on_commit_callbacks(execute=True):
        appointment = confirmed(planned, local(2026, 12, 2, 9))
    _confirmation_sent(appointment, NOW)
    assert services.reminders_send_due(now=NOW) == 0
    assert services.reminders_send_due(now=local(2026, 12, 1, 10)) == 0
    assert [m.subject for m in mail.outbox] == ["Ihr Termin ist bestätigt"]


def test_no_reminder_before_the_confirmation_went_out(planned):
    """The confirmation task has not run (yet): the reminder waits for it, never overtakes it."""
    appointment = confirmed(planned, local(2026, 12, 3, 9))
    assert Appointment.objects.get(pk=appointment.pk).confirmation_sent_at is None
    assert services.reminders_send_due(now=local(2026, 12, 2, 10)) == 0
    assert mail.outbox == []


def test_a_move_needs_a_new_confirmation_before_a_reminder(planned, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        appointment = confirmed(planned, local(2026, 12, 3, 9))
    _confirmation_sent(appointment, NOW)
    services.appointment_move(appointment=appointment, start=local(2026, 12, 3, 10), now=NOW)
    assert Appointment.objects.get(pk=appointment.pk).confirmation_sent_at is None
    assert services.reminders_send_due(now=local(2026, 12, 2, 10)) == 0


def test_check_in_walk_in_and_call_up_share_one_queue(planned):
    clerk = make_staff(planned.office)
    counters = list(planned.office.counters.order_by("name"))
    appointment = confirmed(planned, local(2026, 12, 1, 11, 0))
    walk_in = services.walk_in_create(
        office=planned.office, services=[planned.passport], by=clerk, now=local(2026, 12, 1, 10, 0)
    )
    checked = services.appointment_check_in(
        office=planned.office, code=appointment.code.lower(), by=clerk, now=local(2026, 12, 1, 10, 50)
    )
    assert checked.status == Appointment.Status.CHECKED_IN
    assert (walk_in.queue_number, checked.queue_number) == ("W001", "T002")
    first = services.call_next(
        office=planned.office, counter=counters[0], by=clerk, now=local(2026, 12, 1, 10, 55)
    )
    second = services.call_next(
        office=planned.office, counter=counters[1], by=clerk, now=local(2026, 12, 1, 11, 1)
    )
    assert (first.pk, second.pk) == (walk_in.pk, appointment.pk)
    assert second.counter == counters[1]
    assert services.call_next(office=planned.office, counter=counters[0], by=clerk) is None
    assert [c.pk for c in selectors.call_display(office=planned.office, now=local(2026, 12, 1, 11, 2))] == [
        appointment.pk,
        walk_in.pk,
    ]


def test_check_in_with_an_unknown_or_foreign_code_is_refused(planned):
    clerk = make_staff(planned.office)
    other = planned_office()
    appointment = confirmed(other, local(2026, 12, 1, 11, 0))
    for code in (appointment.code, "XXXX-XXXX", ""):
        with pytest.raises(NotFound):
            services.appointment_check_in(
                office=planned.office, code=code, by=clerk, now=local(2026, 12, 1, 10)
            )


def test_statistics_count_no_shows_waiting_and_utilisation(planned):
    clerk = make_staff(planned.office)
    counter = planned.office.counters.first()
    came = confirmed(planned, local(2026, 12, 1, 11, 0))
    missed = confirmed(planned, local(2026, 12, 1, 11, 15), email="bert@example.org")
    services.appointment_check_in(
        office=planned.office, code=came.code, by=clerk, now=local(2026, 12, 1, 10, 55)
    )
    services.call_next(office=planned.office, counter=counter, by=clerk, now=local(2026, 12, 1, 11, 6))
    services.appointment_no_show(appointment=missed, by=clerk, now=local(2026, 12, 1, 11, 30))
    figures = selectors.office_statistics(
        office=planned.office, first=datetime.date(2026, 12, 1), last=datetime.date(2026, 12, 1)
    )
    assert figures.total.booked == 2 and figures.total.no_shows == 1
    assert figures.total.no_show_rate == 0.5
    assert figures.total.median_wait_minutes == 6
    assert figures.booked_units == 2
    assert figures.offered_units == 16 * 2
    assert figures.utilisation == pytest.approx(2 / 32)


def test_exception_day_closes_and_removes_free_units(planned):
    services.opening_exception_add(
        office=planned.office, day=datetime.date(2026, 12, 4), reason="Betriebsausflug"
    )
    assert not Slot.objects.filter(
        office=planned.office, start__gte=local(2026, 12, 4, 0), start__lt=local(2026, 12, 5, 0)
    ).exists()
    with pytest.raises(InvalidInput) as refused:
        services.appointment_reserve(
            office=planned.office, services=[planned.certify], start=local(2026, 12, 4, 9), now=NOW
        )
    assert refused.value.code == "slot_closed"


def test_earliest_across_offices_puts_the_earliest_office_first():
    late = planned_office(counters=1)
    early = planned_office(counters=1)
    # Fill the rest of today's morning at the "late" office (10:00 is the first after the lead time).
    for minute in range(0, 120, 15):
        start = local(2026, 12, 1, 10) + datetime.timedelta(minutes=minute)
        services.appointment_reserve(office=late.office, services=[late.certify], start=start, now=NOW)
    results = selectors.earliest_across_offices(services=[early.certify], now=NOW)
    assert results[0].office == early.office
    assert results[0].start == local(2026, 12, 1, 10, 0)


def test_every_audit_action_of_the_terminvergabe_has_a_german_label():
    """History pages show labels, never codes such as ``appointment.no_show``."""
    import pathlib
    import re

    from rathaus.kernel import audit

    source = "".join(path.read_text() for path in pathlib.Path(services.__file__).parent.glob("*.py"))
    recorded = set(re.findall(r'action="([a-z_]+\.[a-z_]+)"', source))
    # Planning actions chosen from a table (by the kind of row): every quoted "appointments.<name>".
    recorded |= set(re.findall(r'"(appointments\.[a-z_]+)"', source))
    assert len(recorded) >= 12
    labels = audit.registered_action_labels()
    for action in recorded:
        assert action in labels, action
        assert audit.action_label(action) != action


def test_reading_the_day_list_records_who_read_it_and_why(planned):
    """The day list shows names and booking codes: the service that reads it for staff records the
    read with its purpose and legal basis (it used to be the view's job)."""
    from rathaus.kernel import audit

    clerk = make_staff(planned.office)
    appointment = confirmed(planned, local(2026, 12, 2, 9))
    lists = services.day_list_read(office=planned.office, day=datetime.date(2026, 12, 2), by=clerk)
    assert [a.pk for column in lists.values() for a in column] == [appointment.pk]
    entry = audit.AuditEntry.objects.filter(action="office.read", actor_id=str(clerk.pk)).get()
    assert entry.purpose and entry.legal_basis
    assert "day:2026-12-02" in entry.details["fields"]
