"""The social-benefit forms (Wohngeld, WBS, Schwerbehinderung, Parkausweis, Rundfunkbeitrag) and
the death certificate accept a complete application and refuse the typical mistakes: missing
proof, conditions, formats and dates."""

from decimal import Decimal

import pytest

from rathaus.domain.eforms.validation import Upload

from .test_definitions import PDF, PHOTO, catalogue_service, check, codes, sample

APPLICANT = {
    "familienname": ["Ahlers"],
    "vornamen": ["Merle"],
    "geburtsdatum": ["1988-04-30"],
    "strasse": ["Am Dobben 44"],
    "plz": ["28203"],
}
ADDRESSEE = {key: value for key, value in APPLICANT.items() if key != "geburtsdatum"}
GOOD = {
    "wohngeld": (
        {
            "antragsteller": {
                **APPLICANT,
                "familienstand": ["VH"],
                "staatsangehoerigkeit": ["deutsch"],
                "iban": ["DE89 3704 0044 0532 0130 00"],
                "kontoinhaber": ["Merle Ahlers"],
            },
            "haushalt": {
                "mitglied-0-familienname": ["Ahlers"],
                "mitglied-0-vornamen": ["Jonas"],
                "mitglied-0-geburtsdatum": ["1986-01-12"],
                "mitglied-0-beziehung": ["ehegatte"],
                "mitglied-1-familienname": ["Ahlers"],
                "mitglied-1-vornamen": ["Ole"],
                "mitglied-1-geburtsdatum": ["2020-02-02"],
                "mitglied-1-beziehung": ["kind"],
            },
            "einkommen": {
                "einkommen-0-person": ["Merle Ahlers"],
                "einkommen-0-art": ["nichtselbstaendig"],
                "einkommen-0-brutto": ["1.450,00"],
                "einkommen-0-arbeitgeber": ["Bäckerei Rolf"],
                "einkommen-1-person": ["Jonas Ahlers"],
                "einkommen-1-art": ["keines"],
            },
            "wohnung": {
                "wohnart": ["miete"],
                "flaeche": ["68,5"],
                "einzug": ["2021-09-01"],
                "kaltmiete": ["690,00"],
                "nebenkosten": ["140,00"],
                "heizung": ["separat"],
                "vermieter_name": ["GEWOBA"],
                "vermieter_anschrift": ["Rembertiring 27, 28195 Bremen"],
            },
            "erklaerung": {"keine_transferleistung": ["on"], "richtig": ["on"]},
        },
        {"einkommen": {"einkommensnachweise": [PDF, PDF]}, "wohnung": {"mietvertrag": [PDF]}},
    ),
    "wohnberechtigungsschein": (
        {
            "antragsteller": {
                **APPLICANT,
                "staatsangehoerigkeit": ["deutsch"],
                "ort": ["Bremen"],
                "jahreseinkommen": ["21.000,00"],
            },
            "haushalt": {
                "mitglied-0-familienname": ["Ahlers"],
                "mitglied-0-vornamen": ["Ole"],
                "mitglied-0-geburtsdatum": ["2020-02-02"],
                "mitglied-0-beziehung": ["kind"],
                "mitglied-0-jahreseinkommen": ["0"],
                "schwanger": ["on"],
            },
            "wohnung": {"anlass": ["zu_klein"], "zimmer_jetzt": ["1"]},
            "erklaerung": {"richtig": ["on"]},
        },
        {"unterlagen": {"einkommensnachweise": [PDF], "mutterpass": [PHOTO]}},
    ),
    "schwerbehindertenausweis": (
        {
            "person": {
                **APPLICANT,
                "geburtsort": ["Bremen"],
                "staatsangehoerigkeit": ["deutsch"],
                "ort": ["Bremen"],
                "antragsart": ["erst"],
            },
            "gesundheit": {
                "beeintraechtigung-0-bezeichnung": ["Arthrose beider Kniegelenke"],
                "beeintraechtigung-0-seit": ["2019-03-01"],
                "beeintraechtigung-1-bezeichnung": ["Diabetes mellitus Typ 1"],
                "merkzeichen": ["G"],
            },
            "aerzte": {
                "arzt-0-name": ["Dr. Hanna Meyer"],
                "arzt-0-fachrichtung": ["Orthopädie"],
                "arzt-0-anschrift": ["Ostertorsteinweg 1, 28203 Bremen"],
                "arzt-0-wegen": ["Kniegelenke"],
                "arzt-0-letzte_behandlung": ["2026-05-20"],
            },
            "ausweis": {"ausweis": ["on"]},
            "erklaerung": {"schweigepflicht": ["on"], "richtig": ["on"]},
        },
        {"aerzte": {"befunde": [PDF]}, "ausweis": {"lichtbild": [PHOTO]}},
    ),
    "behindertenparkausweis": (
        {
            "person": {**APPLICANT, "ort": ["Bremen"]},
            "behinderung": {
                "ausweisart": ["blau"],
                "gdb": ["100"],
                "merkzeichen": ["aG", "B"],
                "ausweis_gueltig_bis": ["2030-12-31"],
            },
            "erklaerung": {"richtig": ["on"]},
        },
        {"unterlagen": {"schwerbehindertenausweis": [PHOTO, PHOTO], "lichtbild": [PHOTO]}},
    ),
    "rundfunkbeitrag-befreiung-bescheinigung": (
        {
            "person": {**APPLICANT, "ort": ["Bremen"], "beitragsnummer": ["123 456 789"]},
            "leistung": {
                "leistung": ["buergergeld"],
                "aktenzeichen": ["BG 271-0815"],
                "bewilligt_von": ["2026-04-01"],
                "bewilligt_bis": ["2026-09-30"],
                "versand": ["postfach"],
            },
            "erklaerung": {"richtig": ["on"]},
        },
        {"leistung": {"bescheid": [PDF]}},
    ),
    "sterbeurkunde": (
        {
            "verstorbene": {
                "verstorben_familienname": ["Ahlers"],
                "verstorben_vornamen": ["Heinrich"],
                "verstorben_geburtsdatum": ["1941-11-03"],
                "sterbedatum": ["2026-06-02"],
                "sterbeort": ["Klinikum Bremen-Mitte"],
                "standesamt": ["mitte"],
                "registernummer": ["S 1234/2026"],
            },
            "antragsteller": {**ADDRESSEE, "ort": ["Bremen"], "beziehung": ["kind"]},
            "urkunden": {"anzahl": ["4"], "zweck": ["rente", "bank", "nachlass"], "anzahl_rente": ["1"]},
            "erklaerung": {"richtig": ["on"]},
        },
        {"antragsteller": {"nachweis": [PDF]}},
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
        ("wohngeld", "amt-soziale-dienste"),
        ("wohnberechtigungsschein", "amt-soziale-dienste"),
        ("schwerbehindertenausweis", "amt-versorgung-integration"),
        ("behindertenparkausweis", "amt-strassen-verkehr"),
        ("rundfunkbeitrag-befreiung-bescheinigung", "amt-soziale-dienste"),
        ("sterbeurkunde", "standesamt-mitte"),
    ],
)
def test_each_form_names_its_catalogue_service_and_office(form_id, office):
    service = catalogue_service(form_id)
    assert service["slug"] == form_id and office in service["offices"]


def test_housing_benefit_keeps_income_per_member_and_refuses_a_missing_amount_and_lease():
    result = check("wohngeld", *answers("wohngeld"))
    merle, jonas = result.values["einkommen"]
    assert merle["brutto"] == Decimal("1450.00") and "brutto" not in jonas
    assert [member["beziehung"] for member in result.values["mitglied"]] == ["ehegatte", "kind"]
    raw, files = answers("wohngeld")
    del raw["einkommen"]["einkommen-0-brutto"]
    raw["haushalt"]["mitglied-1-geburtsdatum"] = ["2026-07-01"]
    del files["wohnung"]
    assert codes(check("wohngeld", raw, files)) == {
        "einkommen-0-brutto": "required",
        "mitglied-1-geburtsdatum": "future",
        "mietvertrag": "required",
    }


def test_housing_benefit_for_owners_asks_the_burden_instead_of_rent_and_landlord():
    raw, files = answers("wohngeld")
    raw["wohnung"] = {"wohnart": ["eigentum"], "flaeche": ["90"], "einzug": ["2015-01-01"]}
    assert codes(check("wohngeld", raw, {"einkommen": files["einkommen"]})) == {
        "belastung": "required",
        "belastungsnachweis": "required",
    }
    raw["wohnung"]["belastung"] = ["780,50"]
    files["wohnung"] = {"belastungsnachweis": [PDF]}
    result = check("wohngeld", raw, files)
    assert result.ok and "kaltmiete" not in result.values and "vermieter_name" not in result.values


def test_housing_benefit_needs_the_declaration_of_no_other_benefit_and_an_applicant_of_15():
    raw, files = answers("wohngeld")
    raw["erklaerung"] = {"richtig": ["on"]}
    raw["antragsteller"]["geburtsdatum"] = ["2011-06-16"]
    assert codes(check("wohngeld", raw, files)) == {
        "keine_transferleistung": "must_confirm",
        "geburtsdatum": "not_adult",
    }


def test_wbs_needs_proof_of_disability_when_declared_and_the_reason_explained():
    raw, files = answers("wohnberechtigungsschein")
    raw["haushalt"]["mitglied-0-schwerbehindert"] = ["on"]
    raw["antragsteller"]["schwerbehindert"] = ["on"]
    raw["wohnung"]["anlass"] = ["sonstiges"]
    assert codes(check("wohnberechtigungsschein", raw, files)) == {
        "anlass_text": "required",
        "schwerbehindertennachweis": "required",
    }
    del raw["haushalt"]["schwanger"]
    files["unterlagen"] = {"einkommensnachweise": [PDF], "schwerbehindertennachweis": [PDF]}
    raw["wohnung"]["anlass_text"] = ["Pflege der Mutter in der Nachbarschaft"]
    result = check("wohnberechtigungsschein", raw, files)
    assert result.ok and "mutterpass" not in result.values


def test_disability_needs_the_impairments_a_doctor_and_the_consent_to_obtain_reports():
    raw, files = answers("schwerbehindertenausweis")
    raw["gesundheit"] = {"merkzeichen": ["G"]}
    raw["aerzte"]["arzt-0-fachrichtung"] = [""]
    raw["erklaerung"] = {"richtig": ["on"]}
    result = check("schwerbehindertenausweis", raw, files)
    assert codes(result) == {
        "beeintraechtigung-0-bezeichnung": "required",
        "arzt-0-fachrichtung": "required",
        "schweigepflicht": "must_confirm",
    }


def test_disability_card_needs_a_photo_and_a_change_the_previous_file_number():
    raw, _ = answers("schwerbehindertenausweis")
    raw["person"]["antragsart"] = ["verschlimmerung"]
    assert codes(check("schwerbehindertenausweis", raw, {})) == {
        "aktenzeichen": "required",
        "lichtbild": "required",
    }
    pdf_photo = {"ausweis": {"lichtbild": [PDF]}}
    raw["person"]["aktenzeichen"] = ["V 12-345/24"]
    assert codes(check("schwerbehindertenausweis", raw, pdf_photo)) == {"lichtbild": "file_type"}
    del raw["ausweis"]["ausweis"]
    assert check("schwerbehindertenausweis", raw, {}).ok


def test_blue_parking_card_without_ag_or_bl_needs_the_comparable_impairment():
    raw, files = answers("behindertenparkausweis")
    raw["behinderung"]["merkzeichen"] = ["G", "B"]
    raw["behinderung"]["ausweis_gueltig_bis"] = ["2026-01-31"]
    assert codes(check("behindertenparkausweis", raw, files)) == {
        "vergleichbar": "required",
        "ausweis_gueltig_bis": "past",
    }
    raw["behinderung"] |= {"ausweisart": ["orange"], "ausweis_gueltig_bis": ["2031-01-31"], "gdb": ["110"]}
    assert codes(check("behindertenparkausweis", raw, files)) == {
        "orange_grund": "required",
        "gdb": "too_large",
    }
    raw["behinderung"] |= {"orange_grund": ["beine"], "gdb": ["80"]}
    assert check("behindertenparkausweis", raw, files).ok


def test_broadcasting_certificate_checks_the_contribution_number_period_and_notice():
    raw, _ = answers("rundfunkbeitrag-befreiung-bescheinigung")
    raw["person"]["beitragsnummer"] = ["12345678"]
    raw["leistung"]["bewilligt_bis"] = ["2026-03-31"]
    result = check("rundfunkbeitrag-befreiung-bescheinigung", raw, {})
    assert codes(result) == {
        "beitragsnummer": "pattern",
        "bewilligt_bis": "before_other",
        "bescheid": "required",
    }


def test_death_certificate_from_a_sibling_needs_the_legal_interest_and_dates_in_order():
    raw, files = answers("sterbeurkunde")
    raw["antragsteller"]["beziehung"] = ["geschwister"]
    raw["verstorbene"]["sterbedatum"] = ["1940-01-01"]
    raw["verstorbene"]["registernummer"] = ["1234-2026"]
    raw["urkunden"]["anzahl"] = ["25"]
    assert codes(check("sterbeurkunde", raw, files)) == {
        "interesse": "required",
        "sterbedatum": "before_other",
        "registernummer": "pattern",
        "anzahl": "too_large",
    }


def test_death_certificate_for_a_spouse_needs_no_proof_and_other_purpose_needs_a_text():
    raw, _ = answers("sterbeurkunde")
    raw["antragsteller"]["beziehung"] = ["ehegatte"]
    raw["urkunden"] = {"anzahl": ["2"], "zweck": ["sonstiges"]}
    assert codes(check("sterbeurkunde", raw, {})) == {"zweck_text": "required"}
    raw["urkunden"]["zweck_text"] = ["Kündigung des Zeitschriftenabos"]
    result = check("sterbeurkunde", raw, {})
    assert result.ok and result.values["anzahl"] == 2 and "anzahl_rente" not in result.values
    word = Upload(name="nachweis.docx", size=9_000, media_type="application/msword")
    raw["antragsteller"]["beziehung"] = ["kind"]
    assert codes(check("sterbeurkunde", raw, {"antragsteller": {"nachweis": [word]}})) == {
        "nachweis": "file_type"
    }
