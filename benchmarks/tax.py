"""Tax benchmark: 100,000 synthetic pensioners through ``rathaus tax batch``, side by side with
GETTSIM (PyPI ``gettsim``, numpy backend) on the same cases, and a to-the-cent cross-check.

    python -m benchmarks tax            # 100,000 cases; writes results/tax.json
    python -m benchmarks.tax --quick    # 5,000 cases
    TAX_BENCH_GETTSIM_PYTHON=/path/to/python python -m benchmarks tax   # GETTSIM in another venv

The cases: a seeded generator of plausible pensioners, tax years 2024–2026 — singles and spouses
assessed jointly, statutory pensions started 1995–2025 with the pension of the year after the
start (it fixes the tax-free part), some civil-servant pensions (alone or besides a statutory
one), church members, health and care insurance contributions. Every case is within the rules
of the automatic assessment.

Timed, ours (``assessments_per_second``): the whole ``python -m rathaus tax batch`` subprocess
— interpreter and Django start, reading the JSON Lines, the full assessment of each case
(pension shares, Versorgungsfreibetrag, lump sums, deductions, tariff, Soli, church tax) and
writing the answers; its start-up alone is reported as ``startup_seconds`` (a one-case batch),
``marginal_per_second`` is the rate without it. Best of two rounds (``--quick``: one); GETTSIM's
calls best of three.

Timed, GETTSIM (``gettsim_per_second``): ``gettsim.main`` per tax year on a frame of the same
cases with our taxable income (zvE) given, computing the income tax (§ 32a, splitting) and the
Soli — less work than ours, since GETTSIM applies the taxable share of a pension to the whole
pension every year (no tax-free part fixed in euros) and so cannot derive the same zvE. Its
import and policy environments are built before and reported apart (``gettsim_setup_seconds``);
``gettsim_call_overhead_seconds`` is the fixed part of its calls (one-case frames),
``gettsim_marginal_per_second`` the rate without it. It runs in
a child interpreter (benchmarks/_tax_gettsim.py): ``TAX_BENCH_GETTSIM_PYTHON``, default this one.

The cross-check (``reference_mismatches``, must be 0), for every case: the income tax against
GETTSIM's tariff (``tax_matches``: its unrounded tax down to full euros, spouses twice the tax
on half the zvE), the Soli to the cent against GETTSIM's Soli on our income tax, the church tax
(8 % for members, down to the cent) and the total. GETTSIM's tariff and Soli are written
independently of ours (gettsim/germany/einkommensteuer/einkommensteuertarif.yaml,
solidaritätszuschlag/). Counted apart, not as mismatches, where the law is on our side:
``reference_within_tariff_drift`` (GETTSIM's derived tariff coefficients move the full euro) and
``gettsim_joint_rounding_differences`` (GETTSIM's own joint tax rounds after doubling).
docs/decisions/0119.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import random
import subprocess
import sys
import tempfile
import time
from decimal import ROUND_DOWN, Decimal
from pathlib import Path
from typing import Any

from benchmarks.common import ROOT, server_env

CASES = 100_000
QUICK_CASES = 5_000
SEED = 17
YEARS = (2024, 2025, 2026)
GETTSIM_WORKER = Path(__file__).resolve().parent / "_tax_gettsim.py"


def _money(value: float) -> str:
    return f"{value:.2f}"


def _statutory(rng: random.Random, year: int) -> dict[str, Any]:
    start = rng.randint(1995, min(year, 2025))
    following = rng.uniform(7_000, 26_000)
    # pensions grow about 2–4 % a year after the first full year
    gross = following * (1 + rng.uniform(0.02, 0.04)) ** max(0, year - start - 1)
    if start == year:
        gross = following * rng.randint(1, 12) / 12  # started during the tax year
    pension: dict[str, Any] = {"gross": _money(gross), "start_year": start}
    if start < year:
        pension["following_year_gross"] = _money(following)
    return pension


def _civil_servant(rng: random.Random, year: int) -> dict[str, Any]:
    start = rng.randint(1995, year)
    basis = rng.uniform(18_000, 60_000)
    gross = basis * (1 + rng.uniform(0.01, 0.03)) ** max(0, year - start)
    return {"gross": _money(gross), "start_year": start, "basis": _money(basis)}


def _person(rng: random.Random, year: int, name: str, church: bool) -> dict[str, Any]:
    person: dict[str, Any] = {"name": name, "birth_year": rng.randint(1930, 1962), "church_member": church}
    kind = rng.random()
    if kind < 0.80 or kind >= 0.92:
        person["statutory_pension"] = _statutory(rng, year)
    if kind >= 0.80:
        person["civil_servant_pension"] = _civil_servant(rng, year)
    if "civil_servant_pension" in person:  # privately insured
        person["health_insurance"] = _money(rng.uniform(2_000, 7_000))
        person["care_insurance"] = _money(rng.uniform(250, 700))
    else:  # statutory health (7.3 % + half the additional rate) and full care insurance
        gross = float(person["statutory_pension"]["gross"])
        person["health_insurance"] = _money(gross * rng.uniform(0.079, 0.085))
        person["care_insurance"] = _money(gross * rng.uniform(0.034, 0.042))
    return person


def generate(count: int, seed: int = SEED) -> list[dict[str, Any]]:
    """``count`` plausible pensioner cases, the same for the same seed."""
    rng = random.Random(seed)
    cases = []
    for number in range(count):
        year = rng.choice(YEARS)
        joint = rng.random() < 0.35
        church = rng.random() < 0.4
        persons = [_person(rng, year, f"Person {number}-{i}", church) for i in range(2 if joint else 1)]
        cases.append({"id": f"c{number}", "tax_year": year, "joint": joint, "persons": persons})
    return cases


def run_batch(lines: str) -> tuple[float, list[dict[str, Any]]]:
    """``rathaus tax batch`` as a subprocess on ``lines``: (wall seconds, answers)."""
    with tempfile.TemporaryDirectory(prefix="rathaus-tax-bench-") as var_dir:
        env = server_env(var_dir)
        started = time.perf_counter()
        done = subprocess.run(
            [sys.executable, "-m", "rathaus", "tax", "batch"],
            input=lines,
            capture_output=True,
            text=True,
            env=env,
            cwd=ROOT,
            check=True,
        )
        seconds = time.perf_counter() - started
    return seconds, [json.loads(line) for line in done.stdout.splitlines()]


def gettsim_request(
    cases: list[dict[str, Any]], answers: list[dict[str, Any]], rounds: int
) -> dict[str, Any]:
    """The GETTSIM worker's input: per tax year the zvE and income tax we computed and whether the
    case is joint (and, for the church tax check here, whether it is a church member's)."""
    years: dict[str, dict[str, list[Any]]] = {}
    for case, answer in zip(cases, answers, strict=True):
        if "taxable_income" not in answer:
            continue
        year = years.setdefault(
            str(case["tax_year"]), {"zve": [], "joint": [], "income_tax": [], "ids": [], "church": []}
        )
        year["zve"].append(int(answer["taxable_income"]))
        year["joint"].append(case["joint"])
        year["income_tax"].append(int(answer["income_tax"]))
        year["ids"].append(answer["id"])
        year["church"].append(all(person["church_member"] for person in case["persons"]))
    return {"years": years, "rounds": rounds}


def run_gettsim(request: dict[str, Any]) -> dict[str, Any]:
    python = os.environ.get("TAX_BENCH_GETTSIM_PYTHON") or sys.executable
    done = subprocess.run(
        [python, str(GETTSIM_WORKER)], input=json.dumps(request), capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        raise RuntimeError(
            f"GETTSIM in {python} failed (install it: pip install -e '.[bench]', or point "
            f"TAX_BENCH_GETTSIM_PYTHON to an interpreter that has it):\n{done.stderr[-2000:]}"
        )
    result: dict[str, Any] = json.loads(done.stdout)
    return result


TARIFF_DRIFT = 0.10  # euros; see reference()


def soli_cents(value: float) -> Decimal:
    """GETTSIM's unrounded Soli down to the cent (§ 4 Satz 3 SolZG). The exact Soli of a tax in
    full euros is a multiple of 0.1 cent (5.5 % or 11.9 % of euros); GETTSIM's float arithmetic
    is off by less than that (4950.00016 for 4950), so it is rounded to the 0.1 cent first."""
    return Decimal(repr(round(value, 3))).quantize(Decimal("0.01"), rounding=ROUND_DOWN)


def tax_matches(ours: Decimal, tariff: float, joint: bool) -> tuple[bool, bool]:
    """(our income tax agrees with GETTSIM's tariff, it agrees only within the drift).

    The reference is GETTSIM's basic tariff without rounding on the zvE (spouses: on half the
    zvE rounded down to euros), down to full euros (§ 32a Abs. 1 Satz 6 EStG), times two for
    spouses (§ 32a Abs. 5; the BMF's Programmablaufplan rounds the half's tax before doubling,
    GETTSIM's own joint figure rounds after it and is up to 1 € higher). GETTSIM derives the
    quadratic terms of zones 2 and 3 from the marginal rates at the zone limits instead of
    taking the rounded coefficients the law prints (954.80, 181.19, 991.21 … for 2024), which
    moves its unrounded tax by up to 0.092 € (2025) against the law's formula over 0–400,000 €.
    Where that changes the full euro, our figure must be the floor of GETTSIM's ± 0.10 €."""
    factor = 2 if joint else 1
    exact = Decimal(factor * math.floor(tariff))
    if ours == exact:
        return True, False
    nearby = {Decimal(factor * math.floor(tariff + d)) for d in (-TARIFF_DRIFT, TARIFF_DRIFT)}
    return ours in nearby, ours in nearby


def _figures(answer: dict[str, Any]) -> dict[str, str]:
    return {key: answer[key] for key in ("income_tax", "solidarity_surcharge", "church_tax", "total")}


def compare(
    answers: dict[str, dict[str, Any]], request: dict[str, Any], gettsim: dict[str, Any]
) -> dict[str, Any]:
    """Every case whose income tax, Soli, church tax or total differs from the reference: the
    income tax from GETTSIM's tariff (tax_matches), the Soli to the cent from GETTSIM's Soli on
    our income tax, the church tax 8 % of our income tax down to the cent for members, the total
    their sum. Also counted: tariffs that agree only within the drift, and joint cases where
    GETTSIM's own joint income tax differs from ours (its rounding after doubling)."""
    mismatches, drift, joint_rounding = [], 0, 0
    for year, cases in request["years"].items():
        theirs = gettsim["years"][year]
        for index, case_id in enumerate(cases["ids"]):
            ours, joint = answers[case_id], cases["joint"][index]
            tax, soli = Decimal(ours["income_tax"]), Decimal(ours["solidarity_surcharge"])
            church = (tax * 8).to_integral_value(rounding=ROUND_DOWN) / 100 if cases["church"][index] else 0
            tax_ok, within_drift = tax_matches(tax, theirs["tariff"][index], joint)
            drift += within_drift
            joint_rounding += joint and Decimal(repr(theirs["income_tax"][index])) != tax
            expected_soli = soli_cents(theirs["soli_on_ours"][index])
            total = tax + soli + Decimal(ours["church_tax"])
            if not tax_ok or (soli, Decimal(ours["church_tax"]), Decimal(ours["total"])) != (
                expected_soli,
                church,
                total,
            ):
                mismatches.append(
                    {"id": case_id, "tax_year": int(year), "joint": joint, "ours": _figures(ours),
                     "taxable_income": cases["zve"][index], "gettsim_tariff": theirs["tariff"][index],
                     "reference_soli": str(expected_soli), "reference_church_tax": str(church)}
                )  # fmt: skip
    return {
        "mismatches": mismatches,
        "within_drift": drift,
        "gettsim_joint_rounding_differences": joint_rounding,
    }


def _rate(count: int, seconds: float) -> float | None:
    """``count`` per second, or None when ``seconds`` is below what the clock and the machine's
    noise resolve (a difference of two timings)."""
    return round(count / seconds, 1) if seconds >= 0.05 else None


def run(*, quick: bool = False, count: int | None = None) -> dict[str, Any]:
    count = count or (QUICK_CASES if quick else CASES)
    cases = generate(count)
    lines = "".join(json.dumps(case, separators=(",", ":")) + "\n" for case in cases)
    rounds = 1 if quick else 2
    startup = min(run_batch(lines.partition("\n")[0] + "\n")[0] for _ in range(rounds))
    seconds, answers = min((run_batch(lines) for _ in range(rounds)), key=lambda timed: timed[0])
    assessed = sum("taxable_income" in answer for answer in answers)
    request = gettsim_request(cases, answers, rounds=1 if quick else 3)
    gettsim = run_gettsim(request)
    timings = gettsim["timings"]
    checked = compare({answer["id"]: answer for answer in answers}, request, gettsim)
    mismatches = checked["mismatches"]
    ours_per_second = count / seconds
    gettsim_per_second = assessed / timings["call_seconds"]
    return {
        "cases": count,
        "assessed": assessed,
        "not_assessed": count - assessed,
        "joint_cases": sum(case["joint"] for case in cases),
        "assessments_per_second": round(ours_per_second, 1),
        "batch_seconds": round(seconds, 3),
        "startup_seconds": round(startup, 3),
        "gettsim_per_second": round(gettsim_per_second, 1),
        "marginal_per_second": _rate(count, seconds - startup),
        "gettsim_marginal_per_second": _rate(assessed, timings["call_seconds"] - timings["overhead_seconds"]),
        "gettsim_call_seconds": round(timings["call_seconds"], 3),
        "gettsim_call_overhead_seconds": round(timings["overhead_seconds"], 3),
        "gettsim_setup_seconds": round(timings["import_seconds"] + timings["environment_seconds"], 3),
        "gettsim_version": gettsim["version"],
        "ratio_to_gettsim": round(ours_per_second / gettsim_per_second, 2),
        "reference_checked": sum(len(year["ids"]) for year in request["years"].values()),
        "reference_mismatches": len(mismatches),
        "reference_mismatch_examples": mismatches[:5],
        "gettsim_joint_rounding_differences": checked["gettsim_joint_rounding_differences"],
        "reference_within_tariff_drift": checked["within_drift"],
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.tax", description=__doc__)
    parser.add_argument("--quick", action="store_true", help=f"{QUICK_CASES:,} cases instead of {CASES:,}")
    parser.add_argument("--count", type=int, help="number of cases")
    args = parser.parse_args(argv)
    result = run(quick=args.quick, count=args.count)
    print(json.dumps(result, indent=2, sort_keys=True))
    return 0 if result["reference_mismatches"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
