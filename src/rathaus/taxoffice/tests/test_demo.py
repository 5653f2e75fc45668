"""The demo's tax returns: the demo pensioner HB000001830's return in processing, some in every status, and
enough assessments in the last 90 days for a computed (not default) expected date."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from rathaus.registers.models import PensionNotification, Person
from rathaus.taxoffice import demo, selectors
from rathaus.taxoffice.models import TaxReturn

from . import factories as f

pytestmark = pytest.mark.django_db


def test_demo_returns_cover_every_status_and_give_a_computed_processing_time():
    # given: the Finanzamt and 31 pensioners, HB000001830 among them
    w = f.world()
    pensioner = Person.objects.create(
        register_number=demo.DEMO_PENSIONER, family_name="Winter", given_names="Frieda",
        date_of_birth=dt.date(1950, 2, 2), sex="w",
    )  # fmt: skip
    for person in [pensioner] + [f.person(f"Rentner{i}", "Rolf") for i in range(30)]:
        PensionNotification.objects.create(
            person=person, pension_fund="DRV Bund", year=2025, start_date=dt.date(2015, 1, 1),
            annual_gross=Decimal("18000.00"),
        )  # fmt: skip
    # when
    summary = demo.load_demo(seed=7, step=lambda *_a: lambda _n: None)
    again = demo.load_demo(seed=7, step=lambda *_a: lambda _n: None)
    # then
    today = timezone.localdate()
    assert summary == "Finanzamt online: 23 Steuererklärungen angelegt." and "schon da" in again
    assert set(TaxReturn.objects.values_list("status", flat=True)) == set(TaxReturn.Status.values)
    mine = TaxReturn.objects.get(person=pensioner)
    assert (mine.tax_year, mine.status) == (today.year - 1, TaxReturn.Status.IN_PROCESSING)
    time = selectors.processing_time(office=w.office, today=today)
    assert not time.is_default and time.sample >= 12 and 32 <= time.days <= 68
