"""Every code E-Payment records or shows has a label: audit actions, ledger accounts and
booking kinds (read from the source, so a new one without a label fails here)."""

import re
from pathlib import Path

from rathaus.domain.payments import ledger
from rathaus.kernel import audit
from rathaus.payments import labels

SOURCE = Path(labels.__file__).parent


def _source() -> str:
    return "\n".join(
        path.read_text(encoding="utf-8") for path in SOURCE.rglob("*.py") if "tests" not in path.parts
    )


def test_every_recorded_audit_action_has_a_registered_german_label():
    text = _source()
    actions = set(re.findall(r'action="(payments\.[a-z_]+)"', text))
    # f"payments.notification_{outcome}" with the two outcomes that are recorded
    actions |= {f"payments.notification_{o}" for o in ("unknown", "mismatch")}
    actions |= set(re.findall(r'"(payments\.tariff_[a-z]+)"', text))
    assert len(actions) >= 15
    registered = audit.registered_action_labels()
    missing = sorted(a for a in actions if a not in registered)
    assert missing == []
    for action in actions:
        assert audit.action_label(action) == str(labels.ACTION_LABELS[action])


def test_every_ledger_account_and_booking_kind_has_a_label():
    assert set(ledger.ACCOUNTS) == set(labels.ACCOUNT_LABELS)
    kinds = set(re.findall(r'kind="([a-z_]+)",\s*(?:claim|postings|memo)', _source()))
    kinds |= set(re.findall(r'book\(\s*kind="([a-z_]+)"', _source()))
    assert {"claim", "online_payment", "refund", "bank_payment", "manual_match"} <= kinds
    assert kinds <= set(labels.ENTRY_KIND_LABELS)
