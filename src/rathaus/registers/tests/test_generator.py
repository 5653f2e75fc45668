"""The demo city generator on its own (no database): determinism and plausibility."""

from collections import defaultdict
from datetime import date

import pytest

from rathaus.domain.registers.tax_id import is_valid_tax_id
from rathaus.registers.demo.data import load
from rathaus.registers.demo.generator import PERSON_COLUMNS, TABLES, CityGenerator, Config

REF = date(2026, 1, 1)
P = {name: i for i, name in enumerate(PERSON_COLUMNS)}


def _config(residents=500, seed=7, **kwargs):
    return Config(
        residents=residents,
        seed=seed,
        reference_date=REF,
        registry_office_ids=(1, 2),
        employer_ids=tuple(range(1, len(load().employers) + 1)),
        **kwargs,
    )


def _rows(config, batch_residents=100):
    tables = defaultdict(list)
    living = 0
    for batch in CityGenerator(config).batches(batch_residents=batch_residents):
        living += batch.residents
        for table, rows in batch.rows.items():
            tables[table] += rows
    return tables, living


def _age(dob, on=REF):
    return on.year - dob.year - ((on.month, on.day) < (dob.month, dob.day))


def test_same_seed_gives_identical_rows_whatever_the_batch_size():
    """Same size, seed and reference date: the very same rows, however they are batched."""
    first, _ = _rows(_config(), batch_residents=50)
    second, _ = _rows(_config(), batch_residents=10_000)
    assert first == second


def test_another_seed_gives_another_city():
    """The seed changes the population."""
    assert _rows(_config(seed=1))[0]["person"] != _rows(_config(seed=2))[0]["person"]


@pytest.mark.parametrize("residents", [1, 5, 499, 500])
def test_exactly_the_requested_number_of_living_residents(residents):
    """--residents counts living people; late spouses are extra rows with a date of death."""
    tables, living = _rows(_config(residents=residents))
    assert living == residents
    alive = [p for p in tables["person"] if p[P["date_of_death"]] is None]
    assert len(alive) == residents


def test_rows_have_one_value_per_column():
    """Every row fits its table's column list (the loader relies on it)."""
    tables, _ = _rows(_config())
    for table, columns in TABLES.items():
        assert all(len(row) == len(columns) for row in tables[table]), table


def test_ids_start_where_the_database_left_off():
    """Primary keys are pre-assigned from id_start, so foreign keys need no round trip."""
    tables, _ = _rows(_config(residents=20, id_start={"person": 1000, "household": 50}))
    assert tables["person"][0][0] == 1000
    assert tables["household"][0][0] == 50


def test_tax_ids_and_register_numbers_are_valid_and_unique():
    """IdNr follow § 139b AO (check digit ISO 7064 MOD 11,10); both identifiers are unique."""
    tables, _ = _rows(_config(residents=2000))
    tax_ids = [p[P["tax_id"]] for p in tables["person"]]
    assert len(set(tax_ids)) == len(tax_ids)
    assert all(is_valid_tax_id(t) for t in tax_ids)
    numbers = [p[P["register_number"]] for p in tables["person"]]
    assert len(set(numbers)) == len(numbers)


def test_ages_are_plausible_and_nobody_is_born_after_the_reference_date():
    """Nobody is older than 100 (the dead: at death) or born after the reference date."""
    tables, _ = _rows(_config(residents=2000))
    for person in tables["person"]:
        death = person[P["date_of_death"]]
        assert 0 <= _age(person[P["date_of_birth"]], death or REF) <= 100
        if death is not None:
            assert person[P["date_of_birth"]] < death < REF
        assert person[P["moved_in_on"]] >= person[P["date_of_birth"]]
