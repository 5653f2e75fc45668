import datetime
import io
import os

import pytest
from django.conf import settings
from django.core.files.storage import storages
from django.core.management import CommandError, call_command
from django.utils import timezone

from rathaus.efile import services

from .factories import make_case, make_office, make_pdf

pytestmark = pytest.mark.django_db


def test_efile_verify_reports_a_tampered_blob_and_fails():
    """Changed bytes under a stored hash are found; exit with an error naming the hash."""
    case = make_case(make_office())
    content = make_pdf(os.urandom(8).hex())
    document = services.document_add(case=case, title="Brief", content=content, filename="b.pdf", by=None)
    blob = document.versions.get().blob
    out = io.StringIO()
    call_command("efile_verify", stdout=out)
    assert "alle unverändert" in out.getvalue()
    storage = storages[settings.BLOB_STORAGE_ALIAS]
    with open(storage.path(blob.path), "wb") as handle:
        handle.write(content[:-20] + b"manipuliert" + content[-9:])
    err = io.StringIO()
    try:
        with pytest.raises(CommandError, match="beschädigt"):
            call_command("efile_verify", stdout=io.StringIO(), stderr=err)
        assert blob.sha256 in err.getvalue()
    finally:
        storage.delete(blob.path)


def test_efile_disposal_lists_files_past_retention():
    """A file closed this year with 10 years' retention is due in the 11th following year."""
    office = make_office()
    case = services.case_close(case=make_case(office), by=None)
    services.case_file_close(case_file=case.case_file, by=None)
    year = timezone.localdate().year
    out = io.StringIO()
    call_command("efile_disposal", office.slug, "--date", f"{year + 11}-01-01", stdout=out)
    assert case.case_file.aktenzeichen in out.getvalue() and "1 Akten" in out.getvalue()
    out = io.StringIO()
    call_command(
        "efile_disposal", office.slug, "--date", datetime.date(year + 10, 12, 31).isoformat(), stdout=out
    )
    assert "0 Akten" in out.getvalue()
