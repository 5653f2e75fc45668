"""Pages of the work on a submitted application: the office's page beside the E-Akte case
(ask for missing documents or details, decide) and the citizen's answer on their application
page. Thin: parse, authorise, call one service, render. Every page works without JavaScript."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from rathaus.accounts.decorators import citizen_account_required, staff_required
from rathaus.accounts.types import User
from rathaus.efile import selectors as efile_selectors
from rathaus.efile.types import Case
from rathaus.kernel.exceptions import Conflict, NotFound, RathausError
from rathaus.kernel.forms import submit

from . import display, registry, selectors, services
from . import messages as field_messages
from .forms import AnswerForm, DecisionForm, InformationRequestForm
from .models import Application

citizen_only = citizen_account_required(refused_template="eforms/citizens_only.html")
READ_PURPOSE = "Bearbeitung des Online-Antrags"


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]  # the decorators let only a login through


def _sections(application: Application) -> list[Any]:
    definition = registry.definition(application.form_id)
    return display.sections(definition, application.data, get_language() or "de") if definition else []


# The office's side -----------------------------------------------------------------------------


def _staff_case(request: HttpRequest, case_id: int) -> tuple[Case, Application]:
    """The case (staff of its office only, as the E-Akte's case page) and its application."""
    try:
        case = efile_selectors.case_detail(case_id=case_id, user=request.user, purpose=READ_PURPOSE)
        return case, selectors.application_for_case(case_id=case.pk)
    except NotFound as exc:
        raise Http404(str(exc)) from exc


def _staff_page(
    request: HttpRequest,
    case: Case,
    application: Application,
    *,
    request_form: InformationRequestForm | None = None,
    decision_form: DecisionForm | None = None,
    status: int = 200,
) -> HttpResponse:
    requests = selectors.information_requests(application=application)
    context = {
        "case": case,
        "application": application,
        "sections": _sections(application),
        "requests": requests,
        "request_form": request_form
        or InformationRequestForm(initial={"deadline": services.default_deadline()}, auto_id="rueckfrage-%s"),
        "decision_form": decision_form or DecisionForm(auto_id="entscheidung-%s"),
        # A refused form is shown again with its reason, whatever the state now is.
        "may_ask": request_form is not None
        or (application.status == Application.Status.SUBMITTED and not case.is_closed),
        "may_decide": decision_form is not None
        or application.status in (Application.Status.SUBMITTED, Application.Status.INFO_REQUESTED)
        and not case.is_closed,
    }
    return render(request, "eforms/staff_application.html", context, status=status)


@staff_required
def staff_application(request: HttpRequest, case_id: int) -> HttpResponse:
    case, application = _staff_case(request, case_id)
    return _staff_page(request, case, application)


def _here(case: Case) -> str:
    return reverse("eforms:staff-application", args=[case.pk]) + "#main"


@staff_required
@require_POST
def staff_request(request: HttpRequest, case_id: int) -> HttpResponse:
    case, application = _staff_case(request, case_id)
    form = InformationRequestForm(request.POST, auto_id="rueckfrage-%s")
    ran = submit(
        form,
        lambda data: services.information_request_create(
            application=application,
            case=case,
            text=data["text"],
            documents=data["documents"],
            deadline=data["deadline"],
            by=_user(request),
        ),
        error_field=lambda error: "deadline" if error.code == "deadline_past" else None,
    )
    if not ran:
        return _staff_page(request, case, application, request_form=form, status=400)
    messages.success(request, _("Die Rückfrage wurde in das Postfach der Antragstellenden gelegt."))
    return redirect(_here(case))


@staff_required
@require_POST
def staff_decide(request: HttpRequest, case_id: int) -> HttpResponse:
    case, application = _staff_case(request, case_id)
    form = DecisionForm(request.POST, auto_id="entscheidung-%s")
    ran = submit(
        form,
        lambda data: services.application_decide(
            application=application, case=case, outcome=data["outcome"], text=data["text"], by=_user(request)
        ),
        error_field=lambda error: "text" if error.code in ("reason_missing", "text_too_long") else None,
    )
    if not ran:
        return _staff_page(request, case, application, decision_form=form, status=400)
    messages.success(
        request, _("Der Bescheid wurde erstellt und in das Postfach der Antragstellenden gelegt.")
    )
    return redirect(_here(case))


# The citizen's side ----------------------------------------------------------------------------


def citizen_page(
    request: HttpRequest,
    application: Application,
    *,
    form: AnswerForm | None = None,
    problem: str = "",
    errors: tuple[str, ...] = (),
    status: int = 200,
) -> HttpResponse:
    """The citizen's application page: state, open request with the answer form, history,
    the Bescheid from the postbox, the answers as submitted."""
    requests = selectors.information_requests(application=application)
    open_request = next((item for item in requests if item.is_open), None)
    decision = application.decision_message
    context = {
        "application": application,
        "sections": _sections(application),
        "requests": requests,
        "open_request": open_request,
        "answer_form": form or AnswerForm(auto_id="antwort-%s"),
        "problem": problem,
        "errors": errors,
        "bescheid": decision.attachments.first() if decision is not None else None,
    }
    return render(request, "eforms/application.html", context, status=status)


@citizen_only
@require_POST
def answer(request: HttpRequest, public_id: str, request_id: int) -> HttpResponse:
    try:
        application = selectors.application_of_applicant(user=_user(request), public_id=str(public_id))
    except NotFound as exc:
        raise Http404(str(exc)) from exc
    form = AnswerForm(request.POST, request.FILES, auto_id="antwort-%s")
    if not form.is_valid():
        return citizen_page(request, application, form=form, status=400)
    try:
        services.information_request_answer(
            application=application,
            request_id=request_id,
            text=form.cleaned_data["text"],
            files=form.cleaned_data["dateien"],
            by=_user(request),
        )
    except NotFound as exc:
        raise Http404(str(exc)) from exc
    except services.AnswerRefused as exc:
        errors = tuple(field_messages.message(error) for error in exc.errors)
        return citizen_page(request, application, form=form, problem=str(exc), errors=errors, status=400)
    except Conflict as exc:
        return citizen_page(request, application, problem=str(exc), status=409)
    except RathausError as exc:
        return citizen_page(request, application, form=form, problem=str(exc), status=400)
    messages.success(request, _("Ihre Antwort ist eingegangen. Die Stelle bearbeitet Ihren Antrag weiter."))
    return redirect(reverse("eforms:application", args=[application.public_id]) + "#main")
