"""Writes of online applications: start (or resume) a draft, save a step, submit.

A draft keeps what the citizen typed per step even when the step has errors (nothing typed is
lost); submission re-validates every step (``rathaus.domain.eforms.validation.validate_form``),
then, in one transaction with the application row locked, stores the cleaned data with its
hash, creates the fee's claim where the fee schedule names one, and enqueues one keyed task
(``eforms.tasks.application_after_submit``, ``_filing``): it renders the PDF of what was
submitted, posts the receipt with it to the citizen's postbox and files a case with every
document in the responsible office's E-Akte (one paying first: once paid). A second submit (a
double click) finds the application submitted and changes nothing; the task files once, however
often it runs (docs/decisions/0116).

Afterwards the office asks for missing documents or details (``information_request_create``),
the citizen answers through the portal (``information_request_answer``: files into the case)
and the office decides by Bescheid, delivered to the postbox (``application_decide``).
"""

from ._casework import (
    ANSWER_ACCEPT,
    ANSWER_MAX_BYTES,
    ANSWER_MAX_FILES,
    AnswerRefused,
    default_deadline,
    information_request_answer,
    information_request_create,
)
from ._decision import application_decide
from ._drafts import (
    ApplicationIncomplete,
    StepOutcome,
    application_start,
    application_step_save,
    attachments_by_path,
    attachments_by_step,
    group_instance_add,
    group_instance_remove,
    plain,
)
from ._filing import PRODUCT, SubmissionAltered, after_submit_key, application_deliver
from ._prefill import application_prefill
from ._submit import ApplicationMissing, application_fulfil_for_claim, application_submit

__all__ = [
    "ANSWER_ACCEPT",
    "ANSWER_MAX_BYTES",
    "ANSWER_MAX_FILES",
    "AnswerRefused",
    "SubmissionAltered",
    "after_submit_key",
    "application_decide",
    "application_deliver",
    "default_deadline",
    "information_request_answer",
    "information_request_create",
    "PRODUCT",
    "ApplicationIncomplete",
    "ApplicationMissing",
    "application_fulfil_for_claim",
    "application_prefill",
    "StepOutcome",
    "application_start",
    "application_step_save",
    "application_submit",
    "attachments_by_path",
    "attachments_by_step",
    "group_instance_add",
    "group_instance_remove",
    "plain",
]
