"""Staff pages of the E-Akte: thin views over ``selectors`` and ``services``."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from rathaus.accounts.decorators import staff_required
from rathaus.kernel import blobs, filetypes
from rathaus.kernel.exceptions import NotFound, RathausError
from rathaus.kernel.forms import query_int, submit

from . import labels, selectors, services, viewer
from .forms import (
    BescheidForm,
    CaseAssignForm,
    CaseCloseForm,
    CaseConfidentialityForm,
    CaseForwardForm,
    CaseNoteForm,
    CaseResubmissionForm,
    DocumentUploadForm,
    InboxFilterForm,
    ScanUploadForm,
)
from .models import Case


def _case_or_404(request: HttpRequest, case_id: int) -> Case:
    try:
        return selectors.case_detail(case_id=case_id, user=request.user)
    except NotFound as exc:
        raise Http404(str(exc)) from exc


def _back(case: Case, *, tab: str = "") -> HttpResponse:
    """Back to the case page after a successful action, at the top of the content where the
    confirmation is (the explicit fragment replaces the form's ``#aktion-…``)."""
    query = f"?tab={tab}" if tab else ""
    return redirect(f"{reverse('efile:case-detail', args=[case.pk])}{query}#main")


@staff_required
def inbox(request: HttpRequest) -> HttpResponse:
    offices = list(selectors.case_offices(request.user))
    if not offices:
        raise Http404("Sie arbeiten in keiner Dienststelle mit Vorgängen.")
    office = next(
        (o for o in offices if o.pk == query_int(request.GET, "dienststelle", what="Die Dienststelle")),
        offices[0],
    )
    status = request.GET.get("status") if request.GET.get("status") in Case.Status.values else None
    mine = request.GET.get("ansicht") == "meine"
    before = query_int(request.GET, "vor")
    filters = InboxFilterForm(request.GET)
    valid = filters.is_valid()
    chosen = filters.cleaned_data if valid else {}
    if mine:
        page = selectors.my_cases(user=request.user, status=status, before=before)
    elif not valid:
        page = selectors.CasePage(cases=[], next_before=None)
    else:
        page = selectors.office_inbox(
            office=office,
            status=status,
            before=before,
            user=request.user,
            opened_from=chosen.get("eroeffnet_von"),
            opened_to=chosen.get("eroeffnet_bis"),
            party=chosen.get("beteiligt") or "",
        )
    query = request.GET.get("q", "").strip()
    hits = selectors.case_search(user=request.user, query=query) if query else None
    due = selectors.visible_cases(
        selectors.due_resubmissions(office=office, on=timezone.localdate()), request.user
    )[:20]
    filter_query = urlencode(
        {key: value for key, value in request.GET.items() if key in filters.fields and value}
    )
    context = {
        "filters": filters,
        "filter_query": filter_query,
        "due_resubmissions": due,
        "offices": offices,
        "office": office,
        "status": status or "",
        "statuses": Case.Status.choices,
        "mine": mine,
        "page": page,
        "query": query,
        "hits": hits,
    }
    return render(request, "efile/inbox.html", context)


TABS = ("dokumente", "notizen", "verlauf")


def _action_forms(case: Case) -> dict[str, Any]:
    """One unbound form per action of the case page; each with its own id prefix (``auto_id``),
    so ids stay unique on the page and every label points at its own field."""
    initial = {"version": case.version}
    staff = selectors.office_case_staff(case.office)
    return {
        "dokument": DocumentUploadForm(initial=initial, auto_id="dokument-%s"),
        "scans": ScanUploadForm(auto_id="scans-%s"),
        "notiz": CaseNoteForm(auto_id="notiz-%s"),
        "bescheid": BescheidForm(initial=initial, auto_id="bescheid-%s"),
        "wiedervorlage": CaseResubmissionForm(
            initial={**initial, "on": case.resubmission_on}, auto_id="wiedervorlage-%s"
        ),
        "zuweisen": CaseAssignForm(
            initial={**initial, "assignee": case.assignee_id}, staff=staff, auto_id="zuweisen-%s"
        ),
        "vertraulichkeit": CaseConfidentialityForm(
            initial={**initial, "confidentiality": case.confidentiality}, auto_id="vertraulichkeit-%s"
        ),
        "abgeben": CaseForwardForm(initial=initial, auto_id="abgeben-%s"),
        "abschliessen": CaseCloseForm(initial=initial, auto_id="abschliessen-%s"),
    }


def _viewer(request: HttpRequest, case: Case) -> dict[str, Any] | None:
    """The document chosen with ``?dokument=`` (and ``&version=``) for the viewer, or None."""
    document = selectors.document_in_case(
        case=case, document_id=query_int(request.GET, "dokument", what="Das Dokument")
    )
    if document is None:
        return None
    versions = list(document.versions.select_related("blob").order_by("number"))
    number = query_int(request.GET, "version", what="Die Version")
    version = next((v for v in versions if v.number == number), versions[-1])
    services.document_viewed(version=version, by=request.user)
    preview = viewer.preview(version)
    return {
        "document": document,
        "version": version,
        "versions": versions,
        "preview": preview,
        "page_numbers": range(1, preview.pages + 1),
        "type_label": filetypes.label(filetypes.normalise(version.blob.content_type)),
    }


def _detail(
    request: HttpRequest,
    case: Case,
    *,
    failed: str = "",
    form: Any = None,
    scan_errors: list[str] | None = None,
) -> HttpResponse:
    """The case page (a workbench): summary, documents with a viewer, notes and history as tabs
    (plain links, ``?tab=``), and every action in its own disclosure. After a failed action the
    page comes back with that disclosure open and its error summary focused (status 400)."""
    action_forms = _action_forms(case)
    if failed and form is not None:
        action_forms[failed] = form
    tab = request.GET.get("tab") if request.GET.get("tab") in TABS else "dokumente"
    if failed == "notiz":
        tab = "notizen"
    history, history_total = selectors.case_history_rows(case) if tab == "verlauf" else ([], 0)
    notes = list(selectors.case_notes(case))
    documents = selectors.case_documents(case)
    context = {
        "case": case,
        "tab": tab,
        "source_label": labels.source_label(case.source),
        "documents": documents,
        "notes": notes,
        "history": history,
        "history_total": history_total,
        "history_limit": selectors.HISTORY_LIMIT,
        "forms": action_forms,
        "failed": failed,
        "scan_errors": scan_errors or [],
        "viewer": _viewer(request, case) if tab == "dokumente" and not failed else None,
    }
    return render(request, "efile/case_detail.html", context, status=400 if failed else 200)


def _case_action(
    request: HttpRequest,
    case_id: int,
    action: str,
    form_class: type[forms.Form],
    run: Callable[[Case, dict[str, Any]], object],
    *,
    form_kwargs: Callable[[Case], dict[str, Any]] | None = None,
    error_field: str | Callable[[RathausError], str | None] | None = None,
    success: str = "",
    done: Callable[[Case], HttpResponse] | None = None,
) -> HttpResponse:
    """One action of the case page: the posted form of ``action`` (ids prefixed with its name)
    and, when valid, ``run(case, data)``; then the ``success`` message and back to the case (or
    ``done(case)``). A refused form or a service's error shows the case page again with that
    action's disclosure open (``_detail``)."""
    case = _case_or_404(request, case_id)
    extra = form_kwargs(case) if form_kwargs else {}
    form = form_class(request.POST, request.FILES, auto_id=f"{action}-%s", **extra)
    if not submit(form, lambda data: run(case, data), error_field=error_field):
        return _detail(request, case, failed=action, form=form)
    if success:
        messages.success(request, success)
    return done(case) if done else _back(case)


@staff_required
def case_detail(request: HttpRequest, case_id: int) -> HttpResponse:
    return _detail(request, _case_or_404(request, case_id))


@staff_required
@require_POST
def document_upload(request: HttpRequest, case_id: int) -> HttpResponse:
    return _case_action(
        request,
        case_id,
        "dokument",
        DocumentUploadForm,
        lambda case, data: services.document_add(
            case=case,
            title=data["title"],
            content=data["file"],
            filename=data["file"].name,
            declared_type=data["file"].content_type,
            by=request.user,
        ),
        error_field="file",
        success=_("Das Dokument wurde abgelegt."),
    )


@staff_required
@require_POST
def scan_upload(request: HttpRequest, case_id: int) -> HttpResponse:
    """One or more scans into the case; each file is filed or refused on its own."""
    case = _case_or_404(request, case_id)
    form = ScanUploadForm(request.POST, request.FILES, auto_id="scans-%s")
    if not form.is_valid():
        return _detail(request, case, failed="scans", form=form)
    filed, errors = 0, []
    for upload in form.cleaned_data["files"]:
        try:
            documents = services.scan_batch_intake(
                office=case.office,
                case=case,
                content=upload,
                filename=upload.name,
                by=request.user,
                split=form.cleaned_data["trennblatt"],
            )
            filed += len(documents)
        except RathausError as exc:
            errors.append(str(exc))
    if filed:
        messages.success(
            request,
            ngettext(
                "%(count)d Scan abgelegt; der Text wird im Hintergrund erkannt.",
                "%(count)d Scans abgelegt; der Text wird im Hintergrund erkannt.",
                filed,
            )
            % {"count": filed},
        )
    if errors:
        return _detail(request, case, failed="scans", scan_errors=errors)
    return _back(case)


@staff_required
@require_POST
def document_ocr_retry(request: HttpRequest, case_id: int, document_id: int) -> HttpResponse:
    case = _case_or_404(request, case_id)
    document = selectors.document_in_case(case=case, document_id=document_id)
    if document is None:
        raise Http404(_("Dieses Dokument gibt es nicht."))
    try:
        services.document_ocr_retry(document=document, by=request.user)
        messages.success(request, _("Die Texterkennung wurde erneut gestartet."))
    except RathausError as exc:
        messages.error(request, str(exc))
    return _back(case)


@staff_required
@require_POST
def case_note(request: HttpRequest, case_id: int) -> HttpResponse:
    return _case_action(
        request,
        case_id,
        "notiz",
        CaseNoteForm,
        lambda case, data: services.case_note_add(case=case, text=data["text"], by=request.user),
        error_field="text",
        success=_("Die Notiz wurde gespeichert."),
        done=lambda case: _back(case, tab="notizen"),
    )


@staff_required
@require_POST
def bescheid_issue(request: HttpRequest, case_id: int) -> HttpResponse:
    return _case_action(
        request,
        case_id,
        "bescheid",
        BescheidForm,
        lambda case, data: services.bescheid_issue(
            case=case,
            title=data["title"],
            body=data["body"],
            addressee=data["addressee"],
            with_remedy_notice=data["with_remedy_notice"],
            by=request.user,
            expected_version=data["version"],
        ),
        success=_("Der Bescheid wurde erstellt und als Ausgang in den Vorgang gelegt."),
    )


@staff_required
@require_POST
def case_close(request: HttpRequest, case_id: int) -> HttpResponse:
    return _case_action(
        request,
        case_id,
        "abschliessen",
        CaseCloseForm,
        lambda case, data: services.case_close(case=case, by=request.user, expected_version=data["version"]),
    )


@staff_required
@require_POST
def case_forward(request: HttpRequest, case_id: int) -> HttpResponse:
    return _case_action(
        request,
        case_id,
        "abgeben",
        CaseForwardForm,
        lambda case, data: services.case_forward(
            case=case,
            to_office=data["to_office"],
            note=data["note"],
            by=request.user,
            expected_version=data["version"],
        ),
        done=lambda case: redirect("efile:inbox"),
    )


@staff_required
@require_POST
def case_assign(request: HttpRequest, case_id: int) -> HttpResponse:
    return _case_action(
        request,
        case_id,
        "zuweisen",
        CaseAssignForm,
        lambda case, data: services.case_assign(
            case=case, assignee=data["assignee"], by=request.user, expected_version=data["version"]
        ),
        form_kwargs=lambda case: {"staff": selectors.office_case_staff(case.office)},
    )


@staff_required
@require_POST
def case_resubmission(request: HttpRequest, case_id: int) -> HttpResponse:
    return _case_action(
        request,
        case_id,
        "wiedervorlage",
        CaseResubmissionForm,
        lambda case, data: services.case_resubmission_set(
            case=case, on=data["on"], by=request.user, expected_version=data["version"]
        ),
        error_field=lambda error: "on" if error.code == "resubmission_past" else None,
    )


@staff_required
@require_POST
def case_confidentiality(request: HttpRequest, case_id: int) -> HttpResponse:
    return _case_action(
        request,
        case_id,
        "vertraulichkeit",
        CaseConfidentialityForm,
        lambda case, data: services.case_confidentiality_set(
            case=case,
            confidentiality=data["confidentiality"],
            by=request.user,
            expected_version=data["version"],
        ),
        success=_("Die Vertraulichkeit wurde gespeichert."),
        # Who made the case confidential to others may no longer see it.
        done=lambda case: (
            _back(case) if selectors.may_see_case(request.user, case) else redirect("efile:inbox")
        ),
    )


@staff_required  # type: ignore[arg-type]  # a FileResponse streams; the decorator passes it through
def version_download(request: HttpRequest, version_id: int) -> FileResponse:
    try:
        version = selectors.document_version_for(version_id=version_id, user=request.user)
    except NotFound as exc:
        raise Http404(str(exc)) from exc
    services.document_downloaded(version=version, by=request.user)
    return FileResponse(
        blobs.open_blob(version.blob),
        as_attachment=True,
        filename=version.filename,
        content_type=version.blob.content_type,
    )


@staff_required
def version_page(request: HttpRequest, version_id: int, page: int) -> HttpResponse:
    """One page of a version as PNG for the viewer (the viewing itself is logged by the case page)."""
    try:
        version = selectors.document_version_for(version_id=version_id, user=request.user)
        image = viewer.render_page(version, page)
    except (NotFound, viewer.NoSuchPage) as exc:
        raise Http404(_("Diese Seite gibt es nicht.")) from exc
    response = HttpResponse(image, content_type="image/png")
    # A version never changes; only this user's browser may keep the picture.
    response["Cache-Control"] = "private, max-age=86400"
    return response
