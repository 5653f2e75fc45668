"""Every audit action accounts records has a German label (history pages never show codes)."""

import re
from pathlib import Path

import pytest
from django.utils import translation

from rathaus.kernel import audit

SOURCE = Path(__file__).resolve().parents[1]
RECORDED = sorted(
    {
        match
        for path in SOURCE.rglob("*.py")
        if "tests" not in path.parts
        for match in re.findall(r'action="(accounts\.[a-z_]+)"', path.read_text(encoding="utf-8"))
    }
)


def test_the_source_records_accounts_actions():
    assert "accounts.logged_in" in RECORDED


@pytest.mark.parametrize("action", RECORDED)
def test_every_recorded_action_has_a_german_and_an_english_label(action):
    assert action in audit.registered_action_labels()
    with translation.override("de"):
        german = audit.action_label(action)
    with translation.override("en"):
        english = audit.action_label(action)
    assert "." not in german and "_" not in german
    assert english and "_" not in english


def test_login_reads_angemeldet():
    with translation.override("de"):
        assert audit.action_label("accounts.logged_in") == "Angemeldet"
