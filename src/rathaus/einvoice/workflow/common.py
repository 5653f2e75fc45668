"""What the parts of the workflow share: its refusals and the actor types."""

from __future__ import annotations

from typing import TypeAlias

from rathaus.accounts.types import User
from rathaus.kernel.exceptions import Conflict

# A staff member, or None for the system (the intake, the cash office's report of payments).
Staff: TypeAlias = User | None
# For changes of the routing table also a system component's label ("rathaus demo").
Actor: TypeAlias = User | str | None


class StaleInvoice(Conflict):
    default_code = "invoice_changed"
    default_message = (
        "Die Rechnung wurde inzwischen von jemand anderem bearbeitet. Bitte prüfen Sie den "
        "aktuellen Stand; Ihre Aktion wurde nicht ausgeführt."
    )


class WorkflowRefused(Conflict):
    default_code = "workflow_refused"


def actor_id(by: Staff) -> str:
    """``by`` as the domain workflow's opaque actor: the user's primary key, or "system"."""
    return str(by.pk) if by is not None else "system"
