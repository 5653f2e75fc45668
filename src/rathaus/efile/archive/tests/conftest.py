import datetime
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.utils import timezone
from lxml import etree

from rathaus.directory.models import Office
from rathaus.efile import services as efile_services
from rathaus.efile.tests.factories import make_office, make_staff, make_text_pdf


def xsd() -> etree.XMLSchema:
    path = Path(settings.XDOMEA_SCHEMA_DIR) / "xdomea.xsd"
    if not path.exists():
        pytest.skip(f"xdomea schema not found at {path} (checkout ../shared next to the repository)")
    return etree.XMLSchema(etree.parse(str(path)))


def assert_valid(data: bytes) -> etree._Element:
    """The bytes are an xdomea 3.1.0 message that the official schema accepts."""
    root = etree.fromstring(data)
    schema = xsd()
    assert schema.validate(root), schema.error_log
    return root


@dataclass
class World:
    office: Any
    other: Any
    archive: Any
    clerk: Any
    other_clerk: Any
    archivist: Any
    keep: Any  # archive-worthy closed file with two cases
    drop: Any  # not archive-worthy closed file
    today: datetime.date


def closed_file(
    office: Any, entry: Any, clerk: Any, *, subject: str, documents: list[tuple[str, bytes, str]]
) -> Any:
    case = efile_services.case_create(office=office, subject=subject, file_plan_entry=entry, created_by=clerk)
    for title, content, filename in documents:
        efile_services.document_add(case=case, title=title, content=content, filename=filename, by=clerk)
    efile_services.case_close(case=case, by=clerk)
    return case


@pytest.fixture
def world(db) -> World:
    return build_world()


def build_world() -> World:
    """Three offices (two ordinary, one archive), a clerk each, and two closed files due next year."""
    office = make_office(name="Bürgeramt Süd", short_name="BA Süd")
    other = make_office(name="Bürgeramt Nord", short_name="BA Nord")
    archive = make_office(name="Staatsarchiv", short_name="StAB", kind=Office.Kind.ARCHIVE)
    clerk, other_clerk, archivist = make_staff(office), make_staff(other), make_staff(archive)
    top = efile_services.file_plan_entry_create(
        number="88", title="Ordnung", retention_years=0, files_allowed=False
    )
    worthy = efile_services.file_plan_entry_create(
        number="88.10", title="Ausländer", parent=top, archive_worthy=True
    )
    unworthy = efile_services.file_plan_entry_create(
        number="88.20", title="Melde", parent=top, archive_worthy=False
    )
    first = closed_file(
        office,
        worthy,
        clerk,
        subject="Aufenthaltstitel Yilmaz",
        documents=[
            ("Antrag", make_text_pdf("Antrag Yilmaz"), "antrag.pdf"),
            ("Vermerk", b"Akte geprueft.\n", "vermerk.txt"),
        ],
    )
    document = first.documents.get(title="Antrag")
    efile_services.case_reopen(case=first, by=clerk, reason="Nachtrag")
    efile_services.document_version_add(
        document=document,
        content=make_text_pdf("Antrag Yilmaz korrigiert"),
        filename="antrag-v2.pdf",
        reason="Korrektur",
        by=clerk,
    )
    efile_services.case_note_add(case=first, text="Rückruf erledigt", by=clerk)
    efile_services.case_close(case=first, by=clerk)
    second = efile_services.case_create(
        office=office, subject="Nachfrage Yilmaz", case_file=first.case_file, created_by=clerk
    )
    efile_services.document_add(
        case=second,
        title="Brief",
        content=b"Sehr geehrte Damen und Herren\n",
        filename="brief.txt",
        by=clerk,
        direction="outgoing",
    )
    efile_services.case_close(case=second, by=clerk)
    keep = efile_services.case_file_close(case_file=first.case_file, by=clerk)
    dropped = closed_file(
        office,
        unworthy,
        clerk,
        subject="Anmeldung Becker",
        documents=[("Meldeschein", b"Becker\n", "melde.txt")],
    )
    drop = efile_services.case_file_close(case_file=dropped.case_file, by=clerk)
    today = datetime.date(timezone.localdate().year + 1, 1, 2)
    return World(office, other, archive, clerk, other_clerk, archivist, keep, drop, today)
