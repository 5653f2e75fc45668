"""The demo's own text follows where it is served (`make run PORT=8101`), not a fixed :8000."""

import pytest
from django.core import mail
from django.core.management import call_command

from rathaus.appointments.demo import load_demo as load_appointments_demo
from rathaus.kernel.demo import quiet_step
from rathaus.registers.demo.city import demo_offices_ensure


class _Sink:
    """A stdout for call_command that keeps the text (rich writes to ``._out``)."""

    def __init__(self):
        self.text = ""
        self._out = self

    def write(self, text):
        self.text += text

    def flush(self):
        pass


@pytest.mark.django_db
def test_demo_logins_prints_the_configured_address(settings):
    settings.RATHAUS_BASE_URL = "http://127.0.0.1:8101"
    out = _Sink()
    call_command("demo_logins", stdout=out)
    assert "http://127.0.0.1:8101/" in out.text
    assert ":8000" not in out.text


@pytest.mark.django_db
def test_demo_bookings_mail_links_to_the_configured_address(settings, django_capture_on_commit_callbacks):
    """The demo's booking mails (sent later by the worker) link to RATHAUS_BASE_URL."""
    settings.RATHAUS_BASE_URL = "http://127.0.0.1:8101"
    demo_offices_ensure()
    with django_capture_on_commit_callbacks(execute=True):
        load_appointments_demo(seed=1, step=quiet_step)
    bodies = [message.body for message in mail.outbox]
    assert bodies
    assert all("http://127.0.0.1:8101/termine/" in body for body in bodies)
    assert not any(":8000" in body for body in bodies)
