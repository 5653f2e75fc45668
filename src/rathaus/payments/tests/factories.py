import itertools

from rathaus.accounts import services as account_services
from rathaus.accounts.models import EidasLevel, User
from rathaus.accounts.selectors import EIDAS_SESSION_KEY
from rathaus.directory.models import Office
from rathaus.kernel.testing import CITIZEN_BACKEND, log_in
from rathaus.kernel.testing import log_in_staff as staff_login  # noqa: F401 (the payments tests' name)
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


def citizen_login(client, user, level=EidasLevel.HIGH):
    """``user`` logged in as through the citizen account with the Online-Ausweis (eIDAS "high",
    what the demo IdP gives by default); ``level=""`` for a login without a level."""
    return log_in(client, user, backend=CITIZEN_BACKEND, session={EIDAS_SESSION_KEY: level})


def api_headers(user, scopes=("payments:read", "payments:write")) -> dict:
    _token, plaintext = account_services.api_token_issue(
        owner=user, name="Fachverfahren", scopes=list(scopes)
    )
    return {"Authorization": f"Bearer {plaintext}"}
