"""Public pages and "Mein Konto": the start page of every kind of account (a citizen's own
data and postbox, an organisation's e-invoices, a member of staff's work areas and queues).

Views stay thin: they check who is asking, call one selector from the app that owns the
data (registers, kernel.notify) and render. The selectors do the auditing.
"""

from collections.abc import Callable
from functools import wraps

from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext_lazy as _

from rathaus.accounts import selectors as account_selectors
from rathaus.accounts.types import User
from rathaus.directory import selectors as directory_selectors
from rathaus.kernel import blobs, fragments, notify
from rathaus.kernel.exceptions import NotFound
from rathaus.kernel.forms import QueryRefused
from rathaus.registers import selectors as register_selectors

from . import workbench

POSTBOX_PAGE_SIZE = 20
ACCOUNT_RECENT_MESSAGES = 5

# Levels of assurance under Art. 8 eIDAS Regulation (EU) No 910/2014. The session holds the
# level as the identity provider named it: the eIDAS URI ("http://eidas.europa.eu/LoA/high"),
# the English name or the German one; the last path segment is looked up here.
EIDAS_LEVELS = {
    "low": _("niedrig"),
    "niedrig": _("niedrig"),
    "substantial": _("substanziell"),
    "substanziell": _("substanziell"),
    "high": _("hoch"),
    "hoch": _("hoch"),
}

View = Callable[..., HttpResponse]


def eidas_level_label(level: object) -> str:
    """Display name of an eIDAS level of assurance; unknown values are shown as given."""
    if not level:
        return ""
    key = str(level).rstrip("/").rsplit("/", 1)[-1].lower()
    return str(EIDAS_LEVELS.get(key, level))


def citizen_required(view: View) -> View:
    """Logged in, and the login belongs to a person in the residents' register.

    Staff and organisation logins have no register person; they get a page that explains
    why "Mein Konto" is not for them (403) instead of an error.
    """

    @login_required
    @wraps(view)
    def wrapper(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
        if getattr(request.user, "person_id", None) is None:
            return render(request, "portal/account_no_person.html", status=403)
        return view(request, *args, **kwargs)

    return wrapper


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    """The 400 page (``handler400``): says what was wrong when it is a refused query parameter."""
    reason = str(exception) if isinstance(exception, QueryRefused) else ""
    return render(request, "400.html", {"reason": reason}, status=400)


def home(request: HttpRequest) -> HttpResponse:
    """The start page. Its directory part is a cached fragment (``rathaus.kernel.fragments``)
    keyed by the directory's stamp: the services and life situations are read only when that
    fragment is rendered (lazily), i.e. once per process after a change is published."""
    return render(
        request,
        "portal/home.html",
        {
            "directory_stamp": directory_selectors.published_stamp(),
            "fragment_seconds": fragments.FRAGMENT_SECONDS,
            "top_services": SimpleLazyObject(lambda: directory_selectors.most_used_services(limit=8)),
            "life_situations": SimpleLazyObject(lambda: [*directory_selectors.published_life_situations()]),
        },
    )


@login_required
def account(request: HttpRequest) -> HttpResponse:
    """ "Mein Konto": where every login lands, with what this kind of account may do."""
    kind = request.user.kind
    if kind == User.Kind.STAFF:
        return _staff_start(request)
    if kind == User.Kind.ORGANISATION:
        return render(
            request, "portal/account_organisation.html", {"organisation": request.user.organisation}
        )
    return _citizen_account(request)


def _staff_start(request: HttpRequest) -> HttpResponse:
    if not workbench.is_staff(request.user):  # logged in, but without the second factor
        return redirect_to_login(request.get_full_path(), reverse("accounts:staff-login"))
    areas = workbench.staff_areas_for_request(request)
    return render(
        request,
        "portal/account_staff.html",
        {
            "areas": workbench.staff_queues(request.user, today=timezone.localdate(), areas=areas),
            "roles": account_selectors.roles_of(request.user),
        },
    )


@citizen_required
def _citizen_account(request: HttpRequest) -> HttpResponse:
    # The citizen's own data: read fresh on every request, never cached (docs/decisions/0015).
    overview = register_selectors.own_person_overview(person_id=request.user.person_id)
    messages, unread = notify.postbox_latest(user=request.user, limit=ACCOUNT_RECENT_MESSAGES)
    level = account_selectors.session_eidas_level(request)
    return render(
        request,
        "portal/account.html",
        {
            "overview": overview,
            "postbox_messages": messages,
            "unread_count": unread,
            "eidas_level": eidas_level_label(level),
        },
    )


@citizen_required
def postbox(request: HttpRequest) -> HttpResponse:
    paginator = Paginator(notify.postbox_messages(user=request.user), POSTBOX_PAGE_SIZE)
    page_obj = paginator.get_page(request.GET.get("page"))
    return render(
        request,
        "portal/postbox.html",
        {"page_obj": page_obj, "unread_count": notify.postbox_unread_count(user=request.user)},
    )


@citizen_required
def postbox_message(request: HttpRequest, message_id: int) -> HttpResponse:
    try:
        message = notify.postbox_message_open(user=request.user, message_id=message_id)
    except NotFound as exc:
        # Someone else's message or none at all: the same 404 for both, so ids reveal nothing.
        raise Http404(_("Diese Nachricht gibt es in Ihrem Postfach nicht.")) from exc
    return render(request, "portal/postbox_message.html", {"message": message})


@citizen_required
def postbox_attachment(request: HttpRequest, message_id: int, attachment_id: int) -> HttpResponse:
    try:
        attachment = notify.postbox_attachment_open(
            user=request.user, message_id=message_id, attachment_id=attachment_id
        )
    except NotFound as exc:
        raise Http404(_("Diesen Anhang gibt es in Ihrem Postfach nicht.")) from exc
    # The stored type was detected from the content when the blob was stored (kernel.blobs).
    return FileResponse(
        blobs.open_blob(attachment.blob),
        as_attachment=True,
        filename=attachment.filename,
        content_type=attachment.blob.content_type,
    )
