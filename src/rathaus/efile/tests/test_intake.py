"""Bad input at intake (issue 3) and the scan import command."""

import io
import zlib

import pytest
from django.core.management import CommandError, call_command
from PIL import Image
from pypdf import PdfWriter

from rathaus.efile import filechecks, services
from rathaus.efile.models import Document
from rathaus.efile.scan_samples import render_letter
from rathaus.kernel import blobs
from rathaus.kernel.exceptions import InvalidInput

from .factories import make_case, make_office, make_pdf, make_plan_entry

pytestmark = pytest.mark.django_db


def _pdf_with_objects(objects: list[bytes]) -> bytes:
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def _pdf_image_bomb() -> bytes:
    """One A4 page showing a 1-bit image that declares 100,000 × 100,000 pixels (10 gigapixels)
    in a few hundred bytes of Flate data."""
    pixels = zlib.compress(b"\x00" * 100_000, 9)
    stream = b"q 595 0 0 842 0 0 cm /Im1 Do Q"
    return _pdf_with_objects(
        [
            b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R"
            b" /Resources << /XObject << /Im1 5 0 R >> >> >>",
            b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
            b"<< /Type /XObject /Subtype /Image /Width 100000 /Height 100000 /ColorSpace /DeviceGray"
            b" /BitsPerComponent 1 /Filter /FlateDecode /Length %d >>\nstream\n"
            % len(pixels)
            + pixels
            + b"\nendstream",
        ]
    )


def _pdf_huge_page() -> bytes:
    """A page of 200 × 200 inches (the PDF maximum): rendered for OCR at 300 dpi, 3.6 gigapixels."""
    writer = PdfWriter()
    writer.add_blank_page(width=14_400, height=14_400)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def _tiff_with_frames(frames: int) -> bytes:
    """A multi-page TIFF of tiny pages, as a scanner's feeder would write (but far more pages)."""
    pages = [Image.new("1", (8, 8), 1) for _ in range(frames)]
    buffer = io.BytesIO()
    pages[0].save(buffer, "TIFF", save_all=True, append_images=pages[1:])
    return buffer.getvalue()


def _tiff_with_a_huge_second_page() -> bytes:
    """Page 1 is small; page 2 declares 20,000 × 20,000 pixels (compressed to a few KB)."""
    small = Image.new("1", (8, 8), 1)
    huge = Image.new("1", (20_000, 20_000), 1)
    buffer = io.BytesIO()
    small.save(buffer, "TIFF", save_all=True, append_images=[huge], compression="group4")
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("make_content", "filename", "code"),
    [
        (lambda: make_pdf(password="geheim"), "verschluesselt.pdf", "pdf_encrypted"),
        (lambda: make_pdf()[:300], "abgeschnitten.pdf", "pdf_corrupt"),
        (lambda: b"%PDF-1.4\n" + b"\x00garbage" * 200, "muell.pdf", "pdf_corrupt"),
        (_pdf_image_bomb, "bildbombe.pdf", "image_too_large"),
        (_pdf_huge_page, "riesenseite.pdf", "pdf_page_too_large"),
        (lambda: render_letter(["x"], image_format="PNG")[:100], "kaputt.png", "image_corrupt"),
        (lambda: _tiff_with_frames(filechecks.MAX_TIFF_FRAMES + 1), "stapel.tif", "image_too_many_pages"),
        (_tiff_with_a_huge_second_page, "zweite-seite.tif", "image_too_large"),
    ],
)
def test_dangerous_scans_are_refused_before_anything_is_stored(make_content, filename, code):
    """Each bad scan gets its own German message (code below); no document, no blob, no OCR."""
    case = make_case(make_office())
    content = make_content()
    with pytest.raises(InvalidInput) as refused:
        services.scan_intake(office=case.office, case=case, content=content, filename=filename, by=None)
    assert refused.value.code == code
    assert filename in str(refused.value)
    assert not case.documents.exists()
    assert not blobs.Blob.objects.filter(size=len(content)).exists()


def test_a_zero_byte_scan_is_refused():
    """Tried: an empty file named like a PDF. Refused as empty, nothing filed."""
    case = make_case(make_office())
    with pytest.raises(blobs.BlobEmpty, match="leer"):
        services.scan_intake(office=case.office, case=case, content=b"", filename="leer.pdf", by=None)
    assert not case.documents.exists()


@pytest.mark.parametrize(
    ("filename", "kept"),
    [
        ("../../../../etc/passwd.png", "passwd.png"),
        ("..\\..\\windows\\system32\\brief.png", "brief.png"),
        ("/absolut/brief.png", "brief.png"),
        ("brief\x00.png", "brief.png"),
        ("..", "datei"),
    ],
)
def test_path_traversal_in_a_name_is_reduced_to_the_bare_name(filename, kept):
    """Tried: names with ../, backslashes, absolute paths, NUL. Only the last part is kept as a
    display name; stored blobs are named by their hash, so nothing is written elsewhere."""
    case = make_case(make_office())
    content = render_letter([filename.replace("\x00", "")[:30]])
    document = services.scan_intake(
        office=case.office, case=case, content=content, filename=filename, by=None
    )
    version = document.versions.get()
    assert version.filename == kept
    assert "/" not in version.blob.path.replace(version.blob.sha256[:2] + "/", "", 1).replace(
        version.blob.sha256[2:4] + "/", "", 1
    )


def test_import_command_files_scans_moves_them_and_goes_on_after_a_bad_one(tmp_path):
    """Three files: two good scans filed (each a new case in the office inbox) and moved to
    erledigt/; a corrupt PDF moved to fehler/ with the reason; exit with an error summary."""
    office = make_office()
    entry = make_plan_entry()
    (tmp_path / "01-brief.png").write_bytes(render_letter(["Brief eins"]))
    (tmp_path / "02-kaputt.pdf").write_bytes(make_pdf()[:200])
    (tmp_path / "03-brief.jpg").write_bytes(render_letter(["Brief drei"], image_format="JPEG"))
    (tmp_path / ".versteckt.png").write_bytes(b"x")
    (tmp_path / "notizen.txt").write_text("kein Scan")
    out, err = io.StringIO(), io.StringIO()
    with pytest.raises(CommandError, match="2 Scans übernommen, 1 abgelehnt"):
        call_command(
            "efile_import_scans",
            str(tmp_path),
            "--office",
            office.slug,
            "--plan",
            entry.number,
            stdout=out,
            stderr=err,
        )
    assert sorted(p.name for p in (tmp_path / "erledigt").iterdir()) == ["01-brief.png", "03-brief.jpg"]
    assert sorted(p.name for p in (tmp_path / "fehler").iterdir()) == [
        "02-kaputt.pdf",
        "02-kaputt.pdf.fehler.txt",
    ]
    assert "beschädigt" in (tmp_path / "fehler" / "02-kaputt.pdf.fehler.txt").read_text()
    assert "02-kaputt.pdf" in err.getvalue()
    assert sorted(p.name for p in tmp_path.iterdir() if p.is_file()) == [".versteckt.png", "notizen.txt"]
    subjects = sorted(office.cases.values_list("subject", flat=True))
    assert subjects == ["Posteingang: 01-brief.png", "Posteingang: 03-brief.jpg"]
    assert Document.objects.filter(case__office=office, ocr_status=Document.OcrStatus.PENDING).count() == 2


def test_import_command_into_an_existing_file_by_aktenzeichen(tmp_path):
    office = make_office()
    case = make_case(office)
    (tmp_path / "scan.png").write_bytes(render_letter(["Nachreichung"]))
    out = io.StringIO()
    call_command(
        "efile_import_scans",
        str(tmp_path),
        "--office",
        office.slug,
        "--case",
        case.case_file.aktenzeichen,
        stdout=out,
    )
    assert "1 Scans übernommen, 0 abgelehnt" in out.getvalue()
    assert case.documents.get().title == "scan"


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--office", "gibt-es-nicht", "--plan", "1"], "Dienststelle"),
        (["--case", "D999 32.10-2026/0001"], "keine Akte"),
        (["--case", "kein aktenzeichen"], "Aktenzeichen"),
        (["--plan", "99.99"], "Aktenplaneintrag"),
    ],
)
def test_import_command_refuses_unknown_targets(tmp_path, arguments, message):
    office = make_office()
    if "--office" not in arguments:
        arguments = ["--office", office.slug, *arguments]
    with pytest.raises(CommandError, match=message):
        call_command("efile_import_scans", str(tmp_path), *arguments, stdout=io.StringIO())


def test_import_command_has_help():
    from django.core.management import load_command_class

    """`rathaus efile_import_scans --help` explains the command in German and English."""
    command = load_command_class("rathaus.efile", "efile_import_scans")
    text = command.create_parser("rathaus", "efile_import_scans").format_help()
    assert "Gescannte Dateien" in text and "scanner's output folder" in text
    assert "--office" in text and "--case" in text and "--plan" in text


def _batch_pdf(pages: list[list[str]]) -> bytes:
    """A multi-page scan; an empty list of lines is a blank separator page."""
    import img2pdf

    return img2pdf.convert([render_letter(lines, dpi=100) for lines in pages])


def _batch_tiff(pages: list[list[str]]) -> bytes:
    frames = [Image.open(io.BytesIO(render_letter(lines, dpi=100))).convert("1") for lines in pages]
    buffer = io.BytesIO()
    frames[0].save(buffer, "TIFF", save_all=True, append_images=frames[1:], compression="group4")
    return buffer.getvalue()


@pytest.mark.parametrize(("make_batch", "suffix"), [(_batch_pdf, "pdf"), (_batch_tiff, "tif")])
def test_a_batch_scan_is_cut_at_blank_separator_pages_into_one_case_per_letter(make_batch, suffix):
    """Letter A (2 pages), separator, letter B, separator: two new cases with one document each
    (2 and 1 pages); the blank pages are dropped."""
    from pypdf import PdfReader

    office = make_office()
    batch = make_batch([["Brief A Seite 1"], ["Brief A Seite 2"], [], ["Brief B"], []])
    documents = services.scan_batch_intake(
        office=office, content=batch, filename=f"stapel.{suffix}", by=None, file_plan_entry=make_plan_entry()
    )
    assert [d.versions.get().filename for d in documents] == [f"stapel-1.{suffix}", f"stapel-2.{suffix}"]
    assert len({d.case_id for d in documents}) == 2
    parts = [blobs.read_bytes(d.versions.get().blob) for d in documents]
    if suffix == "pdf":
        assert [len(PdfReader(io.BytesIO(part)).pages) for part in parts] == [2, 1]
    else:
        assert [Image.open(io.BytesIO(part)).n_frames for part in parts] == [2, 1]
    assert all(d.ocr_status == Document.OcrStatus.PENDING for d in documents)


def test_a_batch_without_blank_pages_stays_one_document_in_the_given_case():
    case = make_case(make_office())
    documents = services.scan_batch_intake(
        office=case.office,
        case=case,
        content=_batch_pdf([["Seite 1"], ["Seite 2"]]),
        filename="brief.pdf",
        by=None,
    )
    assert len(documents) == 1 and documents[0].versions.get().filename == "brief.pdf"


def test_a_dangerous_batch_is_refused_before_its_pages_are_rendered():
    """Tried: a PDF page of 200 × 200 inches with separator splitting on; refused by filechecks
    before any page is rasterised."""
    case = make_case(make_office())
    with pytest.raises(InvalidInput, match="DIN A0"):
        services.scan_batch_intake(
            office=case.office, case=case, content=_pdf_huge_page(), filename="x.pdf", by=None
        )
    assert not case.documents.exists()


def test_import_command_splits_batches_with_trennblatt(tmp_path):
    office = make_office()
    case = make_case(office)
    (tmp_path / "stapel.pdf").write_bytes(_batch_pdf([["Brief A"], [], ["Brief B"]]))
    out = io.StringIO()
    call_command(
        "efile_import_scans",
        str(tmp_path),
        "--office",
        office.slug,
        "--case",
        case.case_file.aktenzeichen,
        "--trennblatt",
        stdout=out,
    )
    assert sorted(case.documents.values_list("title", flat=True)) == ["stapel-1", "stapel-2"]
