"""gunicorn settings of a Rathaus web node (``gunicorn -c python:rathaus.config.gunicorn …``).

Command-line options (``--workers``, ``--bind``) still apply on top of these. What the file adds:
every worker compiles the e-invoice rule set (the KoSIT XSLT stylesheets, 2–4 s) once, right after it
starts and before it takes a request, and then reuses it for every invoice it validates. Without it
the first invoice of each worker waits for the compilation. The workers are never forked from a
process that already holds the rules (no ``--preload`` of them): an initialised Saxon runtime must
not be copied by ``fork``.
"""

from __future__ import annotations

from typing import Any

# Requests are short; an invoice of 15 MB is validated within seconds even on a busy node.
timeout = 60
graceful_timeout = 20


def post_worker_init(worker: Any) -> None:
    """Compile the e-invoice rules in this worker (see the module docstring)."""
    from rathaus.einvoice import rules

    if rules.warm_up():
        worker.log.info("E-Rechnung: Regelwerk in Worker %s kompiliert", worker.pid)
