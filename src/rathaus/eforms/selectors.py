"""Reads of online applications: the forms on offer and a citizen's own applications."""

from __future__ import annotations

from django.db.models import QuerySet
from django.urls import reverse

from rathaus.accounts.types import User
from rathaus.domain.eforms.definition import FormDefinition
from rathaus.kernel.exceptions import NotFound

from . import registry
from .models import Application

__all__ = [
    "application_of_applicant",
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
