import pytest
from django.core.management import CommandError, call_command

from rathaus.domain.efile.aktenzeichen import parse_aktenzeichen
from rathaus.efile.models import Case, CaseFile, FilePlanEntry

from .factories import make_office, make_staff

pytestmark = pytest.mark.django_db


def test_efile_demo_creates_the_plan_and_spreads_cases_over_offices():
    """7 cases over 2 offices: 4 and 3, each in its own file with a valid Aktenzeichen."""
    first, second = make_office(), make_office()
    call_command("efile_demo", "--cases", "7")
    assert Case.objects.filter(office=first).count() == 4
    assert Case.objects.filter(office=second).count() == 3
    for reference in CaseFile.objects.values_list("aktenzeichen", flat=True):
        parse_aktenzeichen(reference)
    call_command("efile_demo", "--cases", "2", "--office", first.slug)
    assert Case.objects.filter(office=first).count() == 6
    assert FilePlanEntry.objects.filter(number="32.10").count() == 1


def test_efile_demo_without_offices_says_what_to_do():
    """The command points to `rathaus demo`."""
    with pytest.raises(CommandError, match="rathaus demo"):
        call_command("efile_demo", "--cases", "1")


def test_demo_part_puts_cases_on_staff_desks_and_runs_once():
    """`rathaus demo` loads the E-Akte part: cases assigned to each staff member plus bulk cases
    per office; a second run (a second `make run`) leaves them as they are."""
    from rathaus.efile.demo import DEMO_CASES_PER_OFFICE, load_demo
    from rathaus.kernel.demo import quiet_step

    office = make_office()
    clerk = make_staff(office)
    summary = load_demo(seed=1, step=quiet_step)
    assert Case.objects.filter(assignee=clerk).count() == 3
    assert Case.objects.filter(office=office).count() == DEMO_CASES_PER_OFFICE + 3
    assert "203 Vorgänge" in summary
    assert "unverändert" in load_demo(seed=1, step=quiet_step)
    assert Case.objects.count() == DEMO_CASES_PER_OFFICE + 3
