"""Prefill with the citizen's say: a button on a step copies their OWN register entry (and the
account's e-mail) into the step's empty fields that name a ``prefill`` source. Nothing typed is
overwritten, nothing is read for anyone else, and the citizen can change every value after."""

from __future__ import annotations

import re

from django.db import transaction
from django.utils import timezone

from rathaus.accounts.types import User
from rathaus.domain.eforms.definition import Field
from rathaus.kernel import audit
from rathaus.registers import selectors as register_selectors

from ..models import Application
from ._drafts import _definition, _draft, _step

_ADDRESS = re.compile(r"^(?P<street>.+), (?P<postal_code>\d{5}) (?P<city>.+)$")
# The register shows the sex as a word; forms keep the codes of § 22 Abs. 3 PStG.
_SEX_CODES = {"weiblich": "w", "männlich": "m", "divers": "d", "ohne angabe": "x"}


def sources_of(user: User) -> dict[str, str]:
    """The values a form may take from the user's own register entry and account."""
    values = {"account.email": user.email or ""}
    person_id = getattr(user, "person_id", None)
    if person_id is None:
        return {key: value for key, value in values.items() if value}
    own = register_selectors.own_person_overview(person_id=person_id)
    address = _ADDRESS.match(own.address_line or "")
    values.update(
        {
            "person.family_name": own.family_name,
            "person.given_names": own.given_names,
            "person.birth_name": own.birth_name,
            "person.date_of_birth": own.date_of_birth.isoformat(),
            "person.place_of_birth": own.place_of_birth,
            "person.nationality": own.nationality,
            "person.sex": _SEX_CODES.get(own.sex.lower(), own.sex),
            **{f"person.{part}": text for part, text in (address.groupdict() if address else {}).items()},
        }
    )
    return {key: value for key, value in values.items() if value}


def application_prefill(*, application: Application, step_id: str, by: User) -> list[str]:
    """Fill the step's empty prefill fields from the citizen's own data; the fields filled."""
    definition = _definition(application)
    step = _step(definition, step_id)
    fields = [item for item in step.items if isinstance(item, Field) and item.prefill]
    sources = sources_of(by)
    with transaction.atomic():
        application = _draft(application)
        raw = dict(application.raw.get(step.id, {}))
        filled = [
            field.id
            for field in fields
            if field.prefill in sources and not any(value.strip() for value in raw.get(field.id, []))
        ]
        for field_id in filled:
            raw[field_id] = [sources[next(f.prefill for f in fields if f.id == field_id)]]
        application.raw = {**application.raw, step.id: raw}
        application.updated_at = timezone.now()
        application.save(update_fields=["raw", "updated_at"])
        audit.record(
            actor=by,
            action="eforms.application_prefilled",
            target=application,
            details={"step": step.id, "fields": filled},
        )
    return filled
