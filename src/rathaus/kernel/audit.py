"""Append-only, hash-chained audit log.

Every state change that matters and every read of a person's data by staff or another
authority is recorded here (Art. 5 Abs. 2 and Art. 30 DSGVO: accountability; § 76 BDSG
for logging in police/justice processing is the model for purpose-bound read logs).

Each entry's ``hash`` is HMAC-SHA256 over a canonical JSON of its fields plus ``prev_hash``
(the previous entry's hash), so ``verify()`` detects a changed entry (hash mismatch), a
removed or reordered entry (broken link) and a gap in the sequence numbers. The HMAC key
(``settings.AUDIT_CHAIN_KEY``) is kept outside the database: whoever can change rows cannot
recompute the chain after a change. Each entry names its key by ``key_id``; after a key
rotation the old key stays in ``AUDIT_CHAIN_OLD_KEYS``. Entries from before keying were
re-chained once by migration 0004 after their plain SHA-256 chain had been verified; an entry
without a key id is refused (else rewriting the whole chain as "old" entries would pass).

Removing the newest entries leaves a valid chain, so ``checkpoint()`` produces a signed
statement of the head (seq and hash) for the operator to keep outside the database (a file
on another system, the central log); ``verify(checkpoints=...)`` then detects rewriting and
truncation up to the newest checkpoint.

Appends are serialised: on PostgreSQL by a transaction-level advisory lock, on SQLite by
the ``BEGIN IMMEDIATE`` write lock (settings: ``transaction_mode = IMMEDIATE``). The lock
is held until the caller's transaction ends, so ``record()`` inside a service's
``transaction.atomic`` is correct and the entry disappears with a rollback.

Public API (other apps may use these names only):
``Actor``, ``record``, ``record_read``, ``record_denied``, ``verify``, ``VerifyResult``,
``entries_for_target``, ``entries_for_actor``, ``register_action_labels``, ``action_label``,
``checkpoint``, ``Checkpoint``.

People never see the dotted action codes: each app registers a German label (marked for
translation) for each action it records, in its ``AppConfig.ready()``, and pages show
``action_label(entry.action)`` (template filter ``action_label``, a builtin).
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, models, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import AuditEntry

__all__ = [
    "Actor",
    "AuditEntry",
    "Checkpoint",
    "VerifyResult",
    "action_label",
    "checkpoint",
    "entries_for_actor",
    "entries_for_target",
    "record",
    "record_denied",
    "record_read",
    "register_action_labels",
    "verify",
]

GENESIS_HASH = "0" * 64
# Arbitrary but fixed 64-bit key for pg_advisory_xact_lock ("rathaus audit").
_ADVISORY_LOCK_KEY = 0x5241544841555344


_ACTION_LABELS: dict[str, Any] = {}
# Actions any app may record through ``record_read`` / ``record_denied``.
_GENERIC_SUFFIX_LABELS: dict[str, Any] = {
    "read": _("Daten eingesehen"),
    "denied": _("Zugriff verweigert"),
}
_UNLABELLED = _("Sonstige Änderung")


def register_action_labels(labels: Mapping[str, Any]) -> None:
    """Register display labels (lazy translation strings) for audit actions, e.g.
    ``{"case.created": _("Vorgang angelegt")}``. Called from an app's ``ready()``."""
    _ACTION_LABELS.update(labels)


def action_label(action: str) -> str:
    """The label people see for an audit action; never the dotted code itself."""
    label = _ACTION_LABELS.get(action)
    if label is not None:
        return str(label)
    suffix = action.rsplit(".", 1)[-1]
    return str(_GENERIC_SUFFIX_LABELS.get(suffix, _UNLABELLED))


def registered_action_labels() -> dict[str, Any]:
    """All registered labels (for the test that every recorded action has one)."""
    return dict(_ACTION_LABELS)


@dataclass(frozen=True)
class Actor:
    """Who did something: ``type`` (citizen, staff, organisation, system, authority), id, label."""

    type: str
    id: str = ""
    label: str = ""

    @classmethod
    def system(cls, label: str = "System") -> Actor:
        return cls(type="system", label=label)

    @classmethod
    def authority(cls, label: str, id: str = "") -> Actor:
        """Another authority (e.g. "Finanzamt Bremen-Mitte") acting through a data exchange."""
        return cls(type="authority", id=str(id), label=label)


ActorLike = Actor | models.Model | str | None
TargetLike = models.Model | tuple[str, object] | None


def _actor(actor: ActorLike) -> Actor:
    if actor is None:
        return Actor.system()
    if isinstance(actor, Actor):
        return actor
    if isinstance(actor, str):
        return Actor.system(actor)
    if isinstance(actor, models.Model):
        kind = getattr(actor, "kind", "") or actor._meta.model_name
        label = actor.get_username() if hasattr(actor, "get_username") else str(actor)
        return Actor(type=str(kind), id=str(actor.pk), label=label[:200])
    raise TypeError(f"actor must be a User, an Actor, a string or None, not {type(actor).__name__}")


def _target(target: TargetLike) -> tuple[str, str]:
    if target is None:
        return "", ""
    if isinstance(target, models.Model):
        return target._meta.label_lower, str(target.pk)
    if isinstance(target, tuple) and len(target) == 2:
        return str(target[0]), str(target[1])
    raise TypeError("target must be a model instance, a (type, id) tuple or None")


def _json_safe(value: Any, where: str = "details") -> Any:
    """Details as JSON that reads back identically on SQLite and PostgreSQL (jsonb)."""
    if isinstance(value, float):
        # jsonb rewrites some floats (1e20 → 100000000000000000000), which would break the hash.
        raise TypeError(f"{where}: float values are not allowed in audit details; use Decimal or str")
    if isinstance(value, dict):
        return {str(key): _json_safe(item, f"{where}.{key}") for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_json_safe(item, f"{where}[]") for item in value]
    if value is None or isinstance(value, bool | int | str):
        return value
    # Decimal, dates, UUIDs: their JSON string form.
    return json.loads(json.dumps(value, cls=DjangoJSONEncoder))


def _timestamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _chain_keys() -> dict[str, bytes]:
    """The chain keys by key id: the current one first, then old ones kept for verification.

    Without ``AUDIT_CHAIN_KEY`` (development, tests) the key is derived from ``SECRET_KEY``;
    production refuses to start without it (settings.production).
    """
    current = settings.AUDIT_CHAIN_KEY or f"rathaus-audit-chain:{settings.SECRET_KEY}"
    keys: dict[str, bytes] = {}
    for secret in [current, *settings.AUDIT_CHAIN_OLD_KEYS]:
        raw = secret.encode("utf-8")
        keys.setdefault(_key_id(raw), raw)
    return keys


def _key_id(raw: bytes) -> str:
    # Names a key without revealing it: a hash of a hash, shortened.
    return hashlib.sha256(b"rathaus-audit-key-id:" + raw).hexdigest()[:16]


def current_key_id() -> str:
    return next(iter(_chain_keys()))


def _canonical(entry: Any) -> bytes:
    payload = {
        "seq": entry.seq,
        "created_at": _timestamp(entry.created_at),
        "actor": [entry.actor_type, entry.actor_id, entry.actor_label],
        "action": entry.action,
        "target": [entry.target_type, entry.target_id],
        "purpose": entry.purpose,
        "legal_basis": entry.legal_basis,
        "details": entry.details,
        "prev_hash": entry.prev_hash,
    }
    return json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


class UnknownChainKey(LookupError):
    """An entry names a key id that is neither the current nor an old chain key."""


def compute_hash(entry: AuditEntry) -> str:
    """The entry's hash (hex): HMAC-SHA256 under the key its ``key_id`` names."""
    key = _chain_keys().get(entry.key_id)
    if key is None:
        raise UnknownChainKey(entry.key_id)
    return hmac.new(key, _canonical(entry), hashlib.sha256).hexdigest()


def legacy_hash(entry: Any) -> str:
    """Plain SHA-256 of an entry from before keying (only migration 0004 needs it)."""
    return hashlib.sha256(_canonical(entry)).hexdigest()


def _lock_chain() -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_ADVISORY_LOCK_KEY])
    # SQLite: the IMMEDIATE transaction already holds the database's single write lock.


def record(
    *,
    actor: ActorLike,
    action: str,
    target: TargetLike = None,
    purpose: str = "",
    legal_basis: str = "",
    details: dict[str, Any] | None = None,
) -> AuditEntry:
    """Append one entry to the audit log and return it.

    ``actor`` is a User, an ``Actor``, a plain string (a system component's label) or
    None (the system). ``action`` is dotted ("case.forwarded"). ``target`` is a model
    instance or a ``(type, id)`` tuple. ``details`` must be JSON-like without floats.
    """
    if not action or not isinstance(action, str):
        raise ValueError("action is required, e.g. 'person.read'")
    who = _actor(actor)
    target_type, target_id = _target(target)
    safe_details = _json_safe(details or {})
    with transaction.atomic():
        _lock_chain()
        last = AuditEntry.objects.order_by("-seq").values_list("seq", "hash").first()
        seq, prev_hash = (last[0] + 1, last[1]) if last else (1, GENESIS_HASH)
        entry = AuditEntry(
            seq=seq,
            created_at=timezone.now(),
            actor_type=who.type[:40],
            actor_id=who.id[:64],
            actor_label=who.label[:200],
            action=action[:100],
            target_type=target_type[:100],
            target_id=target_id[:64],
            purpose=purpose,
            legal_basis=legal_basis,
            details=safe_details,
            prev_hash=prev_hash,
            key_id=current_key_id(),
        )
        entry.hash = compute_hash(entry)
        entry.save(force_insert=True)
    return entry


def record_read(
    *,
    actor: ActorLike,
    subject: TargetLike,
    purpose: str,
    legal_basis: str,
    fields: tuple[str, ...] | list[str] = (),
) -> AuditEntry:
    """Record that ``actor`` read personal data of ``subject`` for ``purpose``.

    Purpose and legal basis are mandatory (Art. 5 Abs. 1 lit. b, Art. 6 DSGVO); an empty
    one raises ``ValueError`` and nothing is recorded. The action is "<model>.read",
    e.g. "person.read".
    """
    if not purpose or not purpose.strip():
        raise ValueError("purpose is required for reading personal data (Art. 5 Abs. 1 lit. b DSGVO)")
    if not legal_basis or not legal_basis.strip():
        raise ValueError("legal_basis is required for reading personal data (Art. 6 DSGVO)")
    target_type, _ = _target(subject)
    noun = target_type.rsplit(".", 1)[-1] or "data"
    return record(
        actor=actor,
        action=f"{noun}.read",
        target=subject,
        purpose=purpose.strip(),
        legal_basis=legal_basis.strip(),
        details={"fields": [str(field) for field in fields]},
    )


def record_denied(*, actor: ActorLike, target_type: str, target_id: object, reason: str) -> AuditEntry:
    """Record a refused access ("access.denied"), e.g. a citizen asking for another's object."""
    return record(
        actor=actor, action="access.denied", target=(target_type, str(target_id)), details={"reason": reason}
    )


def entries_for_target(target_type: str, target_id: object) -> models.QuerySet[AuditEntry]:
    """All entries about one object, oldest first (for the citizen's data cockpit and case files)."""
    return AuditEntry.objects.filter(target_type=target_type, target_id=str(target_id)).order_by("seq")


def entries_for_actor(actor: ActorLike) -> models.QuerySet[AuditEntry]:
    """All entries written by one actor, oldest first."""
    who = _actor(actor)
    return AuditEntry.objects.filter(actor_type=who.type, actor_id=who.id).order_by("seq")


@dataclass(frozen=True)
class VerifyResult:
    """Outcome of ``verify``: ``reason`` is "", "gap", "broken_link", "hash_mismatch",
    "unknown_key", "unkeyed", "checkpoint_invalid", "checkpoint_mismatch" or
    "truncated"."""

    ok: bool
    checked: int
    first_broken_seq: int | None = None
    reason: str = ""
    action: str = ""
    detail: str = ""


@dataclass(frozen=True)
class Checkpoint:
    """A signed statement "the chain had entry ``seq`` with ``hash``", kept outside the database.

    One JSON line (``to_line``/``from_line``) so that operators can append checkpoints to a
    file on another system or ship them with the central log.
    """

    seq: int
    hash: str
    created_at: str
    key_id: str
    mac: str

    def _message(self) -> bytes:
        return f"rathaus-audit-checkpoint:{self.seq}:{self.hash}:{self.created_at}".encode()

    def is_authentic(self) -> bool:
        key = _chain_keys().get(self.key_id)
        if key is None:
            return False
        expected = hmac.new(key, self._message(), hashlib.sha256).hexdigest()
        return hmac.compare_digest(expected, self.mac)

    def to_line(self) -> str:
        return json.dumps(
            {
                "seq": self.seq,
                "hash": self.hash,
                "at": self.created_at,
                "key_id": self.key_id,
                "mac": self.mac,
            },
            separators=(",", ":"),
        )

    @classmethod
    def from_line(cls, line: str) -> Checkpoint:
        """Read one line; ``ValueError`` with a German message for anything else."""
        try:
            data = json.loads(line)
            return cls(
                seq=int(data["seq"]),
                hash=str(data["hash"]),
                created_at=str(data["at"]),
                key_id=str(data["key_id"]),
                mac=str(data["mac"]),
            )
        except (ValueError, TypeError, KeyError) as error:
            raise ValueError(f"Kein Prüfpunkt des Prüfprotokolls: {line[:80]!r}") from error


def checkpoint() -> Checkpoint | None:
    """Sign the current head of the chain (None while the log is empty)."""
    head = AuditEntry.objects.order_by("-seq").values_list("seq", "hash").first()
    if head is None:
        return None
    key_id = current_key_id()
    unsigned = Checkpoint(
        seq=head[0], hash=head[1], created_at=_timestamp(timezone.now()), key_id=key_id, mac=""
    )
    mac = hmac.new(_chain_keys()[key_id], unsigned._message(), hashlib.sha256).hexdigest()
    return Checkpoint(**{**unsigned.__dict__, "mac": mac})


def _iter_entries(chunk_size: int) -> Iterator[AuditEntry]:
    return AuditEntry.objects.order_by("seq").iterator(chunk_size=chunk_size)


def _entry_problem(entry: AuditEntry, expected_seq: int, prev_hash: str) -> tuple[str, str]:
    if entry.seq != expected_seq:
        return "gap", f"Lücke: Eintrag {expected_seq} fehlt (nächster vorhandener ist {entry.seq})."
    if entry.prev_hash != prev_hash:
        return "broken_link", "Verkettung unterbrochen: prev_hash passt nicht zum Hash des Vorgängers."
    if not entry.key_id:
        return "unkeyed", "Eintrag ohne Schlüsselkennung: nicht von Rathaus geschrieben."
    try:
        computed = compute_hash(entry)
    except UnknownChainKey:
        return "unknown_key", f"Unbekannter Schlüssel {entry.key_id}: AUDIT_CHAIN_OLD_KEYS prüfen."
    if not hmac.compare_digest(computed, entry.hash):
        return "hash_mismatch", "Hash stimmt nicht: der Inhalt des Eintrags wurde verändert."
    return "", ""


def verify(
    progress: Callable[[int], None] | None = None,
    *,
    chunk_size: int = 2000,
    checkpoints: Sequence[Checkpoint] = (),
) -> VerifyResult:
    """Walk the whole chain in order, streaming, and report the first broken entry.

    ``checkpoints`` (kept outside the database) are checked too: each must be authentic, the
    entry it names must still have its hash, and the chain must reach its ``seq`` (else the
    newest entries were removed). ``progress`` (if given) is called with the number of
    entries checked so far after every ``chunk_size`` entries and once at the end.
    """
    expected: dict[int, str] = {}
    for point in checkpoints:
        if not point.is_authentic():
            return VerifyResult(
                ok=False,
                checked=0,
                first_broken_seq=point.seq,
                reason="checkpoint_invalid",
                detail="Prüfpunkt nicht echt: Signatur oder Schlüssel passt nicht.",
            )
        expected[point.seq] = point.hash
    expected_seq = 1
    prev_hash = GENESIS_HASH
    checked = 0
    for entry in _iter_entries(chunk_size):
        problem, detail = _entry_problem(entry, expected_seq, prev_hash)
        if not problem and entry.seq in expected and expected[entry.seq] != entry.hash:
            problem, detail = "checkpoint_mismatch", "Der Eintrag weicht vom gesicherten Prüfpunkt ab."
        if problem:
            if progress:
                progress(checked)
            return VerifyResult(
                ok=False,
                checked=checked,
                first_broken_seq=entry.seq,
                reason=problem,
                action=entry.action,
                detail=detail,
            )
        checked += 1
        expected_seq = entry.seq + 1
        prev_hash = entry.hash
        if progress and checked % chunk_size == 0:
            progress(checked)
    if progress:
        progress(checked)
    newest_checkpoint = max(expected, default=0)
    if newest_checkpoint >= expected_seq:
        return VerifyResult(
            ok=False,
            checked=checked,
            first_broken_seq=expected_seq,
            reason="truncated",
            detail=f"Einträge ab {expected_seq} fehlen: ein Prüfpunkt belegt Eintrag {newest_checkpoint}.",
        )
    return VerifyResult(ok=True, checked=checked)
