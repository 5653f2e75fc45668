"""Validate many documents on all cores: one worker process per core, each with its own rule set.

Saxon's compiled stylesheets cannot be shared between processes, so every worker compiles the rule
set once (about 1–2 s) and then validates its share. Workers are started with ``spawn``, never
``fork``: a forked copy of an initialised Saxon runtime is not safe to use.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from .validation import DEFAULT_MAX_BYTES, Finding, ValidationReport, rule_set

__all__ = ["validate_files"]

_STANDARDS_DIR: Path | None = None


def _init(standards_dir: Path) -> None:
    global _STANDARDS_DIR
    _STANDARDS_DIR = standards_dir
    rule_set(standards_dir).warm_up()


def _validate_path(path: Path, max_bytes: int) -> ValidationReport:
    assert _STANDARDS_DIR is not None  # noqa: S101 - set by the pool initialiser
    rules = rule_set(_STANDARDS_DIR)
    try:
        size = path.stat().st_size
        if size > max_bytes:
            # Refused without reading the file into memory.
            message = f"Die Datei ist {size} Bytes groß; erlaubt sind höchstens {max_bytes} Bytes."
            return ValidationReport(
                False, None, None, rules.version, (Finding("SIZE-LIMIT", "error", message),)
            )
        content = path.read_bytes()
    except OSError as exc:
        message = f"Die Datei {path} ist nicht lesbar: {exc.strerror}."
        return ValidationReport(False, None, None, rules.version, (Finding("FILE", "error", message),))
    return rules.validate(content, max_bytes=max_bytes)


def validate_files(
    paths: Sequence[Path], *, standards_dir: Path, jobs: int | None = None, max_bytes: int = DEFAULT_MAX_BYTES
) -> Iterator[ValidationReport]:
    """Reports for ``paths`` in the given order; ``jobs`` defaults to the number of cores.

    A file that cannot be read gives a rejected report with pseudo rule ``FILE``; one bad file never
    stops the batch.
    """
    workers = max(1, min(jobs or os.cpu_count() or 1, len(paths) or 1))
    if workers == 1:
        _init(Path(standards_dir))
        for path in paths:
            yield _validate_path(Path(path), max_bytes)
        return
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(
        workers, mp_context=context, initializer=_init, initargs=(Path(standards_dir),)
    ) as pool:
        yield from pool.map(_validate_path, [Path(p) for p in paths], [max_bytes] * len(paths), chunksize=4)
