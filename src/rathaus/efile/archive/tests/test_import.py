"""Import of xdomea packages (Abgabe) with bad input: each refusal is a clear German message
and leaves nothing behind (all checks before the one transaction that writes the rows)."""

import io
import re
import zipfile

import pytest

from rathaus.efile.archive import services
from rathaus.efile.archive.models import ImportedPackage
from rathaus.efile.models import CaseFile
from rathaus.kernel import blobs
from rathaus.kernel.exceptions import Conflict, InvalidInput

pytestmark = pytest.mark.django_db


@pytest.fixture
def package(world) -> bytes:
    disposal = services.disposal_offer(office=world.office, archive=world.archive, today=world.today)
    disposal = services.disposal_evaluate(
        disposal=disposal, decisions={i.pk: "A" for i in disposal.items.all()}, by=world.archivist
    )
    disposal = services.disposal_transfer(disposal=disposal, by=world.clerk)
    return blobs.read_bytes(disposal.transfer_package)


def _members(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def _zip(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def _message_name(members: dict[str, bytes]) -> str:
    return next(n for n in members if n.endswith("0503.xml"))


def _nothing_stored(world) -> None:
    assert not CaseFile.objects.filter(office=world.other).exists()
    assert not ImportedPackage.objects.exists()


def _import(world, data: bytes):
    return services.package_import(data=data, office=world.other, by=world.other_clerk)


def test_package_imports_into_another_office(world, package):
    """Both files arrive with new Aktenzeichen of the receiving office."""
    imported = _import(world, package)
    assert imported.files.count() == 2
    assert CaseFile.objects.filter(office=world.other).count() == 2


def test_abgabe_0401_package_imports(world, package):
    """A 0401 Abgabe (the same files as the 0503, in an Abgabe message) is taken over as well."""
    from lxml import etree

    from rathaus.domain.efile import xdomea
    from rathaus.domain.efile.xdomea import package as xpackage
    from rathaus.domain.efile.xdomea import read, write

    members = _members(package)
    name = _message_name(members)
    header, records = read.read_files(etree.fromstring(members.pop(name)))
    abgabe = xdomea.Header(
        header.process_id, xdomea.ABGABE, header.created_at, header.sender, header.recipient
    )
    members = {
        xpackage.message_filename(header.process_id, xdomea.ABGABE): write.abgabe_message(abgabe, records),
        **members,
    }
    imported = _import(world, _zip(members))
    assert imported.message_code == "0401" and imported.files.count() == 2


def test_duplicate_import_is_refused(world, package):
    """Importing the same package twice: the second time is a conflict, nothing doubled."""
    _import(world, package)
    with pytest.raises(Conflict, match="schon übernommen"):
        _import(world, package)
    assert CaseFile.objects.filter(office=world.other).count() == 2


def test_not_a_zip_is_refused(world):
    """A PDF passed as package."""
    with pytest.raises(InvalidInput, match="kein ZIP-Archiv"):
        _import(world, b"%PDF-1.7\n%%EOF")
    _nothing_stored(world)


def test_zip_bomb_is_refused(world, package):
    """A member of 20 MB of zeros (ratio > 200) next to the message."""
    members = _members(package)
    members["00000000-0000-0000-0000-000000000000_null.bin"] = b"\0" * (20 * 1024 * 1024)
    with pytest.raises(InvalidInput, match="ZIP-Bombe"):
        _import(world, _zip(members))
    _nothing_stored(world)


def test_path_traversal_name_is_refused(world, package):
    """A member named ../../etc/cron.d/x."""
    members = _members(package)
    members["../../etc/cron.d/x"] = b"* * * * * root true\n"
    with pytest.raises(InvalidInput, match="unzulässigen Dateinamen"):
        _import(world, _zip(members))
    _nothing_stored(world)


def test_xml_with_dtd_is_refused(world, package):
    """The message with an internal DTD declaring an entity (billion laughs shape)."""
    members = _members(package)
    name = _message_name(members)
    members[name] = members[name].replace(
        b"?>\n", b'?>\n<!DOCTYPE x [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;">]>\n', 1
    )
    with pytest.raises(InvalidInput, match="DOCTYPE"):
        _import(world, _zip(members))
    _nothing_stored(world)


def test_schema_invalid_message_is_refused(world, package):
    """The message with an invalid ProzessID (not a UUID) fails the xdomea schema."""
    members = _members(package)
    name = _message_name(members)
    members[name] = re.sub(rb"<xdomea:ProzessID>[^<]+<", b"<xdomea:ProzessID>keine-uuid<", members[name])
    with pytest.raises(InvalidInput, match="Schema xdomea 3.1.0"):
        _import(world, _zip(members))
    _nothing_stored(world)


def test_missing_document_is_refused(world, package):
    """The package without one of the primary documents the message lists."""
    members = _members(package)
    dropped = next(n for n in members if n.endswith(".txt"))
    del members[dropped]
    with pytest.raises(InvalidInput, match="fehlt im ZIP-Archiv"):
        _import(world, _zip(members))
    _nothing_stored(world)


def test_wrong_hash_is_refused(world, package):
    """One primary document's bytes changed after the hash was written."""
    members = _members(package)
    changed = next(n for n in members if n.endswith(".txt"))
    members[changed] = members[changed] + b"manipuliert"
    with pytest.raises(InvalidInput, match="SHA-256"):
        _import(world, _zip(members))
    _nothing_stored(world)


def test_a_late_failure_leaves_nothing_behind(world, package):
    """The last document is an encrypted PDF under the right hash: the E-Akte's file checks refuse
    it after the other documents were checked and stored, before any row is written."""
    from rathaus.efile.tests.factories import make_pdf

    members = _members(package)
    name = _message_name(members)
    last = [n for n in members if n != name][-1]
    bad = make_pdf("geheim", password="x")
    import hashlib

    old_hash = hashlib.sha256(members[last]).hexdigest().encode()
    members[last] = bad
    members[name] = members[name].replace(old_hash, hashlib.sha256(bad).hexdigest().encode())
    members[name] = members[name].replace(
        last.encode() + b"</xdomea:Dateiname>", last.encode() + b"</xdomea:Dateiname>"
    )
    with pytest.raises(InvalidInput):
        _import(world, _zip(members))
    _nothing_stored(world)


def test_note_longer_than_the_efile_allows_is_refused(world, package):
    """A note of more than 10,000 characters (the E-Akte's limit) is refused with the checks,
    before anything is written."""
    members = _members(package)
    name = _message_name(members)
    assert "Rückruf erledigt".encode() in members[name]
    members[name] = members[name].replace("Rückruf erledigt".encode(), b"x" * 10_001)
    with pytest.raises(InvalidInput, match="länger als 10000 Zeichen"):
        _import(world, _zip(members))
    _nothing_stored(world)
