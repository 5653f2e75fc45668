"""Reading (and, for demo and tests, writing) ISO 20022 bank statements.

Reads camt.053 (BkToCstmrStmt, end-of-day statement) and camt.054 (BkToCstmrDbtCdtNtfctn,
debit/credit notification), versions .001.02 and .001.08 as used by German banks (DK
specification). Only booked (``Sts`` = BOOK) credits (``CdtDbtInd`` = CRDT) are returned;
a batch entry with several ``TxDtls`` gives one credit per transaction. External XML is
parsed only through ``rathaus.kernel.xmlsafe``.
"""

from __future__ import annotations

import datetime
import hashlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path
from xml.sax.saxutils import escape

from django.conf import settings

from rathaus.kernel import xmlsafe
from rathaus.kernel.exceptions import InvalidInput

MAX_BYTES = 200 * 1024 * 1024
CENT = Decimal("0.01")
NAMESPACES = {
    "urn:iso:std:iso:20022:tech:xsd:camt.053.001.02": ("camt.053", "BkToCstmrStmt", "Stmt"),
    "urn:iso:std:iso:20022:tech:xsd:camt.053.001.08": ("camt.053", "BkToCstmrStmt", "Stmt"),
    "urn:iso:std:iso:20022:tech:xsd:camt.054.001.02": ("camt.054", "BkToCstmrDbtCdtNtfctn", "Ntfctn"),
    "urn:iso:std:iso:20022:tech:xsd:camt.054.001.08": ("camt.054", "BkToCstmrDbtCdtNtfctn", "Ntfctn"),
}


class CamtRejected(InvalidInput):
    default_code = "camt_rejected"
    default_message = "Die Kontoauszugsdatei wurde abgelehnt."


def schema_path(namespace: str) -> Path:
    name = namespace.rsplit(":", 1)[-1]
    default = Path(settings.PROJECT_DIR).parent / "shared/standards/iso20022-camt/xsd"
    base = Path(getattr(settings, "CAMT_SCHEMA_DIR", default))
    return base / f"{name}.xsd"


@dataclass(frozen=True)
class Credit:
    dedup_key: str
    amount: Decimal
    currency: str
    booked_on: datetime.date
    debtor_name: str
    debtor_iban: str
    remittance: str
    # "<IBAN>:<AcctSvcrRef of the entry>", shared by all credits of one entry; "" without one.
    entry_key: str = ""


@dataclass(frozen=True)
class Statement:
    kind: str
    namespace: str
    message_id: str
    statement_id: str
    account_iban: str
    credits: list[Credit]


def _date(text: str) -> datetime.date:
    return datetime.date.fromisoformat(text[:10])


def parse(data: bytes) -> list[Statement]:
    """The statements in a camt file; ``CamtRejected`` for anything that is not one."""
    root = xmlsafe.parse(data, max_bytes=MAX_BYTES)
    namespace = root.tag[1:].split("}")[0] if root.tag.startswith("{") else ""
    if namespace not in NAMESPACES or root.tag != f"{{{namespace}}}Document":
        raise CamtRejected(
            "Die Datei ist kein camt.053- oder camt.054-Dokument (Version 001.02 oder 001.08).",
            code="camt_type",
        )
    kind, message_tag, statement_tag = NAMESPACES[namespace]
    n = f"{{{namespace}}}"
    message = root.find(n + message_tag)
    if message is None:
        raise CamtRejected(f"Das Element {message_tag} fehlt.", code="camt_structure")
    message_id = message.findtext(f"{n}GrpHdr/{n}MsgId") or ""
    statements = []
    for stmt in message.iterfind(n + statement_tag):
        iban = (
            stmt.findtext(f"{n}Acct/{n}Id/{n}IBAN") or stmt.findtext(f"{n}Acct/{n}Id/{n}Othr/{n}Id") or ""
        ).strip()
        statement_id = stmt.findtext(n + "Id") or ""
        credits: list[Credit] = []
        for index, entry in enumerate(stmt.iterfind(n + "Ntry")):
            credits.extend(_entry_credits(entry, n, iban, statement_id, index))
        statements.append(Statement(kind, namespace, message_id, statement_id, iban.upper(), credits))
    if not statements:
        raise CamtRejected("Die Datei enthält keinen Kontoauszug.", code="camt_empty")
    return statements


def _amount(element, n: str) -> tuple[Decimal, str]:  # noqa: ANN001 (lxml element)
    try:
        amount = Decimal((element.text or "").strip())
    except InvalidOperation:
        amount = Decimal("NaN")
    if not amount.is_finite():
        raise CamtRejected(f"„{element.text}“ ist kein Betrag.", code="camt_amount")
    currency = element.get("Ccy", "")
    # Euros are booked in whole cents; a fraction of a cent cannot be booked to anyone.
    if currency == "EUR" and amount != amount.quantize(CENT):
        raise CamtRejected(
            f"Der Betrag „{element.text}“ EUR hat mehr als zwei Nachkommastellen.", code="camt_amount"
        )
    return amount, currency


def _entry_credits(entry, n: str, iban: str, statement_id: str, index: int) -> Iterator[Credit]:  # noqa: ANN001
    if entry.findtext(n + "CdtDbtInd") != "CRDT":
        return
    status = (entry.findtext(f"{n}Sts/{n}Cd") or entry.findtext(n + "Sts") or "").strip()
    if status != "BOOK":
        return
    amount_el = entry.find(n + "Amt")
    if amount_el is None:
        raise CamtRejected("Eine Buchung hat keinen Betrag.", code="camt_amount")
    entry_amount, currency = _amount(amount_el, n)
    booked = entry.findtext(f"{n}BookgDt/{n}Dt") or entry.findtext(f"{n}BookgDt/{n}DtTm") or ""
    try:
        booked_on = _date(booked)
    except ValueError:
        raise CamtRejected(f"Ungültiges Buchungsdatum „{booked}“.", code="camt_date") from None
    entry_ref = (entry.findtext(n + "AcctSvcrRef") or "").strip()
    details = entry.findall(f"{n}NtryDtls/{n}TxDtls")
    for tx_index, tx in enumerate(details or [None]):
        amount, tx_currency = entry_amount, currency
        remittance, debtor, debtor_iban, tx_ref = "", "", "", ""
        if tx is not None:
            tx_amount = tx.find(n + "Amt")
            if tx_amount is None:
                tx_amount = tx.find(f"{n}AmtDtls/{n}TxAmt/{n}Amt")
            if tx_amount is not None and len(details) > 1:
                amount, tx_currency = _amount(tx_amount, n)
            remittance = " ".join(
                x.text.strip() for x in tx.iterfind(f"{n}RmtInf/{n}Ustrd") if x.text
            ) or " ".join(
                x.text.strip() for x in tx.iterfind(f"{n}RmtInf/{n}Strd/{n}CdtrRefInf/{n}Ref") if x.text
            )
            debtor = (
                tx.findtext(f"{n}RltdPties/{n}Dbtr/{n}Pty/{n}Nm")
                or tx.findtext(f"{n}RltdPties/{n}Dbtr/{n}Nm")
                or ""
            )
            debtor_iban = tx.findtext(f"{n}RltdPties/{n}DbtrAcct/{n}Id/{n}IBAN") or ""
            tx_ref = tx.findtext(f"{n}Refs/{n}AcctSvcrRef") or ""
        if not remittance:
            remittance = entry.findtext(n + "AddtlNtryInf") or ""
        if entry_ref or tx_ref:
            key = f"{iban}:{tx_ref or entry_ref}:{tx_index}"
        else:
            digest = hashlib.sha256(
                f"{iban}|{statement_id}|{index}|{tx_index}|{booked_on}|{amount}|{remittance}|{debtor}".encode()
            ).hexdigest()[:40]
            key = f"{iban}:h:{digest}"
        yield Credit(
            key[:120],
            amount,
            tx_currency,
            booked_on,
            debtor.strip()[:140],
            debtor_iban.strip(),
            remittance[:500],
            f"{iban}:{entry_ref}"[:120] if entry_ref else "",
        )


def validate(data: bytes) -> list[xmlsafe.SchemaError]:
    """Schema errors of a camt file against its official XSD (tests and the import command's --validate)."""
    root = xmlsafe.parse(data, max_bytes=MAX_BYTES)
    namespace = root.tag[1:].split("}")[0]
    if namespace not in NAMESPACES:
        raise CamtRejected("Unbekannter Dokumenttyp.", code="camt_type")
    return xmlsafe.validate(root, schema_path(namespace))


@dataclass(frozen=True)
class OutCredit:
    amount: Decimal
    remittance: str
    debtor_name: str = "Max Mustermann"
    debtor_iban: str = "DE02120300000000202051"
    booked_on: datetime.date = datetime.date(2026, 11, 27)
    reference: str = ""


def write_camt053(
    *, iban: str, message_id: str, credits: Iterable[OutCredit], created: str = "2026-11-27T18:00:00+01:00"
) -> bytes:
    """A camt.053.001.08 statement with the given credits (valid against the XSD)."""
    parts = [
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.08"><BkToCstmrStmt>'
        f"<GrpHdr><MsgId>{escape(message_id)}</MsgId><CreDtTm>{created}</CreDtTm></GrpHdr>"
        f"<Stmt><Id>{escape(message_id)}-1</Id><CreDtTm>{created}</CreDtTm>"
        f"<Acct><Id><IBAN>{escape(iban)}</IBAN></Id><Ccy>EUR</Ccy></Acct>"
        '<Bal><Tp><CdOrPrtry><Cd>OPBD</Cd></CdOrPrtry></Tp><Amt Ccy="EUR">0.00</Amt>'
        "<CdtDbtInd>CRDT</CdtDbtInd><Dt><Dt>2026-11-27</Dt></Dt></Bal>"
    ]
    for i, c in enumerate(credits):
        ref = c.reference or f"{message_id}-{i}"
        parts.append(
            f'<Ntry><Amt Ccy="EUR">{c.amount:.2f}</Amt><CdtDbtInd>CRDT</CdtDbtInd><Sts><Cd>BOOK</Cd></Sts>'
            f"<BookgDt><Dt>{c.booked_on.isoformat()}</Dt></BookgDt><ValDt><Dt>{c.booked_on.isoformat()}</Dt></ValDt>"
            f"<AcctSvcrRef>{escape(ref)}</AcctSvcrRef>"
            "<BkTxCd><Domn><Cd>PMNT</Cd><Fmly><Cd>RCDT</Cd><SubFmlyCd>ESCT</SubFmlyCd></Fmly></Domn></BkTxCd>"
            f"<NtryDtls><TxDtls><Refs><EndToEndId>NOTPROVIDED</EndToEndId></Refs>"
            f'<Amt Ccy="EUR">{c.amount:.2f}</Amt><CdtDbtInd>CRDT</CdtDbtInd>'
            f"<RltdPties><Dbtr><Pty><Nm>{escape(c.debtor_name)}</Nm></Pty></Dbtr>"
            f"<DbtrAcct><Id><IBAN>{escape(c.debtor_iban)}</IBAN></Id></DbtrAcct></RltdPties>"
            f"<RmtInf><Ustrd>{escape(c.remittance[:140])}</Ustrd></RmtInf></TxDtls></NtryDtls></Ntry>"
        )
    parts.append("</Stmt></BkToCstmrStmt></Document>\n")
    return "".join(parts).encode("utf-8")
