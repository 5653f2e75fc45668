"""Validation against the official KoSIT rule set, table-driven over the official test instances.

The expected verdicts come from ``testsuite/baseline-verdicts.json`` (computed by the reference
saxonche run over the same artefacts): accept/reject and the IDs of the rejecting rules must agree
for every public instance. The whole table takes a few seconds once the stylesheets are compiled.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from rathaus.domain.einvoice import validate_invoice
from rathaus.domain.einvoice.validation import parse_svrl

from .conftest import HAVE_STANDARDS, STANDARDS_DIR

SMALL_VALID = "xrechnung-testsuite/business-cases/standard/01.04a-INVOICE_ubl.xml"


def _cases() -> list[tuple[str, dict[str, Any]]]:
    if not HAVE_STANDARDS:
        return []
    table = json.loads((STANDARDS_DIR / "testsuite" / "baseline-verdicts.json").read_text(encoding="utf-8"))
    return sorted(table.items())


CASES = _cases()


@pytest.mark.skipif(
    not CASES, reason="official test suite not found next to the project (../shared/einvoice)"
)
@pytest.mark.parametrize(("name", "expected"), CASES, ids=[name for name, _ in CASES])
def test_official_instance_gets_the_official_verdict(
    standards_dir: Path, name: str, expected: dict[str, Any]
) -> None:
    """Every official instance is accepted or rejected as the KoSIT rules decide, naming the same rules."""
    report = validate_invoice((standards_dir / "testsuite" / name).read_bytes(), standards_dir=standards_dir)
    assert report.accepted is expected["valid"]
    assert sorted(report.error_rule_ids) == sorted(set(expected["rules"]))
    assert report.scenario == expected["scenario"]
    # The baseline lists every non-rejecting finding (warning and information) as "warnings".
    non_fatal = {f.rule_id for f in report.findings if f.severity != "error"}
    assert sorted(non_fatal) == sorted(set(expected["warnings"]))


def test_whole_xrechnung_testsuite_is_present_and_accepted(standards_dir: Path) -> None:
    """The 86 official XRechnung reference invoices are all part of the table and all valid."""
    names = [name for name, _ in CASES if name.startswith("xrechnung-testsuite/")]
    assert len(names) == 86
    assert all(expected["valid"] for name, expected in CASES if name in names)


def test_report_names_syntax_version_and_rule_details(standards_dir: Path) -> None:
    """A report carries syntax, scenario, the rule-set version, and per finding the XPath location."""
    report = validate_invoice(
        (standards_dir / "testsuite" / SMALL_VALID).read_bytes(), standards_dir=standards_dir
    )
    assert report.accepted
    assert report.syntax == "UBL"
    assert report.rule_set_version == "Validator Configuration XRechnung 3.0.2 (2026-02-04)"
    assert all(f.location.startswith("/") for f in report.findings)
    assert report.as_dict()["accepted"] is True


def test_broken_total_is_rejected_with_br_co_15(standards_dir: Path) -> None:
    """Changing the total with VAT (BT-112) breaks BR-CO-15 and the invoice is rejected."""
    content = (standards_dir / "testsuite" / SMALL_VALID).read_bytes()
    start = content.index(b"<cbc:TaxInclusiveAmount")
    end = content.index(b"</cbc:TaxInclusiveAmount>", start)
    opening = content[start : content.index(b">", start) + 1]
    broken = content[:start] + opening + b"1.00" + content[end:]
    report = validate_invoice(broken, standards_dir=standards_dir)
    assert not report.accepted
    assert "BR-CO-15" in report.error_rule_ids


@pytest.mark.parametrize(
    ("content", "rule"),
    [
        (b"this is not xml", "XML-WELLFORMED"),
        (b"<Invoice><unclosed></Invoice>", "XML-WELLFORMED"),
        (
            b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]><r>&x;</r>',
            "XML-DOCTYPE",
        ),
        (
            b'<!DOCTYPE l [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]><l>&b;</l>',
            "XML-DOCTYPE",
        ),
        ('<?xml version="1.0" encoding="UTF-16"?><!DOCTYPE r><r/>'.encode("utf-16"), "XML-DOCTYPE"),
        (b"<Invoice xmlns='urn:example:not-ubl'/>", "NO-SCENARIO"),
    ],
    ids=["not-xml", "malformed", "xxe", "billion-laughs", "doctype-utf16", "wrong-namespace"],
)
def test_hostile_or_foreign_input_is_refused_with_a_pseudo_rule(
    standards_dir: Path, content: bytes, rule: str
) -> None:
    """Bad input is refused with a precise pseudo rule and a German message, without entity expansion."""
    report = validate_invoice(content, standards_dir=standards_dir)
    assert not report.accepted
    assert report.error_rule_ids == [rule]
    assert "passwd" not in report.findings[0].message
    assert report.findings[0].message


def test_old_customization_id_matches_no_scenario(standards_dir: Path) -> None:
    """An XRechnung 2.3 CustomizationID is not accepted by the 3.0 rule set."""
    content = (
        (standards_dir / "testsuite" / SMALL_VALID).read_bytes().replace(b"xrechnung_3.0", b"xrechnung_2.3")
    )
    report = validate_invoice(content, standards_dir=standards_dir)
    assert report.error_rule_ids == ["NO-SCENARIO"]


def test_oversized_file_is_refused_before_parsing(standards_dir: Path) -> None:
    """A file above the limit is refused with SIZE-LIMIT and the limit in the message."""
    report = validate_invoice(b"<a/>" + b" " * 2000, standards_dir=standards_dir, max_bytes=1000)
    assert report.error_rule_ids == ["SIZE-LIMIT"]
    assert "1.000" in report.findings[0].message


def test_schema_violation_stops_before_schematron(standards_dir: Path) -> None:
    """An element the UBL schema does not allow gives XSD findings with the line number."""
    content = (standards_dir / "testsuite" / SMALL_VALID).read_bytes()
    content = content.replace(b"<cbc:IssueDate>", b"<cbc:NoSuchElement/><cbc:IssueDate>", 1)
    report = validate_invoice(content, standards_dir=standards_dir)
    assert not report.accepted
    assert report.error_rule_ids == ["XSD"]
    assert "Zeile" in report.findings[0].message


def test_svrl_flags_and_custom_levels_map_to_severities() -> None:
    """fatal and missing flags are errors; customLevel overrides the flag (e.g. BR-CL-23 -> warning)."""
    svrl = """<svrl:schematron-output xmlns:svrl="http://purl.oclc.org/dsdl/svrl">
      <svrl:failed-assert id="BR-01" flag="fatal" location="/a"><svrl:text>1</svrl:text></svrl:failed-assert>
    <svrl:failed-assert id="BR-CL-23" flag="fatal" location="/b"><svrl:text>2</svrl:text></svrl:failed-assert>
      <svrl:successful-report id="X-1" location="/c"><svrl:text>three</svrl:text></svrl:successful-report>
      <svrl:failed-assert id="W-1" flag="warning" location="/d"><svrl:text> four
        words </svrl:text></svrl:failed-assert>
    </svrl:schematron-output>"""
    findings = parse_svrl(svrl, {"BR-CL-23": "warning"})
    assert [(f.rule_id, f.severity) for f in findings] == [
        ("BR-01", "error"),
        ("BR-CL-23", "warning"),
        ("X-1", "error"),
        ("W-1", "warning"),
    ]
    assert findings[3].message == "four words"
