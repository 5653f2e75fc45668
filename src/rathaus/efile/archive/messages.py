"""Parsing and schema validation of xdomea messages for the archive sub-app.

Untrusted XML is parsed only with ``rathaus.kernel.xmlsafe`` (no DTD, no entities, no
network) and then validated against the official xdomea 3.1.0 schema
(``settings.XDOMEA_SCHEMA_DIR``). Messages this app writes are validated the same way
before they are stored, so a bug cannot send an invalid message to the archive.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings

from rathaus.kernel import xmlsafe
from rathaus.kernel.exceptions import InvalidInput, RathausError


class SchemaMissing(RathausError):
    http_status = 500
    default_code = "xdomea_schema_missing"
    default_message = "Das xdomea-Schema ist nicht installiert (Einstellung XDOMEA_SCHEMA_DIR)."


def schema_path() -> Path:
    path = Path(settings.XDOMEA_SCHEMA_DIR) / "xdomea.xsd"
    if not path.is_file():
        raise SchemaMissing(f"Das xdomea-3.1.0-Schema fehlt unter {path} (Einstellung XDOMEA_SCHEMA_DIR).")
    return path


def parse_validated(data: bytes) -> Any:
    """The root element of a well-formed, schema-valid xdomea 3.1.0 message, else ``InvalidInput``."""
    root = xmlsafe.parse(data)
    problems = xmlsafe.validate(root, schema_path())
    if problems:
        shown = "; ".join(f"Zeile {p.line}: {p.message}" for p in problems[:3])
        more = f" (und {len(problems) - 3} weitere)" if len(problems) > 3 else ""
        raise InvalidInput(
            f"Die xdomea-Nachricht entspricht nicht dem Schema xdomea 3.1.0: {shown}{more}",
            code="xdomea_schema_invalid",
        )
    return root
