"""Pages of online applications: the forms on offer, a form's start page, its steps, the
summary with the submit button, and the citizen's applications. Thin: parse, authorise, call
one service or selector, render. Every page works without JavaScript."""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from rathaus.accounts.decorators import citizen_account_required
from rathaus.accounts.types import User
from rathaus.directory import selectors as directory_selectors
from rathaus.domain.eforms.definition import FormDefinition, Topic
from rathaus.domain.eforms.validation import FieldError, validate_form
from rathaus.kernel.exceptions import Conflict, InvalidInput, NotFound
from rathaus.payments import selectors as payment_selectors

from . import assurance, casework_views, display, inputs, katalog, registry, selectors, services
from .models import Application

citizen_only = citizen_account_required(refused_template="eforms/citizens_only.html")


def _language() -> str:
    return get_language() or "de"


def _form(form_id: str) -> FormDefinition:
    definition = registry.definition(form_id)
    if definition is None:
        raise Http404(_("Dieses Formular gibt es nicht."))
    return definition


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]  # citizen_only let only a citizen through


def _application(request: HttpRequest, public_id: str) -> Application:
    try:
        return selectors.application_of_applicant(user=_user(request), public_id=str(public_id))
    except NotFound as exc:
        raise Http404(str(exc)) from exc


TOPIC_LABELS = {
    Topic.AUSWEISE: gettext_lazy("Ausweise, Urkunden und Bescheinigungen"),
    Topic.BAUEN: gettext_lazy("Bauen, Wohnen und Umwelt"),
    Topic.FAMILIE: gettext_lazy("Familie und Personenstand"),
    Topic.GEWERBE: gettext_lazy("Gewerbe und Unternehmen"),
    Topic.MELDEN: gettext_lazy("Melden und Wohnsitz"),
    Topic.SOZIALES: gettext_lazy("Soziales und Gesundheit"),
    Topic.VERKEHR: gettext_lazy("Fahrzeuge und Führerschein"),
    Topic.SONSTIGES: gettext_lazy("Weitere Anträge"),
}


def forms_list(request: HttpRequest) -> HttpResponse:
    """The forms by topic; ``?q=`` keeps those whose title has every word typed (no JavaScript)."""
    english = _language().startswith("en")
    query = request.GET.get("q", "").strip()[:100]
    words = query.casefold().split()
    groups: dict[Topic, list[tuple[FormDefinition, str]]] = {topic: [] for topic in TOPIC_LABELS}
    offered = selectors.forms_on_offer()
    for form in offered:
        title = form.title_en if english else form.title
        if all(word in f"{form.title} {form.title_en}".casefold() for word in words):
            groups[form.topic].append((form, title))
    context = {
        "groups": [(TOPIC_LABELS[topic], items) for topic, items in groups.items() if items],
        "query": query,
        "any_forms": bool(offered),
    }
    return render(request, "eforms/forms.html", context)


def form_start(request: HttpRequest, form_id: str) -> HttpResponse:
    definition = _form(form_id)
    english = _language().startswith("en")
    service = directory_selectors.published_service_by_leika(leika_key=definition.leika)
    context: dict[str, Any] = {
        "definition": definition,
        "title": definition.title_en if english else definition.title,
        "steps": [step.title_en if english else step.title for step in definition.steps],
        "service": service,
        "office": next(iter(service.offices.all()), None) if service is not None else None,
        "fee": payment_selectors.fee_for_service(service_key=definition.leika),
        "level": assurance.LEVEL_LABELS[definition.level_of_assurance],
        "needs_level": definition.level_of_assurance.rank > 0,
    }
    return render(request, "eforms/start.html", context)


@citizen_only
@require_POST
def application_start(request: HttpRequest, form_id: str) -> HttpResponse:
    definition = _form(form_id)
    if refused := assurance.step_up(request, definition, back_to=reverse("eforms:start", args=[form_id])):
        return refused
    application = services.application_start(form_id=definition.id, applicant=_user(request))
    step_id = next(
        (step.id for step in definition.steps if step.id not in application.completed_steps),
        definition.steps[0].id,
    )
    return redirect("eforms:step", public_id=application.public_id, step_id=step_id)


def _step_context(
    application: Application, definition: FormDefinition, step_id: str, errors: tuple[FieldError, ...]
) -> dict[str, Any]:
    step = definition.step(step_id)
    if step is None:
        raise Http404(_("Diesen Schritt gibt es in diesem Formular nicht."))
    language = _language()
    earlier = validate_form(
        definition,
        {s.id: application.raw.get(s.id, {}) for s in definition.steps[: definition.steps.index(step)]},
        today=timezone.localdate(),
    ).values
    view = inputs.step_view(
        definition,
        step,
        application.raw.get(step.id, {}),
        errors,
        services.attachments_by_path(application, step.id),
        earlier,
        language,
    )
    position = definition.steps.index(step)
    english = language.startswith("en")
    return {
        "application": application,
        "title": definition.title_en if english else definition.title,
        "step": step,
        "step_title": step.title_en if english else step.title,
        "position": position + 1,
        "count": len(definition.steps),
        "previous": definition.steps[position - 1].id if position else None,
        "view": view,
        "has_files": any(getattr(item, "kind", "") == "file" for item in view.items),
        "can_prefill": any(getattr(item, "prefill", "") for item in step.items),
    }


def _posted(request: HttpRequest) -> dict[str, list[str]]:
    return {name: request.POST.getlist(name) for name in request.POST if name != "csrfmiddlewaretoken"}


@citizen_only
@require_http_methods(["GET", "POST"])
def application_step(request: HttpRequest, public_id: str, step_id: str) -> HttpResponse:
    application = _application(request, public_id)
    if not application.is_draft:
        return redirect("eforms:application", public_id=application.public_id)
    definition = _form(application.form_id)
    if definition.step(step_id) is None:
        raise Http404(_("Diesen Schritt gibt es in diesem Formular nicht."))
    # Typing and saving go on (nothing is lost); showing the form, and the register data a
    # prefill reads, need the form's level of assurance.
    if request.method != "POST" or request.POST.get("action") == "prefill":
        back_to = reverse("eforms:step", args=[application.public_id, step_id])
        if refused := assurance.step_up(request, definition, back_to=back_to):
            return refused
    if request.method != "POST":
        context = _step_context(application, definition, step_id, ())
        context["prefilled"] = request.GET.get("uebernommen", "")
        return render(request, "eforms/step.html", context)
    action = request.POST.get("action", "next")
    user = _user(request)
    try:
        if action != "next" and action.partition(":")[0] in ("add", "remove", "prefill"):
            return _page_action(request, application, step_id, action, user)
        files = {name: request.FILES.getlist(name) for name in request.FILES}
        outcome = services.application_step_save(
            application=application, step_id=step_id, raw=_posted(request), files=files, by=user
        )
    except (InvalidInput, Conflict, NotFound, ValueError) as exc:
        context = _step_context(application, definition, step_id, ())
        context["problem"] = str(exc)
        return render(request, "eforms/step.html", context, status=400)
    application.refresh_from_db()
    if action == "back" and (previous := _previous(definition, step_id)):
        return redirect("eforms:step", public_id=application.public_id, step_id=previous)
    if action == "save":
        return redirect(reverse("eforms:mine") + "?gespeichert=1")
    if not outcome.ok:
        return render(
            request,
            "eforms/step.html",
            _step_context(application, definition, step_id, outcome.errors),
            status=400,
        )
    if outcome.next_step is None:
        return redirect("eforms:summary", public_id=application.public_id)
    return redirect("eforms:step", public_id=application.public_id, step_id=outcome.next_step)


def _page_action(
    request: HttpRequest, application: Application, step_id: str, action: str, user: User
) -> HttpResponse:
    """A button that changes the step itself (add or remove a group's instance, take the own
    register data): what was typed is kept first, then the step is shown again."""
    services.application_step_save(application=application, step_id=step_id, raw=_posted(request), by=user)
    here = reverse("eforms:step", args=[application.public_id, step_id])
    if action == "prefill":
        filled = services.application_prefill(application=application, step_id=step_id, by=user)
        return redirect(f"{here}?uebernommen={len(filled)}")
    if action.startswith("add:"):
        services.group_instance_add(application=application, step_id=step_id, group_id=action[4:], by=user)
        return redirect(f"{here}#gruppe-{action[4:]}")
    group_id, _sep, number = action[7:].rpartition(":")
    services.group_instance_remove(
        application=application, step_id=step_id, group_id=group_id, number=int(number or -1), by=user
    )
    return redirect(f"{here}#gruppe-{group_id}")


def _previous(definition: FormDefinition, step_id: str) -> str | None:
    ids = [step.id for step in definition.steps]
    position = ids.index(step_id)
    return ids[position - 1] if position else None


@citizen_only
@require_http_methods(["GET", "POST"])
def application_summary(request: HttpRequest, public_id: str) -> HttpResponse:
    application = _application(request, public_id)
    if not application.is_draft:
        return redirect("eforms:application", public_id=application.public_id)
    definition = _form(application.form_id)
    back_to = reverse("eforms:summary", args=[application.public_id])
    if refused := assurance.step_up(request, definition, back_to=back_to):
        return refused
    if request.method == "POST":
        try:
            services.application_submit(application=application, by=_user(request))
        except services.ApplicationIncomplete as exc:
            return redirect("eforms:step", public_id=application.public_id, step_id=exc.step_id)
        except Conflict as exc:
            return render(
                request,
                "eforms/summary.html",
                _summary_context(application, definition, str(exc)),
                status=409,
            )
        return redirect("eforms:application", public_id=application.public_id)
    return render(request, "eforms/summary.html", _summary_context(application, definition, ""))


def _summary_context(application: Application, definition: FormDefinition, problem: str) -> dict[str, Any]:
    result = validate_form(
        definition,
        application.raw,
        files_by_step=services.attachments_by_step(application),
        today=timezone.localdate(),
    )
    language = _language()
    english = language.startswith("en")
    return {
        "application": application,
        "title": definition.title_en if english else definition.title,
        "sections": display.sections(definition, services.plain(result.values), language),
        "incomplete": result.first_step_with_errors,
        "fee": payment_selectors.fee_for_service(service_key=definition.leika),
        "problem": problem,
    }


@citizen_only
def application_detail(request: HttpRequest, public_id: str) -> HttpResponse:
    application = _application(request, public_id)
    if application.is_draft:
        return redirect("eforms:summary", public_id=application.public_id)
    return casework_views.citizen_page(request, application)


@citizen_only
def my_applications(request: HttpRequest) -> HttpResponse:
    rows = list(selectors.applications_of(user=_user(request)))
    return render(
        request,
        "eforms/mine.html",
        {
            "drafts": [row for row in rows if row.is_draft],
            "submitted": [row for row in rows if not row.is_draft],
            "saved": request.GET.get("gespeichert") == "1",
        },
    )


@require_GET
def catalogue(request: HttpRequest) -> HttpResponse:
    """The service catalogue with the online forms as XML for other portals (decision 0114)."""
    response = HttpResponse(katalog.catalogue_export(request), content_type="application/xml; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="leistungskatalog.xml"'
    return response
