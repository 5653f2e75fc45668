"""Each web worker compiles the rule set once when it starts (``rathaus.config.gunicorn``)."""

import logging
from pathlib import Path

from django.conf import settings

from rathaus.config import gunicorn as gunicorn_config
from rathaus.domain.einvoice import rule_set
from rathaus.einvoice import rules


class _Log:
    def __init__(self) -> None:
        self.lines: list[str] = []

    def info(self, message: str, *args: object) -> None:
        self.lines.append(message % args)


class _Worker:
    """What gunicorn hands to ``post_worker_init``: its pid and its logger."""

    pid = 4711

    def __init__(self) -> None:
        self.log = _Log()


def test_worker_start_compiles_every_stylesheet_of_the_rule_set(configuration: Path):
    worker = _Worker()
    gunicorn_config.post_worker_init(worker)
    active = rule_set(Path(settings.EINVOICE_STANDARDS_DIR))
    stylesheets = {path for scenario in active.scenarios for path in scenario.stylesheets}
    assert stylesheets
    assert stylesheets <= set(active._executables)  # compiled, the first invoice waits for nothing
    assert worker.log.lines == ["E-Rechnung: Regelwerk in Worker 4711 kompiliert"]


def test_worker_without_a_rule_set_still_starts_and_says_why(settings, tmp_path, caplog):
    settings.EINVOICE_STANDARDS_DIR = tmp_path / "nothing-installed"
    worker = _Worker()
    with caplog.at_level(logging.WARNING, logger="rathaus.einvoice.rules"):
        gunicorn_config.post_worker_init(worker)
    assert worker.log.lines == []
    assert "Regelwerk nicht vorkompiliert" in caplog.text
    assert rules.warm_up() is False
