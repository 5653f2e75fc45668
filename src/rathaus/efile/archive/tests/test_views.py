"""Staff pages of Aussonderung: the office offers and hands over, the archive evaluates and
confirms, the package can be downloaded and its documents are listed."""

import io
import zipfile

import pytest
from django.urls import reverse

from rathaus.efile.archive.models import Disposal
from rathaus.efile.tests.factories import make_office, make_staff
from rathaus.kernel import audit
from rathaus.kernel.testing import log_in_staff as _login

pytestmark = pytest.mark.django_db


def test_staff_hand_a_closed_file_over_as_a_package_that_lists_its_documents(client, world):
    """Offer (office) → evaluate (archive) → package (office) → download: the ZIP opens and the
    page lists every document version with its hash."""
    clerk = _login(client, world.clerk)
    response = clerk.post(
        reverse("efile_archive:offer"),
        {
            "office": world.office.pk,
            "archive": world.archive.pk,
            "reference_date": world.today.strftime("%d.%m.%Y"),
        },
    )
    assert response.status_code == 302, response.content.decode()
    disposal = Disposal.objects.get()
    items = {i.aktenzeichen: i for i in disposal.items.all()}

    archivist = _login(client.__class__(), world.archivist)
    page = archivist.get(reverse("efile_archive:detail", args=[disposal.pk]))
    assert "Bewerten (Archiv)" in page.content.decode()
    response = archivist.post(
        reverse("efile_archive:evaluate", args=[disposal.pk]),
        {f"item-{items[world.keep.aktenzeichen].pk}": "A", f"item-{items[world.drop.aktenzeichen].pk}": "V"},
    )
    assert response.status_code == 302

    response = clerk.post(reverse("efile_archive:transfer", args=[disposal.pk]))
    assert response.status_code == 302
    page = clerk.get(reverse("efile_archive:detail", args=[disposal.pk])).content.decode()
    assert "Inhalt des Aussonderungspakets" in page and "Antrag" in page and "Vermerk" in page

    download = clerk.get(reverse("efile_archive:download", args=[disposal.pk, "paket"]))
    assert download.status_code == 200
    data = b"".join(download.streaming_content)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert len(archive.namelist()) == 5
    assert (
        audit.entries_for_target("efile_archive.disposal", disposal.pk)
        .filter(action="efile_archive.downloaded")
        .exists()
    )


def test_incomplete_evaluation_shows_an_error_and_saves_nothing(client, world):
    """The archive leaves one file without a decision: 400 with the error summary, still offered."""
    from rathaus.efile.archive import services

    disposal = services.disposal_offer(office=world.office, archive=world.archive, today=world.today)
    archivist = _login(client, world.archivist)
    response = archivist.post(reverse("efile_archive:evaluate", args=[disposal.pk]), {})
    assert response.status_code == 400
    assert "Bitte korrigieren" in response.content.decode() or "Pflichtfeld" in response.content.decode()
    assert Disposal.objects.get(pk=disposal.pk).state == Disposal.State.OFFERED


def test_other_office_gets_404_and_the_office_cannot_evaluate(client, world):
    """Staff of an unrelated office see nothing (audited); the office itself may not evaluate."""
    from rathaus.efile.archive import services

    disposal = services.disposal_offer(office=world.office, archive=world.archive, today=world.today)
    stranger = _login(client, make_staff(make_office()))
    assert stranger.get(reverse("efile_archive:detail", args=[disposal.pk])).status_code == 404
    assert (
        audit.entries_for_target("efile_archive.disposal", disposal.pk)
        .filter(action="access.denied")
        .exists()
    )
    clerk = _login(client.__class__(), world.clerk)
    response = clerk.post(reverse("efile_archive:evaluate", args=[disposal.pk]), {})
    assert response.status_code == 404


def test_list_shows_the_processes_and_nothing_due_is_a_form_error(client, world):
    """The list shows the office's processes; an offer when nothing is due explains why."""
    clerk = _login(client, world.clerk)
    response = clerk.post(
        reverse("efile_archive:offer"),
        {"office": world.office.pk, "archive": world.archive.pk, "reference_date": "01.01.2000"},
    )
    assert response.status_code == 400 and "keine Akte" in response.content.decode()
    assert clerk.get(reverse("efile_archive:list")).status_code == 200
