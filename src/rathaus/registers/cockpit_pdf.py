"""The Datenschutzcockpit as PDF (fpdf2 with the core fonts of ``rathaus.kernel.pdf``): every
exchange of the person's data and their consents, German whatever the page language."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from rathaus.kernel.pdf import core_document, core_text, de_date, field_row, heading


def _when(value: str | None) -> str:
    """An ISO moment of the export as "05.03.2026, 14:30"."""
    if not value:
        return "–"
    return f"{de_date(value[:10])}, {value[11:16]}"


def cockpit_pdf(*, export: dict[str, Any], name: str) -> bytes:
    """``export`` is ``selectors.cockpit_export``'s document (German labels)."""
    title = "Datenschutzcockpit: Übermittlungen Ihrer Daten"
    pdf = core_document(title=title, creator="Rathaus", language="de", created=timezone.now())
    pdf.add_page()
    heading(pdf, title)
    field_row(pdf, "Person", name)
    field_row(pdf, "Erstellt am", _when(export["created_at"]))
    pdf.ln(4)
    heading(pdf, "Übermittlungen", size=13, height=8)
    if not export["exchanges"]:
        pdf.set_font("Helvetica", size=11)
        pdf.multi_cell(0, 6, core_text("Bisher wurden keine Daten von Ihnen zwischen Behörden übermittelt."))
    for item in export["exchanges"]:
        field_row(pdf, "Zeitpunkt", _when(item["time"]))
        field_row(pdf, "Anfragende Stelle", item["requesting_office"])
        if item.get("source"):
            field_row(pdf, "Daten aus", item["source"])
        field_row(pdf, "Zweck", item["purpose"] or "–")
        basis = item["legal_basis"] + (" (mit Ihrer Einwilligung)" if item["by_consent"] else "")
        field_row(pdf, "Rechtsgrundlage", basis or "–")
        if item["outcome"] == "answered":
            field_row(pdf, "Übermittelte Daten", ", ".join(item["categories"]))
        elif item["outcome"] == "pending":
            field_row(pdf, "Ergebnis", "wird geprüft, noch nichts übermittelt")
        else:
            field_row(pdf, "Ergebnis", f"abgelehnt: {item['refusal_reason']}")
        pdf.ln(3)
    heading(pdf, "Einwilligungen", size=13, height=8)
    if not export["consents"]:
        pdf.set_font("Helvetica", size=11)
        pdf.multi_cell(0, 6, core_text("Sie haben keine Einwilligungen erteilt."))
    for item in export["consents"]:
        field_row(pdf, "Zweck", item["purpose"])
        field_row(pdf, "Von / an", f"{item['from_office']} an {item['to_office']}")
        field_row(pdf, "Daten", ", ".join(item["categories"]))
        field_row(pdf, "Erteilt am", _when(item["given_at"]))
        state = (
            f"widerrufen am {_when(item['withdrawn_at'])}"
            if item["withdrawn_at"]
            else (f"gültig bis {de_date(item['valid_until'])}")
        )
        field_row(pdf, "Stand", state)
        pdf.ln(3)
    return bytes(pdf.output())
