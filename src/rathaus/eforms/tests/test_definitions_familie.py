"""The register office's forms (birth and marriage certificates, the appointment for leaving a
church) accept a complete application and refuse the typical mistakes: who may order (§ 62
PStG), register numbers, dates in order, the religious age of 14."""

import pytest

from .test_definitions import PDF, catalogue_service, check, codes, sample

APPLICANT = {
    "familienname": ["Ahlers"],
    "vornamen": ["Merle"],
    "strasse": ["Am Dobben 44"],
    "plz": ["28203"],
    "ort": ["Bremen"],
}
GOOD = {
    "geburtsurkunde": (
        {
            "antragsteller": {**APPLICANT, "beziehung": ["selbst"]},
            "geburt": {
                "geburt_familienname": ["Ahlers"],
                "geburt_vornamen": ["Merle"],
                "geburt_geburtsname": ["Wübbena"],
                "geburt_geburtsdatum": ["1992-04-30"],
                "geburt_ort": ["Klinikum Links der Weser"],
                "standesamt": ["mitte"],
                "registernummer": ["G 1234/1992"],
            },
            "urkunden": {
                "art": ["urkunde"],
                "anzahl": ["2"],
                "mehrsprachig": ["1"],
                "zweck": ["ausland"],
                "zielstaat": ["Frankreich"],
            },
            "erklaerung": {"richtig": ["on"]},
        },
        {},
    ),
    "eheurkunde": (
        {
            "antragsteller": {**APPLICANT, "beziehung": ["ehegatte"]},
            "ehe": {
                "ehegatte1_familienname": ["Ahlers"],
                "ehegatte1_vornamen": ["Merle"],
                "ehegatte1_geburtsname": ["Wübbena"],
                "ehegatte1_geburtsdatum": ["1992-04-30"],
                "ehegatte2_familienname": ["Ahlers"],
                "ehegatte2_vornamen": ["Jonas"],
                "ehegatte2_geburtsdatum": ["1990-01-12"],
                "eheschliessung": ["2019-08-17"],
                "standesamt": ["nord"],
                "registernummer": ["E 512/2019"],
            },
            "urkunden": {"art": ["urkunde"], "anzahl": ["3"], "zweck": ["namen"]},
            "erklaerung": {"richtig": ["on"]},
        },
        {},
    ),
    "kirchenaustritt": (
        {
            "person": {
                **APPLICANT,
                "geburtsdatum": ["1992-04-30"],
                "geburtsort": ["Bremen"],
                "email": ["merle@example.org"],
            },
            "gemeinschaft": {
                "gemeinschaft": ["bek"],
                "taufdatum": ["1992-09-06"],
                "taufort": ["St. Remberti"],
            },
            "termin": {"standesamt": ["mitte"], "wunschtermin": ["2026-06-22"], "tageszeit": ["vormittag"]},
            "erklaerung": {"persoenlich": ["on"], "richtig": ["on"]},
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


@pytest.mark.parametrize("form_id", ["geburtsurkunde", "eheurkunde", "kirchenaustritt"])
def test_each_form_names_its_catalogue_service_at_both_register_offices(form_id):
    service = catalogue_service(form_id)
    assert service["slug"] == form_id and service["offices"] == ["standesamt-mitte", "standesamt-nord"]


def test_birth_certificate_values_copies_and_the_multilingual_extract():
    result = check("geburtsurkunde", *answers("geburtsurkunde"))
    assert result.values["anzahl"] == 2 and result.values["mehrsprachig"] == 1
    assert result.values["zielstaat"] == "Frankreich" and "nachweis" not in result.values


def test_birth_certificate_for_someone_else_needs_proof_and_a_legal_interest_its_reason():
    raw, _ = answers("geburtsurkunde")
    raw["antragsteller"]["beziehung"] = ["interesse"]
    raw["antragsteller"]["interesse"] = ["Erbe"]
    assert codes(check("geburtsurkunde", raw, {})) == {"interesse": "too_short", "nachweis": "required"}
    raw["antragsteller"]["beziehung"] = ["kind"]
    assert codes(check("geburtsurkunde", raw, {"antragsteller": {"nachweis": [PDF]}})) == {}


def test_birth_certificate_refuses_a_bad_register_number_too_many_copies_and_a_missing_country():
    raw, files = answers("geburtsurkunde")
    raw["geburt"]["registernummer"] = ["1234/92"]
    raw["urkunden"] |= {"anzahl": ["0"], "mehrsprachig": ["11"], "zielstaat": [""]}
    assert codes(check("geburtsurkunde", raw, files)) == {
        "registernummer": "pattern",
        "anzahl": "too_small",
        "mehrsprachig": "too_large",
        "zielstaat": "required",
    }


def test_marriage_certificate_refuses_a_wedding_before_birth_and_a_future_one():
    raw, files = answers("eheurkunde")
    raw["ehe"]["eheschliessung"] = ["1980-05-01"]
    assert codes(check("eheurkunde", raw, files)) == {"eheschliessung": "before_other"}
    raw["ehe"]["eheschliessung"] = ["2026-08-01"]
    assert codes(check("eheurkunde", raw, files)) == {"eheschliessung": "future"}


def test_marriage_certificate_for_a_child_needs_proof_and_another_purpose_a_text():
    raw, files = answers("eheurkunde")
    raw["antragsteller"]["beziehung"] = ["kind"]
    raw["urkunden"]["zweck"] = ["sonstiges"]
    raw["ehe"]["registernummer"] = ["G 512/2019"]
    assert codes(check("eheurkunde", raw, files)) == {
        "nachweis": "required",
        "zweck_text": "required",
        "registernummer": "pattern",
    }


def test_leaving_a_church_needs_the_age_of_14_and_a_day_ahead():
    raw, files = answers("kirchenaustritt")
    raw["person"]["geburtsdatum"] = ["2012-06-16"]
    raw["gemeinschaft"]["taufdatum"] = ["2012-09-01"]
    raw["termin"]["wunschtermin"] = ["2026-06-14"]
    assert codes(check("kirchenaustritt", raw, files)) == {
        "geburtsdatum": "not_adult",
        "wunschtermin": "past",
    }
    raw["person"]["geburtsdatum"] = ["2012-06-15"]
    raw["termin"]["wunschtermin"] = ["2026-06-15"]
    assert check("kirchenaustritt", raw, files).ok


def test_leaving_a_church_is_only_an_appointment_request_the_citizen_acknowledges():
    raw, files = answers("kirchenaustritt")
    raw["erklaerung"] = {"richtig": ["on"]}
    raw["gemeinschaft"] = {"gemeinschaft": ["sonstige"], "taufdatum": ["1990-01-01"]}
    assert codes(check("kirchenaustritt", raw, files)) == {
        "persoenlich": "must_confirm",
        "gemeinschaft_name": "required",
        "taufdatum": "before_other",
    }
