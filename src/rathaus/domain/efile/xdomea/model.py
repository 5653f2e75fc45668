"""The records of an xdomea message as frozen dataclasses (xdomea 3.1.0, "xdomea-Baukasten.xsd").

Mapping to the E-Akte: a file (Akte, ``AkteType``) holds cases (Vorgang, ``VorgangType``),
a case holds documents (``DokumentType``), a document holds versions (``VersionType``), each
version one primary file (``FormatType``/``PrimaerdokumentType``). Every object carries a
UUID (``IdentifikationObjektType/ID``) by which the archive answers.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass

__all__ = [
    "ABGABE",
    "ARCHIVE",
    "DESTROY",
    "EVALUATE",
    "EVALUATION",
    "IMPORT_RECEIPT",
    "MESSAGE_NAMES",
    "NAMESPACE",
    "OFFER",
    "TRANSFER",
    "XDOMEA_VERSION",
    "Case",
    "Decision",
    "Document",
    "FileRecord",
    "Header",
    "ImportResult",
    "Note",
    "Party",
    "PrimaryFile",
    "Version",
    "XdomeaError",
    "is_uuid",
]

NAMESPACE = "urn:xoev-de:xdomea:schema:3.1.0"
XDOMEA_VERSION = "3.1.0"

OFFER = "0501"
EVALUATION = "0502"
TRANSFER = "0503"
IMPORT_RECEIPT = "0506"
ABGABE = "0401"

# Code → root element name (code list "Nachrichtentyp" 2.0, urn:xoev-de:xdomea:codeliste:nachrichtentyp).
MESSAGE_NAMES = {
    OFFER: "Aussonderung.Anbieteverzeichnis.0501",
    EVALUATION: "Aussonderung.Bewertungsverzeichnis.0502",
    TRANSFER: "Aussonderung.Aussonderung.0503",
    "0504": "Aussonderung.AnbietungEmpfangBestaetigen.0504",
    "0505": "Aussonderung.BewertungEmpfangBestaetigen.0505",
    IMPORT_RECEIPT: "Aussonderung.AussonderungImportBestaetigen.0506",
    "0507": "Aussonderung.AussonderungEmpfangBestaetigen.0507",
    ABGABE: "Abgabe.Abgabe.0401",
}

# Aussonderungsart (code list 1.0): A archive-worthy, B to be evaluated, V to be destroyed.
ARCHIVE = "A"
EVALUATE = "B"
DESTROY = "V"

_UUID = re.compile(r"^[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}$")


class XdomeaError(ValueError):
    """A message or package that cannot be used; the text is German and names the problem."""


def is_uuid(value: str) -> bool:
    return bool(_UUID.match(value))


@dataclass(frozen=True)
class Party:
    """Sender or recipient (``KontaktType``): the institution's name and short name."""

    name: str
    short_name: str = ""


@dataclass(frozen=True)
class Header:
    """The message head (``NkBasisType``)."""

    process_id: str
    message_code: str
    created_at: datetime.datetime
    sender: Party
    recipient: Party


@dataclass(frozen=True)
class PrimaryFile:
    """One primary document: its name inside the package (``Dateiname``) and its SHA-256."""

    name: str
    original_name: str
    sha256: str
    created_at: datetime.datetime | None = None
    format_code: str = ""  # code list "Dateiformat" 1.0; "" = from the name


@dataclass(frozen=True)
class Version:
    number: int
    file: PrimaryFile


@dataclass(frozen=True)
class Document:
    id: str
    title: str
    direction: str  # "incoming", "outgoing" or "internal"
    date: datetime.date | None
    versions: tuple[Version, ...] = ()


@dataclass(frozen=True)
class Note:
    """A note on a case (Aktenvermerk), carried as ``HistorienProtokollInformation``."""

    author: str
    at: datetime.datetime
    text: str


@dataclass(frozen=True)
class Case:
    id: str
    subject: str
    reference: str
    opened_on: datetime.date | None
    closed_on: datetime.date | None
    documents: tuple[Document, ...] = ()
    notes: tuple[Note, ...] = ()


@dataclass(frozen=True)
class FileRecord:
    """A file (Akte) with its retention data and its cases."""

    id: str
    aktenzeichen: str
    title: str
    plan_number: str
    plan_title: str
    opened_on: datetime.date | None
    closed_on: datetime.date | None
    retention_years: int | None = None
    disposal: str = ""  # A, B or V (the office's proposal)
    retention_ends: datetime.date | None = None
    cases: tuple[Case, ...] = ()

    def primary_files(self) -> list[PrimaryFile]:
        return [v.file for case in self.cases for doc in case.documents for v in doc.versions]


@dataclass(frozen=True)
class Decision:
    """The archive's evaluation of one offered object (``RueckgabeparameterAnbietungType``)."""

    id: str
    disposal: str  # A (take over) or V (destroy)


@dataclass(frozen=True)
class ImportResult:
    """The archive's receipt for one transferred object (``ErfolgOderMisserfolgAussonderungType``)."""

    id: str
    success: bool
    archive_reference: str = ""
    errors: tuple[str, ...] = ()
