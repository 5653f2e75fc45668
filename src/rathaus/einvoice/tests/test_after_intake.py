"""The intake answers once the invoice is validated, stored and routed; filing in the E-Akte and
the supplier's notice follow in one keyed background task (``einvoice.tasks``)."""

from io import StringIO

import pytest
from django.core import mail
from django.core.management import call_command

from rathaus.efile.models import Case
from rathaus.einvoice.models import InboundInvoice
from rathaus.einvoice.services import invoice_receive
from rathaus.einvoice.tasks import after_intake_key, after_intake_run
from rathaus.kernel.models import TaskRun

DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


@pytest.fixture
def database_queue(settings):
    settings.TASKS = DATABASE_TASKS


@pytest.fixture
def supplier_with_address(supplier):
    supplier.email = "buchhaltung@buerobedarf-nord.example"
    supplier.save(update_fields=["email"])
    return supplier


def _worker(capture) -> None:
    """``rathaus worker --until-empty``, twice: the follow-up task enqueues the e-mail task when
    its transaction commits (which the test's transaction only simulates)."""
    for _ in range(2):
        out = StringIO()
        out._out = out  # rich writes to ._out of Django's OutputWrapper
        with capture(execute=True):
            call_command("worker", "--until-empty", "--timeout=60", stdout=out, stderr=StringIO())


def _receive(content: bytes, supplier) -> InboundInvoice:
    invoice = invoice_receive(
        content=content, sender=supplier.organisation, channel="api", submitted_by=supplier
    )
    invoice.refresh_from_db()
    return invoice


@pytest.mark.django_db(transaction=True)  # the worker closes its connections, as in production
def test_accepted_invoice_is_filed_by_the_worker_not_in_the_request(
    database_queue, ubl, office, supplier_with_address, django_capture_on_commit_callbacks
):
    invoice = _receive(ubl, supplier_with_address)
    assert invoice.status == InboundInvoice.Status.ACCEPTED and invoice.office == office
    assert invoice.case_id is None  # not yet: the request did not wait for the E-Akte
    assert TaskRun.objects.filter(key=after_intake_key(invoice.pk)).count() == 1
    assert mail.outbox == []

    _worker(django_capture_on_commit_callbacks)

    invoice.refresh_from_db()
    assert invoice.case is not None and invoice.case.office == office
    assert invoice.invoice_number in invoice.case.subject
    assert [message.to for message in mail.outbox] == [["buchhaltung@buerobedarf-nord.example"]]
    assert TaskRun.objects.get(key=after_intake_key(invoice.pk)).status == TaskRun.Status.SUCCEEDED


@pytest.mark.django_db(transaction=True)
def test_rejected_invoice_gets_its_notice_and_no_case(
    database_queue, ubl, office, supplier_with_address, django_capture_on_commit_callbacks
):
    invoice = _receive(ubl.replace(b"04011000-12348-91", b"04011000-12348-00"), supplier_with_address)
    assert invoice.status == InboundInvoice.Status.REJECTED
    _worker(django_capture_on_commit_callbacks)
    invoice.refresh_from_db()
    assert invoice.case_id is None and Case.objects.count() == 0
    assert len(mail.outbox) == 1 and "abgelehnt" in (mail.outbox[0].subject + mail.outbox[0].body).lower()


def test_the_follow_up_run_again_files_once_and_sends_once(
    ubl, office, supplier_with_address, django_capture_on_commit_callbacks
):
    """Tests run tasks at once, inside the intake; a second run (a retry after a lost worker) adds nothing."""
    with django_capture_on_commit_callbacks(execute=True):
        invoice = _receive(ubl, supplier_with_address)
    assert invoice.case_id is not None and len(mail.outbox) == 1
    with django_capture_on_commit_callbacks(execute=True):
        after_intake_run(invoice_id=invoice.pk)
        after_intake_run(invoice_id=invoice.pk + 1000)  # gone (rolled back): nothing to do
    assert Case.objects.count() == 1
    assert len(mail.outbox) == 1


def test_filing_an_invoice_someone_else_filed_meanwhile_adds_no_second_case(ubl, office, supplier):
    """The task and a clerk's "Jetzt ablegen" may both hold the invoice unfiled: the row decides."""
    from rathaus.einvoice import workflow

    invoice = _receive(ubl, supplier)  # tests run the follow-up at once: filed
    stale = InboundInvoice.objects.get(pk=invoice.pk)
    stale.case_id = None  # as another process read it before the filing committed
    again = workflow.invoice_file(invoice=stale)
    assert again.case_id == invoice.case_id
    assert Case.objects.count() == 1
