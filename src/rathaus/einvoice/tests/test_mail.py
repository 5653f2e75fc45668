"""E-mail intake: each attachment an invoice through ``invoice_receive``; bad mail gets a clear answer."""

import sys
from email.message import EmailMessage
from io import BytesIO, StringIO

import pytest
from django.core import mail as django_mail
from django.core.management import call_command

from rathaus.domain.einvoice.tests.pdfs import factur_x
from rathaus.einvoice import mail
from rathaus.einvoice.models import InboundInvoice

pytestmark = pytest.mark.django_db

SENDER = "buchhaltung@lieferant.example"


def message(*attachments: tuple[str, bytes, str], sender: str = SENDER, **headers: str) -> bytes:
    msg = EmailMessage()
    msg["From"] = f"Buchhaltung <{sender}>"
    msg["To"] = "rechnungseingang@bremen.example"
    msg["Subject"] = "Rechnung"
    msg["Message-ID"] = f"<{id(attachments)}-{len(attachments)}@lieferant.example>"
    for key, value in headers.items():
        msg[key.replace("_", "-")] = value
    msg.set_content("Anbei unsere Rechnung.")
    for name, content, mime in attachments:
        maintype, subtype = mime.split("/")
        msg.add_attachment(content, maintype=maintype, subtype=subtype, filename=name)
    return msg.as_bytes()


def sent_to(address: str) -> list:
    return [m for m in django_mail.outbox if address in m.to]


@pytest.fixture
def commit(django_capture_on_commit_callbacks):
    """Run on-commit callbacks (the e-mails) as a real commit would."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


def test_xml_and_pdf_attachments_are_received_and_each_gets_a_notice(ubl, cii, office, commit):
    raw = message(
        ("rechnung.xml", ubl, "application/xml"), ("rechnung.pdf", factur_x(cii), "application/pdf")
    )
    with commit():
        outcome = mail.process_message(raw)
    assert [a.status for a in outcome.attachments] == ["accepted", "rejected"]  # the PDF is the same invoice
    assert InboundInvoice.objects.get(pk=outcome.attachments[1].invoice_id).rejection_rules == ["DUPLICATE"]
    invoices = InboundInvoice.objects.filter(channel=InboundInvoice.Channel.EMAIL)
    assert invoices.count() == 2
    assert {i.notice_email for i in invoices} == {SENDER}
    # one workflow notice per stored invoice, no extra answer for the message
    subjects = sorted(m.subject for m in sent_to(SENDER))
    assert len(subjects) == 2
    assert any("eingegangen" in s for s in subjects) and any("abgelehnt" in s for s in subjects)


def test_message_without_attachment_is_answered(commit):
    """Tried: an invoice pasted into the text, no attachment."""
    with commit():
        outcome = mail.process_message(message())
    assert "keinen Anhang" in outcome.refusal
    (answer,) = sent_to(SENDER)
    assert "keinen Anhang" in answer.body
    assert not InboundInvoice.objects.exists()


def test_ten_attachments_are_refused_as_a_whole(ubl, commit):
    """Tried: ten invoices in one e-mail; none is processed and the sender is asked to split."""
    raw = message(*[(f"r{i}.xml", ubl, "application/xml") for i in range(10)])
    with commit():
        outcome = mail.process_message(raw)
    assert "10 Anhänge" in outcome.refusal
    assert not InboundInvoice.objects.exists()
    (answer,) = sent_to(SENDER)
    assert f"höchstens {mail.MAX_INVOICES}" in answer.body


def test_non_invoice_attachment_is_answered_and_the_invoice_beside_it_still_received(ubl, office, commit):
    """Tried: a Word file and a photo next to a valid invoice."""
    raw = message(
        ("angebot.docx", b"PK\x03\x04 not an invoice", "application/octet-stream"),
        ("foto.jpg", b"\xff\xd8\xff\xe0 jpeg", "image/jpeg"),
        ("rechnung.xml", ubl, "application/xml"),
    )
    with commit():
        outcome = mail.process_message(raw)
    assert [a.status for a in outcome.attachments] == ["not_an_invoice", "not_an_invoice", "accepted"]
    answers = {m.subject: m.body for m in sent_to(SENDER)}
    unprocessed = answers["E-Rechnung nicht verarbeitet"]
    assert "angebot.docx" in unprocessed and "foto.jpg" in unprocessed and "rechnung.xml" not in unprocessed


def test_automatic_mail_is_processed_but_never_answered(ubl, office, commit):
    """Tried: an auto-reply (RFC 3834) carrying an invoice; no answer, no notice address (no mail loop)."""
    with commit():
        outcome = mail.process_message(message(("r.xml", ubl, "text/xml"), Auto_Submitted="auto-replied"))
    assert outcome.attachments[0].status == "accepted"
    assert InboundInvoice.objects.get().notice_email == ""
    assert not django_mail.outbox


def test_known_organisation_address_makes_it_the_sender(ubl, office, supplier, commit):
    supplier.email = SENDER
    supplier.save()
    mail.process_message(message(("r.xml", ubl, "application/xml")))
    assert InboundInvoice.objects.get().sender == supplier.organisation


@pytest.mark.parametrize(
    "raw",
    [
        b"",
        b"\x00\xff\xfe garbage",
        b"From: <>\r\n\r\n",
        b"Content-Type: multipart/mixed; boundary=x\r\n\r\n--x\r\n",
    ],
    ids=["empty", "binary", "no-sender", "broken-multipart"],
)
def test_malformed_messages_do_not_crash(raw):
    """Tried: empty input, binary noise, no sender, an unterminated multipart."""
    outcome = mail.process_message(raw)
    assert outcome.refusal
    assert not outcome.answered or outcome.sender


def test_maildir_batch_keeps_going_past_bad_messages(tmp_path, ubl, cii, office, commit):
    """A Maildir with good and bad messages: every good invoice is received, all messages move to cur/."""
    maildir = tmp_path / "Maildir"
    for folder in ("new", "cur", "tmp"):
        (maildir / folder).mkdir(parents=True)
    (maildir / "new" / "1.a").write_bytes(message(("a.xml", ubl, "application/xml")))
    (maildir / "new" / "2.b").write_bytes(b"\x00 not a message at all")
    (maildir / "new" / "3.c").write_bytes(
        message(*[(f"r{i}.xml", cii, "application/xml") for i in range(10)])
    )
    other = cii.replace(b"1234/78/901", b"1234/78/902")  # BT-1 only: another invoice, still valid
    (maildir / "new" / "4.d").write_bytes(message(("b.pdf", factur_x(other), "application/pdf")))
    out = StringIO()
    with commit():
        call_command("einvoice", "mail", "--maildir", str(maildir), stdout=out)
    assert "4 Nachrichten verarbeitet – Rechnungen angenommen: 2, abgelehnt: 0" in out.getvalue()
    assert InboundInvoice.objects.filter(status="accepted").count() == 2
    assert not list((maildir / "new").iterdir())
    assert sorted(p.name for p in (maildir / "cur").iterdir()) == ["1.a:2,S", "2.b:2,S", "3.c:2,S", "4.d:2,S"]


def test_stdin_pipe_receives_one_message(monkeypatch, ubl, office):
    raw = message(("rechnung.xml", ubl, "application/xml"))
    monkeypatch.setattr(sys, "stdin", type("Stdin", (), {"buffer": BytesIO(raw)})())
    out = StringIO()
    call_command("einvoice", "mail", "--stdin", stdout=out)
    assert '"status": "accepted"' in out.getvalue()
    assert InboundInvoice.objects.get().channel == InboundInvoice.Channel.EMAIL


class FakeImap:
    """Stands in for a logged-in ``imaplib.IMAP4`` (the standard library's client, not our code)."""

    def __init__(self, messages: dict[bytes, bytes]) -> None:
        self.messages = messages
        self.seen: set[bytes] = set()

    def select(self, folder):
        return "OK", [str(len(self.messages)).encode()]

    def uid(self, command, *args):
        if command == "SEARCH":
            return "OK", [b" ".join(u for u in self.messages if u not in self.seen)]
        if command == "FETCH":
            return "OK", [(b"1 (UID " + args[0] + b" BODY[] {n}", self.messages[args[0]]), b")"]
        if command == "STORE":
            self.seen.add(args[0])
            return "OK", [b""]
        raise AssertionError(command)


def test_imap_poll_uses_the_same_path_and_marks_messages_seen(ubl, office, commit):
    """Tried: one good message and one without attachment; both processed once, then seen."""
    client = FakeImap({b"7": message(("r.xml", ubl, "application/xml")), b"8": message()})
    with commit():
        summary = mail.process_imap(client)
    assert (summary.messages, summary.accepted, summary.refused) == (2, 1, 1)
    assert client.seen == {b"7", b"8"}
    assert InboundInvoice.objects.get().channel == InboundInvoice.Channel.EMAIL
    assert mail.process_imap(client).messages == 0  # nothing unseen left
