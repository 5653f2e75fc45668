"""Content-addressed file storage: bytes are stored once, under their SHA-256.

The Django storage alias ``settings.BLOB_STORAGE_ALIAS`` ("blobs") decides where: the
file system by default, S3-compatible object storage in production. Paths look like
``ab/cd/abcdef…`` (the full hash); a stored file is never overwritten, because the same
name always means the same bytes.

``store()`` reads the input once, in chunks, hashing and counting as it goes; input over
the size limit is refused before anything is stored, and the type is taken from the
content, not from the name or the declared type (which must agree with the content).

Every new file is scanned for malware before it is written (``kernel.malware``: ClamAV, refusing
with ``MalwareFound`` or, when no scan is possible, ``ScanUnavailable``).

Every file is encrypted at rest (``kernel.blob_crypto``: AES-256-GCM, key from settings):
``open_blob`` and ``read_bytes`` return the plaintext after checking its SHA-256; nothing else
reads the storage directly. ``stored_problem`` checks one stored file (backup, ``backup check``),
``rekey`` seals every file again under the current key after a key rotation.

Public API: ``store``, ``open_blob``, ``read_bytes``, ``stored_problem``, ``rekey``,
``encryption_status``, ``Blob``, ``BlobError`` and its
subclasses ``BlobTooLarge``, ``BlobEmpty``, ``BlobTypeMismatch``, ``BlobTypeNotAllowed``,
``BlobCorrupted``; ``DOCUMENT_TYPES`` (a sensible ``allowed_types`` for uploads).
"""

from __future__ import annotations

import hashlib
import io
import math
import os
import re
import tempfile
import unicodedata
from collections.abc import Callable, Collection
from typing import IO

from django.conf import settings
from django.core.files import File
from django.core.files.storage import storages
from django.db import IntegrityError, transaction

from . import blob_crypto, filetypes, malware
from .exceptions import RathausError
from .models import Blob

__all__ = [
    "DOCUMENT_TYPES",
    "Blob",
    "BlobCorrupted",
    "BlobEmpty",
    "BlobError",
    "BlobTooLarge",
    "BlobTypeMismatch",
    "BlobTypeNotAllowed",
    "encryption_status",
    "open_blob",
    "read_bytes",
    "rekey",
    "store",
    "stored_problem",
]

CHUNK = 64 * 1024
HEAD = 64 * 1024
# After the limit is passed, keep counting (without storing) up to this factor so the
# message can say how large the file is; beyond it the message says "mehr als".
_COUNT_FACTOR = 4

DOCUMENT_TYPES = frozenset(
    {
        filetypes.PDF,
        "image/png",
        "image/jpeg",
        "image/tiff",
        filetypes.XML,
        filetypes.TEXT,
        filetypes.CSV,
        filetypes.DOCX,
        filetypes.XLSX,
        "application/vnd.oasis.opendocument.text",
        "application/vnd.oasis.opendocument.spreadsheet",
    }
)


class BlobError(RathausError):
    http_status = 422
    default_code = "file_invalid"
    default_message = "Die Datei kann nicht angenommen werden."


class BlobTooLarge(BlobError):
    http_status = 413
    default_code = "file_too_large"


class BlobEmpty(BlobError):
    default_code = "file_empty"
    default_message = "Die Datei ist leer."


class BlobTypeMismatch(BlobError):
    http_status = 415
    default_code = "file_type_mismatch"


class BlobTypeNotAllowed(BlobError):
    http_status = 415
    default_code = "file_type_not_allowed"


class BlobCorrupted(BlobError):
    http_status = 500
    default_code = "file_corrupted"
    default_message = "Die gespeicherte Datei ist beschädigt (Prüfsumme stimmt nicht)."


def _megabytes(size: int, *, round_up: bool = False) -> str:
    """``size`` in MB (2^20 bytes) with at most one decimal, German notation. ``round_up`` for
    a size over a limit: 25 MB + 1 byte reads "25,1 MB", never "25,0 MB" (which looked as if
    a file of exactly the allowed size had been refused)."""
    value = size / (1024 * 1024)
    if round_up:
        value = math.ceil(value * 10) / 10
    text = f"{value:.0f}" if value == int(value) else f"{value:.1f}"
    return text.replace(".", ",") + " MB"


def safe_filename(filename: str) -> str:
    """A display name without directories, control characters or surrounding dots."""
    name = unicodedata.normalize("NFC", str(filename)).replace("\\", "/").rsplit("/", 1)[-1]
    name = re.sub(r"[\x00-\x1f\x7f]", "", name).strip().strip(".").strip()
    return name[:255] or "datei"


def _storage():
    return storages[settings.BLOB_STORAGE_ALIAS]


def _as_stream(content: bytes | bytearray | IO[bytes]) -> IO[bytes]:
    if isinstance(content, bytes | bytearray | memoryview):
        return io.BytesIO(bytes(content))
    if hasattr(content, "seekable") and content.seekable():
        content.seek(0)
    return content


def _declared_size(content: object) -> int | None:
    size = getattr(content, "size", None)
    return size if isinstance(size, int) else None


def _too_large(filename: str, size: int, limit: int, exact: bool) -> BlobTooLarge:
    prefix = "" if exact else "mehr als "
    return BlobTooLarge(
        f"Die Datei „{filename}“ ist {prefix}{_megabytes(size, round_up=True)} groß; "
        f"erlaubt sind höchstens {_megabytes(limit)}."
    )


def _check_type(
    *, filename: str, detected: str, declared_type: str | None, allowed_types: Collection[str] | None
) -> str:
    """The type to record, after checking it against name, declaration and allow-list."""
    claims = []
    if declared_type:
        claims.append(("laut Angabe", filetypes.normalise(declared_type)))
    from_name = filetypes.type_from_filename(filename)
    if from_name:
        claims.append(("laut Dateiname", from_name))
    for source, claimed in claims:
        if not filetypes.fits(detected, claimed):
            raise BlobTypeMismatch(
                f"Die Datei „{filename}“ ist {source} vom Typ „{filetypes.label(claimed)}“, "
                f"ihr Inhalt ist aber vom Typ „{filetypes.label(detected)}“. "
                "Bitte laden Sie die richtige Datei hoch."
            )
    # A generic detection ("text/plain", "application/zip") takes the more specific
    # claim it was found compatible with (e.g. "text/csv", a .docx).
    final = detected
    for _, claimed in sorted(claims, key=lambda claim: claim[0] != "laut Dateiname"):
        if claimed != filetypes.OCTET and claimed != detected:
            final = claimed
            break
    if allowed_types is not None:
        allowed = {filetypes.normalise(kind) for kind in allowed_types}
        if final not in allowed and detected not in allowed:
            names = ", ".join(sorted(filetypes.label(kind) for kind in allowed))
            raise BlobTypeNotAllowed(
                f"Dateien vom Typ {filetypes.label(final)} sind hier nicht erlaubt. Erlaubt: {names}."
            )
    return final


def store(
    *,
    content: bytes | IO[bytes],
    filename: str,
    declared_type: str | None = None,
    allowed_types: Collection[str] | None = None,
    max_bytes: int | None = None,
) -> Blob:
    """Store ``content`` and return its ``Blob`` (the existing one if the bytes are known).

    Raises ``BlobTooLarge`` (nothing stored), ``BlobEmpty``, ``BlobTypeMismatch`` when the
    declared type or the file name's extension contradicts the content, and
    ``BlobTypeNotAllowed`` when ``allowed_types`` is given and the type is not in it.
    ``filename`` is only kept for display; it never becomes part of a path.
    """
    name = safe_filename(filename)
    limit = max_bytes if max_bytes is not None else settings.BLOB_MAX_UPLOAD_BYTES
    known_size = _declared_size(content) if not isinstance(content, bytes | bytearray) else len(content)
    if known_size is not None and known_size > limit:
        raise _too_large(name, known_size, limit, exact=True)
    stream = _as_stream(content)
    digest = hashlib.sha256()
    size = 0
    head = b""
    with tempfile.SpooledTemporaryFile(max_size=4 * 1024 * 1024) as spool:
        while chunk := stream.read(CHUNK):
            size += len(chunk)
            if size > limit:
                # Count on (bounded) so the message is precise, but store nothing.
                while size <= limit * _COUNT_FACTOR and (more := stream.read(CHUNK)):
                    size += len(more)
                raise _too_large(name, size, limit, exact=not stream.read(1))
            if len(head) < HEAD:
                head += chunk[: HEAD - len(head)]
            digest.update(chunk)
            spool.write(chunk)
        if size == 0:
            raise BlobEmpty(f"Die Datei „{name}“ ist leer.")
        content_type = _check_type(
            filename=name,
            detected=filetypes.detect(head),
            declared_type=declared_type,
            allowed_types=allowed_types,
        )
        sha256 = digest.hexdigest()
        existing = Blob.objects.filter(sha256=sha256).first()
        if existing is not None and stored_matches(path=existing.path, sha256=sha256):
            return existing
        spool.seek(0)
        data = spool.read()
        # Nothing unscanned is stored (kernel.malware; off where RATHAUS_CLAMD is not set).
        malware.scan(data, filename=name)
        sealed = blob_crypto.seal(data, sha256=sha256)
        _write_once(_blob_path(sha256), sealed, sha256=sha256)
    return _row(sha256=sha256, size=size, content_type=content_type, filename=name, known=existing)


def _write_once(path: str, data: bytes, *, sha256: str) -> None:
    """Put ``data`` at ``path`` unless it is there already (same path = same bytes). A file
    there that does not open to ``sha256`` is the torn rest of a write killed half-way (the file
    system storage writes in place): it is replaced, so that a crash leaves the old or the new file."""
    storage = _storage()
    if storage.exists(path):
        if not stored_matches(path=path, sha256=sha256):
            _replace(path, data)
        return
    saved = storage.save(path, File(io.BytesIO(data), name=os.path.basename(path)))
    if saved != path:
        # Another process stored the same bytes a moment earlier and the storage picked a
        # fresh name for this copy; keep the original and drop the duplicate.
        storage.delete(saved)


def _row(*, sha256: str, size: int, content_type: str, filename: str, known: Blob | None) -> Blob:
    """The row of the stored bytes: ``known`` (its file was torn and is now whole again), else a
    new one; a parallel store of the same bytes that inserted first wins (unique ``sha256``)."""
    if known is not None:
        return known
    try:
        with transaction.atomic():
            return Blob.objects.create(sha256=sha256, size=size, content_type=content_type, filename=filename)
    except IntegrityError:
        return Blob.objects.get(sha256=sha256)


def _blob_path(sha256: str) -> str:
    return f"{sha256[:2]}/{sha256[2:4]}/{sha256}"


def _read_stored(path: str) -> bytes:
    storage = _storage()
    try:
        with storage.open(path, "rb") as handle:
            return bytes(handle.read())
    except FileNotFoundError:
        # A rekey interrupted between removing the old file and writing the new one (object
        # stores only) left the new copy beside it.
        with storage.open(path + REKEY_SUFFIX, "rb") as handle:
            return bytes(handle.read())


def _plaintext(sha256: str) -> bytes:
    try:
        opened = blob_crypto.open_stored(_read_stored(_blob_path(sha256)), sha256=sha256)
    except blob_crypto.SealError as error:
        raise BlobCorrupted(str(error)) from error
    if hashlib.sha256(opened.plaintext).hexdigest() != sha256:
        raise BlobCorrupted()
    return opened.plaintext


def open_blob(blob: Blob) -> IO[bytes]:
    """The stored bytes (decrypted, checked against the SHA-256) as a binary file object."""
    return io.BytesIO(read_bytes(blob))


def read_bytes(blob: Blob) -> bytes:
    """All stored bytes, decrypted and checked against the SHA-256 (``BlobCorrupted`` if they
    differ or do not decrypt)."""
    return _plaintext(blob.sha256)


def stored_problem(*, sha256: str, size: int) -> str | None:
    """What is wrong with the stored file of the blob ``sha256`` (German, for operators), or
    None when it is there, opens with a configured key and has the right hash and size."""
    try:
        plaintext = _plaintext(sha256)
    except FileNotFoundError:
        return f"Datei {sha256} fehlt im Speicher."
    except BlobCorrupted as error:
        reason = (
            "Prüfsumme stimmt nicht." if error.message == BlobCorrupted.default_message else error.message
        )
        return f"Datei {sha256}: {reason}"
    if len(plaintext) != size:
        return f"Datei {sha256}: {len(plaintext)} Bytes statt {size}."
    return None


def stored_matches(*, path: str, sha256: str) -> bool:
    """Whether the file at ``path`` in the blob store opens and has the SHA-256 ``sha256``."""
    try:
        opened = blob_crypto.open_stored(_read_stored(path), sha256=sha256)
    except (FileNotFoundError, blob_crypto.SealError):
        return False
    return hashlib.sha256(opened.plaintext).hexdigest() == sha256


REKEY_SUFFIX = ".rekey"


def _replace(path: str, data: bytes) -> None:
    """Overwrite the file at ``path`` so that a crash leaves the old or the new file."""
    storage = _storage()
    try:
        target = storage.path(path)
    except NotImplementedError:
        # Object storage: keep the new copy beside the old one until the old one is replaced;
        # ``_read_stored`` falls back to the copy.
        copy = path + REKEY_SUFFIX
        if storage.exists(copy):
            storage.delete(copy)
        storage.save(copy, File(io.BytesIO(data), name=os.path.basename(copy)))
        storage.delete(path)
        storage.save(path, File(io.BytesIO(data), name=os.path.basename(path)))
        storage.delete(copy)
        return
    temporary = f"{target}{REKEY_SUFFIX}"
    with open(temporary, "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(temporary, target)


def encryption_status() -> dict[str, int]:
    """How many stored files are sealed under the current key, an old key, or are plain."""
    current = blob_crypto.current_key_id()
    counts = {"current": 0, "old": 0, "plain": 0, "missing": 0}
    for sha256 in Blob.objects.order_by("sha256").values_list("sha256", flat=True).iterator():
        try:
            stored = _read_stored(_blob_path(sha256))
        except FileNotFoundError:
            counts["missing"] += 1
            continue
        key_id = blob_crypto.stored_key_id(stored)
        counts["plain" if key_id is None else "current" if key_id == current else "old"] += 1
    return counts


def rekey(*, progress: Callable[[int, int], None] | None = None) -> int:
    """Seal every file not yet under the current key (plain or an old key) again under it;
    the number of files rewritten. Each file is checked against its SHA-256 first; a file that
    does not open raises ``BlobCorrupted`` and stays as it is."""
    current = blob_crypto.current_key_id()
    hashes = list(Blob.objects.order_by("sha256").values_list("sha256", flat=True))
    rewritten = 0
    for done, sha256 in enumerate(hashes, start=1):
        path = _blob_path(sha256)
        try:
            stored = _read_stored(path)
        except FileNotFoundError:
            stored = None
        if stored is not None and blob_crypto.stored_key_id(stored) != current:
            _replace(path, blob_crypto.seal(_plaintext(sha256), sha256=sha256))
            rewritten += 1
        if progress:
            progress(done, len(hashes))
    return rewritten
