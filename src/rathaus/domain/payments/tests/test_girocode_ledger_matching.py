from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from rathaus.domain.payments import ledger
from rathaus.domain.payments.girocode import GiroCodeError, epc_payload, iban_valid
from rathaus.domain.payments.kassenzeichen import Kassenzeichen
from rathaus.domain.payments.matching import match_credit
from rathaus.domain.payments.xbezahldienste import (
    MessageError,
    parse_notification,
    sign,
    status_may_follow,
    verify_signature,
)

D = Decimal
IBAN = "DE89370400440532013000"  # the well-known valid example IBAN


def test_epc_payload_fields():
    payload = epc_payload(name="Landeshauptkasse Bremen", iban=IBAN, amount=D("18.00"), remittance="KZ 1")
    assert payload.split("\n") == [
        "BCD", "002", "1", "SCT", "", "Landeshauptkasse Bremen", IBAN, "EUR18.00", "", "", "KZ 1",
    ]  # fmt: skip


@pytest.mark.parametrize(
    "amount,iban",
    [(D("0"), IBAN), (D("-5.00"), IBAN), (D("1.005"), IBAN), (D("1.00"), "DE89370400440532013001")],
)
def test_epc_payload_refuses_bad_amounts_and_ibans(amount, iban):
    """Bad input: zero, negative, sub-cent amounts and an IBAN with a wrong check."""
    with pytest.raises(GiroCodeError):
        epc_payload(name="Kasse", iban=iban, amount=amount, remittance="x")


def test_iban_check():
    assert iban_valid(IBAN) and not iban_valid("DE00370400440532013000")


def kz(serial):
    return str(Kassenzeichen.build(year=2026, serial=serial))


def test_match_exact_partial_over_and_already_paid():
    open_amounts = {kz(1): D("18.00"), kz(2): D("0.00")}
    assert (
        match_credit(
            remittance=f"KZ {kz(1)}", amount=D("18.00"), currency="EUR", open_amounts=open_amounts
        ).amount_check
        == "full"
    )
    assert (
        match_credit(
            remittance=kz(1), amount=D("10.00"), currency="EUR", open_amounts=open_amounts
        ).amount_check
        == "partial"
    )
    assert (
        match_credit(
            remittance=kz(1), amount=D("20.00"), currency="EUR", open_amounts=open_amounts
        ).amount_check
        == "over"
    )
    paid = match_credit(remittance=kz(2), amount=D("5.00"), currency="EUR", open_amounts=open_amounts)
    assert paid.amount_check == "already_paid"


def test_match_corrects_a_typo_and_refuses_other_currency():
    """Bad input: a transposed Kassenzeichen, and a credit in CHF."""
    good = kz(4711)
    typo = good[:6] + good[7] + good[6] + good[8:]
    assert typo != good
    result = match_credit(
        remittance=f"kz{typo}", amount=D("1.00"), currency="EUR", open_amounts={good: D("1.00")}
    )
    assert result.how == "corrected" and result.kassenzeichen == good
    assert (
        match_credit(remittance=good, amount=D("1"), currency="CHF", open_amounts={good: D("1")}).how
        == "currency"
    )


def test_unknown_reference_goes_to_manual_queue():
    assert match_credit(remittance="Miete Mai", amount=D("1"), currency="EUR", open_amounts={}).how == "none"


amounts = st.decimals(min_value=D("0.01"), max_value=D("100000"), places=2)


@given(claim=amounts, paid=amounts, refund_part=st.integers(min_value=1, max_value=100))
def test_ledger_always_balances(claim, paid, refund_part):
    """Invariant: claim → payment (maybe over) → refund keeps every entry and the whole ledger at zero."""
    lines = ledger.postings_for_claim(claim_id=1, amount=claim)
    lines += ledger.postings_for_payment(claim_id=1, amount=paid, open_amount=claim, via="bank")
    over = max(paid - claim, D("0.00"))
    refund = max((paid * refund_part / 100).quantize(D("0.01")), D("0.01"))
    lines += ledger.postings_for_refund(claim_id=1, amount=refund, via="bank", from_suspense=over)
    assert sum(p.amount for p in lines) == 0
    balances = ledger.balance(lines)
    assert balances.get(("receivable", 1), D(0)) == max(claim - paid, D(0))


def test_ledger_refuses_zero_and_negative():
    """Bad input: booking zero and negative amounts."""
    for amount in (D("0.00"), D("-1.00")):
        with pytest.raises(ledger.LedgerError):
            ledger.postings_for_claim(claim_id=1, amount=amount)


def test_notification_signature_and_shape():
    body = b'{"eventId":"e1","transactionId":"t1","status":"PAYED","grossAmount":"18.00","currency":"EUR"}'
    signature = sign(body, b"secret")
    assert verify_signature(body, signature, b"secret")
    assert not verify_signature(body + b" ", signature, b"secret")
    assert not verify_signature(body, "sha256=00", b"secret")
    assert parse_notification(body).amount == D("18.00")
    with pytest.raises(MessageError):
        parse_notification(b"[1,2]")
    with pytest.raises(MessageError):
        parse_notification(b'{"eventId":"e1"}')


def test_final_status_never_changes():
    assert status_may_follow("INITIAL", "PAYED")
    assert not status_may_follow("PAYED", "FAILED")
    assert not status_may_follow("PAYED", "INITIAL")
    assert not status_may_follow("INITIAL", "INITIAL")


def test_typo_reaching_two_claims_is_decided_by_amount_or_queued():
    """Bad input: a transposed Kassenzeichen that is also one substitution away from another claim."""
    a, b = kz(1), kz(2)  # 202600000012, 202600000020; typo 202600000002 reaches both
    typo = "202600000002"
    both = {a: D("12.00"), b: D("13.00")}
    assert (
        match_credit(remittance=typo, amount=D("13.00"), currency="EUR", open_amounts=both).kassenzeichen == b
    )
    same = {a: D("12.00"), b: D("12.00")}
    assert (
        match_credit(remittance=typo, amount=D("12.00"), currency="EUR", open_amounts=same).how == "ambiguous"
    )


@pytest.mark.parametrize(
    "policy,paid,allowed,claim_now",
    [
        ("none", False, True, False),
        ("optional", False, True, True),
        ("mandatory", False, False, True),
        ("mandatory", True, True, True),
        ("deferred", False, True, False),
    ],
)
def test_payment_policies(policy, paid, allowed, claim_now):
    from rathaus.domain.payments.xbezahldienste import claim_at_submission, submission_allowed

    assert submission_allowed(policy, paid=paid) is allowed
    assert claim_at_submission(policy) is claim_now


def test_unknown_policy_is_refused():
    """Bad input: a payment policy the standard does not know."""
    from rathaus.domain.payments.xbezahldienste import submission_allowed

    with pytest.raises(MessageError):
        submission_allowed("sometimes", paid=False)
