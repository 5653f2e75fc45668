"""The Art. 15 DSGVO copy as PDF (fpdf2 with the core fonts of ``rathaus.kernel.pdf``): every
section of ``art15.art15_export`` with German labels, German whatever the page language."""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from fpdf import FPDF

from rathaus.kernel.pdf import core_document, core_text, de_date, euro, field_row, heading

# Section key of the export → (heading, what to say when empty, field labels in order).
SECTIONS: tuple[tuple[str, str, str, dict[str, str]], ...] = (
    (
        "consents",
        "Einwilligungen",
        "Sie haben keine Einwilligungen erteilt.",
        {
            "purpose": "Zweck",
            "legal_basis": "Rechtsgrundlage",
            "from_office": "Von",
            "to_office": "An",
            "categories": "Daten",
            "given_at": "Erteilt am",
            "valid_until": "Gültig bis",
            "withdrawn_at": "Widerrufen am",
        },
    ),
    (
        "exchanges",
        "Übermittlungen zwischen Behörden",
        "Bisher wurden keine Daten von Ihnen zwischen Behörden übermittelt.",
        {
            "time": "Zeitpunkt",
            "requesting_office": "Anfragende Stelle",
            "purpose": "Zweck",
            "legal_basis": "Rechtsgrundlage",
            "categories": "Übermittelte Daten",
            "outcome": "Ergebnis",
            "refusal_reason": "Grund der Ablehnung",
        },
    ),
    (
        "cases",
        "Vorgänge in der E-Akte",
        "Es gibt keine Vorgänge über Sie.",
        {
            "aktenzeichen": "Aktenzeichen",
            "subject": "Betreff",
            "office": "Dienststelle",
            "status": "Stand",
            "opened_at": "Eröffnet am",
            "closed_at": "Abgeschlossen am",
        },
    ),
    (
        "appointments",
        "Termine",
        "Sie haben keine Termine gebucht.",
        {
            "start": "Beginn",
            "office": "Dienststelle",
            "services": "Anliegen",
            "status": "Stand",
            "code": "Buchungsnummer",
            "name": "Name",
            "email": "E-Mail",
            "booked_at": "Gebucht am",
        },
    ),
    (
        "payment_claims",
        "Zahlungen",
        "Es gibt keine Forderungen an Sie.",
        {
            "kassenzeichen": "Kassenzeichen",
            "purpose": "Zweck",
            "office": "Dienststelle",
            "amount": "Betrag",
            "paid": "Bezahlt",
            "status": "Stand",
            "due_on": "Fällig am",
            "created_at": "Angelegt am",
        },
    ),
    (
        "postbox",
        "Nachrichten im Postfach",
        "Ihr Postfach ist leer.",
        {
            "received_at": "Eingegangen am",
            "sender": "Absender",
            "subject": "Betreff",
            "read_at": "Gelesen am",
            "body": "Text",
        },
    ),
)

REGISTER_LABELS = {
    "register_number": "Ordnungsmerkmal",
    "name": "Name",
    "birth_name": "Geburtsname",
    "date_of_birth": "Geburtsdatum",
    "place_of_birth": "Geburtsort",
    "sex": "Geschlecht",
    "nationality": "Staatsangehörigkeit",
    "address_line": "Anschrift",
    "marital_status": "Familienstand",
    "date_of_death": "Sterbedatum",
    "tax_id": "Steuer-ID",
    "household_members": "Im Haushalt",
    "spouse": "Ehegatte/Lebenspartner",
    "children": "Kinder",
    "income_notifications": "Einkommensmitteilungen",
    "pension_notifications": "Rentenmitteilungen",
}
_MONEY = {"amount", "paid", "gross_wage", "wage_tax", "amount_gross"}
_OUTCOMES = {"answered": "beantwortet", "refused": "abgelehnt", "pending": "wird geprüft"}
_MOMENTS = {
    "time", "given_at", "valid_until", "withdrawn_at", "opened_at", "closed_at", "start", "booked_at",
    "due_on", "created_at", "received_at", "read_at", "date_of_birth", "date_of_death", "decided_at",
}  # fmt: skip


def _text(key: str, value: Any) -> str:
    """One value as German paper shows it."""
    if value is None or value == "" or value == []:
        return "–"
    if isinstance(value, bool):
        return "ja" if value else "nein"
    if isinstance(value, list):
        return "; ".join(_text(key, item) for item in value)
    if isinstance(value, dict):
        return ", ".join(f"{_text(k, v)}" for k, v in value.items() if v not in (None, ""))
    if key in _MONEY:
        return euro(str(value))
    if key == "outcome":
        return _OUTCOMES.get(str(value), str(value))
    text = str(value)
    if key in _MOMENTS and len(text) >= 10:
        return de_date(text[:10]) + (f", {text[11:16]}" if len(text) > 10 else "")
    return text


def _say(pdf: FPDF, text: str) -> None:
    pdf.set_font("Helvetica", size=11)
    pdf.multi_cell(0, 6, core_text(text), new_x="LMARGIN", new_y="NEXT")


def art15_pdf(*, export: dict[str, Any]) -> bytes:
    """``export`` is ``art15.art15_export``'s document."""
    title = "Auskunft nach Art. 15 DSGVO: Ihre Daten in Rathaus"
    pdf = core_document(title=title, creator="Rathaus", language="de", created=timezone.now())
    pdf.add_page()
    heading(pdf, title)
    field_row(pdf, "Erstellt am", _text("created_at", export["created_at"]))
    account = export["account"]
    field_row(pdf, "Konto", f"{account['username']} ({account['email'] or 'ohne E-Mail'})")
    pdf.ln(4)
    heading(pdf, "Melderegister und Personenstand", size=13, height=8)
    for key, label in REGISTER_LABELS.items():
        field_row(pdf, label, _text(key, export["register"].get(key)))
    pdf.ln(3)
    for key, title_text, empty, labels in SECTIONS:
        heading(pdf, title_text, size=13, height=8)
        if not export[key]:
            _say(pdf, empty)
        for item in export[key]:
            for field, label in labels.items():
                if item.get(field) not in (None, "", []):
                    field_row(pdf, label, _text(field, item[field]))
            pdf.ln(3)
    return bytes(pdf.output())
