"""The reference check of ``benchmarks/tax.py``: our tariff and Soli against figures GETTSIM
computed, and that the benchmark's comparison flags a wrong figure. GETTSIM itself is not
installed in the test environment (docs/decisions/0119); the last test runs it when an
interpreter with it is given in ``TAX_BENCH_GETTSIM_PYTHON``."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from decimal import Decimal

import pytest
from benchmarks.tax import compare, generate, gettsim_request, run_gettsim, soli_cents, tax_matches

from rathaus.domain.tax.tariff import income_tax, solidarity_surcharge
from rathaus.taxoffice.management.commands.tax import batch

# (year, zvE, joint, GETTSIM 1.3.1's basic tariff unrounded on the zvE — spouses: on half of
# it —, GETTSIM's Soli on our income tax), computed with benchmarks/_tax_gettsim.py.
GETTSIM_FIGURES = [
    (2024, 11784, False, 0.0, 0.0),
    (2024, 17005, False, 991.20685, 0.0),
    (2024, 59672, False, 14516.961897087729, 0.0),  # the law's coefficients give 14,517.0047
    (2024, 66760, False, 17402.8936, 0.0),
    (2024, 100000, False, 31363.6936, 1574.7269999999999),
    (2024, 300000, False, 116028.9436, 6381.54008),
    (2024, 123495, True, 15342.966405453724, 0.0),  # half 61,747: the law gives 15,343.00…
    (2024, 95000, True, 9985.805470967742, 0.0),  # GETTSIM's own joint figure: 19,971
    (2025, 12096, False, 0.0, 0.0),
    (2025, 40000, False, 7320.799890448106, 0.0),
    (2025, 68480, False, 17849.682399999998, 0.0),
    (2025, 75000, False, 20588.0824, 75.922),  # the Soli's transition zone
    (2025, 150000, True, 20588.0824, 151.844),
    (2025, 250000, True, 41588.0824, 4574.67984),
    (2026, 12348, False, 0.0, 0.0),
    (2026, 17799, False, 1034.87235, 0.0),
    (2026, 69878, False, 18213.1305, 0.0),
    (2026, 90000, False, 26664.370499999997, 751.366),
    (2026, 180000, True, 26664.370499999997, 1502.732),
    (2026, 600000, True, 115529.62049999999, 12708.18984),
]


@pytest.mark.parametrize(("year", "zve", "joint", "tariff", "soli"), GETTSIM_FIGURES)
def test_our_tariff_and_soli_agree_with_gettsim(year, zve, joint, tariff, soli):
    tax = income_tax(Decimal(zve), year, joint=joint)
    assert tax_matches(tax, tariff, joint)[0]
    assert solidarity_surcharge(tax, year, joint=joint) == soli_cents(soli)


def test_the_tariff_drift_is_accepted_only_where_the_full_euro_changes():
    assert tax_matches(Decimal(14517), 14516.961897087729, joint=False) == (True, True)
    assert tax_matches(Decimal(14516), 14516.961897087729, joint=False) == (True, False)
    assert tax_matches(Decimal(14518), 14516.961897087729, joint=False) == (False, False)
    assert tax_matches(Decimal(31364), 31363.6936, joint=False) == (False, False)
    assert tax_matches(Decimal(19971), 9985.805470967742, joint=True) == (False, False)


def test_gettsims_soli_is_taken_to_the_cent():
    assert soli_cents(1574.7269999999999) == Decimal("1574.72")
    assert soli_cents(4950.00016) == Decimal("4950.00")
    assert soli_cents(4949.99984) == Decimal("4950.00")


def _checked(answer: dict[str, str], church: bool = True) -> dict:
    request = {"years": {"2024": {"zve": [100000], "joint": [False], "income_tax": [31363], "ids": ["a"],
                                  "church": [church]}}}  # fmt: skip
    gettsim = {"years": {"2024": {"tariff": [31363.6936], "soli_on_ours": [1574.7269999999999],
                                  "income_tax": [31363.0]}}}  # fmt: skip
    return compare({"a": {"id": "a", **answer}}, request, gettsim)


RIGHT = {
    "income_tax": "31363",
    "solidarity_surcharge": "1574.72",
    "church_tax": "2509.04",
    "total": "35446.76",
}


def test_the_comparison_accepts_the_right_figures():
    assert _checked(RIGHT)["mismatches"] == []


@pytest.mark.parametrize(
    ("field", "wrong"),
    [
        ("income_tax", "31364"),
        ("solidarity_surcharge", "1574.73"),
        ("church_tax", "2509.05"),
        ("total", "35446.77"),
    ],
)
def test_the_comparison_flags_a_wrong_figure(field, wrong):
    [mismatch] = _checked({**RIGHT, field: wrong})["mismatches"]
    assert mismatch["id"] == "a"
    assert mismatch["ours"][field] == wrong


def test_church_tax_of_a_non_member_is_flagged():
    assert len(_checked(RIGHT, church=False)["mismatches"]) == 1


def test_the_generator_is_seeded():
    assert generate(50) == generate(50)
    assert generate(50) != generate(50, seed=18)


GETTSIM_PYTHON = os.environ.get("TAX_BENCH_GETTSIM_PYTHON")
HAS_GETTSIM = bool(GETTSIM_PYTHON) or (
    subprocess.run([sys.executable, "-c", "import gettsim"], capture_output=True, check=False).returncode == 0
)


@pytest.mark.skipif(not HAS_GETTSIM, reason="GETTSIM not installed (TAX_BENCH_GETTSIM_PYTHON)")
def test_our_batch_agrees_with_a_live_gettsim():
    cases = generate(200)
    out = io.StringIO()
    batch(io.StringIO("".join(json.dumps(case) + "\n" for case in cases)), out)
    answers = [json.loads(line) for line in out.getvalue().splitlines()]
    request = gettsim_request(cases, answers, rounds=1)
    checked = compare({a["id"]: a for a in answers}, request, run_gettsim(request))
    assert checked["mismatches"] == []
    assert sum(len(year["ids"]) for year in request["years"].values()) == 200
