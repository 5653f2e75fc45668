"""The traffic forms (personalised plate, international driving permit, exchange of an old
licence) accept a complete application, refuse the typical mistakes (plate and licence number
formats, photo, record card) and are paid first at the catalogue's fee."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from rathaus.directory.models import Office, Service
from rathaus.domain.eforms.validation import Upload
from rathaus.eforms import registry
from rathaus.eforms.models import Application
from rathaus.payments import selectors as payment_selectors
from rathaus.payments.tests.factories import citizen_login, make_citizen, setup_payments

from .test_definitions import PDF, PHOTO, catalogue_service, check, codes, sample

PERSON = {
    "familienname": ["Oltmanns"],
    "vornamen": ["Jan"],
    "strasse": ["Vor dem Steintor 40"],
    "plz": ["28203"],
    "ort": ["Bremen"],
}
BIRTH = {"geburtsdatum": ["1968-03-14"], "geburtsort": ["Delmenhorst"]}
GOOD = {
    "wunschkennzeichen": (
        {
            "halter": {"halter_art": ["person"], **PERSON, "email": ["jan@example.org"]},
            "kennzeichen": {
                "fahrzeugart": ["pkw"],
                "kennzeichenart": ["e"],
                "wunsch": ["HB-JO 1968"],
                "alternative1": ["HB-JO 68"],
                "fin": ["WVWZZZ1KZ8W123456"],
                "zulassung": ["2026-07-01"],
            },
            "erklaerung": {"frist": ["on"]},
        },
        {},
    ),
    "internationaler-fuehrerschein": (
        {
            "person": {**PERSON, **BIRTH},
            "fuehrerschein": {
                "nummer": ["B072RRE2I55"],
                "ausgestellt_am": ["2013-05-02"],
                "behoerde": ["Stadt Bremen"],
                "gueltig_bis": ["2028-05-01"],
                "klassen": ["B", "BE"],
                "reiseziel": ["USA"],
                "reisebeginn": ["2026-08-01"],
            },
            "unterlagen": {"abholung": ["buergeramt-mitte"]},
            "erklaerung": {"richtig": ["on"]},
        },
        {"unterlagen": {"lichtbild": [PHOTO], "fuehrerschein_bild": [PHOTO, PHOTO]}},
    ),
    "fuehrerschein-umtausch": (
        {
            "person": {**PERSON, **BIRTH},
            "fuehrerschein": {
                "art": ["papier_rosa"],
                "listennummer": ["1234/87"],
                "klassen_alt": ["1b", "3"],
                "ausgestellt_am": ["1987-06-01"],
                "behoerde": ["Landkreis Oldenburg"],
            },
            "erklaerung": {"richtig": ["on"]},
        },
        {
            "fuehrerschein": {"karteikarte": [PDF]},
            "unterlagen": {"lichtbild": [PHOTO], "fuehrerschein_bild": [PDF]},
        },
    ),
}


def answers(form_id):
    return sample(GOOD, form_id)


@pytest.mark.parametrize("form_id", sorted(GOOD))
def test_a_complete_application_is_accepted(form_id):
    result = check(form_id, *answers(form_id))
    assert result.ok, result.errors


@pytest.mark.parametrize(
    ("form_id", "office"),
    [
        ("wunschkennzeichen", "kfz-zulassungsstelle"),
        ("internationaler-fuehrerschein", "fahrerlaubnisbehoerde"),
        ("fuehrerschein-umtausch", "fahrerlaubnisbehoerde"),
    ],
)
def test_each_form_names_its_catalogue_service_and_office(form_id, office):
    service = catalogue_service(form_id)
    assert service["slug"] == form_id and office in service["offices"]


def test_a_plate_follows_the_bremen_form_and_alternatives_too():
    raw, files = answers("wunschkennzeichen")
    raw["kennzeichen"] |= {
        "wunsch": ["HB-JO 0123"],
        "alternative1": ["BHV-A 1"],
        "alternative2": ["HB-ABC 1"],
    }
    result = check("wunschkennzeichen", raw, files)
    assert codes(result) == {"wunsch": "pattern", "alternative1": "pattern", "alternative2": "pattern"}
    [problem] = result.errors["kennzeichen"][:1]
    assert problem.params["example"] == "HB-AB 123"


def test_a_season_plate_needs_its_months_and_the_vin_its_17_characters():
    raw, files = answers("wunschkennzeichen")
    raw["kennzeichen"] |= {
        "kennzeichenart": ["saison"],
        "fin": ["WVWZZZ1KZ8W12345O"],
        "zulassung": ["2026-06-01"],
    }
    assert codes(check("wunschkennzeichen", raw, files)) == {
        "saison_von": "required",
        "saison_bis": "required",
        "fin": "pattern",
        "zulassung": "past",
    }


def test_a_company_plate_needs_the_company_and_the_reservation_terms_be_acknowledged():
    raw, files = answers("wunschkennzeichen")
    raw["halter"]["halter_art"] = ["firma"]
    raw["erklaerung"] = {}
    assert codes(check("wunschkennzeichen", raw, files)) == {"firma": "required", "frist": "must_confirm"}


def test_international_permit_needs_a_photo_image_and_a_valid_card_licence():
    raw, _ = answers("internationaler-fuehrerschein")
    raw["fuehrerschein"] |= {"nummer": ["B072 RRE2I55"], "gueltig_bis": ["2026-06-14"]}
    scan = Upload(name="foto.pdf", size=30_000, media_type="application/pdf")
    files = {"unterlagen": {"lichtbild": [scan], "fuehrerschein_bild": [PHOTO]}}
    assert codes(check("internationaler-fuehrerschein", raw, files)) == {
        "nummer": "pattern",
        "gueltig_bis": "past",
        "lichtbild": "file_type",
    }
    assert codes(check("internationaler-fuehrerschein", answers("internationaler-fuehrerschein")[0], {})) == {
        "lichtbild": "required",
        "fuehrerschein_bild": "required",
    }


def test_international_permit_from_16_and_a_licence_not_issued_before_birth():
    raw, files = answers("internationaler-fuehrerschein")
    raw["person"]["geburtsdatum"] = ["2010-06-16"]
    assert codes(check("internationaler-fuehrerschein", raw, files)) == {"geburtsdatum": "not_adult"}
    raw["person"]["geburtsdatum"] = ["2010-06-15"]
    raw["fuehrerschein"]["ausgestellt_am"] = ["2009-01-01"]
    assert codes(check("internationaler-fuehrerschein", raw, files)) == {"ausgestellt_am": "before_other"}


def test_exchanging_a_licence_from_elsewhere_needs_the_record_card():
    raw, files = answers("fuehrerschein-umtausch")
    del files["fuehrerschein"]
    assert codes(check("fuehrerschein-umtausch", raw, files)) == {"karteikarte": "required"}
    raw["fuehrerschein"]["in_bremen"] = ["on"]
    result = check("fuehrerschein-umtausch", raw, files)
    assert result.ok and result.values["klassen_alt"] == ["1b", "3"] and "kartennummer" not in result.values


def test_exchanging_a_card_licence_needs_its_number_in_form_and_the_new_categories():
    raw, files = answers("fuehrerschein-umtausch")
    raw["fuehrerschein"] |= {
        "art": ["karte"],
        "kartennummer": ["b072rre2i55"],
        "ausgestellt_am": ["2004-03-01"],
    }
    assert codes(check("fuehrerschein-umtausch", raw, files)) == {
        "kartennummer": "pattern",
        "klassen": "required",
    }
    raw["fuehrerschein"] |= {"kartennummer": ["B072RRE2I55"], "klassen": ["B", "C1"]}
    result = check("fuehrerschein-umtausch", raw, files)
    assert result.ok and "klassen_alt" not in result.values and "listennummer" not in result.values


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("form_id", "office", "fee"),
    [
        ("wunschkennzeichen", "kfz-zulassungsstelle", "12,80\xa0€"),
        ("internationaler-fuehrerschein", "fahrerlaubnisbehoerde", "16,30\xa0€"),
        ("fuehrerschein-umtausch", "fahrerlaubnisbehoerde", "25,30\xa0€"),
    ],
)
def test_the_start_page_names_the_fee_to_be_paid_first(client, form_id, office, fee):
    setup_payments()
    place, _ = Office.objects.get_or_create(slug=office, defaults={"name": office})
    service = Service.objects.create(
        leika_key=registry.definition(form_id).leika,
        name=form_id,
        slug=form_id,
        status=Service.Status.PUBLISHED,
    )
    service.offices.add(place)
    page = client.get(reverse("eforms:start", args=[form_id])).content.decode()
    assert fee in page
    tariff = payment_selectors.fee_for_service(service_key=registry.definition(form_id).leika)
    assert tariff is not None and tariff.payment_policy == "mandatory"


@pytest.mark.django_db
def test_a_plate_reserved_through_the_pages_waits_for_its_fee(client, django_capture_on_commit_callbacks):
    setup_payments()
    place, _ = Office.objects.get_or_create(
        slug="kfz-zulassungsstelle", defaults={"name": "Kfz-Zulassungsstelle"}
    )
    leika = registry.definition("wunschkennzeichen").leika
    service = Service.objects.create(
        leika_key=leika, name="Wunschkennzeichen", slug="wunschkennzeichen", status=Service.Status.PUBLISHED
    )
    service.offices.add(place)
    citizen_login(client, make_citizen())
    client.post(reverse("eforms:begin", args=["wunschkennzeichen"]))
    application = Application.objects.get()
    raw = answers("wunschkennzeichen")[0]
    raw["kennzeichen"]["zulassung"] = [(timezone.localdate() + datetime.timedelta(days=30)).isoformat()]

    def post(step, data):
        url = reverse("eforms:step", args=[application.public_id, step])
        return client.post(
            url, {name: values if len(values) > 1 else values[0] for name, values in data.items()}
        )

    refused = post("kennzeichen", {**raw["kennzeichen"], "wunsch": ["HB AB 12"]})
    assert refused.status_code == 400 and "HB-AB 123" in refused.content.decode()
    for step in ("halter", "kennzeichen", "erklaerung"):
        assert post(step, raw[step]).status_code == 302, step
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("eforms:summary", args=[application.public_id]))
    application.refresh_from_db()
    assert application.status == Application.Status.AWAITING_PAYMENT
    assert str(application.claim.amount) == "12.80"
