"""E-mail backends for tests that need to act at the moment a message goes out: Django's
``locmem`` backend (messages land in ``mail.outbox``) with a hook before sending.

``MeanwhileBackend`` runs the callables in ``MeanwhileBackend.meanwhile`` (each once) while the
first message is being sent: another worker doing its work at exactly that moment.
``FailingBackend`` fails ``FailingBackend.failures`` sends, then sends as usual.
``MeetingBackend`` makes each sender wait (up to ``MeetingBackend.wait_seconds``) until a second
one is sending too, so that two workers racing to send the same message both get there if
nothing stops one of them before.
"""

from __future__ import annotations

import smtplib
import threading
from collections.abc import Callable, Sequence
from typing import Any, ClassVar

from django.core.mail.backends import locmem


class MeanwhileBackend(locmem.EmailBackend):
    meanwhile: ClassVar[list[Callable[[], None]]] = []

    def send_messages(self, messages: Sequence[Any]) -> int:
        while self.meanwhile:
            self.meanwhile.pop(0)()
        return super().send_messages(messages)


class FailingBackend(locmem.EmailBackend):
    failures: ClassVar[int] = 0

    def send_messages(self, messages: Sequence[Any]) -> int:
        if FailingBackend.failures > 0:
            FailingBackend.failures -= 1
            raise smtplib.SMTPServerDisconnected("mail server went away (test)")
        return super().send_messages(messages)


class MeetingBackend(locmem.EmailBackend):
    wait_seconds: ClassVar[float] = 3.0
    _arrived: ClassVar[int] = 0
    _condition: ClassVar[threading.Condition] = threading.Condition()

    @classmethod
    def reset(cls) -> None:
        with cls._condition:
            cls._arrived = 0

    def send_messages(self, messages: Sequence[Any]) -> int:
        cls = type(self)
        with cls._condition:
            cls._arrived += 1
            cls._condition.notify_all()
            cls._condition.wait_for(lambda: cls._arrived >= 2, timeout=cls.wait_seconds)
        return super().send_messages(messages)
