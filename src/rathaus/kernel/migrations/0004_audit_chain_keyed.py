"""Re-chain the audit log under the HMAC key (docs/decisions/0011).

Entries written before keying carry plain SHA-256. Their chain is verified first; a broken
one stops the migration (re-chaining would launder the tampering): run ``rathaus audit verify``
on the previous release, investigate, then migrate. Each entry is then hashed again with
HMAC-SHA256 under ``AUDIT_CHAIN_KEY``; contents, order and sequence numbers stay as they were.
"""

from django.db import migrations

CHUNK = 2000


def rechain(apps, schema_editor):
    from rathaus.kernel import audit

    entry_model = apps.get_model("kernel", "AuditEntry")
    key_id = audit.current_key_id()
    key = audit._chain_keys()[key_id]
    old_prev, new_prev, expected_seq = audit.GENESIS_HASH, audit.GENESIS_HASH, 1
    batch = []
    for entry in entry_model.objects.order_by("seq").iterator(chunk_size=CHUNK):
        if entry.key_id:
            raise RuntimeError(f"Audit entry {entry.seq} is already keyed; migration 0004 runs once, on old entries.")
        if entry.seq != expected_seq or entry.prev_hash != old_prev or audit.legacy_hash(entry) != entry.hash:
            raise RuntimeError(
                f"The audit chain is broken at entry {entry.seq} (or earlier); it is not re-chained, so the "
                "damage stays visible. Run 'rathaus audit verify' with the previous release and investigate."
            )
        old_prev = entry.hash
        entry.prev_hash = new_prev
        entry.key_id = key_id
        entry.hash = audit.hmac.new(key, audit._canonical(entry), audit.hashlib.sha256).hexdigest()
        new_prev = entry.hash
        expected_seq += 1
        batch.append(entry)
        if len(batch) >= CHUNK:
            entry_model.objects.bulk_update(batch, ["prev_hash", "key_id", "hash"])
            batch = []
    if batch:
        entry_model.objects.bulk_update(batch, ["prev_hash", "key_id", "hash"])


class Migration(migrations.Migration):
    dependencies = [("kernel", "0003_auditentry_key_id")]

    operations = [migrations.RunPython(rechain, migrations.RunPython.noop)]
