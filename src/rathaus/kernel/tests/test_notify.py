"""Citizen postbox and e-mail notices: content stays in the postbox, foreign access is audited."""

import pytest
from django.core import mail

from rathaus.kernel import audit, blobs, notify
from rathaus.kernel.exceptions import NotFound, PermissionDenied
from rathaus.kernel.models import AuditEntry, TaskRun


@pytest.fixture
def citizen(make_user):
    return make_user("citizen", email="anna@example.org")


@pytest.fixture
def other(make_user):
    return make_user("citizen", email="bert@example.org")


def send(recipient, **overrides):
    arguments = {
        "recipient": recipient,
        "subject": "Ihr Bescheid über Wohngeld",
        "body": "Sehr geehrte Frau A., Ihr Wohngeld beträgt 312,00 € monatlich.",
        "sender_label": "Wohngeldstelle Bremen",
    }
    return notify.postbox_send(**(arguments | overrides))


@pytest.mark.django_db
def test_sending_stores_message_audits_and_emails_only_a_notice(citizen, django_capture_on_commit_callbacks):
    """The e-mail says a message is waiting, never its subject or content."""
    # when
    with django_capture_on_commit_callbacks(execute=True):
        message = send(citizen)
    # then
    assert list(notify.postbox_messages(user=citizen)) == [message]
    entry = AuditEntry.objects.get(action="postbox.message_sent")
    assert (entry.actor_type, entry.actor_label) == ("authority", "Wohngeldstelle Bremen")
    assert entry.target_id == str(message.pk)
    assert len(mail.outbox) == 1
    email = mail.outbox[0]
    assert email.to == ["anna@example.org"]
    assert email.subject == notify.NOTICE_SUBJECT
    assert "Wohngeld" not in email.subject + email.body and "312" not in email.body
    assert TaskRun.objects.get(key=f"postbox-notice:{message.pk}").status == TaskRun.Status.SUCCEEDED


@pytest.mark.django_db
def test_no_email_when_not_wanted_or_no_address(make_user, django_capture_on_commit_callbacks):
    """notify_by_email=False, or a recipient without address, sends nothing."""
    without_address = make_user(email="")
    with django_capture_on_commit_callbacks(execute=True):
        send(without_address)
        send(make_user(), notify_by_email=False)
    assert mail.outbox == []


@pytest.mark.django_db
def test_nothing_is_sent_when_the_transaction_rolls_back(citizen, django_capture_on_commit_callbacks):
    """The notice is sent on commit only."""
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        send(citizen)
    assert mail.outbox == [] and len(callbacks) == 1


@pytest.mark.django_db
def test_unread_count_and_opening_marks_read(citizen):
    """Opening a message marks it read once; the unread count drops."""
    first, second = send(citizen), send(citizen, subject="Zweite Nachricht")
    assert notify.postbox_unread_count(user=citizen) == 2
    opened = notify.postbox_message_open(user=citizen, message_id=first.pk)
    assert opened.is_read
    notify.postbox_message_open(user=citizen, message_id=first.pk)
    assert notify.postbox_unread_count(user=citizen) == 1
    assert AuditEntry.objects.filter(action="postbox.message_read").count() == 1
    assert not type(second).objects.get(pk=second.pk).is_read


@pytest.mark.django_db
def test_foreign_message_is_not_found_and_audited(citizen, other):
    """Another citizen's message: 404-style NotFound and an access.denied entry."""
    message = send(citizen)
    with pytest.raises(NotFound) as error:
        notify.postbox_message_open(user=other, message_id=message.pk)
    assert error.value.http_status == 404
    denied = audit.entries_for_target("kernel.postboxmessage", message.pk).get(action="access.denied")
    assert (denied.actor_id, denied.details) == (str(other.pk), {"reason": "foreign"})
    assert not type(message).objects.get(pk=message.pk).is_read


@pytest.mark.django_db
def test_missing_message_is_not_found_and_audited(citizen):
    """A message id that does not exist looks the same as a foreign one, and is logged."""
    with pytest.raises(NotFound):
        notify.postbox_message_open(user=citizen, message_id=999_999)
    assert AuditEntry.objects.get(action="access.denied").details == {"reason": "missing"}


@pytest.mark.django_db
def test_attachments_open_for_the_recipient_only(citizen, other):
    """The attachment's blob is reachable through its own message by its recipient only."""
    blob = blobs.store(content=b"%PDF-1.7\n%%EOF\n", filename="bescheid.pdf")
    message = send(citizen, attachments=[("Bescheid.pdf", blob)])
    attachment = message.attachments.get()
    opened = notify.postbox_attachment_open(user=citizen, message_id=message.pk, attachment_id=attachment.pk)
    assert blobs.read_bytes(opened.blob).startswith(b"%PDF")
    with pytest.raises(NotFound):
        notify.postbox_attachment_open(user=other, message_id=message.pk, attachment_id=attachment.pk)
    with pytest.raises(NotFound):
        notify.postbox_attachment_open(user=citizen, message_id=message.pk + 1, attachment_id=attachment.pk)
    assert AuditEntry.objects.filter(action="access.denied").count() == 2
    assert notify.postbox_messages(user=citizen).get().attachment_count == 1


@pytest.mark.django_db
def test_only_the_recipient_marks_read(citizen, other):
    """Someone else cannot mark the message read."""
    message = send(citizen)
    with pytest.raises(PermissionDenied):
        notify.postbox_mark_read(message=message, by=other)


@pytest.mark.django_db
def test_subject_and_sender_are_required(citizen):
    """An empty subject or sender is a programming error, nothing is stored."""
    with pytest.raises(ValueError):
        send(citizen, subject="  ")
    with pytest.raises(ValueError):
        send(citizen, sender_label="")
    assert not notify.postbox_messages(user=citizen).exists()


@pytest.mark.django_db
def test_latest_messages_and_unread_count_in_one_query(citizen, other, django_assert_num_queries):
    """The newest messages with their attachment counts, as postbox_messages lists them, and the
    unread count of the whole postbox; another recipient's messages count for nothing."""
    blob = blobs.store(content=b"%PDF-1.7\n%%EOF\n", filename="bescheid.pdf")
    sent = [send(citizen, subject=f"Nachricht {n}") for n in range(4)]
    send(citizen, subject="Mit Anhängen", attachments=[("a.pdf", blob), ("b.pdf", blob)])
    send(other, subject="Fremd")
    notify.postbox_mark_read(message=sent[3], by=citizen)
    with django_assert_num_queries(1):
        latest, unread = notify.postbox_latest(user=citizen, limit=3)
    expected = list(notify.postbox_messages(user=citizen)[:3])
    assert [m.pk for m in latest] == [m.pk for m in expected]
    assert [m.attachment_count for m in latest] == [m.attachment_count for m in expected] == [2, 0, 0]
    assert latest[0].created_at == expected[0].created_at and latest[1].read_at is not None
    assert unread == notify.postbox_unread_count(user=citizen) == 4
    assert notify.postbox_latest(user=other, limit=3)[1] == 1


@pytest.mark.django_db
def test_latest_of_an_empty_postbox(citizen):
    assert notify.postbox_latest(user=citizen, limit=5) == ([], 0)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "link",
    [("https://evil.example/antworten", "Antworten"), ("//evil.example/", "Antworten"), ("/antrag/", " ")],
)
def test_a_message_links_only_to_a_page_of_this_site_with_a_label(citizen, link):
    with pytest.raises(ValueError, match="path of this site"):
        send(citizen, link=link)
    assert not notify.postbox_messages(user=citizen).exists()


@pytest.mark.django_db
def test_a_message_keeps_its_link_to_the_page_it_asks_for(citizen):
    message = send(citizen, link=("/antrag/123/", "Rückfrage beantworten"))
    message.refresh_from_db()
    assert (message.link_url, message.link_label) == ("/antrag/123/", "Rückfrage beantworten")
