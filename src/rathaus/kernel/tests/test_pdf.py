"""The PDF helpers: core-font text, amounts, dates, IBANs and the GiroCode on paper."""

import datetime
import io
from decimal import Decimal

import pytest
from pypdf import PdfReader

from rathaus.domain.payments.girocode import GiroCodeError
from rathaus.kernel import pdf


def _text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


@pytest.mark.parametrize(
    ("value", "plain", "expected"),
    [
        ("Straße „Zitat“ – 12,00 €", False, "Straße „Zitat“ – 12,00 €"),
        ("Straße „Zitat“ – 12,00 € …", True, 'Straße "Zitat" - 12,00 € ...'),
        ("Nord ↑, −5 °C", False, "Nord ^, -5 °C"),
        ("Nguyễn 漢字", False, "Nguy?n ??"),
        ("erste\r\nzweite", False, "erste\nzweite"),
        ("5\u00a0€", True, "5 €"),
        (None, False, ""),
        (Decimal("1.5"), False, "1.5"),
    ],
)
def test_core_text_keeps_windows_1252_and_replaces_the_rest(value, plain, expected):
    assert pdf.core_text(value, plain=plain) == expected


def test_a_core_document_carries_german_text_and_its_metadata_through():
    # given a document with German text, quotes, a dash and the euro sign
    document = pdf.core_document(title="Bescheid „Gebühr“ ↑", creator="Test", author="Bürgeramt")
    document.add_page()
    document.set_font("Helvetica", size=11)
    document.multi_cell(0, 5, pdf.core_text("Zahlen Sie 12,00 € – „bis morgen“."))
    # when it is written and read back
    reader = PdfReader(io.BytesIO(bytes(document.output())))
    # then text and metadata read as written
    assert reader.pages[0].extract_text() == "Zahlen Sie 12,00 € – „bis morgen“."
    assert reader.metadata.title == "Bescheid „Gebühr“ ^" and reader.metadata.author == "Bürgeramt"


def test_the_same_input_with_a_fixed_creation_date_gives_the_same_bytes():
    created = datetime.datetime(2026, 3, 5, tzinfo=datetime.UTC)
    first = pdf.text_pdf("Meldeschein Brandt", created=created)
    assert first == pdf.text_pdf("Meldeschein Brandt", created=created)
    assert first != pdf.text_pdf("Meldeschein Brandt", created=created + datetime.timedelta(days=1))


def test_a_text_pdf_shows_its_text_on_every_page_and_can_be_encrypted():
    assert _text(pdf.text_pdf("Antrag Yılmaz", pages=2)) == "Antrag Y?lmaz\nAntrag Y?lmaz"
    locked = PdfReader(io.BytesIO(pdf.text_pdf("geheim", password="x")))
    assert locked.is_encrypted and locked.decrypt("x") and locked.pages[0].extract_text() == "geheim"


@pytest.mark.parametrize(
    ("amount", "expected"),
    [(Decimal("12829.69"), "12.829,69 €"), (Decimal("0.5"), "0,50 €"), (7, "7,00 €"), ("-3.1", "-3,10 €")],
)
def test_euro_reads_as_on_german_paper(amount, expected):
    assert pdf.euro(amount) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (datetime.date(2026, 3, 5), "05.03.2026"),
        ("2026-03-05", "05.03.2026"),
        ("2026-03-05T10:30:00+01:00", "05.03.2026"),
        ("", "–"),
        (None, "–"),
        ("im März", "im März"),
    ],
)
def test_de_date_writes_dates_day_first(value, expected):
    assert pdf.de_date(value) == expected


def test_de_date_shows_a_moment_on_the_local_calendar_day():
    """23:30 UTC on New Year's Eve is already 1 January in Bremen (Europe/Berlin)."""
    moment = datetime.datetime(2026, 12, 31, 23, 30, tzinfo=datetime.UTC)
    assert pdf.de_date(moment) == "01.01.2027"
    assert pdf.de_date(None, missing="-") == "-"


def test_iban_groups_of_four_as_on_paper():
    assert pdf.iban_groups("de02 1203 0000 00002020 51") == "DE02 1203 0000 0000 2020 51"


def test_girocode_is_a_png_of_the_transfer_with_error_level_m():
    transfer = pdf.Transfer(
        name="Landeshauptkasse Bremen",
        iban="DE02120300000000202051",
        bic="",
        amount=Decimal("18.00"),
        remittance="KZ 1234567890 Auszug",
    )
    assert pdf.girocode(transfer).error == "M"
    assert pdf.girocode_png(transfer).startswith(b"\x89PNG\r\n\x1a\n")


def test_girocode_refuses_what_a_transfer_cannot_carry():
    transfer = pdf.Transfer(name="Kasse", iban="DE00123", bic="", amount=Decimal("1.00"), remittance="x")
    with pytest.raises(GiroCodeError):
        pdf.girocode(transfer)
