"""Staff pages of the E-Akte: thin views over ``selectors`` and ``services``."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from rathaus.accounts.decorators import staff_required
from rathaus.kernel import blobs
from rathaus.kernel.exceptions import NotFound, RathausError

from . import selectors, services
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
from .models import Case, Document


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
        "confidentiality_form": forms.get("confidentiality_form")
        or CaseConfidentialityForm(initial={**initial, "confidentiality": case.confidentiality}),
        "scan_form": forms.get("scan_form") or ScanUploadForm(),
        "note_form": forms.get("note_form") or CaseNoteForm(),
        "bescheid_form": forms.get("bescheid_form") or BescheidForm(initial=initial),
        "notes": selectors.case_notes(case),
        "scan_errors": forms.get("scan_errors") or [],
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
def scan_upload(request: HttpRequest, case_id: int) -> HttpResponse:
    """One or more scans into the case; each file is filed or refused on its own."""
    case = _case_or_404(request, case_id)
    form = ScanUploadForm(request.POST, request.FILES)
    if not form.is_valid():
        return _detail(request, case, scan_form=form)
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
        return _detail(request, case, scan_form=ScanUploadForm(), scan_errors=errors)
    return redirect("efile:case-detail", case_id=case.pk)


@staff_required
@require_POST
def document_ocr_retry(request: HttpRequest, case_id: int, document_id: int) -> HttpResponse:
    case = _case_or_404(request, case_id)
    document = Document.objects.filter(pk=document_id, case=case).first()
    if document is None:
        raise Http404(_("Dieses Dokument gibt es nicht."))
    try:
        services.document_ocr_retry(document=document, by=request.user)
        messages.success(request, _("Die Texterkennung wurde erneut gestartet."))
    except RathausError as exc:
        messages.error(request, str(exc))
    return redirect("efile:case-detail", case_id=case.pk)


@staff_required
@require_POST
def case_note(request: HttpRequest, case_id: int) -> HttpResponse:
    case = _case_or_404(request, case_id)
    form = CaseNoteForm(request.POST)
    if form.is_valid():
        try:
            services.case_note_add(case=case, text=form.cleaned_data["text"], by=request.user)
            return redirect("efile:case-detail", case_id=case.pk)
        except RathausError as exc:
            form.add_error("text", str(exc))
    return _detail(request, case, note_form=form)


@staff_required
@require_POST
def bescheid_issue(request: HttpRequest, case_id: int) -> HttpResponse:
    case = _case_or_404(request, case_id)
    form = BescheidForm(request.POST)
    if form.is_valid():
        try:
            services.bescheid_issue(
                case=case,
                title=form.cleaned_data["title"],
                body=form.cleaned_data["body"],
                addressee=form.cleaned_data["addressee"],
                with_remedy_notice=form.cleaned_data["with_remedy_notice"],
                by=request.user,
                expected_version=form.cleaned_data["version"],
            )
            messages.success(request, _("Der Bescheid wurde erstellt und als Ausgang in den Vorgang gelegt."))
            return redirect("efile:case-detail", case_id=case.pk)
        except RathausError as exc:
            form.add_error(None, str(exc))
    return _detail(request, case, bescheid_form=form)


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


@staff_required
@require_POST
def case_confidentiality(request: HttpRequest, case_id: int) -> HttpResponse:
    case = _case_or_404(request, case_id)
    form = CaseConfidentialityForm(request.POST)
    if form.is_valid():
        try:
            services.case_confidentiality_set(
                case=case,
                confidentiality=form.cleaned_data["confidentiality"],
                by=request.user,
                expected_version=form.cleaned_data["version"],
            )
        except RathausError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Die Vertraulichkeit wurde gespeichert."))
            if selectors.may_see_case(request.user, case):
                return redirect("efile:case-detail", case_id=case.pk)
            return redirect("efile:inbox")
    return _detail(request, case, confidentiality_form=form)


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
