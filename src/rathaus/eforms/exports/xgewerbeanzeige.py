"""The Gewerbeanmeldung as an XGewerbeanzeige 2.2 message (issue 14, decision 0108).

Adapts a submitted ``gewerbeanmeldung`` application and its office to
``rathaus.domain.eforms.xgewerbeanzeige``, which builds the message after the official sample.
"""

from __future__ import annotations

from django.utils import timezone

from rathaus.directory.types import Office
from rathaus.domain.eforms.xgewerbeanzeige import Authority, gewerbeanmeldung_message

from ..models import Application
from ._export import Export

TITLE = "XGewerbeanzeige-Nachricht"
# Amtlicher Gemeindeschlüssel of the municipality whose offices receive the applications
# (Stadt Bremen); the office model has no key of its own.
MUNICIPALITY_KEY = "04011000"


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
    content = gewerbeanmeldung_message(
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
