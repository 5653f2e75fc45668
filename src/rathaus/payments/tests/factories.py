import itertools

from django_otp.plugins.otp_totp.models import TOTPDevice

from rathaus.accounts import services as account_services
from rathaus.accounts.models import User
from rathaus.directory.models import Office
from rathaus.payments import demo

_numbers = itertools.count(1)
PASSWORD = "Kasse-2026-sicher!"


def setup_payments() -> dict:
    """Fee schedule, cash office and Geoinformation office, as the demo has them."""
    demo.load_fee_schedule()
    return demo.offices_ensure()


def make_office(**overrides) -> Office:
    n = next(_numbers)
    return Office.objects.create(**{"slug": f"amt-{n}", "name": f"Amt {n}", **overrides})


def make_staff(office: Office, role: str = "sachbearbeitung"):
    n = next(_numbers)
    return account_services.staff_user_create(
        username=f"kasse{n}", full_name=f"Kai Kasse{n}", password=PASSWORD, office=office, role=role
    )


def make_citizen(name: str = "Jana") -> User:
    n = next(_numbers)
    return User.objects.create_user(
        username=f"buerger{n}", first_name=name, last_name="Meyer", kind=User.Kind.CITIZEN, password=PASSWORD
    )


CITIZEN_BACKEND = "rathaus.accounts.backends.OidcBackend"


def citizen_login(client, user):
    client.force_login(user, backend=CITIZEN_BACKEND)
    return client


def staff_login(client, user):
    device = TOTPDevice.objects.create(user=user, name="TOTP", confirmed=True)
    client.force_login(user)
    session = client.session
    session["otp_device_id"] = device.persistent_id
    session.save()
    return client


def api_headers(user, scopes=("payments:read", "payments:write")) -> dict:
    _token, plaintext = account_services.api_token_issue(
        owner=user, name="Fachverfahren", scopes=list(scopes)
    )
    return {"Authorization": f"Bearer {plaintext}"}
