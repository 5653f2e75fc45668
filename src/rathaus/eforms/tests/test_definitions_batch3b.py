"""Family, election and information forms (Unterhaltsvorschuss, Bildung und Teilhabe, Kita-Platz,
Wahlhelfer, Informationsfreiheit) accept a complete application and refuse the typical mistakes."""

import pytest

from .test_definitions import PDF, catalogue_service, check, codes, sample

APPLICANT = {
    "familienname": ["Ahlers"],
    "vornamen": ["Merle"],
    "geburtsdatum": ["1988-04-30"],
    "strasse": ["Am Dobben 44"],
    "plz": ["28203"],
    "ort": ["Bremen"],
}
ADDRESSEE = {key: value for key, value in APPLICANT.items() if key != "geburtsdatum"}
GOOD = {
    "unterhaltsvorschuss": (
        {
            "antragsteller": {
                **APPLICANT,
                "familienstand": ["GS"],
                "iban": ["DE89 3704 0044 0532 0130 00"],
                "kontoinhaber": ["Merle Ahlers"],
            },
            "kind": {
                "kind_familienname": ["Ahlers"],
                "kind_vornamen": ["Ole"],
                "kind_geburtsdatum": ["2018-02-02"],
                "lebt_bei_mir_seit": ["2024-01-01"],
            },
            "elternteil": {
                "lage": ["zahlt_wenig"],
                "et_familienname": ["Brandt"],
                "et_vornamen": ["Jonas"],
                "et_anschrift": ["Hauptstraße 3, 27749 Delmenhorst"],
            },
            "zahlungen": {"zahlung": ["unterhalt"], "betrag": ["80,00"], "zahlung_seit": ["2024-02-01"]},
            "erklaerung": {"alleinerziehend": ["on"], "richtig": ["on"]},
        },
        {"kind": {"geburtsurkunde": [PDF]}, "zahlungen": {"zahlungsnachweis": [PDF]}},
    ),
    "bildung-teilhabe": (
        {
            "antragsteller": APPLICANT,
            "leistung": {
                "leistung": ["wohngeld"],
                "aktenzeichen": ["WG 4711/26"],
                "bewilligt_bis": ["2026-12-31"],
            },
            "kinder": {
                "kind-0-familienname": ["Ahlers"],
                "kind-0-vornamen": ["Ole"],
                "kind-0-geburtsdatum": ["2016-02-02"],
                "kind-0-einrichtung": ["Grundschule an der Admiralstraße"],
                "kind-0-bedarfe": ["ausfluege", "mittagessen"],
                "kind-1-familienname": ["Ahlers"],
                "kind-1-vornamen": ["Lina"],
                "kind-1-geburtsdatum": ["2012-09-10"],
                "kind-1-einrichtung": ["Oberschule am Barkhof"],
                "kind-1-bedarfe": ["lernfoerderung", "teilhabe"],
                "kind-1-anbieter": ["TV Eiche Horn, Lilienthaler Heerstraße 155, 28357 Bremen"],
                "auszahlung": ["anbieter"],
            },
            "erklaerung": {"richtig": ["on"]},
        },
        {"leistung": {"bescheid": [PDF]}, "kinder": {"belege": [PDF, PDF]}},
    ),
    "kita-platz": (
        {
            "kind": {
                "kind_familienname": ["Ahlers"],
                "kind_vornamen": ["Ole"],
                "kind_geburtsdatum": ["2025-03-14"],
                "kind_geschlecht": ["m"],
            },
            "eltern": {**ADDRESSEE, "telefon": ["0421 123456"]},
            "betreuung": {"art": ["krippe"], "beginn": ["2026-08-01"], "umfang": ["8"], "grund": ["arbeit"]},
            "einrichtungen": {
                "wunsch-0-einrichtung": ["Kita Rembertistraße"],
                "wunsch-0-stadtteil": ["Mitte"],
                "wunsch-1-einrichtung": ["Kinderhaus Am Dobben"],
                "wunsch-1-geschwister": ["on"],
                "andere_einrichtung": ["on"],
            },
            "erklaerung": {"richtig": ["on"]},
        },
        {"kind": {"geburtsurkunde": [PDF]}, "betreuung": {"bedarfsnachweis": [PDF]}},
    ),
    "wahlhelfer": (
        {
            "person": {
                **APPLICANT,
                "staatsangehoerigkeit": ["deutsch"],
                "telefon": ["0421 123456"],
                "email": ["merle.ahlers@example.org"],
            },
            "einsatz": {
                "wahlen": ["bundestag", "buergerschaft"],
                "einsatz": ["egal"],
                "funktion": ["schrift"],
                "iban": ["DE89 3704 0044 0532 0130 00"],
                "kontoinhaber": ["Merle Ahlers"],
            },
            "erklaerung": {"kuenftig": ["on"], "richtig": ["on"]},
        },
        {},
    ),
    "informationsfreiheit": (
        {
            "antragsteller": {**ADDRESSEE, "email": ["merle.ahlers@example.org"]},
            "information": {
                "behoerde": ["Die Senatorin für Finanzen"],
                "information": ["Gutachten zur Sanierung des Hallenbads Horn und die Kostenschätzung dazu"],
                "zeitraum_von": ["2024-01-01"],
                "zeitraum_bis": ["2025-12-31"],
            },
            "zugang": {
                "zugang": ["kopie_elektronisch"],
                "schwaerzung": ["on"],
                "kosten": ["bis_betrag"],
                "hoechstbetrag": ["50,00"],
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


@pytest.mark.parametrize("form_id", sorted(GOOD))
def test_each_form_names_its_catalogue_service(form_id):
    assert catalogue_service(form_id)["slug"] == form_id


def test_advance_maintenance_needs_the_amount_received_and_a_child_living_with_the_applicant():
    raw, files = answers("unterhaltsvorschuss")
    del raw["zahlungen"]["betrag"]
    raw["kind"]["lebt_bei_mir_seit"] = ["2017-01-01"]
    del files["zahlungen"]
    raw["erklaerung"] = {"richtig": ["on"]}
    assert codes(check("unterhaltsvorschuss", raw, files)) == {
        "betrag": "required",
        "lebt_bei_mir_seit": "before_other",
        "zahlungsnachweis": "required",
        "alleinerziehend": "must_confirm",
    }


def test_advance_maintenance_for_an_unknown_parent_asks_what_was_done_instead_of_the_name():
    raw, files = answers("unterhaltsvorschuss")
    raw["elternteil"] = {"lage": ["unbekannt"]}
    assert codes(check("unterhaltsvorschuss", raw, files)) == {"unbekannt_erklaerung": "required"}
    raw["elternteil"]["unbekannt_erklaerung"] = ["Kurze Bekanntschaft im Urlaub, Name unbekannt."]
    result = check("unterhaltsvorschuss", raw, files)
    assert result.ok and "et_familienname" not in result.values


def test_education_and_participation_needs_each_childs_needs_the_notice_and_an_iban_for_refunds():
    result = check("bildung-teilhabe", *answers("bildung-teilhabe"))
    assert [child["bedarfe"] for child in result.values["kind"]] == [
        ["ausfluege", "mittagessen"],
        ["lernfoerderung", "teilhabe"],
    ]
    raw, files = answers("bildung-teilhabe")
    del raw["kinder"]["kind-1-bedarfe"]
    raw["kinder"]["auszahlung"] = ["konto"]
    raw["kinder"]["kind-0-bedarfe"] = ["urlaub"]
    raw["leistung"]["bewilligt_bis"] = ["2026-01-31"]
    del files["leistung"]
    assert codes(check("bildung-teilhabe", raw, files)) == {
        "bewilligt_bis": "past",
        "bescheid": "required",
        "kind-0-bedarfe": "not_in_list",
        "kind-1-bedarfe": "required",
        "iban": "required",
        "kontoinhaber": "required",
    }


def test_kita_place_keeps_the_order_of_wishes_and_asks_proof_for_long_hours_and_a_future_start():
    result = check("kita-platz", *answers("kita-platz"))
    assert [wish["einrichtung"] for wish in result.values["wunsch"]] == [
        "Kita Rembertistraße",
        "Kinderhaus Am Dobben",
    ]
    raw, files = answers("kita-platz")
    raw["betreuung"] = {"art": ["krippe"], "beginn": ["2026-05-01"], "umfang": ["10"]}
    raw["einrichtungen"] = {"andere_einrichtung": ["on"]}
    del files["betreuung"]
    assert codes(check("kita-platz", raw, files)) == {
        "beginn": "past",
        "grund": "required",
        "bedarfsnachweis": "required",
        "wunsch-0-einrichtung": "required",
    }
    raw["betreuung"] = {"art": ["krippe"], "beginn": ["2026-09-01"], "umfang": ["6"]}
    raw["einrichtungen"]["wunsch-0-einrichtung"] = ["Kita Rembertistraße"]
    result = check("kita-platz", raw, files)
    assert result.ok and "grund" not in result.values


def test_election_worker_must_be_of_voting_age_choose_an_election_and_be_reachable():
    raw, files = answers("wahlhelfer")
    raw["person"]["geburtsdatum"] = ["2009-01-01"]
    raw["person"]["email"] = ["merle.ahlers"]
    del raw["einsatz"]["wahlen"]
    assert codes(check("wahlhelfer", raw, files)) == {
        "geburtsdatum": "not_adult",
        "email": "email",
        "wahlen": "required",
    }


def test_information_request_must_describe_the_information_and_cap_the_fee_within_the_law():
    raw, files = answers("informationsfreiheit")
    raw["information"]["information"] = ["Alles"]
    raw["information"]["zeitraum_bis"] = ["2023-12-31"]
    raw["zugang"]["hoechstbetrag"] = ["600,00"]
    assert codes(check("informationsfreiheit", raw, files)) == {
        "information": "too_short",
        "zeitraum_bis": "before_other",
        "hoechstbetrag": "too_large",
    }
    raw, files = answers("informationsfreiheit")
    raw["zugang"] = {"zugang": ["auskunft"], "kosten": ["kostenfrei"]}
    result = check("informationsfreiheit", raw, files)
    assert result.ok and "hoechstbetrag" not in result.values
