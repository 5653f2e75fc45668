"""The fulfilment registry (decision 0093): a product registers itself, a paid claim is delivered
once by a retried background task, a failure is shown to the cash office in German and can be
tried again, and a paid claim whose product no app registered is shown, not lost."""

from dataclasses import dataclass, field
from decimal import Decimal

import pytest
from django.urls import reverse

from rathaus.kernel.audit import AuditEntry
from rathaus.kernel.exceptions import Conflict, InvalidInput, RathausError
from rathaus.kernel.tasks import TaskRun
from rathaus.payments import camt, conf, products, reconcile, sandbox, selectors, services, tasks
from rathaus.payments.models import BankCredit, Claim, Fulfilment
from rathaus.payments.types import Product

from .factories import citizen_login, make_citizen, make_staff, setup_payments, staff_login

pytestmark = pytest.mark.django_db
D = Decimal
KEY = "test.urkunde"


class ServiceDown(RathausError):
    default_code = "test_service_down"
    default_message = "Der Urkundendienst antwortet nicht."


@dataclass
class FakeProduct:
    """A product that records its deliveries and fails ``failures`` times first."""

    delivered: list[int] = field(default_factory=list)
    attempts: list[int] = field(default_factory=list)
    failures: int = 0
    error: Exception = field(default_factory=ServiceDown)

    def fulfil(self, *, claim_id: int) -> None:
        self.attempts.append(claim_id)
        if self.failures:
            self.failures -= 1
            raise self.error
        if claim_id not in self.delivered:
            self.delivered.append(claim_id)

    def page(self, *, claim_id: int) -> str:
        return f"/urkunde/{claim_id}/"

    def register(self) -> None:
        services.product_register(Product(key=KEY, title="Testurkunde", fulfil=self.fulfil, page=self.page))


@pytest.fixture
def offices():
    return setup_payments()


@pytest.fixture
def product():
    registered = FakeProduct()
    registered.register()
    yield registered
    products.unregister(KEY)


def _claim(offices, **kw) -> Claim:
    return services.claim_create(
        office=offices["cash"], purpose="Urkunde", debtor_name="Jana Meyer", amount=D("10.00"), **kw
    )


def _pay_online(claim: Claim, mode: str = "normal") -> None:
    payment = services.payment_start(claim=claim, by=None)
    sandbox.transaction_decide(transaction_id=payment.transaction_id, approve=True, mode=mode)
    services.payment_refresh(payment=payment)


def _statement(message_id: str, credit: camt.OutCredit) -> bytes:
    return camt.write_camt053(iban=conf.payee_iban(), message_id=message_id, credits=[credit])


def _fulfilment(claim: Claim) -> Fulfilment:
    return Fulfilment.objects.get(claim=claim)


def test_a_paid_claim_of_a_registered_product_is_delivered_once(
    offices, product, django_capture_on_commit_callbacks
):
    # given a claim naming the product, and a plain fee
    claim = _claim(offices, product=KEY)
    plain = _claim(offices)
    # when both are paid, with the notification sent twice and the status pulled as well
    with django_capture_on_commit_callbacks(execute=True):
        _pay_online(claim, mode="duplicate")
        _pay_online(plain)
    # then the product delivered the claim once, and nothing for the plain fee
    assert product.delivered == product.attempts == [claim.pk]
    fulfilment = _fulfilment(claim)
    assert (fulfilment.status, fulfilment.attempts, fulfilment.error) == (Fulfilment.Status.DONE, 1, "")
    assert fulfilment.done_at is not None
    assert not Fulfilment.objects.filter(claim=plain).exists()
    assert TaskRun.objects.get(key=f"fulfil:{claim.pk}").status == TaskRun.Status.SUCCEEDED
    assert selectors.fulfilments_to_check() == []


def test_a_claim_paid_by_bank_transfer_is_delivered_once_also_when_paid_again(
    offices, product, django_capture_on_commit_callbacks
):
    claim = _claim(offices, product=KEY)
    credit = camt.OutCredit(amount=D("10.00"), remittance=f"KZ {claim.kassenzeichen}")
    with django_capture_on_commit_callbacks(execute=True):
        reconcile.import_camt(data=_statement("A", credit), filename="a.xml")
    assert product.delivered == [claim.pk]
    # an overpayment in the next statement: the claim stays paid, nothing is delivered twice
    again = camt.OutCredit(amount=D("10.00"), remittance=f"KZ {claim.kassenzeichen}", reference="B-1")
    with django_capture_on_commit_callbacks(execute=True):
        reconcile.import_camt(data=_statement("B", again), filename="b.xml")
    assert product.attempts == [claim.pk]


def test_a_manually_assigned_credit_delivers_the_claim(offices, product, django_capture_on_commit_callbacks):
    clerk = make_staff(offices["cash"])
    claim = _claim(offices, product=KEY)
    credit = camt.OutCredit(amount=D("10.00"), remittance="Urkunde, Nummer vergessen")
    reconcile.import_camt(data=_statement("M", credit), filename="m.xml")
    assert product.attempts == []
    with django_capture_on_commit_callbacks(execute=True):
        reconcile.credit_assign(credit=BankCredit.objects.get(), claim=claim, by=clerk)
    assert product.delivered == [claim.pk]


def test_a_failing_delivery_is_retried_then_shown_to_the_cash_office_who_try_again(
    client, offices, product, django_capture_on_commit_callbacks
):
    # given a product that fails more often than the task is retried
    product.failures = tasks.RETRIES + 1 + 1
    claim = _claim(offices, product=KEY)
    # when the claim is paid
    with django_capture_on_commit_callbacks(execute=True):
        _pay_online(claim)
    # then every try was made, the payment stays booked, and the failure is recorded in German
    assert product.attempts == [claim.pk] * (tasks.RETRIES + 1) and product.delivered == []
    claim.refresh_from_db()
    assert claim.status == Claim.Status.PAID
    fulfilment = _fulfilment(claim)
    assert fulfilment.status == Fulfilment.Status.FAILED
    assert fulfilment.attempts == tasks.RETRIES + 1
    assert fulfilment.error == "Der Urkundendienst antwortet nicht."
    assert TaskRun.objects.get(key=f"fulfil:{claim.pk}").status == TaskRun.Status.FAILED
    failed = AuditEntry.objects.get(action="payments.fulfilment_failed")
    assert failed.details["kassenzeichen"] == claim.kassenzeichen
    # and the cash office sees it: a notice on the dashboard, the error on the list
    clerk = make_staff(offices["cash"])
    staff_login(client, clerk)
    dashboard = client.get(reverse("payments:staff")).content.decode()
    assert "1 bezahlte Forderung wurde nicht bereitgestellt" in dashboard
    page = client.get(reverse("payments:staff-fulfilments")).content.decode()
    assert claim.display_kassenzeichen in page and "Testurkunde" in page
    assert "Der Urkundendienst antwortet nicht." in page and "Erneut versuchen" in page
    claim_page = client.get(reverse("payments:staff-claim", args=[claim.kassenzeichen])).content.decode()
    assert "Bereitstellung" in claim_page and "Der Urkundendienst antwortet nicht." in claim_page
    # when the cause is gone (one more failure, then it works) and a clerk tries again
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("payments:staff-fulfilments"), {"kassenzeichen": claim.kassenzeichen})
    # then it is delivered after a retry of its own, audited, and the list is empty
    assert response.status_code == 302
    assert product.delivered == [claim.pk]
    assert _fulfilment(claim).status == Fulfilment.Status.DONE
    retried = AuditEntry.objects.get(action="payments.fulfilment_retried")
    assert retried.actor_id == str(clerk.pk) and retried.details["previous_error"] == failed.details["error"]
    assert (
        "Alle bezahlten Forderungen sind bereitgestellt."
        in client.get(reverse("payments:staff-fulfilments")).content.decode()
    )


def test_a_paid_claim_whose_product_is_not_registered_is_shown_not_lost(
    offices, product, django_capture_on_commit_callbacks
):
    # given a claim of a product whose app is no longer installed
    claim = _claim(offices, product=KEY)
    products.unregister(KEY)
    # when it is paid
    with django_capture_on_commit_callbacks(execute=True):
        _pay_online(claim)
    # then it fails at once (trying again cannot help) and is on the cash office's list
    fulfilment = _fulfilment(claim)
    assert fulfilment.status == Fulfilment.Status.FAILED and fulfilment.attempts == 1
    assert "Für das Produkt „test.urkunde“ ist keine Bereitstellung eingerichtet" in fulfilment.error
    [row] = selectors.fulfilments_to_check()
    assert (row.fulfilment, row.product, row.may_retry) == (fulfilment, KEY, True)
    # when the app is back and the cash office tries again, it is delivered
    product.register()
    with django_capture_on_commit_callbacks(execute=True):
        services.fulfilment_retry(claim=claim, by=make_staff(offices["cash"]))
    assert product.delivered == [claim.pk]
    assert _fulfilment(claim).status == Fulfilment.Status.DONE


def test_a_technical_error_reads_as_german_without_its_details(
    offices, product, django_capture_on_commit_callbacks
):
    product.failures, product.error = 99, KeyError("secret internal detail")
    claim = _claim(offices, product=KEY)
    with django_capture_on_commit_callbacks(execute=True):
        _pay_online(claim)
    error = _fulfilment(claim).error
    assert error == "Technischer Fehler (KeyError); die Einzelheiten stehen im Protokoll."


def test_a_delivery_under_way_cannot_be_started_twice(offices, product):
    claim = _claim(offices, product=KEY)
    clerk = make_staff(offices["cash"])
    _pay_online(claim)  # outside an on-commit capture: the task is not enqueued yet
    fulfilment = _fulfilment(claim)
    assert fulfilment.status == Fulfilment.Status.PENDING
    TaskRun.objects.create(
        key=f"fulfil:{claim.pk}", task_path=tasks.claim_fulfil.module_path, max_attempts=4, backoff_seconds=60
    )
    with pytest.raises(Conflict):
        services.fulfilment_retry(claim=claim, by=clerk)
    assert AuditEntry.objects.filter(action="payments.fulfilment_retried").count() == 0


def test_a_pending_delivery_whose_task_was_lost_can_be_started_again(
    offices, product, django_capture_on_commit_callbacks
):
    """A process that died between the payment's commit and the enqueue leaves a pending
    fulfilment without a task; the cash office can start it."""
    claim = _claim(offices, product=KEY)
    _pay_online(claim)  # the on-commit enqueue never runs here
    assert _fulfilment(claim).status == Fulfilment.Status.PENDING and product.attempts == []
    with django_capture_on_commit_callbacks(execute=True):
        services.fulfilment_retry(claim=claim, by=make_staff(offices["cash"]))
    assert product.delivered == [claim.pk]


def test_claim_for_an_unknown_product_is_refused(offices):
    with pytest.raises(InvalidInput) as refused:
        _claim(offices, product="gibt.es.nicht")
    assert refused.value.code == "product" and not Claim.objects.exists()


def test_the_payer_is_led_to_the_products_page(client, offices, product, django_capture_on_commit_callbacks):
    citizen = make_citizen()
    claim = _claim(offices, product=KEY, debtor=citizen)
    citizen_login(client, citizen)
    assert (
        f'href="/urkunde/{claim.pk}/"'
        in client.get(reverse("payments:claim", args=[claim.kassenzeichen])).content.decode()
    )
    payment = services.payment_start(claim=claim, by=citizen)
    with django_capture_on_commit_callbacks(execute=True):
        sandbox.transaction_decide(transaction_id=payment.transaction_id, approve=True)
    back = client.get(reverse("payments:return", args=[payment.request_id]))
    assert (back.status_code, back.url) == (302, f"/urkunde/{claim.pk}/")


def test_only_the_cash_office_sees_and_retries_deliveries(client, offices, product):
    claim = _claim(offices, product=KEY)
    staff_login(client, make_staff(offices["geo"]))
    assert client.get(reverse("payments:staff-fulfilments")).status_code == 404
    response = client.post(reverse("payments:staff-fulfilments"), {"kassenzeichen": claim.kassenzeichen})
    assert response.status_code == 404


def test_a_product_key_is_registered_once():
    from django.core.exceptions import ImproperlyConfigured

    first = FakeProduct()
    first.register()
    try:
        first.register()  # a second ready(): the same product, nothing changes
        with pytest.raises(ImproperlyConfigured):
            FakeProduct().register()
    finally:
        products.unregister(KEY)
