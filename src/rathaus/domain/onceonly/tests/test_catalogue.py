"""The catalogue of legal bases: the repository's file loads, a wrong entry is refused by name."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from rathaus.domain.onceonly.catalogue import (
    CATEGORIES,
    DATA_FILE,
    FIELDS,
    InvalidCatalogue,
    catalogue_from_data,
    load_catalogue,
)


def _data() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(DATA_FILE.read_text(encoding="utf-8"))
    return data


def test_the_repository_catalogue_loads_with_its_bremen_entries() -> None:
    catalogue = load_catalogue()
    beeg = catalogue.get("beeg-25-geburt")
    assert beeg is not None
    assert beeg.citation == "§ 25 BEEG"
    assert beeg.consent_required
    assert beeg.allows_office(slug="amt-versorgung-integration", kind="authority")
    assert not beeg.allows_office(slug="finanzamt-bremen", kind="tax_office")
    bmg = catalogue.get("bmg-34-grunddaten")
    assert bmg is not None and bmg.allows_office(slug="finanzamt-bremen", kind="tax_office")
    assert [t.id for t in catalogue.consent_templates()] == [
        "beeg-25-geburt",
        "kindergeld-geburt-einwilligung",
    ]
    assert catalogue.get("no-such-basis") is None


def test_every_field_belongs_to_a_known_category() -> None:
    assert set(FIELDS.values()) <= set(CATEGORIES)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda e: e.update(citation="BMG"), "nennt keinen Paragraphen"),
        (lambda e: e.update(categories=["identity", "dna"]), "unbekannte oder keine Datenkategorien"),
        (lambda e: e.update(categories=[]), "unbekannte oder keine Datenkategorien"),
        (lambda e: e.update(register="grundbuch"), "unbekanntes Register"),
        (lambda e: e.update(office_kinds=["police"]), "unbekannte Arten von Dienststellen"),
        (lambda e: e.update(office_kinds=[], offices=[]), "niemand darf anfragen"),
        (lambda e: e.pop("purpose"), "„purpose“ fehlt"),
        (lambda e: e.update(id="Großes ID"), "„id“ darf nur"),
        (lambda e: e.update(consent={"from_office": "a", "to_office": "b", "days": 30}), "braucht"),
        (lambda e: e.update(decision={"office": "Standesamt Mitte", "reason": "x"}), "decision.office"),
        (lambda e: e.update(decision={"office": "standesamt-mitte", "reason": " "}), "„reason“ fehlt"),
        (lambda e: e.update(decision="ja"), "„decision“ muss ein Objekt"),
    ],
)
def test_an_invalid_entry_is_refused_naming_it(change: Any, message: str) -> None:
    data = copy.deepcopy(_data())
    change(data["entries"][0])
    with pytest.raises(InvalidCatalogue) as refused:
        catalogue_from_data(data)
    assert "Eintrag 1 (" in str(refused.value)
    assert message in str(refused.value)


def test_a_consent_template_must_name_an_office_that_may_ask() -> None:
    data = copy.deepcopy(_data())
    beeg = next(e for e in data["entries"] if e["id"] == "beeg-25-geburt")
    beeg["consent"]["to_office"] = "finanzamt-bremen"
    position = data["entries"].index(beeg) + 1
    with pytest.raises(
        InvalidCatalogue, match=rf"Eintrag {position} \(beeg-25-geburt\): „consent.to_office“"
    ):
        catalogue_from_data(data)


def test_a_duplicate_id_is_refused() -> None:
    data = copy.deepcopy(_data())
    data["entries"].append(copy.deepcopy(data["entries"][0]))
    with pytest.raises(InvalidCatalogue, match="die Kennung ist doppelt"):
        catalogue_from_data(data)


def test_a_file_that_is_not_json_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "kaputt.json"
    path.write_text("{entries: ", encoding="utf-8")
    with pytest.raises(InvalidCatalogue, match="kein gültiges JSON"):
        load_catalogue(path)
    with pytest.raises(InvalidCatalogue, match="Liste „entries“"):
        catalogue_from_data([])


def test_two_entries_need_a_clerks_decision_of_the_registry_office() -> None:
    catalogue = load_catalogue()
    decided = {e.id: e.decision for e in catalogue.entries if e.decision is not None}
    assert sorted(decided) == ["kindergeld-geburt-einwilligung", "pstg-65-behoerden"]
    assert {d.office for d in decided.values() if d} == {"standesamt-mitte"}
    bmg = catalogue.get("bmg-34-grunddaten")
    assert bmg is not None and bmg.decision is None
