"""OCR is bounded before it starts (issue 11, finding 7): a small PDF whose pages share one huge
stream is not OCRed, and a timeout of OCR is not retried. Real pypdf, real Tesseract."""

import io
import subprocess
import zlib

import pikepdf
import pytest

from rathaus.efile import filechecks, ocr, services
from rathaus.efile.models import Document
from rathaus.efile.scan_samples import render_letter
from rathaus.kernel import blobs
from rathaus.kernel.tasks import TaskRun

from .factories import make_case, make_office, make_staff

pytestmark = pytest.mark.django_db

MB = 1024 * 1024


def zeros_deflated(megabytes: int) -> bytes:
    """A zlib stream that inflates to ``megabytes`` MB of zero bytes, built from one
    fully flushed 1 MB deflate block repeated (independent blocks may follow each other),
    so making a 400 MB bomb costs milliseconds and no memory."""
    deflater = zlib.compressobj(9, zlib.DEFLATED, -15)
    block = deflater.compress(bytes(MB)) + deflater.flush(zlib.Z_FULL_FLUSH)
    adler = ((megabytes * MB) % 65521) << 16 | 1  # Adler-32 of n zero bytes: a = 1, b = n
    return b"\x78\xda" + block * megabytes + b"\x03\x00" + adler.to_bytes(4, "big")


def pages_sharing_one_stream(*, pages: int, megabytes: int, as_form: bool = False) -> bytes:
    """A PDF of ``pages`` A4 pages whose content is one shared Flate stream of zeros (NUL is
    white space in PDF syntax: each page draws nothing, after reading the whole stream);
    ``as_form``: the stream is a form XObject each page draws (``/Fm0 Do``)."""
    pdf = pikepdf.new()
    shared = pikepdf.Stream(pdf, b"")
    shared.write(zeros_deflated(megabytes), filter=pikepdf.Name.FlateDecode)
    if as_form:
        shared.Type, shared.Subtype = pikepdf.Name.XObject, pikepdf.Name.Form
        shared.BBox = pikepdf.Array([0, 0, 595, 842])
    shared = pdf.make_indirect(shared)
    for _ in range(pages):
        pdf.add_blank_page(page_size=(595, 842))
        page = pdf.pages[-1]
        if as_form:
            page.Resources = pikepdf.Dictionary(XObject=pikepdf.Dictionary(Fm0=shared))
            page.Contents = pdf.make_stream(b"/Fm0 Do")
        else:
            page.Contents = shared
    out = io.BytesIO()
    # Write the stream as it is: qpdf would otherwise inflate it to recompress it.
    pdf.save(out, stream_decode_level=pikepdf.StreamDecodeLevel.none, compress_streams=False)
    return out.getvalue()


def pages_sharing_one_image(*, pages: int, width: int, height: int) -> bytes:
    """``pages`` A4 pages each drawing one shared grey image XObject of ``width`` × ``height``
    (declared only: the stream is empty, the measurement reads only the dictionary)."""
    pdf = pikepdf.new()
    image = pdf.make_stream(b"")
    image.Type, image.Subtype = pikepdf.Name.XObject, pikepdf.Name.Image
    image.Width, image.Height, image.BitsPerComponent = width, height, 8
    image.ColorSpace = pikepdf.Name.DeviceGray
    for _ in range(pages):
        pdf.add_blank_page(page_size=(595, 842))
        page = pdf.pages[-1]
        page.Resources = pikepdf.Dictionary(XObject=pikepdf.Dictionary(Im0=image))
        page.Contents = pdf.make_stream(b"q 595 0 0 842 0 0 cm /Im0 Do Q")
    out = io.BytesIO()
    pdf.save(out)
    return out.getvalue()


@pytest.fixture
def ocr_calls(monkeypatch):
    """Records every child process started (Tesseract and the renderer run in them); they fail to start."""
    calls = []

    def refuse(command, *args, **kwargs):
        calls.append(command)
        raise OSError("not started in this test")

    monkeypatch.setattr(subprocess, "run", refuse)
    return calls


def test_pages_sharing_one_huge_stream_are_kept_but_not_ocred(ocr_calls, django_capture_on_commit_callbacks):
    """The finding: 414 KB on disk, 50 pages drawing one 400 MB stream (20 GB to interpret).
    It is filed (readable original, nothing lost) and marked "kein Text (zu groß für die
    Texterkennung)"; OCR never starts and the task is not retried."""
    # given
    office = make_office()
    clerk = make_staff(office)
    case = make_case(office)
    hostile = pages_sharing_one_stream(pages=50, megabytes=400)
    assert len(hostile) < 500 * 1024
    # when
    with django_capture_on_commit_callbacks(execute=True):
        document = services.scan_intake(
            office=office, case=case, content=hostile, filename="bombe.pdf", by=clerk
        )
    # then
    document.refresh_from_db()
    assert ocr_calls == []
    assert document.ocr_status == Document.OcrStatus.FAILED
    assert document.get_ocr_status_display() == "kein Text"
    assert document.ocr_error.startswith("Zu groß für die Texterkennung: ")
    assert ocr.is_too_large(document.ocr_error)
    assert "256 MB" in document.ocr_error
    original = document.versions.get()
    assert blobs.read_bytes(original.blob) == hostile
    run = TaskRun.objects.get(key=services.ocr_task_key(original.pk))
    assert run.status == TaskRun.Status.FAILED
    assert run.attempts == 1 and run.max_attempts == 4
    assert "OcrTooLarge" in run.last_error


def test_the_measurement_stops_decompressing_at_the_budget():
    """The 50 pages × 400 MB are measured by inflating only the budget's share of the shared
    stream (256 MB ÷ 50 pages), never the 400 MB: the count stops just past the limit."""
    workload = filechecks.ocr_workload(pages_sharing_one_stream(pages=50, megabytes=400))
    assert workload.pages == 50
    assert filechecks.MAX_OCR_CONTENT_BYTES < workload.content_bytes <= filechecks.MAX_OCR_CONTENT_BYTES + 50
    assert workload.refusal() is not None


def test_a_shared_stream_counts_once_per_page_it_is_drawn_on():
    """8 MB of drawing instructions: harmless on one page, over the budget on 40 pages."""
    one = filechecks.ocr_workload(pages_sharing_one_stream(pages=1, megabytes=8))
    forty = filechecks.ocr_workload(pages_sharing_one_stream(pages=40, megabytes=8))
    assert one.content_bytes == 8 * MB and one.refusal() is None
    assert forty.content_bytes > filechecks.MAX_OCR_CONTENT_BYTES
    assert "Zeichenanweisungen" in forty.refusal()


def test_a_shared_form_xobject_counts_once_per_page_too():
    """The same bomb as a form XObject that every page draws (``/Fm0 Do``)."""
    one = filechecks.ocr_workload(pages_sharing_one_stream(pages=1, megabytes=8, as_form=True))
    forty = filechecks.ocr_workload(pages_sharing_one_stream(pages=40, megabytes=8, as_form=True))
    assert one.content_bytes == 8 * MB + len(b"/Fm0 Do") and one.refusal() is None
    assert forty.content_bytes > filechecks.MAX_OCR_CONTENT_BYTES and forty.refusal() is not None


def test_page_and_document_pixels_are_bounded():
    """Pixels OCR would rasterise: an A4 page is its area at 300 dpi; a page with a larger image
    counts the image; a document's pages together have a budget too."""
    a4 = filechecks.ocr_workload(pages_sharing_one_image(pages=1, width=100, height=100))
    assert a4.largest_page_pixels == int(595 * 300 / 72) * int(842 * 300 / 72)  # 8.7 Mpx
    assert a4.refusal() is None
    huge_page = filechecks.ocr_workload(pages_sharing_one_image(pages=1, width=20_000, height=10_000))
    assert huge_page.largest_page_pixels == 200_000_000
    assert "eine Seite hätte 200 Millionen Pixel" in huge_page.refusal()
    # 60 pages sharing one 55-megapixel image: each page is fine, together 3.3 billion pixels
    many = filechecks.ocr_workload(pages_sharing_one_image(pages=60, width=11_000, height=5_000))
    assert many.largest_page_pixels <= filechecks.MAX_OCR_PAGE_PIXELS
    assert many.pixels == 60 * 55_000_000
    assert "zusammen 3.300 Millionen Pixel" in many.refusal()


def test_a_normal_scanned_pdf_is_still_ocred(django_capture_on_commit_callbacks):
    """A scanned letter as a PDF without text (what a scanner sends) is within the limits and
    becomes searchable as before."""
    office = make_office()
    case = make_case(office)
    scan = ocr.image_to_pdf(render_letter(["Freie Hansestadt Bremen", "Antrag auf Wohngeld"]))
    assert filechecks.ocr_workload(scan).refusal() is None
    with django_capture_on_commit_callbacks(execute=True):
        document = services.scan_intake(office=office, case=case, content=scan, filename="scan.pdf", by=None)
    document.refresh_from_db()
    assert document.ocr_status == Document.OcrStatus.DONE, document.ocr_error
    assert "Wohngeld" in document.versions.order_by("number").last().text


def test_an_ocr_timeout_is_not_retried(settings, django_capture_on_commit_callbacks):
    """OCR running out of time on a file would run out of time again: the run fails after one
    attempt (the task's other retries are not used), the document says why, and staff can
    still start it again by hand (e.g. after raising the timeout)."""
    # given
    office = make_office()
    clerk = make_staff(office)
    case = make_case(office)
    settings.EFILE_OCR_TIMEOUT_SECONDS = 0.01
    # when
    with django_capture_on_commit_callbacks(execute=True):
        document = services.scan_intake(
            office=office, case=case, content=render_letter(["Zeitlimit"]), filename="scan.png", by=clerk
        )
    # then
    document.refresh_from_db()
    assert document.ocr_status == Document.OcrStatus.FAILED
    assert "abgebrochen" in document.ocr_error and "nicht automatisch wiederholt" in document.ocr_error
    assert not ocr.is_too_large(document.ocr_error)
    run = TaskRun.objects.get(key=services.ocr_task_key(document.versions.get().pk))
    assert run.status == TaskRun.Status.FAILED
    assert run.attempts == 1 and run.max_attempts == 4
    assert "OcrTimedOut" in run.last_error
    # staff start it again with enough time
    settings.EFILE_OCR_TIMEOUT_SECONDS = 300
    with django_capture_on_commit_callbacks(execute=True):
        services.document_ocr_retry(document=document, by=clerk)
    document.refresh_from_db()
    assert document.ocr_status == Document.OcrStatus.DONE, document.ocr_error


def test_the_case_page_says_too_large_and_offers_no_pointless_retry(
    client, ocr_calls, django_capture_on_commit_callbacks
):
    """A refused document is shown as kept and readable, "zu groß für die Texterkennung",
    without the "Texterkennung erneut starten" button (the same bytes would be refused again)."""
    from django.urls import reverse

    from .test_views import _login

    office = make_office()
    clerk = make_staff(office)
    case = make_case(office)
    with django_capture_on_commit_callbacks(execute=True):
        services.scan_intake(
            office=office,
            case=case,
            content=pages_sharing_one_stream(pages=50, megabytes=400),
            filename="b.pdf",
            by=clerk,
        )
    html = _login(client, clerk).get(reverse("efile:case-detail", args=[case.pk])).content.decode()
    assert "zu groß für die Texterkennung" in html
    assert "Texterkennung erneut starten" not in html
