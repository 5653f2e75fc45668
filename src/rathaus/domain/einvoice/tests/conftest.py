"""Locate the official XRechnung artefacts in ``../shared/einvoice`` relative to the project root."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

PROJECT_DIR = Path(__file__).resolve().parents[5]
STANDARDS_DIR = Path(
    os.environ.get("RATHAUS_EINVOICE_STANDARDS_DIR", PROJECT_DIR.parent / "shared" / "einvoice")
)
HAVE_STANDARDS = (STANDARDS_DIR / "kosit-validator-configuration" / "scenarios.xml").is_file()
SKIP_REASON = (
    f"official XRechnung artefacts not found in {STANDARDS_DIR} (set RATHAUS_EINVOICE_STANDARDS_DIR)"
)


@pytest.fixture
def standards_dir() -> Path:
    if not HAVE_STANDARDS:
        pytest.skip(SKIP_REASON)
    return STANDARDS_DIR
