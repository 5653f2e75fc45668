"""Every audit action the E-Akte (and its archive part) records has a German label."""

import re
from pathlib import Path

from rathaus.efile.labels import source_label
from rathaus.kernel import audit

EFILE = Path(__file__).resolve().parents[1]


def _recorded_actions() -> set[str]:
    actions = set()
    for path in EFILE.rglob("*.py"):
        if "tests" in path.parts or "migrations" in path.parts:
            continue
        actions |= set(re.findall(r'action="([a-z_]+\.[a-z_]+)"', path.read_text(encoding="utf-8")))
    return actions


def test_every_recorded_efile_action_has_a_registered_label():
    actions = _recorded_actions()
    assert "efile.case_created" in actions and "efile_archive.offered" in actions
    missing = sorted(actions - set(audit.registered_action_labels()))
    assert missing == []


def test_labels_are_german_words_not_codes():
    for action in _recorded_actions():
        label = audit.action_label(action)
        assert "." not in label and "_" not in label and label != audit.action_label("no.such_action"), action


def test_known_channels_have_labels_and_an_unknown_one_is_shown_as_sent():
    assert source_label("einvoice") == "E-Rechnung"
    assert source_label("scan") == "Scan-Posteingang"
    assert source_label("Fachverfahren Gewerbe") == "Fachverfahren Gewerbe"
