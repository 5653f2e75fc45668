"""Background tasks of the E-Akte (run by ``rathaus worker``; immediately in tests).

- ``ocr_document``: text recognition of a scan (retried 3 times, 1, 2, 4 minutes apart;
  afterwards the document stays "kein Text" until staff start it again). A document too
  large for OCR (``ocr.OcrTooLarge``) or whose OCR timed out (``ocr.OcrTimedOut``) fails at
  once: both are ``kernel.tasks.NoRetry``, since the same file would fail the same way.
- ``send_resubmission_reminder``: one e-mail per person and day listing the due
  Wiedervorlagen by Aktenzeichen (no subjects or names: e-mail is not confidential enough).

The services enqueue these by dotted path (``"rathaus.efile.tasks.ocr_document"``), so this
module imports the services and not the other way round.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core.mail import send_mail
from django.urls import reverse

from rathaus.accounts.selectors import user_by_id
from rathaus.kernel import urls
from rathaus.kernel.tasks import rathaus_task

from . import selectors, services


@rathaus_task(retries=3, backoff_seconds=60)
def ocr_document(*, document_id: int, version_id: int) -> None:
    services.document_ocr_run(version_id=version_id)


REMINDER_SUBJECT = "E-Akte: {count} fällige Wiedervorlage(n)"


@rathaus_task(retries=5, backoff_seconds=60)
def send_resubmission_reminder(*, user_id: int, on: str) -> None:
    user = user_by_id(user_id)
    if user is None:
        raise LookupError(f"Es gibt kein Benutzerkonto {user_id}.")
    day = datetime.date.fromisoformat(on)
    due = selectors.resubmissions_for(user=user, on=day)
    if not due or not user.email or not user.is_active:
        return
    lines = []
    for case in due:
        link = urls.absolute(reverse("efile:case-detail", args=[case.pk]))
        lines.append(f"- {case.case_file.aktenzeichen} (seit {case.resubmission_on:%d.%m.%Y})  {link}")
    body = (
        "Guten Tag,\n\n"
        f"in der E-Akte sind {len(due)} Vorgänge zur Wiedervorlage fällig:\n\n"
        + "\n".join(lines)
        + "\n\nBitte öffnen Sie den Posteingang der E-Akte, um sie zu bearbeiten.\n"
        "Diese E-Mail wurde automatisch versandt.\n"
    )
    send_mail(
        REMINDER_SUBJECT.format(count=len(due)),
        body,
        settings.DEFAULT_FROM_EMAIL,
        [user.email],
        fail_silently=False,
    )
    services.resubmission_reminder_sent(user=user, on=day, cases=due)
