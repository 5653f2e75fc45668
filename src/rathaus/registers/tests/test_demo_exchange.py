"""The demo's once-only story: a mother's consent and the registry office's logged exchange."""

from django.test import Client
from django.urls import reverse

from rathaus.accounts.models import User
from rathaus.directory.models import Office
from rathaus.kernel.demo import quiet_step
from rathaus.registers.demo.exchange import demo_mother, load_demo
from rathaus.registers.events import event_process
from rathaus.registers.models import Consent, ExchangeRecord, ProactiveOffer, RegisterEvent


def test_without_residents_the_demo_part_is_skipped(db):
    assert "übersprungen" in load_demo(seed=1, step=quiet_step)
    assert not Consent.objects.exists()


def test_the_demo_mother_sees_the_birth_data_exchange_in_her_cockpit(demo_city):
    # given the directory's parental benefit office (the directory demo part loads it)
    Office.objects.create(slug="amt-versorgung-integration", name="Amt für Versorgung und Integration Bremen")
    # when
    summary = load_demo(seed=7, step=quiet_step)
    again = load_demo(seed=7, step=quiet_step)
    # then
    mother = demo_mother()
    assert mother is not None and mother.register_number in summary
    assert "vorhanden" in again
    record = ExchangeRecord.objects.get(person=mother, consent__isnull=False)
    waiting = ExchangeRecord.objects.get(person=mother, consent__isnull=True)
    assert waiting.outcome == ExchangeRecord.Outcome.PENDING
    assert waiting.deciding_office.slug == "standesamt-mitte"
    assert record.outcome == ExchangeRecord.Outcome.ANSWERED
    assert record.fields_released == ["name", "address", "children"]
    assert [w["field"] for w in record.fields_withheld] == ["tax_id"]
    assert record.consent.from_office.slug == "standesamt-mitte"
    user = User.objects.create_user(username="demo-mutter", kind=User.Kind.CITIZEN, person=mother)
    client = Client(HTTP_ACCEPT_LANGUAGE="de")
    client.force_login(user, backend="rathaus.accounts.backends.OidcBackend")
    page = client.get(reverse("registers:cockpit")).content.decode()
    assert "Amt für Versorgung und Integration Bremen" in page and "§ 25 BEEG" in page
    assert "Kinder und ihre Geburtsdaten" in page
    # who sent it: the registry office of her consent; the waiting request names its register
    assert '<th class="kern-table__header" scope="col">Daten aus</th>' in page
    assert page.count(">Standesamt Bremen-Mitte</td>") == 1 and ">Personenstandsregister</td>" in page


def test_the_demo_births_event_brings_the_mother_her_offers_once(demo_city):
    Office.objects.create(slug="amt-versorgung-integration", name="Amt für Versorgung und Integration Bremen")
    load_demo(seed=7, step=quiet_step)
    load_demo(seed=7, step=quiet_step)
    mother = demo_mother()
    event = RegisterEvent.objects.get(kind="birth_registered")
    assert event.person.birth_record.mother == mother
    event_process(event_id=event.pk)
    offers = set(ProactiveOffer.objects.filter(person=mother).values_list("rule_id", flat=True))
    assert offers == {"kindergeld", "elterngeld"}


def test_demo_logins_names_the_demo_mother(demo_city):
    from django.core.management import call_command

    from .test_demo_city import _Sink

    Office.objects.create(slug="amt-versorgung-integration", name="Amt für Versorgung und Integration Bremen")
    load_demo(seed=7, step=quiet_step)
    out = _Sink()
    call_command("demo_logins", stdout=out)
    assert "Datenschutzcockpit" in out.text
    assert demo_mother().register_number in out.text
