"""E-mail intake: every attachment of a message is one e-invoice, received through ``invoice_receive``.

Sources: a Maildir (``rathaus einvoice mail --maildir DIR``, new messages in ``new/``, moved to ``cur/``
with the *seen* flag when done) or one RFC 5322 message on stdin (``--stdin``, for a mail server's
pipe transport). Every attachment that becomes an invoice gets the supplier notice of the workflow
(accepted with the receipt number, or rejected with the broken rules in plain words) at the
message's address; what becomes no invoice (a refused message, a non-invoice attachment) is
answered once per message. Both go through ``kernel.notify.business_email_send``.

Limits and refusals, each answered in plain language, none of them stopping the batch:
* a message without an attachment, or with more than ``MAX_INVOICES`` attachments (nothing is
  processed then: the sender is asked to split the message);
* an attachment that is neither XML nor PDF (e.g. a Word file or a photo) is not processed;
* a message over ``MAX_MESSAGE_BYTES`` is not parsed.
Auto-replies, bounces and mailing-list mail (RFC 3834 ``Auto-Submitted``, ``Precedence``, an empty
return path) are processed but never answered, so two robots cannot answer each other forever.
The answer goes to the message's ``From`` address, which is not authenticated: it says only what
was received and why it was refused, nothing a third party could not already know. A ``From``
address that belongs to an organisation login makes that organisation the sender of the invoice.

Public surface: ``process_message``, ``process_maildir``, ``MailOutcome``, ``MaildirSummary``.
"""

from __future__ import annotations

import email
import email.policy
import logging
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import parseaddr
from pathlib import Path
from typing import Any

from django.db import transaction

from rathaus.accounts import selectors as account_selectors
from rathaus.accounts.types import User
from rathaus.domain.einvoice import is_pdf
from rathaus.kernel import notify
from rathaus.kernel.exceptions import InvalidInput

from . import display, services
from .models import InboundInvoice

logger = logging.getLogger(__name__)

MAX_INVOICES = 5
#: 15 MB of invoice, base64-encoded (4/3), plus headers and text.
MAX_MESSAGE_BYTES = 25 * 1024 * 1024


@dataclass
class AttachmentOutcome:
    filename: str
    status: str  # accepted | rejected | not_an_invoice
    invoice_id: int | None = None
    message: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {
            "filename": self.filename,
            "status": self.status,
            "invoice_id": self.invoice_id,
            "message": self.message,
        }


@dataclass
class MailOutcome:
    sender: str
    subject: str
    refusal: str = ""  # set when no attachment was processed at all
    attachments: list[AttachmentOutcome] = field(default_factory=list)
    answered: bool = False

    def as_dict(self) -> dict[str, Any]:
        return {
            "sender": self.sender,
            "refusal": self.refusal,
            "answered": self.answered,
            "attachments": [a.as_dict() for a in self.attachments],
        }


@dataclass
class MaildirSummary:
    messages: int = 0
    accepted: int = 0
    rejected: int = 0
    refused: int = 0
    failed: int = 0

    def count(self, outcome: MailOutcome) -> None:
        """Add one processed message: refused as a whole, or its attachments accepted or rejected."""
        if outcome.refusal:
            self.refused += 1
        self.accepted += sum(1 for a in outcome.attachments if a.status == "accepted")
        self.rejected += sum(1 for a in outcome.attachments if a.status != "accepted")


def _is_automatic(message: EmailMessage) -> bool:
    auto = str(message.get("Auto-Submitted", "no")).strip().lower()
    precedence = str(message.get("Precedence", "")).strip().lower()
    return_path = str(message.get("Return-Path", "")).strip()
    return auto != "no" or precedence in {"bulk", "list", "junk"} or return_path == "<>"


def _attachments(message: EmailMessage) -> list[tuple[str, bytes]]:
    """(file name, bytes) of every attached file; a part without a file name counts if it is XML or PDF."""
    found = []
    for part in message.walk():
        if part.is_multipart():
            continue
        filename = part.get_filename()
        disposition = part.get_content_disposition()
        content_type = part.get_content_type()
        is_document = content_type in {"application/xml", "text/xml", "application/pdf"}
        if not filename and not (disposition == "attachment" or is_document):
            continue  # the message text itself
        payload = part.get_payload(decode=True)
        content = payload if isinstance(payload, bytes) else b""
        found.append((filename or f"anhang-{len(found) + 1}", content))
    return found


def _looks_like_invoice(content: bytes) -> bool:
    head = content[:1024].lstrip(b"\xef\xbb\xbf \t\r\n")
    return (
        head.startswith(b"<")
        or head.startswith(b"\xff\xfe")
        or head.startswith(b"\xfe\xff")
        or is_pdf(content)
    )


def _receive(filename: str, content: bytes, user: User | None, notice_email: str) -> AttachmentOutcome:
    if not content:
        return AttachmentOutcome(filename, "not_an_invoice", message="Der Anhang ist leer.")
    if not _looks_like_invoice(content):
        return AttachmentOutcome(
            filename,
            "not_an_invoice",
            message="Der Anhang ist weder eine XML-Datei (XRechnung) noch eine PDF-Datei (ZUGFeRD/Factur-X) "
            "und wurde nicht verarbeitet.",
        )
    try:
        invoice = services.invoice_receive(
            content=content,
            sender=user.organisation if user is not None else None,
            channel=InboundInvoice.Channel.EMAIL,
            submitted_by=user,
            notice_email=notice_email,
        )
    except InvalidInput as exc:  # too large or empty: refused without storing
        return AttachmentOutcome(filename, "rejected", message=str(exc))
    if invoice.status == InboundInvoice.Status.ACCEPTED:
        office = invoice.office.name if invoice.office else ""
        return AttachmentOutcome(
            filename,
            "accepted",
            invoice.pk,
            f"Rechnung {invoice.invoice_number} angenommen, Eingangsnummer {invoice.pk}, "
            f"Leitweg-ID {invoice.leitweg_id}, Empfänger: {office}.",
        )
    return AttachmentOutcome(filename, "rejected", invoice.pk, _rejection_text(invoice))


def _rejection_text(invoice: InboundInvoice) -> str:
    findings = [f for f in invoice.validation_report.get("findings", []) if f.get("severity") == "error"]
    lines = [
        f"Abgelehnt (Eingangsnummer {invoice.pk}). Verletzte Regeln: {', '.join(invoice.rejection_rules)}."
    ]
    if findings:
        lines += [
            f"  - {display.finding_message(f.get('message', ''))} (Regel {f.get('rule')})"
            for f in findings[:10]
        ]
        if len(findings) > 10:
            lines.append(f"  … und {len(findings) - 10} weitere Meldungen.")
    else:
        lines.append(f"  {invoice.rejection_reason}")
    return "\n".join(lines)


def _answer(outcome: MailOutcome, key: str) -> None:
    """Answer what no invoice notice covers: a refused message, or attachments that became no invoice.

    Every stored invoice (accepted or rejected) gets its own notice from the workflow
    (``notify_supplier``, to ``notice_email``); answering it here as well would say it twice.
    """
    unprocessed = [a for a in outcome.attachments if a.invoice_id is None]
    if not outcome.refusal and not unprocessed:
        return
    subject = "E-Rechnung nicht verarbeitet"
    if outcome.refusal:
        body = outcome.refusal
    else:
        body = "\n\n".join(f"Anhang „{a.filename}“:\n{a.message}" for a in unprocessed)
        if len(unprocessed) < len(outcome.attachments):
            body += "\n\nZu den übrigen Anhängen erhalten Sie je Rechnung eine eigene Nachricht."
    text = (
        "Guten Tag,\n\n"
        f"zu Ihrer E-Mail „{outcome.subject or '(ohne Betreff)'}“:\n\n{body}\n\n"
        "Was angenommen wird: eine XRechnung (XML, UBL oder CII) oder eine ZUGFeRD-/Factur-X-PDF-Datei "
        "mit eingebetteter Rechnung, als Anhang, höchstens "
        f"{MAX_INVOICES} Rechnungen je E-Mail und 15 MB je Rechnung.\n\n"
        "Diese E-Mail wurde automatisch versandt.\n"
    )
    with transaction.atomic():
        notify.business_email_send(to=outcome.sender, subject=subject, body=text, key=key)
    outcome.answered = True


def process_message(raw: bytes, *, key: str = "", oversized: bool = False) -> MailOutcome:
    """Receive every invoice attached to one RFC 5322 message and answer the sender.

    ``key`` makes the answer idempotent (one answer per key); it defaults to the Message-ID.
    ``oversized`` says that ``raw`` is only the start of a message over the limit.
    Raises only for internal errors (database), never for a malformed message.
    """
    if oversized or len(raw) > MAX_MESSAGE_BYTES:
        # Do not parse it; the sender may still be read from the first bytes' headers.
        message = email.message_from_bytes(raw[: 64 * 1024], policy=email.policy.default)
        too_large = True
    else:
        message = email.message_from_bytes(raw, policy=email.policy.default)
        too_large = False
    assert isinstance(message, EmailMessage)
    sender = parseaddr(str(message.get("Reply-To") or message.get("From") or ""))[1]
    subject = " ".join(str(message.get("Subject", "")).split())[:200]
    outcome = MailOutcome(sender=sender, subject=subject)
    automatic = _is_automatic(message)
    key = key or f"einvoice-mail:{str(message.get('Message-ID', '')).strip()[:150] or id(raw)}"
    if too_large:
        outcome.refusal = (
            f"Die E-Mail ist größer als {MAX_MESSAGE_BYTES // 2**20} MB und wurde nicht verarbeitet. "
            "Bitte senden Sie jede Rechnung einzeln (höchstens 15 MB je Rechnung)."
        )
    else:
        files = _attachments(message)
        if not files:
            outcome.refusal = (
                "Die E-Mail hat keinen Anhang. Bitte hängen Sie die E-Rechnung als Datei an; eine "
                "Rechnung im Text der E-Mail kann nicht verarbeitet werden."
            )
        elif len(files) > MAX_INVOICES:
            outcome.refusal = (
                f"Die E-Mail hat {len(files)} Anhänge; je E-Mail werden höchstens {MAX_INVOICES} Rechnungen "
                "angenommen. Es wurde keine davon verarbeitet. Bitte verteilen Sie die Rechnungen auf "
                "mehrere E-Mails."
            )
        else:
            user = account_selectors.organisation_user_by_email(sender)
            notice_email = "" if automatic else sender
            outcome.attachments = [_receive(name, content, user, notice_email) for name, content in files]
    if sender and not automatic:
        _answer(outcome, key[:200])
    return outcome


def process_maildir(maildir: Path, *, advance: Callable[[], None] = lambda: None) -> MaildirSummary:
    """Process every message in ``maildir/new``; a message that fails stays there for the next run."""
    summary = MaildirSummary()
    new, cur = Path(maildir) / "new", Path(maildir) / "cur"
    cur.mkdir(exist_ok=True)
    for path in sorted(new.iterdir()):
        if not path.is_file() or path.name.startswith("."):
            continue
        summary.messages += 1
        try:
            oversized = path.stat().st_size > MAX_MESSAGE_BYTES
            with path.open("rb") as handle:
                raw = handle.read(64 * 1024 if oversized else MAX_MESSAGE_BYTES)
            outcome = process_message(raw, key=f"einvoice-maildir:{path.name}"[:200], oversized=oversized)
        except Exception:  # one broken message must not stop the batch or lose the others
            logger.exception("E-Mail %s konnte nicht verarbeitet werden", path.name)
            summary.failed += 1
            advance()
            continue
        summary.count(outcome)
        os.replace(path, cur / f"{path.name.split(':')[0]}:2,S")
        advance()
    return summary


def process_imap(
    client: Any, *, folder: str = "INBOX", advance: Callable[[], None] = lambda: None
) -> MaildirSummary:
    """Process every unseen message in ``folder`` of a logged-in ``imaplib.IMAP4`` client.

    The same path as the Maildir: each message through ``process_message`` (answer key per UID, so
    a re-run after a crash answers nothing twice), then flagged ``\\Seen``. A message that fails
    internally stays unseen for the next poll.
    """
    summary = MaildirSummary()
    status, _ = client.select(folder)
    if status != "OK":
        raise OSError(f"IMAP-Ordner {folder} nicht lesbar")
    status, data = client.uid("SEARCH", None, "UNSEEN")
    uids = data[0].split() if status == "OK" and data and data[0] else []
    for uid in uids:
        summary.messages += 1
        try:
            status, parts = client.uid("FETCH", uid, "(BODY.PEEK[])")
            raw = next((p[1] for p in parts if isinstance(p, tuple) and len(p) > 1), b"")
            outcome = process_message(
                raw[: MAX_MESSAGE_BYTES + 1],
                key=f"einvoice-imap:{folder}:{uid.decode()}"[:200],
                oversized=len(raw) > MAX_MESSAGE_BYTES,
            )
        except Exception:  # one broken message must not stop the poll or lose the others
            logger.exception("IMAP-Nachricht %s konnte nicht verarbeitet werden", uid)
            summary.failed += 1
            advance()
            continue
        summary.count(outcome)
        client.uid("STORE", uid, "+FLAGS", "(\\Seen)")
        advance()
    return summary
