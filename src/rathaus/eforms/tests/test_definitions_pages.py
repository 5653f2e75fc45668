"""Every step of the social, register office, traffic and batch 3a forms renders for a logged-in citizen:
each field without a condition is on its page, with its German label."""

import pytest
from django.urls import reverse
from django.utils.html import escape

from rathaus.directory.models import Office, Service
from rathaus.domain.eforms.definition import Field
from rathaus.eforms import registry
from rathaus.eforms.models import Application
from rathaus.payments.tests.factories import citizen_login, make_citizen, setup_payments

from .test_definitions import catalogue_service

FORMS = [
    "wohngeld",
    "wohnberechtigungsschein",
    "schwerbehindertenausweis",
    "behindertenparkausweis",
    "rundfunkbeitrag-befreiung-bescheinigung",
    "sterbeurkunde",
    "geburtsurkunde",
    "eheurkunde",
    "kirchenaustritt",
    "wunschkennzeichen",
    "internationaler-fuehrerschein",
    "fuehrerschein-umtausch",
    "briefwahl",
    "ausweis-verlust-melden",
    "lebensbescheinigung",
    "fundsache",
    "gewerbezentralregister",
]


@pytest.mark.django_db
@pytest.mark.parametrize("form_id", FORMS)
def test_every_step_shows_its_unconditional_fields(client, form_id):
    setup_payments()
    entry = catalogue_service(form_id)
    office, _ = Office.objects.get_or_create(slug=entry["offices"][0], defaults={"name": entry["offices"][0]})
    service = Service.objects.create(
        leika_key=entry["leika_key"], name=entry["name"], slug=form_id, status=Service.Status.PUBLISHED
    )
    service.offices.add(office)
    citizen_login(client, make_citizen())
    client.post(reverse("eforms:begin", args=[form_id]))
    application = Application.objects.get()
    for step in registry.definition(form_id).steps:
        response = client.get(reverse("eforms:step", args=[application.public_id, step.id]))
        assert response.status_code == 200, step.id
        page = response.content.decode()
        for item in step.items:
            if isinstance(item, Field) and item.visible_if is None:
                assert f'name="{item.id}"' in page and escape(item.label) in page, (step.id, item.id)
