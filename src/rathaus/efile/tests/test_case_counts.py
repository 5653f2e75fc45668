"""``case_counts_for``: the E-Akte counts on the staff start page."""

import datetime

import pytest

from rathaus.accounts.models import StaffRole
from rathaus.efile import selectors, services
from rathaus.efile.models import Case

from .factories import make_case, make_office, make_staff

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 12, 2)


def test_counts_own_and_office_cases_and_due_resubmissions():
    # given: an office with two clerks, three open cases and one closed
    office = make_office()
    clerk, colleague = make_staff(office), make_staff(office)
    mine = make_case(office)
    services.case_assign(case=mine, assignee=clerk, by=clerk)
    theirs = make_case(office)
    services.case_assign(case=theirs, assignee=colleague, by=colleague)
    unassigned = make_case(office)
    closed = make_case(office)
    services.case_close(case=closed, by=clerk)
    Case.objects.filter(pk__in=[mine.pk, theirs.pk, unassigned.pk]).update(resubmission_on=TODAY)
    # when
    counts = selectors.case_counts_for(user=clerk, on=TODAY)
    # then: the colleague's due case is the colleague's resubmission, not the clerk's
    assert (counts.mine, counts.offices, counts.resubmissions_due) == (1, 3, 2)


def test_confidential_cases_count_only_for_those_who_may_see_them():
    office = make_office()
    clerk, head = make_staff(office), make_staff(office, role=StaffRole.Role.LEITUNG)
    make_case(office, confidentiality=Case.Confidentiality.VERTRAULICH)
    assert selectors.case_counts_for(user=clerk, on=TODAY).offices == 0
    assert selectors.case_counts_for(user=head, on=TODAY).offices == 1


def test_staff_of_no_office_count_nothing():
    administrator = make_staff(make_office(), role=StaffRole.Role.ADMIN)
    assert selectors.case_counts_for(user=administrator, on=TODAY) == selectors.CaseCounts(0, 0, 0)
