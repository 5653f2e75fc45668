"""Trade, dog tax, food and event forms accept a complete application and refuse the typical
mistakes (Gewerbeum- and -abmeldung after GewA 2 and 3, Hund abmelden, Lebensmittelbetrieb
registrieren, Veranstaltung anmelden); every new form's start page names its office and fee."""

import pytest
from django.urls import reverse

from rathaus.directory.models import Office, Service
from rathaus.domain.eforms.validation import Upload
from rathaus.eforms import registry
from rathaus.payments import selectors as payment_selectors
from rathaus.payments.tests.factories import setup_payments

from .test_definitions import PDF, PHOTO, catalogue_service, check, codes, sample

PERSON = {
    "familienname": ["Lür"],
    "vornamen": ["Heike"],
    "geschlecht": ["w"],
    "geburtsdatum": ["1975-08-08"],
    "geburtsort": ["Bremen"],
    "staatsangehoerigkeit": ["deutsch"],
    "strasse": ["Am Wall 1"],
    "plz": ["28195"],
    "ort": ["Bremen"],
}
BETRIEB = {
    "rechtsform": ["einzel"],
    "betriebsname": ["Bäckerei Lür"],
    "betrieb_strasse": ["Ostertorsteinweg 12a"],
    "betrieb_plz": ["28203"],
    "betrieb_ort": ["Bremen"],
    "betriebsart": ["handwerk", "handel"],
    "vollzeit": ["2"],
}
GOOD = {
    "gewerbe-ummelden": (
        {
            "person": PERSON,
            "betrieb": {**BETRIEB, "taetigkeit": ["Bäckerei mit Café"]},
            "aenderung": {
                "grund": ["verlegung", "taetigkeit_erweiterung"],
                "aenderung": ["2026-07-01"],
                "bisherige_strasse": ["Sielwall 3"],
                "bisherige_plz": ["28203"],
                "bisherige_taetigkeit": ["Bäckerei"],
            },
            "erklaerung": {"richtig": ["on"]},
        },
        {"aenderung": {"erlaubnis": [PDF]}},
    ),
    "gewerbe-abmelden": (
        {
            "person": PERSON,
            "betrieb": {**BETRIEB, "taetigkeit": ["Bäckerei"], "anmeldung_aktenzeichen": ["OA-2020-0000001"]},
            "abmeldung": {
                "aufgabe": ["2026-06-30"],
                "grund": ["uebergabe"],
                "nachfolger_name": ["Backhaus Deich GmbH"],
                "nachfolger_strasse": ["Am Deich 5"],
                "nachfolger_plz": ["28199"],
                "nachfolger_ort": ["Bremen"],
            },
            "erklaerung": {"richtig": ["on"]},
        },
        {},
    ),
    "hund-abmelden": (
        {
            "halter": {
                "familienname": ["Wübbena"],
                "vornamen": ["Hilke"],
                "geburtsdatum": ["1985-03-02"],
                "strasse": ["Fesenfeld 12"],
                "plz": ["28203"],
                "ort": ["Bremen"],
                "steuerzeichen": ["HS-2024-0815"],
            },
            "hund": {"name": ["Bello"], "rasse": ["Labrador-Mischling"], "chipnummer": ["276098106543210"]},
            "abmeldung": {"grund": ["tod"], "ende": ["2026-06-01"], "iban": ["DE89 3704 0044 0532 0130 00"]},
            "erklaerung": {"richtig": ["on"]},
        },
        {"abmeldung": {"nachweis": [PDF]}},
    ),
    "lebensmittelbetrieb-registrieren": (
        {
            "unternehmer": {
                "unternehmer_art": ["person"],
                "familienname": ["Yilmaz"],
                "vornamen": ["Deniz"],
                "strasse": ["Waller Heerstraße 100"],
                "plz": ["28219"],
                "ort": ["Bremen"],
                "telefon": ["0421 555123"],
            },
            "betrieb": {
                "anlass": ["neu"],
                "betriebsname": ["Deniz Foodtruck"],
                "mobil": ["on"],
                "kennzeichen": ["HB-DY 42"],
                "standorte": ["Wochenmarkt Findorff, Überseestadt"],
                "beginn": ["2026-07-01"],
            },
            "taetigkeit": {
                "betriebsart": ["mobil"],
                "produkte": ["fertiggerichte", "getraenke"],
                "beschreibung": ["Zubereitung und Verkauf von Falafel und Getränken"],
                "beschaeftigte": ["2"],
            },
            "erklaerung": {"belehrung": ["on"], "richtig": ["on"]},
        },
        {},
    ),
    "veranstaltung-anmelden": (
        {
            "veranstalter": {
                "veranstalter_art": ["organisation"],
                "organisation": ["Bürgerverein Steintor e. V."],
                "familienname": ["Meyer"],
                "vornamen": ["Jan"],
                "geburtsdatum": ["1970-05-05"],
                "strasse": ["Vor dem Steintor 1"],
                "plz": ["28203"],
                "ort": ["Bremen"],
                "telefon": ["0170 1234567"],
            },
            "veranstaltung": {
                "art": ["strassenfest"],
                "titel": ["Steintorfest"],
                "beschreibung": ["Straßenfest mit Bühne und Ständen der Vereine"],
                "ort_beschreibung": ["Vor dem Steintor zwischen Sielwall und Fehrfeld"],
                "flaeche": ["fahrbahn"],
                "beginn": ["2026-08-22"],
                "ende": ["2026-08-23"],
                "uhrzeiten": ["10 bis 22 Uhr, Aufbau ab 7 Uhr"],
                "groesse": ["mittel"],
                "ordner": ["20"],
            },
            "ausstattung": {"buehne": ["on"], "staende": ["25"], "ausschank": ["on"]},
            "erklaerung": {"richtig": ["on"]},
        },
        {"ausstattung": {"lageplan": [PDF], "sicherheitskonzept": [PDF]}},
    ),
}


def answers(form_id):
    return sample(GOOD, form_id)


@pytest.mark.parametrize("form_id", sorted(GOOD))
def test_a_complete_application_is_accepted(form_id):
    result = check(form_id, *answers(form_id))
    assert result.ok, result.errors


def test_ummeldung_asks_what_was_before_for_each_reason_given():
    raw, files = answers("gewerbe-ummelden")
    raw["aenderung"] = {"grund": ["name", "rechtsform", "verlegung"], "aenderung": ["2026-07-01"]}
    assert codes(check("gewerbe-ummelden", raw, files)) == {
        "bisheriger_name": "required",
        "bisherige_rechtsform": "required",
        "bisherige_strasse": "required",
        "bisherige_plz": "required",
    }


def test_ummeldung_drops_the_previous_values_of_reasons_not_given():
    raw, files = answers("gewerbe-ummelden")
    raw["aenderung"]["grund"] = ["taetigkeit_wechsel"]
    result = check("gewerbe-ummelden", raw, files)
    assert result.ok and "bisherige_strasse" not in result.values
    assert result.values["grund"] == ["taetigkeit_wechsel"] and result.values["erlaubnis"] == [PDF]


def test_ummeldung_refuses_an_unknown_reason_and_a_permit_that_is_no_document():
    raw, _ = answers("gewerbe-ummelden")
    zipped = Upload(name="karte.zip", size=1_000, media_type="application/zip")
    assert codes(check("gewerbe-ummelden", raw, {"aenderung": {"erlaubnis": [zipped]}})) == {
        "erlaubnis": "file_type"
    }
    raw["aenderung"]["grund"] = ["taetigkeit_erweiterung", "umzug"]
    assert codes(check("gewerbe-ummelden", raw, {})) == {"grund": "not_in_list"}


def test_abmeldung_closure_needs_its_cause_and_a_move_the_new_address():
    raw, files = answers("gewerbe-abmelden")
    raw["abmeldung"] = {"aufgabe": ["2026-06-30"], "grund": ["aufgabe"]}
    assert codes(check("gewerbe-abmelden", raw, files)) == {"ursache": "required"}
    raw["abmeldung"] = {"aufgabe": ["2026-06-30"], "grund": ["verlegung"], "neu_plz": ["1099"]}
    assert codes(check("gewerbe-abmelden", raw, files)) == {
        "neu_strasse": "required",
        "neu_plz": "postcode",
        "neu_ort": "required",
    }


def test_abmeldung_handover_needs_the_successors_name_and_keeps_it():
    raw, files = answers("gewerbe-abmelden")
    result = check("gewerbe-abmelden", raw, files)
    assert result.values["nachfolger_name"] == "Backhaus Deich GmbH" and "ursache" not in result.values
    del raw["abmeldung"]["nachfolger_name"]
    assert codes(check("gewerbe-abmelden", raw, files)) == {"nachfolger_name": "required"}


def test_a_dog_that_died_needs_proof_and_a_dog_given_away_its_new_keeper():
    raw, _ = answers("hund-abmelden")
    assert codes(check("hund-abmelden", raw, {})) == {"nachweis": "required"}
    raw["abmeldung"]["grund"] = ["abgabe"]
    raw["abmeldung"]["ende"] = ["2026-06-16"]
    assert codes(check("hund-abmelden", raw, {"abmeldung": {"nachweis": [PDF]}})) == {
        "ende": "future",
        "neuer_halter": "required",
        "neuer_halter_anschrift": "required",
    }


def test_a_dog_that_moved_away_needs_the_new_municipality_but_no_proof():
    raw, _ = answers("hund-abmelden")
    raw["abmeldung"] = {"grund": ["wegzug"], "ende": ["2026-06-01"], "iban": ["DE00370400440532013000"]}
    assert codes(check("hund-abmelden", raw, {})) == {"neue_gemeinde": "required", "iban": "iban"}


def test_a_food_business_with_premises_needs_their_address_and_the_hygiene_instruction():
    raw, files = answers("lebensmittelbetrieb-registrieren")
    raw["betrieb"]["mobil"] = []
    raw["erklaerung"]["belehrung"] = []
    assert codes(check("lebensmittelbetrieb-registrieren", raw, files)) == {
        "betrieb_strasse": "required",
        "betrieb_plz": "required",
        "belehrung": "must_confirm",
    }


def test_a_food_company_needs_its_name_and_only_known_food_groups():
    raw, files = answers("lebensmittelbetrieb-registrieren")
    raw["unternehmer"]["unternehmer_art"] = ["firma"]
    raw["taetigkeit"]["produkte"] = ["fertiggerichte", "tabak"]
    assert codes(check("lebensmittelbetrieb-registrieren", raw, files)) == {
        "firma": "required",
        "produkte": "not_in_list",
    }


def test_a_large_event_needs_a_safety_concept_as_pdf_and_a_date_not_in_the_past():
    raw, _ = answers("veranstaltung-anmelden")
    raw["veranstaltung"]["beginn"] = ["2026-06-14"]
    files = {"ausstattung": {"lageplan": [PHOTO], "sicherheitskonzept": [PHOTO]}}
    assert codes(check("veranstaltung-anmelden", raw, files)) == {
        "beginn": "past",
        "sicherheitskonzept": "file_type",
    }
    assert codes(check("veranstaltung-anmelden", raw, {"ausstattung": {"lageplan": [PDF]}})) == {
        "beginn": "past",
        "sicherheitskonzept": "required",
    }


def test_an_assembly_names_its_leader_and_needs_no_site_plan():
    raw, _ = answers("veranstaltung-anmelden")
    raw["veranstaltung"]["art"] = ["versammlung"]
    assert codes(check("veranstaltung-anmelden", raw, {})) == {"leitung": "required"}
    raw["veranstaltung"]["leitung"] = ["Jan Meyer"]
    result = check("veranstaltung-anmelden", raw, {})
    assert result.ok and "lageplan" not in result.values and "sicherheitskonzept" not in result.values


# Every new form: a service of the catalogue, its office, and a fee only where the catalogue
# names a flat amount (Gewerbeummeldung 20 Euro, paid first; the online certificate is free).
NEW_FORMS = {
    "gewerbe-ummelden": ("ordnungsamt", "20,00\xa0€", "mandatory"),
    "gewerbe-abmelden": ("ordnungsamt", None, None),
    "meldebescheinigung": ("buergeramt-mitte", None, None),
    "wohnsitz-abmelden": ("buergeramt-mitte", None, None),
    "nebenwohnung-anmelden": ("buergeramt-mitte", None, None),
    "auskunftssperre": ("buergeramt-mitte", None, None),
    "uebermittlungssperre": ("buergeramt-mitte", None, None),
    "hund-abmelden": ("finanzamt-bremen", None, None),
    "lebensmittelbetrieb-registrieren": ("lebensmittelueberwachung", None, None),
    "veranstaltung-anmelden": ("ordnungsamt", None, None),
}


@pytest.mark.django_db
@pytest.mark.parametrize(("form_id", "office_slug", "fee", "policy"), [(k, *v) for k, v in NEW_FORMS.items()])
def test_the_start_page_names_office_and_fee(client, form_id, office_slug, fee, policy):
    setup_payments()
    entry = catalogue_service(form_id)
    assert office_slug in entry["offices"]
    office, _ = Office.objects.get_or_create(slug=office_slug, defaults={"name": f"Amt {office_slug}"})
    service = Service.objects.create(
        leika_key=entry["leika_key"], name=entry["name"], slug=entry["slug"], status=Service.Status.PUBLISHED
    )
    service.offices.add(office)
    page = client.get(reverse("eforms:start", args=[form_id])).content.decode()
    assert office.name in page and registry.definition(form_id).steps[1].title in page
    tariff = payment_selectors.fee_for_service(service_key=entry["leika_key"])
    assert (tariff and tariff.payment_policy) == policy
    if fee:
        assert fee in page and entry["fees"].startswith(fee.replace("\xa0€", " Euro"))


def test_an_events_last_day_may_not_precede_its_first():
    raw, files = answers("veranstaltung-anmelden")
    raw["veranstaltung"]["beginn"], raw["veranstaltung"]["ende"] = ["2026-08-23"], ["2026-08-22"]
    assert codes(check("veranstaltung-anmelden", raw, files))["ende"] == "before_other"
