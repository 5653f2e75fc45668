"""``rathaus tax batch``: JSON Lines in, one answer per line out, in order; bad lines and
cases outside the rules are answered, never abort the batch."""

from __future__ import annotations

import io
import json
import subprocess
import sys

import pytest

from rathaus.taxoffice.management.commands.tax import batch

GOOD = {
    "id": "p-1",
    "tax_year": 2025,
    "persons": [
        {
            "birth_year": 1955,
            "church_member": True,
            "statutory_pension": {"gross": "30000", "start_year": 2010, "following_year_gross": "24000"},
            "health_insurance": "2300",
            "care_insurance": "1000",
        }
    ],
}


def _run(*lines: str) -> tuple[list[dict], tuple[int, int, int]]:
    out = io.StringIO()
    counts = batch(io.StringIO("\n".join(lines) + "\n"), out)
    return [json.loads(line) for line in out.getvalue().splitlines()], counts


def test_a_case_is_assessed_with_the_documented_keys():
    [result], counts = _run(json.dumps(GOOD))
    assert result == {
        "id": "p-1", "tax_year": 2025, "taxable_income": "16962", "income_tax": "901",
        "solidarity_surcharge": "0.00", "church_tax": "72.08", "total": "973.08",
    }  # fmt: skip
    assert counts == (1, 0, 0)


@pytest.mark.parametrize(
    ("change", "words"),
    [
        ({"tax_year": 2023}, "2023"),
        ({"persons": []}, "zwei Personen, sonst eine"),
        ({"persons": [{"birth_year": 1955, "health_insurance": "1", "care_insurance": "1"}]}, "weder"),
        ({"persons": [{**GOOD["persons"][0], "health_insurance": "-5"}]}, "ab 0"),
        (
            {"persons": [{**GOOD["persons"][0], "statutory_pension": {"gross": "1", "start_year": 2026}}]},
            "nach dem Steuerjahr",
        ),
        ({"church_tax_rate": "8"}, "0.08"),
        ({"joint": "ja"}, "true oder false"),
    ],
)  # fmt: skip
def test_bad_cases_get_a_precise_error_and_the_batch_goes_on(change, words):
    results, counts = _run(json.dumps({**GOOD, **change}), json.dumps(GOOD))
    assert words in results[0]["error"] and results[0]["line"] == 1
    assert results[1]["income_tax"] == "901" and counts == (1, 0, 1)


def test_other_income_and_a_split_church_membership_go_to_a_clerk():
    couple = {
        **GOOD,
        "joint": True,
        "persons": [GOOD["persons"][0], {**GOOD["persons"][0], "church_member": False}],
    }
    other = {**GOOD, "persons": [{**GOOD["persons"][0], "other_income": True}]}
    results, counts = _run(json.dumps(couple), json.dumps(other), "not json")
    assert [r.get("outside_rules") for r in results[:2]] == [True, True]
    assert "Kirche" in results[0]["reason"] and counts == (0, 2, 1)


def test_the_command_reads_stdin_and_writes_stdout():
    done = subprocess.run(
        [sys.executable, "-m", "rathaus", "tax", "batch"],
        input=json.dumps(GOOD) + "\n",
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    assert json.loads(done.stdout)["total"] == "973.08"
    assert "1 veranlagt" in done.stderr
