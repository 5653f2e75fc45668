"""The same answer sent twice at the same moment, and two clerks deciding at once
(PostgreSQL: real parallel transactions; SQLite serialises the whole database)."""

import datetime
import io
import threading

import pytest
from django.db import connection
from django.utils import timezone

from rathaus.efile.models import Document
from rathaus.efile.tests.factories import make_case, make_office, make_staff
from rathaus.eforms import services
from rathaus.eforms.models import Application, InformationRequest
from rathaus.kernel.exceptions import Conflict
from rathaus.kernel.models import PostboxMessage
from rathaus.kernel.pdf import text_pdf
from rathaus.payments.tests.factories import make_citizen

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _postgresql_only():
    if connection.vendor != "postgresql":
        pytest.skip("parallel write transactions need PostgreSQL")


def _world():
    office = make_office(name="Ordnungsamt Bremen")
    clerks = [make_staff(office), make_staff(office)]
    case = make_case(office, subject="Gewerbeanmeldung – Ada Deich (OA-2026-0000001)", source="eforms")
    application = Application.objects.create(
        form_id="gewerbeanmeldung", form_version=1, leika_key="99050012104000", title="Gewerbeanmeldung",
        applicant=make_citizen("Ada"), status=Application.Status.SUBMITTED, reference="OA-2026-0000001",
        office=office, case_id=case.pk, submitted_at=timezone.now(),
    )  # fmt: skip
    return case, application, clerks


def _race(*calls):
    barrier = threading.Barrier(len(calls))
    outcomes: list[str] = []

    def run(call):
        try:
            barrier.wait(timeout=10)
            call()
            outcomes.append("ok")
        except Conflict as exc:
            outcomes.append(exc.code)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(call,)) for call in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return sorted(outcomes)


def test_an_answer_sent_twice_at_once_is_filed_once():
    case, application, clerks = _world()
    request = services.information_request_create(
        application=application, case=case, text="Bitte die Erlaubnis nachreichen.",
        deadline=timezone.localdate() + datetime.timedelta(days=14), by=clerks[0],
    )  # fmt: skip

    def answer():
        upload = io.BytesIO(text_pdf("Erlaubnis nach § 34c GewO"))
        upload.name = "erlaubnis.pdf"
        services.information_request_answer(
            application=application, request_id=request.pk, text="Anbei.", files=[upload],
            by=application.applicant,
        )  # fmt: skip

    assert _race(answer, answer) == ["ok", "request_answered"]
    assert Document.objects.filter(case=case, title="Nachgereicht: erlaubnis.pdf").count() == 1
    assert InformationRequest.objects.get().answered_at is not None


def test_two_clerks_deciding_at_once_issue_one_bescheid():
    case, application, clerks = _world()

    def decide(clerk, outcome):
        return lambda: services.application_decide(
            application=application, case=case, outcome=outcome, text="Begründung.", by=clerk
        )

    assert _race(decide(clerks[0], "approve"), decide(clerks[1], "reject")) == ["decided", "ok"]
    assert Document.objects.filter(case=case, direction=Document.Direction.OUTGOING).count() == 1
    assert PostboxMessage.objects.filter(subject__startswith="Bescheid").count() == 1
    application.refresh_from_db()
    assert application.is_decided
