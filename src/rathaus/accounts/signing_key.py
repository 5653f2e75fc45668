"""The demo identity provider's RS256 signing key, kept on disk for local development.

Imported by the settings, so it must not import Django.
"""

import os
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa


def load_or_create_pem(path: Path) -> str:
    """Return the PEM-encoded RSA private key at ``path``, creating a 3072-bit one if missing.

    The file is created with mode 0600 and exclusively (``O_EXCL``), so two processes
    starting at once cannot overwrite each other's key.
    """
    if path.exists():
        return path.read_text()
    path.parent.mkdir(parents=True, exist_ok=True)
    key = rsa.generate_private_key(public_exponent=65537, key_size=3072)
    pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode("ascii")
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text()
    with os.fdopen(fd, "w") as handle:
        handle.write(pem)
    return pem
