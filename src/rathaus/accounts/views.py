"""Login and logout: citizens with their eID (OpenID Connect), staff with password and TOTP."""

import time

from django.conf import settings
from django.contrib import auth, messages
from django.contrib.auth import authenticate
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_otp import devices_for_user, match_token
from django_otp import login as otp_login

from rathaus.kernel.forms import submit

from . import oidc, selectors, services, throttling
from .forms import OtpForm, PasswordChangeForm, StaffLoginForm
from .models import LoginEvent, OidcIdentity, User

OIDC_SESSION_KEY = "rathaus_oidc_login"
STAFF_PENDING_KEY = "rathaus_staff_login"
STAFF_PENDING_SECONDS = 5 * 60


def _client_address(request: HttpRequest) -> str:
    # REMOTE_ADDR is the proxy's address behind a reverse proxy; the proxy must then set it
    # from X-Forwarded-For (e.g. gunicorn --forwarded-allow-ips), never Rathaus from a header.
    return request.META.get("REMOTE_ADDR", "")


def _next_url(request: HttpRequest, default: str) -> str:
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return default


def _throttled_message(seconds: int) -> str:
    return _("Zu viele Anmeldeversuche. Bitte warten Sie %(seconds)s Sekunden.") % {"seconds": seconds}


# --- Citizens --------------------------------------------------------------------------


@require_GET
def login(request: HttpRequest) -> HttpResponse:
    """The login page: citizens use their eID; a link leads staff to their own login."""
    return render(
        request,
        "accounts/login.html",
        {
            "next": _next_url(request, ""),
            "demo_idp": oidc.uses_demo_idp(),
        },
    )


def _oidc_error(request: HttpRequest, error: oidc.OidcError, status: int = 400) -> HttpResponse:
    return render(
        request, "accounts/login_error.html", {"message": error.message, "code": error.code}, status=status
    )


def _requested_level(request: HttpRequest) -> str:
    """The level a service asked for with ``?niveau=substantial`` (a step-up), as its ``acr`` URI;
    "" when none or an unknown one was asked for."""
    level = selectors.EIDAS_LEVEL_NAMES.get(request.GET.get("niveau", ""))
    return str(level.value) if level is not None else ""


@require_GET
@never_cache
def oidc_start(request: HttpRequest) -> HttpResponse:
    """Send the browser to the OpenID provider (OpenID Connect Core 1.0 § 3.1.2.1)."""
    next_url = _next_url(request, reverse(settings.LOGIN_REDIRECT_URL))
    redirect_uri = request.build_absolute_uri(reverse("accounts:oidc-callback"))
    try:
        issuer = oidc.issuer_for(request)
        if oidc.uses_demo_idp():
            from .demo_idp.application import portal_client_ensure

            portal_client_ensure(
                client_id=settings.OIDC_RP_CLIENT_ID,
                client_secret=oidc.client_secret(),
                redirect_uri=redirect_uri,
            )
        provider = oidc.discover(issuer)
        url, pending = oidc.begin(
            provider,
            client_id=settings.OIDC_RP_CLIENT_ID,
            redirect_uri=redirect_uri,
            scopes=settings.OIDC_RP_SCOPES,
            next_url=next_url,
            acr_values=_requested_level(request),
        )
    except oidc.OidcError as error:
        return _oidc_error(request, error, status=502)
    request.session[OIDC_SESSION_KEY] = pending.to_session()
    return HttpResponseRedirect(url)


@require_GET
@never_cache
def oidc_callback(request: HttpRequest) -> HttpResponse:
    """Finish the login (Core § 3.1.2.5–3.1.3.7): check state, redeem the code, verify the ID token."""
    pending = oidc.PendingLogin.from_session(request.session.pop(OIDC_SESSION_KEY, None))
    try:
        code = oidc.check_callback(pending, request.GET.dict())
        assert pending is not None  # check_callback refuses a missing pending login
        provider = oidc.discover(pending.issuer)
        tokens = oidc.exchange_code(
            provider,
            code=code,
            pending=pending,
            client_id=settings.OIDC_RP_CLIENT_ID,
            secret=oidc.client_secret(),
        )
        claims = oidc.verify_id_token(
            provider, tokens["id_token"], client_id=settings.OIDC_RP_CLIENT_ID, nonce=pending.nonce
        )
    except oidc.OidcError as error:
        return _oidc_error(request, error)
    user = services.citizen_for_oidc_claims(
        issuer=provider.issuer, claims=claims, register_number_claim=settings.OIDC_RP_REGISTER_NUMBER_CLAIM
    )
    identity = OidcIdentity.objects.filter(issuer=provider.issuer, subject=claims["sub"]).first()
    if user is not None and identity is not None:
        user = authenticate(request, oidc_identity=identity)
    if user is None:
        return _oidc_error(
            request,
            oidc.OidcError(
                _(
                    "Ihre Identität konnte keiner Person im Melderegister zugeordnet werden. "
                    "Bitte wenden Sie sich an das Bürgeramt."
                ),
                "no_register_match",
            ),
            status=403,
        )
    level = oidc.eidas_level(claims)
    auth.login(request, user)  # a new session key: no session fixation
    request.session[selectors.EIDAS_SESSION_KEY] = level
    services.login_event_record(
        user=user, method=LoginEvent.Method.OIDC, eidas_level=level, ip=_client_address(request)
    )
    return redirect(pending.next_url)


# --- Staff and organisations -----------------------------------------------------------


@sensitive_post_parameters("password")
@require_http_methods(["GET", "POST"])
@never_cache
def staff_login(request: HttpRequest) -> HttpResponse:
    """Step 1: username and password. Staff go on to the TOTP step; nobody is logged in yet."""
    form = StaffLoginForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        username = form.cleaned_data["username"]
        address = _client_address(request)
        # Counted before the password is checked, so parallel guesses cannot slip through.
        wait = throttling.claim_attempt(username=username, address=address)
        if wait:
            form.add_error(None, _throttled_message(wait))
            status = 429
        else:
            user = authenticate(request, username=username, password=form.cleaned_data["password"])
            if user is None:
                form.add_error(None, _("Benutzername oder Passwort ist falsch."))
                status = 400
            elif any(devices_for_user(user, confirmed=True)):
                throttling.record_success(username=username, address=address, login_complete=False)
                # A new session key at every authentication step (ASVS 5.0 7.2.4): a key planted
                # before the password must not carry the pending login.
                request.session.cycle_key()
                request.session[STAFF_PENDING_KEY] = {
                    "user_id": user.pk,
                    "backend": user.backend,
                    "since": time.time(),
                    "next": _next_url(request, ""),
                }
                return redirect("accounts:staff-otp")
            elif user.kind == User.Kind.STAFF:
                form.add_error(
                    None,
                    _(
                        "Für Ihr Konto ist kein zweiter Faktor eingerichtet. "
                        "Bitte wenden Sie sich an die Administration Ihrer Dienststelle."
                    ),
                )
                status = 403
            else:
                throttling.record_success(username=username, address=address)
                auth.login(request, user)
                services.login_event_record(user=user, method=LoginEvent.Method.PASSWORD, ip=address)
                return redirect(_next_url(request, reverse(settings.LOGIN_REDIRECT_URL)))
    elif request.method == "POST":
        status = 400
    return render(
        request, "accounts/staff_login.html", {"form": form, "next": _next_url(request, "")}, status=status
    )


@require_http_methods(["GET", "POST"])
@never_cache
def staff_otp(request: HttpRequest) -> HttpResponse:
    """Step 2: the TOTP code. Only now is the user logged in, and OTP-verified."""
    pending = request.session.get(STAFF_PENDING_KEY)
    user = None
    if isinstance(pending, dict) and time.time() - pending.get("since", 0) < STAFF_PENDING_SECONDS:
        user = User.objects.filter(pk=pending.get("user_id"), is_active=True).first()
    if user is None:
        request.session.pop(STAFF_PENDING_KEY, None)
        return redirect("accounts:staff-login")
    form = OtpForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        address = _client_address(request)
        wait = throttling.claim_attempt(username=user.username, address=address)
        if wait:
            form.add_error(None, _throttled_message(wait))
            status = 429
        else:
            device = match_token(user, form.cleaned_data["token"].strip())
            if device is None:
                form.add_error("token", _("Der Code ist falsch oder abgelaufen."))
                status = 400
            else:
                throttling.record_success(username=user.username, address=address)
                del request.session[STAFF_PENDING_KEY]
                auth.login(request, user, backend=pending["backend"])
                otp_login(request, device)
                services.login_event_record(user=user, method=LoginEvent.Method.PASSWORD_TOTP, ip=address)
                return redirect(pending.get("next") or reverse(settings.LOGIN_REDIRECT_URL))
    elif request.method == "POST":
        status = 400
    return render(request, "accounts/staff_otp.html", {"form": form}, status=status)


@require_GET
def staff_home(request: HttpRequest) -> HttpResponse:
    """The former staff page: every login now lands on "Mein Konto", which shows each kind of
    account (staff, organisation, citizen) its own start page. Old links and bookmarks follow."""
    if not request.user.is_authenticated:
        return redirect("accounts:staff-login")
    return redirect(settings.LOGIN_REDIRECT_URL)


@sensitive_post_parameters("current", "new", "repeat")
@require_http_methods(["GET", "POST"])
@never_cache
def password_change(request: HttpRequest) -> HttpResponse:
    """ "Passwort ändern" for staff and organisation logins (citizens use their eID)."""
    user = request.user
    if not isinstance(user, User):
        return redirect(f"{reverse('accounts:staff-login')}?next={request.path}")
    if user.kind not in (User.Kind.STAFF, User.Kind.ORGANISATION):
        raise Http404
    if user.kind == User.Kind.STAFF and not user.is_verified():  # type: ignore[attr-defined]
        # Staff change their password only in a session that passed the second factor.
        return redirect(f"{reverse('accounts:staff-login')}?next={request.path}")
    form = PasswordChangeForm(request.POST or None)
    address = _client_address(request)
    if request.method == "POST" and submit(
        form,
        lambda data: services.password_change(
            user=user, current=data["current"], new=data["new"], address=address
        ),
        error_field=lambda error: "current" if error.code == "password_wrong" else "new",
    ):
        # The other sessions of this account end with the old password hash; this one goes on.
        auth.update_session_auth_hash(request, user)
        request.session.cycle_key()
        messages.success(
            request, _("Ihr Passwort wurde geändert. Andere Anmeldungen mit dem alten Passwort sind beendet.")
        )
        return redirect(settings.LOGIN_REDIRECT_URL)
    status = 422 if request.method == "POST" else 200
    return render(request, "accounts/password_change.html", {"form": form}, status=status)


@require_POST
def logout(request: HttpRequest) -> HttpResponse:
    """Log out (POST only, so that no link or image on another site can log anyone out)."""
    auth.logout(request)
    return redirect(settings.LOGOUT_REDIRECT_URL)
