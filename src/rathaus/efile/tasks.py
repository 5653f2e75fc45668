"""Background tasks of the E-Akte (run by ``rathaus worker``; immediately in tests).

- ``ocr_document``: text recognition of a scan (retried 3 times, 1, 2, 4 minutes apart;
  afterwards the document stays "kein Text" until staff start it again). A document too
  large for OCR (``ocr.OcrTooLarge``) or whose OCR timed out (``ocr.OcrTimedOut``) fails at
  once: both are ``kernel.tasks.NoRetry``, since the same file would fail the same way.
- ``send_resubmission_reminder``: one e-mail per person and day listing the due
  Wiedervorlagen by Aktenzeichen (no subjects or names: e-mail is not confidential enough).
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse

from rathaus.kernel import audit
from rathaus.kernel.tasks import rathaus_task


@rathaus_task(retries=3, backoff_seconds=60)
def ocr_document(*, document_id: int, version_id: int) -> None:
    from . import services

    services.document_ocr_run(version_id=version_id)


REMINDER_SUBJECT = "E-Akte: {count} fällige Wiedervorlage(n)"


@rathaus_task(retries=5, backoff_seconds=60)
def send_resubmission_reminder(*, user_id: int, on: str) -> None:
    from rathaus.accounts.types import User

    from . import selectors

    user = User.objects.get(pk=user_id)
    due = selectors.resubmissions_for(user=user, on=datetime.date.fromisoformat(on))
    if not due or not user.email or not user.is_active:
        return
    base = getattr(settings, "RATHAUS_BASE_URL", "").rstrip("/")
    lines = []
    for case in due:
        link = f"  {base}{reverse('efile:case-detail', args=[case.pk])}" if base else ""
        lines.append(f"- {case.case_file.aktenzeichen} (seit {case.resubmission_on:%d.%m.%Y}){link}")
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
    with transaction.atomic():
        audit.record(
            actor=None,
            action="efile.resubmission_reminder_sent",
            target=user,
            details={"on": on, "cases": [case.pk for case in due]},
        )
