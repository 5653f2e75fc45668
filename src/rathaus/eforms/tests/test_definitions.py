"""The shipped service forms accept a complete, plausible application and refuse the typical
mistakes with the right codes (rules, conditions and uploads as the paper forms ask)."""

import copy
import datetime
import io
import json
from decimal import Decimal
from pathlib import Path

import pytest
from django.urls import reverse

from rathaus.directory.models import Office, Service
from rathaus.domain.eforms.validation import Upload, validate_form
from rathaus.eforms import registry
from rathaus.eforms.models import Application
from rathaus.kernel.pdf import text_pdf
from rathaus.payments import selectors as payment_selectors
from rathaus.payments.tests.factories import citizen_login, make_citizen, setup_payments

DIRECTORY = Path(registry.__file__).resolve().parent.parent / "directory" / "data" / "services"
TODAY = datetime.date(2026, 6, 15)
PDF = Upload(name="nachweis.pdf", size=20_000, media_type="application/pdf")
PHOTO = Upload(name="foto.jpg", size=50_000, media_type="image/jpeg")

GOOD = {
    "hund-anmelden": (
        {
            "halter": {
                "familienname": ["Wübbena"],
                "vornamen": ["Hilke"],
                "geburtsdatum": ["1985-03-02"],
                "strasse": ["Fesenfeld 12"],
                "plz": ["28203"],
                "ort": ["Bremen"],
                "iban": ["DE89 3704 0044 0532 0130 00"],
            },
            "hunde": {
                "hund-0-name": ["Bello"],
                "hund-0-rasse": ["Labrador-Mischling"],
                "hund-0-geschlecht": ["ruede"],
                "hund-0-wurfdatum": ["2025-11-01"],
                "hund-0-herkunft": ["tierheim"],
                "hund-0-aufnahme": ["2026-06-01"],
                "hund-0-in_bremen_seit": ["2026-06-01"],
                "hund-0-chipnummer": ["276098106543210"],
                "hund-0-versicherung": ["Hanse Tierhaft"],
                "hund-0-versicherungsnummer": ["HT-4711"],
                "hund-1-name": ["Frieda"],
                "hund-1-rasse": ["Staffordshire Bullterrier"],
                "hund-1-geschlecht": ["huendin"],
                "hund-1-wurfdatum": ["2022-04-10"],
                "hund-1-herkunft": ["zuzug"],
                "hund-1-aufnahme": ["2022-07-01"],
                "hund-1-in_bremen_seit": ["2026-05-20"],
                "hund-1-vorherige_gemeinde": ["Oldenburg"],
                "hund-1-chipnummer": ["276098106543211"],
                "hund-1-versicherung": ["Hanse Tierhaft"],
                "hund-1-versicherungsnummer": ["HT-4712"],
            },
            "besonderheiten": {
                "gefaehrlich": ["on"],
                "gefaehrlich_hund": ["Frieda"],
                "steuervorteil": ["tierheim"],
                "steuervorteil_hund": ["Bello"],
            },
            "erklaerung": {"richtig": ["on"]},
        },
        {"besonderheiten": {"erlaubnis": [PDF], "nachweis": [PDF]}},
    ),
    "bewohnerparkausweis": (
        {
            "person": {"familienname": ["Oltmanns"], "vornamen": ["Jan"], "geburtsdatum": ["1990-01-20"]},
            "wohnung": {
                "zone": ["A"],
                "strasse": ["Vor dem Steintor 40"],
                "plz": ["28203"],
                "ort": ["Bremen"],
                "hauptwohnung": ["on"],
            },
            "fahrzeug": {
                "kennzeichen": ["HB-JO 123"],
                "nutzung": ["firmenwagen"],
                "arbeitgeber": ["Weser Logistik GmbH"],
                "beginn": ["2026-07-01"],
            },
            "erklaerung": {"richtig": ["on"]},
        },
        {"fahrzeug": {"zulassung": [PHOTO], "arbeitgeberbescheinigung": [PDF]}},
    ),
    "fuehrungszeugnis": (
        {
            "person": {
                "familienname": ["Harms"],
                "geburtsname": ["Meyer"],
                "vornamen": ["Enno"],
                "geschlecht": ["m"],
                "geburtsdatum": ["1979-09-09"],
                "geburtsort": ["Bremerhaven"],
                "staatsangehoerigkeit": ["deutsch"],
                "strasse": ["Am Wall 120"],
                "plz": ["28195"],
                "ort": ["Bremen"],
            },
            "zeugnis": {
                "art": ["behoerde"],
                "erweitert": ["on"],
                "behoerde_name": ["Senatorin für Kinder und Bildung"],
                "behoerde_strasse": ["Rembertiring 8-12"],
                "behoerde_plz": ["28195"],
                "behoerde_ort": ["Bremen"],
                "verwendungszweck": ["Einstellung in den Schuldienst"],
                "aktenzeichen": ["P-2026-77"],
            },
            "erklaerung": {"richtig": ["on"]},
        },
        {"zeugnis": {"aufforderung": [PDF]}},
    ),
    "sondernutzung": (
        {
            "antragsteller": {
                "art": ["gewerblich"],
                "firma": ["Café am Deich GmbH"],
                "steuernummer": ["60/123/45678"],
                "familienname": ["Bruns"],
                "vornamen": ["Tomke"],
                "strasse": ["Am Deich 5"],
                "plz": ["28199"],
                "ort": ["Bremen"],
                "telefon": ["0421 123456"],
                "iban": ["DE89370400440532013000"],
            },
            "nutzung": {
                "nutzungsart": ["aussengastronomie"],
                "tische": ["6"],
                "stuehle": ["24"],
                "ort_strasse": ["Am Deich 5"],
                "ort_plz": ["28199"],
                "flaechenlage": ["gehweg"],
                "flaeche": ["12,5"],
                "restgehweg": ["2,0"],
                "von": ["2026-07-01"],
                "bis": ["2026-09-30"],
                "uhrzeiten": ["10 bis 22 Uhr"],
            },
            "erklaerung": {"richtig": ["on"]},
        },
        {"unterlagen": {"lageplan": [PDF], "fotos": [PHOTO]}},
    ),
}


def check(form_id, raw, files):
    definition = registry.definition(form_id)
    assert definition is not None, f"{form_id} does not load"
    return validate_form(definition, raw, files_by_step=files, today=TODAY)


def codes(result):
    return {error.path: error.code for errors in result.errors.values() for error in errors}


def sample(good, form_id):
    """A fresh copy of a module's good answers (raw, files) for ``form_id``, free to change."""
    raw, files = good[form_id]
    return copy.deepcopy(raw), copy.deepcopy(files)


def catalogue_service(form_id):
    """The one catalogue entry whose LeiKa key the form names."""
    leika = registry.definition(form_id).leika
    catalogue = [
        service
        for path in sorted(DIRECTORY.glob("*.json"))
        for service in json.loads(path.read_text(encoding="utf-8"))["services"]
    ]
    [service] = [service for service in catalogue if service.get("leika_key") == leika]
    return service


def answers(form_id):
    return sample(GOOD, form_id)


@pytest.mark.parametrize("form_id", sorted(GOOD))
def test_a_complete_application_is_accepted(form_id):
    raw, files = answers(form_id)
    result = check(form_id, raw, files)
    assert result.ok, result.errors


@pytest.mark.parametrize(
    ("form_id", "office"),
    [
        ("hund-anmelden", "finanzamt-bremen"),
        ("bewohnerparkausweis", "amt-strassen-verkehr"),
        ("fuehrungszeugnis", "buergeramt-mitte"),
        ("sondernutzung", "amt-strassen-verkehr"),
    ],
)
def test_every_new_form_names_a_service_of_the_directory_with_its_office(form_id, office):
    assert registry.definition(form_id) is not None
    assert office in catalogue_service(form_id)["offices"]


def test_dog_values_are_cleaned_per_dog():
    result = check("hund-anmelden", *answers("hund-anmelden"))
    bello, frieda = result.values["hund"]
    assert bello["name"] == "Bello" and bello["herkunft"] == "tierheim"
    assert "vorherige_gemeinde" not in bello and frieda["vorherige_gemeinde"] == "Oldenburg"
    assert result.values["erlaubnis"] == [PDF] and result.values["nachweis"] == [PDF]


def test_a_dangerous_dog_without_permit_and_a_reduction_without_proof_are_refused():
    raw, _ = answers("hund-anmelden")
    del raw["besonderheiten"]["gefaehrlich_hund"]
    result = check("hund-anmelden", raw, {})
    assert codes(result) == {"gefaehrlich_hund": "required", "erlaubnis": "required", "nachweis": "required"}


def test_without_dangerous_dog_or_reduction_no_permit_or_proof_is_asked_or_kept():
    raw, files = answers("hund-anmelden")
    raw["besonderheiten"] = {"steuervorteil": ["keiner"], "steuervorteil_hund": ["Bello"]}
    result = check("hund-anmelden", raw, files)
    assert result.ok and result.values["gefaehrlich"] is False
    assert not {"erlaubnis", "nachweis", "steuervorteil_hund"} & set(result.values)


def test_dog_keeper_must_be_adult_and_dates_not_in_the_future():
    raw, files = answers("hund-anmelden")
    raw["halter"]["geburtsdatum"] = ["2010-01-01"]
    raw["halter"]["plz"] = ["2820"]
    raw["hunde"]["hund-0-aufnahme"] = ["2026-07-01"]
    raw["hunde"]["hund-0-chipnummer"] = ["27609810654"]
    result = check("hund-anmelden", raw, files)
    assert codes(result) == {
        "geburtsdatum": "not_adult",
        "plz": "postcode",
        "hund-0-aufnahme": "future",
        "hund-0-chipnummer": "too_short",
    }


def test_at_least_one_dog_and_permit_file_type_is_checked():
    raw, files = answers("hund-anmelden")
    raw["hunde"] = {}
    assert codes(check("hund-anmelden", raw, files))["hund-0-name"] == "required"
    raw, files = answers("hund-anmelden")
    files = {
        "besonderheiten": {"nachweis": [PDF], "erlaubnis": [Upload("x.exe", 10, "application/x-dosexec")]}
    }
    assert codes(check("hund-anmelden", raw, files)) == {"erlaubnis": "file_type"}


def test_parking_company_car_needs_the_employers_confirmation():
    raw, files = answers("bewohnerparkausweis")
    result = check("bewohnerparkausweis", raw, {"fahrzeug": {"zulassung": [PHOTO]}})
    assert codes(result) == {"arbeitgeberbescheinigung": "required"}


def test_parking_own_car_needs_no_confirmation_and_drops_the_employer():
    raw, files = answers("bewohnerparkausweis")
    raw["fahrzeug"]["nutzung"] = ["halter"]
    result = check("bewohnerparkausweis", raw, {"fahrzeug": {"zulassung": [PHOTO]}})
    assert result.ok and "arbeitgeber" not in result.values


def test_parking_refuses_missing_main_residence_past_start_and_unknown_zone():
    raw, files = answers("bewohnerparkausweis")
    raw["wohnung"]["hauptwohnung"] = []
    raw["wohnung"]["zone"] = ["Z"]
    raw["fahrzeug"]["beginn"] = ["2026-06-14"]
    big = Upload("schein.pdf", 10_000_001, "application/pdf")
    files = {"fahrzeug": {"zulassung": [big], "arbeitgeberbescheinigung": [PDF]}}
    assert codes(check("bewohnerparkausweis", raw, files)) == {
        "hauptwohnung": "must_confirm",
        "zone": "not_in_list",
        "beginn": "past",
        "zulassung": "file_too_large",
    }


def test_certificate_for_an_authority_needs_its_address_and_purpose():
    raw, files = answers("fuehrungszeugnis")
    for name in ("behoerde_name", "behoerde_plz", "verwendungszweck"):
        del raw["zeugnis"][name]
    assert codes(check("fuehrungszeugnis", raw, files)) == {
        "behoerde_name": "required",
        "behoerde_plz": "required",
        "verwendungszweck": "required",
    }


def test_extended_certificate_needs_the_request_and_a_private_one_drops_the_authority():
    raw, _ = answers("fuehrungszeugnis")
    assert codes(check("fuehrungszeugnis", raw, {})) == {"aufforderung": "required"}
    raw["zeugnis"] = {"art": ["privat"], "behoerde_name": ["Versteckt"]}
    result = check("fuehrungszeugnis", raw, {})
    assert result.ok and "behoerde_name" not in result.values and result.values["erweitert"] is False


def test_certificate_birth_date_not_in_the_future_and_birth_name_required():
    raw, files = answers("fuehrungszeugnis")
    raw["person"]["geburtsdatum"] = ["2026-06-16"]
    raw["person"]["geburtsname"] = [" "]
    assert codes(check("fuehrungszeugnis", raw, files)) == {
        "geburtsdatum": "future",
        "geburtsname": "required",
    }


def test_special_use_values_and_company_data():
    result = check("sondernutzung", *answers("sondernutzung"))
    assert result.values["flaeche"] == Decimal("12.5") and result.values["tische"] == 6
    assert (
        result.values["steuernummer"] == "60/123/45678" and result.values["iban"] == "DE89370400440532013000"
    )


def test_special_use_refuses_past_period_small_area_narrow_pavement_and_bad_tax_number():
    raw, files = answers("sondernutzung")
    raw["nutzung"]["von"] = ["2026-06-01"]
    raw["nutzung"]["flaeche"] = ["0,2"]
    raw["nutzung"]["restgehweg"] = ["1,2"]
    raw["antragsteller"]["steuernummer"] = ["12345"]
    raw["antragsteller"]["iban"] = ["DE00370400440532013000"]
    assert codes(check("sondernutzung", raw, files)) == {
        "von": "past",
        "flaeche": "too_small",
        "restgehweg": "too_small",
        "steuernummer": "tax_number",
        "iban": "iban",
    }


def test_special_use_plan_must_be_a_pdf_and_a_private_person_needs_no_tax_number():
    raw, _ = answers("sondernutzung")
    files = {"unterlagen": {"lageplan": [PHOTO]}}
    assert codes(check("sondernutzung", raw, files)) == {"lageplan": "file_type"}
    raw["antragsteller"] = {**raw["antragsteller"], "art": ["privat"]}
    del raw["antragsteller"]["steuernummer"]
    raw["nutzung"]["nutzungsart"] = ["baustelle"]
    result = check("sondernutzung", raw, {"unterlagen": {"lageplan": [PDF]}})
    assert result.ok and "firma" not in result.values and "restgehweg" not in result.values


def test_special_use_period_end_before_start_is_refused():
    raw, files = answers("sondernutzung")
    raw["nutzung"]["von"], raw["nutzung"]["bis"] = ["2026-09-30"], ["2026-07-01"]
    assert codes(check("sondernutzung", raw, files))["bis"] == "before_other"


def test_certificate_needs_age_14_chip_15_digits_and_a_plate_in_german_form():
    raw, files = answers("fuehrungszeugnis")
    raw["person"]["geburtsdatum"] = ["2012-06-16"]  # 13 on TODAY
    assert codes(check("fuehrungszeugnis", raw, files))["geburtsdatum"] == "not_adult"
    raw, files = answers("hund-anmelden")
    raw["hunde"]["hund-0-chipnummer"] = ["27609810654321X"]
    assert codes(check("hund-anmelden", raw, files))["hund-0-chipnummer"] == "pattern"
    raw, files = answers("bewohnerparkausweis")
    raw["fahrzeug"]["kennzeichen"] = ["HB JO 123"]
    assert codes(check("bewohnerparkausweis", raw, files))["kennzeichen"] == "pattern"


# In the app: the start page names office and fee; a dog with its permit goes through the pages.
SERVICES = {
    "hund-anmelden": ("finanzamt-bremen", "Finanzamt Bremen", "hund-anmelden"),
    "bewohnerparkausweis": ("amt-strassen-verkehr", "Amt für Straßen und Verkehr", "bewohnerparkausweis"),
    "fuehrungszeugnis": ("buergeramt-mitte", "Bürgeramt Mitte", "fuehrungszeugnis"),
    "sondernutzung": (
        "amt-strassen-verkehr",
        "Amt für Straßen und Verkehr",
        "sondernutzung-aussengastronomie",
    ),
}


def _publish(form_id):
    setup_payments()
    slug, name, service_slug = SERVICES[form_id]
    office, _ = Office.objects.get_or_create(slug=slug, defaults={"name": name})
    service = Service.objects.create(
        leika_key=registry.definition(form_id).leika,
        name=name,
        slug=service_slug,
        status=Service.Status.PUBLISHED,
    )
    service.offices.add(office)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("form_id", "fee", "policy"),
    [
        ("hund-anmelden", None, None),
        ("bewohnerparkausweis", "60,00\xa0€", "mandatory"),
        ("fuehrungszeugnis", "13,00\xa0€", "mandatory"),
        ("sondernutzung", None, None),
    ],
)
def test_the_start_page_names_office_and_fee(client, form_id, fee, policy):
    _publish(form_id)
    page = client.get(reverse("eforms:start", args=[form_id])).content.decode()
    assert SERVICES[form_id][1] in page and registry.definition(form_id).steps[1].title in page
    tariff = payment_selectors.fee_for_service(service_key=registry.definition(form_id).leika)
    assert (tariff and tariff.payment_policy) == policy
    if fee:
        assert fee in page


@pytest.mark.django_db
def test_a_dangerous_dog_is_registered_with_its_permit_through_the_pages(client):
    _publish("hund-anmelden")
    citizen_login(client, make_citizen())
    client.post(reverse("eforms:begin", args=["hund-anmelden"]))
    application = Application.objects.get()
    raw = GOOD["hund-anmelden"][0]

    def post(step, data, **files):
        url = reverse("eforms:step", args=[application.public_id, step])
        return client.post(url, {**{name: values[0] for name, values in data.items()}, **files})

    for step in ("halter", "hunde"):
        assert post(step, raw[step]).status_code == 302
    special = {"gefaehrlich": ["on"], "gefaehrlich_hund": ["Frieda"], "steuervorteil": ["keiner"]}
    refused = post("besonderheiten", special)
    assert refused.status_code == 400 and 'name="erlaubnis"' in refused.content.decode()
    permit = io.BytesIO(text_pdf("Erlaubnis zur Haltung eines gefährlichen Hundes"))
    permit.name = "erlaubnis.pdf"
    assert post("besonderheiten", special, erlaubnis=permit).status_code == 302
    assert post("erklaerung", raw["erklaerung"]).url == reverse(
        "eforms:summary", args=[application.public_id]
    )
    summary = client.get(reverse("eforms:summary", args=[application.public_id])).content.decode()
    assert "Staffordshire Bullterrier" in summary and "erlaubnis.pdf" in summary
