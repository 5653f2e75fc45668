"""Staff pages of the register offices (``/register/…``): a person's entry and change history,
moves, deaths and corrections with their second-person approval. Thin: staff of an office that
keeps a register only; the person is read through ``selectors.register_entry_read`` (audit-logged with
purpose and legal basis); every change through ``changes``; refusals shown in German.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from rathaus.accounts.decorators import staff_required
from rathaus.kernel.exceptions import RathausError

from . import changes, history, selectors
from .models_changes import Register
from .staff_forms import CorrectionForm, DeathForm, DecisionForm, MoveForm

PURPOSE = "Registerführung: Eintrag, Änderungen und Berichtigungen prüfen"
LEGAL_BASIS = "§§ 2, 6, 12 BMG; §§ 3, 47 PStG"


def _kept(request: HttpRequest) -> history.KeptRegisters:
    kept = history.kept_registers(request.user)
    if not kept.offices:
        raise PermissionDenied("Sie arbeiten in keiner Dienststelle, die ein Register führt.")
    return kept


def _index_page(request: HttpRequest, *, error: str = "", status: int = 200) -> HttpResponse:
    kept = _kept(request)
    context = {
        "kept": kept,
        "pending": history.corrections_pending(office_ids=kept.office_ids),
        "decision_form": DecisionForm(auto_id="entscheidung-%s"),
        "error": error,
        "number": request.GET.get("nummer", "").strip(),
    }
    return render(request, "registers/staff/index.html", context, status=status)


@require_GET
@staff_required
def index(request: HttpRequest) -> HttpResponse:
    _kept(request)
    number = request.GET.get("nummer", "").strip()
    if number:
        person_id = history.person_id_by_register_number(number)
        if person_id is not None:
            return redirect("register:person", person_id=person_id)
        return _index_page(request, error=_("Keine Person mit dieser Registernummer."), status=404)
    return _index_page(request)


def _person_page(
    request: HttpRequest,
    person_id: int,
    *,
    forms: dict[str, Any] | None = None,
    error: str = "",
    status: int = 200,
) -> HttpResponse:
    kept = _kept(request)
    try:
        person = selectors.register_entry_read(
            person_id=person_id, reader=request.user, purpose=PURPOSE, legal_basis=LEGAL_BASIS
        )
    except selectors.PersonNotFound as exc:
        raise Http404(str(exc)) from exc
    choices = history.correctable_choices(kept.registers)
    forms = forms or {}
    context = {
        "person_id": person_id,
        "person": person,
        "kept": kept,
        "keeps_residents": kept.keeps(Register.RESIDENTS),
        "keeps_civil_status": kept.keeps(Register.CIVIL_STATUS),
        "changes": history.person_history(person_id=person_id),
        "corrections": history.corrections_of(person_id=person_id),
        "correction_form": forms.get("correction")
        or CorrectionForm(choices=choices, auto_id="berichtigung-%s"),
        "move_form": forms.get("move") or MoveForm(auto_id="umzug-%s"),
        "death_form": forms.get("death") or DeathForm(auto_id="tod-%s"),
        "decision_form": DecisionForm(auto_id="entscheidung-%s"),
        "error": error,
    }
    return render(request, "registers/staff/person.html", context, status=status)


@require_GET
@staff_required
def person(request: HttpRequest, person_id: int) -> HttpResponse:
    return _person_page(request, person_id)


def _back(person_id: int) -> HttpResponse:
    return redirect(f"{reverse('register:person', kwargs={'person_id': person_id})}#main")


@require_POST
@staff_required
def correction_propose(request: HttpRequest, person_id: int) -> HttpResponse:
    kept = _kept(request)
    form = CorrectionForm(
        request.POST, choices=history.correctable_choices(kept.registers), auto_id="berichtigung-%s"
    )
    if not form.is_valid():
        return _person_page(request, person_id, forms={"correction": form}, status=422)
    try:
        changes.correction_propose(
            person_id=person_id,
            field=form.cleaned_data["field"],
            new_value=form.cleaned_data["new_value"],
            reason=form.cleaned_data["reason"],
            by=request.user,
        )
    except RathausError as error:
        form.add_error(None, error.message)
        return _person_page(
            request, person_id, forms={"correction": form}, error=error.message, status=error.http_status
        )
    messages.success(request, _("Die Berichtigung ist vorgeschlagen; eine zweite Person muss sie freigeben."))
    return _back(person_id)


@require_POST
@staff_required
def move(request: HttpRequest, person_id: int) -> HttpResponse:
    form = MoveForm(request.POST, auto_id="umzug-%s")
    if not form.is_valid():
        return _person_page(request, person_id, forms={"move": form}, status=422)
    data = form.cleaned_data
    join = history.person_id_by_register_number(data["join"]) if data["join"] else None
    try:
        if data["join"] and join is None:
            raise RathausError(_("Keine Person mit dieser Registernummer."), code="person_unknown")
        changes.move_register(
            person_id=person_id,
            street=data["street"],
            house_number=data["house_number"],
            postal_code=data["postal_code"],
            moved_on=data["moved_on"],
            join_household_of=join,
            by=request.user,
        )
    except RathausError as error:
        return _person_page(
            request, person_id, forms={"move": form}, error=error.message, status=error.http_status
        )
    messages.success(request, _("Die Wohnung ist angemeldet."))
    return _back(person_id)


@require_POST
@staff_required
def death(request: HttpRequest, person_id: int) -> HttpResponse:
    form = DeathForm(request.POST, auto_id="tod-%s")
    if not form.is_valid():
        return _person_page(request, person_id, forms={"death": form}, status=422)
    try:
        changes.death_register(
            person_id=person_id, date_of_death=form.cleaned_data["date_of_death"], by=request.user
        )
    except RathausError as error:
        return _person_page(
            request, person_id, forms={"death": form}, error=error.message, status=error.http_status
        )
    messages.success(request, _("Der Sterbefall ist eingetragen."))
    return _back(person_id)


def _decide(request: HttpRequest, correction_id: int, *, approve: bool) -> HttpResponse:
    _kept(request)
    form = DecisionForm(request.POST)
    note = form.cleaned_data["note"] if form.is_valid() else ""
    try:
        if approve:
            changes.correction_approve(correction_id=correction_id, by=request.user)
        else:
            changes.correction_reject(correction_id=correction_id, by=request.user, note=note)
    except RathausError as error:
        return _index_page(request, error=error.message, status=error.http_status)
    if approve:
        messages.success(request, _("Die Berichtigung ist freigegeben und im Register eingetragen."))
    else:
        messages.success(request, _("Die Berichtigung ist abgelehnt; das Register bleibt unverändert."))
    return redirect(f"{reverse('register:index')}#main")


@require_POST
@staff_required
def correction_approve(request: HttpRequest, correction_id: int) -> HttpResponse:
    return _decide(request, correction_id, approve=True)


@require_POST
@staff_required
def correction_reject(request: HttpRequest, correction_id: int) -> HttpResponse:
    return _decide(request, correction_id, approve=False)
