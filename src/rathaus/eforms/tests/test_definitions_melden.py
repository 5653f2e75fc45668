"""The registration forms (Meldewesen, BMG) accept a complete application and refuse the typical
mistakes: certificate, deregistration abroad, secondary residence, block on information (§ 51
BMG, with proof) and objections to data transfers (§§ 36, 42, 50 BMG)."""

import pytest

from rathaus.domain.eforms.validation import Upload

from .test_definitions import PDF, PHOTO, check, codes, sample

PERSON = {
    "familienname": ["Ahlers"],
    "vornamen": ["Merle"],
    "geburtsdatum": ["1992-04-30"],
    "strasse": ["Am Dobben 44"],
    "plz": ["28203"],
}
BIRTH = {"geburtsort": ["Bremen"], "geschlecht": ["w"], "staatsangehoerigkeit": ["deutsch"]}
GOOD = {
    "meldebescheinigung": (
        {
            "person": {**PERSON, "email": ["merle@example.org"]},
            "bescheinigung": {
                "art": ["erweitert"],
                "angaben": ["geburt", "fruehere_anschriften"],
                "zweck": ["für den Arbeitgeber"],
                "anzahl": ["1"],
                "versand": ["postfach"],
            },
            "erklaerung": {"richtig": ["on"]},
        },
        {},
    ),
    "wohnsitz-abmelden": (
        {
            "person": {**{k: v for k, v in PERSON.items() if k not in ("strasse", "plz")}, **BIRTH},
            "wohnung": {
                "wohin": ["ausland"],
                "strasse": ["Am Dobben 44"],
                "plz": ["28203"],
                "wohnungsart": ["alleinige"],
                "auszug": ["2026-06-20"],
            },
            "zukunft": {"zuzugsstaat": ["Norwegen"], "neue_anschrift": ["Storgata 1, 0155 Oslo"]},
            "mitziehende": {
                "mitziehend-0-familienname": ["Ahlers"],
                "mitziehend-0-vornamen": ["Ole"],
                "mitziehend-0-geburtsdatum": ["2020-02-02"],
                "mitziehend-0-beziehung": ["kind"],
            },
            "erklaerung": {"richtig": ["on"]},
        },
        {},
    ),
    "nebenwohnung-anmelden": (
        {
            "person": {
                **{k: v for k, v in PERSON.items() if k not in ("strasse", "plz")},
                **BIRTH,
                "familienstand": ["LD"],
            },
            "wohnung": {
                "einzug": ["2026-06-10"],
                "strasse": ["Bibliothekstraße"],
                "hausnummer": ["3"],
                "plz": ["28359"],
                "anlass": ["studium"],
            },
            "hauptwohnung": {"hauptwohnung_anschrift": ["Marktstraße 5, 26122 Oldenburg"]},
            "wohnungsgeber": {
                "wohnungsgeber_name": ["Studierendenwerk Bremen"],
                "wohnungsgeber_anschrift": ["Bibliothekstraße 3, 28359 Bremen"],
            },
            "erklaerung": {"richtig": ["on"]},
        },
        {"wohnungsgeber": {"bestaetigung": [PDF]}},
    ),
    "auskunftssperre": (
        {
            "person": {**PERSON, "kontakt": ["über die Beratungsstelle, Tel. 0421 000000"]},
            "gruende": {
                "gefaehrdung": ["gewalt"],
                "begruendung": [
                    "Mein früherer Partner hat mich nach der Trennung mehrfach bedroht"
                    " und sucht meine neue Anschrift."
                ],
                "nachweisart": ["gericht"],
            },
            "personen": {
                "weitere-0-familienname": ["Ahlers"],
                "weitere-0-vornamen": ["Ole"],
                "weitere-0-geburtsdatum": ["2020-02-02"],
                "weitere-0-beziehung": ["kind"],
            },
            "erklaerung": {"richtig": ["on"]},
        },
        {"gruende": {"nachweis": [PDF, PHOTO]}},
    ),
    "uebermittlungssperre": (
        {
            "person": PERSON,
            "widerspruch": {"widersprueche": ["bundeswehr", "parteien", "adressbuch"]},
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


def test_an_extended_certificate_needs_the_data_to_certify_and_a_simple_one_drops_them():
    raw, files = answers("meldebescheinigung")
    raw["bescheinigung"]["angaben"] = []
    raw["bescheinigung"]["anzahl"] = ["6"]
    assert codes(check("meldebescheinigung", raw, files)) == {"angaben": "required", "anzahl": "too_large"}
    raw["bescheinigung"] |= {"art": ["einfach"], "angaben": ["geburt"], "anzahl": ["2"]}
    result = check("meldebescheinigung", raw, files)
    assert result.ok and "angaben" not in result.values and result.values["anzahl"] == 2


def test_deregistering_abroad_needs_the_country_and_giving_up_a_secondary_one_the_main_address():
    raw, files = answers("wohnsitz-abmelden")
    del raw["zukunft"]["zuzugsstaat"]
    raw["mitziehende"]["mitziehend-0-geburtsdatum"] = ["2026-07-01"]
    assert codes(check("wohnsitz-abmelden", raw, files)) == {
        "zuzugsstaat": "required",
        "mitziehend-0-geburtsdatum": "future",
    }
    raw, files = answers("wohnsitz-abmelden")
    raw["wohnung"] |= {"wohin": ["nebenwohnung_aufgabe"], "wohnungsart": ["neben"]}
    assert codes(check("wohnsitz-abmelden", raw, files)) == {"hauptwohnung_anschrift": "required"}
    raw["zukunft"]["hauptwohnung_anschrift"] = ["Marktstraße 5, 26122 Oldenburg"]
    result = check("wohnsitz-abmelden", raw, files)
    assert result.ok and "zuzugsstaat" not in result.values


def test_a_secondary_residence_needs_the_landlords_confirmation_and_a_past_moving_in_day():
    raw, _ = answers("nebenwohnung-anmelden")
    raw["wohnung"]["einzug"] = ["2026-06-16"]
    raw["wohnung"]["plz"] = ["2835"]
    assert codes(check("nebenwohnung-anmelden", raw, {})) == {
        "einzug": "future",
        "plz": "postcode",
        "bestaetigung": "required",
    }


def test_a_block_on_information_needs_facts_and_proof_of_an_accepted_type():
    raw, _ = answers("auskunftssperre")
    raw["gruende"]["begruendung"] = ["Ich möchte das nicht."]
    word = Upload(name="anzeige.docx", size=10_000, media_type="application/msword")
    result = check("auskunftssperre", raw, {"gruende": {"nachweis": [word]}})
    assert codes(result) == {"begruendung": "too_short", "nachweis": "file_type"}
    assert codes(check("auskunftssperre", answers("auskunftssperre")[0], {})) == {"nachweis": "required"}


def test_a_block_for_a_further_person_needs_the_whole_person():
    raw, files = answers("auskunftssperre")
    del raw["personen"]["weitere-0-geburtsdatum"]
    assert codes(check("auskunftssperre", raw, files)) == {"weitere-0-geburtsdatum": "required"}


def test_objections_are_codes_of_the_list_and_at_least_one():
    raw, files = answers("uebermittlungssperre")
    result = check("uebermittlungssperre", raw, files)
    assert result.values["widersprueche"] == ["bundeswehr", "parteien", "adressbuch"]
    assert "familienangehoerige" not in result.values
    raw["widerspruch"]["widersprueche"] = ["werbung"]
    assert codes(check("uebermittlungssperre", raw, files)) == {"widersprueche": "not_in_list"}
    raw["widerspruch"]["widersprueche"] = []
    assert codes(check("uebermittlungssperre", raw, files)) == {"widersprueche": "required"}


def test_the_religion_objection_may_name_family_members():
    raw, files = answers("uebermittlungssperre")
    raw["widerspruch"] = {"widersprueche": ["religion"], "familienangehoerige": ["Ole Ahlers"]}
    assert check("uebermittlungssperre", raw, files).values["familienangehoerige"] == "Ole Ahlers"
