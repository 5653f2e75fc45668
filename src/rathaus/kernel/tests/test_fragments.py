"""Version stamps of cached page fragments: stable until a change commits, then new everywhere."""

import pytest
from django.core.cache import cache
from django.db import transaction

from rathaus.kernel import fragments


def test_a_stamp_stays_the_same_until_it_is_renewed():
    first = fragments.stamp("probe")
    assert fragments.stamp("probe") == first
    assert fragments.stamp("other") != first
    fragments.renew("probe")
    assert fragments.stamp("probe") != first


def test_a_lost_stamp_is_created_anew():
    """A cleared or restarted cache cannot bring back an old stamp: fragments render again."""
    first = fragments.stamp("probe")
    cache.clear()
    second = fragments.stamp("probe")
    assert second != first
    assert fragments.stamp("probe") == second


@pytest.mark.django_db
def test_the_stamp_is_renewed_only_once_the_change_commits(django_capture_on_commit_callbacks):
    """A reader during the transaction still gets the old stamp (it would cache the old data under
    it); a rolled-back change renews nothing."""
    first = fragments.stamp("probe")
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        fragments.renew_on_commit("probe")
    assert fragments.stamp("probe") == first
    for callback in callbacks:
        callback()
    renewed = fragments.stamp("probe")
    assert renewed != first
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        try:
            with transaction.atomic():
                fragments.renew_on_commit("probe")
                raise RuntimeError("rolled back")
        except RuntimeError:
            pass
    assert callbacks == []
    assert fragments.stamp("probe") == renewed


@pytest.mark.django_db
def test_a_failed_renewal_is_logged_and_does_not_fail_the_committed_change(
    monkeypatch, caplog, django_capture_on_commit_callbacks
):
    def unreachable(*_args, **_kwargs):
        raise ConnectionError("cache unreachable")

    monkeypatch.setattr(cache, "set", unreachable)
    with django_capture_on_commit_callbacks(execute=True):
        fragments.renew_on_commit("probe")
    assert "Could not renew the fragment stamp of probe" in caplog.text


def test_an_unreachable_cache_gives_a_stamp_for_this_request_only(monkeypatch, caplog):
    """The page still renders (its fragments afresh, under a stamp no other request shares)."""

    def unreachable(*_args, **_kwargs):
        raise ConnectionError("cache unreachable")

    monkeypatch.setattr(cache, "get", unreachable)
    first, second = fragments.stamp("probe"), fragments.stamp("probe")
    assert first != second
    assert "Could not read the fragment stamp of probe" in caplog.text


def test_a_stamp_lost_at_once_is_not_shared_with_a_later_request(monkeypatch):
    """A cache that keeps nothing (culled at once) must not make every request share one stamp
    such as "None", under which an old fragment could be found again."""
    monkeypatch.setattr(cache, "add", lambda *_args, **_kwargs: False)
    monkeypatch.setattr(cache, "get", lambda *_args, **_kwargs: None)
    assert fragments.stamp("probe") != fragments.stamp("probe")
