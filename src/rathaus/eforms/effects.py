"""What an accepted application changes beyond its case (issue 14, decision 0113).

``EFFECTS`` maps a form id to the function the decision runs, inside its transaction, when
staff accept an application of that form: the Wohnsitzanmeldung enters the move in the
residents' register through the register's own service (``registers.services.move_register``,
which checks that the deciding person keeps that register, writes its history and emits
``moved_in``). A form without an entry changes nothing but its case. An effect that cannot be
applied raises a ``RathausError`` with a message for the deciding clerk, so the decision is
not made and nothing changes; what it did is returned as a sentence for the case's notes.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Mapping
from typing import Any

from rathaus.accounts.types import User
from rathaus.kernel.exceptions import InvalidInput
from rathaus.registers import services as register_services

from .models import Application

Effect = Callable[[Application, User], str]


def _names(people: Any) -> list[str]:
    """ "Vornamen Familienname" of each entry of a repeating group's values."""
    return [
        f"{entry.get('vornamen', '')} {entry.get('familienname', '')}".strip()
        for entry in (people or [])
        if isinstance(entry, Mapping)
    ]


def register_move_in(application: Application, by: User) -> str:
    """The accepted Wohnsitzanmeldung: the applicant's new dwelling in the residents' register
    (from the moving-in day on); people moving along are named for the clerk, who registers
    them in the register (their identity is not the applicant's to assert)."""
    person_id = getattr(application.applicant, "person_id", None)
    if person_id is None:
        raise InvalidInput(
            "Die antragstellende Person ist nicht im Melderegister verzeichnet (zum Beispiel ein "
            "Zuzug aus dem Ausland). Bitte nehmen Sie sie im Melderegister auf; dieser Antrag "
            "kann die Anschrift nur für eine verzeichnete Person ändern.",
            code="person_not_registered",
        )
    data = application.data
    moved_on = datetime.date.fromisoformat(str(data["einzug"]))
    register_services.move_register(
        person_id=person_id,
        street=str(data["strasse"]),
        house_number=str(data["hausnummer"]),
        postal_code=str(data["plz"]),
        district=str(data.get("ortsteil") or ""),
        moved_on=moved_on,
        by=by,
        reason=f"Online-Anmeldung {application.reference}",
    )
    note = (
        f"Die neue Anschrift {data['strasse']} {data['hausnummer']}, {data['plz']} Bremen ist ab dem "
        f"{moved_on:%d.%m.%Y} im Melderegister eingetragen."
    )
    others = _names(data.get("mitziehend"))
    if others:
        note += " Mitziehende Personen, bitte im Melderegister einzeln anmelden: " + ", ".join(others) + "."
    return note


EFFECTS: Mapping[str, Effect] = {
    "wohnsitz-anmelden": register_move_in,
}


def on_acceptance(application: Application, by: User) -> list[str]:
    """Run the form's effect of an accepted application; the sentences for the case's notes."""
    effect = EFFECTS.get(application.form_id)
    return [effect(application, by)] if effect is not None else []
