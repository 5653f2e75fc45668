"""Staff editing in the admin: review actions (four eyes), history, opening-hours validation."""

import pytest
from django.forms import inlineformset_factory

from rathaus.accounts.models import User
from rathaus.directory import services
from rathaus.directory.admin import OpeningHoursFormSet
from rathaus.directory.models import Office, OpeningHours, Service
from rathaus.kernel.testing import log_in_staff


def _admin_client(client, username):
    user = User.objects.create_user(username=username, kind=User.Kind.STAFF, is_staff=True, is_superuser=True)
    log_in_staff(client, user)
    return user


@pytest.fixture
def service(db):
    office = Office.objects.create(slug="amt-x", name="Amt X", kind="authority")
    service = Service.objects.create(leika_key="99000000000077", name="Leistung X", slug="leistung-x",
                                     description="Text")  # fmt: skip
    service.offices.add(office)
    return service


def test_review_action_enforces_four_eyes_and_change_form_shows_history(client, service):
    editor = _admin_client(client, "editor")
    services.publication_edited(obj=service, by=editor)
    url = "/admin/directory/service/"
    client.post(url, {"action": "review", "_selected_action": [service.pk]})
    service.refresh_from_db()
    assert service.status == "draft"  # the editor may not review their own change
    reviewer = _admin_client(client, "reviewer")
    client.post(url, {"action": "review", "_selected_action": [service.pk]})
    client.post(url, {"action": "publish", "_selected_action": [service.pk]})
    service.refresh_from_db()
    assert (service.status, service.reviewed_by) == ("published", reviewer)
    page = client.get(f"/admin/directory/service/{service.pk}/change/").content.decode()
    assert "directory.service_published" in page and "Änderungsverlauf" in page


def _formset(office, rows):
    data = {"opening_hours-TOTAL_FORMS": str(len(rows)), "opening_hours-INITIAL_FORMS": "0"}
    for index, (weekday, opens, closes) in enumerate(rows):
        data |= {f"opening_hours-{index}-weekday": weekday, f"opening_hours-{index}-opens": opens,
                 f"opening_hours-{index}-closes": closes}  # fmt: skip
    formset_class = inlineformset_factory(
        Office, OpeningHours, formset=OpeningHoursFormSet, fields=["weekday", "opens", "closes", "note"]
    )
    return formset_class(data, instance=office, prefix="opening_hours")


@pytest.mark.parametrize(
    ("rows", "valid"),
    [
        ([("0", "08:00", "12:00"), ("0", "12:00", "14:00")], True),
        ([("0", "08:00", "12:00"), ("0", "11:30", "14:00")], False),
        ([("1", "14:00", "09:00")], False),
    ],
)
def test_admin_hours_formset_refuses_overlaps_and_backwards_times(service, rows, valid):
    """Tried in the admin inline: touching slots (fine), an overlap and an end before the start."""
    assert _formset(service.offices.get(), rows).is_valid() is valid
