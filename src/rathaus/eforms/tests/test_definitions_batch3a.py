"""Postal vote, lost identity document, life certificate, lost property and the central trade
register information: each accepts a complete application, refuses its typical mistake and
names its catalogue service; the trade register information is paid first at the catalogue's fee."""

import pytest
from django.urls import reverse

from rathaus.directory.models import Office, Service
from rathaus.eforms import registry
from rathaus.payments import selectors as payment_selectors
from rathaus.payments.tests.factories import setup_payments

from .test_definitions import PDF, catalogue_service, check, codes, sample

PERSON = {
    "familienname": ["Meyer"],
    "vornamen": ["Gesche"],
    "strasse": ["Ostertorsteinweg 12"],
    "plz": ["28203"],
    "ort": ["Bremen"],
}
GOOD = {
    "briefwahl": (
        {
            "person": {**PERSON, "geburtsdatum": ["1979-11-02"]},
            "wahl": {
                "wahl": ["buergerschaft"],
                "waehlerverzeichnis": ["112/345"],
                "versand": ["wohnanschrift"],
            },
            "erklaerung": {"richtig": ["on"]},
        },
        {},
    ),
    "ausweis-verlust-melden": (
        {
            "person": {**PERSON, "geburtsdatum": ["1979-11-02"]},
            "verlust": {
                "dokument": ["personalausweis"],
                "dokumentnummer": ["L01X00T47"],
                "ereignis": ["verloren"],
                "datum": ["2026-06-12"],
                "verlustort": ["Straßenbahnlinie 3"],
                "eid_gesperrt": ["on"],
            },
            "erklaerung": {"richtig": ["on"]},
        },
        {},
    ),
    "lebensbescheinigung": (
        {
            "person": {**PERSON, "geburtsdatum": ["1951-04-20"], "geburtsort": ["Groningen"]},
            "bescheinigung": {
                "zweck": ["rente_ausland"],
                "stelle": ["Sociale Verzekeringsbank"],
                "stelle_land": ["Niederlande"],
                "kennzeichen": ["AOW 123456"],
                "buergeramt": ["buergeramt-mitte"],
            },
            "erklaerung": {"persoenlich": ["on"]},
        },
        {"bescheinigung": {"formular": [PDF]}},
    ),
    "fundsache": (
        {
            "person": {"anliegen": ["verloren"], **PERSON, "email": ["gesche@example.org"]},
            "sache": {
                "art": ["handy"],
                "beschreibung": ["Schwarzes Smartphone in blauer Hülle mit Aufkleber"],
                "imei": ["490154203237518"],
                "wert": ["300,00"],
                "datum": ["2026-06-14"],
                "fundort": ["Haltestelle Domsheide, Linie 2"],
            },
            "erklaerung": {"richtig": ["on"]},
        },
        {"sache": {"eigentumsnachweis": [PDF]}},
    ),
    "gewerbezentralregister": (
        {
            "antragsteller": {
                "betroffen": ["person"],
                **PERSON,
                "geburtsname": ["Meyer"],
                "geschlecht": ["w"],
                "geburtsdatum": ["1979-11-02"],
                "geburtsort": ["Bremerhaven"],
                "staatsangehoerigkeit": ["deutsch"],
            },
            "unternehmen": {},
            "auskunft": {
                "art": ["behoerde"],
                "behoerde_name": ["Ordnungsamt Bremen"],
                "behoerde_strasse": ["Stresemannstraße 48"],
                "behoerde_plz": ["28207"],
                "behoerde_ort": ["Bremen"],
                "verwendungszweck": ["Erlaubnis nach § 34c GewO"],
            },
            "erklaerung": {"richtig": ["on"]},
        },
        {},
    ),
}


def answers(form_id):
    return sample(GOOD, form_id)


@pytest.mark.parametrize("form_id", sorted(GOOD))
def test_a_complete_application_is_accepted(form_id):
    result = check(form_id, *answers(form_id))
    assert result.ok, result.errors


@pytest.mark.parametrize(
    ("form_id", "office"),
    [
        ("briefwahl", "wahlamt"),
        ("ausweis-verlust-melden", "buergeramt-mitte"),
        ("lebensbescheinigung", "buergeramt-mitte"),
        ("fundsache", "ordnungsamt"),
        ("gewerbezentralregister", "buergeramt-mitte"),
    ],
)
def test_each_form_names_its_catalogue_service_and_office(form_id, office):
    service = catalogue_service(form_id)
    assert service["slug"] == form_id and office in service["offices"]


def test_postal_documents_collected_by_someone_else_need_the_written_authority():
    raw, files = answers("briefwahl")
    raw["wahl"] |= {
        "versand": ["abholung"],
        "bevollmaechtigt_familienname": ["Meyer"],
        "waehlerverzeichnis": ["112-345"],
    }
    assert codes(check("briefwahl", raw, files)) == {
        "waehlerverzeichnis": "pattern",
        "bevollmaechtigt_vornamen": "required",
        "vollmacht": "required",
        "hoechstens_vier": "must_confirm",
    }
    raw["wahl"] |= {
        "bevollmaechtigt_vornamen": ["Hinrich"],
        "waehlerverzeichnis": ["112/345"],
        "hoechstens_vier": ["on"],
    }
    assert check("briefwahl", raw, {"wahl": {"vollmacht": [PDF]}}).ok


def test_postal_documents_to_another_address_need_it_and_a_voter_is_16():
    raw, files = answers("briefwahl")
    raw["person"]["geburtsdatum"] = ["2010-06-16"]  # 15 on TODAY
    raw["wahl"]["versand"] = ["andere_anschrift"]
    assert codes(check("briefwahl", raw, files)) == {
        "geburtsdatum": "not_adult",
        "versand_strasse": "required",
        "versand_plz": "required",
        "versand_ort": "required",
    }


def test_a_stolen_document_needs_the_police_report_and_a_well_formed_number():
    raw, files = answers("ausweis-verlust-melden")
    raw["verlust"] |= {"ereignis": ["gestohlen"], "dokumentnummer": ["LO1X00T47"], "datum": ["2026-06-16"]}
    assert codes(check("ausweis-verlust-melden", raw, files)) == {
        "dokumentnummer": "pattern",
        "datum": "future",
        "polizei_dienststelle": "required",
        "polizei_aktenzeichen": "required",
        "anzeige": "required",
    }


def test_a_life_certificate_needs_the_funds_form_and_another_purpose_named():
    raw, _ = answers("lebensbescheinigung")
    raw["bescheinigung"]["zweck"] = ["sonstiges"]
    result = check("lebensbescheinigung", raw, {})
    assert codes(result) == {"zweck_text": "required", "formular": "required"}
    raw["bescheinigung"]["zweck_text"] = ["Nachweis für eine Stiftung"]
    result = check("lebensbescheinigung", raw, answers("lebensbescheinigung")[1])
    assert result.ok and "stelle_land" not in result.values


def test_a_lost_item_needs_a_real_description_and_a_phone_its_15_digit_imei():
    raw, files = answers("fundsache")
    raw["sache"] |= {"beschreibung": ["Handy"], "imei": ["49015420323751"]}
    assert codes(check("fundsache", raw, files)) == {"beschreibung": "too_short", "imei": "pattern"}


def test_a_find_says_where_the_item_is_and_a_handed_in_one_where():
    raw, _ = answers("fundsache")
    raw["person"]["anliegen"] = ["gefunden"]
    assert codes(check("fundsache", raw, {})) == {"verbleib": "required"}
    raw["sache"] |= {"verbleib": ["abgegeben"], "finderlohn": ["on"]}
    assert codes(check("fundsache", raw, {})) == {"abgegeben_bei": "required"}
    raw["sache"]["abgegeben_bei"] = ["Polizeirevier Steintor"]
    result = check("fundsache", raw, {})
    assert result.ok and result.values["finderlohn"] is True


def test_trade_register_information_for_a_company_needs_its_data_and_the_power_to_represent():
    raw, files = answers("gewerbezentralregister")
    raw["antragsteller"]["betroffen"] = ["unternehmen"]
    raw["unternehmen"] = {"firma": ["Meyer Immobilien GmbH"], "registernummer": ["HRB12345"]}
    assert codes(check("gewerbezentralregister", raw, files)) == {
        "rechtsform": "required",
        "sitz_strasse": "required",
        "sitz_plz": "required",
        "sitz_ort": "required",
        "registernummer": "pattern",
        "vertretungsnachweis": "required",
    }


def test_trade_register_information_for_an_authority_names_its_address_and_purpose():
    raw, files = answers("gewerbezentralregister")
    raw["auskunft"] = {"art": ["behoerde"], "behoerde_name": ["Ordnungsamt Bremen"]}
    assert codes(check("gewerbezentralregister", raw, files)) == {
        "behoerde_strasse": "required",
        "behoerde_plz": "required",
        "behoerde_ort": "required",
        "verwendungszweck": "required",
    }
    raw["auskunft"] = {"art": ["privat"]}
    assert check("gewerbezentralregister", raw, files).ok


@pytest.mark.django_db
def test_trade_register_information_is_paid_first_at_the_catalogues_13_euros(client):
    setup_payments()
    place, _ = Office.objects.get_or_create(slug="buergeramt-mitte", defaults={"name": "Bürgeramt Mitte"})
    leika = registry.definition("gewerbezentralregister").leika
    service = Service.objects.create(
        leika_key=leika, name="GZR", slug="gewerbezentralregister", status=Service.Status.PUBLISHED
    )
    service.offices.add(place)
    page = client.get(reverse("eforms:start", args=["gewerbezentralregister"])).content.decode()
    assert "13,00\xa0€" in page
    tariff = payment_selectors.fee_for_service(service_key=leika)
    assert tariff is not None and tariff.payment_policy == "mandatory"
    assert catalogue_service("gewerbezentralregister")["fees"] == "13,00 Euro"


@pytest.mark.django_db
@pytest.mark.parametrize(
    "form_id", ["briefwahl", "ausweis-verlust-melden", "lebensbescheinigung", "fundsache"]
)
def test_the_other_forms_ask_no_fee_first(form_id):
    setup_payments()
    assert payment_selectors.fee_for_service(service_key=registry.definition(form_id).leika) is None
