"""The commands: offer, import the archive's evaluation, transfer, receipt, delete, and the
package import into another office."""

import pytest
from django.core.management import CommandError, call_command

from rathaus.domain.efile import xdomea
from rathaus.domain.efile.xdomea import write
from rathaus.efile.archive.models import Disposal
from rathaus.efile.models import CaseFile

pytestmark = pytest.mark.django_db


def _answer(disposal: Disposal, code: str, items: list) -> bytes:
    header = xdomea.Header(
        process_id=str(disposal.process_id),
        message_code=code,
        created_at=disposal.created_at,
        sender=xdomea.Party("Staatsarchiv", "StAB"),
        recipient=xdomea.Party("Bürgeramt", "BA"),
    )
    if code == xdomea.EVALUATION:
        return write.evaluation_message(header, items)
    return write.import_receipt_message(header, items)


def test_command_flow_with_the_archives_xml_answers(world, tmp_path, capsys):
    """The whole process from the command line, with 0502 and 0506 as files from the archive."""
    call_command(
        "efile_archive",
        "offer",
        world.office.slug,
        "--archive",
        world.archive.slug,
        "--date",
        str(world.today),
    )
    disposal = Disposal.objects.get()
    evaluation = tmp_path / "bewertung.xml"
    evaluation.write_bytes(
        _answer(
            disposal,
            xdomea.EVALUATION,
            [xdomea.Decision(str(i.object_id), "A") for i in disposal.items.all()],
        )
    )
    call_command("efile_archive", "import-evaluation", str(disposal.pk), str(evaluation))
    call_command("efile_archive", "transfer", str(disposal.process_id), "--out", str(tmp_path))
    package = next(tmp_path.glob("*_Aussonderung.Aussonderung.0503.zip"))
    receipt = tmp_path / "bestaetigung.xml"
    receipt.write_bytes(
        _answer(
            disposal,
            xdomea.IMPORT_RECEIPT,
            [xdomea.ImportResult(str(i.object_id), True, f"StAB {i.pk}") for i in disposal.items.all()],
        )
    )
    call_command("efile_archive", "import-receipt", str(disposal.pk), str(receipt))
    call_command("efile_xdomea_import", str(package), "--office", world.other.slug)
    call_command("efile_archive", "delete", str(disposal.pk))
    call_command("efile_archive", "list")
    out = capsys.readouterr().out
    assert "2 Akten gelöscht" in out and "2 Akten aus" in out
    assert Disposal.objects.get().state == Disposal.State.COMPLETED
    assert CaseFile.objects.filter(office=world.other).count() == 2
    assert not CaseFile.objects.filter(office=world.office).exists()


def test_import_command_reports_bad_input_in_german(world, tmp_path):
    """A file that is no zip: a CommandError that says nothing was taken over."""
    path = tmp_path / "paket.zip"
    path.write_bytes(b"kein zip")
    with pytest.raises(CommandError, match="Nichts übernommen: Die Datei ist kein ZIP-Archiv"):
        call_command("efile_xdomea_import", str(path), "--office", world.other.slug)


@pytest.mark.parametrize("command", ["efile_archive", "efile_xdomea_import"])
def test_commands_have_help(command, capsys):
    """--help names the purpose in German and English."""
    with pytest.raises(SystemExit):
        call_command(command, "--help")
    assert "xdomea" in capsys.readouterr().out


def test_import_command_plan_option_takes_the_receiving_offices_own_entry(world, tmp_path):
    """``--plan 66.10`` where both the city and the receiving office have an entry 66.10: the
    office's own entry is used, on SQLite as on PostgreSQL (ordering by office picked the
    city-wide one on SQLite, where NULL sorts first)."""
    import io
    import zipfile

    from rathaus.efile.archive import services
    from rathaus.efile.models import FilePlanEntry
    from rathaus.kernel import blobs

    # given: a package whose files name plan entries the receiving office does not have
    disposal = services.disposal_offer(office=world.office, archive=world.archive, today=world.today)
    disposal = services.disposal_evaluate(
        disposal=disposal, decisions={i.pk: "A" for i in disposal.items.all()}, by=world.archivist
    )
    disposal = services.disposal_transfer(disposal=disposal, by=world.clerk)
    with zipfile.ZipFile(io.BytesIO(blobs.read_bytes(disposal.transfer_package))) as archive:
        members = {name: archive.read(name) for name in archive.namelist()}
    message = next(name for name in members if name.endswith(".xml"))
    for number in (b"88.10", b"88.20"):
        members[message] = members[message].replace(b">" + number + b"<", b">77.99<")
    package = tmp_path / "paket.zip"
    with zipfile.ZipFile(package, "w") as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    # Both entries as rows: the service refuses an office entry shadowing a city-wide one,
    # but plans from before that rule (or loaded data) may have both.
    FilePlanEntry.objects.create(number="66.10", title="Stadtweit", retention_years=5)
    own = FilePlanEntry.objects.create(
        number="66.10", title="Eigener Eintrag", retention_years=5, office=world.other
    )

    # when
    call_command("efile_xdomea_import", str(package), "--office", world.other.slug, "--plan", "66.10")

    # then
    imported = CaseFile.objects.filter(office=world.other)
    assert imported.count() == 2
    assert set(imported.values_list("file_plan_entry_id", flat=True)) == {own.pk}
