"""One-time tokens count once, by a unique row that lasts until they expire (decision 0085)."""

import datetime

import pytest
from django.core.cache import cache
from django.utils import timezone

from rathaus.kernel import spent
from rathaus.kernel.models import SpentToken

pytestmark = pytest.mark.django_db

HOUR = datetime.timedelta(hours=1)


def test_a_value_is_spent_once_per_purpose_and_not_stored_itself():
    later = timezone.now() + HOUR
    assert spent.spend(purpose="test.ticket", value="n-1", expires_at=later)
    cache.clear()  # nothing of it lives in the cache
    assert not spent.spend(purpose="test.ticket", value="n-1", expires_at=later)
    assert spent.spend(purpose="test.other", value="n-1", expires_at=later)
    assert not SpentToken.objects.filter(digest__contains="n-1").exists()


def test_purge_deletes_only_the_expired_records():
    now = timezone.now()
    spent.spend(purpose="test.ticket", value="old", expires_at=now - HOUR)
    spent.spend(purpose="test.ticket", value="new", expires_at=now + HOUR)
    assert spent.purge_expired(now=now) == 1
    assert not spent.spend(purpose="test.ticket", value="new", expires_at=now + HOUR)


@pytest.mark.parametrize("purpose", ["", "p" * 41])
def test_a_purpose_must_be_named_and_short(purpose):
    with pytest.raises(ValueError, match="purpose"):
        spent.spend(purpose=purpose, value="v", expires_at=timezone.now())
