"""The project's own import-linter contract ``only_importers`` (tools/importlinter_doors.py): the
register tables may be imported only by the modules listed (issue 15, decision 0105)."""

from __future__ import annotations

import sys
from pathlib import Path

import grimp

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tools"))

from importlinter_doors import OnlyImportersContract  # noqa: E402


def _graph(*imports: tuple[str, str]) -> grimp.ImportGraph:
    graph = grimp.ImportGraph()
    for importer, imported in imports:
        graph.add_import(importer=importer, imported=imported, line_number=3, line_contents="import x")
    return graph


def _contract() -> OnlyImportersContract:
    return OnlyImportersContract(
        name="register tables",
        session_options={"root_packages": ["rathaus"]},
        contract_options={
            "modules": ["rathaus.registers.models"],
            "importers": ["rathaus.registers.services", "rathaus.registers.migrations.*"],
            "exempt": ["rathaus.*.tests.**"],
        },
    )


def test_an_import_by_a_listed_or_exempt_module_is_kept() -> None:
    graph = _graph(
        ("rathaus.registers.services", "rathaus.registers.models"),
        ("rathaus.registers.migrations.m0001", "rathaus.registers.models"),
        ("rathaus.portal.tests.test_x", "rathaus.registers.models"),
    )
    assert _contract().check(graph, verbose=False).kept


def test_an_import_by_another_module_breaks_the_contract() -> None:
    graph = _graph(
        ("rathaus.registers.services", "rathaus.registers.models"),
        ("rathaus.registers.migrations.m0001", "rathaus.registers.models"),
        ("rathaus.portal.views", "rathaus.registers.models"),
    )
    check = _contract().check(graph, verbose=False)
    assert not check.kept
    assert [v["importer"] for v in check.metadata["violations"]] == ["rathaus.portal.views"]


def test_a_listed_importer_that_no_longer_imports_breaks_the_contract() -> None:
    graph = _graph(("rathaus.registers.services", "rathaus.registers.models"))
    check = _contract().check(graph, verbose=False)
    assert not check.kept and check.metadata["unused"] == ["rathaus.registers.migrations.*"]
