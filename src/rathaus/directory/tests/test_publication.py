"""Review before publishing (four eyes), opening hours rules, contact form, hours today."""

import datetime as dt

import pytest

from rathaus.accounts.models import User
from rathaus.directory import selectors, services
from rathaus.directory.models import Office, Service
from rathaus.kernel import audit, search


@pytest.fixture
def staff(db):
    return (
        User.objects.create_user(username="redaktion-a", kind=User.Kind.STAFF),
        User.objects.create_user(username="redaktion-b", kind=User.Kind.STAFF),
    )


@pytest.fixture
def office(db):
    return Office.objects.create(slug="amt-test", name="Amt für Tests", kind="authority")


def _service(office=None):
    service = Service.objects.create(leika_key="99000000000042", name="Testleistung", slug="testleistung",
                                     description="Beschreibung")  # fmt: skip
    if office:
        service.offices.add(office)
    return service


def test_four_eyes_draft_review_publish(staff, office, django_capture_on_commit_callbacks):
    """The editor cannot review their own change; another person can; then it is public and findable."""
    editor, reviewer = staff
    service = _service(office)
    services.publication_edited(obj=service, by=editor, changes={"fields": ["name"]})
    with pytest.raises(services.DirectoryError) as caught:
        services.publication_review(obj=service, by=editor)
    assert caught.value.code == "four_eyes"
    with pytest.raises(services.DirectoryError, match="geprüft"):
        services.publication_publish(obj=service, by=reviewer)
    services.publication_review(obj=service, by=reviewer)
    with django_capture_on_commit_callbacks(execute=True):
        services.publication_publish(obj=service, by=reviewer)
    assert service.status == "published" and service.published_at is not None
    assert search.find("Testleistung").hits[0].key == "99000000000042"
    # a later edit takes it off the portal until reviewed again
    with django_capture_on_commit_callbacks(execute=True):
        services.publication_edited(obj=service, by=reviewer)
    assert search.find("Testleistung").total == 0
    actions = [e.action for e in audit.entries_for_target("directory.service", service.pk)]
    assert actions == [
        "directory.service_edited", "directory.service_reviewed", "directory.service_published",
        "directory.service_edited",
    ]  # fmt: skip


def test_service_without_responsible_office_cannot_be_reviewed_or_published(staff):
    """Tried: review and publish of a service with no office — both refused."""
    editor, reviewer = staff
    service = _service()
    services.publication_edited(obj=service, by=editor)
    with pytest.raises(services.DirectoryError, match="ohne zuständige Dienststelle"):
        services.publication_review(obj=service, by=reviewer)
    service.status = "reviewed"
    service.save()
    with pytest.raises(services.DirectoryError, match="ohne zuständige Dienststelle"):
        services.publication_publish(obj=service, by=reviewer)


@pytest.mark.parametrize(
    "hours",
    [
        [(0, dt.time(8), dt.time(12), ""), (0, dt.time(11), dt.time(14), "")],
        [(2, dt.time(12), dt.time(8), "")],
        [(2, dt.time(9), dt.time(9), "")],
    ],
)
def test_overlapping_or_backwards_hours_are_refused(office, hours):
    """Tried: overlapping slots on one day, end before start, zero length. Nothing is stored."""
    with pytest.raises(services.DirectoryError):
        services.opening_hours_set(office=office, hours=hours)
    assert not office.opening_hours.exists()


def test_hours_today_respect_exceptions_and_bremen_holidays(office):
    """Monday hours apply on Mondays; Easter Monday (a holiday) is closed; an exception wins."""
    services.opening_hours_set(
        office=office,
        hours=[(0, dt.time(8), dt.time(12), "")],
        exceptions=[(dt.date(2026, 12, 7), dt.time(9), dt.time(10), "Kurzer Montag")],
    )
    assert selectors.office_hours_on(office=office, day=dt.date(2026, 11, 30)).is_open_at(dt.time(9))
    easter_monday = selectors.office_hours_on(office=office, day=dt.date(2026, 4, 6))
    assert not easter_monday.is_open_day and easter_monday.reason
    assert selectors.office_hours_on(office=office, day=dt.date(2026, 12, 7)).reason == "Kurzer Montag"
    assert dt.date(2026, 10, 31) in selectors.bremen_holidays(2026)  # Reformationstag in HB


def test_contact_form_lands_in_the_office_inbox(office, mailoutbox, django_capture_on_commit_callbacks):
    office.email = "amt@rathaus.example"
    office.save()
    with django_capture_on_commit_callbacks(execute=True):
        message = services.office_message_send(
            office=office, name="Hanna", email="hanna@example.org", subject="Frage", text="Wann?"
        )
    assert office.messages.get() == message
    assert len(mailoutbox) == 1 and "Wann?" not in mailoutbox[0].body
    office.contact_form = False
    with pytest.raises(services.DirectoryError):
        services.office_message_send(office=office, name="x", email="x@example.org", subject="x", text="x")
