"""``rathaus einvoice validate``: the command-line validator for operators and suppliers."""

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command


def test_json_lines_and_exit_status(tmp_path, ubl):
    """One JSON object per file; an invalid file makes the command exit with status 1."""
    good = tmp_path / "gut.xml"
    good.write_bytes(ubl)
    bad = tmp_path / "kaputt.xml"
    bad.write_bytes(
        ubl.replace(
            b'<cbc:TaxInclusiveAmount currencyID="EUR">120', b'<cbc:TaxInclusiveAmount currencyID="EUR">9'
        )
    )
    out = StringIO()
    with pytest.raises(SystemExit) as exit_info:
        call_command("einvoice", "validate", str(good), str(bad), "--format", "json", stdout=out)
    assert exit_info.value.code == 1
    first, second = (json.loads(line) for line in out.getvalue().splitlines())
    assert first == {
        "file": str(good),
        "valid": True,
        "syntax": "UBL",
        "rules": [],
        "warnings": first["warnings"],
    }
    assert second["valid"] is False and "BR-CO-15" in second["rules"]


def test_valid_file_in_text_format_exits_normally(tmp_path, cii):
    """A valid file prints a German verdict and the command returns normally."""
    path = tmp_path / "rechnung.xml"
    path.write_bytes(cii)
    out = StringIO()
    call_command("einvoice", "validate", str(path), stdout=out)
    assert "angenommen (CII" in out.getvalue()


def test_missing_file_is_reported_and_the_batch_goes_on(tmp_path, ubl):
    """A file that cannot be read is reported as invalid (rule FILE); the other files are still checked."""
    good = tmp_path / "gut.xml"
    good.write_bytes(ubl)
    out = StringIO()
    with pytest.raises(SystemExit):
        call_command(
            "einvoice", "validate", str(tmp_path / "fehlt.xml"), str(good), "--format", "json", stdout=out
        )
    missing, checked = (json.loads(line) for line in out.getvalue().splitlines())
    assert missing["rules"] == ["FILE"] and checked["valid"] is True


def test_missing_rule_set_is_a_clear_error(settings, tmp_path):
    """Without the rule set the command names the setting to fix."""
    settings.EINVOICE_STANDARDS_DIR = tmp_path
    with pytest.raises(CommandError, match="EINVOICE_STANDARDS_DIR"):
        call_command("einvoice", "validate", str(tmp_path / "x.xml"))
