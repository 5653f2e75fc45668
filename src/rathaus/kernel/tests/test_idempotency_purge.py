"""Stored answers of idempotent API calls are kept a week, then the daily housekeeping deletes
them (the table would otherwise grow with every call forever)."""

import datetime

import pytest
from django.core.management import call_command
from django.utils import timezone

from rathaus.kernel import idempotency
from rathaus.kernel.models import IdempotencyRecord

pytestmark = pytest.mark.django_db


def _record(key: str, age: datetime.timedelta) -> None:
    IdempotencyRecord.objects.create(
        owner="token:1", key=key, operation="POST /api/v1/x", body_hash="0" * 64,
        status_code=201, response="{}", created_at=timezone.now() - age,
    )  # fmt: skip


def test_answers_older_than_a_week_are_purged_and_newer_ones_stay():
    _record("old", datetime.timedelta(days=8))
    _record("recent", datetime.timedelta(days=6))
    assert idempotency.purge_expired() == 1
    assert list(IdempotencyRecord.objects.values_list("key", flat=True)) == ["recent"]


def test_the_daily_housekeeping_purges_them(capsys):
    _record("old", datetime.timedelta(days=30))
    call_command("appointments", "housekeeping", "--no-reminders")
    assert not IdempotencyRecord.objects.exists()
    assert "1 alte Idempotenz-Einträge gelöscht" in capsys.readouterr().out
