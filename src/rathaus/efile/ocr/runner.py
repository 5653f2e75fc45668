"""Child processes of one OCR run, all within its time limit.

Tesseract and the PDF rasteriser run as child processes: a hanging or crashing one cannot take
the worker with it, and their memory is returned when they end (decision 0053). They share
the document's deadline (``EFILE_OCR_TIMEOUT_SECONDS``); the child running when it passes is
killed and the run fails with ``OcrTimedOut``. Children run at niceness 5, below the web server
and the worker itself, and Tesseract with one thread (``OMP_THREAD_LIMIT=1``): one core per
document, more workers for more throughput.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from pathlib import Path

from .errors import OcrFailed, OcrTimedOut

NICENESS = "5"


class Runner:
    def __init__(self, *, timeout: float, workdir: Path) -> None:
        self.timeout = timeout
        self.deadline = time.monotonic() + timeout
        self.workdir = workdir
        self._nice = shutil.which("nice")
        self._env = {**os.environ, "OMP_THREAD_LIMIT": "1"}

    def timed_out(self) -> OcrTimedOut:
        return OcrTimedOut(
            f"Die Texterkennung hat nach {self.timeout:g} Sekunden abgebrochen; sie wird für diese "
            "Datei nicht automatisch wiederholt."
        )

    def run(self, command: list[str]) -> subprocess.CompletedProcess[str]:
        """Run ``command``; raises ``OcrTimedOut`` when the deadline passes, ``OcrFailed`` when
        it cannot start. Its exit code is the caller's to judge."""
        remaining = self.deadline - time.monotonic()
        if remaining <= 0:
            raise self.timed_out()
        niced = [self._nice, "-n", NICENESS, *command] if self._nice else command
        try:
            return subprocess.run(  # noqa: S603 (fixed argument list, no shell)
                niced,
                capture_output=True,
                text=True,
                errors="replace",
                timeout=remaining,
                check=False,
                cwd=self.workdir,
                env=self._env,
            )
        except subprocess.TimeoutExpired as exc:
            raise self.timed_out() from exc
        except OSError as exc:
            raise OcrFailed(f"Die Texterkennung ließ sich nicht starten ({exc}).") from exc

    def checked(self, command: list[str]) -> subprocess.CompletedProcess[str]:
        """``run``, and ``OcrFailed`` with the child's last message when it did not succeed."""
        finished = self.run(command)
        if finished.returncode != 0:
            raise OcrFailed(f"Die Texterkennung ist fehlgeschlagen: {last_message(finished)}")
        return finished


def last_message(finished: subprocess.CompletedProcess[str]) -> str:
    detail = (finished.stderr or finished.stdout or "").strip().splitlines()
    return detail[-1][:300] if detail else f"Exit-Code {finished.returncode}"
