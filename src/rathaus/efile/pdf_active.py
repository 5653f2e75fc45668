"""Active content in PDFs: refused before a document is filed (ASVS 5.0 V5, level-3 file items).

A document in the E-Akte is read by civil servants for decades; nothing in it may run when it
is opened. Refused: JavaScript (``/JS``, the ``/JavaScript`` name tree), actions that start
programs, send or load data (``/Launch``, ``/SubmitForm``, ``/ImportData``, ``/GoToE``,
``/RichMediaExecute``, ``/Rendition``), XFA forms (they carry scripts), and embedded files other
than XML. Embedded XML stays allowed: a hybrid e-invoice (ZUGFeRD / Factur-X) carries its
XRechnung as an embedded file, and the E-Akte files such invoices unchanged.

The walk reads dictionaries only, at most ``MAX_OBJECTS`` of them; streams are decoded only for
embedded files, bounded by ``MAX_EMBEDDED_BYTES``.
"""

from __future__ import annotations

from typing import Any

from rathaus.kernel import filetypes
from rathaus.kernel.exceptions import InvalidInput

MAX_OBJECTS = 200_000
MAX_EMBEDDED_BYTES = 20 * 1024 * 1024
ACTIVE_ACTIONS = {
    "/JavaScript": "JavaScript",
    "/Launch": "einen Programmstart",
    "/SubmitForm": "ein Formular, das Daten versendet",
    "/ImportData": "einen Datenimport",
    "/GoToE": "einen Sprung in eine eingebettete Datei",
    "/RichMediaExecute": "eingebettete Medien mit Befehlen",
    "/Rendition": "eingebettete Medien mit Befehlen",
}


def _refuse(filename: str, what: str) -> InvalidInput:
    return InvalidInput(
        f"Die PDF-Datei „{filename}“ enthält aktive Inhalte ({what}) und wird nicht angenommen. "
        "Bitte speichern Sie sie ohne aktive Inhalte (zum Beispiel über „Drucken als PDF“) und "
        "laden Sie sie erneut hoch.",
        code="pdf_active_content",
    )


def check_active_content(reader: Any, filename: str) -> None:
    """Raise ``InvalidInput`` (code ``pdf_active_content``) if the PDF read by the pypdf
    ``reader`` holds active content (see module docstring)."""
    from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject

    seen: set[tuple[int, int]] = set()
    stack: list[Any] = [reader.trailer]
    visited = 0
    while stack:
        item = stack.pop()
        if isinstance(item, IndirectObject):
            ident = (item.idnum, item.generation)
            if ident in seen:
                continue
            seen.add(ident)
            item = item.get_object()
        visited += 1
        if visited > MAX_OBJECTS:
            raise InvalidInput(
                f"Die PDF-Datei „{filename}“ ist zu verschachtelt, um sie zu prüfen.", code="pdf_too_complex"
            )
        if isinstance(item, ArrayObject):
            stack.extend(item)
        elif isinstance(item, DictionaryObject):  # a StreamObject is one too: its dictionary counts
            _check_dictionary(item, filename)
            stack.extend(value for key, value in item.items() if key not in ("/Parent", "/P"))


def _check_dictionary(item: Any, filename: str) -> None:
    action = item.get("/S")
    if action in ACTIVE_ACTIONS:
        raise _refuse(filename, ACTIVE_ACTIONS[str(action)])
    if "/JS" in item:
        raise _refuse(filename, "JavaScript")
    names = item.get("/Names") if item.get("/Type") == "/Catalog" else None
    if names is not None and "/JavaScript" in names.get_object():
        raise _refuse(filename, "JavaScript")
    if "/XFA" in item:
        raise _refuse(filename, "ein XFA-Formular mit Skripten")
    embedded = item.get("/EF")
    if embedded is not None:
        for stream in embedded.get_object().values():
            _check_embedded(stream.get_object(), filename)


def _check_embedded(stream: Any, filename: str) -> None:
    declared = stream.get("/Length", 0)
    if isinstance(declared, int) and declared > MAX_EMBEDDED_BYTES:
        raise _refuse(filename, "eine eingebettete Datei")
    data = stream.get_data()
    if len(data) > MAX_EMBEDDED_BYTES or filetypes.detect(data[:65536]) != filetypes.XML:
        raise _refuse(filename, "eine eingebettete Datei, die kein XML ist")
