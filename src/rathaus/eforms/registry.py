"""The form definitions on offer: every ``definitions/*.yaml`` file, loaded and checked once per
process by ``rathaus.domain.eforms.loader`` (an invalid file names its line; the system check in
``checks`` refuses to start with one)."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path

from rathaus.domain.eforms.definition import FormDefinition
from rathaus.domain.eforms.loader import DefinitionError, load_definition

DEFINITIONS_DIR = Path(__file__).resolve().parent / "definitions"

_lock = threading.Lock()
_loaded: dict[str, FormDefinition] | None = None


@dataclass(frozen=True)
class FileProblem:
    path: Path
    error: DefinitionError

    def __str__(self) -> str:
        return f"{self.path.name}: {self.error}"


def load_all(directory: Path = DEFINITIONS_DIR) -> tuple[dict[str, FormDefinition], list[FileProblem]]:
    """Every definition in ``directory`` by form id, and the files that are refused."""
    forms: dict[str, FormDefinition] = {}
    problems: list[FileProblem] = []
    for path in sorted(directory.glob("*.yaml")):
        try:
            definition = load_definition(path.read_text(encoding="utf-8"))
        except DefinitionError as error:
            problems.append(FileProblem(path, error))
            continue
        if definition.id != path.stem:
            problems.append(
                FileProblem(path, DefinitionError(f"„form“ muss „{path.stem}“ heißen wie die Datei", 1))
            )
            continue
        forms[definition.id] = definition
    return forms, problems


def definitions() -> dict[str, FormDefinition]:
    """The valid definitions by form id (files with problems are left out; see ``checks``)."""
    global _loaded
    if _loaded is None:
        with _lock:
            if _loaded is None:
                _loaded = load_all()[0]
    return _loaded


def definition(form_id: str) -> FormDefinition | None:
    return definitions().get(form_id)
