"""The whole EN 16931 invoice for a human reader: parties, lines, VAT breakdown, totals, payment, attachments.

Business terms (BT) and groups (BG) follow EN 16931-1; the paths follow the syntax bindings
CEN/TS 16931-3-2 (UBL 2.1 Invoice and CreditNote) and -3-3 (UN/CEFACT CII D16B). Values are kept
as written (text; amounts as ``Decimal``); this module reads and never judges — call it on a
document that the rules accepted, or accept that a rejected one may show gaps.
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from lxml import etree

from .extraction import _NS, _UBL_CREDIT_NOTE, _UBL_INVOICE

__all__ = ["Attachment", "InvoiceDocument", "Line", "Party", "VatBreakdown", "read_invoice_document"]


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


def _first(node: etree._Element, path: str) -> str:
    found = node.xpath(path, namespaces=_NS)
    if not isinstance(found, list) or not found:
        return ""
    first = found[0]
    value = first.text if isinstance(first, etree._Element) else str(first)
    return " ".join((value or "").split())


def _all(node: etree._Element, path: str) -> list[etree._Element]:
    found = node.xpath(path, namespaces=_NS)
    return [e for e in found if isinstance(e, etree._Element)] if isinstance(found, list) else []


def _dec(node: etree._Element, path: str) -> Decimal | None:
    value = _first(node, path)
    try:
        return Decimal(value) if value else None
    except InvalidOperation:
        return None


def _date(value: str) -> str:
    """ISO date (YYYY-MM-DD) from UBL xs:date or CII format 102 (YYYYMMDD)."""
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


def _ubl_party(node: etree._Element, path: str) -> Party:
    party = next(iter(_all(node, path)), None)
    if party is None:
        return Party(*([""] * 11))
    return Party(
        name=_first(party, "cac:PartyLegalEntity/cbc:RegistrationName"),
        trading_name=_first(party, "cac:PartyName/cbc:Name"),
        street=_first(party, "cac:PostalAddress/cbc:StreetName"),
        postcode=_first(party, "cac:PostalAddress/cbc:PostalZone"),
        city=_first(party, "cac:PostalAddress/cbc:CityName"),
        country=_first(party, "cac:PostalAddress/cac:Country/cbc:IdentificationCode"),
        vat_id=_first(party, "cac:PartyTaxScheme[cac:TaxScheme/cbc:ID='VAT']/cbc:CompanyID"),
        electronic_address=_first(party, "cbc:EndpointID"),
        contact_name=_first(party, "cac:Contact/cbc:Name"),
        contact_phone=_first(party, "cac:Contact/cbc:Telephone"),
        contact_email=_first(party, "cac:Contact/cbc:ElectronicMail"),
    )


def _cii_party(node: etree._Element, path: str) -> Party:
    party = next(iter(_all(node, path)), None)
    if party is None:
        return Party(*([""] * 11))
    return Party(
        name=_first(party, "ram:Name"),
        trading_name=_first(party, "ram:SpecifiedLegalOrganization/ram:TradingBusinessName"),
        street=_first(party, "ram:PostalTradeAddress/ram:LineOne"),
        postcode=_first(party, "ram:PostalTradeAddress/ram:PostcodeCode"),
        city=_first(party, "ram:PostalTradeAddress/ram:CityName"),
        country=_first(party, "ram:PostalTradeAddress/ram:CountryID"),
        vat_id=_first(party, "ram:SpecifiedTaxRegistration/ram:ID[@schemeID='VA']"),
        electronic_address=_first(party, "ram:URIUniversalCommunication/ram:URIID"),
        contact_name=_first(party, "ram:DefinedTradeContact/ram:PersonName"),
        contact_phone=_first(
            party, "ram:DefinedTradeContact/ram:TelephoneUniversalCommunication/ram:CompleteNumber"
        ),
        contact_email=_first(party, "ram:DefinedTradeContact/ram:EmailURIUniversalCommunication/ram:URIID"),
    )


def _read_ubl(root: etree._Element) -> InvoiceDocument:
    credit = etree.QName(root).namespace == _UBL_CREDIT_NOTE
    line_tag, qty_tag = (
        ("cac:CreditNoteLine", "cbc:CreditedQuantity")
        if credit
        else (
            "cac:InvoiceLine",
            "cbc:InvoicedQuantity",
        )
    )
    totals = "cac:LegalMonetaryTotal/"
    lines = tuple(
        Line(
            id=_first(line, "cbc:ID"),
            name=_first(line, "cac:Item/cbc:Name"),
            description=_first(line, "cac:Item/cbc:Description"),
            quantity=_dec(line, qty_tag),
            unit=_first(line, f"{qty_tag}/@unitCode"),
            net_price=_dec(line, "cac:Price/cbc:PriceAmount"),
            net_amount=_dec(line, "cbc:LineExtensionAmount"),
            vat_category=_first(line, "cac:Item/cac:ClassifiedTaxCategory/cbc:ID"),
            vat_rate=_dec(line, "cac:Item/cac:ClassifiedTaxCategory/cbc:Percent"),
        )
        for line in _all(root, line_tag)
    )
    vat = tuple(
        VatBreakdown(
            category=_first(sub, "cac:TaxCategory/cbc:ID"),
            rate=_dec(sub, "cac:TaxCategory/cbc:Percent"),
            taxable_amount=_dec(sub, "cbc:TaxableAmount"),
            tax_amount=_dec(sub, "cbc:TaxAmount"),
            exemption_reason=_first(sub, "cac:TaxCategory/cbc:TaxExemptionReason"),
        )
        for sub in _all(root, "cac:TaxTotal/cac:TaxSubtotal")
    )
    attachments = tuple(
        Attachment(
            id=_first(ref, "cbc:ID"),
            description=_first(ref, "cbc:DocumentDescription"),
            uri=_first(ref, "cac:Attachment/cac:ExternalReference/cbc:URI"),
            filename=_first(ref, "cac:Attachment/cbc:EmbeddedDocumentBinaryObject/@filename"),
            mime_code=_first(ref, "cac:Attachment/cbc:EmbeddedDocumentBinaryObject/@mimeCode"),
            content=_binary(next(iter(_all(ref, "cac:Attachment/cbc:EmbeddedDocumentBinaryObject")), None)),
        )
        for ref in _all(root, "cac:AdditionalDocumentReference")
    )
    return InvoiceDocument(
        syntax="UBL",
        is_credit_note=credit or _first(root, "cbc:InvoiceTypeCode") in {"381", "396", "261", "532"},
        number=_first(root, "cbc:ID"),
        issue_date=_first(root, "cbc:IssueDate"),
        type_code=_first(root, "cbc:InvoiceTypeCode|cbc:CreditNoteTypeCode"),
        currency=_first(root, "cbc:DocumentCurrencyCode"),
        due_date=_first(root, "cbc:DueDate|cac:PaymentMeans/cbc:PaymentDueDate"),
        buyer_reference=_first(root, "cbc:BuyerReference"),
        order_reference=_first(root, "cac:OrderReference/cbc:ID"),
        contract_reference=_first(root, "cac:ContractDocumentReference/cbc:ID"),
        notes=tuple(" ".join((n.text or "").split()) for n in _all(root, "cbc:Note")),
        period_start=_first(root, "cac:InvoicePeriod/cbc:StartDate"),
        period_end=_first(root, "cac:InvoicePeriod/cbc:EndDate"),
        seller=_ubl_party(root, "cac:AccountingSupplierParty/cac:Party"),
        buyer=_ubl_party(root, "cac:AccountingCustomerParty/cac:Party"),
        payment_means_code=_first(root, "cac:PaymentMeans/cbc:PaymentMeansCode"),
        remittance_information=_first(root, "cac:PaymentMeans/cbc:PaymentID"),
        iban=_first(root, "cac:PaymentMeans/cac:PayeeFinancialAccount/cbc:ID"),
        account_name=_first(root, "cac:PaymentMeans/cac:PayeeFinancialAccount/cbc:Name"),
        bic=_first(root, "cac:PaymentMeans/cac:PayeeFinancialAccount/cac:FinancialInstitutionBranch/cbc:ID"),
        payment_terms=_first(root, "cac:PaymentTerms/cbc:Note"),
        lines=lines,
        vat_breakdown=vat,
        line_total=_dec(root, totals + "cbc:LineExtensionAmount"),
        allowance_total=_dec(root, totals + "cbc:AllowanceTotalAmount"),
        charge_total=_dec(root, totals + "cbc:ChargeTotalAmount"),
        total_without_vat=_dec(root, totals + "cbc:TaxExclusiveAmount"),
        vat_total=_dec(root, "cac:TaxTotal/cbc:TaxAmount[@currencyID=/*/cbc:DocumentCurrencyCode]"),
        total_with_vat=_dec(root, totals + "cbc:TaxInclusiveAmount"),
        prepaid=_dec(root, totals + "cbc:PrepaidAmount"),
        rounding=_dec(root, totals + "cbc:PayableRoundingAmount"),
        amount_due=_dec(root, totals + "cbc:PayableAmount"),
        attachments=attachments,
    )


def _read_cii(root: etree._Element) -> InvoiceDocument:
    trade = "rsm:SupplyChainTradeTransaction/"
    agreement = trade + "ram:ApplicableHeaderTradeAgreement/"
    settlement = trade + "ram:ApplicableHeaderTradeSettlement/"
    sums = settlement + "ram:SpecifiedTradeSettlementHeaderMonetarySummation/"
    means = settlement + "ram:SpecifiedTradeSettlementPaymentMeans/"
    lines = tuple(
        Line(
            id=_first(line, "ram:AssociatedDocumentLineDocument/ram:LineID"),
            name=_first(line, "ram:SpecifiedTradeProduct/ram:Name"),
            description=_first(line, "ram:SpecifiedTradeProduct/ram:Description"),
            quantity=_dec(line, "ram:SpecifiedLineTradeDelivery/ram:BilledQuantity"),
            unit=_first(line, "ram:SpecifiedLineTradeDelivery/ram:BilledQuantity/@unitCode"),
            net_price=_dec(
                line, "ram:SpecifiedLineTradeAgreement/ram:NetPriceProductTradePrice/ram:ChargeAmount"
            ),
            net_amount=_dec(
                line,
                "ram:SpecifiedLineTradeSettlement/ram:SpecifiedTradeSettlementLineMonetarySummation"
                "/ram:LineTotalAmount",
            ),
            vat_category=_first(
                line, "ram:SpecifiedLineTradeSettlement/ram:ApplicableTradeTax/ram:CategoryCode"
            ),
            vat_rate=_dec(
                line, "ram:SpecifiedLineTradeSettlement/ram:ApplicableTradeTax/ram:RateApplicablePercent"
            ),
        )
        for line in _all(root, trade + "ram:IncludedSupplyChainTradeLineItem")
    )
    vat = tuple(
        VatBreakdown(
            category=_first(tax, "ram:CategoryCode"),
            rate=_dec(tax, "ram:RateApplicablePercent"),
            taxable_amount=_dec(tax, "ram:BasisAmount"),
            tax_amount=_dec(tax, "ram:CalculatedAmount"),
            exemption_reason=_first(tax, "ram:ExemptionReason"),
        )
        for tax in _all(root, settlement + "ram:ApplicableTradeTax")
    )
    attachments = tuple(
        Attachment(
            id=_first(ref, "ram:IssuerAssignedID"),
            description=_first(ref, "ram:Name"),
            uri=_first(ref, "ram:URIID"),
            filename=_first(ref, "ram:AttachmentBinaryObject/@filename"),
            mime_code=_first(ref, "ram:AttachmentBinaryObject/@mimeCode"),
            content=_binary(next(iter(_all(ref, "ram:AttachmentBinaryObject")), None)),
        )
        for ref in _all(root, agreement + "ram:AdditionalReferencedDocument")
    )
    type_code = _first(root, "rsm:ExchangedDocument/ram:TypeCode")
    return InvoiceDocument(
        syntax="CII",
        is_credit_note=type_code in {"381", "396", "261", "532"},
        number=_first(root, "rsm:ExchangedDocument/ram:ID"),
        issue_date=_date(_first(root, "rsm:ExchangedDocument/ram:IssueDateTime/udt:DateTimeString")),
        type_code=type_code,
        currency=_first(root, settlement + "ram:InvoiceCurrencyCode"),
        due_date=_date(
            _first(root, settlement + "ram:SpecifiedTradePaymentTerms/ram:DueDateDateTime/udt:DateTimeString")
        ),
        buyer_reference=_first(root, agreement + "ram:BuyerReference"),
        order_reference=_first(root, agreement + "ram:BuyerOrderReferencedDocument/ram:IssuerAssignedID"),
        contract_reference=_first(root, agreement + "ram:ContractReferencedDocument/ram:IssuerAssignedID"),
        notes=tuple(
            " ".join((n.text or "").split())
            for n in _all(root, "rsm:ExchangedDocument/ram:IncludedNote/ram:Content")
        ),
        period_start=_date(
            _first(root, settlement + "ram:BillingSpecifiedPeriod/ram:StartDateTime/udt:DateTimeString")
        ),
        period_end=_date(
            _first(root, settlement + "ram:BillingSpecifiedPeriod/ram:EndDateTime/udt:DateTimeString")
        ),
        seller=_cii_party(root, agreement + "ram:SellerTradeParty"),
        buyer=_cii_party(root, agreement + "ram:BuyerTradeParty"),
        payment_means_code=_first(root, means + "ram:TypeCode"),
        remittance_information=_first(root, settlement + "ram:PaymentReference"),
        iban=_first(root, means + "ram:PayeePartyCreditorFinancialAccount/ram:IBANID"),
        account_name=_first(root, means + "ram:PayeePartyCreditorFinancialAccount/ram:AccountName"),
        bic=_first(root, means + "ram:PayeeSpecifiedCreditorFinancialInstitution/ram:BICID"),
        payment_terms=_first(root, settlement + "ram:SpecifiedTradePaymentTerms/ram:Description"),
        lines=lines,
        vat_breakdown=vat,
        line_total=_dec(root, sums + "ram:LineTotalAmount"),
        allowance_total=_dec(root, sums + "ram:AllowanceTotalAmount"),
        charge_total=_dec(root, sums + "ram:ChargeTotalAmount"),
        total_without_vat=_dec(root, sums + "ram:TaxBasisTotalAmount"),
        vat_total=_dec(root, sums + "ram:TaxTotalAmount"),
        total_with_vat=_dec(root, sums + "ram:GrandTotalAmount"),
        prepaid=_dec(root, sums + "ram:TotalPrepaidAmount"),
        rounding=_dec(root, sums + "ram:RoundingAmount"),
        amount_due=_dec(root, sums + "ram:DuePayableAmount"),
        attachments=attachments,
    )


def read_invoice_document(tree: etree._ElementTree | etree._Element) -> InvoiceDocument:
    """Everything a reader needs from a parsed UBL Invoice/CreditNote or CII invoice."""
    root = tree.getroot() if isinstance(tree, etree._ElementTree) else tree
    namespace = etree.QName(root).namespace
    if namespace in (_UBL_INVOICE, _UBL_CREDIT_NOTE):
        return _read_ubl(root)
    if namespace == _NS["rsm"]:
        return _read_cii(root)
    raise ValueError(f"Kein UBL- oder CII-Rechnungsdokument (Wurzelelement {root.tag}).")
