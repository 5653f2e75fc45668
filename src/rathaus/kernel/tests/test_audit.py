"""Hash-chained audit log: recording, verification, tamper detection, immutability."""

import hashlib
import hmac
import json
import threading
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, transaction
from django.utils import timezone

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


def _forge(seq_from: int, *, use_key: bytes | None = None) -> None:
    """The attack of the security review: change an entry with SQL, then recompute every
    following hash with the public function, as someone with database access but without
    the chain key can (``use_key`` None: plain SHA-256 and the legacy marker)."""
    entries = list(AuditEntry.objects.filter(seq__gte=seq_from).order_by("seq"))
    prev = (
        AuditEntry.objects.filter(seq=seq_from - 1).values_list("hash", flat=True).first()
        or audit.GENESIS_HASH
    )
    with connection.cursor() as cursor:
        for entry in entries:
            if entry.seq == seq_from:
                entry.purpose = "forged"
            entry.prev_hash = prev
            canonical = audit._canonical(entry)
            if use_key is None:
                entry.hash = hashlib.sha256(canonical).hexdigest()
                key_id = ""
            else:
                entry.hash = hmac.new(use_key, canonical, hashlib.sha256).hexdigest()
                key_id = entry.key_id
            cursor.execute(
                "UPDATE kernel_auditentry SET purpose = %s, prev_hash = %s, hash = %s, key_id = %s"
                " WHERE seq = %s",
                [entry.purpose, entry.prev_hash, entry.hash, key_id, entry.seq],
            )
            prev = entry.hash


@pytest.mark.django_db
def test_rechaining_after_a_change_is_detected_without_the_key():
    """Issue 11, finding 4: recomputing the following hashes no longer makes the chain "intakt"."""
    # given
    _chain(5)
    # when: rewrite entry 2 and re-chain with a guessed key and without one
    _forge(2, use_key=b"guessed-key")
    # then
    result = audit.verify()
    assert (result.ok, result.first_broken_seq, result.reason) == (False, 2, "hash_mismatch")


@pytest.mark.django_db
def test_rechain_as_unkeyed_entries_is_refused():
    """Re-chaining everything with plain SHA-256, as before keying, does not pass either."""
    _chain(4)
    _forge(1, use_key=None)
    result = audit.verify()
    assert (result.ok, result.first_broken_seq, result.reason) == (False, 1, "unkeyed")


@pytest.mark.django_db(transaction=True)
def test_migration_rechains_a_verified_legacy_chain_and_refuses_a_broken_one():
    """Migration 0004 keys the entries of an upgraded installation, only if their old chain holds."""
    from django.db.migrations.executor import MigrationExecutor

    def legacy_chain(count):
        rows, prev = [], audit.GENESIS_HASH
        for seq in range(1, count + 1):
            row = AuditEntry(
                seq=seq,
                created_at=timezone.now(),
                actor_type="system",
                actor_label="alt",
                action="old.event",
                details={"n": seq},
                prev_hash=prev,
            )
            row.hash = audit.legacy_hash(row)
            prev = row.hash
            rows.append(row)
        return rows

    def migrate(target):
        executor = MigrationExecutor(connection)
        executor.loader.build_graph()
        executor.migrate([("kernel", target)])

    migrate("0003_auditentry_key_id")
    try:
        with connection.cursor() as cursor:
            for row in legacy_chain(5):
                cursor.execute(
                    "INSERT INTO kernel_auditentry (seq, created_at, actor_type, actor_id, actor_label,"
                    " action, target_type, target_id, purpose, legal_basis, details, prev_hash, hash, key_id)"
                    " VALUES (%s, %s, 'system', '', 'alt', 'old.event', '', '', '', '', %s, %s, %s, '')",
                    [row.seq, row.created_at, json.dumps(row.details), row.prev_hash, row.hash],
                )
            cursor.execute("UPDATE kernel_auditentry SET purpose = 'forged' WHERE seq = 4")
        with pytest.raises(RuntimeError, match="broken at entry 4"):
            migrate("0004_audit_chain_keyed")
        with connection.cursor() as cursor:
            cursor.execute("UPDATE kernel_auditentry SET purpose = '' WHERE seq = 4")
        migrate("0004_audit_chain_keyed")
        assert audit.verify() == audit.VerifyResult(ok=True, checked=5)
        assert set(AuditEntry.objects.values_list("key_id", flat=True)) == {audit.current_key_id()}
    finally:
        # Back to the newest kernel migration (later ones build on 0004).
        migrate(MigrationExecutor(connection).loader.graph.leaf_nodes("kernel")[0][1])
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM kernel_auditentry")


@pytest.mark.django_db
def test_rotated_key_verifies_old_entries_and_signs_new_ones(settings):
    _chain(2)
    old_key = f"rathaus-audit-chain:{settings.SECRET_KEY}"
    settings.AUDIT_CHAIN_KEY = "n" * 40
    assert audit.verify().reason == "unknown_key"
    settings.AUDIT_CHAIN_OLD_KEYS = [old_key]
    _chain(2)
    assert audit.verify() == audit.VerifyResult(ok=True, checked=4)
    assert AuditEntry.objects.values("key_id").distinct().count() == 2


@pytest.mark.django_db
def test_checkpoint_detects_removed_newest_entries(tmp_path):
    """Deleting the newest entries leaves a valid chain; a checkpoint kept elsewhere shows it."""
    # given
    _chain(5)
    point = audit.checkpoint()
    assert point is not None and point.seq == 5 and point.is_authentic()
    # when
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM kernel_auditentry WHERE seq >= 4")
    # then
    assert audit.verify().ok
    result = audit.verify(checkpoints=[audit.Checkpoint.from_line(point.to_line())])
    assert (result.ok, result.reason, result.first_broken_seq) == (False, "truncated", 4)


@pytest.mark.django_db
def test_checkpoint_detects_a_chain_rebuilt_with_the_key(settings):
    """Even someone holding the key cannot rewrite history behind a checkpoint."""
    _chain(3)
    point = audit.checkpoint()
    _forge(2, use_key=audit._chain_keys()[audit.current_key_id()])
    assert audit.verify().ok
    result = audit.verify(checkpoints=[point])
    assert (result.ok, result.reason, result.first_broken_seq) == (False, "checkpoint_mismatch", 3)


@pytest.mark.django_db
def test_forged_checkpoint_is_refused():
    _chain(2)
    point = audit.checkpoint()
    forged = audit.Checkpoint(**{**point.__dict__, "seq": 99})
    assert audit.verify(checkpoints=[forged]).reason == "checkpoint_invalid"
    with pytest.raises(ValueError, match="Kein Prüfpunkt"):
        audit.Checkpoint.from_line("not json")


@pytest.mark.django_db
def test_checkpoint_command_appends_and_verify_reads_the_file(tmp_path):
    """`rathaus audit checkpoint --append F` then `rathaus audit verify --checkpoints F`."""
    _chain(3)
    path = tmp_path / "audit-checkpoints.jsonl"
    call_command("audit", "checkpoint", "--append", str(path), stdout=StringIO())
    out = StringIO()
    call_command("audit", "verify", "--checkpoints", str(path), stdout=out)
    assert "3 Einträge geprüft, 1 Prüfpunkte bestätigt" in out.getvalue()
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM kernel_auditentry WHERE seq = 3")
    with pytest.raises(CommandError, match="truncated"):
        call_command("audit", "verify", "--checkpoints", str(path), stdout=StringIO())
    path.write_text("garbage\n")
    with pytest.raises(CommandError, match="Kein Prüfpunkt"):
        call_command("audit", "verify", "--checkpoints", str(path), stdout=StringIO())
