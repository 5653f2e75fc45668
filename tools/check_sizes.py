"""Small modules: no module over 500 lines, no function over 60 (docs/development.md).

Walks the Python files below the given folders (``src`` by default), leaving out tests and
migrations, and prints every module longer than ``MAX_MODULE_LINES`` lines and every function
(or method) longer than ``MAX_FUNCTION_LINES`` lines, from its ``def`` (or first decorator) to
its last line. Exits 1 when it printed anything; run by ``make lint``.
"""

from __future__ import annotations

import ast
import sys
from collections.abc import Iterator
from pathlib import Path

MAX_MODULE_LINES = 500
MAX_FUNCTION_LINES = 60
SKIPPED_PARTS = {"tests", "migrations"}


def python_files(roots: list[Path]) -> Iterator[Path]:
    for root in roots:
        for path in sorted(root.rglob("*.py")):
            if not SKIPPED_PARTS.intersection(path.relative_to(root).parts):
                yield path


def problems(path: Path) -> Iterator[str]:
    source = path.read_text(encoding="utf-8")
    lines = len(source.splitlines())
    if lines > MAX_MODULE_LINES:
        yield f"{path}: module of {lines} lines (at most {MAX_MODULE_LINES}; make it a package)"
    for node in ast.walk(ast.parse(source, filename=str(path))):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            first = min([node.lineno, *(d.lineno for d in node.decorator_list)])
            length = (node.end_lineno or node.lineno) - first + 1
            if length > MAX_FUNCTION_LINES:
                yield f"{path}:{first}: {node.name}() has {length} lines (at most {MAX_FUNCTION_LINES})"


def main(arguments: list[str]) -> int:
    found = [
        problem
        for path in python_files([Path(a) for a in arguments or ["src"]])
        for problem in problems(path)
    ]
    for problem in found:
        print(problem)
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
