"""The Gewerbeanmeldung as XGewerbeanzeige 2.2: checked against the official KoSIT sample
messages (no XSD is published, decision 0108), read from ../shared next to the repository."""

import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings

from rathaus.domain.eforms import xgewerbeanzeige as xga
from rathaus.eforms import registry
from rathaus.kernel import xmlsafe

SAMPLES = Path(settings.PROJECT_DIR).parent / "shared/standards/xgewerbeanzeige-2.2-samples/beispiele"
VALID = SAMPLES / "xgwa2.2-valid.xml"
INVALID = SAMPLES / "xgwa2.2-invalid.xml"
pytestmark = pytest.mark.skipif(
    not VALID.exists(), reason=f"XGewerbeanzeige samples not found at {SAMPLES} (checkout ../shared)"
)
N = f"{{{xga.NAMESPACE}}}"
BREMEN = ZoneInfo("Europe/Berlin")
OFFICE = xga.Authority(
    name="Ordnungsamt Bremen",
    municipality_key="04011000",
    email="gewerbe@ordnungsamt.bremen.example",
    phone="0421 361-0",
    street_address="Stresemannstraße 48",
    postal_code="28207",
    city="Bremen",
)
COMPLETE = {
    "familienname": "Deich",
    "vornamen": "Ada",
    "geschlecht": "w",
    "geburtsdatum": "1985-03-14",
    "geburtsort": "Bremen",
    "staatsangehoerigkeit": "deutsch",
    "strasse": "Am Wall 1",
    "plz": "28195",
    "ort": "Bremen",
    "telefon": "0421 123456",
    "email": "ada@deich.example",
    "rechtsform": "gbr",
    "betriebsname": "Deich & Deich Backwaren",
    "betrieb_strasse": "Ostertorsteinweg 12a",
    "betrieb_plz": "28203",
    "betrieb_ort": "Bremen",
    "taetigkeit": "Einzelhandel mit Backwaren",
    "betriebsart": ["handel", "handwerk"],
    "nebenerwerb": True,
    "beginn": "2030-01-01",
    "vollzeit": 2,
    "teilzeit": 1,
    "anlass": "neuerrichtung",
    "gesellschafter": [{"familienname": "Deich", "vornamen": "Bo", "geburtsdatum": "1984-07-01"}],
    "keine_gesellschafter": False,
    "richtig": True,
}
CREATED = datetime.datetime(2026, 12, 4, 10, 30, 5, tzinfo=BREMEN)


def message(data=None, **kwargs):
    content = xga.gewerbeanmeldung_message(
        COMPLETE if data is None else data,
        reference="OA-2026-0000042",
        author=OFFICE,
        created=CREATED,
        **kwargs,
    )
    return xmlsafe.parse(content)


def elements(root):
    """Every element with its path of tags from the root (comments left out)."""
    stack = [((root.tag,), root)]
    while stack:
        path, node = stack.pop()
        yield path, node
        stack.extend(((*path, child.tag), child) for child in node if isinstance(child.tag, str))


def paths(root):
    return {path for path, _ in elements(root)}


def sibling_order(root):
    """Per parent path, each child tag's first position among its siblings in the sample."""
    order: dict[tuple[str, ...], list[str]] = {}
    for path, node in elements(root):
        seen = order.setdefault(path, [])
        for child in node:
            if isinstance(child.tag, str) and child.tag not in seen:
                seen.append(child.tag)
    return order


@pytest.fixture(scope="module")
def sample():
    return xmlsafe.parse(VALID.read_bytes())


def test_root_namespace_and_version_are_the_samples(sample):
    root = message()
    assert root.tag == sample.tag == N + "abh.gewerbemeldung.0500"
    assert root.nsmap == {"xga": xga.NAMESPACE} and sample.nsmap == {"xga": xga.NAMESPACE}
    for attribute in ("standard", "version"):
        assert root.get(attribute) == sample.get(attribute)
    code = f"{N}nachrichtenkopf/{N}identifikation.nachricht/{N}nachrichtentyp/code"
    assert root.findtext(code) == sample.findtext(code).strip() == "0500"


def test_every_element_we_write_is_in_the_sample(sample):
    written = paths(message())
    unknown = written - paths(sample)
    assert not unknown, sorted("/".join(tag.replace(N, "") for tag in path) for path in unknown)
    assert len(written) > 60  # the check has something to check


def test_siblings_are_in_the_samples_order(sample):
    order = sibling_order(sample)
    for path, node in elements(message()):
        tags = [child.tag for child in node if isinstance(child.tag, str)]
        positions = [order[path].index(tag) for tag in tags]
        assert positions == sorted(positions), (path[-1], [tag.replace(N, "") for tag in tags])


def test_what_the_invalid_sample_leaves_out_we_write(sample):
    # xgwa2.2-invalid.xml drops betriebArt and a person's familienname from the valid sample
    missing = paths(sample) - paths(xmlsafe.parse(INVALID.read_bytes()))
    assert {path[-1] for path in missing} == {N + "betriebArt", N + "familienname"} | {
        N + kind for kind in xga.BETRIEBSART_FLAGS
    } | {"code"}
    assert missing <= paths(message())
    persons = message().iter(N + "beteiligtePerson")
    assert all(person.findtext(N + "familienname") for person in persons)


def test_the_values_of_the_application_are_in_the_message():
    root = message()
    record = root.find(f"{N}satz/{N}anmeldung")
    assert record.findtext(N + "gemeindeMeldungNr") == "OA-2026-0000042"
    assert record.findtext(f"{N}gemeindeSchluessel/code") == "04011000"
    assert record.findtext(N + "satzErstellung") == "2026-12-04T10:30:05+01:00"
    assert (
        record.findtext(N + "gueltigAb") == "2030-01-01"
        and record.findtext(N + "datumMeldung") == "2026-12-04"
    )
    assert record.findtext(f"{N}taetigkeitenGesamt/{N}schwerpunkt/{N}taetigkeitSchwerpunkt") == (
        "Einzelhandel mit Backwaren"
    )
    assert record.findtext(f"{N}grundAnmeldungSchluessel/code") == "01"
    gewerbe = record.find(N + "gewerbe")
    assert gewerbe.findtext(f"{N}betrieb/{N}eingetragenerName") == "Deich & Deich Backwaren"
    assert gewerbe.findtext(f"{N}betrieb/{N}rechtsformSchluessel/code") == "270"
    assert gewerbe.findtext(N + "anzahlVollzeitBeschaeftigte") == "2"
    assert gewerbe.findtext(N + "anzahlTeilzeitBeschaeftigte") == "1"
    kinds = {child.tag.replace(N, ""): child.findtext("code") for child in gewerbe.find(N + "betriebArt")}
    assert kinds == {"industrie": "0", "handwerk": "1", "handel": "1", "sonstiges": "0"}
    assert gewerbe.findtext(f"{N}istNebenerwerb/code") == "1"
    premises = gewerbe.find(N + "anschrift")
    assert (
        premises.findtext(N + "strasse") == "Ostertorsteinweg" and premises.findtext(N + "hausNrVon") == "12a"
    )
    ada, bo = gewerbe.findall(N + "beteiligtePerson")
    assert [ada.findtext(N + "vorname"), bo.findtext(N + "vorname")] == ["Ada", "Bo"]
    assert ada.findtext(N + "geburtsdatum") == "14031985" and ada.findtext(f"{N}geschlecht/code") == "2"
    assert ada.findtext(f"{N}staatangehoerigkeiten/{N}staatsangehoerigkeitSchluessel/code") == "000"
    assert ada.findtext(f"{N}erreichbarkeit/{N}kennung") == "ada@deich.example"
    assert bo.findtext(N + "geburtsdatum") == "01071984" and bo.find(N + "anschrift") is None


def test_a_company_with_its_register_entry():
    data = {
        **COMPLETE,
        "rechtsform": "gmbh",
        "registerart": "HRB",
        "registernummer": "HRB 12345",
        "gesellschafter": [],
    }
    gewerbe = message(data).find(f"{N}satz/{N}anmeldung/{N}gewerbe")
    betrieb = gewerbe.find(N + "betrieb")
    assert (
        betrieb.findtext(N + "eintragungNr") == "12345" and betrieb.findtext(f"{N}eintragungArt/code") == "B"
    )
    assert betrieb.findtext(f"{N}rechtsformSchluessel/code") == "350"
    [person] = gewerbe.findall(N + "beteiligtePerson")
    assert person.findtext(f"{N}personFunktion/code") == xga.PERSON_REPRESENTATIVE


def test_codes_the_samples_do_not_confirm_are_left_out_not_guessed():
    data = {**COMPLETE, "geschlecht": "d", "anlass": "uebernahme", "staatsangehoerigkeit": "polnisch"}
    record = message(data).find(f"{N}satz/{N}anmeldung")
    applicant = record.find(f"{N}gewerbe/{N}beteiligtePerson")
    assert applicant.find(N + "geschlecht") is None and applicant.find(N + "staatangehoerigkeiten") is None
    assert record.find(N + "grundAnmeldungSchluessel") is None


def test_every_code_of_the_form_has_its_mapping():
    definition = registry.definition("gewerbeanmeldung")
    tables = {
        "rechtsform": xga.RECHTSFORM_CODES,
        "registerart": xga.EINTRAGUNGSART_CODES,
        "geschlecht": xga.GESCHLECHT_CODES,
        "anlass": xga.ANLASS_CODES,
    }
    for name, table in tables.items():
        assert {entry.code for entry in definition.codelists[name].codes} == set(table), name
    assert {entry.code for entry in definition.codelists["betriebsart"].codes} == set(xga.BETRIEBSART_FLAGS)


def test_the_same_application_gives_the_same_bytes_and_a_naive_time_is_refused():
    first = xga.gewerbeanmeldung_message(COMPLETE, reference="OA-1", author=OFFICE, created=CREATED)
    assert first == xga.gewerbeanmeldung_message(COMPLETE, reference="OA-1", author=OFFICE, created=CREATED)
    assert first.startswith(b"<?xml version='1.0' encoding='UTF-8'?>")
    with pytest.raises(ValueError):
        xga.gewerbeanmeldung_message(
            COMPLETE, reference="OA-1", author=OFFICE, created=CREATED.replace(tzinfo=None)
        )


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("Am Wall 1", ("Am Wall", "1")),
        ("Hauptstr. 12 a", ("Hauptstr.", "12a")),
        ("Marktplatz", ("Marktplatz", "")),
    ],
)
def test_street_and_number_are_split(value, expected):
    assert xga.split_street(value) == expected
