"""The Wohnsitzanmeldung: the form asks what § 17/19 BMG ask (the landlord's confirmation
among it), costs nothing, goes to the Bürgeramt, and once staff of the office keeping the
residents' register accept it, the register changes through its own service, with history."""

import copy
import datetime
import io

import pytest
from django.urls import reverse

from rathaus.accounts.models import User
from rathaus.directory.models import Service
from rathaus.domain.eforms.validation import Upload, validate_form
from rathaus.eforms import effects, registry, services
from rathaus.eforms.models import Application
from rathaus.kernel.exceptions import InvalidInput, PermissionDenied
from rathaus.kernel.pdf import text_pdf
from rathaus.payments import selectors as payment_selectors
from rathaus.payments.tests.factories import setup_payments
from rathaus.registers.models import Person
from rathaus.registers.models_changes import RegisterChange
from rathaus.registers.tests.changes_world import changes_world

FORM = "wohnsitz-anmelden"
TODAY = datetime.date(2026, 6, 15)
RAW = {
    "person": {
        "familienname": ["Ahlers"],
        "vornamen": ["Maren"],
        "geburtsdatum": ["1990-04-02"],
        "geburtsort": ["Bremen"],
        "geschlecht": ["w"],
        "staatsangehoerigkeit": ["deutsch"],
        "familienstand": ["LD"],
    },
    "ausweis": {
        "ausweisart": ["PA"],
        "ausweisnummer": ["L01X00T47"],
        "ausstellende_behoerde": ["Stadt Bremen"],
        "gueltig_bis": ["2031-05-01"],
    },
    "wohnung": {
        "einzug": ["2026-06-10"],
        "strasse": ["Ostertorsteinweg"],
        "hausnummer": ["12"],
        "plz": ["28203"],
        "ortsteil": ["Ostertor"],
        "wohnungsart": ["alleinige"],
    },
    "bisher": {"bisherige_lage": ["bremen"], "bisherige_anschrift": ["Am Wall 1, 28195 Bremen"]},
    "mitziehende": {
        "mitziehend-0-familienname": ["Ahlers"],
        "mitziehend-0-vornamen": ["Jonte"],
        "mitziehend-0-geburtsdatum": ["2024-02-02"],
        "mitziehend-0-beziehung": ["kind"],
    },
    "wohnungsgeber": {
        "wohnungsgeber_name": ["Weser Wohnen GmbH"],
        "wohnungsgeber_anschrift": ["Am Brill 3, 28195 Bremen"],
    },
    "erklaerung": {"richtig": ["on"]},
}
CONFIRMATION = Upload(name="wohnungsgeberbestaetigung.pdf", size=30_000, media_type="application/pdf")


def _check(raw, with_confirmation=True):
    files = {"wohnungsgeber": {"bestaetigung": [CONFIRMATION]}} if with_confirmation else {}
    return validate_form(registry.definition(FORM), raw, files_by_step=files, today=TODAY)


def _codes(result):
    return {error.path: error.code for errors in result.errors.values() for error in errors}


def test_a_complete_registration_is_accepted_with_the_people_moving_along():
    result = _check(copy.deepcopy(RAW))
    assert result.ok, result.errors
    assert result.values["einzug"] == datetime.date(2026, 6, 10)
    assert [p["vornamen"] for p in result.values["mitziehend"]] == ["Jonte"]


def test_moving_in_tomorrow_a_main_residence_without_the_other_and_no_confirmation_are_refused():
    raw = copy.deepcopy(RAW)
    raw["wohnung"]["einzug"] = ["2026-06-16"]
    raw["wohnung"]["wohnungsart"] = ["haupt"]
    codes = _codes(_check(raw, with_confirmation=False))
    assert codes["einzug"] == "future" and codes["weitere_wohnung"] == "required"
    assert codes["bestaetigung"] == "required"


@pytest.mark.django_db
def test_registering_a_residence_costs_nothing():
    setup_payments()
    assert payment_selectors.fee_for_service(service_key=registry.definition(FORM).leika) is None


@pytest.fixture
def world(db):
    world = changes_world()
    setup_payments()
    service = Service.objects.create(
        leika_key=registry.definition(FORM).leika,
        name="Wohnsitz anmelden",
        slug="wohnsitz-anmelden",
        status=Service.Status.PUBLISHED,
    )
    service.offices.add(world.family.buergeramt)
    return world


def _submitted(person: Person | None) -> Application:
    user = User.objects.create_user(username=f"citizen-{person.pk if person else 0}", kind=User.Kind.CITIZEN)
    if person is not None:
        user.person = person
        user.save(update_fields=["person"])
    application = services.application_start(form_id=FORM, applicant=user)
    for step in registry.definition(FORM).steps:
        files = {}
        if step.id == "wohnungsgeber":
            upload = io.BytesIO(text_pdf("Wohnungsgeberbestätigung nach § 19 BMG"))
            upload.name = "bestaetigung.pdf"
            files = {"bestaetigung": [upload]}
        outcome = services.application_step_save(
            application=application, step_id=step.id, raw=RAW[step.id], files=files, by=user, today=TODAY
        )
        assert outcome.ok, outcome
    services.application_submit(application=application, by=user, today=TODAY)
    application.refresh_from_db()  # filed by the task, which tests run at once
    return application


@pytest.mark.django_db
def test_the_accepted_registration_moves_the_applicant_in_the_register_with_history(world):
    mother = world.family.mother
    application = _submitted(mother)
    assert application.status == Application.Status.SUBMITTED and application.case_id is not None
    assert application.office == world.family.buergeramt and application.claim is None

    [note] = effects.on_acceptance(application, world.clerk)

    mother.refresh_from_db()
    assert str(mother.address).startswith("Ostertorsteinweg 12")
    assert mother.moved_in_on == datetime.date(2026, 6, 10)
    change = RegisterChange.objects.filter(person=mother).latest("pk")
    assert change.reason == f"Online-Anmeldung {application.reference}"
    assert change.office == world.family.buergeramt
    assert "10.06.2026" in note and "Jonte Ahlers" in note


@pytest.mark.django_db
def test_only_staff_keeping_the_residents_register_can_accept_and_nothing_changes_otherwise(world):
    mother = world.family.mother
    before = str(mother.address)
    application = _submitted(mother)
    with pytest.raises(PermissionDenied):
        effects.on_acceptance(application, world.tax_clerk)
    mother.refresh_from_db()
    assert str(mother.address) == before


@pytest.mark.django_db
def test_an_applicant_without_register_entry_is_refused_with_a_message_for_the_clerk(world):
    application = _submitted(None)
    with pytest.raises(InvalidInput) as refused:
        effects.on_acceptance(application, world.clerk)
    assert refused.value.code == "person_not_registered"


@pytest.mark.django_db
def test_the_start_page_says_what_the_catalogue_says_about_fees_instead_of_none(client, world):
    Service.objects.filter(leika_key=registry.definition(FORM).leika).update(
        fees="gebührenfrei; bei verspäteter Anmeldung droht ein Bußgeld."
    )
    page = client.get(reverse("eforms:start", args=[FORM])).content.decode()
    assert "Bürgeramt Mitte" in page and "gebührenfrei; bei verspäteter Anmeldung" in page
    assert "12,00" not in page and 'class="kern-list kern-list--number"' in page


@pytest.mark.django_db
def test_accepting_the_registration_from_its_case_changes_the_register_and_says_so_in_the_bescheid(world):
    from rathaus.efile.models import Case, CaseNote
    from rathaus.eforms import services as eforms_services

    mother = world.family.mother
    application = _submitted(mother)
    case = Case.objects.get(pk=application.case_id)
    decided = eforms_services.application_decide(
        application=application, case=case, outcome="approve", text="", by=world.clerk
    )
    assert decided.status == Application.Status.APPROVED
    mother.refresh_from_db()
    assert str(mother.address).startswith("Ostertorsteinweg 12")
    assert CaseNote.objects.filter(case=case, text__contains="im Melderegister eingetragen").exists()


@pytest.mark.django_db
def test_when_the_register_refuses_the_move_the_application_stays_undecided(world):
    from rathaus.efile.models import Case, Document
    from rathaus.eforms import services as eforms_services
    from rathaus.kernel.exceptions import RathausError

    application = _submitted(None)
    case = Case.objects.get(pk=application.case_id)
    documents = Document.objects.filter(case=case).count()
    with pytest.raises(RathausError):
        eforms_services.application_decide(
            application=application, case=case, outcome="approve", text="", by=world.clerk
        )
    application.refresh_from_db()
    assert application.status == Application.Status.SUBMITTED
    assert Document.objects.filter(case=case).count() == documents  # no Bescheid filed
