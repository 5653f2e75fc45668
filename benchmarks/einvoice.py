"""E-Rechnung benchmark: full XRechnung validation throughput over the official test instances.

    python -m benchmarks.einvoice            # all public instances (baseline-verdicts.json, 520 files)
    python -m benchmarks.einvoice --quick    # the 86 XRechnung reference invoices, one round

What it does, all in this one process:
1. loads the KoSIT rule set from ``EINVOICE_STANDARDS_DIR`` (default ``../shared/einvoice``) and
   compiles every schema and stylesheet once (the compile time is reported separately);
2. per round, targets interleaved, times each file through
   * ``full``: ``RuleSet.validate`` — secure parse, scenario, XSD, EN 16931 + XRechnung Schematron;
   * ``xsd_only`` (the baseline): secure parse, scenario selection and XSD validation only;
3. reports per target the median over rounds of invoices/s, p50 and p95 (ms), the ratio
   full/baseline, and how many verdicts agree with ``testsuite/baseline-verdicts.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

from rathaus.domain.einvoice import RuleSet, rule_set

ROOT = Path(__file__).resolve().parents[1]

STANDARDS_DIR = Path(os.environ.get("EINVOICE_STANDARDS_DIR", ROOT.parent / "shared" / "einvoice"))


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def _summary(seconds: list[float]) -> dict[str, float]:
    return {
        "per_second": round(len(seconds) / sum(seconds), 1),
        "p50_ms": round(_percentile(seconds, 0.5) * 1000, 2),
        "p95_ms": round(_percentile(seconds, 0.95) * 1000, 2),
    }


def _time_all(files: list[bytes], check: object) -> tuple[list[float], list[object]]:
    seconds, results = [], []
    for content in files:
        start = time.perf_counter()
        results.append(check(content))  # type: ignore[operator]
        seconds.append(time.perf_counter() - start)
    return seconds, results


def run(*, quick: bool) -> dict:
    expected = json.loads(
        (STANDARDS_DIR / "testsuite" / "baseline-verdicts.json").read_text(encoding="utf-8")
    )
    names = sorted(n for n in expected if not quick or n.startswith("xrechnung-testsuite/"))
    files = [(STANDARDS_DIR / "testsuite" / name).read_bytes() for name in names]
    rounds = 1 if quick else 3
    start = time.perf_counter()
    rules: RuleSet = rule_set(STANDARDS_DIR)
    rules.warm_up()
    compile_seconds = time.perf_counter() - start
    per_round: dict[str, list[dict[str, float]]] = {"full": [], "xsd_only": []}
    agree = 0
    for _ in range(rounds):
        seconds, reports = _time_all(files, rules.validate)
        per_round["full"].append(_summary(seconds))
        agree = sum(
            1
            for name, report in zip(names, reports, strict=True)
            if report.accepted is expected[name]["valid"]  # type: ignore[attr-defined]
            and sorted(report.error_rule_ids) == sorted(set(expected[name]["rules"]))  # type: ignore[attr-defined]
        )
        seconds, _ = _time_all(files, rules.validate_schema_only)
        per_round["xsd_only"].append(_summary(seconds))
    result: dict[str, object] = {
        "files": len(files),
        "megabytes": round(sum(map(len, files)) / 1e6, 2),
        "rounds": rounds,
        "compile_seconds": round(compile_seconds, 2),
        "rule_set": rules.version,
        "verdicts_agreeing_with_baseline": f"{agree}/{len(files)}",
        "accepted": sum(1 for name in names if expected[name]["valid"]),
    }
    for target, summaries in per_round.items():
        result[target] = {key: statistics.median(s[key] for s in summaries) for key in summaries[0]}
    full, xsd = result["full"], result["xsd_only"]
    result["ratio_full_to_xsd_only_p50"] = round(full["p50_ms"] / xsd["p50_ms"], 1)  # type: ignore[index]
    result["ratio_full_to_xsd_only_throughput"] = round(xsd["per_second"] / full["per_second"], 1)  # type: ignore[index]
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args(argv)
    print(json.dumps(run(quick=args.quick), indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
