from decimal import Decimal
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db.models import Sum

from rathaus.domain.payments import ledger
from rathaus.kernel.exceptions import Conflict, InvalidInput
from rathaus.kernel.xmlsafe import XmlRejected
from rathaus.payments import camt, conf, reconcile, services
from rathaus.payments.models import BankCredit, BankStatement, Claim, Posting

from .factories import make_staff, setup_payments

pytestmark = pytest.mark.django_db
D = Decimal
SAMPLES = Path(settings.PROJECT_DIR).parent / "shared/standards/iso20022-camt/samples"


@pytest.fixture
def offices():
    return setup_payments()


def claims(offices, n=3):
    return [
        services.claim_create(
            office=offices["cash"], purpose=f"Auskunft {i}", debtor_name="Jana Meyer", amount=D("12.00")
        )
        for i in range(n)
    ]


def statement(credits, message_id="M1", iban=None):
    return camt.write_camt053(iban=iban or conf.payee_iban(), message_id=message_id, credits=credits)


def test_written_statement_is_valid_against_the_official_xsd():
    data = statement([camt.OutCredit(amount=D("1.00"), remittance="KZ 1")])
    assert camt.validate(data) == []


@pytest.mark.parametrize(
    "name", ["camt053.v2.minimal.xml", "camt053.v8.xml", "camt054.v2.xml", "camt054.v8.xml"]
)
def test_official_samples_parse_and_are_schema_valid(name):
    data = (SAMPLES / name).read_bytes()
    assert camt.validate(data) == []
    parsed = camt.parse(data)
    assert parsed and all(s.account_iban for s in parsed)


def test_malformed_and_wrong_type_files_are_refused():
    """Bad input: the intentionally invalid sample, broken XML, a DOCTYPE (XXE), another XML type."""
    with pytest.raises(camt.CamtRejected):
        camt.parse((SAMPLES / "camt053.v2.wrong.xml").read_bytes())
    with pytest.raises(XmlRejected):
        camt.parse(b"<Document><BkToCstmrStmt>")
    with pytest.raises(XmlRejected):
        camt.parse(b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><x>&e;</x>')
    with pytest.raises(camt.CamtRejected):
        camt.parse(b'<Document xmlns="urn:example"/>')


def test_import_matches_exact_partial_over_and_queues_what_it_would_have_to_guess(offices):
    a, b, c = claims(offices)
    b.amount = D("13.00")
    b.save()
    services.book(
        kind="adjust",
        claim=b,
        postings=[ledger.Posting("receivable", D("1.00"), b.pk), ledger.Posting("revenue", D("-1.00"))],
    )
    k = b.kassenzeichen
    i = next(i for i in range(10, -1, -1) if k[i] != k[i + 1])
    typo = k[:i] + k[i + 1] + k[i] + k[i + 2 :]
    data = statement(
        [
            camt.OutCredit(amount=D("12.00"), remittance=f"Kassenzeichen {a.display_kassenzeichen}"),
            camt.OutCredit(
                amount=D("13.00"), remittance=f"kz {typo[:4]} {typo[4:]}", debtor_name="Bernd Kaya"
            ),
            camt.OutCredit(amount=D("5.00"), remittance=f"{c.kassenzeichen} Teilzahlung"),
            camt.OutCredit(amount=D("7.00"), remittance=f"{c.kassenzeichen} Rest plus Trinkgeld"),
            camt.OutCredit(amount=D("99.00"), remittance="Miete Mai"),
        ]
    )
    result = reconcile.import_camt(data=data, filename="auszug.xml")
    assert (result.credits, result.matched, result.unmatched, result.duplicates) == (5, 3, 2, 0)
    for claim in (a, b, c):
        claim.refresh_from_db()
    assert a.status == c.status == Claim.Status.PAID
    assert b.status != Claim.Status.PAID
    assert c.held_total == D("0.00") or c.held_total == D("0")
    assert BankCredit.objects.get(remittance__contains="Teilzahlung").status == BankCredit.Status.PARTIAL
    queued = BankCredit.objects.get(match_how="suspect")
    assert queued.claim is None and queued.status == BankCredit.Status.UNMATCHED
    assert b.kassenzeichen in queued.note
    assert Posting.objects.aggregate(s=Sum("amount"))["s"] == 0


@pytest.mark.parametrize(
    ("payer", "booked"),
    [("MEYER, JANA", True), ("Bernd Kaya", False)],
)
def test_a_repaired_typo_is_booked_only_when_amount_and_payer_agree(offices, payer, booked):
    """Issue 11, finding 11: a reference with a wrong check digit reached another citizen's claim
    and was booked there. A repair is booked only when one open claim fits, amount and name too."""
    (claim,) = claims(offices, 1)
    k = claim.kassenzeichen
    i = next(i for i in range(10, -1, -1) if k[i] != k[i + 1])
    typo = k[:i] + k[i + 1] + k[i] + k[i + 2 :]
    data = statement([camt.OutCredit(amount=D("12.00"), remittance=f"KZ {typo}", debtor_name=payer)])
    result = reconcile.import_camt(data=data, filename="auszug.xml")
    claim.refresh_from_db()
    assert (result.matched, claim.status == Claim.Status.PAID) == (int(booked), booked)
    credit = BankCredit.objects.get()
    assert credit.match_how == ("corrected" if booked else "suspect")
    assert (credit.claim_id == claim.pk) is booked


def test_overpayment_is_held_and_a_paid_claim_gets_its_money_held(offices):
    (a,) = claims(offices, 1)
    reconcile.import_camt(
        data=statement([camt.OutCredit(amount=D("15.00"), remittance=a.kassenzeichen)]), filename="1.xml"
    )
    reconcile.import_camt(
        data=statement(
            [camt.OutCredit(amount=D("12.00"), remittance=a.kassenzeichen, reference="second")], "M2"
        ),
        filename="2.xml",
    )
    a.refresh_from_db()
    assert (a.status, a.held_total, a.paid_total) == (Claim.Status.PAID, D("15.00"), D("27.00"))
    assert BankCredit.objects.filter(status=BankCredit.Status.HELD).count() == 1
    held = Posting.objects.filter(claim=a, account="suspense").aggregate(s=Sum("amount"))["s"]
    assert -held == a.held_total


def test_same_file_twice_and_same_entries_in_another_file_are_not_booked_twice(offices):
    """Bad input: the same file imported twice, and a camt.053 repeating a camt.054's entries."""
    (a,) = claims(offices, 1)
    credit = camt.OutCredit(amount=D("12.00"), remittance=a.kassenzeichen, reference="BANKREF-1")
    data = statement([credit])
    reconcile.import_camt(data=data, filename="a.xml")
    with pytest.raises(Conflict):
        reconcile.import_camt(data=data, filename="a.xml")
    again = reconcile.import_camt(data=statement([credit], message_id="OTHER"), filename="b.xml")
    assert (again.matched, again.duplicates) == (0, 1)
    a.refresh_from_db()
    assert a.paid_total == D("12.00")


def test_statement_of_another_account_is_refused(offices):
    """Bad input: a statement for a different IBAN."""
    data = statement([camt.OutCredit(amount=D("1.00"), remittance="x")], iban="DE02120300000000202051")
    with pytest.raises(InvalidInput, match="Konto"):
        reconcile.import_camt(data=data, filename="fremd.xml")
    assert not BankStatement.objects.exists()


def test_manual_assignment_moves_money_from_suspense(offices):
    (a,) = claims(offices, 1)
    reconcile.import_camt(
        data=statement([camt.OutCredit(amount=D("12.00"), remittance="ohne Angabe")]), filename="x.xml"
    )
    credit = BankCredit.objects.get()
    reconcile.credit_assign(credit=credit, claim=a, by=None)
    a.refresh_from_db()
    assert a.status == Claim.Status.PAID
    with pytest.raises(Conflict):
        reconcile.credit_assign(credit=credit, claim=a, by=None)
    assert Posting.objects.filter(account="suspense").aggregate(s=Sum("amount"))["s"] == 0


def test_hkr_export_lists_booked_payments(offices):
    (a,) = claims(offices, 1)
    reconcile.import_camt(
        data=statement([camt.OutCredit(amount=D("12.00"), remittance=a.kassenzeichen)]), filename="x.xml"
    )
    from django.utils import timezone

    today = timezone.localdate()
    text = reconcile.hkr_export(start=today, end=today)
    lines = text.strip().split("\r\n")
    assert lines[0].startswith("Buchungsdatum;Kassenzeichen")
    assert a.kassenzeichen in lines[1] and ";12.00;EUR;UEBERWEISUNG;" in lines[1]


def test_import_command(offices, tmp_path, capsys):
    (a,) = claims(offices, 1)
    good = tmp_path / "good.xml"
    good.write_bytes(statement([camt.OutCredit(amount=D("12.00"), remittance=a.kassenzeichen)]))
    bad = tmp_path / "bad.xml"
    bad.write_bytes(b"kein xml")
    call_command("payments", "import-camt", str(good), "--validate", "--no-progress")
    assert "1 zugeordnet" in capsys.readouterr().out
    with pytest.raises(CommandError):
        call_command("payments", "import-camt", str(bad), "--no-progress")
    make_staff(offices["cash"])


def notification054(entry_ref, parts, message_id="N1"):
    """A camt.054.001.08 notification: one batch entry ``entry_ref`` broken down into ``parts``
    (amount, remittance, debtor) without references of their own, as banks send a "Sammler"."""
    total = sum(D(a) for a, _, _ in parts)
    details = "".join(
        f'<TxDtls><Refs><EndToEndId>NOTPROVIDED</EndToEndId></Refs><Amt Ccy="EUR">{a}</Amt>'
        f"<CdtDbtInd>CRDT</CdtDbtInd><RltdPties><Dbtr><Pty><Nm>{who}</Nm></Pty></Dbtr></RltdPties>"
        f"<RmtInf><Ustrd>{text}</Ustrd></RmtInf></TxDtls>"
        for a, text, who in parts
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.054.001.08"><BkToCstmrDbtCdtNtfctn>'
        f"<GrpHdr><MsgId>{message_id}</MsgId><CreDtTm>2026-11-28T08:00:00+01:00</CreDtTm></GrpHdr>"
        f"<Ntfctn><Id>{message_id}-1</Id><CreDtTm>2026-11-28T08:00:00+01:00</CreDtTm>"
        f"<Acct><Id><IBAN>{conf.payee_iban()}</IBAN></Id><Ccy>EUR</Ccy></Acct>"
        f'<Ntry><Amt Ccy="EUR">{total:.2f}</Amt><CdtDbtInd>CRDT</CdtDbtInd><Sts><Cd>BOOK</Cd></Sts>'
        "<BookgDt><Dt>2026-11-27</Dt></BookgDt><ValDt><Dt>2026-11-27</Dt></ValDt>"
        f"<AcctSvcrRef>{entry_ref}</AcctSvcrRef>"
        "<BkTxCd><Domn><Cd>PMNT</Cd><Fmly><Cd>RCDT</Cd><SubFmlyCd>ESCT</SubFmlyCd></Fmly></Domn></BkTxCd>"
        f"<NtryDtls>{details}</NtryDtls></Ntry></Ntfctn></BkToCstmrDbtCdtNtfctn></Document>"
    ).encode()


@pytest.mark.parametrize("breakdown_first", [False, True])
def test_batch_entry_and_its_breakdown_are_booked_once(offices, breakdown_first):
    """Issue 11, finding 12: a camt.053 batch entry ("Sammler") of 207.50 € followed by its
    camt.054 breakdown with the same bank reference was booked as 402.50 €. One bank
    transaction is booked once, whichever file brings it first; the ledger's bank account
    then holds exactly what the bank received."""
    a, b = claims(offices, 2)
    batch = statement(
        [camt.OutCredit(amount=D("207.50"), remittance="Sammelgutschrift 3 Posten", reference="SAMMLER-1")]
    )
    breakdown = notification054(
        "SAMMLER-1",
        [
            ("12.00", f"KZ {a.kassenzeichen}", "Jana Meyer"),
            ("12.00", f"KZ {b.kassenzeichen}", "Jana Meyer"),
            ("183.50", "Miete Mai", "Hausverwaltung Nord"),
        ],
    )
    assert camt.validate(breakdown) == []
    files = (
        [(breakdown, "054.xml"), (batch, "053.xml")]
        if breakdown_first
        else [(batch, "053.xml"), (breakdown, "054.xml")]
    )
    results = [reconcile.import_camt(data=data, filename=name) for data, name in files]
    assert sum(r.credits - r.duplicates for r in results) == (3 if breakdown_first else 1)
    bank = Posting.objects.filter(account="bank").aggregate(s=Sum("amount"))["s"]
    assert bank == D("207.50")
    assert sum(BankCredit.objects.values_list("amount", flat=True)) == D("207.50")
    assert reconcile.verify() == []


def test_verify_reports_a_bank_account_that_differs_from_the_money_received(offices):
    (claim,) = claims(offices, 1)
    reconcile.import_camt(
        data=statement([camt.OutCredit(amount=D("12.00"), remittance=claim.kassenzeichen)]), filename="1.xml"
    )
    assert reconcile.verify() == []
    # a second booking of the same money, as the double count did
    services.book(
        kind="bank_unmatched",
        postings=[ledger.Posting("bank", D("12.00")), ledger.Posting("suspense", D("-12.00"))],
    )
    problems = reconcile.verify()
    assert len(problems) == 1 and "Bankkonto" in problems[0]
    with pytest.raises(CommandError, match="Bankkonto"):
        call_command("payments", "verify", stdout=StringIO())


def test_verify_names_a_bank_transaction_booked_from_two_files(offices):
    """What the double count left behind (rows of one entry from two files) is reported."""
    reconcile.import_camt(
        data=statement([camt.OutCredit(amount=D("20.00"), remittance="Sammler", reference="S-9")]),
        filename="1.xml",
    )
    first = BankCredit.objects.get()
    second = reconcile.import_camt(
        data=statement([camt.OutCredit(amount=D("5.00"), remittance="x", reference="other")], "M2"),
        filename="2.xml",
    )
    BankCredit.objects.filter(statement=second.statement).update(entry_key=first.entry_key)
    assert any("S-9 ist aus mehreren Dateien gebucht" in p for p in reconcile.verify())


def test_verify_finds_an_over_payment_of_odd_cents_balanced(offices):
    """On SQLite the postings 10.20, −7.20 and −3.00 summed as floating point numbers to 4.4e-16,
    and ``payments verify`` reported the balanced entry as unbalanced (and exited 1)."""
    claim = services.claim_create(
        office=offices["cash"], purpose="Auskunft", debtor_name="Jana Meyer", amount=D("7.20")
    )
    reconcile.import_camt(
        data=statement([camt.OutCredit(amount=D("10.20"), remittance=claim.kassenzeichen)]), filename="1.xml"
    )
    claim.refresh_from_db()
    assert (claim.status, claim.held_total) == (Claim.Status.PAID, D("3.00"))
    assert reconcile.verify() == []


@pytest.mark.parametrize("amount", ["7.005", "NaN", "Infinity"])
def test_a_euro_amount_that_is_no_whole_cents_refuses_the_file(offices, amount):
    """Bad input: 7.005 EUR stopped the import with a ledger error (a 500 on the upload page),
    NaN with an invalid comparison. The file is refused with a German message; nothing is booked."""
    (claim,) = claims(offices, 1)
    data = statement(
        [
            camt.OutCredit(amount=D("12.00"), remittance=claim.kassenzeichen),
            camt.OutCredit(amount=D("7.00"), remittance="Spende"),
        ]
    ).replace(b">7.00<", f">{amount}<".encode())
    with pytest.raises(InvalidInput, match="Nachkommastellen" if amount[0].isdigit() else "kein Betrag"):
        reconcile.import_camt(data=data, filename="cent.xml")
    assert not BankStatement.objects.exists() and not BankCredit.objects.exists()
    claim.refresh_from_db()
    assert claim.status == Claim.Status.OPEN
