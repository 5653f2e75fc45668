"""File handling (ASVS 5.0 V5, with the level-3 items): what the existing app tests do not
already prove. Size, count, pixel flood, zip bomb, magic bytes and traversal are covered in
kernel/tests/test_blobs.py, efile/tests/test_services.py, efile/tests/test_intake.py and
efile/tests/test_ocr_bounds.py (see docs/security.md); here: PDFs with active content, the
upload view with a hostile file name and a disguised executable, and how stored files are
served back (as attachments, never sniffed)."""

import io
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse
from pypdf import PdfWriter
from pypdf.annotations import Link
from pypdf.generic import ArrayObject, DictionaryObject, NameObject, TextStringObject

from rathaus.accounts import services as account_services
from rathaus.directory.models import Office
from rathaus.efile import services
from rathaus.efile.models import Document
from rathaus.efile.tests.factories import make_case, make_pdf
from rathaus.kernel.exceptions import InvalidInput
from rathaus.kernel.testing import log_in_staff

pytestmark = pytest.mark.django_db


def _pdf_with_javascript() -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    action = DictionaryObject(
        {NameObject("/S"): NameObject("/JavaScript"), NameObject("/JS"): TextStringObject("app.alert(1);")}
    )
    writer._root_object[NameObject("/OpenAction")] = action
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def _pdf_with_open_action_launch() -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    action = DictionaryObject(
        {NameObject("/S"): NameObject("/Launch"), NameObject("/F"): TextStringObject("calc.exe")}
    )
    writer._root_object[NameObject("/OpenAction")] = action
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def _pdf_with_embedded_file() -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    writer.add_attachment("payload.exe", b"MZ\x90\x00" + b"\x00" * 60)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


@pytest.fixture
def case_and_clerk():
    office = Office.objects.create(slug="upload-amt", name="Amt")
    clerk = account_services.staff_user_create(
        username="upload.clerk",
        full_name="Upload Clerk",
        password="x" * 20,
        office=office,
        role="sachbearbeitung",
    )
    return make_case(office), clerk


def _staff_client(user) -> Client:
    return log_in_staff(Client(HTTP_ACCEPT_LANGUAGE="de"), user)


def _pdf_with_xfa_form() -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    writer._root_object[NameObject("/AcroForm")] = DictionaryObject(
        {NameObject("/Fields"): ArrayObject(), NameObject("/XFA"): TextStringObject("<xdp:xdp/>")}
    )
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def _pdf_with_link(uri: str) -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    writer.add_annotation(0, Link(rect=(50, 50, 200, 80), url=uri))
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


@pytest.mark.parametrize(
    "make",
    [_pdf_with_javascript, _pdf_with_open_action_launch, _pdf_with_embedded_file, _pdf_with_xfa_form],
    ids=["js", "launch", "embedded", "xfa"],
)
def test_a_pdf_with_active_content_is_refused(case_and_clerk, make):
    """Nothing in a filed document may run when a civil servant opens it: refused with a German
    message saying why and what to do, and nothing is filed."""
    case, clerk = case_and_clerk
    with pytest.raises(InvalidInput) as refused:
        services.document_add(case=case, title="Probe", content=make(), filename="probe.pdf", by=clerk)
    assert refused.value.code == "pdf_active_content"
    assert "„probe.pdf“ enthält aktive Inhalte" in refused.value.message
    assert "Drucken als PDF" in refused.value.message
    assert Document.objects.filter(case=case).count() == 0


def test_the_upload_view_says_why_a_pdf_with_javascript_is_refused(case_and_clerk):
    case, clerk = case_and_clerk
    upload = io.BytesIO(_pdf_with_javascript())
    upload.name = "antrag.pdf"
    response = _staff_client(clerk).post(
        reverse("efile:document-upload", args=[case.pk]),
        {"title": "Antrag", "file": upload, "version": case.version},
    )
    assert response.status_code in (200, 400, 422)
    assert "enthält aktive Inhalte (JavaScript)" in response.content.decode()
    assert Document.objects.filter(case=case).count() == 0


def test_a_hybrid_e_invoice_with_its_embedded_xml_is_filed(case_and_clerk, settings):
    """ZUGFeRD / Factur-X carry their XML as an embedded file: that stays allowed."""
    case, clerk = case_and_clerk
    standard = Path(settings.EINVOICE_STANDARDS_DIR) / "testsuite/xrechnung-testsuite/business-cases/standard"
    xml = (standard / "01.09a-INVOICE_uncefact.xml").read_bytes()
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    writer.add_attachment("factur-x.xml", xml)
    buffer = io.BytesIO()
    writer.write(buffer)
    document = services.document_add(
        case=case, title="Rechnung", content=buffer.getvalue(), filename="rechnung.pdf", by=clerk
    )
    assert document.pk


def test_a_pdf_with_a_web_link_is_filed(case_and_clerk):
    """Links are not active content: a letter may point to a web page."""
    case, clerk = case_and_clerk
    content = _pdf_with_link("https://www.bremen.de/")
    document = services.document_add(
        case=case, title="Brief", content=content, filename="brief.pdf", by=clerk
    )
    assert document.pk


def test_an_executable_named_pdf_is_refused_by_the_upload_view(case_and_clerk):
    case, clerk = case_and_clerk
    client = _staff_client(clerk)
    exe = io.BytesIO(b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 200)
    exe.name = "bescheid.pdf"
    response = client.post(
        reverse("efile:document-upload", args=[case.pk]),
        {"title": "Bescheid", "file": exe, "version": case.version},
    )
    assert response.status_code in (200, 400, 422)
    assert Document.objects.filter(case=case).count() == 0


@pytest.mark.parametrize(
    "name", ["../../../etc/passwd.pdf", "..\\..\\boot.ini.pdf", "/etc/cron.d/x.pdf", "a\x00b.pdf"]
)
def test_a_hostile_file_name_never_reaches_the_storage_path(case_and_clerk, name, settings):
    case, clerk = case_and_clerk
    client = _staff_client(clerk)
    upload = io.BytesIO(make_pdf(f"name {name!r}"))
    upload.name = name
    client.post(
        reverse("efile:document-upload", args=[case.pk]),
        {"title": "Datei", "file": upload, "version": case.version},
    )
    from pathlib import Path

    blob_root = Path(settings.STORAGES["blobs"]["OPTIONS"]["location"]).resolve()
    for path in blob_root.rglob("*"):
        assert path.resolve().is_relative_to(blob_root)
        assert ".." not in path.name and "passwd" not in path.name and "boot" not in path.name


def test_stored_files_are_served_as_attachments_without_sniffing(case_and_clerk):
    case, clerk = case_and_clerk
    document = services.document_add(
        case=case, title="Antrag", content=make_pdf("serve"), filename="a.pdf", by=clerk
    )
    version = document.versions.first()
    response = _staff_client(clerk).get(reverse("efile:version-download", args=[version.pk]))
    b"".join(response.streaming_content)

    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Type"] == "application/pdf"
