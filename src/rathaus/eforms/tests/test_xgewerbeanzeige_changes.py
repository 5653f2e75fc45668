"""Gewerbeummeldung and Gewerbeabmeldung as XGewerbeanzeige 2.2 (decision 0115), checked against
the KoSIT samples in ../shared: the elements every Meldungsart shares against the 2.2 sample's
Anmeldung, those of the Ummeldung and Abmeldung against the 2.1 samples' records of that kind
(the only ones published; ``xgwa2.1-invalid-sch.xml`` holds one of each kind, its invalid part is
in the Anmeldung)."""

import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from rathaus.directory.models import Office, Service
from rathaus.domain.eforms import xgewerbeanzeige as xga
from rathaus.efile.models import Case
from rathaus.eforms import exports, registry
from rathaus.eforms.models import Application
from rathaus.kernel import blobs, xmlsafe
from rathaus.payments.tests.factories import citizen_login, make_citizen, setup_payments

SAMPLES = Path(settings.PROJECT_DIR).parent / "shared/standards/xgewerbeanzeige-2.2-samples/beispiele"
SAMPLE_22 = SAMPLES / "xgwa2.2-valid.xml"
SAMPLES_21 = [
    SAMPLES / name for name in ("xgwa2.1-valid.xml", "xgwa2.1-invalid-sch.xml", "xgwa2.1-invalid-xsd.xml")
]
pytestmark = pytest.mark.skipif(
    not SAMPLE_22.exists(), reason=f"XGewerbeanzeige samples not found at {SAMPLES} (checkout ../shared)"
)
N = f"{{{xga.NAMESPACE}}}"
N21 = "{http://www.xgewerbeanzeige.de/spezifikation/2.1}"
OFFICE = xga.Authority(name="Ordnungsamt Bremen", municipality_key="04011000", email="gewerbe@bremen.example")
CREATED = datetime.datetime(2026, 12, 4, 10, 30, 5, tzinfo=ZoneInfo("Europe/Berlin"))
BUSINESS = {
    "familienname": "Young",
    "vornamen": "John",
    "geschlecht": "m",
    "geburtsdatum": "1960-10-12",
    "geburtsort": "Boston",
    "staatsangehoerigkeit": "deutsch",
    "strasse": "Schillerstraße 14",
    "plz": "28203",
    "ort": "Bremen",
    "email": "young@example.org",
    "anmeldung_aktenzeichen": "OA-2025-0000007",
    "rechtsform": "gmbh",
    "betriebsname": "Young GmbH",
    "registerart": "HRB",
    "registernummer": "HRB 18874",
    "betrieb_strasse": "Faulenstraße 68",
    "betrieb_plz": "28195",
    "betrieb_ort": "Bremen",
    "taetigkeit": "Einzelhandel mit Weinen und Tabakwaren",
    "betriebsart": ["handel"],
    "nebenerwerb": False,
    "vollzeit": 4,
    "teilzeit": 1,
    "richtig": True,
}
UMMELDUNG = {**BUSINESS, "grund": ["name", "taetigkeit_wechsel"], "aenderung": "2026-12-01"}
UMMELDUNG |= {"bisheriger_name": "Klausberg Import GmbH", "bisherige_taetigkeit": "Import von Wein"}
ABMELDUNG = {**BUSINESS, "aufgabe": "2026-12-31", "grund": "verlegung"}
ABMELDUNG |= {"neu_strasse": "Köpenicker Straße 8", "neu_plz": "10997", "neu_ort": "Berlin"}
BUILD = {"ummeldung": xga.gewerbeummeldung_message, "abmeldung": xga.gewerbeabmeldung_message}
DATA = {"ummeldung": UMMELDUNG, "abmeldung": ABMELDUNG}


def record(kind, data=None, reference="OA-2026-0000100"):
    content = BUILD[kind](
        DATA[kind] if data is None else data, reference=reference, author=OFFICE, created=CREATED
    )
    return xmlsafe.parse(content).find(f"{N}satz/{N}{kind}")


def relative(node, path=()):
    """Every element below ``node`` as its path of tags (2.1 tags moved to the 2.2 namespace)."""
    for child in node:
        if isinstance(child.tag, str):
            tag = child.tag.replace(N21, N)
            yield (*path, tag), child
            yield from relative(child, (*path, tag))


def sample_records(kind):
    """The records of ``kind`` in the 2.1 samples, and the 2.2 sample's Anmeldung."""
    found = [node for path in SAMPLES_21 for node in xmlsafe.parse(path.read_bytes()).iter(N21 + kind)]
    assert found, kind
    return found, xmlsafe.parse(SAMPLE_22.read_bytes()).find(f"{N}satz/{N}anmeldung")


def allowed(kind):
    """What a record of ``kind`` may contain: its kind's elements in 2.1 and the shared ones in 2.2.
    Below an ``anschrift`` the 2.2 form counts (2.2 writes ``nationSchluessel`` as a code)."""
    records, anmeldung = sample_records(kind)
    paths = {path for node in records for path, _ in relative(node)}
    shared = {path for path, _ in relative(anmeldung) if path[0] != N + "grundAnmeldungSchluessel"}
    address = {path[path.index(N + "anschrift") :] for path in shared if N + "anschrift" in path}
    return paths | shared, address


def orders(kind):
    """Per parent path, the order of its children in each reference record."""
    records, anmeldung = sample_records(kind)
    result = []
    for node in [*records, anmeldung]:
        order: dict[tuple, list[str]] = {(): []}
        for path, child in [((), node), *relative(node)]:
            seen = order.setdefault(path, [])
            for grandchild in child:
                tag = grandchild.tag.replace(N21, N) if isinstance(grandchild.tag, str) else None
                if tag and tag not in seen:
                    seen.append(tag)
        result.append(order)
    return result


@pytest.mark.parametrize("kind", ["ummeldung", "abmeldung"])
def test_the_meldungsart_is_the_record_of_the_22_message(kind):
    root = xmlsafe.parse(BUILD[kind](DATA[kind], reference="OA-1", author=OFFICE, created=CREATED))
    sample = xmlsafe.parse(SAMPLE_22.read_bytes())
    assert root.tag == sample.tag and root.get("version") == "2.2"
    code = f"{N}nachrichtenkopf/{N}identifikation.nachricht/{N}nachrichtentyp/code"
    assert root.findtext(code) == sample.findtext(code).strip()
    [satz] = root.findall(N + "satz")
    assert [child.tag for child in satz] == [N + kind]


@pytest.mark.parametrize("kind", ["ummeldung", "abmeldung"])
def test_every_element_of_the_record_is_in_the_samples_of_its_kind(kind):
    paths, address = allowed(kind)
    written = {path for path, _ in relative(record(kind))}
    unknown = {
        path
        for path in written - paths
        if not (N + "anschrift" in path and path[path.index(N + "anschrift") :] in address)
    }
    assert not unknown, sorted("/".join(tag.replace(N, "") for tag in path) for path in unknown)
    assert len(written) > 50


@pytest.mark.parametrize("kind", ["ummeldung", "abmeldung"])
def test_siblings_are_in_the_order_of_every_sample(kind):
    node = record(kind)
    for order in orders(kind):
        for path, child in [((), node), *relative(node)]:
            known = order.get(path, [])
            positions = [known.index(c.tag) for c in child if isinstance(c.tag, str) and c.tag in known]
            assert positions == sorted(positions), (kind, path[-1:] if path else kind)


def test_an_ummeldung_carries_the_new_state_and_the_reasons_the_samples_show():
    node = record("ummeldung")
    assert (
        node.findtext(N + "gueltigAb") == "2026-12-01" and node.find(N + "grundAnmeldungSchluessel") is None
    )
    assert node.findtext(f"{N}gewerbe/{N}betrieb/{N}eingetragenerName") == "Young GmbH"
    focus = node.find(f"{N}taetigkeitenGesamt/{N}schwerpunkt")
    assert focus.findtext(N + "taetigkeitSchwerpunkt") == UMMELDUNG["taetigkeit"]
    assert focus.findtext(f"{N}neuAusgeuebt/code") == "1"
    reasons = [c.findtext("code") for c in node.find(N + "gruendeUmmeldung")]
    assert reasons == ["03", "02"]  # name, then activity: the order the citizen ticked them


def test_a_move_within_the_city_alone_has_no_confirmed_reason_code_and_no_new_activity():
    data = {**UMMELDUNG, "grund": ["verlegung"], "bisherige_strasse": "Am Wall 1", "bisherige_plz": "28195"}
    node = record("ummeldung", data)
    assert node.find(N + "gruendeUmmeldung") is None
    assert node.findtext(f"{N}taetigkeitenGesamt/{N}schwerpunkt/{N}neuAusgeuebt/code") == "0"
    reduced = record("ummeldung", {**data, "grund": ["taetigkeit_einschraenkung"]})
    assert reduced.findtext(f"{N}taetigkeitenGesamt/{N}schwerpunkt/{N}neuAusgeuebt/code") == "0"
    premises = node.find(f"{N}gewerbe/{N}anschrift")
    assert premises.findtext(N + "strasse") == "Faulenstraße" and premises.findtext(N + "hausNrVon") == "68"


def test_an_abmeldung_for_a_move_names_the_future_address_with_the_samples_code():
    node = record("abmeldung")
    assert (
        node.findtext(N + "gueltigAb") == "2026-12-31"
        and node.findtext(f"{N}grundAbmeldungSchluessel/code") == "02"
    )
    future = node.find(N + "kuenftigesGewerbe")
    assert future.findtext(N + "nameFirmaGewerbetreibender") == "Young GmbH"
    assert [future.findtext(f"{N}anschrift/{N}{tag}") for tag in ("strasse", "hausNrVon", "plz", "ort")] == [
        "Köpenicker Straße",
        "8",
        "10997",
        "Berlin",
    ]
    assert node.find(f"{N}taetigkeitenGesamt/{N}schwerpunkt/{N}neuAusgeuebt") is None


def test_an_abmeldung_on_handover_names_the_successor_and_a_closure_leaves_it_empty():
    handover = {
        **BUSINESS,
        "aufgabe": "2026-12-31",
        "grund": "uebergabe",
        "nachfolger_name": "Bäckerei Lür KG",
    }
    future = record("abmeldung", handover).find(N + "kuenftigesGewerbe")
    assert (
        future.findtext(N + "nameFirmaGewerbetreibender") == "Bäckerei Lür KG"
        and future.find(N + "anschrift") is None
    )
    closure = record(
        "abmeldung", {**BUSINESS, "aufgabe": "2026-12-31", "grund": "aufgabe", "ursache": "alter"}
    )
    assert len(closure.find(N + "kuenftigesGewerbe")) == 0  # empty, as in xgwa2.1-valid.xml
    assert closure.find(N + "grundAbmeldungSchluessel") is None  # its code is not confirmed


def test_the_messages_of_one_business_share_its_gewerbebetrieb_id():
    anmeldung = xmlsafe.parse(
        xga.gewerbeanmeldung_message(
            {**BUSINESS, "beginn": "2025-01-01", "anlass": "neuerrichtung"},
            reference="OA-2025-0000007",
            author=OFFICE,
            created=CREATED,
        )
    ).findtext(f"{N}satz/{N}anmeldung/{N}gewerbebetriebID")
    assert record("ummeldung").findtext(N + "gewerbebetriebID") == anmeldung
    assert record("abmeldung").findtext(N + "gewerbebetriebID") == anmeldung
    unnamed = {key: value for key, value in ABMELDUNG.items() if key != "anmeldung_aktenzeichen"}
    assert record("abmeldung", unnamed).findtext(N + "gewerbebetriebID") != anmeldung
    assert record("ummeldung").findtext(N + "uuid") != record("abmeldung", reference="OA-9").findtext(
        N + "uuid"
    )


@pytest.mark.parametrize(
    ("form_id", "table", "element"),
    [
        ("gewerbe-ummelden", xga.UMMELDUNG_CODES, "grundUmmeldungSchluessel"),
        ("gewerbe-abmelden", xga.ABMELDUNG_CODES, "grundAbmeldungSchluessel"),
    ],
)
def test_every_reason_of_the_form_has_a_mapping_and_every_code_is_one_the_samples_use(
    form_id, table, element
):
    definition = registry.definition(form_id)
    assert {entry.code for entry in definition.codelists["grund"].codes} == set(table)
    used = {
        node.findtext("code").strip()
        for path in SAMPLES_21
        for node in xmlsafe.parse(path.read_bytes()).iter(N21 + element)
    }
    assert {code for code in table.values() if code is not None} <= used


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("form_id", "kind"), [("gewerbe-ummelden", "ummeldung"), ("gewerbe-abmelden", "abmeldung")]
)
def test_the_forms_are_exported_with_their_meldungsart(form_id, kind):
    office = Office.objects.create(
        slug="ordnungsamt", name="Ordnungsamt Bremen", email="gewerbe@bremen.example"
    )
    application = Application(
        form_id=form_id, data=DATA[kind], reference="OA-2026-0000100", submitted_at=timezone.now()
    )
    [export] = exports.exports_for(application, office)
    assert export.filename == "OA-2026-0000100-xgewerbeanzeige.xml" and export.media_type == "application/xml"
    node = xmlsafe.parse(export.content).find(f"{N}satz/{N}{kind}")
    assert node.findtext(N + "gemeindeMeldungNr") == "OA-2026-0000100"
    assert node.findtext(f"{N}autor/{N}behoerdenname") == "Ordnungsamt Bremen"


@pytest.mark.django_db
def test_a_deregistration_through_the_pages_is_filed_at_once_with_its_message(
    client, django_capture_on_commit_callbacks
):
    # given the free Gewerbeabmeldung at the trade office and a logged-in citizen
    setup_payments()
    office = Office.objects.create(slug="ordnungsamt", name="Ordnungsamt Bremen")
    service = Service.objects.create(
        leika_key="99050012106000",
        name="Gewerbeabmeldung",
        slug="gewerbe-abmelden",
        status=Service.Status.PUBLISHED,
    )
    service.offices.add(office)
    citizen_login(client, make_citizen())
    client.post(reverse("eforms:begin", args=["gewerbe-abmelden"]))
    application = Application.objects.get()
    steps = {
        step.id: [item.id for item in step.items] for step in registry.definition("gewerbe-abmelden").steps
    }
    plain = {key: "on" if value is True else value for key, value in ABMELDUNG.items() if value is not False}
    # when every page is filled in and the summary sent
    for step, fields in steps.items():
        data = {name: plain[name] for name in fields if name in plain}
        response = client.post(reverse("eforms:step", args=[application.public_id, step]), data)
        assert response.status_code == 302, (step, response.content.decode()[:2000])
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("eforms:summary", args=[application.public_id]))
    # then the case is filed without a fee, with the XGewerbeanzeige Abmeldung
    application.refresh_from_db()
    assert application.status == Application.Status.SUBMITTED and application.claim_id is None
    case = Case.objects.get(pk=application.case_id)
    version = case.documents.get(title="XGewerbeanzeige-Nachricht").versions.get()
    node = xmlsafe.parse(blobs.read_bytes(version.blob)).find(f"{N}satz/{N}abmeldung")
    assert node.findtext(N + "gemeindeMeldungNr") == application.reference
    assert node.findtext(f"{N}grundAbmeldungSchluessel/code") == "02"
    assert node.findtext(f"{N}kuenftigesGewerbe/{N}anschrift/{N}ort") == "Berlin"
