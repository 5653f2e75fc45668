import datetime

import pytest
from django.utils import timezone

from rathaus.accounts.models import StaffRole
from rathaus.accounts.tests.factories import make_person
from rathaus.efile import selectors, services
from rathaus.efile.models import FilePlanEntry
from rathaus.kernel import audit
from rathaus.kernel.exceptions import NotFound

from .factories import make_case, make_office, make_plan_entry, make_staff

pytestmark = pytest.mark.django_db


def test_office_inbox_pages_newest_first_without_gaps_or_repeats():
    """Keyset pages of 2 walk through all open cases exactly once; closed ones are left out."""
    office = make_office()
    entry = make_plan_entry()
    cases = [make_case(office, entry=entry, subject=f"Fall {i}") for i in range(5)]
    services.case_close(case=cases[0], by=None)
    seen, before = [], None
    while True:
        page = selectors.office_inbox(office=office, before=before, size=2)
        seen += [c.pk for c in page.cases]
        if page.next_before is None:
            break
        before = page.next_before
    assert seen == [c.pk for c in reversed(cases[1:])]


def test_my_cases_and_status_filter():
    """Only the user's cases; a status filter narrows further."""
    office = make_office()
    clerk = make_staff(office)
    mine = make_case(office, assignee=clerk)
    make_case(office)
    assert [c.pk for c in selectors.my_cases(user=clerk).cases] == [mine.pk]
    assert selectors.my_cases(user=clerk, status="open").cases == []


def test_due_resubmissions_lists_cases_due_on_or_before_the_day():
    """Later resubmissions are not yet due."""
    office = make_office()
    today = timezone.localdate()
    due = services.case_resubmission_set(case=make_case(office), on=today, by=None)
    services.case_resubmission_set(case=make_case(office), on=today + datetime.timedelta(days=3), by=None)
    assert list(selectors.due_resubmissions(office=office, on=today)) == [due]


def test_case_detail_for_other_office_is_not_found_and_audited():
    """Staff of another office learn nothing; the attempt is logged as access.denied."""
    case = make_case(make_office())
    stranger = make_staff(make_office())
    with pytest.raises(NotFound):
        selectors.case_detail(case_id=case.pk, user=stranger)
    assert audit.entries_for_target("efile.case", case.pk).filter(action="access.denied").exists()


def test_office_admin_without_case_role_cannot_read_cases():
    """Administration manages logins; it does not read the office's cases."""
    office = make_office()
    case = make_case(office)
    admin = make_staff(office, role=StaffRole.Role.ADMIN)
    with pytest.raises(NotFound):
        selectors.case_detail(case_id=case.pk, user=admin)


def test_reading_a_case_about_a_person_is_logged_with_purpose():
    """The person is the subject of a person.read entry with purpose and legal basis."""
    office = make_office()
    clerk = make_staff(office)
    person = make_person()
    case = make_case(office, person=person)
    assert selectors.case_detail(case_id=case.pk, user=clerk) == case
    entry = audit.entries_for_target("registers.person", person.pk).last()
    assert entry.action == "person.read" and entry.purpose == selectors.READ_PURPOSE and entry.legal_basis


def test_file_lookup_by_aktenzeichen_tolerates_blanks_and_checks_the_office():
    """Lower case and extra blanks find the file; another office's staff get NotFound."""
    office = make_office()
    clerk = make_staff(office)
    case = make_case(office)
    reference = case.case_file.aktenzeichen
    assert (
        selectors.case_file_by_aktenzeichen(aktenzeichen=f"  {reference.lower()} ", user=clerk)
        == case.case_file
    )
    with pytest.raises(NotFound):
        selectors.case_file_by_aktenzeichen(aktenzeichen=reference, user=make_staff(make_office()))
    with pytest.raises(NotFound, match="kein gültiges"):
        selectors.case_file_by_aktenzeichen(aktenzeichen="Quatsch", user=clerk)


def test_search_finds_cases_only_for_staff_of_the_owning_office():
    """Visibility is per office; after forwarding, the new office finds the case and the old one not."""
    office, other = make_office(), make_office()
    clerk, colleague = make_staff(office), make_staff(other)
    case = make_case(office, subject="Einbürgerung Kowalski")
    assert [h.key for h in selectors.case_search(user=clerk, query="Kowalski").hits] == [str(case.pk)]
    assert selectors.case_search(user=colleague, query="Kowalski").total == 0
    services.case_forward(case=case, to_office=other, by=clerk, note="zuständig")
    assert selectors.case_search(user=clerk, query="Kowalski").total == 0
    assert selectors.case_search(user=colleague, query="Kowalski").total == 1


def test_disposal_due_uses_inherited_retention_and_the_plan_mark():
    """Retention 5 years from the parent; due the day after 31 December of closing year + 5."""
    from rathaus.domain.efile.retention import Disposal
    from rathaus.efile.models import CaseFile

    office = make_office()
    top = services.file_plan_entry_create(
        number="77", title="Ordnung", retention_years=5, archive_worthy=True
    )
    leaf = services.file_plan_entry_create(number="77.10", title="Melde", parent=top)
    case = services.case_close(case=make_case(office, entry=leaf), by=None)
    services.case_file_close(case_file=case.case_file, by=None)
    closed_year = timezone.localtime(CaseFile.objects.get(pk=case.case_file_id).closed_at).year
    assert selectors.disposal_due(office=office, today=datetime.date(closed_year + 5, 12, 31)) == []
    [(case_file, status)] = selectors.disposal_due(office=office, today=datetime.date(closed_year + 6, 1, 1))
    assert case_file.pk == case.case_file_id and status.disposal == Disposal.ARCHIVE


def test_case_history_lists_every_change_in_order():
    """Created, assigned, closed — from the audit log."""
    office = make_office()
    clerk = make_staff(office)
    case = make_case(office)
    services.case_assign(case=case, assignee=clerk, by=clerk)
    services.case_close(case=case, by=clerk)
    assert [e.action for e in selectors.case_history(case)] == [
        "efile.case_created",
        "efile.case_assigned",
        "efile.case_closed",
    ]


def test_office_case_staff_excludes_admins_and_other_offices():
    """Only Sachbearbeitung and Leitung of the office can be assigned."""
    office = make_office()
    clerk, head = make_staff(office), make_staff(office, role=StaffRole.Role.LEITUNG)
    make_staff(office, role=StaffRole.Role.ADMIN)
    make_staff(make_office())
    assert set(selectors.office_case_staff(office)) == {clerk, head}


def test_documents_are_found_by_the_text_inside_them():
    """A PDF's text layer and a text file's content go into the office-scoped index."""
    from .factories import make_text_pdf

    office = make_office()
    clerk = make_staff(office)
    case = make_case(office, subject="Wohnungsanmeldung")
    document = services.document_add(
        case=case,
        title="Anlage",
        content=make_text_pdf("Mietvertrag Osterdeich 12"),
        filename="a.pdf",
        by=clerk,
    )
    services.document_add(
        case=case, title="Notiz", content="Rückruf Hausverwaltung".encode(), filename="n.txt", by=clerk
    )
    assert "Mietvertrag" in document.versions.get().text
    hits = selectors.case_search(user=clerk, query="Osterdeich")
    assert [h.key for h in hits.hits] == [str(document.pk)]
    assert selectors.case_search(user=clerk, query="Hausverwaltung").total == 1
    assert selectors.case_search(user=make_staff(make_office()), query="Osterdeich").total == 0


def test_file_plan_entry_for_office_prefers_the_offices_own_entry_on_both_databases():
    """Issue 12, item 1: ``order_by("office_id")`` picked the city-wide entry on SQLite (NULL
    first) and the office's on PostgreSQL (NULL last); CI on PostgreSQL hid it."""
    office, other = make_office(), make_office()
    # The database allows both (an office plan made before the city-wide one was introduced);
    # the service refuses new shadowing, so they are written directly.
    city_wide = FilePlanEntry.objects.create(number="77", title="Stadtweit", retention_years=10)
    own = FilePlanEntry.objects.create(number="77", title="Eigen", office=office, retention_years=5)
    assert selectors.file_plan_entry_for_office(number="77", office=office) == own
    assert selectors.file_plan_entry_for_office(number="77", office=other) == city_wide
    assert selectors.file_plan_entry_for_office(number="78", office=office) is None


def test_archive_import_files_into_the_offices_own_plan_entry():
    """The xdomea import (Abgabe) uses the same rule as every other caller."""
    from rathaus.domain.efile.xdomea.model import FileRecord
    from rathaus.efile.archive.services.takeover import _plan_entry_for

    office = make_office()
    FilePlanEntry.objects.create(number="77", title="Stadtweit", retention_years=10)
    own = FilePlanEntry.objects.create(number="77", title="Eigen", office=office, retention_years=5)
    record = FileRecord(
        id="x", aktenzeichen="AZ", title="T", plan_number="77", plan_title="", opened_on=None, closed_on=None
    )
    assert _plan_entry_for(record, office, None) == own
