"""``camt_booking``'s fast paths: the locked claims are model instances as the ORM loads them,
and on PostgreSQL the tables an import writes carry no ``LIKE`` index (decision 0100)."""

from decimal import Decimal

import pytest
from django.db import connection, transaction

from rathaus.payments import camt_booking, services
from rathaus.payments.models import Claim

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
