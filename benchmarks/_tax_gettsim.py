"""GETTSIM side of ``benchmarks/tax.py``, run as a script in the interpreter that has gettsim
(``TAX_BENCH_GETTSIM_PYTHON``, default: the benchmark's own). It imports neither rathaus nor
Django, so it also runs in a separate venv.

stdin: ``{"years": {"2024": {"zve": [...], "joint": [...], "income_tax": [...]}, ...},
"rounds": n}`` — per case our taxable income (zvE, euros), whether it is a joint assessment, and
our income tax.
stdout: ``{"years": {"2024": {"income_tax": [...], "soli": [...], "tariff": [...],
"soli_on_ours": [...]}}, "timings": {...}, "version": "…"}`` — per case GETTSIM's
``einkommensteuer__betrag_y_sn`` and ``solidaritätszuschlag__betrag_y_sn`` from the zvE (the
timed call; its Soli unrounded, as GETTSIM gives it), and, untimed, the references that
benchmarks/tax.py checks against: GETTSIM's basic tariff without rounding on the zvE (spouses:
on half of it, as a single) and GETTSIM's Soli on our income tax; what the timed calls took.

Timed (``call_seconds``): per tax year the whole ``gettsim.main`` call that turns the input
data into the two result columns with the numpy backend (input checks, DAG specialisation for
the data, the computation, the results frame) — the best of ``rounds``. Not in it, reported
apart: the import of gettsim (``import_seconds``) and building each year's policy environment
(``environment_seconds``, done once per year and reused). ``overhead_seconds`` is the same call
on a one-case frame per year (best of ``rounds``): the fixed part of a call.
"""

from __future__ import annotations

import json
import os
import sys
import time
from typing import Any

# GETTSIM installs beartype runtime checks on import by default; switch them off so the peer is
# measured at its best speed (set TAX_BENCH_GETTSIM_BEARTYPE=1 to keep them).
if os.environ.get("TAX_BENCH_GETTSIM_BEARTYPE") != "1":
    os.environ.setdefault("GETTSIM_BEARTYPE_CLAW", "0")

TARGETS = {"einkommensteuer": {"betrag_y_sn": None}, "solidaritätszuschlag": {"betrag_y_sn": None}}
SOLI = {"solidaritätszuschlag": {"betrag_y_sn": None}}


def _frame(zve: list[float], joint: list[bool], np: Any) -> tuple[dict[str, Any], Any]:
    """GETTSIM input for the cases: one row per person; spouses assessed jointly are two rows
    with the joint zvE (a Steuernummer is spouses assessed jointly). Returns the data and the
    row of each case's first person."""
    persons = np.where(np.asarray(joint, dtype=bool), 2, 1)
    first_row = np.concatenate(([0], np.cumsum(persons)[:-1]))
    case = np.repeat(np.arange(len(zve)), persons)
    rows = len(case)
    p_id = np.arange(rows)
    is_joint = np.repeat(np.asarray(joint, dtype=bool), persons)
    partner = np.full(rows, -1)
    second = first_row[persons == 2] + 1
    partner[second - 1] = second
    partner[second] = second - 1
    income = np.repeat(np.asarray(zve, dtype=float), persons)
    data = {
        "p_id": p_id,
        "hh_id": case,
        "familie": {
            "p_id_ehepartner": partner,
            "p_id_elternteil_1": np.full(rows, -1),
            "p_id_elternteil_2": np.full(rows, -1),
        },
        "kindergeld": {"ist_leistungsbegründendes_kind": np.zeros(rows, dtype=bool)},
        "einkommensteuer": {
            "gemeinsam_veranlagt": is_joint,
            "gesamteinkommen_y_sn": income,
            "zu_versteuerndes_einkommen_mit_kinderfreibetrag_y_sn": income,
        },
        "einnahmen": {"kapitalerträge_y": np.zeros(rows)},
    }
    return data, first_row


def _call(  # noqa: PLR0913
    main: Any,
    input_data: Any,
    tt_targets: Any,
    environment: Any,
    date: str,
    data: dict[str, Any],
    *,
    rounding: bool = True,
    targets: dict[str, Any] = TARGETS,
) -> Any:
    return main(
        rounding=rounding,
        main_target="results__df_with_nested_columns",
        input_data=input_data.tree(data),
        policy_environment=environment,
        policy_date_str=date,
        tt_targets=tt_targets.tree(targets),
        backend="numpy",
        include_warn_nodes=False,
    )


def compute(request: dict[str, Any]) -> dict[str, Any]:
    started = time.perf_counter()
    import numpy as np
    from gettsim import InputData, TTTargets, main

    timings: dict[str, Any] = {"import_seconds": time.perf_counter() - started}
    timings.update(environment_seconds=0.0, call_seconds=0.0, overhead_seconds=0.0)
    out: dict[str, Any] = {}
    for year, cases in sorted(request["years"].items()):
        date = f"{year}-01-01"
        started = time.perf_counter()
        environment = main(main_target="policy_environment", policy_date_str=date, backend="numpy")
        timings["environment_seconds"] += time.perf_counter() - started
        data, first_row = _frame(cases["zve"], cases["joint"], np)
        best = float("inf")
        for _ in range(max(1, int(request.get("rounds", 1)))):
            started = time.perf_counter()
            df = _call(main, InputData, TTTargets, environment, date, data)
            best = min(best, time.perf_counter() - started)
        timings["call_seconds"] += best
        one, _ = _frame(cases["zve"][:1], cases["joint"][:1], np)
        fixed = float("inf")
        for _ in range(max(1, int(request.get("rounds", 1)))):
            started = time.perf_counter()
            _call(main, InputData, TTTargets, environment, date, one)
            fixed = min(fixed, time.perf_counter() - started)
        timings["overhead_seconds"] += fixed
        # untimed, the references: the basic tariff unrounded on each case's zvE (for spouses on
        # half of it, as a single), and the Soli on our income tax (given as GETTSIM's column)
        halves = [zve // 2 if joint else zve for zve, joint in zip(cases["zve"], cases["joint"], strict=True)]
        basic, _ = _frame(halves, [False] * len(halves), np)
        tariff = _call(main, InputData, TTTargets, environment, date, basic, rounding=False)
        persons = np.where(np.asarray(cases["joint"], dtype=bool), 2, 1)
        ours = np.repeat(np.asarray(cases["income_tax"], dtype=float), persons)
        data["einkommensteuer"]["betrag_mit_kinderfreibetrag_y_sn"] = ours
        soli = _call(main, InputData, TTTargets, environment, date, data, targets=SOLI)
        out[year] = {
            "income_tax": df[("einkommensteuer", "betrag_y_sn")].to_numpy()[first_row].tolist(),
            "soli": df[("solidaritätszuschlag", "betrag_y_sn")].to_numpy()[first_row].tolist(),
            "tariff": tariff[("einkommensteuer", "betrag_y_sn")].to_numpy().tolist(),
            "soli_on_ours": soli[("solidaritätszuschlag", "betrag_y_sn")].to_numpy()[first_row].tolist(),
        }
    from importlib.metadata import version

    return {"years": out, "timings": timings, "version": version("gettsim")}


if __name__ == "__main__":
    json.dump(compute(json.load(sys.stdin)), sys.stdout)
