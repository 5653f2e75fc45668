"""The workbench offers the actions of the domain's state machine, no more and no fewer."""

import pytest
from django.urls import reverse

from rathaus.domain.einvoice.workflow import State, allowed_actions
from rathaus.einvoice.models import InboundInvoice
from rathaus.einvoice.staff_views import ACTION_KEYS
from rathaus.kernel.testing import log_in_staff

from .workflow_helpers import make_staff, receive

pytestmark = pytest.mark.django_db

DISCLOSURES = ("sachlich", "rechnerisch", "anordnen", "bezahlt", "zurueckweisen")


@pytest.mark.parametrize("state", list(State))
def test_each_state_shows_the_actions_that_allowed_actions_names(client, office, ubl, supplier, state):
    """In every state the detail page has a disclosure for each action ``allowed_actions()`` permits
    (the export is a run of the inbox, not an action on the invoice page)."""
    # given an invoice in ``state``, checked by two colleagues, and a third clerk looking at it
    invoice = receive(ubl, supplier)
    first, second, clerk = make_staff(office), make_staff(office), make_staff(office)
    InboundInvoice.objects.filter(pk=invoice.pk).update(
        state=state, factual_approved_by=first, arithmetic_approved_by=second
    )
    # when the clerk opens it
    page = log_in_staff(client, clerk).get(reverse("einvoice:staff-detail", args=[invoice.pk]))
    # then exactly the permitted actions are offered
    shown = {key for key in DISCLOSURES if f'id="aktion-{key}"' in page.content.decode()}
    assert page.status_code == 200
    assert shown == {ACTION_KEYS[a] for a in allowed_actions(state) if a in ACTION_KEYS}
    assert set(ACTION_KEYS.values()) == set(DISCLOSURES)
