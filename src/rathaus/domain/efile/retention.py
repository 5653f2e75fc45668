"""Retention (Aufbewahrung) and disposal (Aussonderung) of closed files.

The retention period runs from the end of the calendar year in which the file was
closed ("z. d. A." – zu den Akten), as is usual in German records management (cf. § 257
Abs. 5 HGB, § 147 Abs. 4 AO for the same rule in commercial and tax law). When it has
ended, the file is offered to the state archive (§ 3 BremArchivG); what the file plan
marks as archive-worthy is handed over, what it marks as not archive-worthy is destroyed,
and what it leaves open is for the archive to evaluate.
"""

from __future__ import annotations

import datetime
import enum
from dataclasses import dataclass

__all__ = ["Disposal", "RetentionStatus", "disposal_decision", "retention_end", "retention_status"]

MAX_RETENTION_YEARS = 200


class Disposal(enum.StrEnum):
    ARCHIVE = "archive"  # hand over to the state archive
    DESTROY = "destroy"  # delete, with a record of the deletion
    EVALUATE = "evaluate"  # the archive decides (Bewertung)


def retention_end(*, closed_on: datetime.date, retention_years: int) -> datetime.date:
    """The last day of retention: 31 December of the closing year plus ``retention_years``.

    A period of 0 years ends on 31 December of the closing year itself.
    """
    if not 0 <= retention_years <= MAX_RETENTION_YEARS:
        raise ValueError(f"Die Aufbewahrungsfrist {retention_years} liegt außerhalb von 0 bis 200 Jahren.")
    return datetime.date(closed_on.year + retention_years, 12, 31)


def disposal_decision(archive_worthy: bool | None) -> Disposal:
    """What happens to a file once its retention has ended, from the file plan's mark."""
    if archive_worthy is None:
        return Disposal.EVALUATE
    return Disposal.ARCHIVE if archive_worthy else Disposal.DESTROY


@dataclass(frozen=True)
class RetentionStatus:
    due: bool
    ends_on: datetime.date | None
    disposal: Disposal | None


def retention_status(
    *,
    closed_on: datetime.date | None,
    retention_years: int,
    archive_worthy: bool | None,
    today: datetime.date,
) -> RetentionStatus:
    """Whether a file is due for disposal on ``today``; open files never are."""
    if closed_on is None:
        return RetentionStatus(due=False, ends_on=None, disposal=None)
    ends = retention_end(closed_on=closed_on, retention_years=retention_years)
    due = today > ends
    return RetentionStatus(due=due, ends_on=ends, disposal=disposal_decision(archive_worthy) if due else None)
