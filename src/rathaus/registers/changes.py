"""Changes of the registers by the offices that keep them (re-exported by ``services``).

The residents' register belongs to the residence registration office (Meldebehörde), the civil
status register to the registry office (Standesamt): ``RegisterOffice`` says which office keeps
which. Only staff working in such an office change its register, and only through these
services: ``move_register`` (a new dwelling, § 17 BMG; emits ``moved_in``), ``death_register``
(§ 31 PStG; emits ``died`` once) and the corrections (§ 12 BMG, § 47 PStG), which one member of
staff proposes (``correction_propose``) and another of the same office approves
(``correction_approve``) or rejects (``correction_reject``): four eyes, held by the database
too. Every change writes a ``RegisterChange`` per field (who, office, when, old → new, why) and
an audit entry. ``birth_register`` (``events``) checks the office the same way when staff call it.
"""

from __future__ import annotations

import datetime
import re
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from rathaus.directory.types import Office
from rathaus.domain.onceonly.offers import EventKind
from rathaus.domain.registers.corrections import InvalidCorrection, field_spec, parse_value
from rathaus.kernel import audit
from rathaus.kernel.exceptions import Conflict, InvalidInput, NotFound, PermissionDenied

from .events import event_record
from .models import Address, Household, MarriageRecord, Person, RegisterEvent
from .models_changes import Correction, Register, RegisterChange
from .ownership import by_name, history_write, staff_register_office, text_value

__all__ = [
    "CHANGE_ACTION_LABELS",
    "correction_approve",
    "correction_propose",
    "correction_reject",
    "death_register",
    "move_register",
]

_POSTAL_CODE = re.compile(r"^\d{5}$")


def _person_for_update(person_id: int) -> Person:
    person = Person.objects.select_for_update().filter(pk=person_id).first()
    if person is None:
        raise NotFound("Diese Person ist im Register nicht verzeichnet.", code="person_unknown")
    return person


# --- the residents' register -------------------------------------------------------------------


def _address(street: str, house_number: str, postal_code: str, district: str) -> Address:
    street, house_number, postal_code = (" ".join(v.split()) for v in (street, house_number, postal_code))
    if not street or not house_number:
        raise InvalidInput("Bitte geben Sie Straße und Hausnummer der neuen Wohnung an.")
    if not _POSTAL_CODE.match(postal_code):
        raise InvalidInput("Die Postleitzahl hat fünf Ziffern.")
    if len(street) > 120 or len(house_number) > 12:
        raise InvalidInput("Straße oder Hausnummer ist zu lang.")
    address, _created = Address.objects.get_or_create(
        street=street,
        house_number=house_number,
        postal_code=postal_code,
        city="Bremen",
        defaults={"district": " ".join(district.split())[:80]},
    )
    return address


def _household(address: Address, join_household_of: int | None) -> Household:
    if join_household_of is None:
        return Household.objects.create(address=address)
    other = Person.objects.select_related("household").filter(pk=join_household_of).first()
    if other is None or other.household is None or other.household.address_id != address.pk:
        raise InvalidInput(
            "Der Haushalt, dem die Person beitreten soll, ist unter der neuen Anschrift nicht gemeldet."
        )
    return other.household


def _check_move(person: Person, moved_on: datetime.date) -> None:
    if person.date_of_death is not None:
        raise Conflict(
            "Diese Person ist als verstorben eingetragen; eine Wohnung kann für sie nicht angemeldet werden.",
            code="person_deceased",
        )
    if moved_on < person.date_of_birth or moved_on > timezone.localdate() + datetime.timedelta(days=90):
        raise InvalidInput("Der Tag des Einzugs liegt vor der Geburt oder zu weit in der Zukunft.")


def move_register(
    *,
    person_id: int,
    street: str,
    house_number: str,
    postal_code: str,
    moved_on: datetime.date,
    by: Any,
    district: str = "",
    join_household_of: int | None = None,
    office: Office | None = None,
    reason: str = "Anmeldung",
) -> RegisterEvent:
    """Register a person's move into a dwelling in the city (Anmeldung, § 17 BMG): new address,
    household (a new one, or that of ``join_household_of`` at the same address) and move-in day,
    and emit ``moved_in`` (once per person, day and address). Staff of a residence registration
    office only; a dead person does not move (``Conflict``). ``reason`` goes into the history
    (e.g. the online application's reference)."""
    with transaction.atomic():
        acting = staff_register_office(by=by, register=Register.RESIDENTS, office=office)
        person = _person_for_update(person_id)
        _check_move(person, moved_on)
        address = _address(street, house_number, postal_code, district)
        key = f"moved_in:{person.pk}:{moved_on.isoformat()}:{address.pk}"
        stored = RegisterEvent.objects.filter(key=key).first()
        if stored is not None and person.address_id == address.pk:
            return stored  # the same move registered again
        household = _household(address, join_household_of)
        before = {
            "address": str(person.address or ""),
            "household": person.household_id,
            "moved_in_on": person.moved_in_on,
        }
        person.address, person.household, person.moved_in_on = address, household, moved_on
        person.save(update_fields=["address", "household", "moved_in_on"])
        after = {"address": str(address), "household": household.pk, "moved_in_on": moved_on}
        history_write(
            person,
            register=Register.RESIDENTS,
            kind=RegisterChange.Kind.MOVE,
            office=acting,
            by=by,
            changes={f: (before[f], after[f]) for f in before},
            reason=reason[:200] or "Anmeldung",
        )
        audit.record(
            actor=by,
            action="register.moved",
            target=person,
            details={"office": acting.pk, "address": address.pk, "household": household.pk},
        )
        return event_record(
            kind=EventKind.MOVED_IN,
            person=person,
            occurred_on=moved_on,
            key=key,
            payload={"address": address.pk, "household": household.pk},
        )


# --- the civil status register -----------------------------------------------------------------


_WIDOWED: dict[str, str] = {
    Person.MaritalStatus.MARRIED.value: Person.MaritalStatus.WIDOWED.value,
    Person.MaritalStatus.PARTNERSHIP.value: Person.MaritalStatus.PARTNER_DECEASED.value,
}


def _end_marriages(person: Person, on: datetime.date, acting: Office, by: Any) -> None:
    """A death ends the person's open marriages; the surviving spouse is widowed."""
    open_marriages = MarriageRecord.objects.select_for_update().filter(
        Q(spouse_a=person) | Q(spouse_b=person), ended_on__isnull=True
    )
    for marriage in open_marriages:
        marriage.ended_on, marriage.end_reason = max(on, marriage.date), MarriageRecord.EndReason.DEATH
        marriage.save(update_fields=["ended_on", "end_reason"])
        spouse_id = marriage.spouse_b_id if marriage.spouse_a_id == person.pk else marriage.spouse_a_id
        spouse = _person_for_update(spouse_id)
        widowed = _WIDOWED.get(spouse.marital_status)
        if widowed is not None and spouse.date_of_death is None:
            history_write(
                spouse,
                register=Register.CIVIL_STATUS,
                kind=RegisterChange.Kind.DEATH,
                office=acting,
                by=by,
                changes={"marital_status": (spouse.marital_status, widowed)},
                reason=f"Tod des Ehegatten ({person.register_number})",
            )
            spouse.marital_status = widowed
            spouse.save(update_fields=["marital_status"])


def death_register(
    *, person_id: int, date_of_death: datetime.date, by: Any, office: Office | None = None
) -> RegisterEvent:
    """Enter a person's death (Sterberegister, § 31 PStG): the date of death, the end of their
    marriages, and ``died`` (once per person: registering the same death again returns the
    stored event and changes nothing). A different date for someone already dead is a
    correction's matter (``Conflict``). Staff of a registry office only."""
    with transaction.atomic():
        acting = staff_register_office(by=by, register=Register.CIVIL_STATUS, office=office)
        person = _person_for_update(person_id)
        key = f"died:{person.pk}"
        if person.date_of_death is not None:
            stored = RegisterEvent.objects.filter(key=key).first()
            if person.date_of_death == date_of_death and stored is not None:
                return stored
            if person.date_of_death != date_of_death:
                raise Conflict(
                    "Der Tod dieser Person ist schon mit einem anderen Datum beurkundet.",
                    code="death_registered",
                )
        if date_of_death < person.date_of_birth or date_of_death > timezone.localdate():
            raise InvalidInput("Das Sterbedatum liegt vor der Geburt oder in der Zukunft.")
        if person.date_of_death is None:
            history_write(
                person,
                register=Register.CIVIL_STATUS,
                kind=RegisterChange.Kind.DEATH,
                office=acting,
                by=by,
                changes={"date_of_death": (None, date_of_death)},
                reason="Sterbefall",
            )
            person.date_of_death = date_of_death
            person.save(update_fields=["date_of_death"])
            _end_marriages(person, date_of_death, acting, by)
            audit.record(
                actor=by,
                action="register.died",
                target=person,
                details={"office": acting.pk, "on": date_of_death.isoformat()},
            )
        return event_record(kind=EventKind.DIED, person=person, occurred_on=date_of_death, key=key)


# --- corrections (four eyes) -------------------------------------------------------------------


def _current(person: Person, field: str) -> str:
    return text_value(getattr(person, field))


def correction_propose(
    *, person_id: int, field: str, new_value: str, reason: str, by: Any, office: Office | None = None
) -> Correction:
    """Propose correcting one field of a person's entry; applied only when another member of
    staff of the same office approves it. Only the fields of ``CORRECTABLE``; a reason is required."""
    try:
        spec = field_spec(field)
        value = parse_value(field, new_value, today=timezone.localdate())
    except InvalidCorrection as error:
        raise InvalidInput(str(error), code="correction_invalid") from None
    if not reason.strip():
        raise InvalidInput("Bitte begründen Sie die Berichtigung.", code="reason_missing")
    with transaction.atomic():
        acting = staff_register_office(by=by, register=spec.register, office=office)
        person = _person_for_update(person_id)
        if _current(person, field) == value:
            raise InvalidInput(f"„{spec.label}“ hat diesen Wert schon.", code="correction_unchanged")
        if Correction.objects.filter(person=person, field=field, status=Correction.Status.PENDING).exists():
            raise Conflict(
                f"Für „{spec.label}“ dieser Person wartet schon eine Berichtigung auf Freigabe.",
                code="correction_pending",
            )
        correction = Correction.objects.create(
            person=person,
            register=spec.register,
            office=acting,
            field=field,
            old_value=_current(person, field),
            new_value=value,
            reason=" ".join(reason.split())[:500],
            proposed_by_id=by.pk,
            proposed_by_name=by_name(by),
        )
        audit.record(
            actor=by,
            action="correction.proposed",
            target=correction,
            details={"person": person.pk, "field": field, "office": acting.pk},
        )
    return correction


def _pending_for_decision(correction_id: int, by: Any) -> Correction:
    correction = Correction.objects.select_for_update().filter(pk=correction_id).first()
    if correction is None:
        raise NotFound("Diese Berichtigung gibt es nicht.")
    staff_register_office(by=by, register=correction.register, office=correction.office)
    if correction.status != Correction.Status.PENDING:
        raise Conflict(
            f"Über diese Berichtigung ist schon entschieden ({correction.get_status_display()}).",
            code="correction_decided",
        )
    if correction.proposed_by_id == by.pk:
        raise PermissionDenied(
            "Eine Berichtigung muss eine zweite Person freigeben oder ablehnen, nicht wer sie "
            "eingetragen hat (Vier-Augen-Prinzip).",
            code="four_eyes",
        )
    return correction


def _decide(correction: Correction, status: str, by: Any, note: str) -> None:
    correction.status = status
    correction.decided_by_id, correction.decided_by_name = by.pk, by_name(by)
    correction.decided_at, correction.decision_note = timezone.now(), " ".join(note.split())[:500]
    correction.save(
        update_fields=["status", "decided_by_id", "decided_by_name", "decided_at", "decision_note"]
    )


def correction_approve(*, correction_id: int, by: Any) -> Correction:
    """Approve and apply a pending correction: another member of staff of the office that
    proposed it (not the proposer). A value changed since the proposal is a ``Conflict``."""
    with transaction.atomic():
        correction = _pending_for_decision(correction_id, by)
        person = _person_for_update(correction.person_id)
        if _current(person, correction.field) != correction.old_value:
            raise Conflict(
                "Der Wert wurde seit dem Vorschlag geändert; bitte lehnen Sie die Berichtigung ab "
                "und schlagen Sie sie neu vor.",
                code="correction_stale",
            )
        value: Any = correction.new_value
        if field_spec(correction.field).kind == "date":
            value = datetime.date.fromisoformat(value)
        setattr(person, correction.field, value)
        person.save(update_fields=[correction.field])
        _decide(correction, Correction.Status.APPROVED, by, "")
        history_write(
            person,
            register=correction.register,
            kind=RegisterChange.Kind.CORRECTION,
            office=correction.office,
            by=by,
            reason=correction.reason,
            correction=correction,
            changes={correction.field: (correction.old_value, correction.new_value)},
        )
        audit.record(
            actor=by,
            action="correction.approved",
            target=correction,
            details={
                "person": person.pk,
                "field": correction.field,
                "proposed_by": correction.proposed_by_id,
            },
        )
    return correction


def correction_reject(*, correction_id: int, by: Any, note: str = "") -> Correction:
    """Reject a pending correction (another member of staff of its office); nothing changes."""
    with transaction.atomic():
        correction = _pending_for_decision(correction_id, by)
        _decide(correction, Correction.Status.REJECTED, by, note)
        audit.record(
            actor=by,
            action="correction.rejected",
            target=correction,
            details={"person": correction.person_id, "field": correction.field},
        )
    return correction


# Labels of the actions above, registered by RegistersConfig.ready().
CHANGE_ACTION_LABELS = {
    "register_office.set": _("Registerführende Stelle festgelegt"),
    "register.moved": _("Wohnung angemeldet"),
    "register.died": _("Sterbefall beurkundet"),
    "correction.proposed": _("Berichtigung vorgeschlagen"),
    "correction.approved": _("Berichtigung freigegeben und eingetragen"),
    "correction.rejected": _("Berichtigung abgelehnt"),
}
