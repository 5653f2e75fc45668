"""Encryption at rest for stored files (documents, scans, postbox attachments, exports).

Every file the blob store writes is sealed with AES-256-GCM (``cryptography``) under a key
derived (HKDF-SHA256) from ``settings.BLOB_ENCRYPTION_KEY``, which lives outside the database
and outside the blob store: whoever copies the storage (a disk, a bucket, a backup) reads
nothing without it. A sealed file is::

    MAGIC (14 bytes) | key id (8 bytes) | nonce (12 bytes) | ciphertext + GCM tag (16 bytes)

The associated data is the file's SHA-256 (its name in the store), so a sealed file moved to
another name does not open. The key id names the key; after a rotation old keys stay listed in
``BLOB_ENCRYPTION_OLD_KEYS`` until ``rathaus blobs rekey`` has sealed every file again under
the current key. Files stored before encryption (no MAGIC) are read as they are, checked against
their SHA-256, and sealed by ``rekey``.

Without ``BLOB_ENCRYPTION_KEY`` (development, tests) the key is derived from ``SECRET_KEY``;
production refuses to start without it (settings.production).
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings

MAGIC = b"RATHAUS-BLOB\x00\x01"
KEY_ID_BYTES = 8
NONCE_BYTES = 12
HEADER_BYTES = len(MAGIC) + KEY_ID_BYTES + NONCE_BYTES
TAG_BYTES = 16


class SealError(Exception):
    """A sealed file does not open: unknown key, wrong key, or changed bytes."""


@dataclass(frozen=True)
class Opened:
    plaintext: bytes
    key_id: str | None  # None: stored before encryption (plain)


def _derive(secret: str) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=b"rathaus-blob-aes256gcm").derive(
        secret.encode("utf-8")
    )


def _key_id(key: bytes) -> bytes:
    return hashlib.sha256(b"rathaus-blob-key-id" + key).digest()[:KEY_ID_BYTES]


def keys() -> dict[bytes, bytes]:
    """The keys by key id: the current one first, then old ones kept for reading."""
    current = settings.BLOB_ENCRYPTION_KEY or f"rathaus-blob-key:{settings.SECRET_KEY}"
    found: dict[bytes, bytes] = {}
    for secret in [current, *settings.BLOB_ENCRYPTION_OLD_KEYS]:
        key = _derive(secret)
        found.setdefault(_key_id(key), key)
    return found


def current_key_id() -> str:
    return next(iter(keys())).hex()


def seal(plaintext: bytes, *, sha256: str) -> bytes:
    """``plaintext`` sealed under the current key, bound to its SHA-256."""
    key_id, key = next(iter(keys().items()))
    nonce = os.urandom(NONCE_BYTES)
    return MAGIC + key_id + nonce + AESGCM(key).encrypt(nonce, plaintext, sha256.encode("ascii"))


def is_sealed(stored: bytes) -> bool:
    return stored.startswith(MAGIC) and len(stored) >= HEADER_BYTES + TAG_BYTES


def stored_key_id(stored: bytes) -> str | None:
    """The key id a stored file is sealed under, None for a plain (pre-encryption) file."""
    return stored[len(MAGIC) : len(MAGIC) + KEY_ID_BYTES].hex() if is_sealed(stored) else None


def open_stored(stored: bytes, *, sha256: str) -> Opened:
    """The plaintext of a stored file. A plain file is returned as it is when its SHA-256 is
    ``sha256`` (files stored before encryption); ``SealError`` when a sealed file does not
    open. The caller checks the plaintext's SHA-256."""
    if not is_sealed(stored):
        return Opened(plaintext=stored, key_id=None)
    key_id = stored[len(MAGIC) : len(MAGIC) + KEY_ID_BYTES]
    nonce = stored[len(MAGIC) + KEY_ID_BYTES : HEADER_BYTES]
    key = keys().get(key_id)
    if key is None:
        if hashlib.sha256(stored).hexdigest() == sha256:  # a plain file that happens to start with MAGIC
            return Opened(plaintext=stored, key_id=None)
        raise SealError(
            f"Die Datei ist mit einem Schlüssel verschlüsselt, der nicht eingerichtet ist (Schlüssel-ID "
            f"{key_id.hex()}); BLOB_ENCRYPTION_OLD_KEYS prüfen."
        )
    try:
        plaintext = AESGCM(key).decrypt(nonce, stored[HEADER_BYTES:], sha256.encode("ascii"))
    except InvalidTag as error:
        if hashlib.sha256(stored).hexdigest() == sha256:
            return Opened(plaintext=stored, key_id=None)
        raise SealError(
            "Die verschlüsselte Datei lässt sich nicht öffnen (verändert oder falscher Schlüssel)."
        ) from error
    return Opened(plaintext=plaintext, key_id=key_id.hex())
