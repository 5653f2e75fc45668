"""The cadastral map extract from the citizen's side: parcels, ordering, paying in the sandbox,
the delivered extract and receipt (moved here from the payments app, decision 0093)."""

import importlib
import io
from decimal import Decimal

import pytest
from django.urls import reverse
from pypdf import PdfReader

from rathaus.cadastre import selectors
from rathaus.cadastre import services as cadastre
from rathaus.cadastre.models import MapExtractOrder, Parcel
from rathaus.kernel import notify
from rathaus.kernel.exceptions import Conflict
from rathaus.payments import sandbox, services
from rathaus.payments.tests.factories import citizen_login, make_citizen, setup_payments

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture
def offices():
    offices = setup_payments()
    cadastre.parcels_ensure(seed=1)
    return offices


def test_parcels_are_deterministic_and_tile(offices):
    parcel = Parcel.objects.get(gemarkung="Findorff", flur=3, number=10)
    around = selectors.neighbours(parcel)
    assert sorted(p.number for p in around) == [2, 9, 11, 18]
    assert cadastre.parcels_ensure(seed=1) == Parcel.objects.count() == 6 * 8 * 2 + 5 * 7


def test_newcomer_orders_pays_in_the_sandbox_and_downloads_the_extract(
    client, offices, django_capture_on_commit_callbacks
):
    """The issue's "done when": order, pay in the sandbox, download the PDF, receipt in the
    postbox, and the order filed as a case in the E-Akte."""
    citizen = make_citizen()
    citizen_login(client, citizen)
    parcel = Parcel.objects.get(gemarkung="Altstadt", flur=1, number=12)
    page = client.get(reverse("cadastre:parcel", args=[parcel.pk]))
    assert page.status_code == 200 and "<svg" in page.content.decode()
    response = client.post(reverse("cadastre:order-create", args=[parcel.pk]))
    order = MapExtractOrder.objects.get()
    assert response.url == reverse("cadastre:order", args=[order.pk])
    assert client.get(response.url).status_code == 200
    pay = client.post(reverse("payments:pay", args=[order.claim.kassenzeichen]))
    sandbox_page = client.get(pay.url)
    assert sandbox_page.status_code == 200 and "Sandbox" in sandbox_page.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        back = client.post(pay.url, {"mode": "normal", "decision": "approve"})
    landing = client.get(back.url, follow=True)
    assert landing.status_code == 200
    order.refresh_from_db()
    assert order.status == MapExtractOrder.Status.FULFILLED and order.case_id
    pdf = b"".join(client.get(reverse("cadastre:order-file", args=[order.pk, "auszug"])).streaming_content)
    text = PdfReader(io.BytesIO(pdf)).pages[0].extract_text()
    assert "Liegenschaftskarte" in text and "Flurst" in text
    message = notify.postbox_messages(user=citizen).get()
    assert "Quittung" in message.subject and message.attachments.count() == 2
    from rathaus.efile.models import Case

    case = Case.objects.get(pk=order.case_id)
    assert case.documents.count() == 2


def test_another_citizens_claim_and_order_are_404(client, offices):
    """Bad input: a citizen opens someone else's claim and order by guessing the address."""
    owner, other = make_citizen(), make_citizen("Ole")
    order = cadastre.order_create(parcel=Parcel.objects.first(), citizen=owner)
    citizen_login(client, other)
    assert client.get(reverse("payments:claim", args=[order.claim.kassenzeichen])).status_code == 404
    assert client.get(reverse("cadastre:order", args=[order.pk])).status_code == 404


def test_parcel_list_and_search(client, offices):
    page = client.get(reverse("cadastre:parcels"), {"gemarkung": "Vegesack", "number": "3"})
    body = page.content.decode()
    assert page.status_code == 200 and "Vegesack" in body and "Flurstück 3" in body


def test_ordering_while_logged_out_returns_after_login_to_the_order_to_confirm(client, offices):
    """Logged out, "Kostenpflichtig bestellen" goes to the login; the login returns (GET) to
    the order address, which shows the order to confirm; only the confirming POST orders."""
    parcel = Parcel.objects.get(gemarkung="Findorff", flur=3, number=10)
    to_login = client.post(reverse("cadastre:order-create", args=[parcel.pk]))
    order_url = reverse("cadastre:order-create", args=[parcel.pk])
    assert to_login.status_code == 302 and f"next={order_url}" in to_login.url.replace("%2F", "/")
    citizen_login(client, make_citizen())
    confirm = client.get(order_url)
    body = confirm.content.decode()
    assert confirm.status_code == 200
    assert "Kostenpflichtig bestellen" in body and str(parcel) in body
    assert f'action="{order_url}"' in body and 'method="post"' in body
    assert not MapExtractOrder.objects.exists()  # looking is not ordering
    done = client.post(order_url)
    order = MapExtractOrder.objects.get()
    assert done.url == reverse("cadastre:order", args=[order.pk])


def test_postbox_message_and_receipt_show_amounts_the_german_way(
    client, offices, django_capture_on_commit_callbacks
):
    citizen = make_citizen()
    citizen_login(client, citizen)
    order = cadastre.order_create(parcel=Parcel.objects.first(), citizen=citizen)
    payment = services.payment_start(claim=order.claim, by=citizen)
    with django_capture_on_commit_callbacks(execute=True):
        sandbox.transaction_decide(transaction_id=payment.transaction_id, approve=True)
        services.payment_refresh(payment=payment)
    message = notify.postbox_messages(user=citizen).get()
    amount = f"{order.claim.amount:.2f}".replace(".", ",")
    assert f"{amount} €" in message.body and " EUR" not in message.body
    receipt = client.get(reverse("payments:receipt-pdf", args=[order.claim.kassenzeichen, payment.pk]))
    assert f"{amount} €" in PdfReader(io.BytesIO(receipt.content)).pages[0].extract_text()


def test_parcel_order_claim_and_sandbox_pages_use_kern_description_lists(client, offices):
    citizen = make_citizen()
    citizen_login(client, citizen)
    parcel = Parcel.objects.first()
    order = cadastre.order_create(parcel=parcel, citizen=citizen)
    payment = services.payment_start(claim=order.claim, by=citizen)
    pages = [
        reverse("cadastre:parcel", args=[parcel.pk]),
        reverse("cadastre:order-create", args=[parcel.pk]),
        reverse("cadastre:order", args=[order.pk]),
        reverse("payments:claim", args=[order.claim.kassenzeichen]),
        payment.transaction_url,
    ]
    for url in pages:
        body = client.get(url).content.decode()
        assert "app-payments-facts" not in body, url
        assert body.count('<div class="kern-description-list-item">') >= 2, url
        assert "<dt>" not in body, url
    sandbox_page = client.get(payment.transaction_url).content.decode()
    assert "INITIAL" not in sandbox_page.split("<main", 1)[1].replace('value="INITIAL"', "")
    assert "Begonnen" in sandbox_page


def _paid_order(offices, citizen, django_capture_on_commit_callbacks) -> MapExtractOrder:
    order = cadastre.order_create(parcel=Parcel.objects.first(), citizen=citizen)
    payment = services.payment_start(claim=order.claim, by=citizen)
    with django_capture_on_commit_callbacks(execute=True):
        sandbox.transaction_decide(transaction_id=payment.transaction_id, approve=True)
    order.refresh_from_db()
    return order


def test_the_extract_joins_the_payments_registry_and_is_delivered_once(
    offices, django_capture_on_commit_callbacks
):
    """Payments knows the extract only as the product its claim names (decision 0093)."""
    from rathaus.payments.models import Fulfilment

    citizen = make_citizen()
    order = _paid_order(offices, citizen, django_capture_on_commit_callbacks)
    assert order.claim.product == cadastre.PRODUCT
    assert order.status == MapExtractOrder.Status.FULFILLED
    assert Fulfilment.objects.get(claim=order.claim).status == Fulfilment.Status.DONE
    assert cadastre.order_fulfil_for_claim(claim_id=order.claim.pk).case_id == order.case_id  # once
    assert notify.postbox_messages(user=citizen).count() == 1


def test_the_order_is_filed_under_the_offices_own_file_plan_entry_when_it_has_one(
    offices, django_capture_on_commit_callbacks
):
    """Issue 12, item 1: with a city-wide and an office's own entry 62.10, the office's is used
    (``order_by("office_id")`` picked the city-wide one on SQLite, the office's on PostgreSQL)."""
    from rathaus.efile import services as efile_services
    from rathaus.efile.models import Case, FilePlanEntry

    city = efile_services.file_plan_entry_create(number="62", title="Vermessung", retention_years=10)
    efile_services.file_plan_entry_create(number="62.10", title="Auszüge", parent=city)
    # The service refuses an office entry shadowing a city-wide one; older data has them.
    own_62 = FilePlanEntry.objects.create(
        number="62", title="Eigener Plan", office=offices["geo"], retention_years=10
    )
    own = FilePlanEntry.objects.create(
        number="62.10", title="Auszüge (eigener Plan)", office=offices["geo"], parent=own_62
    )
    order = _paid_order(offices, make_citizen(), django_capture_on_commit_callbacks)
    assert Case.objects.get(pk=order.case_id).case_file.file_plan_entry == own


def test_the_order_is_filed_under_the_city_wide_entry_created_if_missing(
    offices, django_capture_on_commit_callbacks
):
    from rathaus.efile.models import Case

    order = _paid_order(offices, make_citizen(), django_capture_on_commit_callbacks)
    entry = Case.objects.get(pk=order.case_id).case_file.file_plan_entry
    assert (entry.number, entry.office_id, entry.parent.number) == ("62.10", None, "62")


def test_a_paid_claim_without_its_order_fails_at_once_for_the_cash_office(offices):
    from rathaus.kernel.tasks import NoRetry

    claim = services.claim_create(
        office=offices["geo"],
        purpose="Auszug",
        debtor_name="Jana",
        amount=D("20.00"),
        product=cadastre.PRODUCT,
    )
    with pytest.raises(cadastre.OrderMissing) as missing:
        cadastre.order_fulfil_for_claim(claim_id=claim.pk)
    assert isinstance(missing.value, NoRetry)


def test_an_unpaid_order_is_not_delivered(offices):
    order = cadastre.order_create(parcel=Parcel.objects.first(), citizen=make_citizen())
    with pytest.raises(Conflict):
        cadastre.order_fulfil(order=order)
    order.refresh_from_db()
    assert order.status == MapExtractOrder.Status.AWAITING_PAYMENT and order.extract is None


def test_orders_paid_before_the_move_name_their_product_and_an_undelivered_one_is_shown(offices):
    """The data migration 0002: existing claims of orders name the product; a paid order that
    was never delivered (its error was swallowed) becomes a failed delivery for the cash office."""
    from django.apps import apps

    from rathaus.payments import selectors as payment_selectors
    from rathaus.payments.models import Claim, Fulfilment

    migration = importlib.import_module("rathaus.cadastre.migrations.0002_claims_name_the_product")
    stranded = cadastre.order_create(parcel=Parcel.objects.first(), citizen=make_citizen())
    waiting = cadastre.order_create(parcel=Parcel.objects.last(), citizen=make_citizen("Ole"))
    Claim.objects.update(product="")
    Claim.objects.filter(pk=stranded.claim_id).update(status=Claim.Status.PAID)
    migration.forwards(apps, None)
    assert set(Claim.objects.values_list("product", flat=True)) == {cadastre.PRODUCT}
    fulfilment = Fulfilment.objects.get()
    assert (fulfilment.claim_id, fulfilment.status) == (stranded.claim_id, Fulfilment.Status.FAILED)
    assert [row.product for row in payment_selectors.fulfilments_to_check()] == [
        "Auszug aus der Liegenschaftskarte"
    ]
    assert not Fulfilment.objects.filter(claim_id=waiting.claim_id).exists()
