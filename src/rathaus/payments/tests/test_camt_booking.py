"""``camt_booking``'s fast paths: the locked claims are model instances as the ORM loads them,
and on PostgreSQL the tables an import writes carry no ``LIKE`` index (decision 0100); the
lookups of known bank references probe their index, a booked claim is updated in place, the
manual queue has its own partial index (decision 0112)."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection, transaction

from rathaus.payments import camt, camt_booking, conf, reconcile, selectors, services
from rathaus.payments.models import BankCredit, BankStatement, Claim, Payment

from .factories import setup_payments

pytestmark = pytest.mark.django_db
D = Decimal
TABLES = ("payments_claim", "payments_bankcredit", "payments_payment", "payments_posting")


def test_locked_claims_are_loaded_as_the_orm_loads_them():
    offices = setup_payments()
    claim = services.claim_create(
        office=offices["cash"], purpose="Hundesteuer", debtor_name="Jana Meyer", amount=D("35.50")
    )
    with transaction.atomic():
        loaded = camt_booking._claims_locked({claim.kassenzeichen, "000000000000"})
        assert list(loaded) == [claim.kassenzeichen]
        got = loaded[claim.kassenzeichen]
        assert isinstance(got, Claim) and got.pk == claim.pk
        assert not got._state.adding and got._state.db == connection.alias
        assert (got.amount, got.paid_total, got.settled_total, got.status, got.debtor_name) == (
            D("35.50"),
            D("0.00"),
            D("0.00"),
            Claim.Status.OPEN,
            "Jana Meyer",
        )
        assert isinstance(got.amount, Decimal) and got.open_amount == D("35.50")
        assert "purpose" in got.get_deferred_fields()
        assert got.purpose == "Hundesteuer"  # a field not loaded is read on first access
        got.held_total = D("1.00")
        got.save(update_fields=["held_total"])  # an UPDATE of the row, no new claim
    claim.refresh_from_db()
    assert claim.held_total == D("1.00") and Claim.objects.count() == 1


def test_the_tables_an_import_writes_have_no_like_index():
    if connection.vendor != "postgresql":
        pytest.skip("only PostgreSQL has varchar_pattern_ops indexes")
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexname FROM pg_indexes WHERE tablename = ANY(%s) AND indexdef LIKE %s",
            [list(TABLES), "%pattern_ops%"],
        )
        assert cursor.fetchall() == []


def _postgresql_only():
    if connection.vendor != "postgresql":
        pytest.skip("a PostgreSQL planner and storage question")


def test_known_references_are_probed_in_their_index_while_statistics_say_the_table_is_empty():
    """A first large import: the planner's statistics still say no credits, the table has
    thousands; ``column = ANY(keys)`` read the whole table for every page of keys then."""
    _postgresql_only()
    row = BankStatement.objects.create(kind="camt.053", account_iban="DE1", message_id="M", sha256="s")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE payments_bankcredit")  # as after a VACUUM ANALYZE of the empty table
    BankCredit.objects.bulk_create(
        BankCredit(statement=row, dedup_key=f"K{i}", entry_key=f"E{i}", amount=D("1.00"), currency="EUR",
                   booked_on=datetime.date(2026, 12, 1), status=BankCredit.Status.UNMATCHED)
        for i in range(5000)
    )  # fmt: skip
    keys = [f"X{i}" for i in range(2000)]
    for sql, extra in (
        (camt_booking._credits_by("dedup_key", "dedup_key, statement_id, status"), ()),
        (camt_booking._credits_by("entry_key", "entry_key", other_statement=True), (row.pk + 1,)),
    ):
        statement, params = camt_booking._in(sql, keys, extra)
        with connection.cursor() as cursor:
            cursor.execute("EXPLAIN " + statement, params)
            plan = "\n".join(line for (line,) in cursor.fetchall())
        assert "Index" in plan and "Seq Scan on payments_bankcredit" not in plan, plan
        assert len(list(camt_booking._rows_in(sql, ["K7", "E8", *keys], *extra))) == 1


def test_an_import_updates_the_claims_it_pays_in_place():
    """No indexed column changes and the page has room: PostgreSQL writes a booked claim's new
    version beside the old one, without new entries in the claim's indexes (a HOT update). The
    room (30 % of a page) holds the new versions of a good third of the page's claims at once:
    one in three is paid here, as 85,000 of 200,000 in the benchmark."""
    _postgresql_only()
    offices = setup_payments()
    claims = [
        services.claim_create(
            office=offices["cash"], purpose="Gebühr", debtor_name="Jana Meyer", amount=D("12.00")
        )
        for _ in range(30)
    ]
    data = camt.write_camt053(
        iban=conf.payee_iban(),
        message_id="HOT",
        credits=[
            camt.OutCredit(D("12.00"), c.kassenzeichen, reference=f"H{i}") for i, c in enumerate(claims[::3])
        ],
    )
    with connection.cursor() as cursor:
        cursor.execute("SELECT 'payments_claim'::regclass::oid")
        (table,) = cursor.fetchone()
        count = "SELECT pg_stat_get_xact_tuples_updated(%s), pg_stat_get_xact_tuples_hot_updated(%s)"
        cursor.execute(count, [table, table])
        before = cursor.fetchone()
        assert reconcile.import_camt(data=data, filename="hot.xml").matched == 10
        cursor.execute(count, [table, table])
        updated, hot = (after - earlier for after, earlier in zip(cursor.fetchone(), before, strict=True))
    assert Claim.objects.filter(status=Claim.Status.PAID).count() == 10
    assert updated >= 10 and hot == updated


@pytest.mark.parametrize(
    ("query", "index"),
    [
        (selectors.unmatched_credits, "bankcredit_unmatched_queue"),
        (  # a provider's notification (``services.online``)
            lambda: Payment.objects.filter(transaction_id="T1", method=Payment.Method.ONLINE),
            "payment_online_transaction",
        ),
        (lambda: Payment.objects.filter(initiated_by_id=1), "payment_initiated_by"),
    ],
)
def test_the_searches_read_their_partial_indexes(query, index):
    """Only the rows these searches can find are in the index: the credits matched on import
    and their payments, most of them, cost no entry there."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL enable_seqscan = off")  # a test database is too small to need it
        sql, params = query().query.sql_with_params()
        cursor.execute(
            "EXPLAIN " + ("" if connection.vendor == "postgresql" else "QUERY PLAN ") + sql, params
        )
        plan = " ".join(str(column) for line in cursor.fetchall() for column in line)
    assert index in plan, plan
