"""The database's guard: a confirmed appointment always owns its units (issue 20, decision 0084).

Two rules, as triggers on both databases (installed by migration 0004_claim_guard):

1. **A claim of a live appointment cannot go.** Deleting a ``SlotClaim`` (or pointing it to
   another slot or appointment) is refused while its appointment is an online one that is
   confirmed, checked in or called and the claim's slot lies in the appointment's current units
   (its counter, ``start`` ≤ slot start < ``end``). Cancel and lapse change the status first,
   a move the time first; then the old claims may go.
2. **No appointment becomes (or, moved, stays) confirmed without its claims.** Writing an online
   appointment as confirmed – the confirmation, or a new time while confirmed – is refused
   unless it holds ``units`` claims in its current units.

On PostgreSQL the two sides lock each other's rows (``FOR SHARE``) before they look: a deletion
waits for a confirmation of the same appointment in progress and then sees it confirmed; a
confirmation waits for a deletion of its claim in progress and then misses the claim. Without
the locks both would read the committed state and pass together (write skew). SQLite runs one
writer at a time, so its triggers need no locks. A refusal is an ``IntegrityError`` whose
message contains ``MARKER``; the services answer it with a ``Conflict``.

SQLite checks every trigger's tables when a table is renamed, which is how Django changes a
table there (copy, drop, rename): a later migration that alters ``appointments_appointment``,
``appointments_slotclaim`` or ``appointments_slot`` must ``remove`` the guard before and
``install`` it again after (``RunPython``), else it fails with "error in trigger".
"""

from __future__ import annotations

from typing import Any

MARKER = "appointments_claim_guard"
LIVE = "('confirmed', 'checked_in', 'called')"

# --- SQLite ------------------------------------------------------------------------------------

_SQLITE_CLAIM_IS_LIVE = f"""
    EXISTS (
        SELECT 1 FROM appointments_appointment a JOIN appointments_slot s ON s.id = OLD.slot_id
        WHERE a.id = OLD.appointment_id AND a.kind = 'online' AND a.status IN {LIVE}
          AND s.counter_id = a.counter_id AND s.start >= a.start AND s.start < a."end"
    )"""  # noqa: S608 (constant SQL, no input)
_SQLITE_CLAIMS_MISSING = """
    (SELECT COUNT(*) FROM appointments_slotclaim c JOIN appointments_slot s ON s.id = c.slot_id
     WHERE c.appointment_id = NEW.id AND s.counter_id = NEW.counter_id
       AND s.start >= NEW.start AND s.start < NEW."end") < NEW.units"""
_SQLITE_CHANGED = """(
        OLD.status IS NOT NEW.status OR OLD.kind IS NOT NEW.kind OR OLD.counter_id IS NOT NEW.counter_id
        OR OLD.start IS NOT NEW.start OR OLD."end" IS NOT NEW."end" OR OLD.units IS NOT NEW.units
    )"""
_CLAIM_REFUSED = f"{MARKER}: the slot claim belongs to a confirmed appointment"
_CONFIRM_REFUSED = f"{MARKER}: a confirmed appointment must hold the claims of all its units"

SQLITE_INSTALL = [
    f"""CREATE TRIGGER {MARKER}_claim_delete BEFORE DELETE ON appointments_slotclaim
    FOR EACH ROW WHEN {_SQLITE_CLAIM_IS_LIVE}
    BEGIN SELECT RAISE(ABORT, '{_CLAIM_REFUSED}'); END""",
    f"""CREATE TRIGGER {MARKER}_claim_update BEFORE UPDATE OF slot_id, appointment_id
    ON appointments_slotclaim
    FOR EACH ROW WHEN (NEW.slot_id IS NOT OLD.slot_id OR NEW.appointment_id IS NOT OLD.appointment_id)
      AND {_SQLITE_CLAIM_IS_LIVE}
    BEGIN SELECT RAISE(ABORT, '{_CLAIM_REFUSED}'); END""",
    f"""CREATE TRIGGER {MARKER}_appointment_insert BEFORE INSERT ON appointments_appointment
    FOR EACH ROW WHEN NEW.status = 'confirmed' AND NEW.kind = 'online' AND {_SQLITE_CLAIMS_MISSING}
    BEGIN SELECT RAISE(ABORT, '{_CONFIRM_REFUSED}'); END""",
    f"""CREATE TRIGGER {MARKER}_appointment_update BEFORE UPDATE ON appointments_appointment
    FOR EACH ROW WHEN NEW.status = 'confirmed' AND NEW.kind = 'online' AND {_SQLITE_CHANGED}
      AND {_SQLITE_CLAIMS_MISSING}
    BEGIN SELECT RAISE(ABORT, '{_CONFIRM_REFUSED}'); END""",
]
SQLITE_REMOVE = [
    f"DROP TRIGGER IF EXISTS {MARKER}_{name}"
    for name in ("claim_delete", "claim_update", "appointment_insert", "appointment_update")
]

# --- PostgreSQL --------------------------------------------------------------------------------

_PG_CLAIM_FUNCTION = f"""
CREATE FUNCTION {MARKER}_claim() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    owner appointments_appointment%ROWTYPE;
BEGIN
    IF TG_OP = 'UPDATE' AND NEW.slot_id = OLD.slot_id AND NEW.appointment_id = OLD.appointment_id THEN
        RETURN NEW;
    END IF;
    -- Waits for a confirmation or move of the owner in progress, then reads what it committed.
    SELECT * INTO owner FROM appointments_appointment WHERE id = OLD.appointment_id FOR SHARE;
    IF FOUND AND owner.kind = 'online' AND owner.status IN {LIVE} AND EXISTS (
        SELECT 1 FROM appointments_slot s
        WHERE s.id = OLD.slot_id AND s.counter_id = owner.counter_id
          AND s.start >= owner.start AND s.start < owner."end"
    ) THEN
        RAISE EXCEPTION '{_CLAIM_REFUSED} (claim %, appointment %)', OLD.id, OLD.appointment_id
            USING ERRCODE = 'check_violation';
    END IF;
    IF TG_OP = 'DELETE' THEN
        RETURN OLD;
    END IF;
    RETURN NEW;
END
$$"""  # noqa: S608 (constant SQL, no input)
_PG_APPOINTMENT_FUNCTION = f"""
CREATE FUNCTION {MARKER}_appointment() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    held integer;
BEGIN
    -- Waits for a deletion of one of these claims in progress; a deleted claim is not counted.
    SELECT COUNT(*) INTO held FROM (
        SELECT c.id FROM appointments_slotclaim c JOIN appointments_slot s ON s.id = c.slot_id
        WHERE c.appointment_id = NEW.id AND s.counter_id = NEW.counter_id
          AND s.start >= NEW.start AND s.start < NEW."end"
        FOR SHARE OF c
    ) AS claims;
    IF held < NEW.units THEN
        RAISE EXCEPTION '{_CONFIRM_REFUSED} (appointment %: % of % units)', NEW.id, held, NEW.units
            USING ERRCODE = 'check_violation';
    END IF;
    RETURN NEW;
END
$$"""  # noqa: S608 (constant SQL, no input)
_PG_CHANGED = """(
        OLD.status IS DISTINCT FROM NEW.status OR OLD.kind IS DISTINCT FROM NEW.kind
        OR OLD.counter_id IS DISTINCT FROM NEW.counter_id OR OLD.start IS DISTINCT FROM NEW.start
        OR OLD."end" IS DISTINCT FROM NEW."end" OR OLD.units IS DISTINCT FROM NEW.units
    )"""
POSTGRESQL_INSTALL = [
    _PG_CLAIM_FUNCTION,
    _PG_APPOINTMENT_FUNCTION,
    f"""CREATE TRIGGER {MARKER}_claim BEFORE DELETE OR UPDATE OF slot_id, appointment_id
    ON appointments_slotclaim FOR EACH ROW EXECUTE FUNCTION {MARKER}_claim()""",
    f"""CREATE TRIGGER {MARKER}_appointment_insert BEFORE INSERT ON appointments_appointment
    FOR EACH ROW WHEN (NEW.status = 'confirmed' AND NEW.kind = 'online')
    EXECUTE FUNCTION {MARKER}_appointment()""",
    f"""CREATE TRIGGER {MARKER}_appointment_update BEFORE UPDATE ON appointments_appointment
    FOR EACH ROW WHEN (NEW.status = 'confirmed' AND NEW.kind = 'online' AND {_PG_CHANGED})
    EXECUTE FUNCTION {MARKER}_appointment()""",
]
POSTGRESQL_REMOVE = [
    f"DROP TRIGGER IF EXISTS {MARKER}_claim ON appointments_slotclaim",
    f"DROP TRIGGER IF EXISTS {MARKER}_appointment_insert ON appointments_appointment",
    f"DROP TRIGGER IF EXISTS {MARKER}_appointment_update ON appointments_appointment",
    f"DROP FUNCTION IF EXISTS {MARKER}_claim()",
    f"DROP FUNCTION IF EXISTS {MARKER}_appointment()",
]


def _statements(vendor: str, *, install: bool) -> list[str]:
    if vendor == "sqlite":
        return SQLITE_INSTALL if install else SQLITE_REMOVE
    if vendor == "postgresql":
        return POSTGRESQL_INSTALL if install else POSTGRESQL_REMOVE
    raise NotImplementedError(f"no claim guard for {vendor}")


def install(apps: Any, schema_editor: Any) -> None:
    """``RunPython`` forward: create the guard's triggers (and functions) for this database."""
    for statement in _statements(schema_editor.connection.vendor, install=True):
        schema_editor.execute(statement, params=None)


def remove(apps: Any, schema_editor: Any) -> None:
    """``RunPython`` backward (or before a migration that changes the guarded tables)."""
    for statement in _statements(schema_editor.connection.vendor, install=False):
        schema_editor.execute(statement, params=None)


def refused(error: BaseException) -> bool:
    """Whether ``error`` (an ``IntegrityError``) is a refusal of this guard."""
    return MARKER in str(error)
