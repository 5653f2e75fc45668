"""Every audit action recorded anywhere in Rathaus has a German label for history pages.

The source is read, not run: every call with an ``action=`` keyword whose value is a dotted
code ("efile.case_created") is collected, through conditional expressions, module constants
and f-strings. An f-string's placeholders must be listed in ``F_STRING_VALUES`` below with
the values they can take (read from the code's own enums where there are any), so a new
f-string fails here until someone says what it expands to.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from rathaus.kernel import audit

SRC = Path(__file__).resolve().parents[2]  # src/rathaus
ACTION = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z0-9_]+)+$")


def _einvoice_workflow_actions() -> list[str]:
    from rathaus.domain.einvoice.workflow import Action

    return [action.value for action in Action]


def _einvoice_verdicts() -> list[str]:
    from rathaus.einvoice.models import InboundInvoice

    # Intake sets one of these two before recording (einvoice/services.py).
    return [InboundInvoice.Status.ACCEPTED.value, InboundInvoice.Status.REJECTED.value]


def _directory_publishables() -> list[str]:
    from rathaus.directory.models import LifeSituation, Office, Service

    return [str(model._meta.model_name) for model in (Office, Service, LifeSituation)]


def _exchange_outcomes() -> list[str]:
    from rathaus.registers.models import ExchangeRecord

    return [outcome.value for outcome in ExchangeRecord.Outcome]


# (file under src/rathaus, f-string as written) -> the values of its one placeholder; None
# where the action is labelled by kernel.audit's generic suffix labels ("<noun>.read").
F_STRING_VALUES: dict[tuple[str, str], Callable[[], list[str]] | None] = {
    ("kernel/audit.py", "f'{noun}.read'"): None,
    ("einvoice/services.py", "f'einvoice.{invoice.status}'"): _einvoice_verdicts,
    ("einvoice/workflow/approval.py", "f'einvoice.{action.value}'"): _einvoice_workflow_actions,
    ("directory/services/publication.py", "f'directory.{_label(obj)}_edited'"): _directory_publishables,
    ("directory/services/publication.py", "f'directory.{_label(obj)}_reviewed'"): _directory_publishables,
    ("directory/services/publication.py", "f'directory.{_label(obj)}_published'"): _directory_publishables,
    ("directory/services/publication.py", "f'directory.{_label(obj)}_withdrawn'"): _directory_publishables,
    # payments/services/online.py records only these two outcomes (`if outcome in (...)`).
    ("payments/services/online.py", "f'payments.notification_{outcome}'"): lambda: ["unknown", "mismatch"],
    ("registers/services.py", "f'exchange.{outcome}'"): _exchange_outcomes,
}


def _source_files() -> Iterator[Path]:
    for path in sorted(SRC.rglob("*.py")):
        parts = path.relative_to(SRC).parts
        if "tests" in parts or "migrations" in parts or parts[0] == "domain":
            continue
        yield path


def _constants(tree: ast.Module) -> dict[str, str]:
    """Module-level ``NAME = "text"`` assignments, to resolve ``action=NAME``."""
    found = {}
    for node in tree.body:
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Constant):
            for target in node.targets:
                if isinstance(target, ast.Name) and isinstance(node.value.value, str):
                    found[target.id] = node.value.value
    return found


def _f_string_values(where: str, node: ast.JoinedStr) -> list[str]:
    key = (where, ast.unparse(node))
    if key not in F_STRING_VALUES:
        pytest.fail(f"{where}: add the values of {key[1]} to F_STRING_VALUES in this test")
    expand = F_STRING_VALUES[key]
    if expand is None:
        return []
    template = "".join(str(part.value) if isinstance(part, ast.Constant) else "{}" for part in node.values)
    return [template.format(value) for value in expand()]


def _values(where: str, node: ast.expr, constants: dict[str, str]) -> list[str]:
    """The action codes an ``action=`` argument can be (plain strings that are not codes,
    such as argparse's ``action="store_true"``, and non-literal arguments yield nothing)."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value] if ACTION.match(node.value) else []
    if isinstance(node, ast.IfExp):
        return _values(where, node.body, constants) + _values(where, node.orelse, constants)
    if isinstance(node, ast.Name) and node.id in constants:
        return _values(where, ast.Constant(constants[node.id]), constants)
    if isinstance(node, ast.JoinedStr):
        return _f_string_values(where, node)
    return []


def recorded_actions() -> dict[str, list[str]]:
    """Every action code recorded in the source -> the places that record it."""
    actions: dict[str, list[str]] = {}
    for path in _source_files():
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        where = path.relative_to(SRC).as_posix()
        constants = _constants(tree)
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            for keyword in node.keywords:
                if keyword.arg == "action":
                    for action in _values(where, keyword.value, constants):
                        actions.setdefault(action, []).append(f"{where}:{node.lineno}")
    return actions


def test_the_scan_finds_the_kinds_of_actions_it_is_meant_to_find():
    """Literals, conditional expressions and expanded f-strings are all found."""
    actions = recorded_actions()
    assert "postbox.message_sent" in actions  # a literal
    assert {"directory.office_created", "directory.office_updated"} <= set(actions)  # a ternary
    assert "directory.service_published" in actions  # an f-string over the publishable models
    assert "einvoice.rejected" in actions  # an f-string over a model's choices
    assert not any(action.startswith("store") for action in actions)  # argparse is not an action


def test_every_recorded_audit_action_has_a_registered_label():
    """History pages show a German label for each action, never the code."""
    labels = audit.registered_action_labels()
    missing = {action: places for action, places in recorded_actions().items() if action not in labels}
    report = "\n".join(f"  {action}  ({', '.join(places)})" for action, places in sorted(missing.items()))
    assert not missing, f"{len(missing)} audit actions without a label (register_action_labels):\n{report}"


def test_labels_are_german_text_not_codes():
    """A registered label is readable text, not the dotted code again."""
    for action, label in audit.registered_action_labels().items():
        assert str(label).strip(), action
        assert not ACTION.match(str(label)), (action, str(label))
