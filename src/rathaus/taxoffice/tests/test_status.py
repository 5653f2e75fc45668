"""Status changes of tax returns: the state machine, history, audit and postbox message; the
expected date of the assessment from the office's current processing times."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from rathaus.kernel.exceptions import Conflict, NotFound
from rathaus.kernel.models import AuditEntry, PostboxMessage
from rathaus.taxoffice import selectors, services, workflow
from rathaus.taxoffice.models import TaxReturn, TaxReturnEvent

from . import factories as f

pytestmark = pytest.mark.django_db
S = TaxReturn.Status


def test_each_status_change_writes_history_audit_and_a_postbox_message():
    # given
    w = f.world()
    owner = f.citizen()
    row = f.tax_return(w.office, owner.person)
    # when
    services.tax_return_status_change(
        tax_return_id=row.pk, status=S.IN_PROCESSING, note="Wir prüfen die Belege.", by=w.clerk
    )
    services.tax_return_status_change(tax_return_id=row.pk, status=S.ASSESSMENT_SENT, note="", by=w.clerk)
    # then
    row.refresh_from_db()
    assert row.status == S.ASSESSMENT_SENT and row.assessed_on == timezone.localdate()
    assert list(TaxReturnEvent.objects.filter(tax_return=row).values_list("status", flat=True)) == [
        S.RECEIVED, S.IN_PROCESSING, S.ASSESSMENT_SENT,
    ]  # fmt: skip
    changes = AuditEntry.objects.filter(action="taxoffice.status_changed", target_id=str(row.pk))
    assert [e.details["to"] for e in changes.order_by("seq")] == [S.IN_PROCESSING, S.ASSESSMENT_SENT]
    assert all(e.actor_id == str(w.clerk.pk) for e in changes)
    messages = PostboxMessage.objects.filter(recipient=owner).order_by("pk")
    assert [m.subject for m in messages] == [
        "Ihre Steuererklärung 2025: In Bearbeitung",
        "Ihre Steuererklärung 2025: Bescheid versandt",
    ]
    assert "Wir prüfen die Belege." in messages[0].body
    assert messages[0].link_url == f"/mein-konto/steuererklaerungen/{row.pk}/"


@pytest.mark.parametrize(
    ("path", "refused"),
    [
        ((), S.OBJECTION),  # an objection only against an assessment
        ((), S.RECEIVED),
        ((S.ASSESSMENT_SENT,), S.QUERY),
        ((S.IN_PROCESSING,), S.IN_PROCESSING),
    ],
)
def test_an_invalid_transition_is_refused_and_nothing_changes(path, refused):
    w = f.world()
    owner = f.citizen()
    row = f.tax_return(w.office, owner.person)
    for status in path:
        services.tax_return_status_change(tax_return_id=row.pk, status=status, note="", by=w.clerk)
    before = (TaxReturnEvent.objects.count(), AuditEntry.objects.count(), PostboxMessage.objects.count())
    status_before = TaxReturn.objects.get(pk=row.pk).status
    with pytest.raises(Conflict, match="kann die Erklärung nicht in"):
        services.tax_return_status_change(tax_return_id=row.pk, status=refused, note="x", by=w.clerk)
    assert TaxReturn.objects.get(pk=row.pk).status == status_before
    assert (
        TaxReturnEvent.objects.count(),
        AuditEntry.objects.count(),
        PostboxMessage.objects.count(),
    ) == before


def test_objection_is_possible_after_the_assessment_and_leads_to_a_new_one():
    w = f.world()
    row = f.tax_return(w.office, f.citizen().person)
    for status in (S.ASSESSMENT_SENT, S.OBJECTION, S.ASSESSMENT_SENT):
        services.tax_return_status_change(tax_return_id=row.pk, status=status, note="", by=w.clerk)
    assert TaxReturn.objects.get(pk=row.pk).status == S.ASSESSMENT_SENT
    assert workflow.allowed_next(S.ASSESSMENT_SENT) == (S.OBJECTION,)


def test_staff_of_another_office_cannot_change_a_return():
    w = f.world()
    row = f.tax_return(w.office, f.citizen().person)
    with pytest.raises(NotFound):
        services.tax_return_status_change(
            tax_return_id=row.pk, status=S.IN_PROCESSING, note="", by=w.other_clerk
        )
    assert TaxReturn.objects.get(pk=row.pk).status == S.RECEIVED


def test_a_change_made_meanwhile_is_not_overwritten():
    w = f.world()
    row = f.tax_return(w.office, f.citizen().person)
    services.tax_return_status_change(tax_return_id=row.pk, status=S.QUERY, note="", by=w.clerk)
    with pytest.raises(Conflict, match="inzwischen"):
        services.tax_return_status_change(
            tax_return_id=row.pk, status=S.IN_PROCESSING, note="", by=w.clerk, expected_status=S.RECEIVED
        )
    assert TaxReturn.objects.get(pk=row.pk).status == S.QUERY


def test_expected_date_is_received_plus_the_median_of_the_last_90_days():
    # given: five assessments in the window taking 20, 30, 40, 60, 100 days (median 40) and
    # one older than 90 days that would shift the median
    w = f.world()
    today = dt.date(2026, 6, 30)
    for days in (20, 30, 40, 60, 100):
        f.assessed(
            w.office,
            received_on=today - dt.timedelta(days=days + 5),
            assessed_on=today - dt.timedelta(days=5),
        )
    f.assessed(w.office, received_on=dt.date(2025, 1, 1), assessed_on=today - dt.timedelta(days=91))
    owner = f.citizen()
    row = f.tax_return(w.office, owner.person, year=2025, received_on=dt.date(2026, 6, 1))
    # when
    view, time = selectors.return_of_citizen(user=owner, tax_return_id=row.pk, today=today)
    # then
    assert (time.days, time.sample, time.is_default) == (40, 5, False)
    assert view.expected_on == dt.date(2026, 7, 11) and not view.overdue


def test_expected_date_falls_back_to_the_default_with_too_few_assessments():
    w = f.world()
    today = dt.date(2026, 6, 30)
    for days in (10, 11, 12, 13):  # four: below the minimum sample
        f.assessed(w.office, received_on=today - dt.timedelta(days=days), assessed_on=today)
    time = selectors.processing_time(office=w.office, today=today)
    assert (time.days, time.sample, time.is_default) == (selectors.DEFAULT_DAYS, 4, True)


def test_a_citizen_reads_only_their_own_returns():
    w = f.world()
    owner, other = f.citizen(), f.citizen("Sommer", "Sina")
    row = f.tax_return(w.office, owner.person)
    rows, _times = selectors.returns_of_citizen(user=other, today=dt.date(2026, 6, 1))
    assert rows == []
    with pytest.raises(NotFound):
        selectors.return_of_citizen(user=other, tax_return_id=row.pk, today=dt.date(2026, 6, 1))


def test_staff_reads_are_audited():
    w = f.world()
    row = f.tax_return(w.office, f.citizen().person)
    assert [r.pk for r in selectors.staff_returns(user=w.clerk, status=S.RECEIVED)] == [row.pk]
    selectors.staff_return(user=w.clerk, tax_return_id=row.pk)
    actions = list(AuditEntry.objects.filter(actor_id=str(w.clerk.pk)).values_list("action", flat=True))
    assert actions == ["taxoffice.returns_listed", "taxreturn.read"]
    assert selectors.staff_returns(user=w.other_clerk) == []
