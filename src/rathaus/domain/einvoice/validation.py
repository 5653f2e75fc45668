"""XRechnung / EN 16931 validation the way the official KoSIT validator does it.

The rule set is the KoSIT validator configuration for XRechnung (``scenarios.xml`` and the
resources it names). Steps, per the configuration's model:

1. Parse securely (no DOCTYPE, no entities, no network, size limit). This is the same policy as
   ``rathaus.kernel.xmlsafe``; domain code may not import the kernel, so the tiny parser
   configuration is repeated here.
2. Select the scenario whose ``<match>`` XPath holds (root element + CustomizationID).
3. XML Schema validation with the scenario's XSD (lxml/libxml2; Saxon-HE cannot validate XSD).
4. Every ``validateWithSchematron`` XSLT in turn (EN 16931, then XRechnung) with Saxon (XSLT 2.0/3.0),
   collecting ``svrl:failed-assert`` and ``svrl:successful-report``.
5. Severity from ``@flag`` (fatal/error -> error, no flag -> error), then the scenario's
   ``customLevel`` overrides.
6. Accept when a scenario matched and no finding is at level *error*. Warnings do not reject; this is
   KoSIT's ``assessment``, not its ``@valid`` flag.

Pseudo rule IDs for platform refusals: ``SIZE-LIMIT``, ``XML-DOCTYPE``, ``XML-WELLFORMED``,
``NO-SCENARIO`` and ``XSD``.
"""

from __future__ import annotations

import functools
import re
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from lxml import etree

__all__ = [
    "DEFAULT_MAX_BYTES",
    "Finding",
    "RuleSet",
    "Scenario",
    "ValidationReport",
    "parse_secure",
    "rule_set",
    "validate_invoice",
]

#: Upload limit of the inbound platform (issue 6: 15 MB).
DEFAULT_MAX_BYTES = 15 * 1024 * 1024

Severity = Literal["error", "warning", "information"]
Syntax = Literal["UBL", "CII"]

_SCENARIOS_NS = "http://www.xoev.de/de/validator/framework/1/scenarios"
_SVRL_NS = "http://purl.oclc.org/dsdl/svrl"
_CII_NS = "urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100"
_DOCTYPE_RE = re.compile(rb"<!DOCTYPE", re.IGNORECASE)
# Saxon must never read a DTD or an external entity (it does by default, see the standards README).
_SAXON_DISALLOW_DOCTYPE = (
    "http://saxon.sf.net/feature/parserFeature?uri="
    "http%3A%2F%2Fapache.org%2Fxml%2Ffeatures%2Fdisallow-doctype-decl"
)


class InvoiceRejected(Exception):
    """A refusal before any rule could run (size, DOCTYPE, not well-formed)."""

    def __init__(self, rule_id: str, message: str) -> None:
        super().__init__(message)
        self.rule_id = rule_id
        self.message = message


@dataclass(frozen=True)
class Finding:
    """One message of the validation: rule ID (e.g. ``BR-CO-15``), severity, text, XPath location."""

    rule_id: str
    severity: Severity
    message: str
    location: str = ""

    def as_dict(self) -> dict[str, str]:
        return {
            "rule": self.rule_id,
            "severity": self.severity,
            "message": self.message,
            "location": self.location,
        }


@dataclass(frozen=True)
class ValidationReport:
    """The verdict for one document. ``accepted`` is KoSIT's assessment (accept/reject)."""

    accepted: bool
    syntax: Syntax | None
    scenario: str | None
    rule_set_version: str
    findings: tuple[Finding, ...] = field(default_factory=tuple)

    @property
    def errors(self) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if f.severity == "error")

    @property
    def warnings(self) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if f.severity == "warning")

    @property
    def error_rule_ids(self) -> list[str]:
        """The distinct IDs of the rejecting findings, in first-seen order."""
        return list(dict.fromkeys(f.rule_id for f in self.errors))

    def as_dict(self) -> dict[str, Any]:
        return {
            "accepted": self.accepted,
            "syntax": self.syntax,
            "scenario": self.scenario,
            "rule_set_version": self.rule_set_version,
            "findings": [f.as_dict() for f in self.findings],
        }


@dataclass(frozen=True)
class Scenario:
    """One ``<scenario>`` of ``scenarios.xml``."""

    name: str
    namespaces: dict[str, str]
    match: str
    schema: Path
    stylesheets: tuple[Path, ...]
    custom_levels: dict[str, Severity]

    @property
    def syntax(self) -> Syntax:
        return "CII" if _CII_NS in self.namespaces.values() else "UBL"

    def matches(self, tree: etree._ElementTree) -> bool:
        # The configuration's match expressions are XPath 2.0 only by their ``exists(...)`` wrapper;
        # ``boolean(...)`` has the same meaning in XPath 1.0 for a node set.
        expression = re.sub(r"^\s*exists\(", "boolean(", self.match)
        return bool(tree.xpath(expression, namespaces=self.namespaces))


def parse_secure(content: bytes, *, max_bytes: int = DEFAULT_MAX_BYTES) -> etree._ElementTree:
    """Parse untrusted XML bytes or raise ``InvoiceRejected``; same policy as ``kernel.xmlsafe``."""
    if len(content) > max_bytes:
        raise InvoiceRejected(
            "SIZE-LIMIT",
            f"Die Datei ist {len(content):,} Bytes groß; erlaubt sind höchstens {max_bytes:,} Bytes.".replace(
                ",", "."
            ),
        )
    if _DOCTYPE_RE.search(content):
        raise InvoiceRejected(
            "XML-DOCTYPE", "Die XML-Datei enthält eine DOCTYPE-Deklaration; das ist nicht zulässig."
        )
    parser = etree.XMLParser(
        resolve_entities=False, no_network=True, load_dtd=False, dtd_validation=False, huge_tree=False
    )
    try:
        tree = etree.ElementTree(etree.fromstring(content, parser))
    except etree.XMLSyntaxError as exc:
        line = getattr(exc, "lineno", None)
        raise InvoiceRejected(
            "XML-WELLFORMED", f"Die Datei ist kein wohlgeformtes XML (Zeile {line}): {exc.msg}"
        ) from exc
    if tree.docinfo.doctype:
        # The byte scan above may miss a DOCTYPE in a non-ASCII-compatible encoding (UTF-16).
        raise InvoiceRejected(
            "XML-DOCTYPE", "Die XML-Datei enthält eine DOCTYPE-Deklaration; das ist nicht zulässig."
        )
    return tree


class RuleSet:
    """A loaded KoSIT validator configuration. Schemas and stylesheets are compiled once, on first use.

    Saxon's processor is not shared between threads here: all Saxon calls hold one lock, so one
    ``RuleSet`` is safe in a threaded server; use processes for parallel batches.
    """

    def __init__(self, configuration_dir: Path) -> None:
        self.configuration_dir = configuration_dir
        scenarios_file = configuration_dir / "scenarios.xml"
        if not scenarios_file.is_file():
            raise FileNotFoundError(f"Regelwerk nicht gefunden: {scenarios_file}")
        root = parse_secure(scenarios_file.read_bytes(), max_bytes=10 * 1024 * 1024).getroot()
        ns = {"s": _SCENARIOS_NS}
        name = root.findtext("s:name", default="", namespaces=ns).strip()
        date = root.findtext("s:date", default="", namespaces=ns).strip()
        self.version = f"{name} ({date})" if date else name
        self.scenarios: tuple[Scenario, ...] = tuple(
            self._read_scenario(element, ns) for element in root.iterfind("s:scenario", ns)
        )
        self._schemas: dict[Path, etree.XMLSchema] = {}
        self._executables: dict[Path, Any] = {}
        self._lock = threading.RLock()
        self._processor: Any = None

    def _read_scenario(self, element: etree._Element, ns: dict[str, str]) -> Scenario:
        levels: dict[str, Severity] = {}
        for custom in element.iterfind("s:createReport/s:customLevel", ns):
            level = custom.get("level", "error")
            if level in ("error", "warning", "information"):
                levels[(custom.text or "").strip()] = level
        return Scenario(
            name=(element.findtext("s:name", default="", namespaces=ns)).strip(),
            namespaces={
                n.get("prefix", ""): (n.text or "").strip() for n in element.iterfind("s:namespace", ns)
            },
            match=(element.findtext("s:match", default="", namespaces=ns)).strip(),
            schema=self.configuration_dir
            / element.findtext(
                "s:validateWithXmlSchema/s:resource/s:location", default="", namespaces=ns
            ).strip(),
            stylesheets=tuple(
                self.configuration_dir / (loc.text or "").strip()
                for loc in element.iterfind("s:validateWithSchematron/s:resource/s:location", ns)
            ),
            custom_levels=levels,
        )

    def select_scenario(self, tree: etree._ElementTree) -> Scenario | None:
        """The first scenario whose match expression holds, as the KoSIT validator picks it."""
        return next((s for s in self.scenarios if s.matches(tree)), None)

    def schema(self, path: Path) -> etree.XMLSchema:
        with self._lock:
            if path not in self._schemas:
                # The XSDs are our own trusted files; imports are relative file paths, no network.
                self._schemas[path] = etree.XMLSchema(
                    etree.parse(str(path), etree.XMLParser(no_network=True))
                )
            return self._schemas[path]

    def _saxon(self) -> Any:
        if self._processor is None:
            from saxonche import PySaxonProcessor

            self._processor = PySaxonProcessor(license=False)
            self._processor.set_configuration_property(_SAXON_DISALLOW_DOCTYPE, "true")
        return self._processor

    def _executable(self, path: Path) -> Any:
        if path not in self._executables:
            compiler = self._saxon().new_xslt30_processor()
            self._executables[path] = compiler.compile_stylesheet(stylesheet_file=str(path))
        return self._executables[path]

    def warm_up(self) -> None:
        """Compile every schema and stylesheet now (about 2 s) instead of on the first invoice."""
        with self._lock:
            for scenario in self.scenarios:
                self.schema(scenario.schema)
                for stylesheet in scenario.stylesheets:
                    self._executable(stylesheet)

    def run_schematron(self, tree: etree._ElementTree, stylesheets: tuple[Path, ...]) -> list[str]:
        """Run the rule stylesheets on the (already safely parsed) document; return the SVRL texts."""
        text = etree.tostring(tree, encoding="unicode")
        with self._lock:
            node = self._saxon().parse_xml(xml_text=text)
            return [self._executable(path).transform_to_string(xdm_node=node) for path in stylesheets]

    def validate(self, content: bytes, *, max_bytes: int = DEFAULT_MAX_BYTES) -> ValidationReport:
        """Validate one document; never raises for bad input, the report carries the refusal."""
        try:
            tree = parse_secure(content, max_bytes=max_bytes)
        except InvoiceRejected as refusal:
            return self._refused(refusal.rule_id, refusal.message)
        scenario = self.select_scenario(tree)
        if scenario is None:
            root = tree.getroot()
            return self._refused(
                "NO-SCENARIO",
                f"Kein Prüfszenario passt zu diesem Dokument (Wurzelelement {root.tag}); erwartet wird eine "
                "XRechnung 3.0 oder EN 16931 in UBL 2.1 (Invoice/CreditNote) oder UN/CEFACT CII D16B "
                "mit passender CustomizationID (BT-24).",
            )
        schema = self.schema(scenario.schema)
        if not schema.validate(tree):
            findings = tuple(
                Finding("XSD", "error", f"Zeile {e.line}: {e.message}", e.path or "")
                for e in schema.error_log
            )
            return ValidationReport(False, scenario.syntax, scenario.name, self.version, findings)
        findings = tuple(
            finding
            for svrl in self.run_schematron(tree, scenario.stylesheets)
            for finding in parse_svrl(svrl, scenario.custom_levels)
        )
        accepted = not any(f.severity == "error" for f in findings)
        return ValidationReport(accepted, scenario.syntax, scenario.name, self.version, findings)

    def validate_schema_only(self, content: bytes, *, max_bytes: int = DEFAULT_MAX_BYTES) -> bool:
        """Parse, select the scenario and check the XSD only (the benchmark's baseline)."""
        try:
            tree = parse_secure(content, max_bytes=max_bytes)
        except InvoiceRejected:
            return False
        scenario = self.select_scenario(tree)
        return scenario is not None and bool(self.schema(scenario.schema).validate(tree))

    def _refused(self, rule_id: str, message: str) -> ValidationReport:
        return ValidationReport(False, None, None, self.version, (Finding(rule_id, "error", message),))


def _severity(flag: str | None) -> Severity:
    if flag == "warning":
        return "warning"
    if flag in ("information", "info"):
        return "information"
    return "error"  # fatal, error and a missing flag


def parse_svrl(svrl: str, custom_levels: dict[str, Severity] | None = None) -> list[Finding]:
    """Findings from one SVRL output; the rule ID is ``@id`` of the assert/report."""
    levels = custom_levels or {}
    root = etree.fromstring(svrl.encode("utf-8"), etree.XMLParser(resolve_entities=False, no_network=True))
    findings = []
    for element in root.iter(f"{{{_SVRL_NS}}}failed-assert", f"{{{_SVRL_NS}}}successful-report"):
        rule_id = element.get("id", "") or "UNKNOWN"
        text = " ".join("".join(element.itertext()).split())
        severity = levels.get(rule_id, _severity(element.get("flag")))
        findings.append(Finding(rule_id, severity, text, element.get("location", "")))
    return findings


@functools.cache
def rule_set(standards_dir: Path) -> RuleSet:
    """The process-wide rule set for ``standards_dir`` (which holds ``kosit-validator-configuration/``)."""
    return RuleSet(Path(standards_dir) / "kosit-validator-configuration")


def validate_invoice(
    content: bytes, *, standards_dir: Path, max_bytes: int = DEFAULT_MAX_BYTES
) -> ValidationReport:
    """Validate an XRechnung/EN 16931 invoice (UBL or CII) against the official KoSIT rule set."""
    return rule_set(Path(standards_dir)).validate(content, max_bytes=max_bytes)
