"""Reads of online applications: the forms on offer, a citizen's own applications, the
application of an E-Akte case and its information requests."""

from __future__ import annotations

from django.db.models import QuerySet
from django.urls import reverse

from rathaus.accounts.types import User
from rathaus.domain.eforms.definition import FormDefinition
from rathaus.kernel.exceptions import NotFound

from . import registry
from .models import Application, InformationRequest

__all__ = [
    "application_for_case",
    "application_of_applicant",
    "information_requests",
    "application_page_for_claim",
    "applications_of",
    "form_for_leika",
    "forms_on_offer",
]


def forms_on_offer() -> list[FormDefinition]:
    return sorted(registry.definitions().values(), key=lambda form: form.title)


def form_for_leika(*, leika_key: str) -> FormDefinition | None:
    """The online form of a directory service, if it has one."""
    return next((form for form in registry.definitions().values() if form.leika == leika_key), None)


def applications_of(*, user: User) -> QuerySet[Application]:
    return Application.objects.filter(applicant=user).select_related("office", "claim")


def application_of_applicant(*, user: User, public_id: str) -> Application:
    """The user's own application; anyone else's is "not found" (no hint it exists)."""
    application = (
        Application.objects.filter(applicant=user, public_id=public_id)
        .select_related("office", "claim")
        .first()
    )
    if application is None:
        raise NotFound("Diesen Antrag gibt es nicht.", code="application_unknown")
    return application


def application_page_for_claim(*, claim_id: int) -> str | None:
    """The application page of the application paid by claim ``claim_id`` (payments' ``page``)."""
    public_id = Application.objects.filter(claim_id=claim_id).values_list("public_id", flat=True).first()
    return reverse("eforms:application", args=[public_id]) if public_id is not None else None


def application_for_case(*, case_id: int) -> Application:
    """The online application filed as case ``case_id`` (the caller has checked the case's
    access with ``efile.selectors.case_detail``); ``NotFound`` when the case has none."""
    application = (
        Application.objects.filter(case_id=case_id)
        .exclude(status=Application.Status.DRAFT)
        .select_related("office", "applicant", "decision_message")
        .first()
    )
    if application is None:
        raise NotFound("Zu diesem Vorgang gibt es keinen Online-Antrag.", code="application_unknown")
    return application


def information_requests(*, application: Application) -> list[InformationRequest]:
    """The application's requests, oldest first (the open one, if any, is the last)."""
    return list(InformationRequest.objects.filter(application=application).select_related("asked_by"))
