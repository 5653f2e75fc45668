"""Reading the registers: the citizen's own overview, the login match and the resident search
(staff reads go through the exchange service: test_exchange, test_exchange_decisions)."""

from datetime import date
from decimal import Decimal

import pytest

from rathaus.directory.models import Office
from rathaus.kernel.audit import entries_for_target
from rathaus.registers import selectors
from rathaus.registers.models import (
    Address,
    BirthRecord,
    Employer,
    Household,
    IncomeNotification,
    MarriageRecord,
    Person,
)
from rathaus.registers.selectors import (
    PersonNotFound,
    household_of,
    own_person_overview,
    person_for_login,
    person_overview,
    person_search,
)


@pytest.fixture
def family(db):
    """Jörg and Anna Müller, married, with their daughter Lea, at Ostertorsteinweg 12."""
    office = Office.objects.create(slug="standesamt", name="Standesamt", kind=Office.Kind.REGISTRY_OFFICE)
    address = Address.objects.create(street="Ostertorsteinweg", house_number="12", postal_code="28203")
    household = Household.objects.create(address=address)

    def person(number, given, sex, born, status="ledig", **extra):
        return Person.objects.create(
            register_number=number, family_name="Müller", given_names=given, sex=sex,
            date_of_birth=born, marital_status=status, address=address, household=household, **extra,
        )  # fmt: skip

    joerg = person("HB000000101", "Jörg", "m", date(1980, 3, 1), "verheiratet", tax_id="86095742719")
    anna = person("HB000000102", "Anna", "w", date(1982, 7, 9), "verheiratet", birth_name="Özdemir")
    lea = person("HB000000103", "Lea", "w", date(2015, 5, 5))
    MarriageRecord.objects.create(
        spouse_a=anna, spouse_b=joerg, date=date(2010, 6, 1), registry_office=office, record_number="E 2010/1"
    )
    BirthRecord.objects.create(child=lea, mother=anna, father=joerg, date=lea.date_of_birth, place="Bremen",
                               registry_office=office, record_number="G 2015/1")  # fmt: skip
    employer = Employer.objects.create(name="Weserhafen Logistik GmbH", city="Bremen")
    IncomeNotification.objects.create(
        person=joerg,
        employer=employer,
        year=2025,
        gross_wage=Decimal("48200.00"),
        wage_tax=Decimal("6410.50"),
    )
    return {"joerg": joerg, "anna": anna, "lea": lea}


def test_overview_gathers_household_spouse_children_and_income(family):
    """The citizen's own overview shows what the registers hold about them."""
    overview = person_overview(person_id=family["joerg"].pk)
    assert overview.name == "Jörg Müller"
    assert overview.address_line == "Ostertorsteinweg 12, 28203 Bremen"
    assert overview.marital_status == "verheiratet"
    assert overview.spouse.name == "Anna Müller"
    assert [c.name for c in overview.children] == ["Lea Müller"]
    assert {m.name for m in overview.household_members} == {"Anna Müller", "Lea Müller"}
    assert overview.income_notifications[0].gross_wage == Decimal("48200.00")
    assert overview.tax_id == "86095742719"


def test_overview_of_the_citizen_themself_writes_no_audit_entry(family):
    """A data subject reading their own data is not a disclosure to log."""
    person_overview(person_id=family["anna"].pk)
    assert not entries_for_target("registers.person", family["anna"].pk).exists()


def test_the_own_overview_is_the_citizens_data_and_not_audited(family):
    overview = own_person_overview(person_id=family["anna"].pk)
    assert overview.birth_name == "Özdemir"
    assert not entries_for_target("registers.person", family["anna"].pk).exists()


def test_there_is_no_staff_read_beside_the_exchange_service():
    """Staff and other authorities ask through services.exchange_request (decision 0105)."""
    assert not hasattr(selectors, "person_read")


def test_a_login_is_matched_to_exactly_one_living_register_entry(family):
    anna = family["anna"]
    assert person_for_login(register_number=anna.register_number) == anna
    assert person_for_login(register_number=f" {anna.register_number} ") == anna
    assert person_for_login(register_number=anna.register_number[:-1]) is None  # no prefix match
    assert person_for_login(register_number="") is None
    anna.date_of_death = anna.date_of_birth.replace(year=2025)
    anna.save(update_fields=["date_of_death"])
    assert person_for_login(register_number=anna.register_number) is None


@pytest.mark.parametrize(
    "query",
    ["Müller", "müller", "Mueller", "MÜLLER, Jörg", "Mueller, Joerg", "Jörg Müller", "Joerg Mueller", "müll"],
)
def test_search_finds_umlaut_names_however_they_are_typed(family, query):
    """Case, umlaut spelling (ü/ue) and word order do not matter; prefixes match."""
    found = {p.given_names for p in person_search(query=query)}
    assert "Jörg" in found


def test_search_by_register_number_and_limits(family):
    """A register number (or its prefix) finds the person; the limit is respected."""
    assert [p.given_names for p in person_search(query="hb000000102")] == ["Anna"]
    assert len(person_search(query="HB0000001", limit=2)) == 2
    assert person_search(query="   ") == []
    assert person_search(query="Schmidt") == []


def test_search_skips_the_dead(family):
    """Only living residents can be picked at the demo identity provider."""
    Person.objects.filter(pk=family["lea"].pk).update(date_of_death=date(2024, 1, 1))
    assert "Lea" not in {p.given_names for p in person_search(query="Müller")}


def test_household_of_lists_living_members_eldest_first(family):
    """household_of includes the person and orders by date of birth."""
    assert [p.given_names for p in household_of(person=family["lea"])] == ["Jörg", "Anna", "Lea"]


def test_saving_a_person_keeps_the_search_key_in_step(family):
    """Renaming a person updates the key the search uses."""
    anna = family["anna"]
    anna.family_name = "Schäfer"
    anna.save(update_fields=["family_name"])
    assert [p.given_names for p in person_search(query="Schaefer")] == ["Anna"]


# --- the overview in three queries: who it names --------------------------------------------------


def test_overview_names_the_spouse_whichever_side_of_the_record_they_are_on(family):
    """Anna is spouse_a of the marriage record, Jörg spouse_b: each sees the other."""
    anna = person_overview(person_id=family["anna"].pk)
    assert anna.spouse.name == "Jörg Müller"
    assert [c.name for c in anna.children] == ["Lea Müller"]
    assert {m.name for m in anna.household_members} == {"Jörg Müller", "Lea Müller"}
    assert person_overview(person_id=family["lea"].pk).spouse is None


def test_overview_leaves_out_an_ended_marriage_and_a_dead_household_member_but_not_a_dead_child(family):
    MarriageRecord.objects.update(ended_on=date(2024, 3, 1), end_reason="divorce")
    Person.objects.filter(pk=family["lea"].pk).update(date_of_death=date(2025, 1, 2))
    overview = person_overview(person_id=family["joerg"].pk)
    assert overview.spouse is None
    assert [m.name for m in overview.household_members] == ["Anna Müller"]
    assert [(c.name, c.date_of_death) for c in overview.children] == [("Lea Müller", date(2025, 1, 2))]


def test_overview_names_the_current_spouse_after_a_remarriage(family):
    """The first marriage ended; the newer one is the current one (even in another household)."""
    office = Office.objects.get(slug="standesamt")
    MarriageRecord.objects.update(ended_on=date(2020, 1, 1), end_reason="divorce")
    new = Person.objects.create(register_number="HB000000104", family_name="Kaya", given_names="Deniz",
                                sex="d", date_of_birth=date(1979, 1, 1))  # fmt: skip
    MarriageRecord.objects.create(spouse_a=family["joerg"], spouse_b=new, date=date(2022, 5, 5),
                                  registry_office=office, record_number="E 2022/7")  # fmt: skip
    assert person_overview(person_id=family["joerg"].pk).spouse.name == "Deniz Kaya"
    assert person_overview(person_id=family["anna"].pk).spouse is None


def test_overview_lists_children_in_birth_order_and_someone_without_household_alone(family):
    office = Office.objects.get(slug="standesamt")
    elder = Person.objects.create(register_number="HB000000099", family_name="Müller", given_names="Tim",
                                  sex="m", date_of_birth=date(2012, 2, 2))  # fmt: skip
    BirthRecord.objects.create(child=elder, mother=family["anna"], date=elder.date_of_birth, place="Bremen",
                               registry_office=office, record_number="G 2012/9")  # fmt: skip
    assert [c.name for c in person_overview(person_id=family["anna"].pk).children] == [
        "Tim Müller",
        "Lea Müller",
    ]
    alone = person_overview(person_id=elder.pk)
    assert (alone.household_members, alone.spouse, alone.children, alone.address_line) == ((), None, (), "")


def test_overview_of_an_unknown_person_raises(db):
    with pytest.raises(PersonNotFound, match="4711"):
        person_overview(person_id=4711)


def test_overview_takes_three_queries_however_large_the_family(family, django_assert_num_queries):
    """The people it names, the income and the pension notifications: three queries, each an
    indexed lookup."""
    with django_assert_num_queries(3):
        overview = person_overview(person_id=family["joerg"].pk)
    assert overview.income_notifications[0].employer == "Weserhafen Logistik GmbH"
    assert overview.income_notifications[0].wage_tax == Decimal("6410.50")
