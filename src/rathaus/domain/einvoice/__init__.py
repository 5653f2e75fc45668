"""E-Rechnung (XRechnung / EN 16931) domain logic: validation and extraction. No Django."""

from .batch import validate_files
from .extraction import InvoiceData, extract_invoice_data
from .hybrid import DocumentVerdict, HybridInvoice, extract_hybrid_xml, is_pdf, validate_document
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
    "DocumentVerdict",
    "HybridInvoice",
    "Finding",
    "InvoiceData",
    "InvoiceRejected",
    "RuleSet",
    "Scenario",
    "ValidationReport",
    "extract_hybrid_xml",
    "extract_invoice_data",
    "is_pdf",
    "parse_secure",
    "rule_set",
    "validate_document",
    "validate_files",
    "validate_invoice",
]
