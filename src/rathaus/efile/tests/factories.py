import itertools

from rathaus.accounts import services as account_services
from rathaus.accounts.models import StaffRole
from rathaus.directory.models import Office
from rathaus.efile import services
from rathaus.efile.models import FilePlanEntry
from rathaus.kernel import testing

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
    """A valid one-page PDF without a text layer; ``text`` goes into its title, so different texts
    give different bytes."""
    return testing.make_pdf(title=text, password=password)


def make_text_pdf(text: str) -> bytes:
    """A one-page PDF whose text layer shows ``text`` in Helvetica."""
    return testing.make_pdf(text)
