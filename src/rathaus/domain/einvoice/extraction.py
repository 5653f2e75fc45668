"""The key business terms (BT) of an EN 16931 invoice, read from UBL 2.1 or UN/CEFACT CII D16B.

Term numbers and paths follow EN 16931-1 and its syntax bindings (CEN/TS 16931-3-2 for UBL,
-3-3 for CII). Amounts are ``Decimal`` exactly as written in the document, never ``float``.
Only call this on a document that passed validation: the extraction relies on the cardinalities
the rules enforce (e.g. exactly one BT-1) and takes the first occurrence otherwise.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from lxml import etree

from .validation import Syntax

__all__ = ["InvoiceData", "extract_invoice_data"]

_UBL_INVOICE = "urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"
_UBL_CREDIT_NOTE = "urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2"
_NS = {
    "cbc": "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2",
    "cac": "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2",
    "rsm": "urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100",
    "ram": "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100",
    "udt": "urn:un:unece:uncefact:data:standard:UnqualifiedDataType:100",
}

# The paths per business term; UBL paths are relative to the root (Invoice or CreditNote).
_UBL = {
    "number": "cbc:ID",
    "issue_date": "cbc:IssueDate",
    "type_code": "cbc:InvoiceTypeCode|cbc:CreditNoteTypeCode",
    "currency": "cbc:DocumentCurrencyCode",
    "buyer_reference": "cbc:BuyerReference",
    "due_date": "cbc:DueDate|cac:PaymentMeans/cbc:PaymentDueDate",
    "seller_name": "cac:AccountingSupplierParty/cac:Party/cac:PartyLegalEntity/cbc:RegistrationName",
    "seller_vat_id": "cac:AccountingSupplierParty/cac:Party/cac:PartyTaxScheme[cac:TaxScheme/cbc:ID='VAT']"
    "/cbc:CompanyID",
    "buyer_name": "cac:AccountingCustomerParty/cac:Party/cac:PartyLegalEntity/cbc:RegistrationName",
    "buyer_vat_id": "cac:AccountingCustomerParty/cac:Party/cac:PartyTaxScheme[cac:TaxScheme/cbc:ID='VAT']"
    "/cbc:CompanyID",
    "total_without_vat": "cac:LegalMonetaryTotal/cbc:TaxExclusiveAmount",
    "total_with_vat": "cac:LegalMonetaryTotal/cbc:TaxInclusiveAmount",
    "amount_due": "cac:LegalMonetaryTotal/cbc:PayableAmount",
    "iban": "cac:PaymentMeans/cac:PayeeFinancialAccount/cbc:ID",
    "lines": "cac:InvoiceLine|cac:CreditNoteLine",
}
_CII_AGREEMENT = "rsm:SupplyChainTradeTransaction/ram:ApplicableHeaderTradeAgreement"
_CII_SETTLEMENT = "rsm:SupplyChainTradeTransaction/ram:ApplicableHeaderTradeSettlement"
_CII_TOTALS = f"{_CII_SETTLEMENT}/ram:SpecifiedTradeSettlementHeaderMonetarySummation"
_CII_VAT_ID = "ram:SpecifiedTaxRegistration/ram:ID[@schemeID='VA']"
_CII_PAYEE_ACCOUNT = "ram:SpecifiedTradeSettlementPaymentMeans/ram:PayeePartyCreditorFinancialAccount"
_CII = {
    "number": "rsm:ExchangedDocument/ram:ID",
    "issue_date": "rsm:ExchangedDocument/ram:IssueDateTime/udt:DateTimeString",
    "type_code": "rsm:ExchangedDocument/ram:TypeCode",
    "currency": f"{_CII_SETTLEMENT}/ram:InvoiceCurrencyCode",
    "buyer_reference": f"{_CII_AGREEMENT}/ram:BuyerReference",
    "due_date": f"{_CII_SETTLEMENT}/ram:SpecifiedTradePaymentTerms/ram:DueDateDateTime/udt:DateTimeString",
    "seller_name": f"{_CII_AGREEMENT}/ram:SellerTradeParty/ram:Name",
    "seller_vat_id": f"{_CII_AGREEMENT}/ram:SellerTradeParty/{_CII_VAT_ID}",
    "buyer_name": f"{_CII_AGREEMENT}/ram:BuyerTradeParty/ram:Name",
    "buyer_vat_id": f"{_CII_AGREEMENT}/ram:BuyerTradeParty/{_CII_VAT_ID}",
    "total_without_vat": f"{_CII_TOTALS}/ram:TaxBasisTotalAmount",
    "total_with_vat": f"{_CII_TOTALS}/ram:GrandTotalAmount",
    "amount_due": f"{_CII_TOTALS}/ram:DuePayableAmount",
    "iban": f"{_CII_SETTLEMENT}/{_CII_PAYEE_ACCOUNT}/ram:IBANID",
    "lines": "rsm:SupplyChainTradeTransaction/ram:IncludedSupplyChainTradeLineItem",
}


@dataclass(frozen=True)
class InvoiceData:
    """The business terms the platform routes, deduplicates and displays by."""

    syntax: Syntax
    is_credit_note: bool
    number: str  # BT-1
    issue_date: dt.date  # BT-2
    type_code: str  # BT-3
    currency: str  # BT-5
    buyer_reference: str  # BT-10, in XRechnung the Leitweg-ID
    due_date: dt.date | None  # BT-9
    seller_name: str  # BT-27
    seller_vat_id: str  # BT-31
    buyer_name: str  # BT-44
    buyer_vat_id: str  # BT-48
    total_without_vat: Decimal | None  # BT-109
    total_with_vat: Decimal | None  # BT-112
    amount_due: Decimal | None  # BT-115
    iban: str  # BT-84 (first payment account)
    line_count: int  # number of BG-25 invoice lines

    @property
    def leitweg_id(self) -> str:
        return self.buyer_reference


def _text(root: etree._Element, path: str) -> str:
    found = root.xpath(path, namespaces=_NS)
    if not isinstance(found, list) or not found:
        return ""
    first = found[0]
    value = first.text if isinstance(first, etree._Element) else str(first)
    return " ".join((value or "").split())


def _amount(root: etree._Element, path: str) -> Decimal | None:
    value = _text(root, path)
    if not value:
        return None
    try:
        return Decimal(value)
    except InvalidOperation:
        raise ValueError(f"Betrag {value!r} an {path} ist keine Dezimalzahl.") from None


def _date(value: str) -> dt.date | None:
    if not value:
        return None
    # UBL uses xs:date (YYYY-MM-DD); CII uses format 102 (YYYYMMDD).
    try:
        if len(value) == 8 and value.isdigit():
            return dt.date(int(value[:4]), int(value[4:6]), int(value[6:]))
        return dt.date.fromisoformat(value[:10])
    except ValueError:
        raise ValueError(f"Datum {value!r} ist ungültig.") from None


def extract_invoice_data(tree: etree._ElementTree | etree._Element) -> InvoiceData:
    """Read the key business terms from a parsed UBL Invoice/CreditNote or CII invoice."""
    root = tree.getroot() if isinstance(tree, etree._ElementTree) else tree
    namespace = etree.QName(root).namespace
    if namespace in (_UBL_INVOICE, _UBL_CREDIT_NOTE):
        syntax: Syntax = "UBL"
        paths = _UBL
    elif namespace == _NS["rsm"]:
        syntax = "CII"
        paths = _CII
    else:
        raise ValueError(f"Kein UBL- oder CII-Rechnungsdokument (Wurzelelement {root.tag}).")
    type_code = _text(root, paths["type_code"])
    issue_date = _date(_text(root, paths["issue_date"]))
    if issue_date is None:
        raise ValueError("Das Rechnungsdatum (BT-2) fehlt.")
    lines = root.xpath(paths["lines"], namespaces=_NS)
    return InvoiceData(
        syntax=syntax,
        # UNTDID 1001: 381 credit note, 396 factored credit note, 261 self-billed, 532 forwarder's.
        is_credit_note=namespace == _UBL_CREDIT_NOTE or type_code in {"381", "396", "261", "532"},
        number=_text(root, paths["number"]),
        issue_date=issue_date,
        type_code=type_code,
        currency=_text(root, paths["currency"]),
        buyer_reference=_text(root, paths["buyer_reference"]),
        due_date=_date(_text(root, paths["due_date"])),
        seller_name=_text(root, paths["seller_name"]),
        seller_vat_id=_text(root, paths["seller_vat_id"]),
        buyer_name=_text(root, paths["buyer_name"]),
        buyer_vat_id=_text(root, paths["buyer_vat_id"]),
        total_without_vat=_amount(root, paths["total_without_vat"]),
        total_with_vat=_amount(root, paths["total_with_vat"]),
        amount_due=_amount(root, paths["amount_due"]),
        iban=_text(root, paths["iban"]).replace(" ", ""),
        line_count=len(lines) if isinstance(lines, list) else 0,
    )
