"""``kernel.bulk``: rows written as tuples read back as the ORM writes them, and primary keys
reserved in advance are never handed out again."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection, transaction
from django.utils import timezone

from rathaus.kernel.bulk import TableWriter, reserve_ids
from rathaus.payments.models import JournalEntry, Posting

pytestmark = pytest.mark.django_db


def test_reserved_ids_are_new_and_never_handed_out_again():
    before = JournalEntry.objects.create(kind="vorher")
    with transaction.atomic():
        ids = reserve_ids(JournalEntry, 3)
        after = JournalEntry.objects.create(kind="danach")
    assert len(set(ids)) == 3 and min(ids) > before.pk
    assert after.pk not in ids and after.pk > max(ids)
    assert reserve_ids(JournalEntry, 0) == []


def test_rows_written_as_tuples_read_back_as_the_orm_wrote_them():
    at = timezone.now().replace(microsecond=123456)
    ids = reserve_ids(JournalEntry, 2)
    with connection.cursor() as cursor:
        TableWriter(JournalEntry, ("id", "kind", "claim_id", "memo", "created_at")).write(
            cursor, [(ids[0], "bank_payment", None, "Überweisung „1“", at), (ids[1], "x", None, "", at)]
        )
        TableWriter(Posting, ("entry_id", "account", "claim_id", "amount")).write(
            cursor, [(ids[0], "bank", None, Decimal("35.50")), (ids[0], "suspense", None, Decimal("-35.50"))]
        )
    orm = JournalEntry.objects.create(kind="orm", memo="Überweisung „1“", created_at=at)
    rows = JournalEntry.objects.filter(pk__in=ids).order_by("pk")
    assert [(e.kind, e.memo, e.created_at) for e in rows] == [
        ("bank_payment", orm.memo, at),
        ("x", "", at),
    ]
    assert JournalEntry.objects.filter(created_at=at).count() == 3  # the same stored form as the ORM's
    assert sorted(Posting.objects.filter(entry_id=ids[0]).values_list("amount", flat=True)) == [
        Decimal("-35.50"),
        Decimal("35.50"),
    ]
    assert isinstance(rows[0].created_at, datetime.datetime)


def test_a_column_the_model_does_not_have_is_refused():
    with pytest.raises(ValueError, match="nope"):
        TableWriter(JournalEntry, ("id", "nope"))
