"""Text and formats for the PDFs the apps draw with fpdf2: one way to fit text into the core fonts,
to write an amount and a date, and to put a GiroCode on paper.

The PDF core fonts (Helvetica, Times, Courier) need no font files, but they know one 8-bit
encoding only: Windows-1252 ("WinAnsi"), which has the German letters, the euro sign, the
typographic quotes „…“ and the dashes. ``core_text`` fits any text into it: the up arrow and the
minus sign get their ASCII stand-ins, anything else outside the encoding becomes "?" (a document
is never refused for one character); ``plain=True`` also writes quotes, dashes and ellipses as
ASCII, for renderings that show data as received. Amounts read as on the pages ("12.829,69 €",
``rathaus.domain.money.format_eur``), dates as "05.03.2026".

The GiroCode is the EPC QR code of EPC069-12 (payload: ``rathaus.domain.payments.girocode``);
``Transfer`` holds what a payer needs, and the printed text and the code show the same.

Public names: ``CORE_FONT_ENCODING``, ``core_text``, ``core_document``, ``heading``,
``field_row``, ``text_pdf``, ``euro``, ``de_date``, ``iban_groups``, ``Transfer``, ``girocode``,
``girocode_png``.
"""

from __future__ import annotations

import datetime
import io
from dataclasses import dataclass
from decimal import Decimal

import segno
from django.utils import timezone
from fpdf import FPDF

from rathaus.domain.money import format_eur
from rathaus.domain.payments.girocode import epc_payload

__all__ = [
    "CORE_FONT_ENCODING",
    "Transfer",
    "core_document",
    "core_text",
    "de_date",
    "euro",
    "field_row",
    "girocode",
    "girocode_png",
    "heading",
    "iban_groups",
    "text_pdf",
]

CORE_FONT_ENCODING = "windows-1252"

# Characters outside Windows-1252 that have a readable stand-in.
_STAND_INS = str.maketrans({"↑": "^", "−": "-"})
# Inside Windows-1252, but written as ASCII with ``plain=True``.
_PLAIN = str.maketrans(
    {
        "\u00a0": " ",
        "–": "-",
        "—": "-",
        "„": '"',
        "“": '"',
        "”": '"',
        "‚": "'",
        "‘": "'",
        "’": "'",
        "…": "...",
    }
)


def core_text(value: object, *, plain: bool = False) -> str:
    """``value`` as text a core font can show ("" for ``None``); see the module docstring."""
    text = "" if value is None else str(value)
    text = text.replace("\r\n", "\n").translate(_STAND_INS)
    if plain:
        text = text.translate(_PLAIN)
    return text.encode(CORE_FONT_ENCODING, "replace").decode(CORE_FONT_ENCODING)


def core_document(
    *,
    title: str,
    creator: str,
    author: str = "",
    language: str = "",
    created: datetime.datetime | None = None,
) -> FPDF:
    """An empty A4 document (millimetres) for the core fonts, with its metadata set.

    ``created`` fixes the creation date (the same input then renders to the same bytes);
    without it fpdf2 takes the clock.
    """
    pdf = FPDF(format="A4")
    pdf.core_fonts_encoding = CORE_FONT_ENCODING
    pdf.set_title(core_text(title))
    if language:
        pdf.set_lang(language)
    if author:
        pdf.set_author(core_text(author))
    pdf.set_creator(creator)
    if created is not None:
        pdf.set_creation_date(created)
    return pdf


def heading(pdf: FPDF, text: str, *, size: int = 16, height: float = 10) -> None:
    """A line of bold Helvetica across the page; the cursor moves to the next line."""
    pdf.set_font("Helvetica", "B", size)
    pdf.cell(0, height, core_text(text), new_x="LMARGIN", new_y="NEXT")


def field_row(
    pdf: FPDF, label: str, value: str, *, label_width: float = 55, height: float = 7, size: int = 11
) -> None:
    """A form line: the label in bold, the value beside it (wrapping within the page)."""
    pdf.set_font("Helvetica", "B", size)
    pdf.cell(label_width, height, core_text(label))
    pdf.set_font("Helvetica", size=size)
    pdf.multi_cell(0, height, core_text(value), new_x="LMARGIN", new_y="NEXT")


def text_pdf(
    text: str,
    *,
    pages: int = 1,
    title: str = "",
    creator: str = "Rathaus",
    created: datetime.datetime | None = None,
    password: str | None = None,
) -> bytes:
    """A plain A4 PDF of ``pages`` pages, each showing ``text`` in 12 pt Helvetica (blank pages
    for no text); ``title`` defaults to ``text``. ``password`` encrypts it (RC4, as user and owner
    password). For demo data and tests, not for documents people receive."""
    pdf = core_document(title=title or text, creator=creator, created=created)
    for _ in range(pages):
        pdf.add_page()
        pdf.set_font("Helvetica", size=12)
        if text:
            pdf.multi_cell(0, 6, core_text(text))
    if password is not None:
        pdf.set_encryption(owner_password=password, user_password=password)
    return bytes(pdf.output())


def euro(amount: Decimal | int | str) -> str:
    """An amount in euros as German paper shows it: "12.829,69 €"."""
    return format_eur(amount, "de")


def de_date(value: datetime.date | str | None, *, missing: str = "–") -> str:
    """A date as DD.MM.YYYY: a ``date``, an aware ``datetime`` (in local time) or an ISO string
    ("2026-03-05", also the date part of a timestamp); ``missing`` for none, other text unchanged."""
    if not value:
        return missing
    if isinstance(value, datetime.datetime) and timezone.is_aware(value):
        value = timezone.localtime(value)
    if isinstance(value, datetime.date):
        return f"{value:%d.%m.%Y}"
    try:
        return f"{datetime.date.fromisoformat(str(value)[:10]):%d.%m.%Y}"
    except ValueError:
        return str(value)


def iban_groups(iban: str) -> str:
    """An IBAN as printed on paper (DIN 5008): groups of four characters."""
    compact = "".join(str(iban).split()).upper()
    return " ".join(compact[i : i + 4] for i in range(0, len(compact), 4))


@dataclass(frozen=True)
class Transfer:
    """What a payer needs for a bank transfer (the fields of EPC069-12)."""

    name: str
    iban: str
    bic: str
    amount: Decimal
    remittance: str


def girocode(transfer: Transfer) -> segno.QRCode:
    """The GiroCode of ``transfer``: error correction level M, as EPC069-12 requires.

    Raises ``rathaus.domain.payments.girocode.GiroCodeError`` for data a GiroCode cannot carry.
    """
    payload = epc_payload(
        name=transfer.name,
        iban=transfer.iban,
        bic=transfer.bic,
        amount=transfer.amount,
        remittance=transfer.remittance,
    )
    return segno.make(payload, error="m", micro=False)


def girocode_png(transfer: Transfer, *, scale: int = 5) -> bytes:
    """The GiroCode of ``transfer`` as PNG with the quiet zone of four modules (for ``FPDF.image``)."""
    out = io.BytesIO()
    girocode(transfer).save(out, kind="png", scale=scale, border=4)
    return out.getvalue()
