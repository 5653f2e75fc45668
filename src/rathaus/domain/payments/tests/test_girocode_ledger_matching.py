from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from rathaus.domain.payments import ledger
from rathaus.domain.payments.girocode import GiroCodeError, epc_payload, iban_valid
from rathaus.domain.payments.kassenzeichen import Kassenzeichen
from rathaus.domain.payments.matching import OpenClaim, match_credit, names_agree
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


def _eur(remittance, amount, claims, payer=""):
    """match_credit for a euro credit."""
    return match_credit(
        remittance=remittance, amount=D(amount), currency="EUR", claims=claims, payer_name=payer
    )


def _claims(open_amounts, name="Anna Müller"):
    return {k: OpenClaim(open_amount=v, debtor_name=name) for k, v in open_amounts.items()}


def test_match_exact_partial_over_and_already_paid():
    claims = _claims({kz(1): D("18.00"), kz(2): D("0.00")})
    for amount, check in [("18.00", "full"), ("10.00", "partial"), ("20.00", "over")]:
        result = match_credit(remittance=f"KZ {kz(1)}", amount=D(amount), currency="EUR", claims=claims)
        assert (result.how, result.amount_check) == ("exact", check)
    paid = match_credit(remittance=kz(2), amount=D("5.00"), currency="EUR", claims=claims)
    assert paid.amount_check == "already_paid"


def test_match_repairs_a_typo_when_amount_and_name_agree_and_refuses_other_currency():
    """Bad input: a transposed Kassenzeichen, and a credit in CHF."""
    good = kz(4711)
    typo = good[:6] + good[7] + good[6] + good[8:]
    assert typo != good
    result = match_credit(
        remittance=f"kz{typo}",
        amount=D("1.00"),
        currency="EUR",
        claims=_claims({good: D("1.00")}),
        payer_name="MUELLER, ANNA",
    )
    assert result.how == "corrected" and result.kassenzeichen == good
    assert (
        match_credit(remittance=good, amount=D("1"), currency="CHF", claims=_claims({good: D("1")})).how
        == "currency"
    )


@pytest.mark.parametrize(
    ("amount", "payer", "why"),
    [
        ("1.00", "Hans Meyer", "another person's name"),
        ("1.00", "", "no name on the transfer"),
        ("0.50", "Anna Müller", "another amount"),
        ("2.00", "Anna Müller", "more than is open"),
    ],
)
def test_repair_is_never_booked_unless_amount_and_name_agree(amount, payer, why):
    good = kz(4711)
    typo = good[:6] + good[7] + good[6] + good[8:]
    result = match_credit(
        remittance=f"KZ {typo}",
        amount=D(amount),
        currency="EUR",
        claims=_claims({good: D("1.00")}),
        payer_name=payer,
    )
    assert (result.how, result.matched, result.candidates) == ("suspect", False, (good,)), why


def test_transposed_reference_reaching_another_citizens_claim_goes_to_the_queue():
    """Issue 11, finding 11: "KZ 2026-0000107-2" is the payer's …170-2 with two digits swapped
    (wrong check digit); one substitution also reaches …105-2, another citizen's open claim,
    which was booked. Now the credit waits for a person, with both claims named."""
    meant, other = "202600001702", "202600001052"
    claims = {meant: OpenClaim(D("50.00"), "Jana Sommer"), other: OpenClaim(D("50.00"), "Bernd Kaya")}
    result = match_credit(
        remittance="Rate 1 KZ 2026-0000107-2",
        amount=D("50.00"),
        currency="EUR",
        claims=claims,
        payer_name="Jana Sommer",
    )
    assert result.how == "suspect" and set(result.candidates) == {meant, other}
    # the payer's own claim already settled: the other citizen's claim is still not booked
    alone = {meant: OpenClaim(D("0.00"), "Jana Sommer"), other: OpenClaim(D("50.00"), "Bernd Kaya")}
    result = match_credit(
        remittance="Rate 1 KZ 2026-0000107-2",
        amount=D("50.00"),
        currency="EUR",
        claims=alone,
        payer_name="Jana Sommer",
    )
    assert result.how == "suspect" and not result.matched


def test_doubled_digit_is_never_read_as_an_exact_reference():
    """Issue 11, finding 11: "KZ 2026-00000889-0" (a doubled digit) was booked to …088-9, the
    valid twelve digits at its start, as if exact. Cut out of a longer number, it is a guess."""
    other = "202600000889"
    claims = {
        other: OpenClaim(D("30.00"), "Bernd Kaya"),
        "202600000890": OpenClaim(D("30.00"), "Jana Sommer"),
    }
    result = match_credit(
        remittance="KZ 2026-00000889-0",
        amount=D("30.00"),
        currency="EUR",
        claims=claims,
        payer_name="Jana Sommer",
    )
    assert result.how == "suspect" and set(result.candidates) == set(claims)


def test_number_glued_to_a_reference_is_booked_only_when_amount_and_name_agree():
    good = kz(4711)
    claims = {good: OpenClaim(D("18.00"), "Anna Müller")}
    text = f"{good} 42"
    ok = _eur(text, "18.00", claims, "Anna Müller")
    assert (ok.how, ok.kassenzeichen) == ("corrected", good)
    wrong = _eur(text, "18.00", claims, "Hans Meyer")
    assert wrong.how == "suspect"


def test_names_agree_in_any_order_with_umlauts_and_titles():
    assert names_agree("Anna Müller", "MUELLER ANNA")
    assert names_agree("Anna Müller", "Dr. Anna Müller-Lüdenscheidt")
    assert not names_agree("Anna Müller", "Hans Müller")
    assert not names_agree("", "Anna Müller")


def test_unknown_reference_goes_to_manual_queue():
    assert match_credit(remittance="Miete Mai", amount=D("1"), currency="EUR", claims={}).how == "none"


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


def test_typo_reaching_two_claims_is_queued_even_when_the_amount_fits_one():
    """Bad input: a transposed Kassenzeichen that is also one substitution away from another
    claim. The amount used to decide; two open claims in reach now always go to a person."""
    a, b = kz(1), kz(2)  # 202600000012, 202600000020; typo 202600000002 reaches both
    typo = "202600000002"
    both = {a: OpenClaim(D("12.00"), "Anna Müller"), b: OpenClaim(D("13.00"), "Anna Müller")}
    result = match_credit(
        remittance=typo, amount=D("13.00"), currency="EUR", claims=both, payer_name="Anna Müller"
    )
    assert result.how == "suspect" and set(result.candidates) == {a, b}


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
