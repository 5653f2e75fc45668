"""Mein Konto: the logged-in citizen's own register data, login level and postbox."""

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import formats

from rathaus.registers import selectors as register_selectors


@pytest.mark.django_db
def test_mein_konto_shows_the_citizens_own_register_data(resident, resident_client):
    """Name, birth data, address, household, marital status, spouse, children, tax ID and incomes."""
    overview = register_selectors.own_person_overview(person_id=resident.pk)
    response = resident_client.get(reverse("portal:account"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "<title>Mein Konto – Rathaus Bremen</title>" in html
    assert f"Angemeldet als {overview.name}." in html
    assert formats.date_format(overview.date_of_birth, "SHORT_DATE_FORMAT") in html
    assert overview.address_line in html
    assert overview.marital_status in html
    assert overview.register_number in html
    if overview.tax_id:
        assert overview.tax_id in html
    if overview.spouse:
        assert overview.spouse.name in html
    for child in overview.children:
        assert child.name in html
    for member in overview.household_members:
        assert member.name in html
    first_income = overview.income_notifications[0]
    assert first_income.employer in html
    assert formats.number_format(first_income.gross_wage, 2, force_grouping=True) in html


@pytest.mark.django_db
def test_mein_konto_shows_the_eidas_level_of_this_login(resident_client):
    html = resident_client.get(reverse("portal:account")).content.decode()
    assert "Vertrauensniveau dieser Anmeldung: substanziell." in html


@pytest.mark.django_db
def test_mein_konto_shows_an_empty_postbox_honestly(resident_client):
    html = resident_client.get(reverse("portal:account")).content.decode()
    assert "Ihr Postfach ist leer" in html


@pytest.mark.django_db
def test_mein_konto_in_english_after_switching_language(resident, resident_client):
    """POST /i18n/setlang/ with language=en; Mein Konto then speaks English."""
    response = resident_client.post(
        reverse("set_language"), {"language": "en", "next": reverse("portal:account")}, follow=True
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert '<html lang="en"' in html
    assert "<title>My account – Rathaus Bremen</title>" in html
    assert "My data in the residents' register" in html
    assert "Level of assurance of this login: substantial." in html
    assert "Your postbox is empty" in html
    assert "Meine Daten im Melderegister" not in html


@pytest.mark.django_db
def test_register_values_are_translated_in_english(resident, resident_client):
    """Marital status and similar register values follow the page language, not the register's German."""
    resident.marital_status = resident.MaritalStatus.MARRIED
    resident.save(update_fields=["marital_status"])
    resident_client.post(reverse("set_language"), {"language": "en", "next": "/"})
    html = resident_client.get(reverse("portal:account")).content.decode()
    assert ">married<" in html
    assert ">verheiratet<" not in html


@pytest.mark.django_db
def test_mein_konto_needs_login():
    response = Client().get(reverse("portal:account"))
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('accounts:login')}?next={reverse('portal:account')}"


@pytest.mark.django_db
def test_logout_is_a_post_form_in_the_header(resident_client):
    """Logging out changes state, so it is a POST (with CSRF token), never a link."""
    html = resident_client.get(reverse("portal:account")).content.decode()
    assert f'<form class="app-logout" action="{reverse("accounts:logout")}" method="post">' in html
    assert f'href="{reverse("accounts:logout")}"' not in html


@pytest.mark.django_db
@pytest.mark.usefixtures("steady_last_seen")
def test_mein_konto_queries_do_not_grow_with_the_postbox(resident, resident_client):
    """A fixed number of queries however many messages there are (no query per message)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from rathaus.kernel import notify

    user = resident.account

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert resident_client.get(reverse("portal:account")).status_code == 200
        return len(captured.captured_queries)

    notify.postbox_send(recipient=user, subject="Eins", body="…", sender_label="Amt", notify_by_email=False)
    queries()  # the first page after login also records the session's last activity (idle timeout)
    with_one = queries()
    for number in range(6):
        notify.postbox_send(
            recipient=user, subject=f"Nr. {number}", body="…", sender_label="Amt", notify_by_email=False
        )
    assert queries() == with_one
