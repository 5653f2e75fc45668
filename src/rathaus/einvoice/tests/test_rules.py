"""``rathaus einvoice rules install|show``: only the pinned KoSIT release, verified file by file."""

import json
import zipfile
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from rathaus.einvoice import rules


def release_zip(
    configuration: Path, target: Path, *, change: dict[str, bytes] | None = None, top: str = ""
) -> Path:
    """A zip of the configuration as the release ships it, built now from ../shared."""
    change = change or {}
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(configuration.rglob("*")):
            if path.is_file():
                name = path.relative_to(configuration).as_posix()
                archive.writestr(top + name, change.get(name, path.read_bytes()))
        for name, data in change.items():
            if not (configuration / name).exists():
                archive.writestr(top + name, data)
    return target


def test_manifest_matches_the_shared_copy(configuration):
    """The pinned manifest names every file of the configuration in ../shared with its SHA-256."""
    manifest = rules.load_manifest()
    files, ignored = rules._files_from_dir(configuration, manifest)
    rules.verify(files, manifest)
    assert not ignored
    assert manifest.version == "Validator Configuration XRechnung 3.0.2 (2026-02-04)"


@pytest.mark.parametrize("top", ["", "validator-configuration/"])
def test_install_from_zip_then_show(configuration, tmp_path, top):
    """A release zip (with or without a top folder) is verified, installed and recorded."""
    source = release_zip(configuration, tmp_path / "release.zip", top=top)
    target = tmp_path / "rules"
    out = StringIO()
    call_command("einvoice", "rules", "install", "--from", str(source), "--target", str(target), stdout=out)
    assert "Validator Configuration XRechnung 3.0.2" in out.getvalue()
    assert (target / rules.CONFIGURATION / "scenarios.xml").read_bytes() == (
        configuration / "scenarios.xml"
    ).read_bytes()
    record = json.loads((target / rules.RECORD).read_text())
    assert record["manifest"] == "xrechnung-3.0.2-validator-configuration-2026-01-31"
    assert record["files"] == len(rules.load_manifest().files)
    info = rules.active_rules(target, check=True)
    assert info["verified"] is True
    assert info["installed"]["source"] == str(source)


def test_install_from_directory_into_the_configured_rules_dir(configuration, tmp_path, settings):
    settings.EINVOICE_RULES_DIR = tmp_path / "var-einvoice"
    call_command("einvoice", "rules", "install", "--from", str(configuration.parent), stdout=StringIO())
    assert (tmp_path / "var-einvoice" / rules.CONFIGURATION / "scenarios.xml").is_file()


def test_tampered_file_is_refused_and_the_installed_set_is_untouched(configuration, tmp_path):
    """Tried: an XRechnung stylesheet with one comment added; nothing is installed or replaced."""
    target = tmp_path / "rules"
    rules.install(release_zip(configuration, tmp_path / "good.zip"), target=target)
    before = (target / rules.RECORD).read_text()
    name = next(n for n in rules.load_manifest().files if n.endswith(".xsl") and "xrechnung" in n)
    tampered = (configuration / name).read_bytes() + b"<!-- -->"
    source = release_zip(configuration, tmp_path / "bad.zip", change={name: tampered})
    with pytest.raises(CommandError, match="SHA-256 weicht ab"):
        call_command("einvoice", "rules", "install", "--from", str(source), "--target", str(target))
    assert (target / rules.RECORD).read_text() == before
    assert (target / rules.CONFIGURATION / name).read_bytes() == (configuration / name).read_bytes()
    assert not [p for p in target.iterdir() if p.name.startswith(".")]


def test_missing_file_is_refused(configuration, tmp_path):
    """Tried: a copy of the configuration without one XSD."""
    copy = tmp_path / "copy"
    for path in configuration.rglob("*"):
        if path.is_file() and not path.name.endswith("UBL-Invoice-2.1.xsd"):
            (copy / path.relative_to(configuration)).parent.mkdir(parents=True, exist_ok=True)
            (copy / path.relative_to(configuration)).write_bytes(path.read_bytes())
    with pytest.raises(rules.RulesError, match="fehlt: .*UBL-Invoice-2.1.xsd"):
        rules.install(copy, target=tmp_path / "rules")


def test_extra_files_are_not_installed(configuration, tmp_path):
    """Files the manifest does not know (e.g. a planted script) are reported and left out."""
    source = release_zip(configuration, tmp_path / "extra.zip", change={"resources/evil.xsl": b"<x/>"})
    installed = rules.install(source, target=tmp_path / "rules")
    assert "resources/evil.xsl" in installed.ignored
    assert not (tmp_path / "rules" / rules.CONFIGURATION / "resources" / "evil.xsl").exists()


@pytest.mark.parametrize("member", ["../evil.xml", "/etc/evil.xml"])
def test_paths_leaving_the_target_are_refused(configuration, tmp_path, member):
    """Tried: zip entries with '..' and an absolute path (zip slip)."""
    source = release_zip(configuration, tmp_path / "slip.zip")
    with zipfile.ZipFile(source, "a") as archive:
        archive.writestr(member, b"x")
    with pytest.raises(rules.RulesError, match="Unzulässiger Pfad"):
        rules.install(source, target=tmp_path / "rules")


@pytest.mark.parametrize("content", [b"not a zip", b"PK\x03\x04broken"])
def test_not_a_zip_is_refused(tmp_path, content):
    source = tmp_path / "release.zip"
    source.write_bytes(content)
    with pytest.raises(rules.RulesError):
        rules.install(source, target=tmp_path / "rules")


def test_pinned_download_is_verified_like_a_local_zip(configuration, tmp_path):
    """--pinned fetches the release URL (here a file:// URL) and checks it against the manifest."""
    source = release_zip(configuration, tmp_path / "release.zip")
    target = tmp_path / "rules"
    call_command(
        "einvoice",
        "rules",
        "install",
        "--pinned",
        "--url",
        source.as_uri(),
        "--target",
        str(target),
        stdout=StringIO(),
    )
    assert rules.active_rules(target, check=True)["verified"]


def test_pinned_download_without_network_gives_a_clear_error(tmp_path):
    with pytest.raises(CommandError, match="--from"):
        call_command(
            "einvoice",
            "rules",
            "install",
            "--pinned",
            "--url",
            (tmp_path / "missing.zip").as_uri(),
            "--target",
            str(tmp_path / "rules"),
        )


def test_show_prints_the_active_version(configuration):
    out = StringIO()
    call_command("einvoice", "rules", "show", "--verify", stdout=out)
    text = out.getvalue()
    assert "Aktives Regelwerk: Validator Configuration XRechnung 3.0.2 (2026-02-04)" in text
    assert "alle Dateien stimmen" in text


def test_show_without_rules_says_how_to_install(tmp_path, settings):
    settings.EINVOICE_STANDARDS_DIR = tmp_path
    with pytest.raises(CommandError, match="rules install"):
        call_command("einvoice", "rules", "show")
