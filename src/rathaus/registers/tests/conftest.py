from datetime import date

import pytest

from rathaus.registers.demo.city import build_demo_city

REFERENCE_DATE = date(2026, 1, 1)


@pytest.fixture
def demo_city(db):
    """A 500-resident demo city (with staff logins) in the test database."""
    return build_demo_city(residents=500, seed=7, reference_date=REFERENCE_DATE, batch_residents=200)
