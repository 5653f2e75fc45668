"""The PDF of what a citizen submitted: every step's answers, the attachments with their
SHA-256, the submission's own hash, so both sides can show later what was filed."""

from __future__ import annotations

from django.utils import timezone

from rathaus.domain.eforms.definition import FormDefinition
from rathaus.kernel import pdf

from . import display
from .models import Application, Attachment


def submission_pdf(
    *, application: Application, definition: FormDefinition, attachments: list[Attachment]
) -> bytes:
    submitted = timezone.localtime(application.submitted_at)
    document = pdf.core_document(
        title=f"{definition.title} – {application.reference}",
        creator="Rathaus E-Forms",
        author=application.office.name if application.office else "",
        language="de",
        created=submitted,
    )
    document.add_page()
    pdf.heading(document, definition.title)
    pdf.field_row(document, "Aktenzeichen", application.reference)
    pdf.field_row(document, "Eingegangen", submitted.strftime("%d.%m.%Y, %H:%M Uhr"))
    if application.office is not None:
        pdf.field_row(document, "Zuständige Stelle", application.office.name)
    pdf.field_row(document, "Antragstellung durch", application.applicant.full_name)
    pdf.field_row(document, "Formular", f"{definition.id}, Version {definition.version}")
    for section in display.sections(definition, application.data, "de"):
        document.ln(3)
        pdf.heading(document, section.title, size=13, height=8)
        for row in section.rows:
            pdf.field_row(document, row.label, row.text, label_width=70, size=10)
    if attachments:
        document.ln(3)
        pdf.heading(document, "Anlagen", size=13, height=8)
        for row in attachments:
            pdf.field_row(document, row.filename, f"SHA-256 {row.blob.sha256}", label_width=70, size=9)
    document.ln(3)
    document.set_font("Helvetica", size=8)
    document.multi_cell(
        0,
        4,
        pdf.core_text(f"Prüfsumme der Antragsdaten (SHA-256): {application.sha256}"),
        new_x="LMARGIN",
        new_y="NEXT",
    )
    return bytes(document.output())
