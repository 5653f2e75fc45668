"""The definitions shipped with Rathaus load; a broken file is reported with its line."""

from django.core import checks

from rathaus.eforms import registry
from rathaus.eforms.checks import form_definitions_load


def test_every_shipped_definition_loads_and_is_named_like_its_file():
    forms, problems = registry.load_all()
    assert problems == []
    assert "gewerbeanmeldung" in forms
    assert {path.stem for path in registry.DEFINITIONS_DIR.glob("*.yaml")} == set(forms)


def test_a_broken_definition_fails_the_system_check_naming_file_and_line(tmp_path, monkeypatch):
    (tmp_path / "kaputt.yaml").write_text(
        'form: kaputt\nversion: 1\ntitle: K\ntitle_en: K\nleika: "99000000000000"\nsteps:\n'
        "  - id: a\n    title: A\n    title_en: A\n    items:\n"
        "      - {field: x, type: txt, label: X, label_en: X}\n",
        encoding="utf-8",
    )
    monkeypatch.setattr(registry, "DEFINITIONS_DIR", tmp_path)
    monkeypatch.setattr(registry.load_all, "__defaults__", (tmp_path,))
    [error] = form_definitions_load()
    assert isinstance(error, checks.Error) and error.id == "eforms.E001"
    assert "kaputt.yaml: Zeile 11: unbekannter Feldtyp 'txt'" in error.msg
