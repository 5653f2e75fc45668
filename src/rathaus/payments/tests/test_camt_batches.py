"""Bank statements booked in batches, one short transaction each (issue 13, decision 0094): a
batch books exactly what booking one credit at a time books, the ledger balances, and an
interrupted import continues where it stopped without booking anything twice."""

from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import transaction

from rathaus.kernel import audit
from rathaus.kernel.audit import AuditEntry
from rathaus.kernel.exceptions import Conflict
from rathaus.payments import camt, conf, reconcile, services
from rathaus.payments.models import BankCredit, BankStatement, Claim, JournalEntry, Payment

from .factories import setup_payments

pytestmark = pytest.mark.django_db
D = Decimal
OutCredit = camt.OutCredit


class Interrupted(Exception):
    """Stands for the import being killed right after a batch has committed."""


@pytest.fixture
def offices():
    return setup_payments()


def make_claims(offices, count, amount="12.00"):
    return [
        services.claim_create(
            office=offices["cash"], purpose=f"Gebühr {i}", debtor_name="Jana Meyer", amount=D(amount)
        )
        for i in range(count)
    ]


def statement(credits, message_id="M1"):
    return camt.write_camt053(iban=conf.payee_iban(), message_id=message_id, credits=credits)


def typo(number):
    i = next(i for i in range(10, -1, -1) if number[i] != number[i + 1])
    return number[:i] + number[i + 1] + number[i] + number[i + 2 :]


def mixed_file(claims):
    """Every kind of credit: exact, partial and over-payment, a repaired typo (amount and payer
    agree) and a suspect one, two Kassenzeichen, a claim paid already, a reference repeated in
    the file and one booked from another file, no Kassenzeichen, zero euros."""
    a, b, c, d, e, f = (claim.kassenzeichen for claim in claims)
    return statement(
        [
            OutCredit(D("12.00"), f"KZ {a[:4]}-{a[4:11]}-{a[11]}", reference="R1"),
            OutCredit(D("5.00"), f"{b} Teilzahlung", reference="R2"),
            OutCredit(D("10.00"), f"{b} Rest", reference="R3"),
            OutCredit(D("12.00"), f"kz {typo(c)}", debtor_name="MEYER, JANA", reference="R4"),
            OutCredit(D("12.00"), f"kz {typo(d)}", debtor_name="Bernd Kaya", reference="R5"),
            OutCredit(D("12.00"), f"{e} und {f}", reference="R6"),
            OutCredit(D("12.00"), f, reference="R7"),
            OutCredit(D("12.00"), a, reference="R1"),
            OutCredit(D("12.00"), a, reference="FRUEHER"),
            OutCredit(D("99.00"), "Miete Mai", reference="R8"),
            OutCredit(D("0.00"), e, reference="R9"),
            OutCredit(D("12.00"), a, reference="R10"),
        ]
    )


def bookings():
    """What the books hold, without ids (PostgreSQL's sequences do not roll back)."""
    kz = dict(Claim.objects.values_list("pk", "kassenzeichen"))
    credits = sorted(
        (c.dedup_key.split(":")[1], c.status, kz.get(c.claim_id, ""), c.match_how, c.note, c.amount)
        for c in BankCredit.objects.all()
    )
    claims = sorted(
        Claim.objects.values_list("kassenzeichen", "paid_total", "settled_total", "held_total", "status")
    )
    entries = []
    for e in JournalEntry.objects.prefetch_related("postings"):
        lines = sorted((p.account, kz.get(p.claim_id, ""), p.amount) for p in e.postings.all())
        entries.append((e.kind, e.memo, kz.get(e.claim_id, ""), tuple(lines)))
    entries.sort()
    payments = sorted(
        (p.transaction_id, kz[p.claim_id], p.amount, p.method, p.status, p.bank_credit.dedup_key)
        for p in Payment.objects.select_related("bank_credit")
    )
    return credits, claims, entries, payments


def test_a_batch_books_exactly_what_one_credit_at_a_time_books(offices, settings):
    claims = make_claims(offices, 6)
    reconcile.import_camt(
        data=statement([OutCredit(D("12.00"), claims[5].kassenzeichen, reference="FRUEHER")], "M0"),
        filename="frueher.xml",
    )
    data = mixed_file(claims)
    outcome = {}
    for size in (1, 5, 1000):
        settings.RATHAUS_PAYMENTS_CAMT_BATCH = size
        with transaction.atomic():
            result = reconcile.import_camt(data=data, filename="auszug.xml")
            counts = (result.credits, result.matched, result.unmatched, result.duplicates)
            outcome[size] = (counts, bookings(), reconcile.verify())
            transaction.set_rollback(True)
    assert outcome[1] == outcome[5] == outcome[1000]
    counts, (credits, claim_rows, entries, payments), problems = outcome[1000]
    assert counts == (12, 6, 3, 2)
    assert problems == []
    assert {ref: (status, how) for ref, status, _, how, _, _ in credits} == {
        "FRUEHER": ("matched", "exact"),
        "R1": ("matched", "exact"),
        "R2": ("partial", "exact"),
        "R3": ("over", "exact"),
        "R4": ("matched", "corrected"),
        "R5": ("unmatched", "suspect"),
        "R6": ("unmatched", "ambiguous"),
        "R7": ("held", "exact"),
        "R8": ("unmatched", "none"),
        "R10": ("held", "exact"),
    }
    held = {number: held for number, _paid, _settled, held, _status in claim_rows}
    assert held[claims[0].kassenzeichen] == D("12.00") and held[claims[1].kassenzeichen] == D("3.00")
    assert all(sum(amount for *_, amount in lines) == 0 for *_, lines in entries)
    assert len(payments) == 1 + 6


def test_an_interrupted_import_continues_where_it_stopped_and_books_nothing_twice(offices, settings):
    settings.RATHAUS_PAYMENTS_CAMT_BATCH = 3
    claims = make_claims(offices, 7)
    credits = [OutCredit(D("12.00"), c.kassenzeichen, reference=f"K{i}") for i, c in enumerate(claims)]
    data = statement([*credits, OutCredit(D("50.00"), "Spende", reference="K9")])

    def killed(done, total):
        raise Interrupted

    with pytest.raises(Interrupted):
        reconcile.import_camt(data=data, filename="auszug.xml", progress=killed)
    row = BankStatement.objects.get()
    assert row.completed_at is None  # the first batch is booked, the file is not done
    assert Claim.objects.filter(status=Claim.Status.PAID).count() == BankCredit.objects.count() == 3

    result = reconcile.import_camt(data=data, filename="auszug.xml")
    assert result.resumed
    assert (result.credits, result.matched, result.unmatched, result.duplicates) == (8, 7, 1, 0)
    assert BankCredit.objects.count() == 8 and Payment.objects.count() == 7
    assert set(Claim.objects.values_list("status", "paid_total")) == {(Claim.Status.PAID, D("12.00"))}
    assert reconcile.verify() == []
    row.refresh_from_db()
    assert row.completed_at is not None and (row.credits, row.matched, row.duplicates) == (8, 7, 0)
    actions = list(AuditEntry.objects.filter(target_id=str(row.pk)).values_list("action", flat=True))
    assert actions.count("payments.camt_batch_booked") == 3 and actions.count("payments.camt_imported") == 1
    assert audit.verify().ok
    with pytest.raises(Conflict, match="bereits eingelesen"):
        reconcile.import_camt(data=data, filename="auszug.xml")


def test_the_command_says_that_it_continued_an_interrupted_import(offices, settings, tmp_path):
    settings.RATHAUS_PAYMENTS_CAMT_BATCH = 1
    claims = make_claims(offices, 2)
    path = tmp_path / "auszug.xml"
    path.write_bytes(
        statement([OutCredit(D("12.00"), c.kassenzeichen, reference=f"K{i}") for i, c in enumerate(claims)])
    )

    def killed(done, total):
        raise Interrupted

    with pytest.raises(Interrupted):
        reconcile.import_camt(data=path.read_bytes(), filename=path.name, progress=killed)
    out = StringIO()
    call_command("payments", "import-camt", str(path), "--no-progress", stdout=out)
    assert "2 Gutschriften, 2 zugeordnet" in out.getvalue()
    assert "unterbrochenes Einlesen dieser Datei wurde fortgesetzt" in out.getvalue()
    assert BankCredit.objects.count() == 2
