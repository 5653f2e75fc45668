"""find()'s answers are cached per process and invalidated when a change of the index commits.

These tests commit (``transaction=True``): inside a transaction the caches are not used.
"""

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from rathaus.kernel import search
from rathaus.kernel.models import SearchStamp
from rathaus.kernel.search import cache

committed = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _empty_caches():
    cache.forget_all()
    yield
    cache.forget_all()


def keys(results):
    return [hit.key for hit in results.hits]


def queries_of(call):
    with CaptureQueriesContext(connection) as captured:
        result = call()
    return result, [query["sql"] for query in captured.captured_queries]


@committed
def test_a_repeated_search_is_answered_from_the_cache_with_one_query():
    search.index_document(kind="t", key="a", title="Hundesteuer anmelden", body="Für jeden Hund.")
    first = search.find("Hundesteuer")
    again, sql = queries_of(lambda: search.find("Hundesteuer"))
    assert keys(again) == keys(first) == ["a"]
    assert again.total == first.total == 1
    assert len(sql) == 1 and "kernel_searchstamp" in sql[0]  # only the stamps, no search


@committed
def test_indexing_a_document_invalidates_cached_answers():
    search.index_document(kind="t", key="a", title="Hundesteuer anmelden", body="")
    assert keys(search.find("Hundesteuer")) == ["a"]
    search.index_document(kind="t", key="b", title="Hundesteuer abmelden", body="")
    assert sorted(keys(search.find("Hundesteuer"))) == ["a", "b"]


@committed
def test_removing_a_document_invalidates_cached_answers():
    search.index_document(kind="t", key="a", title="Hundesteuer anmelden", body="")
    assert search.find("Hundesteuer").total == 1
    assert search.remove_document(kind="t", key="a") is True
    assert search.find("Hundesteuer").total == 0


@committed
def test_a_new_spelling_reaches_the_cached_typo_vocabulary():
    search.index_document(kind="t", key="a", title="Hundesteuer", body="")
    assert search.find("Katzenklappe").total == 0  # builds and caches the vocabulary
    search.index_document(kind="t", key="b", title="Katzenklappe", body="")
    assert keys(search.find("Katzenkalppe")) == ["b"]  # a typo of the new word is corrected


@committed
def test_moving_a_document_out_of_public_invalidates_public_answers():
    search.index_document(kind="t", key="a", title="Hundesteuer", body="")
    assert search.find("Hundesteuer").total == 1
    search.index_document(kind="t", key="a", title="Hundesteuer", body="", visibility="staff")
    assert search.find("Hundesteuer").total == 0
    assert search.find("Hundesteuer", visibility=["staff"]).total == 1


@committed
def test_changes_of_other_visibilities_keep_public_answers_cached():
    search.index_document(kind="t", key="a", title="Hundesteuer", body="")
    search.find("Hundesteuer")
    search.index_document(kind="t", key="intern", title="Hundesteuer intern", body="", visibility="staff")
    again, sql = queries_of(lambda: search.find("Hundesteuer"))
    assert keys(again) == ["a"] and len(sql) == 1


@committed
def test_a_change_committed_by_another_process_is_seen_through_the_stamp():
    """Another process changes the rows and the stamp; this process's cache is not told."""
    search.index_document(kind="t", key="a", title="Hundesteuer", body="")
    assert search.find("Hundesteuer").total == 1
    with connection.cursor() as cursor:  # what the other process's remove_document commits
        if connection.vendor != "postgresql":
            cursor.execute("DELETE FROM kernel_search_fts")
        cursor.execute("DELETE FROM kernel_searchdocument")
    cached, _ = queries_of(lambda: search.find("Hundesteuer"))
    assert cached.total == 1  # the cache is really used: same stamp, old answer
    SearchStamp.objects.filter(visibility="public").update(stamp="from-another-process")
    assert search.find("Hundesteuer").total == 0


@committed
def test_a_rolled_back_change_writes_no_stamp_and_leaves_no_answer_behind():
    search.index_document(kind="t", key="a", title="Hundesteuer", body="")
    stamp = SearchStamp.objects.get(visibility="public").stamp
    with pytest.raises(RuntimeError), transaction.atomic():
        search.index_document(kind="t", key="b", title="Hundesteuer neu", body="")
        # Inside the transaction the caches are neither read nor filled.
        assert sorted(keys(search.find("Hundesteuer"))) == ["a", "b"]
        raise RuntimeError("rollback")
    assert SearchStamp.objects.get(visibility="public").stamp == stamp
    assert keys(search.find("Hundesteuer")) == ["a"]


@committed
def test_cached_answers_are_copies(settings):
    search.index_document(kind="t", key="a", title="Hundesteuer", body="")
    search.find("Hundesteuer").hits.clear()
    assert keys(search.find("Hundesteuer")) == ["a"]


@committed
def test_size_zero_turns_the_answer_cache_off(settings):
    settings.SEARCH_RESULTS_CACHE_SIZE = 0
    search.index_document(kind="t", key="a", title="Hundesteuer", body="")
    search.find("Hundesteuer")
    again, sql = queries_of(lambda: search.find("Hundesteuer"))
    assert keys(again) == ["a"] and len(sql) == 2  # stamps, then the search itself
    assert len(cache.results) == 0


def test_store_keeps_the_newest_entries_and_drops_them_by_visibility():
    store = cache.Store(lambda: 2, max_age=60.0)
    for number in range(3):
        store.put(number, visibility=["public"] if number else ["staff"], stamps=("s",), value=number)
    assert store.get(0, ("s",)) is None  # evicted, least recently used
    assert store.get(1, ("other",)) is None  # built under another stamp
    assert store.get(2, ("s",)) == 2
    store.forget(["staff"])
    assert store.get(2, ("s",)) == 2
    store.forget(["public"])
    assert store.get(2, ("s",)) is None


@committed
def test_one_transaction_writes_the_stamps_once():
    search.index_document(kind="t", key="old", title="Hundesteuer", body="", visibility="staff")
    with CaptureQueriesContext(connection) as captured, transaction.atomic():
        for number in range(5):
            search.index_document(kind="t", key=str(number), title="Hundesteuer", body="")
        with pytest.raises(RuntimeError), transaction.atomic():
            search.index_document(kind="t", key="neu", title="Hundesteuer", body="", visibility="staff")
            raise RuntimeError("rollback")
    writes = [  # the changes of the rolled-back savepoint may stamp "staff" too: harmless
        q["sql"] for q in captured.captured_queries if "INSERT INTO" in q["sql"] and "searchstamp" in q["sql"]
    ]
    assert len(writes) == 1
    assert SearchStamp.objects.get(visibility="public").stamp
    assert search.find("Hundesteuer").total == 5
    assert search.find("Hundesteuer", visibility=["staff"]).total == 1


@committed
def test_a_change_after_a_rolled_back_savepoint_still_invalidates():
    search.index_document(kind="t", key="a", title="Hundesteuer", body="")
    assert keys(search.find("Hundesteuer")) == ["a"]
    with transaction.atomic():
        with pytest.raises(RuntimeError), transaction.atomic():
            search.index_document(kind="t", key="b", title="Hundesteuer", body="")
            raise RuntimeError("rollback")
        search.index_document(kind="t", key="c", title="Hundesteuer", body="")
    assert sorted(keys(search.find("Hundesteuer"))) == ["a", "c"]
