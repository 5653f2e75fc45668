"""Content-addressed blob storage: limits, type checks, deduplication, safe names."""

import hashlib
import io

import pytest
from django.conf import settings
from django.core.files.storage import storages
from django.core.files.uploadedfile import SimpleUploadedFile

from rathaus.kernel import blobs
from rathaus.kernel.models import Blob

PDF = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00" + b"\x00" * 120
HTML = b"<!DOCTYPE html><html><body><script>alert(1)</script></body></html>"


def _storage():
    return storages[settings.BLOB_STORAGE_ALIAS]


def _stored_files():
    storage = _storage()
    found = []

    def walk(path):
        directories, files = storage.listdir(path) if storage.exists(path) else ([], [])
        found.extend(f"{path}/{name}".lstrip("/") for name in files)
        for directory in directories:
            walk(f"{path}/{directory}".lstrip("/"))

    walk("")
    return found


@pytest.mark.django_db
def test_store_keeps_bytes_under_their_hash():
    """The path is ab/cd/<sha256>; the bytes read back unchanged."""
    blob = blobs.store(content=PDF, filename="Bescheid.pdf", declared_type="application/pdf")
    digest = hashlib.sha256(PDF).hexdigest()
    assert blob.sha256 == digest
    assert blob.path == f"{digest[:2]}/{digest[2:4]}/{digest}"
    assert (blob.size, blob.content_type, blob.filename) == (len(PDF), "application/pdf", "Bescheid.pdf")
    assert blobs.read_bytes(blob) == PDF
    with blobs.open_blob(blob) as handle:
        assert handle.read(5) == b"%PDF-"


@pytest.mark.django_db
def test_same_content_is_stored_once():
    """Uploading identical bytes twice (any name) gives the same Blob and one file."""
    first = blobs.store(content=PDF, filename="a.pdf")
    second = blobs.store(content=io.BytesIO(PDF), filename="b.pdf")
    assert first.pk == second.pk
    assert Blob.objects.count() == 1
    assert _stored_files() == [first.path]


@pytest.mark.django_db
def test_oversized_upload_is_refused_before_anything_is_stored():
    """Above the limit: precise German message, no file, no row."""
    content = io.BytesIO(b"x" * (3 * 1024 * 1024 + 200 * 1024))
    with pytest.raises(blobs.BlobTooLarge) as error:
        blobs.store(content=content, filename="scan.txt", max_bytes=2 * 1024 * 1024)
    assert str(error.value) == "Die Datei „scan.txt“ ist 3,2 MB groß; erlaubt sind höchstens 2 MB."
    assert error.value.code == "file_too_large"
    assert Blob.objects.count() == 0
    assert _stored_files() == []


@pytest.mark.django_db
def test_upload_with_known_size_over_the_setting_is_refused_without_reading(settings):
    """An UploadedFile's size is checked against BLOB_MAX_UPLOAD_BYTES first."""
    settings.BLOB_MAX_UPLOAD_BYTES = 25 * 1024 * 1024
    upload = SimpleUploadedFile("big.pdf", b"%PDF-", content_type="application/pdf")
    upload.size = int(31.2 * 1024 * 1024)
    with pytest.raises(blobs.BlobTooLarge, match="ist 31,2 MB groß; erlaubt sind höchstens 25 MB."):
        blobs.store(content=upload, filename=upload.name)
    assert Blob.objects.count() == 0


@pytest.mark.django_db
@pytest.mark.parametrize(("content", "found"), [(EXE, "Windows-Programm"), (HTML, "HTML-Seite")])
def test_content_contradicting_the_declared_type_is_refused(content, found):
    """An executable or an HTML page named invoice.pdf is not a PDF."""
    with pytest.raises(blobs.BlobTypeMismatch) as error:
        blobs.store(content=content, filename="invoice.pdf", declared_type="application/pdf")
    assert "PDF-Dokument" in str(error.value) and found in str(error.value)
    assert error.value.code == "file_type_mismatch"
    assert Blob.objects.count() == 0
    assert _stored_files() == []


@pytest.mark.django_db
def test_extension_contradicting_content_is_refused_without_declared_type():
    """The file name alone also counts as a claim."""
    with pytest.raises(blobs.BlobTypeMismatch, match="laut Dateiname"):
        blobs.store(content=EXE, filename="rechnung.pdf")


@pytest.mark.django_db
def test_type_outside_the_allow_list_is_refused():
    """Only what the caller allows is accepted, judged by content."""
    with pytest.raises(blobs.BlobTypeNotAllowed) as error:
        blobs.store(content=EXE, filename="setup.exe", allowed_types=blobs.DOCUMENT_TYPES)
    assert "Windows-Programm" in str(error.value) and "PDF-Dokument" in str(error.value)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("content", "filename", "declared", "expected"),
    [
        (b"Name;Betrag\nA;1,00\nB;2,00\n", "liste.csv", "text/csv", "text/csv"),
        (b"Nur eine Zeile Text", "notiz.txt", None, "text/plain"),
        (b"einspaltig\nwert\n", "werte.csv", "application/vnd.ms-excel", "text/csv"),
        (b'<?xml version="1.0"?><Invoice xmlns="urn:x"/>', "rechnung.xml", "text/xml", "application/xml"),
        (b"<Invoice/>", "rechnung.xml", None, "application/xml"),
        (b"\x89PNG\r\n\x1a\n" + b"\x00" * 30, "foto.png", "image/png", "image/png"),
        (PDF, "ohne-endung", None, "application/pdf"),
    ],
)
def test_text_and_common_formats_are_recognised(content, filename, declared, expected):
    """Plain text, CSV and XML are recognised by their content; claims may refine them."""
    blob = blobs.store(content=content, filename=filename, declared_type=declared)
    assert blob.content_type == expected


@pytest.mark.django_db
@pytest.mark.parametrize(
    "name", ["../../etc/passwd", "..\\..\\windows\\win.ini", "a/../../b\x00.txt", "...", ""]
)
def test_hostile_filename_is_harmless(name):
    """The name never becomes a path: bytes land under their hash, the name is reduced to a base name."""
    blob = blobs.store(content=b"harmless text", filename=name)
    assert "/" not in blob.filename and "\\" not in blob.filename and "\x00" not in blob.filename
    assert not blob.filename.startswith(".")
    assert _stored_files() == [blob.path]


@pytest.mark.django_db
def test_empty_file_is_refused():
    """A zero-byte upload is a mistake, not a document."""
    with pytest.raises(blobs.BlobEmpty, match="leer"):
        blobs.store(content=b"", filename="leer.pdf")


@pytest.mark.django_db
def test_tampered_file_is_detected_on_read():
    """read_bytes checks the SHA-256 of what storage returns."""
    blob = blobs.store(content=b"original text", filename="a.txt")
    storage = _storage()
    storage.delete(blob.path)
    storage.save(blob.path, io.BytesIO(b"changed text!"))
    with pytest.raises(blobs.BlobCorrupted):
        blobs.read_bytes(blob)


@pytest.mark.django_db
def test_missing_file_of_a_known_blob_is_restored():
    """If the file vanished from storage, storing the same bytes again puts it back."""
    blob = blobs.store(content=b"some text", filename="a.txt")
    _storage().delete(blob.path)
    again = blobs.store(content=b"some text", filename="a.txt")
    assert again.pk == blob.pk
    assert blobs.read_bytes(again) == b"some text"


@pytest.mark.django_db
def test_a_torn_file_of_a_killed_write_is_replaced_when_the_bytes_come_again():
    """A process killed while writing leaves the first part of the file at its final path (the
    file system storage writes in place); storing the same bytes again repairs it (issue 11,
    suite 3) instead of taking the torn file for the stored one."""
    content = b"Bescheid " * 2000
    blob = blobs.store(content=content, filename="a.txt")
    storage = _storage()
    with storage.open(blob.path) as stored:
        torn = stored.read()[:1000]
    storage.delete(blob.path)
    storage.save(blob.path, io.BytesIO(torn))
    again = blobs.store(content=content, filename="a.txt")
    assert again.pk == blob.pk
    assert blobs.read_bytes(again) == content
    assert blobs.stored_problem(sha256=blob.sha256, size=blob.size) is None


@pytest.mark.django_db
def test_a_file_just_over_the_limit_never_reads_as_the_limit(settings):
    """Issue 11, finding 13: one byte over 25 MB read "ist 25,0 MB groß; erlaubt sind höchstens
    25 MB" — a refusal that looked like a mistake. The size is rounded up."""
    settings.BLOB_MAX_UPLOAD_BYTES = 25 * 1024 * 1024
    upload = SimpleUploadedFile("grenze.pdf", b"%PDF-", content_type="application/pdf")
    upload.size = 25 * 1024 * 1024 + 1
    with pytest.raises(blobs.BlobTooLarge, match="ist 25,1 MB groß; erlaubt sind höchstens 25 MB."):
        blobs.store(content=upload, filename=upload.name)
