"""The payment export for the budget and cash accounting system (HKR): format version 1.

One CSV file per export run (RFC 4180 with these choices): UTF-8 without byte order mark,
``;`` as separator, CRLF line ends, fields quoted with ``"`` only when needed, a header line
with the column names below, amounts with a decimal point and exactly two decimals, dates as
ISO 8601 (``YYYY-MM-DD``), times as ISO 8601 UTC. Columns, in order:

=====================  ====================================================================
``format``             always ``RATHAUS-HKR-1``
``export_nr``          number of the export run (the same in every line of one file)
``anordnung_nr``       payment order number ``ER-<year>-<invoice id, 8 digits>``; unique
``art``                ``RE`` invoice, ``GS`` credit note (BT-3 381/396/261/532)
``dienststelle``       receiving authority (its short key, ``directory.Office.slug``)
``leitweg_id``         BT-10
``kreditor``           seller name (BT-27)
``ust_id``             seller VAT ID (BT-31), may be empty
``iban``               payee account (BT-84), may be empty (then the HKR asks the clerk)
``rechnungsnummer``    BT-1
``rechnungsdatum``     BT-2
``faellig_am``         due date (BT-9), may be empty
``waehrung``           BT-5 (ISO 4217)
``betrag``             amount due for payment (BT-115)
``verwendungszweck``   remittance text, at most 140 characters (SEPA)
``sachlich_richtig``   who established the factual correctness (user name)
``rechnerisch_richtig``  who established the arithmetic correctness (user name)
``angeordnet_von``     who ordered the payment (user name)
``angeordnet_am``      when (UTC)
``sha256``             SHA-256 of the original invoice document (evidence link)
=====================  ====================================================================
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

__all__ = [
    "COLUMNS",
    "FORMAT",
    "PaymentOrder",
    "order_number",
    "parse_order_number",
    "remittance_text",
    "to_csv",
]

FORMAT = "RATHAUS-HKR-1"
COLUMNS = (
    "format",
    "export_nr",
    "anordnung_nr",
    "art",
    "dienststelle",
    "leitweg_id",
    "kreditor",
    "ust_id",
    "iban",
    "rechnungsnummer",
    "rechnungsdatum",
    "faellig_am",
    "waehrung",
    "betrag",
    "verwendungszweck",
    "sachlich_richtig",
    "rechnerisch_richtig",
    "angeordnet_von",
    "angeordnet_am",
    "sha256",
)
_CENT = Decimal("0.01")


@dataclass(frozen=True)
class PaymentOrder:
    invoice_id: int
    is_credit_note: bool
    office: str
    leitweg_id: str
    seller_name: str
    seller_vat_id: str
    iban: str
    invoice_number: str
    issue_date: dt.date
    due_date: dt.date | None
    currency: str
    amount: Decimal
    factual_by: str
    arithmetic_by: str
    ordered_by: str
    ordered_at: dt.datetime
    sha256: str


def order_number(invoice_id: int, ordered_at: dt.datetime) -> str:
    return f"ER-{ordered_at.astimezone(dt.UTC).year}-{invoice_id:08d}"


_ORDER_NUMBER = re.compile(r"^ER-(?P<year>[0-9]{4})-(?P<id>[0-9]{8,})$")


def parse_order_number(text: str) -> int:
    """The invoice id in a payment order number ``ER-<year>-<id>``; ``ValueError`` otherwise."""
    found = _ORDER_NUMBER.fullmatch(text.strip().upper())
    if found is None:
        raise ValueError(f"„{text}“ ist keine Anordnungsnummer (ER-JJJJ-NNNNNNNN).")
    return int(found["id"])


def remittance_text(order: PaymentOrder) -> str:
    """``RE <number> vom <DD.MM.YYYY>`` (``GS`` for credit notes), cut to SEPA's 140 characters."""
    kind = "GS" if order.is_credit_note else "RE"
    return f"{kind} {order.invoice_number} vom {order.issue_date:%d.%m.%Y}"[:140]


def _row(order: PaymentOrder, export_nr: int) -> list[str]:
    return [
        FORMAT,
        str(export_nr),
        order_number(order.invoice_id, order.ordered_at),
        "GS" if order.is_credit_note else "RE",
        order.office,
        order.leitweg_id,
        order.seller_name,
        order.seller_vat_id,
        order.iban,
        order.invoice_number,
        order.issue_date.isoformat(),
        order.due_date.isoformat() if order.due_date else "",
        order.currency,
        f"{order.amount.quantize(_CENT):f}",
        remittance_text(order),
        order.factual_by,
        order.arithmetic_by,
        order.ordered_by,
        order.ordered_at.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        order.sha256,
    ]


def to_csv(orders: Iterable[PaymentOrder], *, export_nr: int) -> bytes:
    """The export file for ``orders`` (see the module docstring for the format)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerow(COLUMNS)
    for order in orders:
        writer.writerow(_row(order, export_nr))
    return buffer.getvalue().encode("utf-8")
