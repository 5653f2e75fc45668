"""The service catalogue export (decision 0114): the directory's published services with their
offices and fees, and the online forms of this app, as the XML of ``domain.eforms.katalog``."""

from __future__ import annotations

from django.db.models import Prefetch
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone

from rathaus.directory import selectors as directory_selectors
from rathaus.directory.types import Office
from rathaus.domain.eforms.katalog import CatalogueFee, CatalogueOffice, CatalogueService, catalogue_xml
from rathaus.kernel.urls import site_url
from rathaus.payments import selectors as payment_selectors

from . import registry
from .services._submit import PAY_BEFORE

PUBLISHER = "Freie Hansestadt Bremen (Rathaus)"


def _office_key(office: Office) -> str:
    return f"stelle-{office.slug}"


def _office(office: Office, base: str) -> CatalogueOffice:
    return CatalogueOffice(
        key=_office_key(office),
        name=office.name,
        street=office.street_address,
        postal_code=office.postal_code,
        city=office.city,
        phone=office.phone,
        email=office.email,
        website=office.website or base + reverse("portal:office", args=[office.slug]),
    )


def catalogue_export(request: HttpRequest | None = None) -> bytes:
    """Every published service of the directory (with its published offices), its fee and,
    where there is one, its online form; links point at ``RATHAUS_BASE_URL``."""
    base = site_url(request)
    forms = {form.leika: form for form in registry.definitions().values()}
    open_offices = Prefetch("offices", queryset=directory_selectors.published_offices().order_by("name"))
    services = list(directory_selectors.published_services().prefetch_related(open_offices))
    tariffs = {t.service_key: t for t in payment_selectors.tariffs_current() if t.service_key}
    offices: dict[int, CatalogueOffice] = {}
    entries: list[CatalogueService] = []
    for service in services:
        responsible = list(service.offices.all())
        if not responsible:
            continue  # published without an open office: nobody to apply to
        for office in responsible:
            offices.setdefault(office.pk, _office(office, base))
        tariff = tariffs.get(service.leika_key)
        form = forms.get(service.leika_key)
        entries.append(
            CatalogueService(
                leika=service.leika_key,
                name=service.name,
                url=base + service.get_absolute_url(),
                office_keys=tuple(_office_key(office) for office in responsible),
                summary=service.summary,
                description=service.description,
                eligibility=service.eligibility,
                keywords=tuple(str(k) for k in service.keywords),
                documents=tuple(str(d) for d in service.documents),
                fee=CatalogueFee(
                    description=service.fees,
                    amount=tariff.amount if tariff is not None and tariff.kind == "flat" else None,
                    legal_basis=tariff.legal_basis if tariff is not None else "",
                    pay_first=(tariff.payment_policy == PAY_BEFORE) if tariff is not None else None,
                ),
                deadlines=service.deadlines,
                processing_time=service.processing_time,
                legal_basis=tuple(str(b) for b in service.legal_basis),
                by_appointment=service.by_appointment,
                in_person=service.in_person,
                online_url=base + reverse("eforms:start", args=[form.id]) if form is not None else "",
                form=form,
            )
        )
    return catalogue_xml(
        publisher=PUBLISHER,
        created=timezone.now(),
        offices=sorted(offices.values(), key=lambda o: o.key),
        services=entries,
    )
