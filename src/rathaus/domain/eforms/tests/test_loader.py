"""Loading form definitions: a valid one becomes frozen dataclasses; an invalid one is refused
naming the line of the first problem."""

from __future__ import annotations

import textwrap

import pytest

from rathaus.domain.eforms.definition import Equals, FieldType, Group, LevelOfAssurance
from rathaus.domain.eforms.loader import DefinitionError, load_definition

VALID = textwrap.dedent(
    """\
    form: hundesteuer-anmeldung
    version: 2
    title: Anmeldung eines Hundes zur Hundesteuer
    title_en: Registering a dog for dog tax
    leika: "99003002001000"
    level_of_assurance: substantial
    codelists:
      rasse_art:
        - {code: "normal", label: "kein gefährlicher Hund", label_en: "not a dangerous dog"}
        - {code: "gefaehrlich", label: "gefährlicher Hund", label_en: "dangerous dog"}
    steps:
      - id: halter
        title: Halterin oder Halter
        title_en: Keeper
        items:
          - field: familienname
            fim: F60000227
            type: text
            label: Familienname
            label_en: Family name
            required: true
            max_length: 120
          - field: geburtsdatum
            type: date
            label: Geburtsdatum
            label_en: Date of birth
            required: true
            rules: [not_future, adult]
      - id: hunde
        title: Hunde
        title_en: Dogs
        items:
          - group: hund
            label: Hund
            label_en: Dog
            repeat: {min: 1, max: 5}
            items:
              - field: name
                type: text
                label: Name des Hundes
                label_en: Dog's name
                required: true
              - field: art
                type: select
                codelist: rasse_art
                label: Einstufung
                label_en: Classification
                required: true
              - field: erlaubnis
                type: text
                label: Aktenzeichen der Erlaubnis nach dem Hundegesetz
                label_en: File number of the permit under the dog act
                min_length: 5
                max_length: 50
                required: true
                visible_if: {field: art, equals: gefaehrlich}
    """
)


def test_a_valid_definition_loads_with_its_parts():
    definition = load_definition(VALID)
    assert (definition.id, definition.version, definition.leika) == (
        "hundesteuer-anmeldung",
        2,
        "99003002001000",
    )
    assert definition.level_of_assurance is LevelOfAssurance.SUBSTANTIAL
    assert [step.id for step in definition.steps] == ["halter", "hunde"]
    assert definition.fields()["familienname"].fim_id == "F60000227"
    group = definition.groups()["hund"]
    assert isinstance(group, Group) and (group.min_repeat, group.max_repeat) == (1, 5)
    permit = group.field("erlaubnis")
    assert permit is not None and permit.type is FieldType.TEXT
    assert permit.visible_if == Equals("art", "gefaehrlich")
    assert definition.codelists["rasse_art"].get("normal").label_en == "not a dangerous dog"


def _broken(old: str, new: str) -> str:
    assert old in VALID, old
    return VALID.replace(old, new, 1)


@pytest.mark.parametrize(
    ("text", "line", "words"),
    [
        (_broken("type: text", "type: txt"), 18, "unbekannter Feldtyp"),
        (
            _broken("required: true\n        max_length", "requird: true\n        max_length"),
            21,
            "unbekannter Schlüssel „requird“",
        ),
        (_broken("codelist: rasse_art", "codelist: rasse"), 45, "unbekannte Codeliste „rasse“"),
        (
            _broken("{field: art, equals: gefaehrlich}", "{field: rasse, equals: gefaehrlich}"),
            56,
            "nennt „rasse“",
        ),
        (
            _broken("{field: art, equals: gefaehrlich}", "{field: art, equals: gefährlich}"),
            56,
            "kein Code der Liste",
        ),
        (_broken("rules: [not_future, adult]", "rules: [not_future, volljaehrig]"), 28, "unbekannte Regel"),
        (_broken("max_length: 50", "max_length: 999999999"), 54, "„max_length“"),
        (_broken('leika: "99003002001000"', "leika: 9900300200"), 5, "LeiKa"),
        (_broken("- field: name", "- field: Name"), 38, "Kurzname"),
        (_broken("repeat: {min: 1, max: 5}", "repeat: {min: 6, max: 5}"), 36, "„min“"),
        (_broken("  - group: hund", "  - group: familienname"), 33, "schon vergeben"),
        (_broken("level_of_assurance: substantial", "level_of_assurance: hoch"), 6, "level_of_assurance"),
        (_broken("title_en: Dogs\n", "title_en: Dogs\n    title: Hunde\n"), 32, "zweimal"),
        (
            VALID
            + "  - id: halter\n    title: x\n    title_en: y\n"
            + "    items: [{field: zz, type: text, label: a, label_en: b}]\n",
            57,
            "„halter“ steht zweimal",
        ),
        (_broken("steps:", "steps: [\n"), 0, "kein gültiges YAML"),
    ],
)
def test_an_invalid_definition_is_refused_naming_the_line(text, line, words):
    with pytest.raises(DefinitionError) as caught:
        load_definition(text)
    assert words in str(caught.value)
    if line:
        assert caught.value.line == line, str(caught.value)
        assert str(caught.value).startswith(f"Zeile {line}: ")


def test_a_condition_on_a_later_step_is_refused():
    text = _broken(
        "        rules: [not_future, adult]\n",
        "        rules: [not_future, adult]\n        visible_if: {field: name, filled: true}\n",
    )
    with pytest.raises(DefinitionError, match="kein Feld dieses oder eines früheren Schritts"):
        load_definition(text)


def test_a_choice_field_needs_its_code_list_and_only_choice_fields_have_one():
    with pytest.raises(DefinitionError, match="Auswahlfelder"):
        load_definition(_broken("            codelist: rasse_art\n", ""))
    with pytest.raises(DefinitionError, match="Auswahlfelder"):
        load_definition(_broken("max_length: 120", "max_length: 120\n        codelist: rasse_art"))


def test_an_oversized_definition_is_refused_before_parsing():
    with pytest.raises(DefinitionError, match="größer als"):
        load_definition("# " + "x" * 600_000)


def test_a_file_field_inside_a_group_is_refused():
    text = _broken(
        "          - field: name\n",
        "          - {field: foto, type: file, label: F, label_en: F, accept: [image/png],\n"
        "             max_bytes: 10}\n"
        "          - field: name\n",
    )
    with pytest.raises(DefinitionError, match="Dateifelder stehen nicht in Gruppen") as caught:
        load_definition(text)
    assert caught.value.line == 38


def test_prefill_names_a_known_source_only():
    good = load_definition(_broken("max_length: 120", "max_length: 120\n        prefill: person.family_name"))
    assert good.fields()["familienname"].prefill == "person.family_name"
    with pytest.raises(DefinitionError, match="unbekannte Quelle für „prefill“") as caught:
        load_definition(_broken("max_length: 120", "max_length: 120\n        prefill: person.tax_id"))
    assert caught.value.line == 23
