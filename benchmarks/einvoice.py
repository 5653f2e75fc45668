"""E-Rechnung benchmark: full XRechnung validation of a 2,000-invoice batch against its limit and a peer.

    python -m benchmarks einvoice           # 2,000 generated invoices, 3 rounds; writes results/einvoice.json
    python -m benchmarks.einvoice --quick   # 200 invoices, one round

The batch: every public instance of ``testsuite/baseline-verdicts.json`` (520 files: the 86 XRechnung
reference invoices, the KoSIT unit templates incl. UBL credit notes, the configuration tests, the CEN
examples), cycled to 2,000 documents, each copy with its own invoice number (BT-1) so that no two are
byte-identical. The expected verdict of each copy is the baseline verdict of its source (BT-1 takes part
in no rule), so the run also checks that all 2,000 verdicts agree.

Targets, all in this one process, rounds interleaved, everything compiled before timing:

* ``full`` — ``RuleSet.validate``: secure lxml parse, scenario, XSD, EN 16931 + XRechnung XSLT in Saxon,
  SVRL parsed into findings, customLevel applied. What the platform does per invoice.
* ``saxon_only`` — **the limit**: only the Saxon work of the same run — ``parse_xml`` plus the same
  compiled stylesheets of the document's scenario, output discarded (no lxml, no XSD, no SVRL parsing).
  The platform cannot be faster than this with these rules and this processor.
* ``xsd_only`` — our secure parse, scenario selection and XSD (the old baseline).
* ``peer_facturx_xsd`` — the best installable Python peer: ``facturx.xml_check_xsd`` from PyPI
  ``factur-x`` (XSD check with the Factur-X/UBL schemas it ships; its Schematron check needs an external
  Saxon server and is not comparable). It checks structure only, so it accepts business-rule violations:
  it is compared for speed, and its verdict agreement is reported to show what it misses. No pure-Python
  Schematron engine that runs the official XSLT 2.0 rules installs here (``pyschematron`` on this index
  is 0.1.0, which cannot run XPath 2 rules), see docs/einvoice.md.
* ``full_parallel`` — ``validate_files`` over the batch on all cores (one Saxon per process).

Reported per target: median over rounds of invoices/s, p50 and p95 (ms); ratios full : saxon_only (how
close to the limit), full : peer (throughput); verdict agreement with the baseline.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from lxml import etree

from benchmarks.common import ROOT, percentile
from rathaus.domain.einvoice import RuleSet, parse_secure, rule_set, validate_files

STANDARDS_DIR = Path(os.environ.get("EINVOICE_STANDARDS_DIR", ROOT.parent / "shared" / "einvoice"))

BATCH = 2000
QUICK_BATCH = 200

_NS = {
    "cbc": "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2",
    "rsm": "urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100",
    "ram": "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100",
}


def _summary(seconds: list[float]) -> dict[str, float]:
    return {
        "per_second": round(len(seconds) / sum(seconds), 1),
        "p50_ms": round(percentile(sorted(seconds), 0.5) * 1000, 2),
        "p95_ms": round(percentile(sorted(seconds), 0.95) * 1000, 2),
    }


def _time_all(items: list[Any], check: Callable[[Any], Any]) -> tuple[list[float], list[Any]]:
    seconds, results = [], []
    for item in items:
        start = time.perf_counter()
        results.append(check(item))
        seconds.append(time.perf_counter() - start)
    return seconds, results


def _renumber(content: bytes, number: str) -> bytes:
    """The document with BT-1 set to ``number``; documents that do not parse are returned unchanged."""
    try:
        tree = parse_secure(content)
    except Exception:
        return content
    root = tree.getroot()
    found = root.xpath("cbc:ID|rsm:ExchangedDocument/ram:ID", namespaces=_NS)
    if not found:
        return content
    found[0].text = number
    return etree.tostring(tree, xml_declaration=True, encoding="UTF-8")


def generated_batch(count: int) -> tuple[list[bytes], list[str]]:
    """``count`` documents cycled from the public instances, each with its own invoice number."""
    expected = json.loads(
        (STANDARDS_DIR / "testsuite" / "baseline-verdicts.json").read_text(encoding="utf-8")
    )
    names = sorted(expected)
    sources = {name: (STANDARDS_DIR / "testsuite" / name).read_bytes() for name in names}
    documents, origins = [], []
    for i in range(count):
        name = names[i % len(names)]
        documents.append(_renumber(sources[name], f"BENCH-{i:05d}"))
        origins.append(name)
    return documents, origins


def _agreement(reports: list[Any], origins: list[str], expected: dict[str, Any]) -> int:
    return sum(
        1
        for report, name in zip(reports, origins, strict=True)
        if report.accepted is expected[name]["valid"]
        and sorted(report.error_rule_ids) == sorted(set(expected[name]["rules"]))
    )


def _saxon_plan(rules: RuleSet, documents: list[bytes]) -> list[tuple[str, tuple[Any, ...]]]:
    """Per document its text and the compiled stylesheets of its scenario (prepared outside the timing)."""
    plan = []
    for content in documents:
        try:
            tree = parse_secure(content)
        except Exception:  # noqa: S112 - documents that do not parse never reach Saxon
            continue
        scenario = rules.select_scenario(tree)
        if scenario is None or not rules.schema(scenario.schema).validate(tree):
            continue  # the platform never runs Schematron on these either
        plan.append(
            (
                etree.tostring(tree, encoding="unicode"),
                tuple(rules._executable(path) for path in scenario.stylesheets),
            )
        )
    return plan


def _peer() -> Callable[[bytes], bool] | None:
    try:
        import facturx
    except ImportError:
        return None
    import logging

    logging.getLogger("factur-x").setLevel(logging.CRITICAL)

    def check(content: bytes) -> bool:
        try:
            return bool(facturx.xml_check_xsd(content))
        except Exception:
            return False

    return check


def run(*, quick: bool) -> dict:
    expected = json.loads(
        (STANDARDS_DIR / "testsuite" / "baseline-verdicts.json").read_text(encoding="utf-8")
    )
    count = QUICK_BATCH if quick else BATCH
    # EINVOICE_BENCH_ROUNDS overrides the number of rounds (e.g. 1 on a busy machine).
    rounds = int(os.environ.get("EINVOICE_BENCH_ROUNDS", 1 if quick else 3))
    documents, origins = generated_batch(count)
    start = time.perf_counter()
    rules: RuleSet = rule_set(STANDARDS_DIR)
    rules.warm_up()
    compile_seconds = time.perf_counter() - start
    plan = _saxon_plan(rules, documents)
    processor = rules._saxon()

    def saxon_only(item: tuple[str, tuple[Any, ...]]) -> None:
        text, executables = item
        node = processor.parse_xml(xml_text=text)
        for executable in executables:
            executable.transform_to_string(xdm_node=node)

    peer = _peer()
    targets: dict[str, tuple[list[Any], Callable[[Any], Any]]] = {
        "full": (documents, rules.validate),
        "saxon_only": (plan, saxon_only),
        "xsd_only": (documents, rules.validate_schema_only),
    }
    if peer is not None:
        targets["peer_facturx_xsd"] = (documents, peer)
    per_round: dict[str, list[dict[str, float]]] = {name: [] for name in targets}
    agree = peer_agree = 0
    for _ in range(rounds):
        for name, (items, check) in targets.items():
            seconds, results = _time_all(items, check)
            per_round[name].append(_summary(seconds))
            if name == "full":
                agree = _agreement(results, origins, expected)
            elif name == "peer_facturx_xsd":
                peer_agree = sum(
                    1 for ok, origin in zip(results, origins, strict=True) if ok is expected[origin]["valid"]
                )
    result: dict[str, Any] = {
        "documents": len(documents),
        "sources": len(set(origins)),
        "megabytes": round(sum(map(len, documents)) / 1e6, 2),
        "rounds": rounds,
        "compile_seconds": round(compile_seconds, 2),
        "rule_set": rules.version,
        "accepted_expected": sum(1 for origin in origins if expected[origin]["valid"]),
        "verdicts_agreeing_with_baseline": f"{agree}/{len(documents)}",
        "saxon_only_documents": len(plan),
        "cores": os.cpu_count(),
    }
    for name, summaries in per_round.items():
        result[name] = {key: statistics.median(s[key] for s in summaries) for key in summaries[0]}
    # Whole-batch wall time on all cores (spawned workers compile the rule set once each; included).
    with tempfile.TemporaryDirectory() as folder:
        paths = []
        for i, content in enumerate(documents):
            path = Path(folder) / f"{i:05d}.xml"
            path.write_bytes(content)
            paths.append(path)
        start = time.perf_counter()
        parallel = list(validate_files(paths, standards_dir=STANDARDS_DIR))
        wall = time.perf_counter() - start
    result["full_parallel"] = {
        "per_second": round(len(paths) / wall, 1),
        "wall_seconds": round(wall, 2),
        "verdicts_agreeing_with_baseline": f"{_agreement(parallel, origins, expected)}/{len(documents)}",
    }
    full = result["full"]
    # The saxon_only target runs only the documents that reach Schematron; compare time per such document.
    full_schematron_share = len(plan) / len(documents)
    result["ratio_full_time_to_saxon_only_time"] = round(
        result["saxon_only"]["per_second"] / full_schematron_share / full["per_second"], 2
    )
    result["ratio_full_time_to_saxon_only_time_note"] = (
        "batch time of full validation divided by batch time of the bare Saxon runs of the same "
        "stylesheets on the same documents (1.0 = no overhead beyond Saxon)"
    )
    result["ratio_full_to_xsd_only_throughput"] = round(
        result["xsd_only"]["per_second"] / full["per_second"], 1
    )
    if peer is not None:
        # > 1: full validation (XSD + all Schematron) is faster than the peer's XSD-only check.
        result["ratio_full_throughput_to_peer_throughput"] = round(
            full["per_second"] / result["peer_facturx_xsd"]["per_second"], 2
        )
        result["peer_verdicts_agreeing_with_baseline"] = f"{peer_agree}/{len(documents)}"
        result["peer"] = "factur-x " + _version("factur-x") + ": facturx.xml_check_xsd (XSD only)"
    else:
        result["peer"] = "not installed (pip install 'rathaus[bench]')"
    return result


def _version(distribution: str) -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(distribution)
    except PackageNotFoundError:
        return "?"


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
