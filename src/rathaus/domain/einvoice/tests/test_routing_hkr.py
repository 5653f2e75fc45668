"""Routing-table choice (exact before longest prefix, by validity) and the HKR export format."""

import csv
import datetime as dt
import io
from decimal import Decimal

import pytest

from rathaus.domain.einvoice import hkr
from rathaus.domain.einvoice.routing import (
    Route,
    RoutePatternInvalid,
    candidate_prefixes,
    check_prefix,
    choose_route,
)

DAY = dt.date(2026, 11, 29)
LID = "04011000-12348-91"


def test_exact_route_beats_any_prefix():
    routes = [
        Route(1, "04011000-123", "prefix", dt.date(2026, 1, 1)),
        Route(2, LID, "exact", dt.date(2026, 1, 1)),
        Route(3, "04011000-1234", "prefix", dt.date(2026, 1, 1)),
    ]
    assert choose_route(LID, routes, on=DAY).key == 2


def test_longest_prefix_wins():
    routes = [
        Route(1, "04", "prefix", dt.date(2026, 1, 1)),
        Route(2, "04011000-1234", "prefix", dt.date(2026, 1, 1)),
        Route(3, "04011000", "prefix", dt.date(2026, 1, 1)),
    ]
    assert choose_route(LID, routes, on=DAY).key == 2


def test_routes_count_only_within_their_validity_both_ends_inclusive():
    routes = [
        Route(1, LID, "exact", dt.date(2026, 1, 1), DAY - dt.timedelta(days=1)),
        Route(2, "04011000", "prefix", DAY, DAY),
        Route(3, LID, "exact", DAY + dt.timedelta(days=1)),
    ]
    assert choose_route(LID, routes, on=DAY).key == 2
    assert choose_route(LID, routes, on=DAY - dt.timedelta(days=1)).key == 1
    assert choose_route(LID, routes, on=DAY + dt.timedelta(days=1)).key == 3


def test_no_matching_route_gives_none():
    """A prefix of another authority and an exact ID differing in the check digit were tried."""
    routes = [
        Route(1, "04011000-9", "prefix", dt.date(2026, 1, 1)),
        Route(2, "04011000-12348-92", "exact", DAY),
    ]
    assert choose_route(LID, routes, on=DAY) is None


def test_newer_assignment_wins_among_equal_routes():
    routes = [
        Route(1, "04011000", "prefix", dt.date(2025, 1, 1)),
        Route(2, "04011000", "prefix", dt.date(2026, 1, 1)),
    ]
    assert choose_route(LID, routes, on=DAY).key == 2


def test_candidate_prefixes_cover_every_prefix():
    assert candidate_prefixes("0401-5") == ["04", "040", "0401", "0401-", "0401-5"]


@pytest.mark.parametrize("prefix", ["04011000", "04011000-", "04011000-12A", " 04011000-12348-9 ", "04"])
def test_valid_prefixes_are_accepted(prefix):
    assert check_prefix(prefix) == prefix.strip().upper()


@pytest.mark.parametrize("prefix", ["", "4", "x4011000", "0401100012345", "04011000--1", "04011000-ä"])
def test_prefixes_no_leitweg_id_can_start_with_are_refused(prefix):
    """Too short, a letter in the coarse part, 13 digits, a double hyphen and an umlaut were tried."""
    with pytest.raises(RoutePatternInvalid):
        check_prefix(prefix)


def _order(**overrides):
    values = dict(
        invoice_id=42,
        is_credit_note=False,
        office="senator-finanzen",
        leitweg_id=LID,
        seller_name='Büro "Nord"; GmbH',
        seller_vat_id="DE123456789",
        iban="DE02120300000000202051",
        invoice_number="1234/78/901",
        issue_date=dt.date(2026, 11, 2),
        due_date=None,
        currency="EUR",
        amount=Decimal("120"),
        factual_by="erechnung",
        arithmetic_by="erechnung2",
        ordered_by="erechnung",
        ordered_at=dt.datetime(2026, 11, 29, 13, 5, tzinfo=dt.UTC),
        sha256="ab" * 32,
    )
    values.update(overrides)
    return hkr.PaymentOrder(**values)


def test_csv_has_the_documented_header_and_one_line_per_order():
    content = hkr.to_csv([_order(), _order(invoice_id=43, is_credit_note=True)], export_nr=7)
    text = content.decode("utf-8")
    assert not text.startswith("\ufeff") and text.endswith("\r\n")
    rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=";"))
    assert tuple(rows[0]) == hkr.COLUMNS
    first = dict(zip(hkr.COLUMNS, rows[1], strict=True))
    assert first["format"] == "RATHAUS-HKR-1" and first["export_nr"] == "7"
    assert first["anordnung_nr"] == "ER-2026-00000042"
    assert first["betrag"] == "120.00" and first["faellig_am"] == ""
    assert first["kreditor"] == 'Büro "Nord"; GmbH'  # quoted and read back unchanged
    assert first["verwendungszweck"] == "RE 1234/78/901 vom 02.11.2026"
    assert first["angeordnet_am"] == "2026-11-29T13:05:00Z"
    assert dict(zip(hkr.COLUMNS, rows[2], strict=True))["art"] == "GS"


def test_amounts_are_rounded_to_cents_and_remittance_cut_to_140():
    order = _order(amount=Decimal("10.005"), invoice_number="X" * 200)
    row = next(csv.DictReader(io.StringIO(hkr.to_csv([order], export_nr=1).decode()), delimiter=";"))
    assert row["betrag"] in ("10.00", "10.01")
    assert len(row["verwendungszweck"]) == 140


def test_empty_export_is_only_the_header():
    assert hkr.to_csv([], export_nr=1).decode().count("\r\n") == 1


def test_order_number_reads_back():
    number = hkr.order_number(42, dt.datetime(2026, 11, 29, tzinfo=dt.UTC))
    assert hkr.parse_order_number(number) == 42
    assert hkr.parse_order_number(" er-2026-00000042 ") == 42


@pytest.mark.parametrize("text", ["", "ER-2026-42", "RE-2026-00000042", "ER-26-00000042", "ER-2026-0000004x"])
def test_malformed_order_numbers_are_refused(text):
    """Empty, a short id, a wrong prefix, a two-digit year and a letter in the id were tried."""
    with pytest.raises(ValueError, match="Anordnungsnummer"):
        hkr.parse_order_number(text)
