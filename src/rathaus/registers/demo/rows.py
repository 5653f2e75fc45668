"""The demo city's rows: the tables and columns the generator writes, what to generate, a batch.

No Django: the column names are the models' attnames; ``loader`` copies the batches into the
database, ``generator`` fills them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

ADDRESS_COLUMNS = ("id", "street", "house_number", "postal_code", "district", "city")
HOUSEHOLD_COLUMNS = ("id", "address_id")
PERSON_COLUMNS = (
    "id",
    "register_number",
    "family_name",
    "given_names",
    "birth_name",
    "date_of_birth",
    "place_of_birth",
    "sex",
    "nationality",
    "marital_status",
    "address_id",
    "household_id",
    "moved_in_on",
    "date_of_death",
    "tax_id",
    "name_key",
    "created_at",
)
BIRTH_COLUMNS = (
    "id",
    "child_id",
    "mother_id",
    "father_id",
    "date",
    "place",
    "registry_office_id",
    "record_number",
)
MARRIAGE_COLUMNS = (
    "id",
    "spouse_a_id",
    "spouse_b_id",
    "date",
    "registry_office_id",
    "record_number",
    "ended_on",
    "end_reason",
)
INCOME_COLUMNS = ("id", "person_id", "employer_id", "year", "gross_wage", "wage_tax")
PENSION_COLUMNS = ("id", "person_id", "pension_fund", "year", "start_date", "annual_gross")

TABLES: dict[str, tuple[str, ...]] = {
    "address": ADDRESS_COLUMNS,
    "household": HOUSEHOLD_COLUMNS,
    "person": PERSON_COLUMNS,
    "birthrecord": BIRTH_COLUMNS,
    "marriagerecord": MARRIAGE_COLUMNS,
    "incomenotification": INCOME_COLUMNS,
    "pensionnotification": PENSION_COLUMNS,
}
"""Table (model name) → columns, in the order the generator writes them (parents first)."""


@dataclass(frozen=True)
class Config:
    """What to generate. ``id_start`` gives the first primary key per table (see ``TABLES``)."""

    residents: int
    seed: int
    reference_date: date
    registry_office_ids: tuple[int, int]  # (Standesamt Bremen-Mitte, Standesamt Bremen-Nord)
    employer_ids: tuple[int, ...]  # in the order of data/employers.csv
    id_start: dict[str, int] = field(default_factory=dict)
    created_at: object = None


@dataclass
class Batch:
    """Rows for every table, produced together so that foreign keys point into this or earlier batches."""

    rows: dict[str, list[tuple[object, ...]]] = field(default_factory=lambda: {t: [] for t in TABLES})
    residents: int = 0  # living people in this batch

    def __len__(self) -> int:
        return sum(len(r) for r in self.rows.values())
