"""Gewerbean-, -um- and -abmeldung as XGewerbeanzeige 2.2 messages (issue 14, decisions 0108, 0115).

Adapts a submitted ``gewerbeanmeldung``, ``gewerbe-ummelden`` or ``gewerbe-abmelden``
application and its office to ``rathaus.domain.eforms.xgewerbeanzeige``, which builds the
message after the official samples; one builder per form, one exporter for all three.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from django.utils import timezone

from rathaus.directory.types import Office
from rathaus.domain.eforms.xgewerbeanzeige import (
    Authority,
    gewerbeabmeldung_message,
    gewerbeanmeldung_message,
    gewerbeummeldung_message,
)

from ..models import Application
from ._export import Export

TITLE = "XGewerbeanzeige-Nachricht"
# Amtlicher Gemeindeschlüssel of the municipality whose offices receive the applications
# (Stadt Bremen); the office model has no key of its own.
MUNICIPALITY_KEY = "04011000"
# The builder of each form's message (the Meldungsart is the record under ``satz``).
BUILDERS: Mapping[str, Callable[..., bytes]] = {
    "gewerbeanmeldung": gewerbeanmeldung_message,
    "gewerbe-ummelden": gewerbeummeldung_message,
    "gewerbe-abmelden": gewerbeabmeldung_message,
}


def authority(office: Office) -> Authority:
    return Authority(
        name=office.name,
        municipality_key=MUNICIPALITY_KEY,
        email=office.email,
        phone=office.phone,
        street_address=office.street_address,
        postal_code=office.postal_code,
        city=office.city,
    )


def xgewerbeanzeige_export(application: Application, office: Office) -> Export:
    """The message of a submitted application (its data, reference and submission time)."""
    assert application.submitted_at is not None
    content = BUILDERS[application.form_id](
        application.data,
        reference=application.reference,
        author=authority(office),
        created=timezone.localtime(application.submitted_at),
    )
    return Export(
        title=TITLE,
        filename=f"{application.reference}-xgewerbeanzeige.xml",
        content=content,
        media_type="application/xml",
    )
