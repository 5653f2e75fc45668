import datetime
from decimal import Decimal

import pytest
from django.db.models import Sum

from rathaus.domain.payments import xbezahldienste as xb
from rathaus.kernel.exceptions import Conflict, InvalidInput, PermissionDenied
from rathaus.payments import conf, sandbox, services
from rathaus.payments.models import Claim, NotificationEvent, Payment, Posting, Refund

from .factories import make_citizen, make_staff, setup_payments

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture
def offices():
    return setup_payments()


def ledger_ok(claim: Claim) -> None:
    """Invariants: the ledger sums to zero and the claim's receivable equals its open amount."""
    assert Posting.objects.aggregate(s=Sum("amount"))["s"] == 0
    receivable = Posting.objects.filter(claim=claim, account="receivable").aggregate(s=Sum("amount"))["s"]
    claim.refresh_from_db()
    assert receivable == claim.open_amount
    held = Posting.objects.filter(claim=claim, account="suspense").aggregate(s=Sum("amount"))["s"] or 0
    assert -held == claim.held_total


def make_claim(offices, **kw):
    return services.claim_create(
        office=offices["geo"],
        purpose="Auszug",
        debtor_name="Jana Meyer",
        tariff_key="liegenschaftskarte-auszug",
        **kw,
    )


def test_fee_version_depends_on_the_date(offices):
    _, old = services.fee_quote(key="liegenschaftskarte-auszug", on=datetime.date(2025, 6, 1))
    _, new = services.fee_quote(key="liegenschaftskarte-auszug", on=datetime.date(2026, 6, 1))
    assert (old.amount, new.amount) == (D("18.00"), D("20.00"))
    _, reduced = services.fee_quote(
        key="liegenschaftskarte-auszug", on=datetime.date(2026, 6, 1), reductions=["gemeinnuetzig"]
    )
    assert reduced.amount == D("10.00")


def test_claim_gets_a_valid_unique_kassenzeichen_and_a_ledger_entry(offices):
    first, second = make_claim(offices), make_claim(offices)
    assert first.kassenzeichen != second.kassenzeichen
    assert first.amount == D("20.00") and first.status == Claim.Status.OPEN
    assert any("Rechtsgrundlage" in line for line in first.fee_lines)
    ledger_ok(first)


@pytest.mark.parametrize("amount", [D("0"), D("-5.00")])
def test_zero_and_negative_claims_are_refused(offices, amount):
    """Bad input: a claim over 0,00 € and over −5,00 €."""
    with pytest.raises(InvalidInput):
        services.claim_create(office=offices["cash"], purpose="x", debtor_name="y", amount=amount)
    assert not Claim.objects.exists()


def test_exempt_fee_creates_no_claim(offices):
    """Bad input: a fully exempt fee (100 % reduction) would be a zero claim."""
    with pytest.raises(InvalidInput):
        make_claim(offices, reductions=["behoerde"])


def _pay(claim, mode="normal", approve=True):
    payment = services.payment_start(claim=claim, by=None)
    sandbox.transaction_decide(transaction_id=payment.transaction_id, approve=approve, mode=mode)
    return payment


def test_sandbox_payment_settles_the_claim(offices, django_capture_on_commit_callbacks):
    claim = make_claim(offices)
    payment = _pay(claim)
    payment.refresh_from_db()
    assert payment.status == "PAYED"
    ledger_ok(claim)
    assert claim.status == Claim.Status.PAID
    assert NotificationEvent.objects.get().outcome == "applied"


@pytest.mark.parametrize("mode", ["duplicate", "out_of_order"])
def test_duplicate_and_out_of_order_notifications_book_once(offices, mode):
    claim = make_claim(offices)
    payment = _pay(claim, mode=mode)
    payment.refresh_from_db()
    assert payment.status == "PAYED"
    assert claim.payments.get().amount == D("20.00")
    ledger_ok(claim)
    assert claim.paid_total == D("20.00")
    assert Posting.objects.filter(entry__kind="online_payment").count() == 2


def test_late_notification_after_the_redirect_is_ignored(offices):
    """Bad input: the notification arrives after the status was pulled on the redirect."""
    claim = make_claim(offices)
    payment = _pay(claim, mode="late")
    services.payment_refresh(payment=payment)  # the redirect pulls PAYED
    assert sandbox.deliver_pending() == 1
    assert NotificationEvent.objects.get().outcome == "ignored"
    ledger_ok(claim)
    assert claim.paid_total == D("20.00")


def test_notification_before_the_redirect_then_pull_books_once(offices):
    claim = make_claim(offices)
    payment = _pay(claim)
    services.payment_refresh(payment=payment)
    ledger_ok(claim)
    assert claim.paid_total == D("20.00")


def _note(payment, **overrides):
    data = {"eventId": "evt-1", "transactionId": payment.transaction_id, "status": "PAYED",
            "grossAmount": f"{payment.amount:.2f}", "currency": "EUR", **overrides}  # fmt: skip
    import json

    body = json.dumps(data).encode()
    return body, xb.sign(body, conf.notification_secret())


def test_bad_signature_is_refused_and_nothing_is_stored(offices):
    """Bad input: a notification signed with another secret."""
    payment = services.payment_start(claim=make_claim(offices), by=None)
    body, _ = _note(payment)
    with pytest.raises(PermissionDenied):
        services.notification_receive(body=body, signature=xb.sign(body, b"wrong"))
    assert not NotificationEvent.objects.exists()


@pytest.mark.parametrize("overrides", [{"grossAmount": "19.99"}, {"currency": "CHF"}])
def test_amount_or_currency_mismatch_is_not_booked(offices, overrides):
    """Bad input: a PAYED notification with a different amount, and one in CHF."""
    claim = make_claim(offices)
    payment = services.payment_start(claim=claim, by=None)
    body, signature = _note(payment, **overrides)
    event = services.notification_receive(body=body, signature=signature)
    assert event.outcome == "mismatch"
    payment.refresh_from_db()
    assert payment.status == "INITIAL"
    ledger_ok(claim)
    assert claim.paid_total == 0


def test_unknown_transaction_and_duplicate_event(offices):
    """Bad input: a notification for a transaction nobody started, sent twice."""
    payment = services.payment_start(claim=make_claim(offices), by=None)
    body, signature = _note(payment, transactionId="unknown")
    first = services.notification_receive(body=body, signature=signature)
    second = services.notification_receive(body=body, signature=signature)
    assert first.outcome == "unknown" and second.pk == first.pk
    assert NotificationEvent.objects.count() == 1


def test_malformed_notification_is_refused(offices):
    """Bad input: a signed body that is not a notification."""
    body = b'{"eventId": "x"}'
    with pytest.raises(InvalidInput):
        services.notification_receive(body=body, signature=xb.sign(body, conf.notification_secret()))


def test_paying_a_paid_claim_is_refused(offices):
    """Bad input: starting an online payment for a claim already paid."""
    claim = make_claim(offices)
    _pay(claim)
    claim.refresh_from_db()
    with pytest.raises(services.ClaimAlreadyPaid):
        services.payment_start(claim=claim, by=None)


def test_declined_payment_leaves_the_claim_open(offices):
    claim = make_claim(offices)
    payment = _pay(claim, approve=False)
    payment.refresh_from_db()
    assert payment.status == "CANCELED"
    ledger_ok(claim)
    assert claim.status == Claim.Status.OPEN


def test_refunds_need_four_eyes_and_cannot_be_duplicated(offices):
    claim = make_claim(offices)
    _pay(claim)
    claim.refresh_from_db()
    clerk, other = make_staff(offices["cash"]), make_staff(offices["cash"])
    partial = services.refund_request(
        claim=claim, amount=D("5.00"), reason="Teilstorno", by=clerk, request_key="k1"
    )
    again = services.refund_request(
        claim=claim, amount=D("5.00"), reason="Teilstorno", by=clerk, request_key="k1"
    )
    assert again.pk == partial.pk
    with pytest.raises(PermissionDenied):
        services.refund_decide(refund=partial, approve=True, by=clerk)
    services.refund_decide(refund=partial, approve=True, by=other)
    services.refund_decide(refund=partial, approve=True, by=other)  # a second click pays nothing
    ledger_ok(claim)
    assert claim.refunded_total == D("5.00") and claim.status == Claim.Status.PAID
    with pytest.raises(InvalidInput):
        services.refund_request(claim=claim, amount=D("15.01"), reason="zu viel", by=clerk, request_key="k2")
    rest = services.refund_request(
        claim=claim, amount=D("15.00"), reason="Storno", by=clerk, request_key="k3"
    )
    services.refund_decide(refund=rest, approve=True, by=other)
    ledger_ok(claim)
    assert claim.status == Claim.Status.REFUNDED
    assert Refund.objects.filter(status=Refund.Status.EXECUTED).count() == 2


def test_cancel_only_without_payments(offices):
    claim = make_claim(offices)
    services.claim_cancel(claim=claim, reason="Antrag zurückgenommen", by=None)
    ledger_ok(claim)
    assert claim.status == Claim.Status.CANCELLED and claim.open_amount == 0
    paid = make_claim(offices)
    _pay(paid)
    with pytest.raises(Conflict):
        services.claim_cancel(claim=paid, reason="zu spät", by=None)


def test_citizen_claim_is_linked(offices):
    citizen = make_citizen()
    claim = make_claim(offices, debtor=citizen)
    assert claim.debtor == citizen
    assert Payment.objects.count() == 0
