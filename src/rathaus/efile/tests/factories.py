import itertools

from rathaus.accounts import services as account_services
from rathaus.accounts.models import StaffRole
from rathaus.directory.models import Office
from rathaus.efile import services
from rathaus.efile.models import FilePlanEntry

_numbers = itertools.count(1)
PASSWORD = "Aktenplan-2026-sicher!"


def make_office(**overrides) -> Office:
    n = next(_numbers)
    values = {"slug": f"amt-{n}", "name": f"Amt {n}"}
    values.update(overrides)
    return Office.objects.create(**values)


def make_staff(office: Office, role: str = StaffRole.Role.SACHBEARBEITUNG, **overrides):
    n = next(_numbers)
    return account_services.staff_user_create(
        username=overrides.get("username", f"staff{n}"),
        full_name=overrides.get("full_name", f"Jana Kruse{n}"),
        password=PASSWORD,
        office=office,
        role=role,
    )


def make_plan_entry(office: Office | None = None, number: str | None = None, **overrides) -> FilePlanEntry:
    n = next(_numbers)
    top = services.file_plan_entry_create(
        number=number or str(n % 999 + 1), title="Ordnungsangelegenheiten", office=office, retention_years=10
    )
    return services.file_plan_entry_create(
        number=f"{top.number}.10", title="Meldewesen", office=office, parent=top, **overrides
    )


def make_case(office: Office, *, entry: FilePlanEntry | None = None, **overrides):
    values = {
        "office": office,
        "subject": "Anmeldung einer Wohnung",
        "file_plan_entry": entry or make_plan_entry(),
    }
    values.update(overrides)
    return services.case_create(**values)


def make_pdf(text: str = "", *, password: str | None = None) -> bytes:
    """A valid one-page PDF; ``text`` goes into its metadata so different texts give different bytes."""
    import io

    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    writer.add_metadata({"/Title": text or "Rathaus-Test"})
    if password:
        writer.encrypt(password)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def make_text_pdf(text: str) -> bytes:
    """A one-page PDF whose content stream shows ``text`` (ASCII) in Helvetica."""
    stream = f"BT /F1 12 Tf 72 720 Td ({text}) Tj ET".encode("ascii")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R"
        b" /Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)
