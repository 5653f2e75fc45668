"""xdomea 3.1.0 messages and packages: every written message validates against the official
schema (../shared/standards/xdomea-3.1.0), reads back to the same records, and bad packages
are refused with a German message."""

from __future__ import annotations

import datetime
import io
import uuid
import zipfile
from pathlib import Path

import pytest
from lxml import etree

from rathaus.domain.efile.xdomea import (
    ABGABE,
    EVALUATION,
    IMPORT_RECEIPT,
    OFFER,
    TRANSFER,
    Case,
    Decision,
    Document,
    FileRecord,
    Header,
    ImportResult,
    Note,
    Party,
    PrimaryFile,
    Version,
    XdomeaError,
    package,
    read,
    write,
)

REPO_ROOT = Path(__file__).resolve().parents[6]
XSD = REPO_ROOT.parent / "shared" / "standards" / "xdomea-3.1.0" / "3.1.0" / "xdomea.xsd"
needs_schema = pytest.mark.skipif(not XSD.exists(), reason=f"xdomea schema not found at {XSD}")
UTC = datetime.UTC
PID = str(uuid.UUID(int=1))


def _schema() -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(XSD)))


def _valid(data: bytes) -> etree._Element:
    root = etree.fromstring(data)
    schema = _schema()
    assert schema.validate(root), schema.error_log
    return root


def _header(code: str) -> Header:
    return Header(
        process_id=PID,
        message_code=code,
        created_at=datetime.datetime(2040, 1, 2, 9, 30, tzinfo=UTC),
        sender=Party("Bürgeramt Mitte", "BA Mitte"),
        recipient=Party("Staatsarchiv Bremen", "StAB"),
    )


def _record(n: int = 1) -> FileRecord:
    oid = lambda k: str(uuid.UUID(int=n * 1000 + k))  # noqa: E731
    pdf = PrimaryFile(
        name=package.primary_filename(oid(5), "Antrag Übersicht.pdf"),
        original_name="Antrag Übersicht.pdf",
        sha256="a" * 64,
        created_at=datetime.datetime(2026, 3, 1, 10, 0, tzinfo=UTC),
        format_code="018",
    )
    odd = PrimaryFile(
        name=package.primary_filename(oid(6), "notiz.weird"),
        original_name="notiz.weird",
        sha256="b" * 64,
        format_code="100",
    )
    return FileRecord(
        id=oid(1),
        aktenzeichen=f"D017 32.30-2026/{n:04d}",
        title="Aufenthaltstitel Yilmaz",
        plan_number="32.30",
        plan_title="Ausländerangelegenheiten",
        opened_on=datetime.date(2026, 1, 5),
        closed_on=datetime.date(2026, 6, 30),
        retention_years=10,
        disposal="A",
        retention_ends=datetime.date(2036, 12, 31),
        cases=(
            Case(
                id=oid(2),
                subject="Verlängerung Aufenthaltstitel",
                reference=f"D017 32.30-2026/{n:04d}",
                opened_on=datetime.date(2026, 1, 5),
                closed_on=datetime.date(2026, 6, 1),
                notes=(
                    Note("Jana Kruse", datetime.datetime(2026, 2, 1, 8, 0, tzinfo=UTC), "Rückruf erledigt"),
                ),
                documents=(
                    Document(
                        id=oid(3),
                        title="Antrag",
                        direction="incoming",
                        date=datetime.date(2026, 1, 5),
                        versions=(Version(1, pdf), Version(2, odd)),
                    ),
                    Document(id=oid(4), title="Vermerk", direction="internal", date=None),
                ),
            ),
        ),
    )


@needs_schema
def test_offer_validates_and_carries_no_primary_documents():
    """0501 lists the file's metadata; the standard forbids primary documents in an offer."""
    data = write.offer_message(_header(OFFER), [_record(1), _record(2)])
    root = _valid(data)
    assert etree.QName(root).localname == "Aussonderung.Anbieteverzeichnis.0501"
    assert b"Primaerdokument" not in data
    _header_read, files = read.read_files(root)
    assert [f.aktenzeichen for f in files] == ["D017 32.30-2026/0001", "D017 32.30-2026/0002"]
    assert files[0].disposal == "A" and files[0].retention_years == 10


@needs_schema
def test_transfer_validates_and_reads_back_to_the_same_records():
    """0503 round trip: every field the E-Akte needs survives writing and reading."""
    record = _record()
    root = _valid(write.transfer_message(_header(TRANSFER), [record]))
    header, files = read.read_files(root)
    assert header.process_id == PID and header.message_code == TRANSFER
    assert header.sender == Party("Bürgeramt Mitte", "BA Mitte")
    assert files == (record,)
    got = files[0]
    assert got.cases[0].documents[0].versions[0].file.sha256 == "a" * 64
    assert got.cases[0].documents[1].direction == "internal"
    assert got.closed_on == record.closed_on and got.cases[0].closed_on == record.cases[0].closed_on


@needs_schema
def test_abgabe_validates_and_reads_back():
    """0401 Abgabe carries the same files as a 0503 and reads back to the same records."""
    record = _record()
    root = _valid(write.abgabe_message(_header(ABGABE), [record]))
    header, files = read.read_files(root)
    assert header.message_code == ABGABE and files == (record,)


@needs_schema
def test_evaluation_and_receipt_validate_and_read_back():
    """0502 decisions and 0506 receipts are valid and read back unchanged."""
    decisions = (Decision(str(uuid.UUID(int=7)), "A"), Decision(str(uuid.UUID(int=8)), "V"))
    root = _valid(write.evaluation_message(_header(EVALUATION), decisions))
    assert read.read_evaluation(root)[1] == decisions
    results = (
        ImportResult(str(uuid.UUID(int=7)), True, "StAB 4711"),
        ImportResult(str(uuid.UUID(int=9)), False, "", ("kaputt",)),
    )
    root = _valid(write.import_receipt_message(_header(IMPORT_RECEIPT), results))
    assert read.read_import_receipt(root)[1] == results


def test_evaluation_other_than_a_or_v_is_refused():
    """An evaluation "B" (still to evaluate) is no answer: refused with the object's ID."""
    data = write.evaluation_message(_header(EVALUATION), [Decision(str(uuid.UUID(int=7)), "B")])
    with pytest.raises(XdomeaError, match="erwartet wird A"):
        read.read_evaluation(etree.fromstring(data))


def test_wrong_message_type_is_named():
    """Reading an evaluation where a transfer is expected says which message was found."""
    data = write.evaluation_message(_header(EVALUATION), [Decision(str(uuid.UUID(int=7)), "A")])
    with pytest.raises(XdomeaError, match="Bewertungsverzeichnis"):
        read.read_files(etree.fromstring(data))


def test_format_codes_follow_the_code_list():
    """Dateiformat 1.0: pdf is 018, docx 035, unknown extensions 100 (Sonstiges)."""
    assert [write.format_code_for(n) for n in ("a.PDF", "b.docx", "c.weird", "noext")] == [
        "018",
        "035",
        "100",
        "100",
    ]


def test_header_must_match_the_message():
    """A 0502 head on a 0501 message is a programming error and refused."""
    with pytest.raises(XdomeaError):
        write.offer_message(_header(EVALUATION), [_record()])


def _zip(members: dict[str, bytes], compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=compression) as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return buffer.getvalue()


MESSAGE = package.message_filename(PID, TRANSFER)


def test_package_round_trip():
    """Written packages read back with the message and every primary file."""
    buffer = io.BytesIO()
    package.write_package(
        buffer, message_name=MESSAGE, message=b"<x/>", files=[("a_1.pdf", iter([b"%PDF", b"-1.4"]))]
    )
    result = package.read_package(buffer.getvalue())
    assert result.message_name == MESSAGE and result.message == b"<x/>"
    assert result.files == {"a_1.pdf": b"%PDF-1.4"}


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"%PDF-1.4 not a zip", "kein ZIP-Archiv"),
        (b"PK\x03\x04 truncated", "beschädigt"),
        (_zip({MESSAGE: b"<x/>", "../../etc/passwd": b"x"}), "unzulässigen Dateinamen"),
        (_zip({MESSAGE: b"<x/>", "/abs.pdf": b"x"}), "unzulässigen Dateinamen"),
        (_zip({MESSAGE: b"<x/>", "sub/dir.pdf": b"x"}), "unzulässigen Dateinamen"),
        (_zip({MESSAGE: b"<x/>", "C:evil.pdf": b"x"}), "unzulässigen Dateinamen"),
        (_zip({MESSAGE: b"<x/>", "bomb.txt": b"\0" * (5 * 1024 * 1024)}), "ZIP-Bombe"),
        (_zip({"irgendwas.xml": b"<x/>"}), "genau eine xdomea-Nachricht"),
        (
            _zip({MESSAGE: b"<x/>", package.message_filename(str(uuid.UUID(int=2)), TRANSFER): b"<x/>"}),
            "genau eine",
        ),
    ],
    ids=[
        "not-zip",
        "truncated",
        "traversal",
        "absolute",
        "directory",
        "drive",
        "bomb",
        "no-message",
        "two-messages",
    ],
)
def test_bad_packages_are_refused(data, message):
    """Not a zip, truncated, path traversal/absolute/nested/drive names, a 5 MB run of zeros
    (ratio > 200), no or two messages: each refused with a German reason."""
    with pytest.raises(XdomeaError, match=message):
        package.read_package(data)


def test_lying_size_header_is_caught_while_inflating():
    """A member whose real size exceeds the limit is stopped while reading, whatever the header says."""
    data = _zip({MESSAGE: b"<x/>", "big.bin": b"x" * 3000}, compression=zipfile.ZIP_STORED)
    with pytest.raises(XdomeaError, match="größer als erlaubt|zu groß"):
        package.read_package(data, max_member=1000)


def test_primary_filename_is_safe_ascii():
    """Umlauts and separators become safe ASCII after the UUID, as stringDateinameType wants."""
    name = package.primary_filename(PID, "../Bescheid Müller/2026.pdf")
    assert name.startswith(PID + "_") and "/" not in name and ".." not in name
    assert name.endswith("2026.pdf")
