"""E-Akte full-text search at 100,000 cases / 1,000,000 documents on PostgreSQL: the app's search
selector against the same SQL run raw on the same index.

    python -m benchmarks efile_search            # full: 100,000 cases, 1,000,000 documents, 200 queries
    python -m benchmarks efile_search --quick    # smoke run: 2,000 cases, 20,000 documents, 50 queries

What it does, in a child process with ``benchmarks.bench_settings``:
1. creates the dedicated PostgreSQL database ``EFILE_SEARCH_BENCH_DATABASE_URL`` (default
   ``postgres://postgres@127.0.0.1:5432/rathaus_bench_efile``; it is dropped and re-created,
   and dropped again at the end), migrates, creates one office with one clerk and bulk-loads
   the cases with ``rathaus.efile.demo.bulk_cases``;
2. puts one index entry per case and ten per case for documents into ``kernel.search``'s
   table, in bulk: text from a synthetic generator (letters with a resident's name and street
   from the demo city's data files, a reference number, a subject and lines of the German
   words of ``rathaus.efile.scan_samples``). The ``tsvector`` is built in SQL exactly as
   ``kernel.search.index_document`` builds it (``rathaus_german`` for title and body, weights
   A/B; plus the ``simple`` terms of the Python analysis when ``kernel.search`` exposes it),
   with the GIN index dropped during the load and re-created afterwards, then ``ANALYZE``;
3. draws 200 queries (a third each: family name + subject word, family name + street, a
   reference number) and times, per query, ``rathaus.efile.selectors.case_search`` (the desk's
   search: the user's offices, query analysis, count + ranked page with snippets, hit objects)
   and, as baseline, the search statements that very call sent to PostgreSQL (captured once,
   replayed raw through a cursor);
4. repeats 3 rounds, app and raw interleaved per query (alternating which goes first), and
   reports the median over rounds of p50 and p95 (ms) and the ratio app / raw (the app's
   overhead).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable

from benchmarks.common import ROOT, drop_database, percentile, recreate_database, server_env

ROUNDS = 3
DOCUMENTS_PER_CASE = 10
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/rathaus_bench_efile"
_SUBJECTS = (
    "Antrag auf Wohngeld",
    "Verlängerung Aufenthaltstitel",
    "Anmeldung einer Wohnung",
    "Widerspruch gegen Gebührenbescheid",
    "Beurkundung einer Geburt",
    "Antrag auf Personalausweis",
    "Eingangsrechnung prüfen",
    "Anmeldung der Eheschließung",
)
_TITLES = ("Antrag", "Bescheid", "Meldeschein", "Nachweis", "Schreiben", "Vermerk", "Rechnung", "Urkunde")


def _stats(latencies: list[float]) -> dict[str, float]:
    ordered = sorted(latencies)
    return {"p50_ms": percentile(ordered, 0.5), "p95_ms": percentile(ordered, 0.95)}


class _Generator:
    """Letters with names, streets, reference numbers and German words; deterministic per seed."""

    def __init__(self, seed: int) -> None:
        from rathaus.efile.scan_samples import random_lines
        from rathaus.registers.demo.data import load

        data = load()
        self.rng = random.Random(seed)  # noqa: S311 (synthetic text, not security)
        self.family = [str(v) for table in data.family_names.values() for v in table.values]
        self.given = sorted({str(v) for table in data.given_names.values() for v in table.values})
        self.streets = [street.name for street in data.streets.values]  # type: ignore[attr-defined]
        self.lines = random_lines(seed=seed, lines=5000, words_per_line=8)

    def letter(self, subject: str) -> tuple[str, str, str]:
        """(header, body lines, reference number) of one document."""
        rng = self.rng
        reference = f"{rng.randrange(10**9):09d}"
        header = (
            f"{rng.choice(self.given)} {rng.choice(self.family)}, {rng.choice(self.streets)} "
            f"{rng.randint(1, 180)}, Bremen. Zeichen {reference}. {subject}"
        )
        return header, "\n".join(rng.choice(self.lines) for _ in range(4)), reference


def _load(
    office, cases: list[tuple[int, str, str]], generator: _Generator, progress: Callable[[str], None]
) -> dict:
    """Bulk-load the index entries; returns the generator's sample for queries and timings."""
    import io

    from django.db import connection

    from rathaus.efile.search_index import CASE_KIND, DOCUMENT_KIND, visibility_for
    from rathaus.kernel import search

    analysed = getattr(search, "_analysed", None)

    def terms(text: str) -> str:
        return " ".join(analysed(text)) if analysed else ""

    line_terms: dict[str, str] = {}
    visibility = visibility_for(office.pk)
    started = time.perf_counter()
    buffer = io.StringIO()
    sample: list[tuple[str, str, str]] = []  # (family name, street, reference) of some documents

    def clean(text: str) -> str:
        return text.replace("\\", " ").replace("\t", " ").replace("\n", "\\n").replace("\r", " ")

    def row(kind: str, key: str, title: str, body: str, url: str, title_terms: str, body_terms: str) -> None:
        buffer.write(
            "\t".join(
                [kind, key, clean(title), clean(body), url, visibility, clean(title_terms), clean(body_terms)]
            )
            + "\n"
        )

    with connection.cursor() as cursor:
        cursor.execute("SELECT indexdef FROM pg_indexes WHERE indexname = 'kernel_search_vector_gin'")
        (index_sql,) = cursor.fetchone()
        cursor.execute("DROP INDEX kernel_search_vector_gin")
        cursor.execute(
            "CREATE UNLOGGED TABLE bench_stage (kind text, key text, title text, body text, url text,"
            " visibility text, title_terms text, body_terms text)"
        )
        document_key = 0
        for number, (case_id, aktenzeichen, subject) in enumerate(cases, start=1):
            url = f"/e-akte/vorgang/{case_id}/"
            title = f"{aktenzeichen} {subject}"
            row(CASE_KIND, str(case_id), title, f"{subject}\ndemo", url, terms(title), terms(subject))
            for _ in range(DOCUMENTS_PER_CASE):
                document_key += 1
                header, text, reference = generator.letter(subject)
                doc_title = generator.rng.choice(_TITLES)
                body = f"{aktenzeichen} {subject}\n{doc_title.lower()}.pdf\n{header}\n{text}"
                cached = [line_terms.setdefault(line, terms(line)) for line in text.split("\n")]
                body_terms = " ".join([terms(f"{aktenzeichen} {subject} {doc_title} {header}"), *cached])
                row(DOCUMENT_KIND, str(document_key), doc_title, body, url, terms(doc_title), body_terms)
                if document_key % 97 == 0 and len(sample) < 5000:
                    family, street = (
                        header.split(" ", 1)[1].split(", ")[0],
                        header.split(", ")[1].rsplit(" ", 1)[0],
                    )
                    sample.append((family, street, reference))
            if number % 2000 == 0 or number == len(cases):
                buffer.seek(0)
                with cursor.copy("COPY bench_stage FROM STDIN") as copy:
                    copy.write(buffer.getvalue())
                buffer = io.StringIO()
                progress(f"{number} Vorgänge, {document_key} Dokumente erzeugt")
        generated = time.perf_counter() - started
        cursor.execute(
            "INSERT INTO kernel_searchdocument (kind, key, title, body, url, visibility, language,"
            " updated_at, search_vector) SELECT kind, key, title, body, url, visibility, 'de', now(),"
            " setweight(to_tsvector('rathaus_german', title) || to_tsvector('simple', title_terms), 'A')"
            " || setweight(to_tsvector('rathaus_german', left(body, 200000))"
            " || to_tsvector('simple', body_terms), 'B')"
            " FROM bench_stage"
        )
        vectors = time.perf_counter() - started - generated
        progress("GIN-Index")
        cursor.execute(index_sql)
        cursor.execute("DROP TABLE bench_stage")
        cursor.execute("ANALYZE kernel_searchdocument")
    return {
        "sample": sample,
        "generate_and_copy_seconds": round(generated, 1),
        "tsvector_insert_seconds": round(vectors, 1),
        "total_load_seconds": round(time.perf_counter() - started, 1),
        "documents": document_key,
        "python_terms": analysed is not None,
    }


def _child(cases: int, queries: int) -> dict:
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from rathaus.accounts import services as account_services
    from rathaus.directory.models import Office
    from rathaus.efile import selectors
    from rathaus.efile.demo import bulk_cases, demo_file_plan
    from rathaus.efile.models import Case

    def progress(text: str) -> None:
        print(text, file=sys.stderr, flush=True)

    if connection.vendor != "postgresql":
        raise RuntimeError("this benchmark needs PostgreSQL (EFILE_SEARCH_BENCH_DATABASE_URL)")
    call_command("migrate", verbosity=0, interactive=False)
    office = Office.objects.create(slug="migrationsamt-bench", name="Migrationsamt (Benchmark)")
    clerk = account_services.staff_user_create(
        username="bench.clerk",
        full_name="Bench Clerk",
        password=os.urandom(12).hex() + "-Bench!",
        office=office,
        role="sachbearbeitung",
    )
    started = time.perf_counter()
    bulk_cases(office=office, count=cases, entries=demo_file_plan(), batch_size=10_000)
    cases_seconds = time.perf_counter() - started
    progress(f"{cases} Vorgänge in {cases_seconds:.0f} s")
    rows = list(Case.objects.filter(office=office).values_list("pk", "case_file__aktenzeichen", "subject"))
    generator = _Generator(seed=2026)
    for index, (pk, aktenzeichen, _subject) in enumerate(rows):
        rows[index] = (pk, aktenzeichen, _SUBJECTS[index % len(_SUBJECTS)])
    loaded = _load(office, rows, generator, progress)
    sample = loaded.pop("sample")

    rng = random.Random(7)  # noqa: S311 (sampling, not security)
    words = ("Wohngeld", "Aufenthaltstitel", "Personalausweis", "Geburt", "Gebührenbescheid", "Wohnung")
    texts = []
    for i in range(queries):
        family, street, reference = rng.choice(sample)
        texts.append([f"{family} {rng.choice(words)}", f"{family} {street}", reference][i % 3])

    # The SQL each query sends to the index, captured once (also the warm-up).
    captured: list[list[str]] = []
    for text in texts:
        with CaptureQueriesContext(connection) as context:
            selectors.case_search(user=clerk, query=text)
        captured.append([q["sql"] for q in context.captured_queries if "kernel_searchdocument" in q["sql"]])
    if not all(captured):
        raise RuntimeError("the search selector sent no query to the index")

    def app(i: int) -> int:
        return selectors.case_search(user=clerk, query=texts[i]).total

    def raw(i: int) -> None:
        with connection.cursor() as cursor:
            for sql in captured[i]:
                cursor.execute(sql)
                cursor.fetchall()

    hits = [app(i) for i in range(queries)]
    rounds: dict[str, list[dict[str, float]]] = {"app_selector": [], "raw_sql": []}
    for round_number in range(ROUNDS):
        latencies: dict[str, list[float]] = {"app_selector": [], "raw_sql": []}
        for i in range(queries):
            # Alternate who goes first, so neither always finds the other's pages in the cache.
            pair = [("app_selector", app), ("raw_sql", raw)]
            for name, call in pair if (i + round_number) % 2 == 0 else reversed(pair):
                begun = time.perf_counter()
                call(i)
                latencies[name].append((time.perf_counter() - begun) * 1000)
        for name, values in latencies.items():
            rounds[name].append(_stats(values))
        progress(f"Runde {round_number + 1}: {rounds['app_selector'][-1]} / {rounds['raw_sql'][-1]}")
    result = {
        name: {
            "p50_ms": round(statistics.median(r["p50_ms"] for r in runs), 3),
            "p95_ms": round(statistics.median(r["p95_ms"] for r in runs), 3),
        }
        for name, runs in rounds.items()
    }
    result["app_selector"]["p50_ratio"] = round(
        result["app_selector"]["p50_ms"] / result["raw_sql"]["p50_ms"], 3
    )
    result["app_selector"]["p95_ratio"] = round(
        result["app_selector"]["p95_ms"] / result["raw_sql"]["p95_ms"], 3
    )
    with connection.cursor() as cursor:
        cursor.execute("SELECT version()")
        (version,) = cursor.fetchone()
    return {
        "cases": cases,
        "index_documents": loaded["documents"] + cases,
        "queries": queries,
        "rounds": ROUNDS,
        "database": version.split(" on ")[0],
        "hits_per_query_median": statistics.median(hits),
        "hits_per_query_max": max(hits),
        "load": {"cases_seconds": round(cases_seconds, 1), **loaded},
        "targets": result,
    }


def run(*, quick: bool) -> dict:
    cases, queries = (2_000, 50) if quick else (100_000, 200)
    url = os.environ.get("EFILE_SEARCH_BENCH_DATABASE_URL", DEFAULT_URL)
    recreate_database(url)
    try:
        with tempfile.TemporaryDirectory(prefix="rathaus-bench-efile-search-") as var_dir:
            env = server_env(var_dir, database_url=url)
            completed = subprocess.run(
                [sys.executable, "-m", "benchmarks.efile_search", "--child", str(cases), str(queries)],
                cwd=ROOT,
                env=env,
                stdout=subprocess.PIPE,
                text=True,
                check=True,
            )
    finally:
        drop_database(url)
    return {"benchmark": "efile_search", **json.loads(completed.stdout.strip().splitlines()[-1])}


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--child", nargs=2, type=int, metavar=("CASES", "QUERIES"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(_child(*args.child)))
        return
    print(json.dumps(run(quick=args.quick), indent=2))


if __name__ == "__main__":
    main()
