"""Two imports at once — a camt.053 with a batch entry ("Sammler") and the camt.054 with its
breakdown — book the bank entry once, under real concurrency, on both databases (issue 13:
batches of the imports take turns, decision 0094)."""

import json
import sqlite3
from decimal import Decimal

import pytest
from django.db import connection
from django.test import override_settings

from rathaus.kernel.testing import run_module, sqlite_file_copy
from rathaus.payments import camt, conf, reconcile, services

from .factories import setup_payments
from .race_camt import race
from .test_reconcile import notification054

pytestmark = pytest.mark.django_db(transaction=True)
D = Decimal


def _files(directory):
    offices = setup_payments()
    a, b = (
        services.claim_create(
            office=offices["cash"], purpose=f"Gebühr {i}", debtor_name="Jana Meyer", amount=D("12.00")
        )
        for i in range(2)
    )
    batch = camt.write_camt053(
        iban=conf.payee_iban(),
        message_id="M1",
        credits=[camt.OutCredit(amount=D("207.50"), remittance="Sammelgutschrift", reference="SAMMLER-1")],
    )
    breakdown = notification054(
        "SAMMLER-1",
        [
            ("12.00", f"KZ {a.kassenzeichen}", "Jana Meyer"),
            ("12.00", f"KZ {b.kassenzeichen}", "Jana Meyer"),
            ("183.50", "Miete Mai", "Hausverwaltung Nord"),
        ],
    )
    files = [directory / "053.xml", directory / "054.xml"]
    for path, data in zip(files, (batch, breakdown), strict=True):
        path.write_bytes(data)
    return files


def _check(outcome):
    """One of the two files booked the entry (the 053 its one credit, or the 054 its three)."""
    assert [o for o in outcome if o.startswith("error")] == [], outcome
    booked = dict(o.removesuffix(" gebucht").split(": ") for o in outcome)
    assert booked in ({"053.xml": "1", "054.xml": "0"}, {"053.xml": "0", "054.xml": "3"}), outcome


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="threads share the in-memory SQLite test database"
)
@override_settings(RATHAUS_PAYMENTS_CAMT_BATCH=1)
def test_a_bank_entry_is_booked_once_when_its_two_files_are_imported_at_once_on_postgresql(tmp_path):
    outcome = race(_files(tmp_path))
    _check(outcome)
    assert reconcile.verify() == []


@pytest.mark.skipif(connection.vendor != "sqlite", reason="the SQLite variant")
def test_a_bank_entry_is_booked_once_when_its_two_files_are_imported_at_once_on_sqlite(tmp_path):
    """The same race on a file database with the embedded settings (WAL, BEGIN IMMEDIATE), in a
    child process whose threads each open their own connection."""
    files = _files(tmp_path)
    with sqlite_file_copy() as var_dir:
        database = sqlite3.connect(var_dir / "rathaus.sqlite3")
        database.execute("PRAGMA journal_mode=WAL")  # as an installation's database is
        database.close()
        child = run_module("rathaus.payments.tests.race_camt", ["1", *map(str, files)], var_dir=var_dir)
    outcome = json.loads(child)
    _check(outcome["outcomes"])
    assert outcome["problems"] == []
