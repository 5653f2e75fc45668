"""A Bauantrag filled in online becomes an XBau 2.6 message baugenehmigung.antrag.0200 that
validates against the official XSD (../shared/standards/xbau-2.6); a missing mandatory value is
named before any XML is written."""

import copy
import datetime
import io
import uuid
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse
from lxml import etree

from rathaus.directory.models import Office, Service
from rathaus.eforms.exports import xbau
from rathaus.eforms.models import Application
from rathaus.kernel import xmlsafe
from rathaus.kernel.pdf import text_pdf
from rathaus.payments.tests.factories import citizen_login, make_citizen, setup_payments

LEIKA = "99060001000000"
NS = {"x": xbau.NS}
PDF = {"filename": "lageplan.pdf", "size": 2048, "media_type": "application/pdf", "sha256": "ab" * 32}
DATA = {
    "bauherr_art": "person",
    "bauherr_familienname": "Deich",
    "bauherr_vornamen": "Ada",
    "bauherr_strasse": "Am Wall 1",
    "bauherr_plz": "28195",
    "bauherr_ort": "Bremen",
    "ev_familienname": "Stein",
    "ev_vornamen": "Bea",
    "ev_strasse": "Domshof 2",
    "ev_plz": "28195",
    "ev_ort": "Bremen",
    "ev_email": "stein@example.org",
    "ev_kammer": "akhb",
    "ev_mitgliedsnummer": "HB-1234",
    "ev_bauvorlageberechtigt": True,
    "grundstueck_strasse": "Horner Heerstraße 5",
    "grundstueck_plz": "28359",
    "grundstueck_ort": "Bremen",
    "flurstueck": [{"gemarkung": "Horn", "flur": "2", "zaehler": "117", "nenner": "3"}],
    "bezeichnung": "Neubau eines Einfamilienhauses",
    "vorhaben_art": "neubau",
    "gebaeudeklasse": "1",
    "nutzung": "Wohnen",
    "anzahl_gebaeude": 1,
    "geschossflaeche": "180.5",
    "brutto_rauminhalt": "650",
    "vollgeschosse": 2,
    "stellplaetze": 1,
    "verfahren": "vereinfacht",
    "lageplan": [PDF],
    "bauzeichnungen": [dict(PDF, filename="grundriss.pdf"), dict(PDF, filename="schnitt.pdf")],
    "baubeschreibung": [dict(PDF, filename="baubeschreibung.pdf")],
    "richtig": True,
}


@pytest.fixture
def standard() -> Path:
    """The official XBau 2.6 release in ../shared (skipped where it is missing)."""
    path = Path(settings.PROJECT_DIR).parent / "shared" / "standards" / "xbau-2.6"
    if not (path / xbau.SCHEMA_FILE).is_file():
        pytest.skip(f"official XBau 2.6 XSD not found in {path}")
    return path


def _message(data) -> bytes:
    element = xbau.antrag_0200(
        data,
        application_id=uuid.UUID("712990d0-9d6f-453d-b8b4-10dbe472617f"),
        reference="OA-2026-0000001",
        office_key="rathaus:bauordnungsamt",
        office_name="Bauordnungsamt Bremen",
        created=datetime.datetime(2026, 12, 4, 10, 0, tzinfo=datetime.UTC),
    )
    return xbau.to_bytes(element)


def test_the_message_of_a_complete_bauantrag_validates_against_the_official_xsd(standard):
    body = _message(DATA)
    assert xbau.schema_errors(body, standard) == []
    root = xmlsafe.parse(body)
    assert root.tag == f"{{{xbau.NS}}}baugenehmigung.antrag.0200"
    assert root.findtext("nachrichtenkopf.g2g/identifikation.nachricht/nachrichtentyp/code") == "0200"
    assert root.findtext("x:bauvorhaben/x:gegenstand/x:artDerMassnahme/code", namespaces=NS) == "11"
    parcel = root.find(".//x:flurstueck/kodierungFlurstueck", namespaces=NS)
    assert [parcel.findtext("gemarkung/bezeichnung"), parcel.findtext("zaehler")] == ["Horn", "117"]
    kinds = [anlage.findtext("anlageart/code") for anlage in root.iterfind("x:anlagen/anlage", namespaces=NS)]
    assert kinds == ["1803", "2000", "2000", "1500"]


def test_a_company_as_bauherr_and_a_chamber_of_another_land_validate_too(standard):
    data = {
        **DATA,
        "bauherr_art": "organisation",
        "bauherr_organisation": "Weser Wohnbau GmbH",
        "ev_kammer": "andere",
        "ev_kammer_land": "03",
        "vorhaben_art": "abbruch",
        "flurstueck": [{"gemarkung": "Horn", "zaehler": "117"}, {"gemarkung": "Horn", "zaehler": "118"}],
    }
    for key in ("bauherr_familienname", "bauherr_vornamen", "vollgeschosse", "verfahren"):
        data.pop(key)
    body = _message(data)
    assert xbau.schema_errors(body, standard) == []
    root = xmlsafe.parse(body)
    assert root.findtext("x:antragsteller/organisation/name/name", namespaces=NS) == "Weser Wohnbau GmbH"
    assert root.findtext(".//x:mitgliedsnummerBundesland/x:bundesland/code", namespaces=NS) == "03"
    assert len(root.findall(".//x:flurstueck", namespaces=NS)) == 2


def test_the_xsd_check_can_fail(standard):
    root = xmlsafe.parse(_message(DATA))
    root.remove(root.find("x:bauvorhaben", namespaces=NS))
    errors = xbau.schema_errors(etree.tostring(root), standard)
    assert errors and "bauvorhaben" in errors[0].message


@pytest.mark.parametrize(
    ("change", "named"),
    [
        ({"flurstueck": []}, "mindestens ein Flurstück fehlt"),
        ({"flurstueck": [{"gemarkung": "Horn"}]}, "Flurstücksnummer des 1. Flurstücks fehlt"),
        ({"vorhaben_art": "abriss"}, "Art des Vorhabens fehlt oder ist unbekannt"),
        ({"bauherr_familienname": " "}, "Familienname der Bauherrin oder des Bauherrn fehlt"),
        ({"gebaeudeklasse": "6"}, "Gebäudeklasse muss 1 bis 5 sein"),
        ({"lageplan": [], "bauzeichnungen": [], "baubeschreibung": []}, "Bauvorlagen fehlen"),
        ({"ev_kammer": "andere"}, "Land der Kammer"),
    ],
)
def test_a_missing_or_wrong_mandatory_value_is_named_before_any_xml(change, named):
    data = {**copy.deepcopy(DATA), **change}
    with pytest.raises(xbau.XBauDataMissing) as raised:
        _message(data)
    assert named in str(raised.value) and raised.value.code == "xbau_data_missing"


# --- the whole way: a citizen applies online, the submitted application is exported ---------


@pytest.fixture
def building_office(db):
    setup_payments()
    office = Office.objects.create(slug="bauordnungsamt", name="Bauordnungsamt Bremen")
    service = Service.objects.create(
        leika_key=LEIKA,
        name="Baugenehmigung beantragen",
        slug="baugenehmigung",
        status=Service.Status.PUBLISHED,
    )
    service.offices.add(office)
    return office


def _pdf(name):
    upload = io.BytesIO(text_pdf(name))
    upload.name = name
    return upload


def _post(client, application, step, data):
    return client.post(reverse("eforms:step", args=[application.public_id, step]), data)


def test_a_bauantrag_submitted_online_exports_a_valid_message(client, building_office, standard):
    start = client.get(reverse("eforms:start", args=["bauantrag"])).content.decode()
    assert "Bauordnungsamt Bremen" in start and "Bauvorlagen" in start
    citizen_login(client, make_citizen())
    client.post(reverse("eforms:begin", args=["bauantrag"]))
    application = Application.objects.get()
    bauherr = {key: value for key, value in DATA.items() if key.startswith("bauherr_")}
    assert _post(client, application, "bauherr", bauherr).status_code == 302
    entwurf = {key: value for key, value in DATA.items() if key.startswith("ev_")}
    assert (
        _post(client, application, "entwurf", {**entwurf, "ev_bauvorlageberechtigt": "on"}).status_code == 302
    )
    plot = {key: DATA[key] for key in ("grundstueck_strasse", "grundstueck_plz", "grundstueck_ort")}
    without_number = _post(client, application, "grundstueck", {**plot, "flurstueck-0-gemarkung": "Horn"})
    assert without_number.status_code == 400  # the form already refuses a parcel without its number
    parcels = {"flurstueck-0-gemarkung": "Horn", "flurstueck-0-flur": "2", "flurstueck-0-zaehler": "117"}
    assert _post(client, application, "grundstueck", {**plot, **parcels}).status_code == 302
    vorhaben = {key: DATA[key] for key in ("bezeichnung", "vorhaben_art", "gebaeudeklasse", "nutzung")}
    vorhaben |= {
        "anzahl_gebaeude": "1",
        "geschossflaeche": "180,5",
        "vollgeschosse": "2",
        "stellplaetze": "1",
    }
    assert _post(client, application, "vorhaben", vorhaben).status_code == 302
    assert _post(client, application, "verfahren", {"verfahren": "regulaer"}).status_code == 302
    plans = {
        "lageplan": _pdf("lageplan.pdf"),
        "bauzeichnungen": [_pdf("grundriss.pdf"), _pdf("ansicht.pdf")],
        "baubeschreibung": _pdf("baubeschreibung.pdf"),
    }
    assert _post(client, application, "bauvorlagen", plans).status_code == 302
    assert _post(client, application, "erklaerung", {"richtig": "on"}).status_code == 302
    summary = client.get(reverse("eforms:summary", args=[application.public_id])).content.decode()
    assert "Horn" in summary and "grundriss.pdf" in summary
    with pytest.raises(xbau.XBauDataMissing, match="noch nicht abgesendet"):
        xbau.bauantrag_xbau(application)
    client.post(reverse("eforms:summary", args=[application.public_id]))
    application.refresh_from_db()
    assert application.submitted_at is not None and application.office == building_office
    body = xbau.bauantrag_xbau(application)
    assert xbau.schema_errors(body, standard) == []
    root = xmlsafe.parse(body)
    assert root.findtext("x:referenzAntragsservice/referenzAntragsservice", namespaces=NS) == str(
        application.public_id
    )
    assert root.findtext("nachrichtenkopf.g2g/leser/name") == "Bauordnungsamt Bremen"
    assert root.findtext("x:prozessmerkmale/x:verfahrensart/code", namespaces=NS) == "64"
    names = [
        anlage.findtext("anhangOderVerlinkung/anhang/dateiname") for anlage in root.iterfind(".//anlage")
    ]
    assert names == ["lageplan.pdf", "grundriss.pdf", "ansicht.pdf", "baubeschreibung.pdf"]
    assert f"Antragsnummer {application.reference}" in body.decode()
    assert xbau.bauantrag_xbau(application) == body  # the same application, the same message
