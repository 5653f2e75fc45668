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
