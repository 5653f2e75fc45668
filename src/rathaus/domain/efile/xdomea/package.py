"""The ZIP transport container of an xdomea message with its primary documents.

Naming follows the xdomea convention: the container is ``<ProzessID>_<Nachricht>.zip`` and
holds the message ``<ProzessID>_<Nachricht>.xml`` and the primary documents, all at the top
level, under the names the message gives in ``Primaerdokument/Dateiname``
(``<UUID>_<name>``).

Reading refuses, before anything is extracted: input that is no ZIP, encrypted members,
more than ``MAX_MEMBERS`` members, names with directories or path traversal ("../",
absolute paths, drive letters, back slashes, control characters), duplicate names, and zip
bombs (declared or actual size over the limit, or a compression ratio over ``MAX_RATIO``).
Sizes are counted while inflating, so a header that lies about the size changes nothing.
"""

from __future__ import annotations

import io
import re
import unicodedata
import zipfile
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import IO

from .model import MESSAGE_NAMES, XdomeaError

__all__ = [
    "MAX_MEMBERS",
    "MAX_RATIO",
    "Package",
    "message_filename",
    "package_filename",
    "primary_filename",
    "read_package",
    "write_package",
]

MAX_MEMBERS = 10_000
MAX_RATIO = 200
MAX_MESSAGE_BYTES = 20 * 1024 * 1024
DEFAULT_MAX_TOTAL = 1024 * 1024 * 1024
DEFAULT_MAX_MEMBER = 50 * 1024 * 1024
_CHUNK = 64 * 1024
_SAFE = re.compile(r"[^A-Za-z0-9._-]+")
_MESSAGE = re.compile(
    r"^([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})_("
    + "|".join(re.escape(name) for name in MESSAGE_NAMES.values())
    + r")\.xml$"
)


def message_filename(process_id: str, code: str) -> str:
    return f"{process_id}_{MESSAGE_NAMES[code]}.xml"


def package_filename(process_id: str, code: str) -> str:
    return f"{process_id}_{MESSAGE_NAMES[code]}.zip"


def primary_filename(object_id: str, original_name: str) -> str:
    """``<UUID>_<name>`` with the name reduced to safe ASCII (``stringDateinameType``)."""
    ascii_name = unicodedata.normalize("NFKD", original_name).encode("ascii", "ignore").decode("ascii")
    safe = _SAFE.sub("_", ascii_name).strip("._") or "dokument"
    return f"{object_id}_{safe[-120:]}"


@dataclass(frozen=True)
class Package:
    """A read package: the message's name and bytes, and every other member's bytes."""

    message_name: str
    message: bytes
    files: dict[str, bytes]


def write_package(
    target: IO[bytes], *, message_name: str, message: bytes, files: Iterable[tuple[str, Iterator[bytes]]]
) -> None:
    """Write the container to ``target``: the message first, then each primary file (streamed)."""
    seen = {message_name}
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(message_name, message)
        for name, chunks in files:
            if name in seen:
                continue  # the same version listed twice: one copy is enough
            seen.add(name)
            with archive.open(zipfile.ZipInfo(name, date_time=(2000, 1, 1, 0, 0, 0)), "w") as member:
                for chunk in chunks:
                    member.write(chunk)


def _check_name(name: str) -> None:
    bad = (
        not name
        or name.startswith(("/", "\\"))
        or "\\" in name
        or "/" in name
        or ".." in name.split("/")
        or re.match(r"^[A-Za-z]:", name) is not None
        or any(ord(c) < 32 or ord(c) == 127 for c in name)
    )
    if bad:
        shown = name.encode("unicode_escape").decode("ascii")
        raise XdomeaError(
            f"Das ZIP-Archiv enthält den unzulässigen Dateinamen „{shown}“ (Verzeichnis oder Pfad); "
            "ein xdomea-Paket enthält nur Dateien ohne Verzeichnisse."
        )


def _read_member(archive: zipfile.ZipFile, info: zipfile.ZipInfo, limit: int) -> bytes:
    buffer = bytearray()
    with archive.open(info) as handle:
        while chunk := handle.read(_CHUNK):
            buffer += chunk
            if len(buffer) > limit:
                raise XdomeaError(
                    f"Die Datei „{info.filename}“ im ZIP-Archiv ist entpackt größer als erlaubt "
                    "(ZIP-Bombe?); das Paket wurde abgelehnt."
                )
    return bytes(buffer)


def read_package(
    data: bytes, *, max_total: int = DEFAULT_MAX_TOTAL, max_member: int = DEFAULT_MAX_MEMBER
) -> Package:
    """Open and check a container; ``XdomeaError`` (German) for every refusal."""
    if not data.startswith(b"PK\x03\x04") and not data.startswith(b"PK\x05\x06"):
        raise XdomeaError("Die Datei ist kein ZIP-Archiv; ein xdomea-Paket ist eine ZIP-Datei.")
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise XdomeaError(f"Das ZIP-Archiv ist beschädigt: {exc}") from None
    with archive:
        infos = archive.infolist()
        if len(infos) > MAX_MEMBERS:
            raise XdomeaError(f"Das ZIP-Archiv enthält {len(infos)} Dateien; erlaubt sind {MAX_MEMBERS}.")
        names: set[str] = set()
        declared = 0
        for info in infos:
            _check_name(info.filename)
            if info.is_dir():
                raise XdomeaError(f"Das ZIP-Archiv enthält das Verzeichnis „{info.filename}“.")
            if info.filename in names:
                raise XdomeaError(f"Das ZIP-Archiv enthält „{info.filename}“ zweimal.")
            names.add(info.filename)
            if info.flag_bits & 0x1:
                raise XdomeaError(f"Die Datei „{info.filename}“ im ZIP-Archiv ist verschlüsselt.")
            declared += info.file_size
            if info.file_size > max_member or declared > max_total:
                raise XdomeaError(
                    "Das ZIP-Archiv ist entpackt zu groß (ZIP-Bombe?); das Paket wurde abgelehnt."
                )
            if info.file_size > 1024 * 1024 and info.file_size > MAX_RATIO * max(info.compress_size, 1):
                raise XdomeaError(
                    f"Die Datei „{info.filename}“ ist auffällig stark komprimiert (ZIP-Bombe?); "
                    "das Paket wurde abgelehnt."
                )
        messages = [info for info in infos if _MESSAGE.match(info.filename)]
        if len(messages) != 1:
            raise XdomeaError(
                "Das ZIP-Archiv muss genau eine xdomea-Nachricht „<ProzessID>_<Nachricht>.xml“ enthalten, "
                f"es enthält {len(messages)}."
            )
        total = 0
        files: dict[str, bytes] = {}
        message = b""
        try:
            for info in infos:
                limit = MAX_MESSAGE_BYTES if info is messages[0] else max_member
                content = _read_member(archive, info, min(limit, max_total - total))
                total += len(content)
                if info is messages[0]:
                    message = content
                else:
                    files[info.filename] = content
        except (zipfile.BadZipFile, OSError, EOFError, ValueError, zlib.error) as exc:
            raise XdomeaError(f"Das ZIP-Archiv ist beschädigt: {exc}") from None
    return Package(message_name=messages[0].filename, message=message, files=files)
