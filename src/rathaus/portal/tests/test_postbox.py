"""The citizen's postbox in Mein Konto: list, message, attachment; nobody reads another's mail."""

import pytest
from django.test import Client
from django.urls import reverse

from rathaus.accounts.models import User
from rathaus.kernel import audit, blobs, notify
from rathaus.kernel.testing import make_pdf

PDF = make_pdf("Bescheid")


def _send(recipient: User, subject: str = "Ihr Bescheid", **kwargs) -> notify.PostboxMessage:
    return notify.postbox_send(
        recipient=recipient,
        subject=subject,
        body="Sehr geehrte Frau Meyerhoff,\nanbei Ihr Bescheid.",
        sender_label="Bürgeramt Mitte",
        notify_by_email=False,
        **kwargs,
    )


@pytest.mark.django_db
def test_postbox_lists_messages_with_read_state(citizen, citizen_client):
    """Unread messages are marked "ungelesen", read ones "gelesen", each linked to its page."""
    unread = _send(citizen, "Termin bestätigt")
    read = _send(citizen, "Meldebescheinigung")
    notify.postbox_mark_read(message=read, by=citizen)
    html = citizen_client.get(reverse("portal:postbox")).content.decode()
    assert "Termin bestätigt" in html and "Meldebescheinigung" in html
    assert reverse("portal:postbox_message", args=[unread.pk]) in html
    assert html.count(">ungelesen<") == 1 and html.count(">gelesen<") == 1
    assert "Sie haben 1 ungelesene Nachricht." in html


@pytest.mark.django_db
def test_empty_postbox_explains_what_will_appear(citizen_client):
    html = citizen_client.get(reverse("portal:postbox")).content.decode()
    assert "Ihr Postfach ist leer" in html
    assert "app-empty-state" in html


@pytest.mark.django_db
def test_postbox_paginates_after_twenty_messages(citizen, citizen_client):
    for number in range(21):
        _send(citizen, f"Nachricht {number}")
    first = citizen_client.get(reverse("portal:postbox")).content.decode()
    assert "Seite 1 von 2" in first and "Nachricht 20" in first and "Nachricht 0<" not in first
    second = citizen_client.get(reverse("portal:postbox") + "?page=2").content.decode()
    assert "Nachricht 0<" in second


@pytest.mark.django_db
def test_opening_own_message_shows_it_and_marks_it_read(citizen, citizen_client):
    message = _send(citizen)
    response = citizen_client.get(reverse("portal:postbox_message", args=[message.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert "<title>Ihr Bescheid – Postfach – Rathaus Bremen</title>" in html
    assert "Bürgeramt Mitte" in html and "anbei Ihr Bescheid." in html
    message.refresh_from_db()
    assert message.read_at is not None


@pytest.mark.django_db
def test_another_citizens_message_is_404_and_the_attempt_is_audited(citizen, other_citizen, citizen_client):
    """Asking for someone else's message looks like a missing one (404) and leaves an audit entry."""
    foreign = _send(other_citizen, "Nicht für Sie")
    response = citizen_client.get(reverse("portal:postbox_message", args=[foreign.pk]))
    assert response.status_code == 404
    assert "Nicht für Sie" not in response.content.decode()
    entries = audit.entries_for_target("kernel.postboxmessage", foreign.pk).filter(action="access.denied")
    assert entries.count() == 1
    assert entries.get().actor_id == str(citizen.pk)
    foreign.refresh_from_db()
    assert foreign.read_at is None


@pytest.mark.django_db
def test_attachment_downloads_with_type_and_filename(citizen, citizen_client):
    blob = blobs.store(content=PDF, filename="bescheid.pdf")
    message = _send(citizen, attachments=[("Bescheid 2026.pdf", blob)])
    attachment = message.attachments.get()
    page = citizen_client.get(reverse("portal:postbox_message", args=[message.pk])).content.decode()
    url = reverse("portal:postbox_attachment", args=[message.pk, attachment.pk])
    assert url in page and "Bescheid 2026.pdf" in page
    response = citizen_client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="Bescheid 2026.pdf"'
    assert b"".join(response.streaming_content) == PDF


@pytest.mark.django_db
def test_another_citizens_attachment_is_404_and_audited(citizen, other_citizen, citizen_client):
    blob = blobs.store(content=PDF, filename="geheim.pdf")
    message = _send(other_citizen, attachments=[("geheim.pdf", blob)])
    attachment = message.attachments.get()
    response = citizen_client.get(reverse("portal:postbox_attachment", args=[message.pk, attachment.pk]))
    assert response.status_code == 404
    denied = audit.entries_for_target("kernel.postboxattachment", attachment.pk).filter(
        action="access.denied"
    )
    assert denied.count() == 1


@pytest.mark.django_db
def test_postbox_needs_login():
    response = Client().get(reverse("portal:postbox"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


@pytest.mark.django_db
def test_logins_without_a_register_person_get_a_friendly_explanation_of_the_postbox():
    """Staff and organisation logins have no register person: the postbox explains itself
    instead of failing (their "Mein Konto" is their own start page, see test_start_pages)."""
    staff = User.objects.create_user(username="sachbearbeitung", kind=User.Kind.STAFF)
    client = Client(HTTP_ACCEPT_LANGUAGE="de")
    client.force_login(staff)
    response = client.get(reverse("portal:postbox"))
    assert response.status_code == 403
    assert "Mein Konto ist für Bürgerinnen und Bürger" in response.content.decode()


@pytest.mark.django_db
def test_a_citizen_login_without_a_register_person_gets_the_explanation_on_mein_konto():
    citizen = User.objects.create_user(username="ohne-person", kind=User.Kind.CITIZEN)
    client = Client(HTTP_ACCEPT_LANGUAGE="de")
    client.force_login(citizen, backend="rathaus.accounts.backends.OidcBackend")
    response = client.get(reverse("portal:account"))
    assert response.status_code == 403
    assert "Diese Anmeldung gehört zu keiner Person im Melderegister" in response.content.decode()
