import datetime

import pytest

from rathaus.domain.efile.retention import (
    Disposal,
    disposal_decision,
    retention_end,
    retention_status,
)

D = datetime.date


@pytest.mark.parametrize(
    ("closed_on", "years", "end"),
    [
        (D(2026, 1, 1), 10, D(2036, 12, 31)),
        (D(2026, 12, 31), 10, D(2036, 12, 31)),
        (D(2024, 2, 29), 6, D(2030, 12, 31)),
        (D(2026, 6, 15), 0, D(2026, 12, 31)),
        (D(2026, 6, 15), 30, D(2056, 12, 31)),
    ],
)
def test_retention_runs_from_the_end_of_the_closing_year(closed_on, years, end):
    """Like § 257 Abs. 5 HGB: the period starts at the end of the calendar year of closure."""
    assert retention_end(closed_on=closed_on, retention_years=years) == end


@pytest.mark.parametrize("years", [-1, 201])
def test_implausible_retention_periods_are_refused(years):
    """Negative periods and periods beyond 200 years are input errors."""
    with pytest.raises(ValueError, match="Aufbewahrungsfrist"):
        retention_end(closed_on=D(2026, 1, 1), retention_years=years)


@pytest.mark.parametrize(
    ("archive_worthy", "disposal"),
    [(True, Disposal.ARCHIVE), (False, Disposal.DESTROY), (None, Disposal.EVALUATE)],
)
def test_file_plan_mark_decides_archive_or_destroy(archive_worthy, disposal):
    """An open mark leaves the decision to the archive's evaluation."""
    assert disposal_decision(archive_worthy) == disposal


@pytest.mark.parametrize(
    ("closed_on", "today", "due", "disposal"),
    [
        (None, D(2100, 1, 1), False, None),
        (D(2020, 3, 1), D(2030, 12, 31), False, None),
        (D(2020, 3, 1), D(2031, 1, 1), True, Disposal.ARCHIVE),
    ],
)
def test_a_closed_file_is_due_the_day_after_retention_ends(closed_on, today, due, disposal):
    """Open files are never due; the last day of retention is not yet due."""
    status = retention_status(closed_on=closed_on, retention_years=10, archive_worthy=True, today=today)
    assert status.due is due
    assert status.disposal == disposal
