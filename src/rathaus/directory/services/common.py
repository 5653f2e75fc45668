"""What every part of the directory's services shares: its errors and the actor type."""

from __future__ import annotations

from typing import TypeAlias

from rathaus.accounts.types import User
from rathaus.kernel.exceptions import RathausError

from ..models import LifeSituation, Office, Service

# Who makes a change: a staff member, a system component's label ("rathaus demo") or None (the system).
Actor: TypeAlias = User | str | None
Publishable: TypeAlias = Office | Service | LifeSituation


class DirectoryError(RathausError):
    """A directory change that is not allowed (message in German, shown to staff)."""

    default_code = "directory"
    default_message = "Diese Änderung am Verzeichnis ist nicht möglich."

    def __init__(self, message: str, *, code: str) -> None:
        super().__init__(message, code=code)


class CatalogueFormatError(DirectoryError):
    """An import document that does not follow the format; ``where`` names the place."""

    def __init__(self, where: str, message: str) -> None:
        super().__init__(f"{where}: {message}", code="format")
        self.where = where


def user_of(actor: Actor) -> User | None:
    """The stored user of ``actor`` (a system label or an unsaved user leaves the field empty)."""
    return actor if isinstance(actor, User) and actor.pk is not None else None
