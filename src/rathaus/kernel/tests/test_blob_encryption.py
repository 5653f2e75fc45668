"""Encryption at rest: what lies in the blob store is sealed; keys rotate without loss."""

import hashlib
import io

import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.core.management import CommandError, call_command

from rathaus.kernel import backup, blob_crypto, blobs, notify
from rathaus.kernel.models import Blob

MARKER = b"Geheimer-Vermerk-7f3a: Steuer-ID 12 345 678 901"
DOCUMENT = b"Aktennotiz\n" + MARKER + b"\n" * 20


def _stored_bytes(blob_storage) -> list[bytes]:
    return [path.read_bytes() for path in blob_storage.rglob("*") if path.is_file()]


@pytest.mark.django_db
def test_plaintext_marker_never_lies_in_the_blob_store(blob_storage, make_user):
    """A document and a postbox attachment are stored; no file in the store holds the marker."""
    document = blobs.store(content=DOCUMENT, filename="vermerk.txt")
    attachment = blobs.store(content=DOCUMENT + b"Anlage", filename="anlage.txt")
    notify.postbox_send(
        recipient=make_user(),
        subject="Ihr Bescheid",
        body="Im Anhang.",
        sender_label="Bürgeramt Mitte",
        attachments=[("anlage.txt", attachment)],
        notify_by_email=False,
    )
    stored = _stored_bytes(blob_storage)
    assert len(stored) == 2
    assert not any(MARKER in data for data in stored)
    assert all(data.startswith(blob_crypto.MAGIC) for data in stored)
    # ... and reading through the store gives the plaintext back
    assert blobs.read_bytes(document) == DOCUMENT
    assert blobs.open_blob(attachment).read() == DOCUMENT + b"Anlage"


@pytest.mark.django_db
def test_a_sealed_file_moved_to_another_name_does_not_open(blob_storage):
    """The SHA-256 is bound to the ciphertext: swapping two stored files is detected."""
    first = blobs.store(content=DOCUMENT, filename="a.txt")
    second = blobs.store(content=DOCUMENT + b"2", filename="b.txt")
    (blob_storage / first.path).write_bytes((blob_storage / second.path).read_bytes())
    with pytest.raises(blobs.BlobCorrupted):
        blobs.read_bytes(first)


@pytest.mark.django_db
def test_a_changed_byte_in_a_sealed_file_is_detected(blob_storage):
    blob = blobs.store(content=DOCUMENT, filename="a.txt")
    path = blob_storage / blob.path
    data = bytearray(path.read_bytes())
    data[-20] ^= 0x01
    path.write_bytes(bytes(data))
    with pytest.raises(blobs.BlobCorrupted):
        blobs.read_bytes(blob)


@pytest.mark.django_db
def test_key_rotation_keeps_every_file_readable_and_rekey_moves_them_to_the_new_key(blob_storage, settings):
    settings.BLOB_ENCRYPTION_KEY = "first-key-" + "1" * 40
    blob = blobs.store(content=DOCUMENT, filename="a.txt")
    first_id = blob_crypto.current_key_id()

    # rotation: a new key, the old one kept for reading
    settings.BLOB_ENCRYPTION_KEY = "second-key-" + "2" * 40
    settings.BLOB_ENCRYPTION_OLD_KEYS = ["first-key-" + "1" * 40]
    assert blob_crypto.current_key_id() != first_id
    assert blobs.read_bytes(blob) == DOCUMENT
    assert blobs.encryption_status() == {"current": 0, "old": 1, "plain": 0, "missing": 0}

    out = io.StringIO()
    call_command("blobs", "rekey", "--no-progress", stdout=out)
    assert "1 Datei neu verschlüsselt." in out.getvalue()
    assert blobs.encryption_status() == {"current": 1, "old": 0, "plain": 0, "missing": 0}
    assert blob_crypto.stored_key_id((blob_storage / blob.path).read_bytes()) == blob_crypto.current_key_id()

    # the old key can go now
    settings.BLOB_ENCRYPTION_OLD_KEYS = []
    assert blobs.read_bytes(blob) == DOCUMENT
    assert not list(blob_storage.rglob("*.rekey"))


@pytest.mark.django_db
def test_a_file_under_a_key_that_is_not_configured_is_reported_not_guessed(blob_storage, settings):
    settings.BLOB_ENCRYPTION_KEY = "first-key-" + "1" * 40
    blob = blobs.store(content=DOCUMENT, filename="a.txt")
    settings.BLOB_ENCRYPTION_KEY = "second-key-" + "2" * 40
    with pytest.raises(blobs.BlobCorrupted, match="BLOB_ENCRYPTION_OLD_KEYS"):
        blobs.read_bytes(blob)
    report = backup.check_installation()
    assert any("BLOB_ENCRYPTION_OLD_KEYS" in problem for problem in report.problems)


@pytest.mark.django_db
def test_files_stored_before_encryption_are_read_and_sealed_by_rekey(blob_storage):
    """An installation upgraded from before encryption keeps working; rekey seals its files."""
    sha256 = hashlib.sha256(DOCUMENT).hexdigest()
    path = f"{sha256[:2]}/{sha256[2:4]}/{sha256}"
    storages[settings.BLOB_STORAGE_ALIAS].save(path, ContentFile(DOCUMENT))
    blob = Blob.objects.create(
        sha256=sha256, size=len(DOCUMENT), content_type="text/plain", filename="alt.txt"
    )
    assert blobs.read_bytes(blob) == DOCUMENT
    assert blobs.encryption_status()["plain"] == 1
    assert blobs.rekey() == 1
    assert MARKER not in (blob_storage / path).read_bytes()
    assert blobs.read_bytes(blob) == DOCUMENT
    assert blobs.rekey() == 0


@pytest.mark.django_db
def test_blobs_command_has_help_and_status():
    with pytest.raises(CommandError):
        call_command("blobs")
    out = io.StringIO()
    call_command("blobs", "status", stdout=out)
    assert "Aktueller Schlüssel: 0" in out.getvalue()
