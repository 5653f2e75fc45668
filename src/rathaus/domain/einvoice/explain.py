"""Plain-language help for validation findings: what a rule family means and where in the document.

The rule messages themselves come from the official Schematron (CEN EN 16931, KoSIT XRechnung) and
are shown unchanged; this module adds the family of the rule (EN 16931-1 business rules ``BR-``,
calculation rules ``BR-CO``, code lists ``BR-CL``, the German CIUS ``BR-DE``/``BR-DEX``, syntax
rules ``UBL-``/``CII-``, Peppol rules) and the platform's own pseudo rules, and turns the SVRL
XPath location into a short element path a supplier can find in their file.
"""

from __future__ import annotations

import re

__all__ = ["SEVERITY_LABELS", "explain_rule", "short_location"]

SEVERITY_LABELS = {"error": "Fehler", "warning": "Warnung", "information": "Hinweis"}

_PSEUDO = {
    "SIZE-LIMIT": "Die Datei ist größer als erlaubt (15 MB).",
    "XML-DOCTYPE": "Die XML-Datei enthält eine DOCTYPE-Angabe; aus Sicherheitsgründen wird sie "
    "nicht gelesen.",
    "XML-WELLFORMED": "Die Datei ist kein gültiges XML – meist eine abgeschnittene Datei oder ein "
    "falsches Format.",
    "NO-SCENARIO": "Das Dokument ist keine XRechnung 3.0 bzw. EN-16931-Rechnung (falsche "
    "Spezifikationskennung BT-24 oder falsches Format).",
    "XSD": "Das Dokument entspricht nicht dem XML-Schema (UBL 2.1 oder CII D16B): ein Element fehlt, "
    "ist falsch geschrieben oder steht an der falschen Stelle.",
    "FILE": "Die Datei konnte nicht gelesen werden.",
    "PDF-MALFORMED": "Die PDF-Datei ist beschädigt.",
    "PDF-ENCRYPTED": "Die PDF-Datei ist verschlüsselt; bitte ohne Passwortschutz senden.",
    "PDF-LIMIT": "Die PDF-Datei ist zu groß oder enthält zu viele eingebettete Dateien.",
    "PDF-NO-XML": "Die PDF-Datei enthält keine eingebettete E-Rechnung (ZUGFeRD/Factur-X). Eine reine "
    "PDF-Rechnung ist keine E-Rechnung.",
    "LEITWEG-ID": "Die Leitweg-ID (Käuferreferenz, BT-10) ist falsch aufgebaut oder ihre Prüfziffer "
    "stimmt nicht.",
    "LEITWEG-ID-UNKNOWN": "Die Leitweg-ID (BT-10) gehört zu keiner Dienststelle dieser Plattform.",
    "DUPLICATE": "Diese Rechnung ist bereits eingegangen.",
}

_FAMILIES = (
    ("BR-DEX-", "Regel der XRechnung-Extension (deutsche Erweiterung)"),
    ("BR-DE-", "Regel der XRechnung (deutsche Vorgaben zur EN 16931)"),
    ("BR-TMP-", "Übergangsregel der XRechnung"),
    ("BR-CO-", "Rechen- bzw. Konsistenzregel der EN 16931 (Summen und Beträge müssen zueinander passen)"),
    ("BR-CL-", "Codeliste der EN 16931 (ein Code ist nicht zulässig)"),
    ("BR-DEC-", "Nachkommastellen-Regel der EN 16931"),
    ("BR-", "Geschäftsregel der EN 16931"),
    ("UBL-", "Syntaxregel für UBL"),
    ("CII-", "Syntaxregel für CII"),
    ("PEPPOL-", "Peppol-Regel, von der XRechnung übernommen"),
)


def explain_rule(rule_id: str) -> str:
    """A German sentence saying what kind of rule ``rule_id`` is (empty if unknown)."""
    if rule_id in _PSEUDO:
        return _PSEUDO[rule_id]
    for prefix, text in _FAMILIES:
        if rule_id.startswith(prefix):
            return text
    return ""


def short_location(xpath: str) -> str:
    """A short element path for an SVRL location.

    ``/*:Invoice[namespace-uri()='…'][1]/*:InvoiceLine[2]/*:Item[1]`` → ``Invoice › InvoiceLine 2 › Item``.
    """
    if not xpath or not xpath.startswith("/"):
        return xpath
    parts = []
    # Steps are split on "/" outside predicates and braces (namespace URIs contain slashes).
    cleaned = re.sub(r"Q\{[^}]*\}", "", xpath)
    for step in re.findall(r"(?:[^/\[]|\[[^\]]*\])+", cleaned):
        name_match = re.match(r"(?:\*:|[A-Za-z0-9_-]+:)?([A-Za-z@][A-Za-z0-9_.-]*)", step)
        if name_match is None:
            continue
        name = name_match.group(1)
        position = re.findall(r"\[(\d+)\]", step)
        parts.append(f"{name} {position[-1]}" if position and position[-1] != "1" else name)
    return " › ".join(parts)
