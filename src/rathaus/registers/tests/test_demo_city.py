"""The demo city in the database: consistency of households, marriages, births and notifications."""

from datetime import date

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db.models import Count, F, Q

from rathaus.accounts.models import User
from rathaus.directory.models import Office
from rathaus.domain.registers.leitweg_id import is_valid_leitweg_id
from rathaus.domain.registers.tax_id import is_valid_tax_id
from rathaus.registers.demo.city import DEMO_STAFF, build_demo_city
from rathaus.registers.demo.loader import DemoCityExists
from rathaus.registers.models import (
    Address,
    BirthRecord,
    Household,
    IncomeNotification,
    MarriageRecord,
    PensionNotification,
    Person,
)

from .conftest import REFERENCE_DATE


def _age(dob, on=REFERENCE_DATE):
    return on.year - dob.year - ((on.month, on.day) < (dob.month, dob.day))


def _snapshot():
    """The whole population with every foreign key replaced by a register number or name."""
    number = dict(Person.objects.values_list("pk", "register_number"))
    people = sorted(
        (
            p.register_number, p.family_name, p.given_names, p.birth_name, p.date_of_birth, p.place_of_birth,
            p.sex, p.nationality, p.marital_status, str(p.address), p.moved_in_on, p.date_of_death, p.tax_id,
            sorted(number[m] for m in p.household.members.values_list("pk", flat=True))
            if p.household else None,
        )
        for p in Person.objects.select_related("address", "household")
    )  # fmt: skip
    births = sorted(
        (number[b.child_id], number[b.mother_id], number.get(b.father_id), b.date, b.place)
        for b in BirthRecord.objects.all()
    )
    marriages = sorted(
        (number[m.spouse_a_id], number[m.spouse_b_id], m.date, m.ended_on, m.end_reason)
        for m in MarriageRecord.objects.all()
    )
    incomes = sorted(
        (number[n.person_id], n.employer.name, n.year, n.gross_wage, n.wage_tax)
        for n in IncomeNotification.objects.select_related("employer")
    )
    pensions = sorted(
        (number[n.person_id], n.pension_fund, n.year, n.start_date, n.annual_gross)
        for n in PensionNotification.objects.all()
    )
    return people, births, marriages, incomes, pensions


def _wipe():
    for model in (IncomeNotification, PensionNotification, BirthRecord, MarriageRecord):
        model.objects.all().delete()
    User.objects.filter(person__isnull=False).delete()
    Person.objects.all().delete()
    Household.objects.all().delete()
    Address.objects.all().delete()


@pytest.mark.django_db
def test_same_residents_and_seed_give_identical_data_in_the_database():
    """Building the city twice from the same seed stores the same people, records and amounts."""
    build_demo_city(residents=300, seed=11, reference_date=REFERENCE_DATE, batch_residents=64)
    first = _snapshot()
    _wipe()
    build_demo_city(residents=300, seed=11, reference_date=REFERENCE_DATE, batch_residents=1000)
    assert _snapshot() == first


def test_counts_and_identifiers(demo_city):
    """500 living residents, each with a valid unique tax id."""
    assert demo_city.residents == 500
    assert Person.objects.filter(date_of_death__isnull=True).count() == 500
    tax_ids = list(Person.objects.values_list("tax_id", flat=True))
    assert len(set(tax_ids)) == len(tax_ids)
    assert all(is_valid_tax_id(t) for t in tax_ids)


def test_spouses_of_living_marriages_share_a_household(demo_city):
    """A couple married and not parted lives in one household; both are recorded as married."""
    open_marriages = MarriageRecord.objects.filter(ended_on__isnull=True).select_related(
        "spouse_a", "spouse_b"
    )
    assert open_marriages.exists()
    for marriage in open_marriages:
        assert marriage.spouse_a.household_id == marriage.spouse_b.household_id is not None
        assert {marriage.spouse_a.marital_status, marriage.spouse_b.marital_status} <= {
            Person.MaritalStatus.MARRIED,
            Person.MaritalStatus.PARTNERSHIP,
        }
        assert _age(marriage.spouse_a.date_of_birth, marriage.date) >= 18
        assert _age(marriage.spouse_b.date_of_birth, marriage.date) >= 18


def test_widowed_people_have_a_late_spouse_and_an_ended_marriage(demo_city):
    """'verwitwet' means a marriage ended by the death of the spouse on the spouse's date of death."""
    widowed = Person.objects.filter(marital_status=Person.MaritalStatus.WIDOWED)
    assert widowed.exists()
    for person in widowed:
        marriage = MarriageRecord.objects.get(Q(spouse_a=person) | Q(spouse_b=person))
        late = marriage.spouse_b if marriage.spouse_a_id == person.pk else marriage.spouse_a
        assert late.date_of_death == marriage.ended_on
        assert marriage.end_reason == MarriageRecord.EndReason.DEATH
        assert late.household_id is None


def test_children_are_at_least_16_years_younger_than_their_parents(demo_city):
    """Each birth record links a child to parents born at least 16 years earlier."""
    births = BirthRecord.objects.select_related("child", "mother", "father")
    assert births.exists()
    for birth in births:
        assert birth.date == birth.child.date_of_birth
        assert _age(birth.mother.date_of_birth, birth.date) >= 16
        if birth.father:
            assert _age(birth.father.date_of_birth, birth.date) >= 16
        assert birth.mother.sex == Person.Sex.FEMALE


def test_pensioners_have_pension_notifications_and_the_young_do_not(demo_city):
    """Everyone 67 or older receives a pension; nobody under 63 does; amounts are Decimals."""
    pensioners = set(PensionNotification.objects.values_list("person_id", flat=True))
    for person in Person.objects.filter(date_of_death__isnull=True):
        age = _age(person.date_of_birth)
        if age >= 67:
            assert person.pk in pensioners, person
        if age < 63:
            assert person.pk not in pensioners
    for notification in PensionNotification.objects.all():
        assert notification.annual_gross > 0
        assert notification.start_date.year <= notification.year


def test_income_notifications_belong_to_working_age_people(demo_city):
    """Wage tax certificates only for people of working age in that year; tax below the wage."""
    notifications = IncomeNotification.objects.select_related("person")
    assert notifications.exists()
    for n in notifications:
        assert 18 <= _age(n.person.date_of_birth, date(n.year, 12, 31)) <= 67
        assert 0 <= n.wage_tax < n.gross_wage


def test_households_are_at_addresses_in_bremen(demo_city):
    """Every living resident has a household at a Bremen address."""
    living = Person.objects.filter(date_of_death__isnull=True)
    assert not living.filter(Q(household__isnull=True) | ~Q(address=F("household__address"))).exists()
    assert set(Address.objects.values_list("city", flat=True)) == {"Bremen"}
    assert not Household.objects.annotate(n=Count("members")).filter(n=0).exists()


def test_offices_have_valid_leitweg_ids_and_staff_can_log_in(demo_city):
    """The demo offices carry check-digit-valid Leitweg-IDs; the demo staff logins exist."""
    ids = [o.leitweg_id for o in Office.objects.exclude(leitweg_id=None)]
    assert len(ids) >= 7
    assert all(i.startswith("04011000-") and is_valid_leitweg_id(i) for i in ids)
    assert User.objects.filter(
        username__in=[s.username for s in DEMO_STAFF], kind=User.Kind.STAFF
    ).count() == len(DEMO_STAFF)


def test_demo_is_refused_into_a_register_that_already_has_residents(demo_city):
    """A second build never mixes two populations; the error says what to do."""
    with pytest.raises(DemoCityExists):
        build_demo_city(residents=10, seed=7, reference_date=REFERENCE_DATE)
    with pytest.raises(CommandError, match="--if-empty"):
        call_command("demo", residents=10, seed=7, stdout=_Sink())


def test_if_empty_leaves_an_existing_city_untouched(demo_city):
    """`rathaus demo --if-empty` does nothing when residents exist, so a second `make run` is fast."""
    before = Person.objects.count()
    out = _Sink()
    call_command("demo", "--if-empty", "--residents", "50", stdout=out)
    assert Person.objects.count() == before
    assert "bereits" in out.text


@pytest.mark.django_db
def test_demo_command_builds_the_city_and_demo_logins_prints_how_to_log_in():
    """The command reports its counts; demo_logins shows staff logins with a TOTP code and residents."""
    out = _Sink()
    call_command(
        "demo",
        "--residents",
        "60",
        "--seed",
        "3",
        "--reference-date",
        "2026-01-01",
        "--staff-logins",
        stdout=out,
    )
    assert "60 Einwohner" in out.text
    logins = _Sink()
    call_command("demo_logins", stdout=logins)
    assert "http://127.0.0.1:8000/" in logins.text
    assert "buergeramt" in logins.text
    assert "HB0000000" in logins.text


class _Sink:
    """A stdout for call_command that keeps the text (rich writes to ``._out``)."""

    def __init__(self):
        self.text = ""
        self._out = self

    def write(self, text):
        self.text += text

    def flush(self):
        pass
