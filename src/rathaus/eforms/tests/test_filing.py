"""The submit answers once the application is validated, hashed and stored; the PDF, the receipt
and the case with every document follow in one keyed background task (docs/decisions/0116)."""

import io
from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse

from rathaus.efile.models import Case
from rathaus.eforms import services
from rathaus.eforms.models import Application
from rathaus.kernel import blobs
from rathaus.kernel.models import PostboxMessage, TaskRun
from rathaus.kernel.tasks import retry_run, task_lines
from rathaus.payments.models import FeeTariff

from .conftest import LEIKA
from .test_journey import _complete, _documents, _start

DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
PENDING = "wird der zuständigen Stelle zugestellt"


@pytest.fixture
def deferred_fee(trade_office):
    FeeTariff.objects.filter(service_key=LEIKA).update(payment_policy="deferred")


def _worker(capture) -> None:
    """``rathaus worker --until-empty``, twice: a task enqueues others when its transaction
    commits (which the test's transaction only simulates)."""
    for _ in range(2):
        out = StringIO()
        out._out = out  # rich writes to ._out of Django's OutputWrapper
        with capture(execute=True):
            call_command("worker", "--until-empty", "--timeout=60", stdout=out, stderr=StringIO())


def _submit(client, application):
    summary = reverse("eforms:summary", args=[application.public_id])
    assert client.post(summary).status_code == 302
    assert client.post(summary).status_code == 302  # a double click
    application.refresh_from_db()
    return application


def _expected(application):
    return sorted(
        [
            f"Online-Antrag {application.reference}",
            "Antragsdaten (maschinenlesbar)",
            "XGewerbeanzeige-Nachricht",
            "erlaubnis.pdf",
        ]
    )


@pytest.mark.django_db(transaction=True)  # the worker closes its connections, as in production
def test_the_submit_answers_before_filing_and_the_worker_files_one_case_with_every_document(
    client, citizen, deferred_fee, trade_office, settings, django_capture_on_commit_callbacks
):
    settings.TASKS = DATABASE_TASKS
    application = _start(client)
    _complete(client, application)
    application = _submit(client, application)
    # the answer came before the PDF, the receipt and the case
    assert application.status == Application.Status.SUBMITTED and application.sha256
    assert application.case_id is None and application.pdf is None and application.awaits_filing
    assert not Case.objects.exists() and not PostboxMessage.objects.filter(recipient=citizen).exists()
    [run] = TaskRun.objects.filter(key=services.after_submit_key(application.pk, "submitted"))
    assert run.status == TaskRun.Status.PENDING
    page = client.get(reverse("eforms:application", args=[application.public_id])).content.decode()
    assert PENDING in page and application.reference in page
    assert PENDING in client.get(reverse("eforms:mine")).content.decode()

    _worker(django_capture_on_commit_callbacks)

    application.refresh_from_db()
    case = Case.objects.get()
    assert application.case_id == case.pk and case.office == trade_office and case.source == "eforms"
    assert _documents(case) == _expected(application)
    [receipt] = PostboxMessage.objects.filter(recipient=citizen)
    assert receipt.subject.startswith("Eingangsbestätigung") and receipt.attachments.count() == 1
    page = client.get(reverse("eforms:application", args=[application.public_id])).content.decode()
    assert PENDING not in page and "Eingegangen, in Bearbeitung" in page
    run.refresh_from_db()
    assert run.status == TaskRun.Status.SUCCEEDED
    # the task run again (a retry after a lost worker) files nothing and sends nothing twice
    services.application_deliver(application_id=application.pk)
    assert Case.objects.count() == 1 and PostboxMessage.objects.filter(recipient=citizen).count() == 1


def test_a_failed_filing_leaves_no_half_case_is_listed_for_operators_and_files_once_when_retried(
    client, citizen, deferred_fee
):
    application = _start(client)
    _complete(client, application)
    attachment = application.attachments.select_related("blob").get()
    storage = blobs._storage()
    path = blobs._blob_path(attachment.blob.sha256)
    with storage.open(path, "rb") as handle:
        sealed = handle.read()
    storage.delete(path)  # the attachment cannot be read: the filing fails after case and PDF
    application = _submit(client, application)  # tests run the task at once, with its retries
    assert application.status == Application.Status.SUBMITTED and application.case_id is None
    assert application.pdf is not None  # the receipt went out before the filing failed
    assert not Case.objects.exists()  # the case, the PDF and the data of the failed attempts rolled back
    run = TaskRun.objects.get(key=services.after_submit_key(application.pk, "submitted"))
    assert run.status == TaskRun.Status.FAILED and run.attempts == 6
    assert any(line.key == run.key for line in task_lines())  # ``rathaus tasks`` lists it
    page = client.get(reverse("eforms:application", args=[application.public_id])).content.decode()
    assert PENDING in page  # nothing lost: still submitted, still on its way

    storage.save(path, io.BytesIO(sealed))
    retry_run(run)

    application.refresh_from_db()
    case = Case.objects.get()
    assert application.case_id == case.pk and _documents(case) == _expected(application)
    assert PostboxMessage.objects.filter(recipient=citizen).count() == 1
    assert TaskRun.objects.get(pk=run.pk).status == TaskRun.Status.SUCCEEDED


def test_a_submission_altered_after_its_hash_is_never_filed(client, citizen, deferred_fee, settings):
    settings.TASKS = DATABASE_TASKS
    application = _start(client)
    _complete(client, application)
    application = _submit(client, application)
    Application.objects.filter(pk=application.pk).update(data={"betriebsname": "Anders"})
    with pytest.raises(services.SubmissionAltered):
        services.application_deliver(application_id=application.pk)
    assert not Case.objects.exists()
    assert services.application_deliver(application_id=application.pk + 1000) is None


@pytest.mark.django_db(transaction=True)
def test_paying_first_the_task_sends_the_receipt_and_files_the_case_once_the_fee_is_paid(
    client, citizen, trade_office, settings, django_capture_on_commit_callbacks
):
    settings.TASKS = DATABASE_TASKS
    application = _start(client)  # the Gewerbeanmeldung's fee must be paid first ("mandatory")
    _complete(client, application)
    application = _submit(client, application)
    assert application.status == Application.Status.AWAITING_PAYMENT and application.pdf is None
    _worker(django_capture_on_commit_callbacks)
    # the receipt with the payment request, and no case while the fee is unpaid
    application.refresh_from_db()
    assert application.pdf is not None and application.case_id is None and not Case.objects.exists()
    [receipt] = PostboxMessage.objects.filter(recipient=citizen)
    assert "Bitte bezahlen Sie die Gebühr von 20,00" in receipt.body
    # when the citizen pays in the sandbox and the workers run
    pay = client.post(reverse("payments:pay", args=[application.claim.kassenzeichen]))
    client.post(pay.url, {"mode": "normal", "decision": "approve"})
    _worker(django_capture_on_commit_callbacks)
    # then one case with every document, filed by the task enqueued once paid
    application.refresh_from_db()
    case = Case.objects.get()
    assert application.status == Application.Status.SUBMITTED and application.case_id == case.pk
    assert _documents(case) == _expected(application)
    paid = TaskRun.objects.get(key=services.after_submit_key(application.pk, "paid"))
    assert paid.status == TaskRun.Status.SUCCEEDED
    assert (
        PostboxMessage.objects.filter(recipient=citizen, subject__startswith="Eingangsbestätigung").count()
        == 1
    )
    page = client.get(reverse("eforms:application", args=[application.public_id])).content.decode()
    assert PENDING not in page and "Eingegangen, in Bearbeitung" in page
