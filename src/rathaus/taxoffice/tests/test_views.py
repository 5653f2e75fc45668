"""The pages: the citizen's returns under "Mein Konto" (German dates and labels, the expected
date with how it is computed, an empty state) and the tax office's list and status form."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse

from rathaus.kernel.models import AuditEntry, PostboxMessage
from rathaus.kernel.testing import log_in, log_in_staff
from rathaus.taxoffice.models import TaxReturn, TaxReturnEvent

from . import factories as f

pytestmark = pytest.mark.django_db
CITIZEN_BACKEND = "rathaus.accounts.backends.OidcBackend"
S = TaxReturn.Status


def _citizen_client(user) -> Client:
    return log_in(Client(HTTP_ACCEPT_LANGUAGE="de"), user, backend=CITIZEN_BACKEND)


def _staff_client(user) -> Client:
    return log_in_staff(Client(HTTP_ACCEPT_LANGUAGE="de"), user)


def test_citizen_sees_their_returns_with_german_dates_status_and_how_the_date_is_computed():
    w = f.world()
    owner = f.citizen()
    row = f.tax_return(w.office, owner.person, year=2025, received_on=dt.date(2026, 3, 2))
    page = _citizen_client(owner).get(reverse("taxoffice:mine")).content.decode()
    assert "Einkommensteuer 2025" in page and "2. März 2026" in page and "Eingegangen" in page
    assert "Standardwert" in page  # too few assessments: the default, said so
    detail = _citizen_client(owner).get(reverse("taxoffice:mine-detail", args=[row.pk])).content.decode()
    assert "Verlauf" in detail and row.reference in detail and "Finanzamt Bremen" in detail


def test_another_citizens_return_is_404_and_not_listed():
    w = f.world()
    owner, other = f.citizen(), f.citizen("Sommer", "Sina")
    row = f.tax_return(w.office, owner.person)
    client = _citizen_client(other)
    assert client.get(reverse("taxoffice:mine-detail", args=[row.pk])).status_code == 404
    page = client.get(reverse("taxoffice:mine")).content.decode()
    assert row.reference not in page and "Keine Steuererklärungen" in page


def test_the_account_page_links_to_the_tax_returns():
    page = _citizen_client(f.citizen()).get(reverse("portal:account")).content.decode()
    assert reverse("taxoffice:mine") in page


def test_staff_list_filters_and_the_status_form_changes_the_status():
    w = f.world()
    owner = f.citizen()
    row = f.tax_return(w.office, owner.person)
    f.tax_return(w.office, f.citizen("Sommer", "Sina").person, year=2024)
    client = _staff_client(w.clerk)
    listed = client.get(reverse("taxoffice:staff-list"), {"jahr": 2025}).content.decode()
    assert row.reference in listed and "ESt-2024" not in listed
    page = client.get(reverse("taxoffice:staff-return", args=[row.pk])).content.decode()
    assert "Rückfrage des Finanzamts" in page and "Einspruch" not in page  # only allowed statuses offered
    response = client.post(
        reverse("taxoffice:staff-status", args=[row.pk]),
        {"status": S.QUERY, "note": "Bitte Rentenbescheid nachreichen.", "expected_status": S.RECEIVED},
    )
    assert response.status_code == 302
    assert TaxReturn.objects.get(pk=row.pk).status == S.QUERY
    assert PostboxMessage.objects.filter(recipient=owner, subject__contains="Rückfrage").exists()
    assert (
        "Bitte Rentenbescheid nachreichen."
        in _citizen_client(owner).get(reverse("taxoffice:mine-detail", args=[row.pk])).content.decode()
    )


def test_an_invalid_transition_from_the_form_is_409_with_a_german_message():
    w = f.world()
    row = f.tax_return(w.office, f.citizen().person)
    events = TaxReturnEvent.objects.count()
    response = _staff_client(w.clerk).post(
        reverse("taxoffice:staff-status", args=[row.pk]), {"status": S.OBJECTION, "note": ""}
    )
    assert response.status_code == 409
    assert (
        "Aus dem Stand „Eingegangen“ kann die Erklärung nicht in „Einspruch“ wechseln"
        in response.content.decode()
    )
    assert TaxReturn.objects.get(pk=row.pk).status == S.RECEIVED and TaxReturnEvent.objects.count() == events


def test_staff_of_another_office_is_refused():
    w = f.world()
    row = f.tax_return(w.office, f.citizen().person)
    client = _staff_client(w.other_clerk)
    assert client.get(reverse("taxoffice:staff-list")).status_code == 403
    assert client.get(reverse("taxoffice:staff-return", args=[row.pk])).status_code == 403
    post = client.post(reverse("taxoffice:staff-status", args=[row.pk]), {"status": S.IN_PROCESSING})
    assert post.status_code == 403
    assert TaxReturn.objects.get(pk=row.pk).status == S.RECEIVED
    # a citizen does not reach the office's pages either
    assert (
        _citizen_client(f.citizen("Sommer", "Sina")).get(reverse("taxoffice:staff-list")).status_code == 403
    )


def test_the_office_page_read_is_audited():
    w = f.world()
    row = f.tax_return(w.office, f.citizen().person)
    _staff_client(w.clerk).get(reverse("taxoffice:staff-return", args=[row.pk]))
    assert AuditEntry.objects.filter(action="taxreturn.read", target_id=str(row.pk)).count() == 1


def test_the_staff_start_page_counts_new_returns_and_objections_of_the_clerks_office():
    # The Finanzamt work area had no queues on the staff start page: it answered 500.
    w = f.world()
    f.tax_return(w.office, f.citizen().person)
    f.tax_return(w.office, f.citizen("Sommer", "Sina").person)
    response = _staff_client(w.clerk).get(reverse("portal:account"))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Neu eingegangene Steuererklärungen" in page and "Offene Einsprüche" in page
    assert reverse("taxoffice:staff-list") + "?status=received" in page
