"""The directory's entries in the one search: published offices, services and life situations."""

from __future__ import annotations

from collections.abc import Callable

from django.db import transaction

from rathaus.kernel import fragments, search

from ..models import LifeSituation, Office, Service
from ..selectors import FRAGMENT_SOURCE
from .common import Publishable

Progress = Callable[[str, int], None]


def _join(*parts: object) -> str:
    return "\n".join(str(part) for part in parts if part)


def search_index_service(service: Service) -> None:
    """Put a published service into the search (or take an unpublished one out)."""
    if not service.is_published or not service.slug:
        search.remove_document(kind="service", key=str(service.leika_key))
        return
    offices = ", ".join(office.name for office in service.offices.all())
    search.index_document(
        kind="service",
        key=str(service.leika_key),
        title=service.name,
        body=_join(
            service.summary, service.description, service.eligibility, " ".join(service.documents), offices
        ),
        url=service.get_absolute_url(),
        keywords=" ".join([*service.keywords, service.summary]),
    )


def search_index_office(office: Office) -> None:
    """Put a published office into the search (or take an unpublished one out)."""
    if not office.is_published:
        search.remove_document(kind="office", key=office.slug)
        return
    search.index_document(
        kind="office",
        key=office.slug,
        title=office.name,
        body=_join(office.description, office.street_address, f"{office.postal_code} {office.city}".strip()),
        url=office.get_absolute_url(),
        keywords=office.short_name,
    )


def search_index_life_situation(situation: LifeSituation) -> None:
    """Put a published life situation into the search (or take an unpublished one out)."""
    if not situation.is_published:
        search.remove_document(kind="life_situation", key=situation.slug)
        return
    search.index_document(
        kind="life_situation",
        key=situation.slug,
        title=situation.name,
        body=_join(situation.summary, situation.description),
        url=situation.get_absolute_url(),
    )


def _reindex(obj: Publishable) -> None:
    if isinstance(obj, Service):
        search_index_service(obj)
    elif isinstance(obj, Office):
        search_index_office(obj)
    else:
        search_index_life_situation(obj)


def published_changed_on_commit() -> None:
    """Once the transaction commits, cached page fragments with published entries (the start
    page's services and life situations) are out of date in every process."""
    fragments.renew_on_commit(FRAGMENT_SOURCE)


def reindex_on_commit(obj: Publishable) -> None:
    """Bring ``obj``'s search document and the cached page fragments up to date once the
    transaction commits."""
    transaction.on_commit(lambda: _reindex(obj))
    published_changed_on_commit()


def search_reindex(progress: Progress | None = None) -> int:
    """Rebuild the search documents of all offices, services and life situations."""
    count = 0
    for office in Office.objects.all():
        search_index_office(office)
        count += 1
    for service in Service.objects.prefetch_related("offices"):
        search_index_service(service)
        count += 1
    for situation in LifeSituation.objects.all():
        search_index_life_situation(situation)
        count += 1
    if progress is not None:
        progress("directory", count)
    return count
