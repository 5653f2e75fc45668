"""Write the demo city into the database: offices, employers, staff, then residents in bulk.

Residents are streamed from ``CityGenerator`` in batches and inserted with the fastest
path each database offers (``kernel.bulk.TableWriter``: INSERTs of many rows each on SQLite,
``COPY … FROM STDIN`` on PostgreSQL). Primary keys are assigned by the
generator, so foreign keys are known without a round trip; sequences are moved past
them afterwards. Everything happens in one transaction: a failed or interrupted run
leaves no half-built city behind.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from django.core.management.color import no_style
from django.db import connection, transaction
from django.db.models import Max, Model
from django.utils import timezone

from rathaus.kernel.bulk import TableWriter
from rathaus.registers import models as m

from .generator import TABLES, Batch, CityGenerator, Config

logger = logging.getLogger(__name__)

MODELS: dict[str, type[Model]] = {
    "address": m.Address,
    "household": m.Household,
    "person": m.Person,
    "birthrecord": m.BirthRecord,
    "marriagerecord": m.MarriageRecord,
    "incomenotification": m.IncomeNotification,
    "pensionnotification": m.PensionNotification,
}


class DemoCityExists(Exception):
    """The register already holds residents; the demo city is only built into an empty one."""


@dataclass
class LoadResult:
    residents: int
    rows: dict[str, int] = field(default_factory=dict)

    @property
    def total_rows(self) -> int:
        return sum(self.rows.values())


Progress = Callable[[Batch, dict[str, int]], None]


class _TableWriter(TableWriter):
    """The kernel's bulk writer, refusing a generator that leaves a column of ``model`` unfilled."""

    def __init__(self, model: type[Model], columns: tuple[str, ...]) -> None:
        missing = {f.attname for f in model._meta.concrete_fields} - set(columns)
        if missing:
            raise RuntimeError(f"{model.__name__}: the generator does not fill {sorted(missing)}")
        super().__init__(model, columns)


def residents_exist() -> bool:
    return m.Person.objects.exists()


def _next_ids() -> dict[str, int]:
    return {
        table: (model.objects.aggregate(top=Max("pk"))["top"] or 0) + 1 for table, model in MODELS.items()
    }


def load_residents(
    *,
    residents: int,
    seed: int,
    reference_date: date,
    registry_office_ids: tuple[int, int],
    employer_ids: tuple[int, ...],
    batch_residents: int = 10_000,
    progress: Progress | None = None,
) -> LoadResult:
    """Generate ``residents`` living people (plus their late spouses) into an empty register."""
    if residents_exist():
        raise DemoCityExists("Das Melderegister enthält bereits Personen.")
    created_at = timezone.now()
    if connection.vendor == "sqlite":
        created_at = connection.ops.adapt_datetimefield_value(created_at)
    result = LoadResult(residents=0, rows=dict.fromkeys(TABLES, 0))
    with transaction.atomic():
        config = Config(
            residents=residents,
            seed=seed,
            reference_date=reference_date,
            registry_office_ids=registry_office_ids,
            employer_ids=employer_ids,
            id_start=_next_ids(),
            created_at=created_at,
        )
        writers = {table: _TableWriter(MODELS[table], columns) for table, columns in TABLES.items()}
        with connection.cursor() as cursor:
            for batch in CityGenerator(config).batches(batch_residents=batch_residents):
                for table, rows in batch.rows.items():  # parents first: foreign keys hold at once
                    writers[table].write(cursor, rows)
                    result.rows[table] += len(rows)
                result.residents += batch.residents
                if progress is not None:
                    progress(batch, result.rows)
            for sql in connection.ops.sequence_reset_sql(no_style(), list(MODELS.values())):
                cursor.execute(sql)
    logger.info("demo city: %s residents, %s rows", result.residents, result.total_rows)
    return result
