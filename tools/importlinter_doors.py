"""An import-linter contract for Rathaus's app boundaries ("doors").

An app may import another app only through that app's doors: its ``services`` and
``selectors`` (writes and reads), a small ``types`` module (classes for annotations and
foreign keys) and the few framework modules named in ``extra_doors``. Everything else of an
app -- models, tasks, views, private helpers -- is private to it. ``exempt`` importers (the
composition root, tests) may import anything.

Exceptions are listed in ``ignore_imports`` as ``importer -> imported`` (``*`` matches one
name part, ``**`` any number); each must still match an import, so the list only shrinks.

Configured in ``pyproject.toml``; run by ``make lint`` (``lint-imports``).
"""

from __future__ import annotations

import fnmatch

import grimp
from importlinter import Contract, ContractCheck, fields, output


def _within(module: str, package: str) -> bool:
    return module == package or module.startswith(package + ".")


def _pattern(expression: str) -> str:
    # ``**`` any number of parts, ``*`` exactly one part (import-linter's own wildcard rules).
    return expression.replace(".**", "\0").replace("*", "[!.]*").replace("\0", "*")


class DoorsContract(Contract):
    type_name = "doors"

    apps = fields.ListField(subfield=fields.StringField())
    doors = fields.ListField(subfield=fields.StringField())
    extra_doors = fields.ListField(subfield=fields.StringField(), required=False)
    exempt = fields.ListField(subfield=fields.StringField(), required=False)
    ignore_imports = fields.ListField(subfield=fields.StringField(), required=False)

    def _app_of(self, module: str) -> str | None:
        # The most specific app wins: rathaus.efile.archive is an app inside rathaus.efile.
        matches = [app for app in self.apps if _within(module, app)]  # type: ignore[attr-defined]
        return max(matches, key=len) if matches else None

    def _is_exempt(self, module: str) -> bool:
        return any(fnmatch.fnmatchcase(module, _pattern(e)) for e in self.exempt or [])  # type: ignore[attr-defined]

    def _is_door(self, module: str, app: str) -> bool:
        if any(_within(module, door) for door in self.extra_doors or []):  # type: ignore[attr-defined]
            return True
        return any(_within(module, f"{app}.{door}") for door in self.doors)  # type: ignore[attr-defined]

    def check(self, graph: grimp.ImportGraph, verbose: bool) -> ContractCheck:
        ignores: list[tuple[str, str, str]] = []
        for line in self.ignore_imports or []:  # type: ignore[attr-defined]
            importer, _, imported = (part.strip() for part in line.partition("->"))
            ignores.append((line, _pattern(importer), _pattern(imported)))
        used: set[str] = set()
        violations: list[dict[str, object]] = []
        for importer in sorted(graph.modules):
            importer_app = self._app_of(importer)
            if importer_app is None or self._is_exempt(importer):
                continue
            for imported in sorted(graph.find_modules_directly_imported_by(importer)):
                imported_app = self._app_of(imported)
                if imported_app is None or imported_app == importer_app:
                    continue
                # An app inside another (efile.archive in efile) is a separate app both ways.
                if self._is_door(imported, imported_app):
                    continue
                matched = [
                    line
                    for line, imp, imd in ignores
                    if fnmatch.fnmatchcase(importer, imp) and fnmatch.fnmatchcase(imported, imd)
                ]
                if matched:
                    used.update(matched)
                    continue
                violations.append(_violation(graph, importer, imported))
        unused = [line for line, _, _ in ignores if line not in used]
        return ContractCheck(
            kept=not violations and not unused,
            metadata={"violations": violations, "unused": unused},
        )

    def render_broken_contract(self, check: ContractCheck) -> None:
        for violation in check.metadata["violations"]:
            lines = ", ".join(str(n) for n in violation["lines"])
            output.print_error(
                f"{violation['importer']} -> {violation['imported']} (l. {lines}): "
                "not a door of that app; use its services, selectors or types",
                bold=False,
            )
        for line in check.metadata["unused"]:
            output.print_error(f"ignore_imports entry no longer needed, remove it: {line}", bold=False)
        output.new_line()


def _violation(graph: grimp.ImportGraph, importer: str, imported: str) -> dict[str, object]:
    """One forbidden import with the lines it is on, for a contract's report."""
    details = graph.get_import_details(importer=importer, imported=imported)
    return {"importer": importer, "imported": imported, "lines": sorted({d["line_number"] for d in details})}


class OnlyImportersContract(Contract):
    """Some modules may be imported directly by the listed ``importers`` only (``*`` and ``**``
    as in ``ignore_imports``); ``exempt`` importers (tests, demo data) may import them too.

    Used for the register tables (issue 15): every read of a person's register data goes
    through the registers' exchange service or the selectors that show citizens their own
    data, so no other module imports ``rathaus.registers.models``. An allowed importer that no
    longer imports the module fails the contract, so the list only shrinks.
    """

    type_name = "only_importers"

    modules = fields.ListField(subfield=fields.StringField())
    importers = fields.ListField(subfield=fields.StringField())
    exempt = fields.ListField(subfield=fields.StringField(), required=False)

    def check(self, graph: grimp.ImportGraph, verbose: bool) -> ContractCheck:
        allowed = [(line, _pattern(line)) for line in self.importers]  # type: ignore[attr-defined]
        exempt = [_pattern(line) for line in self.exempt or []]  # type: ignore[attr-defined]
        used: set[str] = set()
        violations: list[dict[str, object]] = []
        for imported in self.modules:  # type: ignore[attr-defined]
            for importer in sorted(graph.find_modules_that_directly_import(imported)):
                if any(fnmatch.fnmatchcase(importer, pattern) for pattern in exempt):
                    continue
                matched = [line for line, pattern in allowed if fnmatch.fnmatchcase(importer, pattern)]
                if matched:
                    used.update(matched)
                    continue
                violations.append(_violation(graph, importer, imported))
        unused = [line for line, _ in allowed if line not in used]
        return ContractCheck(
            kept=not violations and not unused,
            metadata={"violations": violations, "unused": unused},
        )

    def render_broken_contract(self, check: ContractCheck) -> None:
        for violation in check.metadata["violations"]:
            lines = ", ".join(str(n) for n in violation["lines"])
            output.print_error(
                f"{violation['importer']} -> {violation['imported']} (l. {lines}): "
                "only the modules listed in the contract may import this",
                bold=False,
            )
        for line in check.metadata["unused"]:
            output.print_error(f"importers entry no longer needed, remove it: {line}", bold=False)
        output.new_line()
