import datetime

import pytest
from django.utils import timezone

from rathaus.efile import services
from rathaus.efile.models import Case, DocumentVersion
from rathaus.kernel import audit, blobs
from rathaus.kernel.exceptions import Conflict, InvalidInput

from .factories import make_case, make_office, make_pdf, make_plan_entry, make_staff

pytestmark = pytest.mark.django_db


def test_case_create_opens_a_file_with_the_next_aktenzeichen_of_the_year():
    """Serials count per office, plan entry and year, starting at 0001."""
    # given
    office = make_office()
    entry = make_plan_entry(number="32")
    year = timezone.localdate().year
    # when
    first = make_case(office, entry=entry)
    second = make_case(office, entry=entry)
    # then
    assert first.case_file.aktenzeichen == f"D{office.pk:03d} 32.10-{year}/0001"
    assert second.case_file.aktenzeichen == f"D{office.pk:03d} 32.10-{year}/0002"
    assert first.status == Case.Status.OPEN
    assert [e.action for e in audit.entries_for_target("efile.case", first.pk)] == ["efile.case_created"]


def test_case_without_subject_is_refused_and_nothing_is_written():
    """A blank subject is an input error; no file is opened."""
    office = make_office()
    entry = make_plan_entry()
    with pytest.raises(InvalidInput, match="Betreff"):
        services.case_create(office=office, subject="  ", file_plan_entry=entry)
    assert not entry.case_files.exists()


def test_files_are_not_kept_under_entries_that_forbid_them():
    """Group entries of the plan (files_allowed False) take no files."""
    office = make_office()
    group = make_plan_entry(files_allowed=False)
    with pytest.raises(InvalidInput, match="keine Akten"):
        make_case(office, entry=group)


def test_a_plan_entry_of_another_office_is_refused():
    """Office-specific plan entries serve only their office."""
    entry = make_plan_entry(office=make_office())
    with pytest.raises(InvalidInput, match="anderen Dienststelle"):
        make_case(make_office(), entry=entry)


def test_assign_sets_in_progress_and_only_accepts_staff_of_the_office():
    """Assigning to someone from another office is an input error."""
    office = make_office()
    clerk, stranger = make_staff(office), make_staff(make_office())
    case = make_case(office)
    with pytest.raises(InvalidInput, match="arbeitet nicht"):
        services.case_assign(case=case, assignee=stranger, by=clerk)
    case = services.case_assign(case=case, assignee=clerk, by=clerk)
    assert case.assignee == clerk and case.status == Case.Status.IN_PROGRESS and case.version == 2


def test_second_editor_with_a_stale_version_gets_a_conflict_and_nothing_changes():
    """Optimistic locking: the form's version must still be current."""
    office = make_office()
    clerk = make_staff(office)
    case = make_case(office)
    services.case_assign(case=case, assignee=clerk, by=clerk, expected_version=1)
    with pytest.raises(services.StaleCase):
        services.case_close(case=case, by=clerk, expected_version=1)
    assert Case.objects.get(pk=case.pk).status == Case.Status.IN_PROGRESS


def test_forward_moves_the_case_unassigned_to_the_other_office_with_its_documents():
    """The documents stay attached to the case and so travel along."""
    office, other = make_office(), make_office()
    clerk = make_staff(office)
    case = make_case(office, assignee=clerk)
    services.document_add(case=case, title="Antrag", content=make_pdf(), filename="antrag.pdf", by=clerk)
    case = services.case_forward(case=case, to_office=other, by=clerk, note="Zuständigkeit Ausländerbehörde")
    assert case.office == other and case.assignee is None and case.status == Case.Status.OPEN
    assert case.documents.count() == 1
    entry = audit.entries_for_target("efile.case", case.pk).last()
    assert entry.action == "efile.case_forwarded" and entry.details["to"] == other.pk


@pytest.mark.parametrize(("to_same", "note", "message"), [(True, "x", "schon"), (False, " ", "begründen")])
def test_forward_needs_another_office_and_a_reason(to_same, note, message):
    """Forwarding to the same office or without a note is refused."""
    office = make_office()
    case = make_case(office)
    with pytest.raises(InvalidInput, match=message):
        services.case_forward(case=case, to_office=office if to_same else make_office(), by=None, note=note)


def test_closed_case_is_immutable_until_reopened_with_a_reason():
    """After closing, changes raise CaseClosed; reopening needs a reason."""
    office = make_office()
    clerk = make_staff(office)
    case = services.case_close(case=make_case(office), by=clerk)
    with pytest.raises(services.CaseClosed):
        services.document_add(case=case, title="Nachtrag", content=make_pdf(), filename="n.pdf", by=clerk)
    with pytest.raises(services.CaseClosed):
        services.case_assign(case=case, assignee=clerk, by=clerk)
    with pytest.raises(InvalidInput, match="begründen"):
        services.case_reopen(case=case, by=clerk, reason="")
    case = services.case_reopen(case=case, by=clerk, reason="Neue Unterlagen eingegangen")
    assert case.status == Case.Status.OPEN and case.closed_at is None


def test_resubmission_in_the_past_is_refused():
    """A Wiedervorlage must be today or later."""
    case = make_case(make_office())
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    with pytest.raises(InvalidInput, match="Vergangenheit"):
        services.case_resubmission_set(case=case, on=yesterday, by=None)
    tomorrow = yesterday + datetime.timedelta(days=2)
    assert services.case_resubmission_set(case=case, on=tomorrow, by=None).resubmission_on == tomorrow


def test_new_version_never_overwrites_the_old_one():
    """Version 1 keeps its blob; version 2 has its own, with reason and author."""
    office = make_office()
    clerk = make_staff(office)
    case = make_case(office)
    first = make_pdf("erste Fassung")
    document = services.document_add(case=case, title="Antrag", content=first, filename="a.pdf", by=clerk)
    second = services.document_version_add(
        document=document,
        content=make_pdf("zweite Fassung"),
        filename="a2.pdf",
        reason="Unterschrift ergänzt",
        by=clerk,
    )
    versions = list(DocumentVersion.objects.filter(document=document).order_by("number"))
    assert [v.number for v in versions] == [1, 2]
    assert versions[0].blob.sha256 != versions[1].blob.sha256
    assert blobs.read_bytes(versions[0].blob) == first
    assert second.reason == "Unterschrift ergänzt" and second.created_by == clerk


def test_version_without_reason_is_refused():
    """Why a version was made is part of revision safety."""
    case = make_case(make_office())
    document = services.document_add(case=case, title="A", content=make_pdf(), filename="a.pdf", by=None)
    with pytest.raises(InvalidInput, match="warum"):
        services.document_version_add(
            document=document, content=make_pdf("x"), filename="a.pdf", reason=" ", by=None
        )


@pytest.mark.parametrize(
    ("content", "filename", "error"),
    [
        (b"", "leer.pdf", blobs.BlobEmpty),
        (b"MZ\x90\x00" + b"\x00" * 100, "programm.exe", blobs.BlobError),
        (b"hello", "brief.pdf", blobs.BlobTypeMismatch),
    ],
)
def test_bad_files_are_refused_and_nothing_is_stored(content, filename, error):
    """Empty files, executables and names contradicting the content leave no document behind."""
    case = make_case(make_office())
    with pytest.raises(error):
        services.document_add(case=case, title="X", content=content, filename=filename, by=None)
    assert not case.documents.exists()


def test_oversized_file_is_refused_with_its_size(settings):
    """Over the limit: BlobTooLarge names the size; no document."""
    case = make_case(make_office())
    big = make_pdf() + b"0" * (services.MAX_DOCUMENT_BYTES + 1)
    with pytest.raises(blobs.BlobTooLarge, match="MB"):
        services.document_add(case=case, title="X", content=big, filename="gross.pdf", by=None)
    assert not case.documents.exists()


def test_duplicate_plan_number_is_a_conflict():
    """The same number twice in one office (or city-wide) is refused."""
    services.file_plan_entry_create(number="55", title="A", retention_years=5)
    with pytest.raises(Conflict):
        services.file_plan_entry_create(number="55", title="B", retention_years=5)


def test_office_entry_may_not_shadow_a_citywide_number():
    """Aktenzeichen come from the number, so 56 city-wide and 56 for one office would collide."""
    services.file_plan_entry_create(number="56", title="A", retention_years=5)
    with pytest.raises(Conflict):
        services.file_plan_entry_create(number="56", title="B", retention_years=5, office=make_office())
    services.file_plan_entry_create(number="57", title="C", retention_years=5, office=make_office())
    with pytest.raises(Conflict):
        services.file_plan_entry_create(number="57", title="C", retention_years=5)


def test_file_closes_only_when_all_its_cases_are_closed_and_then_blocks_reopening():
    """A closed file is final for its cases: reopening them is refused."""
    office = make_office()
    case = make_case(office)
    with pytest.raises(Conflict, match="offene Vorgänge"):
        services.case_file_close(case_file=case.case_file, by=None)
    case = services.case_close(case=case, by=None)
    case_file = services.case_file_close(case_file=case.case_file, by=None)
    assert case_file.is_closed
    with pytest.raises(services.CaseClosed, match="geschlossen"):
        services.case_reopen(case=case, by=None, reason="Nachtrag")
    with pytest.raises(services.CaseClosed):
        services.case_create(office=office, subject="Neu", case_file=case_file)


def test_a_case_cannot_be_filed_into_another_office_s_file():
    """Files belong to their office."""
    case = make_case(make_office())
    with pytest.raises(InvalidInput, match="anderen Dienststelle"):
        services.case_create(office=make_office(), subject="Neu", case_file=case.case_file)


def _png_header(width: int, height: int) -> bytes:
    """A PNG whose header declares ``width`` × ``height`` (the pixels are never decoded)."""
    import struct
    import zlib

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", ihdr)
        + chunk(b"IDAT", zlib.compress(b"\x00"))
        + chunk(b"IEND", b"")
    )


def _zip_bomb() -> bytes:
    """A DOCX-shaped ZIP whose one member unpacks from a few KB to 600 MB."""
    import io
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        with archive.open("word/document.xml", "w", force_zip64=True) as member:
            block = b"\x00" * (1024 * 1024)
            for _ in range(600):
                member.write(block)
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("make_content", "filename", "message"),
    [
        (lambda: make_pdf(password="geheim"), "geschuetzt.pdf", "verschlüsselt"),
        (lambda: make_pdf()[:200], "kaputt.pdf", "beschädigt"),
        (lambda: _png_header(20_000, 20_000), "riesig.png", "zu groß"),
        (lambda: _png_header(20_000, 20_000)[:20], "abgeschnitten.png", "beschädigt"),
    ],
)
def test_unreadable_or_dangerous_files_are_refused_before_storing(make_content, filename, message):
    """Encrypted or corrupt PDFs and 400-megapixel images: a precise message, no document, no blob."""
    case = make_case(make_office())
    content = make_content()
    with pytest.raises(InvalidInput, match=message):
        services.document_add(case=case, title="X", content=content, filename=filename, by=None)
    assert not case.documents.exists()
    assert not blobs.Blob.objects.filter(size=len(content)).exists()


def test_zip_bomb_disguised_as_office_document_is_refused():
    """The unpacked size is read from the ZIP directory; nothing is unpacked or stored."""
    from rathaus.efile import filechecks

    with pytest.raises(InvalidInput, match="ZIP-Bombe"):
        filechecks.check(_zip_bomb(), filename="bericht.docx")


def test_every_public_name_of_the_services_package_is_importable():
    """The split of ``efile/services.py`` into a package keeps every public name at the door."""
    missing = [name for name in services.__all__ if not hasattr(services, name)]
    assert missing == []
