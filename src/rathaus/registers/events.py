"""Register events and proactive offers (re-exported by ``services``).

A register change records a ``RegisterEvent`` (``event_record``): stored once per key, and in
the same transaction its processing task is enqueued, keyed by the event, so the event exists
exactly when its task does. The task (``event_process``) applies the rules of
``rathaus.domain.onceonly.offers`` under a row lock on the event: it creates each offer once
(unique per person, rule and event), puts a message into the citizen's postbox and marks the
event processed, so a duplicate delivery does nothing. Accepting an offer (``offer_accept``)
files a case with the person at the rule's office in the E-Akte, once however often it is
clicked. ``birth_register`` is the registry office's entry of a birth, which emits its event.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from rathaus.accounts import selectors as account_selectors
from rathaus.accounts.types import User
from rathaus.directory import selectors as directory_selectors
from rathaus.directory.types import Office
from rathaus.domain.onceonly.offers import (
    EventFacts,
    EventKind,
    Rule,
    offers_due,
    offers_withdrawn,
    rule_by_id,
)
from rathaus.efile import services as efile_services
from rathaus.efile.types import FilePlanEntry
from rathaus.kernel import audit, notify, urls
from rathaus.kernel.exceptions import Conflict, NotFound, RathausError
from rathaus.kernel.tasks import enqueue_once

from .models import BirthRecord, MarriageRecord, Person, ProactiveOffer, RegisterEvent
from .models_changes import Register, RegisterChange
from .ownership import history_write, staff_register_office

PROCESS_TASK = "rathaus.registers.tasks.register_event_process"
SYSTEM = "Proaktive Angebote"
# Where accepted offers are filed (city-wide entries, created when first needed).
FILE_PLAN = ("51", "Leistungen auf Initiative der Verwaltung", "51.10", "Proaktive Angebote")


class OfferError(RathausError):
    """An offer that cannot be accepted or declined as asked."""

    default_code = "offer"


def event_task_key(event_id: int) -> str:
    return f"register-event:{event_id}"


def event_record(
    *,
    kind: str,
    person: Person,
    occurred_on: datetime.date,
    key: str = "",
    payload: dict[str, Any] | None = None,
) -> RegisterEvent:
    """Store a register event and enqueue its processing; a duplicate ``key`` returns the event
    stored first and enqueues nothing. The key defaults to kind, person and day."""
    kind = EventKind(kind).value  # an unknown kind is a programming error: ValueError
    key = (key or f"{kind}:{person.pk}:{occurred_on.isoformat()}")[:200]
    with transaction.atomic():
        existing = RegisterEvent.objects.filter(key=key).first()
        if existing is not None:
            return existing
        try:
            with transaction.atomic():
                event = RegisterEvent.objects.create(
                    kind=kind, person=person, occurred_on=occurred_on, payload=payload or {}, key=key
                )
        except IntegrityError:  # the same event, reported at the same moment by someone else
            return RegisterEvent.objects.get(key=key)
        audit.record(
            actor=audit.Actor.system(SYSTEM),
            action="register_event.recorded",
            target=event,
            details={"kind": kind, "person": person.pk, "on": occurred_on.isoformat(), "key": key},
        )
        enqueue_once(PROCESS_TASK, key=event_task_key(event.pk), event_id=event.pk)
    return event


def _facts(event: RegisterEvent) -> EventFacts:
    parents: tuple[int, ...] = ()
    spouses: tuple[int, ...] = ()
    if event.kind == EventKind.BIRTH_REGISTERED:
        birth = BirthRecord.objects.filter(child_id=event.person_id).first()
        if birth is not None:
            parents = tuple(p for p in (birth.mother_id, birth.father_id) if p is not None)
    elif event.kind == EventKind.MARRIED:
        spouse = event.payload.get("spouse")
        spouses = (event.person_id, *([int(spouse)] if spouse else []))
    people = {event.person_id, *parents, *spouses}
    deceased = set(
        Person.objects.filter(pk__in=people, date_of_death__isnull=False).values_list("pk", flat=True)
    )
    return EventFacts(
        kind=EventKind(event.kind),
        occurred_on=event.occurred_on,
        subject=event.person_id,
        parents=parents,
        spouses=spouses,
        deceased=frozenset(deceased),
    )


def _office_name(rule: Rule) -> str:
    office = directory_selectors.office_by_slug(slug=rule.office)
    return office.name if office is not None else "Freie Hansestadt Bremen"


def _announce(offer: ProactiveOffer, rule: Rule) -> None:
    """The postbox message of a new offer, if the person has a citizen account."""
    account = account_selectors.citizen_of_person(person_id=offer.person_id)
    if account is None:  # they find it in "Mein Konto" once they have an account
        return
    link = urls.absolute(reverse("registers:offers")) + f"#angebot-{offer.pk}"
    notify.postbox_send(
        recipient=account,
        subject=f"Sie haben wahrscheinlich Anspruch auf: {rule.title}"[:200],
        body=(
            f"Guten Tag,\n\n{rule.text}\n\nRechtsgrundlage: {rule.citation}\n\n"
            f"Mit einem Klick annehmen: {link}\n\n"
            "Wenn Sie annehmen, beginnt die zuständige Stelle das Verfahren; Sie müssen keine "
            "Nachweise vorlegen, die der Verwaltung schon vorliegen. Sie können das Angebot auch "
            "ablehnen.\n"
        ),
        sender_label=_office_name(rule),
    )


def _withdraw(event: RegisterEvent, facts: EventFacts) -> list[int]:
    """Withdraw the open offers the event ends (a death: the dead person's); their ids."""
    withdrawn: list[int] = []
    for _withdrawal, person_id in offers_withdrawn(facts):
        open_offers = ProactiveOffer.objects.filter(person_id=person_id, status=ProactiveOffer.Status.OFFERED)
        ids = list(open_offers.values_list("pk", flat=True))
        open_offers.update(status=ProactiveOffer.Status.WITHDRAWN, decided_at=timezone.now())
        withdrawn.extend(ids)
    return withdrawn


def event_process(*, event_id: int) -> int:
    """Apply the offer rules to the event, once: the offers it creates (0 when done before)."""
    with transaction.atomic():
        event = RegisterEvent.objects.select_for_update().filter(pk=event_id).first()
        if event is None or event.processed_at is not None:
            return 0
        created: list[ProactiveOffer] = []
        facts = _facts(event)
        for due in offers_due(facts):
            offer, new = ProactiveOffer.objects.get_or_create(
                person_id=due.person_id, rule_id=due.rule.id, event=event
            )
            if new:
                created.append(offer)
                _announce(offer, due.rule)
        withdrawn = _withdraw(event, facts)
        event.processed_at = timezone.now()
        event.save(update_fields=["processed_at"])
        audit.record(
            actor=audit.Actor.system(SYSTEM),
            action="register_event.processed",
            target=event,
            details={"offers": [offer.pk for offer in created], "withdrawn": withdrawn},
        )
    return len(created)


def _file_plan_entry(office: Office) -> FilePlanEntry:
    top_number, top_title, number, title = FILE_PLAN
    return efile_services.file_plan_entry_ensure(
        office=office, number=number, title=title, parent_number=top_number, parent_title=top_title
    )


def _own_offer(offer_id: int, person_id: int) -> ProactiveOffer:
    offer = ProactiveOffer.objects.select_for_update().filter(pk=offer_id, person_id=person_id).first()
    if offer is None:
        raise NotFound("Dieses Angebot gibt es nicht.")
    return offer


def _refuse_withdrawn(offer: ProactiveOffer) -> None:
    if offer.status == ProactiveOffer.Status.WITHDRAWN:
        raise Conflict("Dieses Angebot ist zurückgezogen.", code="offer_withdrawn")


def offer_accept(*, offer_id: int, person_id: int, by: audit.ActorLike) -> ProactiveOffer:
    """Accept the person's offer: file a case with the person at the rule's office (E-Akte) and
    record it. Accepting again returns the offer with its case (one case per offer); another
    person's offer is ``NotFound``."""
    with transaction.atomic():
        offer = _own_offer(offer_id, person_id)
        if offer.status == ProactiveOffer.Status.ACCEPTED:
            return offer
        _refuse_withdrawn(offer)
        rule = rule_by_id(offer.rule_id)
        office = directory_selectors.office_by_slug(slug=rule.office) if rule else None
        if rule is None or office is None:
            raise OfferError(
                "Die zuständige Stelle für dieses Angebot ist nicht eingerichtet.", code="offer_unavailable"
            )
        person = Person.objects.get(pk=person_id)
        case = efile_services.case_create(
            office=office,
            subject=f"{rule.case_subject} – {person.full_name}",
            file_plan_entry=_file_plan_entry(office),
            source="proactive",
            person=person,
        )
        offer.status = ProactiveOffer.Status.ACCEPTED
        offer.decided_at = timezone.now()
        offer.case_id = case.pk
        offer.aktenzeichen = case.case_file.aktenzeichen[:80]
        offer.save(update_fields=["status", "decided_at", "case_id", "aktenzeichen"])
        audit.record(
            actor=by,
            action="offer.accepted",
            target=offer,
            legal_basis=rule.citation,
            details={"rule": rule.id, "case": case.pk, "office": office.pk},
        )
    return offer


def offer_decline(*, offer_id: int, person_id: int, by: audit.ActorLike) -> ProactiveOffer:
    """Decline the person's offer; an accepted one has started its process (``Conflict``)."""
    with transaction.atomic():
        offer = _own_offer(offer_id, person_id)
        if offer.status == ProactiveOffer.Status.DECLINED:
            return offer
        _refuse_withdrawn(offer)
        if offer.status == ProactiveOffer.Status.ACCEPTED:
            raise Conflict(
                "Sie haben dieses Angebot schon angenommen; das Verfahren läuft.", code="offer_accepted"
            )
        offer.status = ProactiveOffer.Status.DECLINED
        offer.decided_at = timezone.now()
        offer.save(update_fields=["status", "decided_at"])
        audit.record(actor=by, action="offer.declined", target=offer, details={"rule": offer.rule_id})
    return offer


def birth_register(
    *,
    child: Person,
    mother: Person,
    father: Person | None,
    registry_office: Office,
    record_number: str,
    place: str,
    by: audit.ActorLike,
) -> BirthRecord:
    """Enter a birth in the birth register (§ 21 PStG) for a child already in the residents'
    register, and emit ``birth_registered`` (keyed by the entry, so it is emitted once). A
    member of staff must work in ``registry_office``, and it must keep the civil status
    register (``PermissionDenied``); other actors are imports from elsewhere."""
    with transaction.atomic():
        if isinstance(by, User):
            staff_register_office(by=by, register=Register.CIVIL_STATUS, office=registry_office)
        record = BirthRecord.objects.create(
            child=child,
            mother=mother,
            father=father,
            date=child.date_of_birth,
            place=place,
            registry_office=registry_office,
            record_number=record_number,
        )
        audit.record(
            actor=by,
            action="birth.registered",
            target=record,
            details={"child": child.pk, "mother": mother.pk, "father": father.pk if father else None},
        )
        history_write(
            child,
            register=Register.CIVIL_STATUS,
            kind=RegisterChange.Kind.BIRTH,
            office=registry_office,
            by=by,
            changes={"birth_record": (None, f"{record_number} ({registry_office.name})")},
            reason="Geburt",
        )
        event_record(
            kind=EventKind.BIRTH_REGISTERED,
            person=child,
            occurred_on=child.date_of_birth,
            key=f"birth_registered:{record.pk}",
            payload={"birth_record": record.pk},
        )
    return record


def marriage_event_record(*, marriage: MarriageRecord) -> RegisterEvent:
    """Emit ``married`` for a marriage entry (once per entry)."""
    return event_record(
        kind=EventKind.MARRIED,
        person=marriage.spouse_a,
        occurred_on=marriage.date,
        key=f"married:{marriage.pk}",
        payload={"spouse": marriage.spouse_b_id, "marriage": marriage.pk},
    )
