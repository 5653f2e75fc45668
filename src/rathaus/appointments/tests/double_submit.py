"""One booking form sent several times at once (a double click on "Termin reservieren").

``form_from_page`` reads what the browser would send from a page of free times: the hidden
fields, the first time offered and the proof of work, solved as ``pow.js`` solves it.
``submit_at_once`` posts the same form from several threads, each with its own client and
database connection, meeting at a barrier. Used by ``test_double_submit.py``: in-process on
PostgreSQL, and in a child process on a file SQLite database
(``python -m rathaus.appointments.tests.double_submit THREADS FORM_JSON`` prints the answers as
JSON).
"""

from __future__ import annotations

import base64
import html
import json
import re
import sys
import threading
from typing import Any

_HIDDEN = re.compile(r'<input type="hidden" name="(\w+)" value="([^"]*)"')
_CHOICE = re.compile(r'type="radio" name="choice" id="[^"]+" value="([^"]+)"')
_POW = re.compile(r'data-pow-(\w+)="([^"]*)"')


def choices_on_page(page: str) -> list[str]:
    """The times a page of free times offers (the radio buttons' values)."""
    return [html.unescape(value) for value in _CHOICE.findall(page)]


def form_from_page(page: str, *, pick: int = 0) -> dict[str, str]:
    """The form of a page of free times with its time number ``pick`` chosen and the proof of work
    solved."""
    import altcha

    form = {name: html.unescape(value) for name, value in _HIDDEN.findall(page)}
    form.pop("csrfmiddlewaretoken", None)
    choices = choices_on_page(page)
    assert len(choices) > pick, "too few free times on the page"
    form["choice"] = choices[pick]
    challenge = {name: html.unescape(value) for name, value in _POW.findall(page)}
    solution = altcha.solve_challenge_v1(
        challenge["challenge"], challenge["salt"], challenge["algorithm"], int(challenge["max"])
    )
    assert solution is not None
    payload = {
        "algorithm": challenge["algorithm"],
        "challenge": challenge["challenge"],
        "number": solution.number,
        "salt": challenge["salt"],
        "signature": challenge["signature"],
    }
    form["pow"] = base64.b64encode(json.dumps(payload).encode()).decode()
    return form


def submit_at_once(*, form: dict[str, str], threads: int) -> list[list[Any]]:
    """Each thread's answer: ``[status, Location]`` (``[0, "error:…"]`` if it failed)."""
    from django.db import connection
    from django.test import Client
    from django.urls import reverse

    answers: list[list[Any]] = []
    lock = threading.Lock()
    barrier = threading.Barrier(threads)

    def one() -> None:
        try:
            client = Client()
            barrier.wait(timeout=30)
            response = client.post(reverse("appointments:reserve"), form)
            answer: list[Any] = [response.status_code, response.get("Location", "")]
        except Exception as error:  # reported, makes the test fail
            answer = [0, f"error:{type(error).__name__}:{error}"]
        finally:
            connection.close()
        with lock:
            answers.append(answer)

    workers = [threading.Thread(target=one) for _ in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=120)
    return answers


def main(argv: list[str]) -> None:
    import django

    django.setup()
    threads, form = argv
    print(json.dumps(submit_at_once(form=json.loads(form), threads=int(threads))))


if __name__ == "__main__":
    main(sys.argv[1:])
