"""Staff pages of the E-Akte: thin views over ``selectors`` and ``services``."""

from __future__ import annotations

from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from rathaus.accounts.decorators import staff_required
from rathaus.kernel import blobs
from rathaus.kernel.exceptions import NotFound, RathausError

from . import selectors, services
from .forms import CaseAssignForm, CaseCloseForm, CaseForwardForm, CaseResubmissionForm, DocumentUploadForm
from .models import Case


def _case_or_404(request: HttpRequest, case_id: int) -> Case:
    try:
        return selectors.case_detail(case_id=case_id, user=request.user)
    except NotFound as exc:
        raise Http404(str(exc)) from exc


def _int(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() and len(value) < 19 else None


@staff_required
def inbox(request: HttpRequest) -> HttpResponse:
    offices = list(selectors.case_offices(request.user))
    if not offices:
        raise Http404("Sie arbeiten in keiner Dienststelle mit Vorgängen.")
    office = next((o for o in offices if o.pk == _int(request.GET.get("dienststelle"))), offices[0])
    status = request.GET.get("status") if request.GET.get("status") in Case.Status.values else None
    mine = request.GET.get("ansicht") == "meine"
    before = _int(request.GET.get("vor"))
    if mine:
        page = selectors.my_cases(user=request.user, status=status, before=before)
    else:
        page = selectors.office_inbox(office=office, status=status, before=before)
    query = request.GET.get("q", "").strip()
    hits = selectors.case_search(user=request.user, query=query) if query else None
    context = {
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


def _detail(request: HttpRequest, case: Case, **forms: object) -> HttpResponse:
    initial = {"version": case.version}
    staff = selectors.office_case_staff(case.office)
    context = {
        "case": case,
        "documents": selectors.case_documents(case),
        "history": selectors.case_history(case),
        "upload_form": forms.get("upload_form") or DocumentUploadForm(initial=initial),
        "assign_form": forms.get("assign_form")
        or CaseAssignForm(initial={**initial, "assignee": case.assignee_id}, staff=staff),
        "resubmission_form": forms.get("resubmission_form")
        or CaseResubmissionForm(initial={**initial, "on": case.resubmission_on}),
        "forward_form": forms.get("forward_form") or CaseForwardForm(initial=initial),
        "close_form": forms.get("close_form") or CaseCloseForm(initial=initial),
    }
    return render(request, "efile/case_detail.html", context, status=400 if forms else 200)


@staff_required
def case_detail(request: HttpRequest, case_id: int) -> HttpResponse:
    return _detail(request, _case_or_404(request, case_id))


@staff_required
@require_POST
def document_upload(request: HttpRequest, case_id: int) -> HttpResponse:
    case = _case_or_404(request, case_id)
    form = DocumentUploadForm(request.POST, request.FILES)
    if form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            services.document_add(
                case=case,
                title=form.cleaned_data["title"],
                content=upload,
                filename=upload.name,
                declared_type=upload.content_type,
                by=request.user,
            )
            return redirect("efile:case-detail", case_id=case.pk)
        except RathausError as exc:
            form.add_error("file", str(exc))
    return _detail(request, case, upload_form=form)


@staff_required
@require_POST
def case_close(request: HttpRequest, case_id: int) -> HttpResponse:
    case = _case_or_404(request, case_id)
    form = CaseCloseForm(request.POST)
    if form.is_valid():
        try:
            services.case_close(case=case, by=request.user, expected_version=form.cleaned_data["version"])
            return redirect("efile:case-detail", case_id=case.pk)
        except RathausError as exc:
            form.add_error(None, str(exc))
    return _detail(request, case, close_form=form)


@staff_required
@require_POST
def case_forward(request: HttpRequest, case_id: int) -> HttpResponse:
    case = _case_or_404(request, case_id)
    form = CaseForwardForm(request.POST)
    if form.is_valid():
        try:
            services.case_forward(
                case=case,
                to_office=form.cleaned_data["to_office"],
                note=form.cleaned_data["note"],
                by=request.user,
                expected_version=form.cleaned_data["version"],
            )
            return redirect("efile:inbox")
        except RathausError as exc:
            form.add_error(None, str(exc))
    return _detail(request, case, forward_form=form)


@staff_required
@require_POST
def case_assign(request: HttpRequest, case_id: int) -> HttpResponse:
    case = _case_or_404(request, case_id)
    form = CaseAssignForm(request.POST, staff=selectors.office_case_staff(case.office))
    if form.is_valid():
        try:
            services.case_assign(
                case=case,
                assignee=form.cleaned_data["assignee"],
                by=request.user,
                expected_version=form.cleaned_data["version"],
            )
            return redirect("efile:case-detail", case_id=case.pk)
        except RathausError as exc:
            form.add_error(None, str(exc))
    return _detail(request, case, assign_form=form)


@staff_required
@require_POST
def case_resubmission(request: HttpRequest, case_id: int) -> HttpResponse:
    case = _case_or_404(request, case_id)
    form = CaseResubmissionForm(request.POST)
    if form.is_valid():
        try:
            services.case_resubmission_set(
                case=case,
                on=form.cleaned_data["on"],
                by=request.user,
                expected_version=form.cleaned_data["version"],
            )
            return redirect("efile:case-detail", case_id=case.pk)
        except RathausError as exc:
            form.add_error("on" if exc.code == "resubmission_past" else None, str(exc))
    return _detail(request, case, resubmission_form=form)


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
