"""Online applications over HTTP: logged-in citizens fill in and submit service forms (issue 14).

    python -m benchmarks applications            # 10,000 applications, SQLite and PostgreSQL
    python -m benchmarks.applications --quick    # 300 applications, SQLite only (a smoke run)
    python -m benchmarks.applications --count 2000 --database sqlite   # another size, one database

The forms: those of ``src/rathaus/eforms/definitions`` whose submission is filed without waiting
for a fee (no fee, or a payment policy that lets the application through): ``hund-anmelden`` (every second
one with the permit of a dangerous dog as a PDF), ``sondernutzung`` (with its site plan as a PDF)
and ``bauantrag`` (four PDFs). The three forms with a fee to be paid before processing
(``mandatory``: Gewerbeanmeldung, Bewohnerparkausweis, Führungszeugnis) wait for the payment and
are left out; their submission is the same code up to the filing task.

What it does, all on 127.0.0.1:
1. a database (SQLite in a temp dir, or a throw-away PostgreSQL one) with the demo city
   (``rathaus demo``: offices, services, fees, residents) and one citizen account per demo
   resident, logged in by a session written with Django's session engine (as ``benchmarks.portal``);
2. gunicorn with one sync worker per core (``benchmarks.bench_settings``: the bare view
   ``/bench/bare/`` as the baseline), 8 client threads, each application in its own
   ``requests.Session`` holding the citizen's session cookie and Django's CSRF cookie;
3. in rounds of up to one draft per citizen and form: **fill** — every application goes the way a
   browser does: the form's start page (sets the CSRF cookie), "Antrag beginnen" (POST), per step
   the page (GET) and its form (POST, files as multipart), the summary (GET); then **submit** —
   every summary's "Absenden" (POST with the CSRF token) at once; then the bare view, the same
   number of requests from the same threads. The submit phase alone is timed for the throughput,
   so that it compares like with like: one request per unit on both sides;
4. per round: submissions/s and their ratio to the bare view's requests/s; the medians over rounds
   are reported, with p50/p95 of the submit request and of the whole application (fill plus
   submit, the sum of its requests' times), and the end-to-end rate (applications/s over fill and
   submit);
5. the submit answers once the application is validated, hashed and stored; its PDF, receipt and
   case follow in a keyed task (docs/decisions/0116): ``rathaus worker`` processes (one per two
   cores, at least one; ``APPLICATIONS_BENCH_TASK_WORKERS``) run beside gunicorn for the whole
   run, so they take their share of the cores while the submits are timed; after the last round
   ``rathaus worker --until-empty`` (one per core) files what is left, timed as the backlog;
6. checks in the database: every submission stored once (one per journey, reference and hash
   set), every one filed as a case at the responsible office, no task failed, no draft left, no
   5xx answer; the time from ``submitted_at`` to the case's ``opened_at`` (submission to the
   office's E-Akte inbox, backlog included) is reported.

``python -m benchmarks applications`` writes ``results/applications.json``; its headline
``submit_throughput_ratio_to_bare`` is PostgreSQL's figure (SQLite's beside it); goal ≥ 0.3.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from benchmarks.common import (
    ROOT,
    cores,
    drain_tasks,
    free_port,
    percentile,
    postgres_reachable,
    recreate_database,
    server_env,
    start_gunicorn,
    stop_server,
    timed_gets,
    wait_until_up,
)

COUNT, QUICK_COUNT = 10_000, 300
CONCURRENCY = 8
RESIDENTS = 200  # citizens; a round holds at most one open draft per citizen and form (600)
REQUEST_TIMEOUT = 60.0
DEFAULT_DB = "postgres://postgres@127.0.0.1:5432/rathaus_bench_applications"
FORMS = ("hund-anmelden", "sondernutzung", "bauantrag")


def _today() -> datetime.date:
    return datetime.datetime.now(datetime.UTC).date()  # the dates posted are weeks from any edge


# --- the answers: per form its steps in order, each with its fields and files ---------------------


def _answers(form_id: str, number: int, today: datetime.date) -> list[tuple[str, dict[str, Any], list[str]]]:
    """The steps of application ``number`` of ``form_id``: (step id, posted fields, file fields
    posted with a PDF) in the form's order; plausible and complete, varied by ``number``."""
    if form_id == "hund-anmelden":
        dangerous = number % 2 == 1
        return [
            ("halter", {"familienname": f"Wübbena{number}", "vornamen": "Hilke", "geburtsdatum": "1985-03-02",
                        "strasse": "Fesenfeld 12", "plz": "28203", "ort": "Bremen",
                        "iban": "DE89 3704 0044 0532 0130 00"}, []),
            ("hunde", {"hund-0-name": "Frieda", "hund-0-rasse": "Staffordshire Bullterrier",
                       "hund-0-geschlecht": "huendin", "hund-0-wurfdatum": "2022-04-10",
                       "hund-0-herkunft": "zuzug", "hund-0-aufnahme": "2022-07-01",
                       "hund-0-in_bremen_seit": "2026-05-20", "hund-0-vorherige_gemeinde": "Oldenburg",
                       "hund-0-chipnummer": f"276098{number:09d}", "hund-0-versicherung": "Hanse Tierhaft",
                       "hund-0-versicherungsnummer": f"HT-{number}"}, []),
            ("besonderheiten", {"gefaehrlich": "on", "gefaehrlich_hund": "Frieda", "steuervorteil": "keiner"}
             if dangerous else {"steuervorteil": "keiner"}, ["erlaubnis"] if dangerous else []),
            ("erklaerung", {"richtig": "on"}, []),
        ]  # fmt: skip
    if form_id == "sondernutzung":
        return [
            ("antragsteller", {"art": "gewerblich", "firma": f"Café am Deich {number} GmbH",
                               "steuernummer": "60/123/45678", "familienname": "Bruns", "vornamen": "Tomke",
                               "strasse": "Am Deich 5", "plz": "28199", "ort": "Bremen",
                               "telefon": "0421 123456", "iban": "DE89370400440532013000"}, []),
            ("nutzung", {"nutzungsart": "aussengastronomie", "tische": "6", "stuehle": "24",
                         "ort_strasse": "Am Deich 5", "ort_plz": "28199", "flaechenlage": "gehweg",
                         "flaeche": "12,5", "restgehweg": "2,0",
                         "von": (today + datetime.timedelta(days=30)).isoformat(),
                         "bis": (today + datetime.timedelta(days=120)).isoformat(),
                         "uhrzeiten": "10 bis 22 Uhr"}, []),
            ("unterlagen", {}, ["lageplan"]),
            ("erklaerung", {"richtig": "on"}, []),
        ]  # fmt: skip
    return [
        ("bauherr", {"bauherr_art": "person", "bauherr_familienname": f"Deich{number}",
                     "bauherr_vornamen": "Ada", "bauherr_strasse": "Am Wall 1", "bauherr_plz": "28195",
                     "bauherr_ort": "Bremen"}, []),
        ("entwurf", {"ev_familienname": "Stein", "ev_vornamen": "Bea", "ev_strasse": "Domshof 2",
                     "ev_plz": "28195", "ev_ort": "Bremen", "ev_email": "stein@example.org",
                     "ev_kammer": "akhb", "ev_mitgliedsnummer": "HB-1234",
                     "ev_bauvorlageberechtigt": "on"}, []),
        ("grundstueck", {"grundstueck_strasse": "Horner Heerstraße 5", "grundstueck_plz": "28359",
                         "grundstueck_ort": "Bremen", "flurstueck-0-gemarkung": "Horn",
                         "flurstueck-0-flur": "2", "flurstueck-0-zaehler": str(100 + number % 900)}, []),
        ("vorhaben", {"bezeichnung": "Neubau eines Einfamilienhauses", "vorhaben_art": "neubau",
                      "gebaeudeklasse": "1", "nutzung": "Wohnen", "anzahl_gebaeude": "1",
                      "geschossflaeche": "180,5", "vollgeschosse": "2", "stellplaetze": "1"}, []),
        ("verfahren", {"verfahren": "vereinfacht"}, []),
        ("bauvorlagen", {}, ["lageplan", "bauzeichnungen", "bauzeichnungen", "baubeschreibung"]),
        ("erklaerung", {"richtig": "on"}, []),
    ]  # fmt: skip


# --- child processes (Django set up with the benchmark's settings and database) --------------------


def _setup(folder: Path) -> dict[str, Any]:
    """Migrate, build the demo city, log one citizen in per resident, write the PDF to upload."""
    import django

    django.setup()
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.core.management import call_command

    from rathaus.accounts.models import EidasLevel
    from rathaus.accounts.selectors import EIDAS_SESSION_KEY
    from rathaus.eforms import registry
    from rathaus.kernel.pdf import text_pdf
    from rathaus.kernel.testing import CITIZEN_BACKEND, session_key
    from rathaus.registers.models import Person

    call_command("migrate", verbosity=0, interactive=False)
    call_command("createcachetable", verbosity=0)
    call_command("demo", residents=RESIDENTS, seed=1, verbosity=0)
    today = _today()
    for form_id in FORMS:  # the answers must follow the shipped definitions
        steps = [step.id for step in registry.definitions()[form_id].steps]
        if steps != [step for step, _fields, _files in _answers(form_id, 0, today)]:
            raise RuntimeError(f"the benchmark's steps of {form_id} differ from the definition: {steps}")
    user_model = get_user_model()
    sessions = []
    for person in Person.objects.order_by("pk")[:RESIDENTS]:
        user = getattr(person, "account", None) or user_model.objects.create_user(
            username=f"bench-{person.pk}", kind="citizen", person=person,
            first_name=person.given_names, last_name=person.family_name,
        )  # fmt: skip
        sessions.append(
            session_key(
                user,
                backend=CITIZEN_BACKEND,
                session={EIDAS_SESSION_KEY: EidasLevel.SUBSTANTIAL.value},
            )
        )
    (folder / "plan.pdf").write_bytes(text_pdf("Lageplan 1:500 – Benchmark"))
    return {"cookie_name": settings.SESSION_COOKIE_NAME, "sessions": sessions}


def _check() -> dict[str, Any]:
    """What the database holds after the run: applications, cases, and the filing delay."""
    import django

    django.setup()
    from django.db.models import Count

    from rathaus.efile.models import Case
    from rathaus.eforms.models import Application

    applications = Application.objects.all()
    submitted = applications.filter(submitted_at__isnull=False)
    from rathaus.kernel.models import TaskRun

    tasks = TaskRun.objects.filter(task_path="rathaus.eforms.tasks.application_after_submit")
    cases = {
        row["pk"]: row
        for row in Case.objects.filter(source="eforms").values("pk", "office_id", "opened_at", "status")
    }
    delays: list[float] = []
    misfiled = 0
    for row in submitted.values("case_id", "office_id", "submitted_at"):
        case = cases.get(row["case_id"])
        if case is None or case["office_id"] != row["office_id"] or case["status"] == Case.Status.CLOSED:
            misfiled += 1
            continue
        delays.append((case["opened_at"] - row["submitted_at"]).total_seconds() * 1000)
    delays.sort()
    return {
        "applications": applications.count(),
        "submitted": submitted.count(),
        "drafts_left": applications.filter(status=Application.Status.DRAFT).count(),
        "by_form": dict(Counter(submitted.values_list("form_id", flat=True))),
        "with_attachments": submitted.filter(attachments__isnull=False).distinct().count(),
        "without_reference_or_hash": submitted.filter(reference="").count()
        + submitted.filter(sha256="").count(),
        "duplicate_references": submitted.values("reference").annotate(n=Count("pk")).filter(n__gt=1).count(),
        "cases": len(cases),
        "filing_tasks": tasks.count(),
        "filing_tasks_not_succeeded": tasks.exclude(status=TaskRun.Status.SUCCEEDED).count(),
        "without_case_in_office_inbox": misfiled,
        "case_opened_after_submission_ms": {
            "p50": round(percentile(delays, 0.5), 1) if delays else None,
            "p95": round(percentile(delays, 0.95), 1) if delays else None,
            "max": round(delays[-1], 1) if delays else None,
        },
    }


def _task_workers() -> int:
    return int(os.environ.get("APPLICATIONS_BENCH_TASK_WORKERS") or max(1, cores() // 2))


def _start_task_workers(env: dict[str, str], log: Path) -> list[subprocess.Popen[bytes]]:
    """``rathaus worker`` processes polling every 0.2 s, each in its own process group."""
    with log.open("ab") as handle:
        return [
            subprocess.Popen(
                [sys.executable, "-m", "rathaus", "worker", "--interval", "0.2", "--worker-id", f"bench-{n}"],
                env=env,
                cwd=ROOT,
                stdout=subprocess.DEVNULL,
                stderr=handle,
                start_new_session=True,
            )  # fmt: skip
            for n in range(_task_workers())
        ]


def _child(mode: str, env: dict[str, str], *args: str) -> dict[str, Any]:
    result = subprocess.run(
        [sys.executable, "-m", "benchmarks.applications", f"--{mode}", *args],
        env=env, cwd=ROOT, capture_output=True, text=True, timeout=1800, check=False,
    )  # fmt: skip
    if result.returncode != 0:
        raise RuntimeError(f"{mode} failed:\n{result.stderr[-3000:]}")
    return json.loads(result.stdout.strip().splitlines()[-1])


# --- the clients ----------------------------------------------------------------------------------


class Journey:
    """One application by one citizen: its browser session, its requests' times and answers."""

    def __init__(self, base: str, cookie: tuple[str, str], form_id: str, number: int, pdf: bytes) -> None:
        import requests

        self.base, self.form_id, self.number, self.pdf = base, form_id, number, pdf
        self.session = requests.Session()
        self.session.headers["Accept-Language"] = "de"
        self.session.cookies.set(*cookie)
        self.summary = ""  # the summary's address, once the steps are done
        self.seconds = 0.0  # the sum of this application's request times
        self.submit_seconds = 0.0
        self.statuses: Counter[str] = Counter()
        self.failure = ""

    def _send(self, method: str, url: str, expect: int, **options: Any) -> Any:
        if method == "POST":
            options.setdefault("data", {})["csrfmiddlewaretoken"] = self.session.cookies.get("csrftoken", "")
            options.setdefault("headers", {})["Referer"] = url
        began = time.perf_counter()
        try:
            answer = self.session.request(
                method, url, allow_redirects=False, timeout=REQUEST_TIMEOUT, **options
            )
        except Exception as exc:  # a refused connection or a timeout: counted, the journey ends
            self.statuses["connection_error"] += 1
            raise RuntimeError(f"{method} {url}: {exc!r}") from exc
        finally:
            took = time.perf_counter() - began
            self.seconds += took
        self.statuses[str(answer.status_code)] += 1
        if answer.status_code != expect:
            raise RuntimeError(f"{method} {url}: {answer.status_code}, not {expect}: {answer.text[:300]!r}")
        return answer

    def fill(self, today: datetime.date) -> None:
        """Start page, begin, every step (page and form), summary."""
        try:
            start = f"{self.base}/online-antrag/{self.form_id}/"
            self._send("GET", start, 200)
            url = self.base + self._send("POST", f"{start}beginnen/", 302).headers["Location"]
            for step, fields, files in _answers(self.form_id, self.number, today):
                if f"/{step}/" not in url:
                    raise RuntimeError(f"expected step {step}, redirected to {url}")
                self._send("GET", url, 200)
                uploads = [(name, (f"{name}.pdf", self.pdf, "application/pdf")) for name in files]
                url = (
                    self.base
                    + self._send("POST", url, 302, data=dict(fields), files=uploads).headers["Location"]
                )
            if not url.endswith("/zusammenfassung/"):
                raise RuntimeError(f"after the last step: {url}")
            self._send("GET", url, 200)
            self.summary = url
        except RuntimeError as exc:
            self.failure = str(exc)

    def submit(self) -> None:
        if not self.summary:
            return
        before = self.seconds
        try:
            self._send("POST", self.summary, 302)
        except RuntimeError as exc:
            self.failure = str(exc)
        self.submit_seconds = self.seconds - before


def _phase(journeys: list[Journey], work: Any) -> float:
    began = time.perf_counter()
    with ThreadPoolExecutor(max_workers=CONCURRENCY) as pool:
        list(pool.map(work, journeys))
    return time.perf_counter() - began


def _rounds(base: str, setup: dict[str, Any], count: int, pdf: bytes) -> list[dict[str, Any]]:
    """Fill and submit ``count`` applications in rounds; the bare view after each round."""
    today = _today()
    cookie_name, sessions = setup["cookie_name"], setup["sessions"]
    per_round = len(sessions) * len(FORMS)
    rounds: list[dict[str, Any]] = []
    done = 0
    while done < count:
        size = min(per_round, count - done)
        journeys = [
            Journey(base, (cookie_name, sessions[(done + n) // len(FORMS) % len(sessions)]),
                    FORMS[(done + n) % len(FORMS)], done + n, pdf)
            for n in range(size)
        ]  # fmt: skip
        fill = _phase(journeys, lambda journey: journey.fill(today))
        submit = _phase(journeys, Journey.submit)
        bare = timed_gets(lambda _n: f"{base}/bench/bare/", max(size, 200), threads=CONCURRENCY,
                          timeout=REQUEST_TIMEOUT)  # fmt: skip
        submitted = [j for j in journeys if j.summary and not j.failure]
        rounds.append({
            "applications": size,
            "submitted": len(submitted),
            "fill_seconds": fill,
            "submit_seconds": submit,
            "submits_per_second": len(submitted) / submit,
            "bare_per_second": bare["requests_per_second"],
            "bare_p50_ms": bare["p50_ms"],
            "bare_errors": bare["errors"],
            "submit_ms": [j.submit_seconds * 1000 for j in submitted],
            "application_ms": [j.seconds * 1000 for j in submitted],
            "statuses": sum((j.statuses for j in journeys), Counter()),
            "failures": [j.failure for j in journeys if j.failure][:5],
        })  # fmt: skip
        done += size
        print(f"  {done}/{count}: {rounds[-1]['submits_per_second']:.1f} submits/s, "
              f"bare {bare['requests_per_second']:.0f}/s", file=sys.stderr, flush=True)  # fmt: skip
    return rounds


def _warm_up(base: str, setup: dict[str, Any], pdf: bytes) -> None:
    """One application per form and citizen of the first few, then throw-away bare requests: the
    workers' imports, template and definition caches are warm before timing."""
    today = _today()
    for n, form_id in enumerate(FORMS):
        journey = Journey(base, (setup["cookie_name"], setup["sessions"][-1 - n]), form_id, 10**6 + n, pdf)
        journey.fill(today)
        journey.submit()
        if journey.failure:
            raise RuntimeError(f"warm-up application of {form_id} failed: {journey.failure}")
    timed_gets(
        lambda _n: f"{base}/bench/bare/", CONCURRENCY * 20, threads=CONCURRENCY, timeout=REQUEST_TIMEOUT
    )


def _summary(rounds: list[dict[str, Any]], count: int) -> dict[str, Any]:
    submit_ms = sorted(ms for r in rounds for ms in r["submit_ms"])
    application_ms = sorted(ms for r in rounds for ms in r["application_ms"])
    statuses: Counter[str] = sum((r["statuses"] for r in rounds), Counter())
    submitted = sum(r["submitted"] for r in rounds)
    wall = sum(r["fill_seconds"] + r["submit_seconds"] for r in rounds)
    submits_per_second = statistics.median(r["submits_per_second"] for r in rounds)
    bare_per_second = statistics.median(r["bare_per_second"] for r in rounds)
    return {
        "applications": count,
        "submitted_ok": submitted,
        "rounds": len(rounds),
        "submits_per_second": round(submits_per_second, 2),
        "bare_requests_per_second": round(bare_per_second, 1),
        "submit_throughput_ratio_to_bare": round(
            statistics.median(r["submits_per_second"] / r["bare_per_second"] for r in rounds), 3
        ),
        "submit_p50_ms": round(percentile(submit_ms, 0.5), 1) if submit_ms else None,
        "submit_p95_ms": round(percentile(submit_ms, 0.95), 1) if submit_ms else None,
        "bare_p50_ms": round(statistics.median(r["bare_p50_ms"] for r in rounds), 2),
        "application_p50_ms": round(percentile(application_ms, 0.5), 1) if application_ms else None,
        "application_p95_ms": round(percentile(application_ms, 0.95), 1) if application_ms else None,
        "applications_per_second_end_to_end": round(submitted / wall, 2),
        "requests_per_second_end_to_end": round(sum(statuses.values()) / wall, 1),
        "end_to_end_requests_ratio_to_bare": round(sum(statuses.values()) / wall / bare_per_second, 3),
        "answers": dict(sorted(statuses.items())),
        "errors_5xx": sum(n for status, n in statuses.items() if status.startswith("5")),
        "bare_errors": sum(r["bare_errors"] for r in rounds),
        "failures": [failure for r in rounds for failure in r["failures"]][:5],
        "per_round": [
            {
                key: round(r[key], 2)
                for key in ("submits_per_second", "bare_per_second", "fill_seconds", "submit_seconds")
            }
            for r in rounds
        ],  # fmt: skip
    }


# --- one database, and the whole run ---------------------------------------------------------------


def _one(database_url: str, count: int) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="rathaus-bench-applications-") as tmp:
        var_dir = Path(tmp)
        if database_url:
            recreate_database(url=database_url)
        env = server_env(var_dir, database_url=database_url)
        setup = _child("setup", env, str(var_dir))
        pdf = (var_dir / "plan.pdf").read_bytes()
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        log = var_dir / "gunicorn.log"
        server = start_gunicorn(env, port, log, workers=cores(), timeout=120)
        task_workers = _start_task_workers(env, var_dir / "worker.log")
        try:
            wait_until_up(base, server, log)
            _warm_up(base, setup, pdf)
            started = time.perf_counter()
            rounds = _rounds(base, setup, count, pdf)
            measured_seconds = time.perf_counter() - started
        finally:
            stop_server(server)
            for worker in task_workers:
                stop_server(worker)
        backlog_seconds = drain_tasks(env, prefix="drain", worker_timeout=1800, wait_timeout=2400)
        check = _child("check", env)
    result = _summary(rounds, count)
    warm_up = len(FORMS)
    result.update(
        database="PostgreSQL" if database_url else "SQLite",
        server=f"gunicorn, {cores()} sync workers, 127.0.0.1; {CONCURRENCY} client threads; "
        f"{_task_workers()} rathaus worker(s) beside it",
        backlog_filed_after_last_round_seconds=round(backlog_seconds, 1),
        citizens=len(setup["sessions"]),
        wall_seconds_measured=round(measured_seconds, 1),
        stored=check,
        every_submission_stored_once=check["submitted"] == result["submitted_ok"] + warm_up
        and check["duplicate_references"] == 0
        and check["without_reference_or_hash"] == 0
        and check["drafts_left"] == 0,
        every_submission_became_a_case=check["without_case_in_office_inbox"] == 0
        and check["cases"] == check["submitted"]
        and check["filing_tasks_not_succeeded"] == 0,
        no_5xx=result["errors_5xx"] == 0 and result["bare_errors"] == 0,
    )
    result["correct"] = (
        result["every_submission_stored_once"]
        and result["every_submission_became_a_case"]
        and result["no_5xx"]
        and result["submitted_ok"] == count
    )
    return result


def run(
    *, quick: bool, count: int | None = None, databases: tuple[str, ...] = ("sqlite", "postgresql")
) -> dict:
    # APPLICATIONS_BENCH_COUNT: fewer applications for a full run on a slow machine (noted in the JSON).
    count = count or (QUICK_COUNT if quick else int(os.environ.get("APPLICATIONS_BENCH_COUNT") or COUNT))
    result: dict[str, Any] = {"benchmark": "applications", "applications": count}
    url = os.environ.get("APPLICATIONS_BENCH_DATABASE_URL", DEFAULT_DB)
    if "sqlite" in databases:
        result["sqlite"] = _one("", count)
    if "postgresql" in databases and not quick and postgres_reachable(url):
        result["postgresql"] = _one(url, count)
    headline = result.get("postgresql", result.get("sqlite"))
    if headline is None:
        raise RuntimeError("no database was measured")
    result["submit_throughput_ratio_to_bare"] = headline["submit_throughput_ratio_to_bare"]
    if "sqlite" in result:
        result["submit_throughput_ratio_to_bare_sqlite"] = result["sqlite"]["submit_throughput_ratio_to_bare"]
    result["correct"] = all(result[db]["correct"] for db in ("sqlite", "postgresql") if db in result)
    if not result["correct"]:
        raise RuntimeError(f"the applications were not all stored and filed: {json.dumps(result)[:3000]}")
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.applications", description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )  # fmt: skip
    parser.add_argument("--quick", action="store_true", help=f"{QUICK_COUNT} applications, SQLite only")
    parser.add_argument("--count", type=int, help=f"applications per database (default {COUNT:,})")
    parser.add_argument("--database", choices=("sqlite", "postgresql"), action="append", help="default: both")
    parser.add_argument("--setup", metavar="DIR", help=argparse.SUPPRESS)
    parser.add_argument("--check", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.setup:
        print(json.dumps(_setup(Path(args.setup))))
    elif args.check:
        print(json.dumps(_check()))
    else:
        databases = tuple(args.database or ("sqlite", "postgresql"))
        print(json.dumps(run(quick=args.quick, count=args.count, databases=databases), indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
