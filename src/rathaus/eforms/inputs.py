"""The inputs of one step as the template draws them (KERN markup, no JavaScript needed):
label, hint, current value, problems; a repeating group as fieldsets with add and remove."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from rathaus.domain.eforms.definition import Field, FieldType, FormDefinition, Group, Step, condition_fields
from rathaus.domain.eforms.validation import FieldError, Upload, holds, instance_numbers

from . import display, messages

_HTML_TYPES = {
    FieldType.EMAIL: "email",
    FieldType.PHONE: "tel",
    FieldType.DATE: "date",
    FieldType.FILE: "file",
}
_INPUT_MODES = {
    FieldType.INTEGER: "numeric",
    FieldType.POSTCODE: "numeric",
    FieldType.TAX_ID: "numeric",
    FieldType.DECIMAL: "decimal",
    FieldType.MONEY: "decimal",
}
_AUTOCOMPLETE = {
    "familienname": "family-name",
    "vornamen": "given-name",
    "geburtsdatum": "bday",
    "email": "email",
    "telefon": "tel",
    "plz": "postal-code",
    "ort": "address-level2",
    "strasse": "street-address",
}


@dataclass(frozen=True)
class Choice:
    value: str
    label: str
    selected: bool


@dataclass(frozen=True)
class Input:
    name: str
    kind: str  # text, textarea, select, multiselect, checkbox, file
    html_type: str
    label: str
    hint: str
    value: str
    required: bool
    errors: tuple[str, ...]
    choices: tuple[Choice, ...] = ()
    accept: str = ""
    input_mode: str = ""
    autocomplete: str = ""
    files: tuple[str, ...] = ()
    max_length: int | None = None


@dataclass(frozen=True)
class Instance:
    number: int
    title: str
    inputs: tuple[Input, ...]
    removable: bool


@dataclass(frozen=True)
class GroupView:
    id: str
    legend: str
    instances: tuple[Instance, ...]
    can_add: bool
    errors: tuple[str, ...] = ()


@dataclass
class StepView:
    items: list[Input | GroupView] = field(default_factory=list)
    summary: list[tuple[str, str]] = field(default_factory=list)  # (anchor, message)


def _kind(item: Field) -> str:
    if item.type is FieldType.TEXTAREA:
        return "textarea"
    if item.type is FieldType.SELECT:
        return "select"
    if item.type is FieldType.MULTISELECT:
        return "multiselect"
    if item.type is FieldType.BOOLEAN:
        return "checkbox"
    if item.type is FieldType.FILE:
        return "file"
    return "text"


def _input(
    definition: FormDefinition,
    item: Field,
    name: str,
    raw: Mapping[str, Sequence[str]],
    errors: Mapping[str, list[FieldError]],
    files: Mapping[str, Sequence[Upload]],
    language: str,
) -> Input:
    english = language.startswith("en")
    values = [str(value) for value in raw.get(name, [])]
    choices: tuple[Choice, ...] = ()
    if item.codelist:
        choices = tuple(
            Choice(code.code, code.label_en if english else code.label, code.code in values)
            for code in definition.codelists[item.codelist].codes
        )
    hint = item.help_en if english else item.help
    if item.visible_if is not None and not hint:
        hint = _("Nur ausfüllen, wenn es auf Sie zutrifft.")
    if item.type is FieldType.FILE:
        hint = " ".join(
            part
            for part in (
                hint,
                _("Erlaubt: %(types)s, höchstens %(mb)s MB je Datei.")
                % {
                    "types": messages.media_names(item.accept),
                    "mb": messages.megabytes(item.max_bytes),
                },
            )
            if part
        )
    return Input(
        name=name,
        kind=_kind(item),
        html_type=_HTML_TYPES.get(item.type, "text"),
        label=display.label_of(item, language),
        hint=hint,
        value=values[0] if values and item.type is not FieldType.MULTISELECT else "",
        required=item.required and item.visible_if is None,
        errors=tuple(messages.message(error) for error in errors.get(name, [])),
        choices=choices,
        accept=",".join(item.accept),
        input_mode=_INPUT_MODES.get(item.type, ""),
        autocomplete=_AUTOCOMPLETE.get(item.id, ""),
        files=tuple(upload.name for upload in files.get(name, [])),
        max_length=item.max_length,
    )


def _instance_numbers(group: Group, raw: Mapping[str, Sequence[str]]) -> list[int]:
    """The instances to draw: those posted, at least the minimum (and one to start with)."""
    numbers = instance_numbers(group, raw)
    while len(numbers) < max(group.min_repeat, 1):
        numbers.append(max(numbers, default=-1) + 1)
    return numbers


def _group_view(
    definition: FormDefinition,
    group: Group,
    raw: Mapping[str, Sequence[str]],
    by_path: Mapping[str, list[FieldError]],
    files: Mapping[str, Sequence[Upload]],
    language: str,
) -> GroupView:
    numbers = _instance_numbers(group, raw)
    legend = display.label_of(group, language)
    instances = tuple(
        Instance(
            number=number,
            title=f"{legend} {position}" if group.repeats else legend,
            inputs=tuple(
                _input(definition, member, f"{group.id}-{number}-{member.id}", raw, by_path, files, language)
                for member in group.fields
            ),
            removable=group.repeats and len(numbers) > group.min_repeat,
        )
        for position, number in enumerate(numbers, start=1)
    )
    problems = tuple(messages.message(error) for error in by_path.get(group.id, []))
    can_add = group.repeats and len(numbers) < group.max_repeat
    return GroupView(group.id, legend, instances, can_add, problems)


def step_view(
    definition: FormDefinition,
    step: Step,
    raw: Mapping[str, Sequence[str]],
    errors: Sequence[FieldError],
    files: Mapping[str, Sequence[Upload]],
    earlier: Mapping[str, object],
    language: str,
) -> StepView:
    by_path: dict[str, list[FieldError]] = {}
    for error in errors:
        by_path.setdefault(error.path, []).append(error)
    view = StepView()
    earlier_ids = _earlier_ids(definition, step)
    for item in step.items:
        # A condition on an earlier step is known: what does not apply is not shown. One on
        # this step's own fields is shown with a hint (the page works without JavaScript).
        if (
            item.visible_if is not None
            and condition_fields(item.visible_if) <= earlier_ids
            and not holds(item.visible_if, earlier)
        ):
            continue
        if isinstance(item, Group):
            view.items.append(_group_view(definition, item, raw, by_path, files, language))
        else:
            view.items.append(_input(definition, item, item.id, raw, by_path, files, language))
    labels = _labels(definition, step, language)
    for error in errors:
        view.summary.append(
            (error.path, f"{labels.get(error.path, '')}: {messages.message(error)}".lstrip(": "))
        )
    return view


def _earlier_ids(definition: FormDefinition, step: Step) -> set[str]:
    ids: set[str] = set()
    for earlier in definition.steps:
        if earlier.id == step.id:
            break
        ids.update(item.id for item in earlier.items if isinstance(item, Field))
    return ids


def _labels(definition: FormDefinition, step: Step, language: str) -> dict[str, str]:
    labels: dict[str, str] = {}
    for item in step.items:
        if isinstance(item, Group):
            labels[item.id] = display.label_of(item, language)
            for number in range(item.max_repeat):
                for member in item.fields:
                    suffix = f" {number + 1}" if item.repeats else ""
                    labels[f"{item.id}-{number}-{member.id}"] = (
                        f"{display.label_of(item, language)}{suffix}: {display.label_of(member, language)}"
                    )
        else:
            labels[item.id] = display.label_of(item, language)
    return labels
