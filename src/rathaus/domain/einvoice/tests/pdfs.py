"""Hybrid PDFs built at test time with pypdf (no binary test files in the repository)."""

from __future__ import annotations

import io

import pypdf


def hybrid_pdf(
    files: list[tuple[str, bytes]], *, compress: bool = False, password: str | None = None
) -> bytes:
    """A one-page PDF with ``files`` embedded (name, bytes); ``compress`` flate-encodes them."""
    writer = pypdf.PdfWriter()
    writer.add_blank_page(595, 842)
    for name, data in files:
        embedded = writer.add_attachment(name, data)
        if compress:
            # Replace the stream object with its flate-compressed form, as real generators write it.
            reference = embedded.pdf_object["/EF"].raw_get("/F")
            writer._objects[reference.idnum - 1] = reference.get_object().flate_encode(level=9)
    if password is not None:
        writer.encrypt(password)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def factur_x(xml: bytes) -> bytes:
    """A ZUGFeRD 2 / Factur-X style PDF carrying ``xml`` as factur-x.xml."""
    return hybrid_pdf([("factur-x.xml", xml)], compress=True)
