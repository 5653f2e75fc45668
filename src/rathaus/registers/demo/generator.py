"""Generate the demo city's population as plain row tuples, deterministically from a seed.

No Django here: the generator only knows column names (the models' attnames) and yields
batches of tuples, so it can be tested and timed on its own. All randomness comes from
one ``random.Random(seed)``; the same seed, size and reference date give the same rows.

The population is shaped after a German city of Bremen's kind: about half of all
households are one person, most couples are married, children are born when their
mother is 20–42 (so always at least 16 years after either parent), working-age people
have wage tax certificates, people from about 63 on receive pensions, and some are
widowed (their late spouse stays in the register with a date of death).
"""

# Synthetic demo data, not secrets: the standard PRNG is the right tool (reproducible).
# ruff: noqa: S311

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from rathaus.domain.registers.names import person_name_key
from rathaus.domain.registers.tax_id import TAX_ID_SPACE, tax_id_from_index

from .data import CityData, Street, load
from .rows import (
    ADDRESS_COLUMNS,
    BIRTH_COLUMNS,
    HOUSEHOLD_COLUMNS,
    INCOME_COLUMNS,
    MARRIAGE_COLUMNS,
    PENSION_COLUMNS,
    PERSON_COLUMNS,
    TABLES,
    Batch,
    Config,
)

__all__ = [
    "ADDRESS_COLUMNS",
    "BIRTH_COLUMNS",
    "HOUSEHOLD_COLUMNS",
    "INCOME_COLUMNS",
    "MARRIAGE_COLUMNS",
    "PENSION_COLUMNS",
    "PERSON_COLUMNS",
    "TABLES",
    "Batch",
    "CityGenerator",
    "Config",
]

CENT = Decimal("0.01")
YEAR = 365.2425

# Shares of household kinds (one person, couple, couple with children, single parent, shared flat).
_HOUSEHOLD_KINDS = ("single", "couple", "family", "single_parent", "shared")
_HOUSEHOLD_CUM = (46, 73, 91, 97, 100)
_ORIGINS = ("de", "tr", "pl", "ar", "ru")
_ORIGIN_CUM = (82, 89, 93, 97, 100)
_NATIONALITY = {"de": "DEU", "tr": "TUR", "pl": "POL", "ar": "SYR", "ru": "UKR"}
_FOREIGN_BIRTHPLACES = {
    "tr": ("Istanbul", "Izmir", "Ankara", "Trabzon", "Kayseri"),
    "pl": ("Gdańsk", "Szczecin", "Poznań", "Wrocław", "Kraków"),
    "ar": ("Damaskus", "Aleppo", "Homs", "Bagdad", "Latakia"),
    "ru": ("Kiew", "Charkiw", "Odessa", "Omsk", "Nowosibirsk"),
}
_GERMAN_BIRTHPLACES = (
    "Bremen", "Bremerhaven", "Hamburg", "Oldenburg", "Hannover", "Osnabrück", "Delmenhorst",
    "Berlin", "Köln", "Verden (Aller)", "Achim", "Cuxhaven", "Leipzig", "Rostock", "München",
)  # fmt: skip
# Adult age bands for one-person households: (low, high, weight).
_SINGLE_AGES = ((18, 29, 22), (30, 44, 20), (45, 64, 28), (65, 79, 18), (80, 97, 12))
_PENSION_FUNDS = (
    "Deutsche Rentenversicherung Oldenburg-Bremen",
    "Deutsche Rentenversicherung Bund",
    "Deutsche Rentenversicherung Knappschaft-Bahn-See",
)
_SUPPLEMENTARY_FUND = "Versorgungsanstalt des Bundes und der Länder"


@dataclass
class _Member:
    """A person being built; turned into a row at the end of the household."""

    id: int
    sex: str
    dob: date
    family_name: str
    given_names: str
    origin: str
    birth_name: str = ""
    marital_status: str = "ledig"
    date_of_death: date | None = None
    place_of_birth: str = ""
    nationality: str = "DEU"
    moved_in_on: date | None = None
    living: bool = True


class CityGenerator:
    """Yields ``Batch``es of about ``batch_residents`` living people until ``config.residents``."""

    def __init__(self, config: Config, data: CityData | None = None) -> None:
        if config.residents < 0:
            raise ValueError("residents must not be negative")
        if len(config.employer_ids) != len((data or load()).employers):
            raise ValueError("employer_ids must match data/employers.csv")
        self.config = config
        self.data = data or load()
        self.rng = random.Random(config.seed)
        self.ref = config.reference_date
        self.ref_ordinal = config.reference_date.toordinal()
        self.next_id = {table: config.id_start.get(table, 1) for table in TABLES}
        self.person_index = 0
        self.tax_offset = random.Random(f"tax-id/{config.seed}").randrange(TAX_ID_SPACE)
        self.street_counters: dict[str, int] = {}
        self.address_id = 0
        self.address_street: Street | None = None
        self.address_capacity = 0
        self.batch = Batch()

    # -- public --------------------------------------------------------------------------

    def batches(self, *, batch_residents: int = 10_000) -> Iterator[Batch]:
        remaining = self.config.residents
        while remaining > 0:
            remaining -= self._household(remaining)
            if self.batch.residents >= batch_residents:
                yield self._take()
        if len(self.batch):
            yield self._take()

    # -- helpers ---------------------------------------------------------------------------

    def _take(self) -> Batch:
        batch, self.batch = self.batch, Batch()
        return batch

    def _id(self, table: str) -> int:
        value = self.next_id[table]
        self.next_id[table] = value + 1
        return value

    def _dob(self, age_low: int, age_high: int) -> date:
        """A birth date for someone aged ``age_low``..``age_high`` on the reference date."""
        age = self.rng.randint(age_low, age_high)
        return date.fromordinal(self.ref_ordinal - int(age * YEAR) - self.rng.randrange(365))

    def _years_after(self, start: date, low: float, high: float) -> date:
        days = int(self.rng.uniform(low, high) * YEAR)
        return min(date.fromordinal(start.toordinal() + days), self.ref - timedelta(days=1))

    def _age(self, dob: date, on: date | None = None) -> int:
        on = on or self.ref
        return on.year - dob.year - ((on.month, on.day) < (dob.month, dob.day))

    def _given(self, sex: str, origin: str, dob: date) -> str:
        rng = self.rng
        if origin == "de":
            cohort = "old" if dob.year < 1960 else "mid" if dob.year < 1990 else "young"
        else:
            cohort = "*"
        table = self.data.given_names[(sex, origin, cohort)]
        first = rng.choices(table.values, cum_weights=table.cum_weights)[0]
        if origin == "de" and rng.random() < 0.2:
            second = rng.choices(table.values, cum_weights=table.cum_weights)[0]
            if second != first:
                return f"{first} {second}"
        return str(first)

    def _family(self, origin: str) -> str:
        table = self.data.family_names[origin]
        return str(self.rng.choices(table.values, cum_weights=table.cum_weights)[0])

    def _member(self, sex: str, dob: date, origin: str, family_name: str | None = None) -> _Member:
        rng = self.rng
        member = _Member(
            id=self._id("person"),
            sex=sex,
            dob=dob,
            family_name=family_name or self._family(origin),
            given_names=self._given(sex, origin, dob),
            origin=origin,
        )
        if origin == "de":
            member.place_of_birth = "Bremen" if rng.random() < 0.55 else rng.choice(_GERMAN_BIRTHPLACES)
        else:
            member.place_of_birth = rng.choice(_FOREIGN_BIRTHPLACES[origin])
            member.nationality = _NATIONALITY[origin] if rng.random() < 0.55 else "DEU"
        return member

    def _sex_pair(self) -> tuple[str, str]:
        roll = self.rng.random()
        if roll < 0.02:
            return "w", "w"
        if roll < 0.04:
            return "m", "m"
        return "w", "m"

    def _new_address(self) -> None:
        rng = self.rng
        data = self.data
        street: Street = rng.choices(data.streets.values, cum_weights=data.streets.cum_weights)[0]  # type: ignore[assignment]
        counter = self.street_counters.get(street.name, 0)
        self.street_counters[street.name] = counter + 1
        # Numbers run 1..240, then 1a..240a, 1b.. so that large populations still fit the streets.
        number, round_ = counter % 240 + 1, counter // 240
        suffix = "" if round_ == 0 else chr(ord("a") + (round_ - 1) % 26) * (1 + (round_ - 1) // 26)
        self.address_id = self._id("address")
        self.address_street = street
        self.address_capacity = rng.choices((1, 2, 3, 6, 12), cum_weights=(30, 45, 60, 88, 100))[0]
        self.batch.rows["address"].append(
            (self.address_id, street.name, f"{number}{suffix}", street.postal_code, street.ortsteil, "Bremen")
        )

    def _marry(self, a: _Member, b: _Member, *, ended_on: date | None = None, reason: str = "") -> date:
        """Record a marriage of ``a`` and ``b``; the younger was at least 20 on the wedding day."""
        younger = max(a.dob, b.dob)
        span = max(self._age(younger) - 20, 0)
        wedding = self._years_after(younger, 20, 20 + min(span, 25) + 0.5)
        if ended_on is not None and ended_on <= wedding:
            wedding = ended_on - timedelta(days=365)
        marriage_id = self._id("marriagerecord")
        office = self.config.registry_office_ids[self.rng.random() < 0.25]
        self.batch.rows["marriagerecord"].append(
            (marriage_id, a.id, b.id, wedding, office, f"E {wedding.year}/{marriage_id}", ended_on, reason)
        )
        status = "lebenspartnerschaft" if a.sex == b.sex and wedding.year < 2017 else "verheiratet"
        a.marital_status = b.marital_status = status
        return wedding

    def _take_name(self, wife: _Member, husband: _Member) -> None:
        """Most couples choose the husband's name as their married name (§ 1355 BGB)."""
        if self.rng.random() < 0.8 and wife.family_name != husband.family_name:
            wife.birth_name = wife.family_name
            wife.family_name = husband.family_name

    def _children(
        self, mother: _Member, father: _Member | None, count: int, family_name: str
    ) -> list[_Member]:
        rng = self.rng
        mother_age = self._age(mother.dob)
        children = []
        for _ in range(count):
            low = max(20, mother_age - 24)
            high = min(42, mother_age)
            if low > high:
                break
            dob = self._years_after(mother.dob, low, high + 0.99)
            child = self._member(rng.choice("wm"), dob, mother.origin, family_name)
            child.place_of_birth = "Bremen"
            if mother.origin != "de":
                child.nationality = "DEU" if rng.random() < 0.7 else mother.nationality
            birth_id = self._id("birthrecord")
            office = self.config.registry_office_ids[rng.random() < 0.2]
            self.batch.rows["birthrecord"].append(
                (birth_id, child.id, mother.id, father.id if father else None, dob, "Bremen", office,
                 f"G {dob.year}/{birth_id}")
            )  # fmt: skip
            children.append(child)
        return children

    def _widow(self, survivor: _Member, *, died_after: date | None = None) -> _Member:
        """Create the late spouse of ``survivor`` (still in the register, with a date of death)."""
        rng = self.rng
        sex = "m" if survivor.sex == "w" else "w"
        late_dob = date.fromordinal(survivor.dob.toordinal() + rng.randint(-6 * 365, 3 * 365))
        late = self._member(sex, late_dob, survivor.origin, survivor.family_name)
        late.living = False
        earliest = max(late_dob + timedelta(days=int(45 * YEAR)), died_after or date.min)
        latest = self.ref - timedelta(days=30)
        if earliest >= latest:
            earliest = latest - timedelta(days=30)
        late.date_of_death = date.fromordinal(rng.randint(earliest.toordinal(), latest.toordinal()))
        wife, husband = (survivor, late) if survivor.sex == "w" else (late, survivor)
        self._take_name(wife, husband)
        self._marry(survivor, late, ended_on=late.date_of_death, reason="death")
        survivor.marital_status = "verwitwet"
        late.marital_status = "verheiratet"
        return late

    # -- one household ---------------------------------------------------------------------

    def _household(self, remaining: int) -> int:
        """Generate one household; returns how many living residents it added."""
        rng = self.rng
        kind = rng.choices(_HOUSEHOLD_KINDS, cum_weights=_HOUSEHOLD_CUM)[0] if remaining >= 5 else "single"
        origin = rng.choices(_ORIGINS, cum_weights=_ORIGIN_CUM)[0]
        late: list[_Member] = []
        if kind == "single":
            living, late = self._single(origin)
        elif kind in ("couple", "family"):
            living = self._couple(origin, family=kind == "family")
        elif kind == "single_parent":
            living, late = self._single_parent(origin)
        else:  # shared flat
            living = [
                self._member(rng.choice("wm"), self._dob(19, 34), origin) for _ in range(rng.randint(2, 4))
            ]
        # Every kind of household has at most five members and the last ones are singles.
        assert len(living) <= remaining
        self._place(living, late)
        return len(living)

    def _single(self, origin: str) -> tuple[list[_Member], list[_Member]]:
        """One adult: single, divorced or widowed (then with the late spouse)."""
        rng = self.rng
        low, high, _w = rng.choices(_SINGLE_AGES, cum_weights=(22, 42, 70, 88, 100))[0]
        person = self._member(rng.choice("wm"), self._dob(low, high), origin)
        age = self._age(person.dob)
        roll = rng.random()
        late = []
        if age >= 65 and roll < 0.4 or 45 <= age < 65 and roll < 0.06:
            late.append(self._widow(person))
        elif roll < (0.6 if age >= 35 else 0.05):
            person.marital_status = "geschieden"
        return [person], late

    def _couple(self, origin: str, *, family: bool) -> list[_Member]:
        """Two adults, mostly married; a family has one to three children too."""
        rng = self.rng
        sex_a, sex_b = ("w", "m") if family else self._sex_pair()
        age_a = rng.randint(26, 55) if family else rng.randint(21, 90)
        dob_a = self._dob(age_a, age_a)
        gap = rng.randint(-2, 6) if sex_b == "m" else rng.randint(-4, 4)
        dob_b = date.fromordinal(max(dob_a.toordinal() - gap * 365, 1))
        if self._age(dob_b) < 18:
            dob_b = self._dob(18, 20)
        a = self._member(sex_a, dob_a, origin)
        b = self._member(sex_b, dob_b, origin if rng.random() < 0.85 else "de")
        married = rng.random() < (0.75 if family else 0.7)
        if married:
            if (sex_a, sex_b) == ("w", "m"):
                self._take_name(a, b)
            self._marry(a, b)
        if not family:
            return [a, b]
        count = rng.choices((1, 2, 3), cum_weights=(45, 85, 100))[0]
        return [a, b, *self._children(a, b, count, b.family_name if married else a.family_name)]

    def _single_parent(self, origin: str) -> tuple[list[_Member], list[_Member]]:
        """A mother with her children or, less often, a widowed father (the mother deceased)."""
        rng = self.rng
        mother = self._member("w", self._dob(24, 50), origin)
        count = rng.choices((1, 2), cum_weights=(65, 100))[0]
        if rng.random() < 0.85:
            mother.marital_status = rng.choice(("ledig", "geschieden"))
            return [mother, *self._children(mother, None, count, mother.family_name)], []
        father = self._member("m", date.fromordinal(mother.dob.toordinal() - rng.randint(0, 4 * 365)), origin)
        children = self._children(mother, father, count, father.family_name)
        youngest = max((c.dob for c in children), default=None)
        mother.living = False
        mother.family_name = father.family_name
        death_floor = youngest or self.ref - timedelta(days=3 * 365)
        latest = self.ref_ordinal - 1
        mother.date_of_death = date.fromordinal(
            rng.randint(min(death_floor.toordinal() + 30, latest), latest)
        )
        self._marry(mother, father, ended_on=mother.date_of_death, reason="death")
        mother.marital_status = "verheiratet"
        father.marital_status = "verwitwet"
        return [father, *children], [mother]

    def _place(self, living: list[_Member], late: list[_Member]) -> None:
        rng = self.rng
        if self.address_capacity <= 0:
            self._new_address()
        self.address_capacity -= 1
        household_id = self._id("household")
        self.batch.rows["household"].append((household_id, self.address_id))
        adults = [m for m in living if self._age(m.dob) >= 18] or living
        youngest_adult = max(m.dob for m in adults)
        earliest = max(youngest_adult.toordinal() + int(18 * YEAR), self.ref_ordinal - int(30 * YEAR))
        moved_in = date.fromordinal(rng.randint(min(earliest, self.ref_ordinal - 1), self.ref_ordinal - 1))
        for member in living:
            member.moved_in_on = max(moved_in, member.dob)
            self._person_row(member, household_id)
            self._notifications(member)
        for member in late:
            member.moved_in_on = min(moved_in, member.date_of_death or moved_in)
            self._person_row(member, None)
        self.batch.residents += len(living)

    def _person_row(self, m: _Member, household_id: int | None) -> None:
        index = self.person_index
        self.person_index += 1
        self.batch.rows["person"].append(
            (
                m.id,
                f"HB{index + 1:09d}",
                m.family_name,
                m.given_names,
                m.birth_name,
                m.dob,
                m.place_of_birth,
                m.sex,
                m.nationality,
                m.marital_status,
                self.address_id,
                household_id,
                m.moved_in_on,
                m.date_of_death,
                tax_id_from_index(index, offset=self.tax_offset),
                person_name_key(m.family_name, m.given_names),
                self.config.created_at,
            )
        )

    def _notifications(self, m: _Member) -> None:
        """Wage tax certificates for the employed, pension notifications for pensioners (last 2 years)."""
        rng = self.rng
        age = self._age(m.dob)
        years = (self.ref.year - 2, self.ref.year - 1)
        if age >= 63 and (age >= 66 or rng.random() < 0.5):
            retire_age = rng.randint(63, min(age, 67))
            birthday = (
                m.dob.replace(year=m.dob.year + retire_age)
                if (m.dob.month, m.dob.day) != (2, 29)
                else (date(m.dob.year + retire_age, 3, 1))
            )
            start = date(birthday.year + (birthday.month == 12), birthday.month % 12 + 1, 1)
            if start > self.ref:
                return
            monthly = Decimal(rng.randint(700_00, 2_600_00)) / 100
            funds = [rng.choices(_PENSION_FUNDS, cum_weights=(55, 95, 100))[0]]
            if rng.random() < 0.2:
                funds.append(_SUPPLEMENTARY_FUND)
            for number, fund in enumerate(funds):
                amount = monthly if number == 0 else (monthly * Decimal("0.25")).quantize(CENT)
                for year in years:
                    if start.year > year:
                        continue
                    months = 12 if start.year < year else 13 - start.month
                    self.batch.rows["pensionnotification"].append(
                        (
                            self._id("pensionnotification"),
                            m.id,
                            fund,
                            year,
                            start,
                            (amount * months).quantize(CENT),
                        )
                    )
            return
        if age < 18 or age >= 67:
            return
        if rng.random() >= (0.5 if age < 25 else 0.8):
            return
        employer = rng.choices(self.config.employer_ids, cum_weights=self.data.employer_weights.cum_weights)[
            0
        ]
        low, high = (16_000, 36_000) if age < 25 else (28_000, 62_000) if age < 35 else (32_000, 90_000)
        gross = Decimal(int(rng.triangular(low, high, low + (high - low) * 0.35) * 100)) / 100
        for year in years:
            if self._age(m.dob, date(year, 12, 31)) < 18:
                continue
            if rng.random() < 0.08:
                employer = rng.choices(
                    self.config.employer_ids, cum_weights=self.data.employer_weights.cum_weights
                )[0]
            self.batch.rows["incomenotification"].append(
                (self._id("incomenotification"), m.id, employer, year, gross, _approximate_wage_tax(gross))
            )
            gross = (gross * Decimal("1.025")).quantize(CENT)


def _approximate_wage_tax(gross: Decimal) -> Decimal:
    """A rough wage tax for demo data only (tax class I, no church tax); NOT the § 32a EStG tariff."""
    taxable = gross * Decimal("0.8") - Decimal("12834")
    if taxable <= 0:
        return Decimal("0.00")
    rate = min(Decimal("0.42"), Decimal("0.14") + taxable / Decimal("200000"))
    return (taxable * rate).quantize(CENT)
