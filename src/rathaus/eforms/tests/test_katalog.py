"""The service catalogue export: the repository's published services with offices, fees and,
where a form exists, the online service with its level and fields — valid against its schema."""

import datetime
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.management import call_command
from django.urls import reverse
from lxml import etree

from rathaus.directory import services as directory_services
from rathaus.directory.models import Service
from rathaus.domain.eforms.katalog import CatalogueOffice, CatalogueService, catalogue_xml
from rathaus.eforms import registry
from rathaus.payments.tests.factories import setup_payments

SCHEMA = Path(registry.__file__).resolve().parent / "schemas" / "rathaus-leistungskatalog-1.xsd"
NS = {"k": "urn:rathaus:leistungskatalog:1"}


def _valid(document: bytes) -> etree._ElementTree:
    tree = etree.ElementTree(etree.fromstring(document))
    schema = etree.XMLSchema(etree.parse(str(SCHEMA)))
    assert schema.validate(tree), schema.error_log
    return tree


@pytest.fixture
def catalogue(db):
    setup_payments()
    directory_services.catalogue_import(
        document=directory_services.catalogue_load_files(), by="test", publish=True
    )


@pytest.mark.django_db
def test_every_published_service_is_exported_and_the_online_ones_carry_their_form(client, catalogue):
    response = client.get(reverse("eforms:catalogue"))
    assert response.status_code == 200 and response["Content-Type"].startswith("application/xml")
    tree = _valid(response.content)
    keys = tree.xpath("//k:leistung/k:leistungsschluessel/text()", namespaces=NS)
    published = Service.objects.filter(status="published").exclude(slug="").count()
    assert len(keys) == published >= 100
    online = {
        form.get("id"): entry
        for entry in tree.xpath("//k:leistung[k:onlinedienst]", namespaces=NS)
        for form in entry.xpath("k:onlinedienst/k:formular", namespaces=NS)
    }
    assert set(online) == set(registry.definitions())
    trade = online["gewerbeanmeldung"]
    assert trade.findtext("k:onlinedienst/k:vertrauensniveau", namespaces=NS) == "substanziell"
    assert trade.findtext("k:modulKosten/k:betrag", namespaces=NS) == "20.00"
    assert trade.findtext("k:modulKosten/k:vorkasse", namespaces=NS) == "true"
    family_name = trade.xpath(".//k:datenfeld[@id='familienname']", namespaces=NS)[0]
    assert family_name.get("fim") == "F60000227" and family_name.get("pflicht") == "true"
    assert online["fuehrungszeugnis"].findtext("k:onlinedienst/k:vertrauensniveau", namespaces=NS) == "hoch"
    # a service without a form has no online service; a free one says so and names no amount
    residence = next(
        e for e in online.values() if e.findtext("k:leistungsschluessel", namespaces=NS) == "99115001000000"
    )
    assert residence.find("k:modulKosten/k:betrag", NS) is None
    assert residence.findtext("k:modulKosten/k:beschreibung", namespaces=NS).startswith("gebührenfrei")


@pytest.mark.django_db
def test_an_unpublished_service_is_not_exported_and_the_command_writes_the_same(catalogue, tmp_path):
    Service.objects.filter(leika_key="99050012104000").update(status="draft")
    target = tmp_path / "katalog.xml"
    call_command("leistungskatalog", str(target))
    tree = _valid(target.read_bytes())
    assert "99050012104000" not in tree.xpath("//k:leistungsschluessel/text()", namespaces=NS)


def test_a_service_naming_an_office_missing_from_the_catalogue_is_refused():
    service = CatalogueService(leika="99050012104000", name="X", url="https://x", office_keys=("stelle-a",))
    with pytest.raises(ValueError, match="stelle-a"):
        catalogue_xml(
            publisher="Test",
            created=datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC),
            offices=[CatalogueOffice(key="stelle-b", name="B")],
            services=[service],
        )


def test_texts_with_markup_characters_are_escaped_and_amounts_have_two_decimals():
    from rathaus.domain.eforms.katalog import CatalogueFee

    document = catalogue_xml(
        publisher="Bremen <Test> & Co",
        created=datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC),
        offices=[CatalogueOffice(key="stelle-a", name="Amt A & B")],
        services=[
            CatalogueService(
                leika="99050012104000",
                name="Anmeldung <sofort>",
                url="https://example.org/leistung",
                office_keys=("stelle-a",),
                fee=CatalogueFee(description="5 € & mehr", amount=Decimal("5")),
            )
        ],
    )
    tree = _valid(document)
    assert tree.findtext("k:herausgeber", namespaces=NS) == "Bremen <Test> & Co"
    assert tree.findtext(".//k:betrag", namespaces=NS) == "5.00"
