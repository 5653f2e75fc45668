"""Hash-chained audit log: recording, verification, tamper detection, immutability."""

import threading
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, transaction

from rathaus.kernel import audit
from rathaus.kernel.exceptions import PermissionDenied
from rathaus.kernel.models import AuditEntry


def _chain(n):
    return [audit.record(actor=None, action="test.event", details={"n": i}) for i in range(n)]


@pytest.mark.django_db
def test_entries_form_a_chain_from_genesis(make_user):
    """Each entry links to its predecessor's hash; seq counts up from 1."""
    # given
    staff = make_user("staff")
    # when
    first = audit.record(actor=staff, action="case.created", target=("efile.case", 7), details={"a": 1})
    second = audit.record(actor="importer", action="case.forwarded", target=first)
    # then
    assert (first.seq, second.seq) == (1, 2)
    assert first.prev_hash == audit.GENESIS_HASH
    assert second.prev_hash == first.hash
    assert (first.actor_type, first.actor_id, first.actor_label) == ("staff", str(staff.pk), staff.username)
    assert (second.actor_type, second.actor_label) == ("system", "importer")
    assert (second.target_type, second.target_id) == ("kernel.auditentry", str(first.pk))
    assert audit.verify() == audit.VerifyResult(ok=True, checked=2)


@pytest.mark.django_db
def test_record_read_requires_purpose_and_legal_basis(make_user):
    """A read of personal data without a purpose is refused and leaves no entry."""
    staff = make_user("staff")
    with pytest.raises(ValueError, match="purpose"):
        audit.record_read(actor=staff, subject=("registers.person", 1), purpose=" ", legal_basis="§ 34 BMG")
    with pytest.raises(ValueError, match="legal_basis"):
        audit.record_read(actor=staff, subject=("registers.person", 1), purpose="Antrag", legal_basis="")
    assert AuditEntry.objects.count() == 0


@pytest.mark.django_db
def test_record_read_names_fields_purpose_and_basis(make_user):
    """The read entry says who read which fields of whom, why, and on what legal basis."""
    staff = make_user("staff")
    entry = audit.record_read(
        actor=staff,
        subject=("registers.person", 42),
        purpose="Prüfung Wohngeldantrag W-2024-17",
        legal_basis="§ 23 WoGG",
        fields=("name", "address"),
    )
    assert entry.action == "person.read"
    assert entry.details == {"fields": ["name", "address"]}
    assert list(audit.entries_for_target("registers.person", 42)) == [entry]
    assert list(audit.entries_for_actor(staff)) == [entry]


@pytest.mark.django_db
def test_record_denied(make_user):
    """Refused access is logged as access.denied with the reason."""
    citizen = make_user()
    entry = audit.record_denied(actor=citizen, target_type="efile.case", target_id=9, reason="foreign")
    assert (entry.action, entry.target_id, entry.details) == ("access.denied", "9", {"reason": "foreign"})


@pytest.mark.django_db
def test_details_are_json_without_floats():
    """Decimal and dates become strings; floats are refused (they do not survive jsonb)."""
    entry = audit.record(actor=None, action="fee.set", details={"amount": Decimal("12.30"), "list": [1, "a"]})
    assert AuditEntry.objects.get(pk=entry.pk).details == {"amount": "12.30", "list": [1, "a"]}
    with pytest.raises(TypeError, match="float"):
        audit.record(actor=None, action="x.y", details={"nested": {"score": 0.5}})
    assert audit.verify().ok


@pytest.mark.django_db
def test_entries_cannot_be_changed_or_deleted_through_the_orm():
    """save() on an existing row, delete() and bulk update/delete all raise."""
    entry = audit.record(actor=None, action="test.event")
    entry.action = "something.else"
    with pytest.raises(PermissionDenied):
        entry.save()
    with pytest.raises(PermissionDenied):
        entry.delete()
    with pytest.raises(PermissionDenied):
        AuditEntry.objects.filter(pk=entry.pk).update(action="x")
    with pytest.raises(PermissionDenied):
        AuditEntry.objects.all().delete()
    assert AuditEntry.objects.get(pk=entry.pk).action == "test.event"


@pytest.mark.django_db
def test_entry_is_rolled_back_with_the_callers_transaction():
    """record() joins the service's transaction: no entry for a change that did not happen."""
    audit.record(actor=None, action="kept")
    with pytest.raises(RuntimeError), transaction.atomic():
        audit.record(actor=None, action="rolled.back")
        raise RuntimeError
    after = audit.record(actor=None, action="next")
    assert after.seq == 2
    assert audit.verify().ok


@pytest.mark.django_db
def test_changed_details_are_detected_as_hash_mismatch():
    """Editing a row with raw SQL makes verify name that entry."""
    entries = _chain(5)
    with connection.cursor() as cursor:
        cursor.execute("UPDATE kernel_auditentry SET details = %s WHERE seq = 3", ['{"n": 999}'])
    result = audit.verify()
    assert (result.ok, result.first_broken_seq, result.reason, result.checked) == (
        False,
        3,
        "hash_mismatch",
        2,
    )
    assert result.action == entries[2].action


@pytest.mark.django_db
def test_deleted_row_is_detected_as_gap():
    """Removing an entry from the middle is found at the entry after it."""
    _chain(5)
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM kernel_auditentry WHERE seq = 3")
    result = audit.verify()
    assert (result.ok, result.first_broken_seq, result.reason) == (False, 4, "gap")
    assert "3 fehlt" in result.detail


@pytest.mark.django_db
def test_deleted_and_renumbered_rows_break_the_link():
    """Hiding a deletion by renumbering still breaks the hash link."""
    _chain(4)
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM kernel_auditentry WHERE seq = 2")
        cursor.execute("UPDATE kernel_auditentry SET seq = seq - 1 WHERE seq > 2")
    result = audit.verify()
    assert (result.first_broken_seq, result.reason) == (2, "broken_link")


@pytest.mark.django_db
def test_verify_streams_and_reports_progress():
    """Progress is reported per chunk; the whole chain is checked."""
    _chain(25)
    seen = []
    result = audit.verify(seen.append, chunk_size=10)
    assert result.ok and result.checked == 25
    assert seen == [10, 20, 25]


@pytest.mark.django_db
def test_verify_command_exit_codes():
    """`rathaus audit verify` prints the count when intact and fails naming the entry."""
    _chain(3)
    out = StringIO()
    call_command("audit", "verify", stdout=out)
    assert "3 Einträge" in out.getvalue()
    with connection.cursor() as cursor:
        cursor.execute("UPDATE kernel_auditentry SET purpose = 'forged' WHERE seq = 2")
    with pytest.raises(CommandError, match=r"Eintrag 2 \(test.event\): hash_mismatch") as error:
        call_command("audit", "verify", stdout=StringIO())
    assert error.value.returncode == 1


@pytest.mark.django_db
def test_tail_command_shows_newest_entries():
    """`rathaus audit tail -n 2` lists the last two entries."""
    audit.record(actor=None, action="first.one")
    audit.record(actor=None, action="second.one")
    audit.record(actor=None, action="third.one")
    out = StringIO()
    call_command("audit", "tail", "-n", "2", stdout=out)
    assert "third.one" in out.getvalue() and "second.one" in out.getvalue()
    assert "first.one" not in out.getvalue()


@pytest.mark.django_db(transaction=True)
def test_concurrent_writers_keep_the_chain_intact():
    """Parallel appends from several connections serialise into one valid chain."""
    if connection.vendor == "sqlite":
        pytest.skip("SQLite's in-memory test database is shared-cache; writers serialise by BEGIN IMMEDIATE")
    errors = []

    def writer(number):
        try:
            for index in range(10):
                with transaction.atomic():
                    audit.record(actor=f"writer-{number}", action="test.concurrent", details={"i": index})
        except Exception as error:  # pragma: no cover - reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=writer, args=(number,)) for number in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    result = audit.verify()
    assert result.ok and result.checked == 60
