"""The reviewed data files: import, re-import, export round trip, bad documents, search."""

import copy

import pytest

from rathaus.directory import demo, services
from rathaus.directory.models import LifeSituation, Office, OpeningHours, Service
from rathaus.kernel import search
from rathaus.kernel.demo import quiet_step


@pytest.fixture
def catalogue(db, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        report = services.catalogue_import(document=services.catalogue_load_files(), publish=True)
    return report


def test_repository_data_imports_and_reimport_changes_nothing(catalogue, django_capture_on_commit_callbacks):
    """At least 120 services, the offices they need and seven life situations; a second run is a no-op."""
    assert catalogue.created["service"] >= 120
    assert catalogue.created["life_situation"] == 7
    assert not Service.objects.filter(offices__isnull=True).exists()
    # the demo part loads the same files: a second load changes nothing
    with django_capture_on_commit_callbacks(execute=True):
        summary = demo.load_demo(seed=1, step=quiet_step)
    assert summary.startswith("Verzeichnis: 0 Dienststellen, 0 Leistungen, 0 Lebenslagen neu; 0 geändert")
    # the export reads back as the same catalogue
    exported = services.catalogue_export()
    assert len(exported["services"]) == Service.objects.count()
    with django_capture_on_commit_callbacks(execute=True):
        round_trip = services.catalogue_import(document=exported)
    assert sum(round_trip.updated.values()) == 0


CITIZEN_QUERIES = [
    ("ummelden", "Wohnsitz anmelden"),
    ("Perso", "Personalausweis beantragen"),
    ("gewerbe anmelden", "Gewerbeanmeldung"),
    ("persnalausweis", "Personalausweis beantragen"),
    ("Führerschein umtauschen", "Führerschein umtauschen"),
    ("heiraten", "Eheschließung anmelden"),
]


def test_done_when_ummelden_finds_the_service_its_offices_and_today(catalogue, client):
    """Colloquial words, prefixes, compounds and typos rank the meant service first; then
    'ummelden' → Wohnsitz anmelden → its page lists the offices with today's hours."""
    for query, expected in CITIZEN_QUERIES:
        assert search.find(query).hits[0].title == expected, query
    hit = search.find("ummelden").hits[0]
    page = client.get(hit.url)
    assert page.status_code == 200
    html = page.content.decode()
    assert "Bürgeramt Mitte" in html
    assert "Heute" in html


def _document(**service_changes):
    return {
        "format": services.FORMAT,
        "offices": [{"slug": "amt-a", "name": "Amt A", "kind": "authority",
                     "opening_hours": [{"weekday": 0, "opens": "08:00", "closes": "12:00"}]}],
        "services": [{"leika_key": "99000000000001", "slug": "probe", "name": "Probe", "description": "Text",
                      "offices": ["amt-a"], **service_changes}],
        "life_situations": [{"slug": "probe-lage", "name": "Lage",
                             "services": [{"slug": "probe", "step": "1"}]}],
    }  # fmt: skip


def _hours(document):
    return document["offices"][0]["opening_hours"]


def _slot(weekday, opens, closes):
    return {"weekday": weekday, "opens": opens, "closes": closes}


@pytest.mark.parametrize(
    ("mutate", "where"),
    [
        (lambda d: d.update(format="other/9"), "format"),
        (lambda d: d["services"][0].update(offices=["gibt-es-nicht"]), "services[0].offices"),
        (lambda d: d["services"][0].update(leika_key="123"), "services[0].leika_key"),
        (lambda d: d["services"][0].update(leika_key="٩٩" + "0" * 12), "services[0].leika_key"),
        (lambda d: d["services"][0].pop("name"), "services[0]"),
        (lambda d: d["services"][0].update(documents="kein Array"), "services[0].documents"),
        (lambda d: _hours(d).append(_slot(0, "11:00", "13:00")), "offices[0].opening_hours"),
        (lambda d: _hours(d).append(_slot(1, "13:00", "09:00")), "offices[0].opening_hours"),
        (lambda d: _hours(d).append(_slot(1, "25:00", "26:00")), "offices[0].opening_hours[1].opens"),
        (lambda d: d["life_situations"][0]["services"].append({"slug": "x"}),
         "life_situations[0].services[1]"),
    ],
)  # fmt: skip
def test_broken_import_documents_are_refused_whole(db, mutate, where):
    """Tried: wrong format tag, unknown office, short LeiKa key, missing name, wrong types,
    overlapping hours, end before start, impossible time, unknown service. Nothing is kept."""
    document = copy.deepcopy(_document())
    mutate(document)
    with pytest.raises(services.CatalogueFormatError) as caught:
        services.catalogue_import(document=document, publish=True)
    assert caught.value.where == where
    assert not Office.objects.filter(slug="amt-a").exists()
    assert not Service.objects.filter(leika_key="99000000000001").exists()


def test_published_import_needs_a_responsible_office(db):
    """A service without an office can be imported as a draft but not published."""
    with pytest.raises(services.CatalogueFormatError, match="zuständige Dienststelle"):
        services.catalogue_import(document=_document(offices=[]), publish=True)
    services.catalogue_import(document=_document(offices=[]), publish=False)
    service = Service.objects.get(leika_key="99000000000001")
    assert service.status == "draft"
    assert OpeningHours.objects.filter(office__slug="amt-a").count() == 1
    assert LifeSituation.objects.get(slug="probe-lage").services.count() == 1
