"""Machine-readable exports of a submitted application in a standard's format, per form.

``EXPORTERS`` maps a form id to the functions that turn its submitted application into one
extra document each (``Export``); submission files every export of the form in the case next
to the PDF and the JSON data (``services._submit._file_case``). A form without an entry gets
none. The formats' rules live in ``rathaus.domain.eforms``; the exporters only adapt the
application and its office to them.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from rathaus.directory.types import Office

from ..models import Application
from ._export import Export
from .xbau import bauantrag_xbau
from .xgewerbeanzeige import xgewerbeanzeige_export

__all__ = ["EXPORTERS", "Export", "exports_for"]


Exporter = Callable[[Application, Office], Export]


def xbau_export(application: Application, office: Office) -> Export:
    """The Bauantrag as XBau 2.6 ``baugenehmigung.antrag.0200`` (decision 0109)."""
    return Export(
        title="XBau-Nachricht baugenehmigung.antrag.0200",
        filename=f"{application.reference}-xbau-0200.xml",
        content=bauantrag_xbau(application),
        media_type="application/xml",
    )


EXPORTERS: Mapping[str, tuple[Exporter, ...]] = {
    "gewerbeanmeldung": (xgewerbeanzeige_export,),
    "gewerbe-ummelden": (xgewerbeanzeige_export,),
    "gewerbe-abmelden": (xgewerbeanzeige_export,),
    "bauantrag": (xbau_export,),
}


def exports_for(application: Application, office: Office) -> list[Export]:
    """Every export of the application's form (none for a form without exporters)."""
    return [exporter(application, office) for exporter in EXPORTERS.get(application.form_id, ())]
