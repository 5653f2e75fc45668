"""The whole EN 16931 invoice for a human reader: parties, lines, VAT breakdown, totals, payment, attachments.

Business terms (BT) and groups (BG) follow EN 16931-1; the paths follow the syntax bindings
CEN/TS 16931-3-2 (UBL 2.1 Invoice and CreditNote) and -3-3 (UN/CEFACT CII D16B). Where each term
is kept is one table, business term → XPath per syntax (``DOCUMENT_TERMS`` and the groups
``SELLER``, ``BUYER``, ``LINES``, ``VAT_BREAKDOWN``, ``ATTACHMENTS``), read by one function for
both syntaxes. Values are kept as written (text; amounts as ``Decimal``); this module reads and
never judges — call it on a document that the rules accepted, or accept that a rejected one may
show gaps.
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any, Literal

from lxml import etree

from .extraction import _NS, _UBL_CREDIT_NOTE, _UBL_INVOICE
from .validation import Syntax

__all__ = [
    "ATTACHMENTS",
    "BUYER",
    "DOCUMENT_TERMS",
    "LINES",
    "SELLER",
    "VAT_BREAKDOWN",
    "Attachment",
    "Group",
    "InvoiceDocument",
    "Line",
    "Party",
    "Term",
    "VatBreakdown",
    "read_invoice_document",
]


@dataclass(frozen=True)
class Party:
    name: str  # BT-27 / BT-44
    trading_name: str  # BT-28 / BT-45
    street: str  # BT-35 / BT-50
    postcode: str  # BT-38 / BT-53
    city: str  # BT-37 / BT-52
    country: str  # BT-40 / BT-55
    vat_id: str  # BT-31 / BT-48
    electronic_address: str  # BT-34 / BT-49
    contact_name: str  # BT-41 / BT-56
    contact_phone: str  # BT-42 / BT-57
    contact_email: str  # BT-43 / BT-58


@dataclass(frozen=True)
class Line:
    id: str  # BT-126
    name: str  # BT-153
    description: str  # BT-154
    quantity: Decimal | None  # BT-129
    unit: str  # BT-130
    net_price: Decimal | None  # BT-146
    net_amount: Decimal | None  # BT-131
    vat_category: str  # BT-151
    vat_rate: Decimal | None  # BT-152


@dataclass(frozen=True)
class VatBreakdown:
    category: str  # BT-118
    rate: Decimal | None  # BT-119
    taxable_amount: Decimal | None  # BT-116
    tax_amount: Decimal | None  # BT-117
    exemption_reason: str  # BT-120


@dataclass(frozen=True)
class Attachment:
    id: str  # BT-122
    description: str  # BT-123
    uri: str  # BT-124
    filename: str  # BT-125 @filename
    mime_code: str  # BT-125 @mimeCode
    content: bytes | None  # BT-125, decoded


@dataclass(frozen=True)
class InvoiceDocument:
    syntax: str
    is_credit_note: bool
    number: str  # BT-1
    issue_date: str  # BT-2
    type_code: str  # BT-3
    currency: str  # BT-5
    due_date: str  # BT-9
    buyer_reference: str  # BT-10
    order_reference: str  # BT-13
    contract_reference: str  # BT-12
    notes: tuple[str, ...]  # BT-22
    period_start: str  # BT-73
    period_end: str  # BT-74
    seller: Party
    buyer: Party
    payment_means_code: str  # BT-81
    remittance_information: str  # BT-83
    iban: str  # BT-84
    account_name: str  # BT-85
    bic: str  # BT-86
    payment_terms: str  # BT-20
    lines: tuple[Line, ...]
    vat_breakdown: tuple[VatBreakdown, ...]
    line_total: Decimal | None  # BT-106
    allowance_total: Decimal | None  # BT-107
    charge_total: Decimal | None  # BT-108
    total_without_vat: Decimal | None  # BT-109
    vat_total: Decimal | None  # BT-110
    total_with_vat: Decimal | None  # BT-112
    prepaid: Decimal | None  # BT-113
    rounding: Decimal | None  # BT-114
    amount_due: Decimal | None  # BT-115
    attachments: tuple[Attachment, ...]


Kind = Literal["text", "texts", "amount", "date", "binary"]


@dataclass(frozen=True)
class Term:
    """One business term of EN 16931-1: the field it fills and where each syntax keeps it.

    ``ubl`` and ``cii`` are XPath 1.0 expressions (prefixes as in ``extraction._NS``), relative to
    the document root or, for the terms of a group, to the group's element. ``kind``: ``text``
    (whitespace normalised), ``texts`` (every occurrence), ``amount`` (``Decimal``, None when
    missing or unreadable), ``date`` (UBL's xs:date as written; CII's format 102, YYYYMMDD,
    as ISO), ``binary`` (base64 content decoded, None when missing or invalid).
    """

    bt: str
    field: str
    kind: Kind
    ubl: str
    cii: str

    def path(self, syntax: Syntax) -> str:
        return self.ubl if syntax == "UBL" else self.cii


@dataclass(frozen=True)
class Group:
    """A business group (BG) that occurs once or repeatedly, with the terms read inside it."""

    bg: str
    ubl: str
    cii: str
    terms: tuple[Term, ...]

    def path(self, syntax: Syntax) -> str:
        return self.ubl if syntax == "UBL" else self.cii


_CII_DOCUMENT = "rsm:ExchangedDocument/"
_CII_TRADE = "rsm:SupplyChainTradeTransaction/"
_CII_AGREEMENT = _CII_TRADE + "ram:ApplicableHeaderTradeAgreement/"
_CII_SETTLEMENT = _CII_TRADE + "ram:ApplicableHeaderTradeSettlement/"
_CII_TERMS = _CII_SETTLEMENT + "ram:SpecifiedTradePaymentTerms/"
_CII_PERIOD = _CII_SETTLEMENT + "ram:BillingSpecifiedPeriod/"
_CII_MEANS = _CII_SETTLEMENT + "ram:SpecifiedTradeSettlementPaymentMeans/"
_CII_SUMS = _CII_SETTLEMENT + "ram:SpecifiedTradeSettlementHeaderMonetarySummation/"
_UBL_ACCOUNT = "cac:PaymentMeans/cac:PayeeFinancialAccount/"
_UBL_TOTALS = "cac:LegalMonetaryTotal/"

# The document's own terms (CEN/TS 16931-3-2 for UBL, -3-3 for CII), in the order of EN 16931-1.
DOCUMENT_TERMS = (
    Term("BT-1", "number", "text",
         "cbc:ID",
         _CII_DOCUMENT + "ram:ID"),
    Term("BT-2", "issue_date", "date",
         "cbc:IssueDate",
         _CII_DOCUMENT + "ram:IssueDateTime/udt:DateTimeString"),
    Term("BT-3", "type_code", "text",
         "cbc:InvoiceTypeCode|cbc:CreditNoteTypeCode",
         _CII_DOCUMENT + "ram:TypeCode"),
    Term("BT-5", "currency", "text",
         "cbc:DocumentCurrencyCode",
         _CII_SETTLEMENT + "ram:InvoiceCurrencyCode"),
    Term("BT-9", "due_date", "date",
         "cbc:DueDate|cac:PaymentMeans/cbc:PaymentDueDate",
         _CII_TERMS + "ram:DueDateDateTime/udt:DateTimeString"),
    Term("BT-10", "buyer_reference", "text",
         "cbc:BuyerReference",
         _CII_AGREEMENT + "ram:BuyerReference"),
    Term("BT-12", "contract_reference", "text",
         "cac:ContractDocumentReference/cbc:ID",
         _CII_AGREEMENT + "ram:ContractReferencedDocument/ram:IssuerAssignedID"),
    Term("BT-13", "order_reference", "text",
         "cac:OrderReference/cbc:ID",
         _CII_AGREEMENT + "ram:BuyerOrderReferencedDocument/ram:IssuerAssignedID"),
    Term("BT-20", "payment_terms", "text",
         "cac:PaymentTerms/cbc:Note",
         _CII_TERMS + "ram:Description"),
    Term("BT-22", "notes", "texts",
         "cbc:Note",
         _CII_DOCUMENT + "ram:IncludedNote/ram:Content"),
    Term("BT-73", "period_start", "date",
         "cac:InvoicePeriod/cbc:StartDate",
         _CII_PERIOD + "ram:StartDateTime/udt:DateTimeString"),
    Term("BT-74", "period_end", "date",
         "cac:InvoicePeriod/cbc:EndDate",
         _CII_PERIOD + "ram:EndDateTime/udt:DateTimeString"),
    Term("BT-81", "payment_means_code", "text",
         "cac:PaymentMeans/cbc:PaymentMeansCode",
         _CII_MEANS + "ram:TypeCode"),
    Term("BT-83", "remittance_information", "text",
         "cac:PaymentMeans/cbc:PaymentID",
         _CII_SETTLEMENT + "ram:PaymentReference"),
    Term("BT-84", "iban", "text",
         _UBL_ACCOUNT + "cbc:ID",
         _CII_MEANS + "ram:PayeePartyCreditorFinancialAccount/ram:IBANID"),
    Term("BT-85", "account_name", "text",
         _UBL_ACCOUNT + "cbc:Name",
         _CII_MEANS + "ram:PayeePartyCreditorFinancialAccount/ram:AccountName"),
    Term("BT-86", "bic", "text",
         _UBL_ACCOUNT + "cac:FinancialInstitutionBranch/cbc:ID",
         _CII_MEANS + "ram:PayeeSpecifiedCreditorFinancialInstitution/ram:BICID"),
    Term("BT-106", "line_total", "amount",
         _UBL_TOTALS + "cbc:LineExtensionAmount",
         _CII_SUMS + "ram:LineTotalAmount"),
    Term("BT-107", "allowance_total", "amount",
         _UBL_TOTALS + "cbc:AllowanceTotalAmount",
         _CII_SUMS + "ram:AllowanceTotalAmount"),
    Term("BT-108", "charge_total", "amount",
         _UBL_TOTALS + "cbc:ChargeTotalAmount",
         _CII_SUMS + "ram:ChargeTotalAmount"),
    Term("BT-109", "total_without_vat", "amount",
         _UBL_TOTALS + "cbc:TaxExclusiveAmount",
         _CII_SUMS + "ram:TaxBasisTotalAmount"),
    # UBL may state the VAT total twice, in the document currency and in the VAT accounting currency.
    Term("BT-110", "vat_total", "amount",
         "cac:TaxTotal/cbc:TaxAmount[@currencyID=/*/cbc:DocumentCurrencyCode]",
         _CII_SUMS + "ram:TaxTotalAmount"),
    Term("BT-112", "total_with_vat", "amount",
         _UBL_TOTALS + "cbc:TaxInclusiveAmount",
         _CII_SUMS + "ram:GrandTotalAmount"),
    Term("BT-113", "prepaid", "amount",
         _UBL_TOTALS + "cbc:PrepaidAmount",
         _CII_SUMS + "ram:TotalPrepaidAmount"),
    Term("BT-114", "rounding", "amount",
         _UBL_TOTALS + "cbc:PayableRoundingAmount",
         _CII_SUMS + "ram:RoundingAmount"),
    Term("BT-115", "amount_due", "amount",
         _UBL_TOTALS + "cbc:PayableAmount",
         _CII_SUMS + "ram:DuePayableAmount"),
)  # fmt: skip

_PARTY_TERMS = (  # seller (BG-4) / buyer (BG-7)
    Term("BT-27/44", "name", "text",
         "cac:PartyLegalEntity/cbc:RegistrationName",
         "ram:Name"),
    Term("BT-28/45", "trading_name", "text",
         "cac:PartyName/cbc:Name",
         "ram:SpecifiedLegalOrganization/ram:TradingBusinessName"),
    Term("BT-35/50", "street", "text",
         "cac:PostalAddress/cbc:StreetName",
         "ram:PostalTradeAddress/ram:LineOne"),
    Term("BT-38/53", "postcode", "text",
         "cac:PostalAddress/cbc:PostalZone",
         "ram:PostalTradeAddress/ram:PostcodeCode"),
    Term("BT-37/52", "city", "text",
         "cac:PostalAddress/cbc:CityName",
         "ram:PostalTradeAddress/ram:CityName"),
    Term("BT-40/55", "country", "text",
         "cac:PostalAddress/cac:Country/cbc:IdentificationCode",
         "ram:PostalTradeAddress/ram:CountryID"),
    Term("BT-31/48", "vat_id", "text",
         "cac:PartyTaxScheme[cac:TaxScheme/cbc:ID='VAT']/cbc:CompanyID",
         "ram:SpecifiedTaxRegistration/ram:ID[@schemeID='VA']"),
    Term("BT-34/49", "electronic_address", "text",
         "cbc:EndpointID",
         "ram:URIUniversalCommunication/ram:URIID"),
    Term("BT-41/56", "contact_name", "text",
         "cac:Contact/cbc:Name",
         "ram:DefinedTradeContact/ram:PersonName"),
    Term("BT-42/57", "contact_phone", "text",
         "cac:Contact/cbc:Telephone",
         "ram:DefinedTradeContact/ram:TelephoneUniversalCommunication/ram:CompleteNumber"),
    Term("BT-43/58", "contact_email", "text",
         "cac:Contact/cbc:ElectronicMail",
         "ram:DefinedTradeContact/ram:EmailURIUniversalCommunication/ram:URIID"),
)  # fmt: skip

_UBL_QUANTITY = "(cbc:InvoicedQuantity|cbc:CreditedQuantity)"  # Invoice / CreditNote
_CII_LINE_SETTLEMENT = "ram:SpecifiedLineTradeSettlement/"
_CII_LINE_TAX = _CII_LINE_SETTLEMENT + "ram:ApplicableTradeTax/"
_UBL_EMBEDDED = "cac:Attachment/cbc:EmbeddedDocumentBinaryObject"

_LINE_TERMS = (
    Term("BT-126", "id", "text",
         "cbc:ID",
         "ram:AssociatedDocumentLineDocument/ram:LineID"),
    Term("BT-153", "name", "text",
         "cac:Item/cbc:Name",
         "ram:SpecifiedTradeProduct/ram:Name"),
    Term("BT-154", "description", "text",
         "cac:Item/cbc:Description",
         "ram:SpecifiedTradeProduct/ram:Description"),
    Term("BT-129", "quantity", "amount",
         _UBL_QUANTITY,
         "ram:SpecifiedLineTradeDelivery/ram:BilledQuantity"),
    Term("BT-130", "unit", "text",
         _UBL_QUANTITY + "/@unitCode",
         "ram:SpecifiedLineTradeDelivery/ram:BilledQuantity/@unitCode"),
    Term("BT-146", "net_price", "amount",
         "cac:Price/cbc:PriceAmount",
         "ram:SpecifiedLineTradeAgreement/ram:NetPriceProductTradePrice/ram:ChargeAmount"),
    Term("BT-131", "net_amount", "amount",
         "cbc:LineExtensionAmount",
         _CII_LINE_SETTLEMENT + "ram:SpecifiedTradeSettlementLineMonetarySummation/ram:LineTotalAmount"),
    Term("BT-151", "vat_category", "text",
         "cac:Item/cac:ClassifiedTaxCategory/cbc:ID",
         _CII_LINE_TAX + "ram:CategoryCode"),
    Term("BT-152", "vat_rate", "amount",
         "cac:Item/cac:ClassifiedTaxCategory/cbc:Percent",
         _CII_LINE_TAX + "ram:RateApplicablePercent"),
)  # fmt: skip

_VAT_TERMS = (
    Term("BT-118", "category", "text",
         "cac:TaxCategory/cbc:ID",
         "ram:CategoryCode"),
    Term("BT-119", "rate", "amount",
         "cac:TaxCategory/cbc:Percent",
         "ram:RateApplicablePercent"),
    Term("BT-116", "taxable_amount", "amount",
         "cbc:TaxableAmount",
         "ram:BasisAmount"),
    Term("BT-117", "tax_amount", "amount",
         "cbc:TaxAmount",
         "ram:CalculatedAmount"),
    Term("BT-120", "exemption_reason", "text",
         "cac:TaxCategory/cbc:TaxExemptionReason",
         "ram:ExemptionReason"),
)  # fmt: skip

_ATTACHMENT_TERMS = (
    Term("BT-122", "id", "text",
         "cbc:ID",
         "ram:IssuerAssignedID"),
    Term("BT-123", "description", "text",
         "cbc:DocumentDescription",
         "ram:Name"),
    Term("BT-124", "uri", "text",
         "cac:Attachment/cac:ExternalReference/cbc:URI",
         "ram:URIID"),
    Term("BT-125/@filename", "filename", "text",
         _UBL_EMBEDDED + "/@filename",
         "ram:AttachmentBinaryObject/@filename"),
    Term("BT-125/@mimeCode", "mime_code", "text",
         _UBL_EMBEDDED + "/@mimeCode",
         "ram:AttachmentBinaryObject/@mimeCode"),
    Term("BT-125", "content", "binary",
         _UBL_EMBEDDED,
         "ram:AttachmentBinaryObject"),
)  # fmt: skip

SELLER = Group(
    "BG-4", "cac:AccountingSupplierParty/cac:Party", _CII_AGREEMENT + "ram:SellerTradeParty", _PARTY_TERMS
)
BUYER = Group(
    "BG-7", "cac:AccountingCustomerParty/cac:Party", _CII_AGREEMENT + "ram:BuyerTradeParty", _PARTY_TERMS
)
LINES = Group(
    "BG-25",
    "cac:InvoiceLine|cac:CreditNoteLine",
    _CII_TRADE + "ram:IncludedSupplyChainTradeLineItem",
    _LINE_TERMS,
)
VAT_BREAKDOWN = Group(
    "BG-23", "cac:TaxTotal/cac:TaxSubtotal", _CII_SETTLEMENT + "ram:ApplicableTradeTax", _VAT_TERMS
)
ATTACHMENTS = Group(
    "BG-24",
    "cac:AdditionalDocumentReference",
    _CII_AGREEMENT + "ram:AdditionalReferencedDocument",
    _ATTACHMENT_TERMS,
)

# UNTDID 1001: 381 credit note, 396 factored credit note, 261 self-billed, 532 forwarder's.
_CREDIT_NOTE_TYPES = {"381", "396", "261", "532"}


def _nodes(node: etree._Element, path: str) -> list[etree._Element]:
    found = node.xpath(path, namespaces=_NS)
    return [e for e in found if isinstance(e, etree._Element)] if isinstance(found, list) else []


def _texts(node: etree._Element, path: str) -> list[str]:
    found = node.xpath(path, namespaces=_NS)
    values = (
        [item.text if isinstance(item, etree._Element) else str(item) for item in found]
        if isinstance(found, list)
        else []
    )
    return [" ".join((value or "").split()) for value in values]


def _decimal(value: str) -> Decimal | None:
    try:
        return Decimal(value) if value else None
    except InvalidOperation:
        return None


def _date(value: str) -> str:
    """ISO date (YYYY-MM-DD) from CII format 102 (YYYYMMDD)."""
    if len(value) == 8 and value.isdigit():
        return f"{value[:4]}-{value[4:6]}-{value[6:]}"
    return value[:10]


def _binary(element: etree._Element | None) -> bytes | None:
    if element is None or not (element.text or "").strip():
        return None
    try:
        return base64.b64decode("".join((element.text or "").split()), validate=True)
    except (binascii.Error, ValueError):
        return None


def _read(node: etree._Element | None, terms: tuple[Term, ...], syntax: Syntax) -> dict[str, Any]:
    """The value of each term under ``node`` (a missing group reads as empty), by field name."""
    values: dict[str, Any] = {}
    for term in terms:
        path = term.path(syntax)
        if term.kind == "binary":
            values[term.field] = _binary(next(iter(_nodes(node, path)), None) if node is not None else None)
            continue
        found = _texts(node, path) if node is not None else []
        first = found[0] if found else ""
        if term.kind == "texts":
            values[term.field] = tuple(found)
        elif term.kind == "amount":
            values[term.field] = _decimal(first)
        elif term.kind == "date" and syntax == "CII":
            values[term.field] = _date(first)
        else:
            values[term.field] = first
    return values


def _group(root: etree._Element, group: Group, syntax: Syntax) -> list[dict[str, Any]]:
    """The terms of every occurrence of ``group``, in document order."""
    return [_read(node, group.terms, syntax) for node in _nodes(root, group.path(syntax))]


def _party(root: etree._Element, group: Group, syntax: Syntax) -> Party:
    nodes = _nodes(root, group.path(syntax))
    return Party(**_read(nodes[0] if nodes else None, group.terms, syntax))


def read_invoice_document(tree: etree._ElementTree | etree._Element) -> InvoiceDocument:
    """Everything a reader needs from a parsed UBL Invoice/CreditNote or CII invoice."""
    root = tree.getroot() if isinstance(tree, etree._ElementTree) else tree
    namespace = etree.QName(root).namespace
    syntax: Syntax
    if namespace in (_UBL_INVOICE, _UBL_CREDIT_NOTE):
        syntax = "UBL"
    elif namespace == _NS["rsm"]:
        syntax = "CII"
    else:
        raise ValueError(f"Kein UBL- oder CII-Rechnungsdokument (Wurzelelement {root.tag}).")
    terms = _read(root, DOCUMENT_TERMS, syntax)
    return InvoiceDocument(
        syntax=syntax,
        is_credit_note=namespace == _UBL_CREDIT_NOTE or terms["type_code"] in _CREDIT_NOTE_TYPES,
        seller=_party(root, SELLER, syntax),
        buyer=_party(root, BUYER, syntax),
        lines=tuple(Line(**values) for values in _group(root, LINES, syntax)),
        vat_breakdown=tuple(VatBreakdown(**values) for values in _group(root, VAT_BREAKDOWN, syntax)),
        attachments=tuple(Attachment(**values) for values in _group(root, ATTACHMENTS, syntax)),
        **terms,
    )
