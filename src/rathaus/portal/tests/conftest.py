"""Fixtures for the portal tests: citizens with a register person, staff without one."""

import datetime
import itertools

import pytest
from django.test import Client

from rathaus.accounts.models import User
from rathaus.registers.models import Person

_numbers = itertools.count(1)
# Citizens are only ever logged in by the OpenID Connect backend (the password backend refuses them).
CITIZEN_BACKEND = "rathaus.accounts.backends.OidcBackend"


def make_citizen(*, family_name: str = "Meyerhoff", given_names: str = "Hanna") -> User:
    n = next(_numbers)
    person = Person.objects.create(
        register_number=f"HBP{n:09d}",
        family_name=family_name,
        given_names=given_names,
        date_of_birth=datetime.date(1984, 3, 7),
        place_of_birth="Bremen",
        sex="w",
    )
    return User.objects.create_user(username=f"citizen-{n}", kind=User.Kind.CITIZEN, person=person)


@pytest.fixture
def citizen(db) -> User:
    return make_citizen()


@pytest.fixture
def other_citizen(db) -> User:
    return make_citizen(family_name="Schütte", given_names="Jonas")


@pytest.fixture
def citizen_client(citizen) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="de")
    client.force_login(citizen, backend=CITIZEN_BACKEND)
    return client


def demo_resident() -> Person:
    """A married resident with a household, an income notification and children, taken from
    a small demo city built by the registers' generator (the same code as ``rathaus demo``)."""
    from rathaus.registers.demo.city import build_demo_city

    build_demo_city(residents=80, seed=7, reference_date=datetime.date(2026, 11, 1), with_staff=False)
    candidates = Person.objects.filter(
        date_of_death__isnull=True,
        marital_status=Person.MaritalStatus.MARRIED,
        income_notifications__isnull=False,
        address__isnull=False,
    ).distinct()
    with_children = candidates.filter(births_as_mother__isnull=False) | candidates.filter(
        births_as_father__isnull=False
    )
    person = (
        with_children.order_by("register_number").first() or candidates.order_by("register_number").first()
    )
    assert person is not None, "the demo city has no married resident with income"
    return person


@pytest.fixture
def resident(db) -> Person:
    return demo_resident()


@pytest.fixture
def resident_client(resident) -> Client:
    user = User.objects.create_user(
        username=f"buerger-{resident.pk}", kind=User.Kind.CITIZEN, person=resident
    )
    client = Client(HTTP_ACCEPT_LANGUAGE="de")
    client.force_login(user, backend=CITIZEN_BACKEND)
    session = client.session
    session["rathaus_eidas_level"] = "http://eidas.europa.eu/LoA/substantial"
    session.save()
    return client


@pytest.fixture
def steady_last_seen(monkeypatch):
    """For tests that count a logged-in page's queries: the idle timeout records a session's last
    activity on its first page and then at most once a minute (``LAST_SEEN_RESOLUTION``), so a
    slow run that crosses a minute between two pages would count one more write of the session.
    Here only the first page records it, however long the test takes."""
    from rathaus.kernel import middleware

    monkeypatch.setattr(middleware, "LAST_SEEN_RESOLUTION", 24 * 60 * 60)
