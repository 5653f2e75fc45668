"""Background tasks of online applications (run by ``rathaus worker``; immediately in tests).

- ``application_after_submit``: what follows a submission off the citizen's request
  (``services.application_deliver``, docs/decisions/0116): the PDF of what was submitted, the
  receipt with it in the postbox, and the case with every document and export in the office's
  E-Akte (for an application paying first: once paid). The submit enqueues it in its own
  transaction (key ``eforms-submitted:<id>``), the payment's fulfilment once more
  (``eforms-paid:<id>``); it is idempotent (the row is locked, each step commits with its
  mark), retried 5 times, 1, 2, 4, 8, 16 minutes apart, then failed and listed for operators
  (``rathaus tasks``, admin "Erneut versuchen").

``services`` enqueues it by dotted path, so this module imports the services and not the other
way round.
"""

from __future__ import annotations

from rathaus.kernel.tasks import rathaus_task

from . import services


@rathaus_task(retries=5, backoff_seconds=60)
def application_after_submit(*, application_id: int) -> None:
    services.application_deliver(application_id=application_id)
