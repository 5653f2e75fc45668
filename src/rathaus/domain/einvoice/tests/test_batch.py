"""Batch validation on several processes gives the same verdicts, in order, as one process."""

from __future__ import annotations

from pathlib import Path

from rathaus.domain.einvoice import validate_invoice
from rathaus.domain.einvoice.batch import validate_files


def test_two_workers_give_the_same_verdicts_in_order(standards_dir: Path, tmp_path: Path) -> None:
    """Valid and invalid files, an unreadable path and an oversized file keep their order and verdicts."""
    suite = standards_dir / "testsuite"
    files = sorted((suite / "xrechnung-schematron-unit" / "ubl-inv").glob("*.xml"))[:6]
    oversized = tmp_path / "gross.xml"
    oversized.write_bytes(b"<a>" + b" " * 2_000_001 + b"</a>")
    paths = [*files, tmp_path / "fehlt.xml", oversized]
    reports = list(validate_files(paths, standards_dir=standards_dir, jobs=2, max_bytes=2_000_000))
    assert len(reports) == len(paths)
    for path, report in zip(files, reports, strict=False):
        single = validate_invoice(path.read_bytes(), standards_dir=standards_dir, max_bytes=2_000_000)
        assert (report.accepted, report.error_rule_ids) == (single.accepted, single.error_rule_ids)
    assert reports[-2].error_rule_ids == ["FILE"]
    assert reports[-1].error_rule_ids == ["SIZE-LIMIT"]


def test_one_worker_runs_in_process(standards_dir: Path, tmp_path: Path) -> None:
    """With one job no process is started and the oversized file gets SIZE-LIMIT."""
    big = tmp_path / "gross.xml"
    big.write_bytes(b"<a>" + b" " * 3000 + b"</a>")
    (report,) = validate_files([big], standards_dir=standards_dir, jobs=1, max_bytes=1000)
    assert report.error_rule_ids == ["SIZE-LIMIT"]
