"""E-mail and the citizen postbox (Postfach) in the portal.

Content goes into the postbox only. An e-mail merely says that a new message is waiting:
e-mail is not confidential enough for administrative content (Art. 32 DSGVO), and the
citizen reads the message after logging in. E-mails are sent after the transaction
commits, by a retried background task.

A citizen asking for a message or attachment that is not theirs gets ``NotFound`` (as if
it did not exist), and an ``access.denied`` audit entry is written first.

Public API: services ``postbox_send``, ``postbox_mark_read``; selectors
``postbox_messages``, ``postbox_unread_count``, ``postbox_latest``, ``postbox_message_open``,
``postbox_attachment_open``; task ``send_postbox_notice``; ``business_email_send`` (e-mail with
content to suppliers and other business partners, never to citizens); models ``PostboxMessage``,
``PostboxAttachment``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.mail import send_mail
from django.db import models, transaction
from django.utils import timezone

from . import audit
from .exceptions import NotFound, PermissionDenied
from .models import Blob, PostboxAttachment, PostboxMessage
from .tasks import enqueue_once, rathaus_task

if TYPE_CHECKING:
    from rathaus.accounts.types import User

__all__ = [
    "PostboxAttachment",
    "PostboxMessage",
    "business_email_send",
    "postbox_attachment_open",
    "postbox_latest",
    "postbox_mark_read",
    "postbox_message_open",
    "postbox_messages",
    "postbox_send",
    "postbox_unread_count",
    "send_postbox_notice",
]

NOTICE_SUBJECT = "Neue Nachricht in Ihrem Postfach"
NOTICE_BODY = (
    "Guten Tag,\n\n"
    "in Ihrem Postfach im Serviceportal liegt eine neue Nachricht für Sie.\n"
    "Zum Schutz Ihrer Daten steht der Inhalt nicht in dieser E-Mail. Bitte melden Sie sich "
    "im Serviceportal an, um die Nachricht zu lesen.\n\n"
    "Diese E-Mail wurde automatisch versandt; bitte antworten Sie nicht darauf.\n"
)


@rathaus_task(retries=5, backoff_seconds=60)
def send_postbox_notice(*, message_id: int) -> None:
    """E-mail the recipient that a message is waiting (never its subject or content)."""
    message = PostboxMessage.objects.select_related("recipient").get(pk=message_id)
    address = message.recipient.email
    if not address:
        return
    send_mail(NOTICE_SUBJECT, NOTICE_BODY, settings.DEFAULT_FROM_EMAIL, [address], fail_silently=False)


@rathaus_task(retries=5, backoff_seconds=60)
def send_business_email(*, to: str, subject: str, body: str) -> None:
    """Send one e-mail with its content (see ``business_email_send``)."""
    send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [to], fail_silently=False)


def business_email_send(*, to: str, subject: str, body: str, key: str) -> None:
    """E-mail a business partner (a supplier, not a citizen) after the transaction commits.

    For correspondence without personal data of citizens, e.g. an e-invoice's receipt or
    rejection notice to the supplier's accounting. Sent once per ``key`` by the retried task;
    nothing is sent when the transaction rolls back.
    """
    if not to:
        return
    transaction.on_commit(
        lambda: enqueue_once(send_business_email, key=key, to=to, subject=subject[:200], body=body)
    )


@transaction.atomic
def postbox_send(
    *,
    recipient: User,
    subject: str,
    body: str,
    sender_label: str,
    attachments: Sequence[tuple[str, Blob]] = (),
    notify_by_email: bool = True,
    sent_by: User | None = None,
    link: tuple[str, str] | None = None,
) -> PostboxMessage:
    """Put a message (with attachments already stored as blobs) into ``recipient``'s postbox.

    ``sender_label`` is the office shown as sender ("Bürgeramt Mitte"); ``sent_by`` the
    staff user who sent it, if any (audit actor; otherwise the office as authority).
    ``link`` is (path, label) of a portal page the message asks the recipient to open, shown
    as a button under the text; only a path of this site ("/…"), never another address.
    """
    subject, sender_label = subject.strip(), sender_label.strip()
    if not subject:
        raise ValueError("subject is required")
    if not sender_label:
        raise ValueError("sender_label is required")
    link_url, link_label = link or ("", "")
    if link_url and (not link_url.startswith("/") or link_url.startswith("//") or not link_label.strip()):
        raise ValueError("link must be a path of this site with a label")
    message = PostboxMessage.objects.create(
        recipient=recipient,
        subject=subject[:200],
        body=body,
        sender_label=sender_label[:200],
        link_url=link_url[:300],
        link_label=link_label.strip()[:100],
    )
    for filename, blob in attachments:
        PostboxAttachment.objects.create(message=message, filename=filename[:255], blob=blob)
    audit.record(
        actor=sent_by if sent_by is not None else audit.Actor.authority(sender_label),
        action="postbox.message_sent",
        target=message,
        details={
            "recipient": recipient.pk,
            "sender_label": sender_label,
            "attachments": [blob.sha256 for _, blob in attachments],
            "email_notice": bool(notify_by_email),
        },
    )
    if notify_by_email:
        transaction.on_commit(
            lambda: enqueue_once(
                send_postbox_notice, key=f"postbox-notice:{message.pk}", message_id=message.pk
            )
        )
    return message


@transaction.atomic
def postbox_mark_read(*, message: PostboxMessage, by: User) -> PostboxMessage:
    """Mark ``message`` as read by its recipient (only the recipient may)."""
    if message.recipient_id != by.pk:
        raise PermissionDenied(
            "Nur die Empfängerin oder der Empfänger kann die Nachricht als gelesen markieren."
        )
    if message.read_at is None:
        message.read_at = timezone.now()
        message.save(update_fields=["read_at"])
        audit.record(actor=by, action="postbox.message_read", target=message)
    return message


def postbox_messages(*, user: User) -> models.QuerySet[PostboxMessage]:
    """The user's messages, newest first, with attachment counts ready."""
    return (
        PostboxMessage.objects.filter(recipient=user)
        .annotate(attachment_count=models.Count("attachments"))
        .order_by("-created_at", "-id")
    )


def postbox_unread_count(*, user: User) -> int:
    return PostboxMessage.objects.filter(recipient=user, read_at__isnull=True).count()


# The newest messages with their attachment counts and the user's unread count, in one statement:
# "Mein Konto" reads it on every visit, and built with the ORM it cost ten times its run time.
_LATEST_SQL = """
SELECT m.*,
       (SELECT COUNT(*) FROM kernel_postboxattachment a WHERE a.message_id = m.id) AS attachment_count,
       (SELECT COUNT(*) FROM kernel_postboxmessage u
        WHERE u.recipient_id = %(user)s AND u.read_at IS NULL) AS unread_count
FROM kernel_postboxmessage m
WHERE m.recipient_id = %(user)s
ORDER BY m.created_at DESC, m.id DESC
LIMIT %(limit)s
"""


def postbox_latest(*, user: User, limit: int) -> tuple[list[PostboxMessage], int]:
    """The user's ``limit`` newest messages (with ``attachment_count``, as ``postbox_messages``)
    and how many of all their messages are unread, in one query (an empty postbox has none)."""
    latest = list(PostboxMessage.objects.raw(_LATEST_SQL, {"user": user.pk, "limit": limit}))
    return latest, (latest[0].__dict__["unread_count"] if latest else 0)


def _denied(user: User, target_type: str, target_id: object, reason: str) -> NotFound:
    # Written outside any transaction of ours, so raising afterwards does not roll it back.
    audit.record_denied(actor=user, target_type=target_type, target_id=target_id, reason=reason)
    return NotFound("Diese Nachricht gibt es nicht in Ihrem Postfach.", code="postbox_message_not_found")


def postbox_message_open(*, user: User, message_id: int) -> PostboxMessage:
    """The user's message ``message_id``, marked read; ``NotFound`` (audited) otherwise."""
    message = PostboxMessage.objects.filter(pk=message_id, recipient=user).first()
    if message is None:
        exists = PostboxMessage.objects.filter(pk=message_id).exists()
        raise _denied(user, "kernel.postboxmessage", message_id, "foreign" if exists else "missing")
    return postbox_mark_read(message=message, by=user)


def postbox_attachment_open(*, user: User, message_id: int, attachment_id: int) -> PostboxAttachment:
    """The attachment (with its blob) if it belongs to the user's message; ``NotFound`` otherwise."""
    attachment = (
        PostboxAttachment.objects.select_related("blob", "message")
        .filter(pk=attachment_id, message_id=message_id, message__recipient=user)
        .first()
    )
    if attachment is None:
        exists = PostboxAttachment.objects.filter(pk=attachment_id, message_id=message_id).exists()
        raise _denied(user, "kernel.postboxattachment", attachment_id, "foreign" if exists else "missing")
    audit.record(actor=user, action="postbox.attachment_opened", target=attachment)
    return attachment
