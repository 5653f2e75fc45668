"""E-Rechnung (XRechnung / EN 16931) domain logic: validation and extraction. No Django."""

from .batch import validate_files
from .extraction import InvoiceData, extract_invoice_data
from .validation import (
    DEFAULT_MAX_BYTES,
    Finding,
    InvoiceRejected,
    RuleSet,
    Scenario,
    ValidationReport,
    parse_secure,
    rule_set,
    validate_invoice,
)

__all__ = [
    "DEFAULT_MAX_BYTES",
    "Finding",
    "InvoiceData",
    "InvoiceRejected",
    "RuleSet",
    "Scenario",
    "ValidationReport",
    "extract_invoice_data",
    "parse_secure",
    "rule_set",
    "validate_files",
    "validate_invoice",
]
