"""A logged-in citizen's booking: confirmation in the postbox (and by e-mail where the account has
an address), listed in "Mein Konto" with move and cancel; cancelling asks first."""

import pytest
from django.core import mail
from django.urls import reverse

from rathaus.appointments import protection, selectors, tokens
from rathaus.appointments.models import Appointment
from rathaus.kernel import notify

from .factories import make_citizen, planned_office

pytestmark = pytest.mark.django_db
CITIZEN_BACKEND = "rathaus.accounts.backends.OidcBackend"


@pytest.fixture(autouse=True)
def _fast_protection(settings):
    settings.APPOINTMENTS_WAIT_SECONDS = 0


@pytest.fixture
def planned():
    return planned_office(every_day=True, now=None)


def _main(response) -> str:
    html = response.content.decode()
    return html[html.index("<main") : html.index("</main>")]


def _book_with_account(client, planned, citizen, capture) -> str:
    client.force_login(citizen, backend=CITIZEN_BACKEND)
    free = selectors.availability(office=planned.office, services=[planned.certify], limit=1)[0]
    reserved = client.post(
        reverse("appointments:reserve"),
        {
            "choice": free.choice,
            "services": str(planned.certify.pk),
            "ticket": protection.wait_ticket(),
            "form_token": tokens.form_token(),
        },
    )
    token = reserved["Location"].rstrip("/").rsplit("/", 1)[-1]
    with capture(execute=True):
        client.post(reverse("appointments:confirm-account", args=[token]))
    return token


def test_booking_of_an_account_without_e_mail_goes_to_the_postbox_and_says_so(
    client, planned, django_capture_on_commit_callbacks
):
    citizen = make_citizen(email="")
    token = _book_with_account(client, planned, citizen, django_capture_on_commit_callbacks)
    appointment = Appointment.objects.get()
    assert appointment.status == Appointment.Status.CONFIRMED
    assert mail.outbox == []
    [message] = notify.postbox_messages(user=citizen)
    assert message.subject == "Ihr Termin ist bestätigt"
    assert appointment.code in message.body and message.sender_label == planned.office.name
    page = _main(client.get(reverse("appointments:manage", args=[token])))
    assert "Die Bestätigung liegt in Ihrem Postfach" in page
    assert "keine E-Mail-Adresse hinterlegt" in page
    assert "per E-Mail geschickt" not in page


def test_booking_of_an_account_with_e_mail_goes_to_both(client, planned, django_capture_on_commit_callbacks):
    citizen = make_citizen(email="anna@example.org")
    token = _book_with_account(client, planned, citizen, django_capture_on_commit_callbacks)
    assert [m.subject for m in mail.outbox] == ["Ihr Termin ist bestätigt"]
    assert mail.outbox[0].to == ["anna@example.org"]
    assert notify.postbox_messages(user=citizen).count() == 1
    page = _main(client.get(reverse("appointments:manage", args=[token])))
    assert "Die Bestätigung liegt in Ihrem Postfach" in page
    assert "außerdem an die E-Mail-Adresse Ihres Kontos" in page


def test_mein_konto_lists_the_booking_with_move_and_cancel(
    client, planned, django_capture_on_commit_callbacks
):
    citizen = make_citizen()
    token = _book_with_account(client, planned, citizen, django_capture_on_commit_callbacks)
    appointment = Appointment.objects.get()
    page = _main(client.get(reverse("portal:account")))
    assert "Meine Termine" in page
    assert appointment.code in page and planned.office.name in page
    assert reverse("appointments:move", args=[token]) in page
    assert reverse("appointments:cancel", args=[token]) in page
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("appointments:cancel", args=[token]), {"confirm": "yes"})
    page = _main(client.get(reverse("portal:account")))
    assert appointment.code not in page
    assert "keine gebuchten Termine" in page
    subjects = [m.subject for m in notify.postbox_messages(user=citizen)]
    assert subjects == ["Ihr Termin wurde storniert", "Ihr Termin ist bestätigt"]


def test_another_citizens_bookings_are_not_listed(client, planned, django_capture_on_commit_callbacks):
    _book_with_account(client, planned, make_citizen(), django_capture_on_commit_callbacks)
    code = Appointment.objects.get().code
    client.force_login(make_citizen(), backend=CITIZEN_BACKEND)
    assert code not in _main(client.get(reverse("portal:account")))


def test_cancelling_asks_first_and_only_the_confirming_post_cancels(
    client, planned, django_capture_on_commit_callbacks
):
    token = _book_with_account(client, planned, make_citizen(), django_capture_on_commit_callbacks)
    manage = _main(client.get(reverse("appointments:manage", args=[token])))
    cancel_url = reverse("appointments:cancel", args=[token])
    # The manage page links to the question; it carries no form that cancels in one click.
    assert f'href="{cancel_url}"' in manage and f'action="{cancel_url}"' not in manage
    question = client.get(cancel_url)
    assert question.status_code == 200
    assert "Termin wirklich stornieren?" in _main(question)
    assert 'name="confirm" value="yes"' in _main(question)
    # A POST without the confirmation (an old page, a double click) asks too.
    again = client.post(cancel_url)
    assert again.status_code == 200 and "Termin wirklich stornieren?" in _main(again)
    assert Appointment.objects.get().status == Appointment.Status.CONFIRMED
    done = client.post(cancel_url, {"confirm": "yes"})
    assert done.status_code == 302
    assert Appointment.objects.get().status == Appointment.Status.CANCELLED
    assert "Dieser Termin wurde storniert." in _main(client.get(reverse("appointments:manage", args=[token])))
    # A cancelled appointment has nothing left to ask.
    assert client.get(cancel_url).status_code == 302
