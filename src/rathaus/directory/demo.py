"""Demo data of the directory: the reviewed service catalogue of the repository.

Loads ``data/`` (offices with opening hours, 130 services, seven life situations) through
``services.catalogue_import`` – the same path as ``rathaus directory import`` – published,
because the data files are reviewed in the repository. A second run changes nothing.
"""

from __future__ import annotations

from rathaus.kernel.demo import Step

from . import services


def load_demo(*, seed: int, step: Step) -> str:
    document = services.catalogue_load_files()
    total = len(document["offices"]) + len(document["services"]) + len(document["life_situations"])
    advance = step("Verzeichnis: Dienststellen, Leistungen, Lebenslagen", total)
    report = services.catalogue_import(
        document=document,
        by="rathaus demo",
        publish=True,
        progress=lambda _section, count: advance(count),
    )
    return f"Verzeichnis: {report.summary()}"
