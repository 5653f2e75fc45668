"""Server-side validation of what a citizen typed into a form (client-side checks only help).

``validate_step`` checks one step's raw input (the lists of strings an HTML form posts), given
the cleaned values of the earlier steps; ``validate_form`` re-runs every step from the stored
raw input, so a skipped step or a value changed behind the page (a manipulated hidden field, a
code not in the list) can never reach a submission. A field whose condition is false is not
checked and its value is dropped: what the citizen no longer sees is not submitted.

Cleaned values by type: text → str, integer → int, decimal and money → Decimal, date →
datetime.date, boolean → bool, select → the code (str), multiselect → list of codes, file →
list of ``Upload``. A repeating group's value is a list of dicts, one per filled-in instance.
"""

from __future__ import annotations

import datetime
import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from ..money import AmountSyntaxError, parse_eur
from . import values as check
from .definition import (
    AllOf,
    AnyOf,
    Condition,
    Equals,
    Field,
    FieldType,
    Filled,
    FormDefinition,
    Group,
    Not,
    Rule,
    Step,
)

DEFAULT_MAX_TEXT = 200
DEFAULT_MAX_TEXTAREA = 5000
_TRUE = {"on", "true", "1", "ja", "yes"}

Raw = Mapping[str, Sequence[str]]


@dataclass(frozen=True)
class Upload:
    """A file the citizen attached: its name, size and the media type read from its content."""

    name: str
    size: int
    media_type: str
    ref: str = ""  # where the app keeps it (a blob key); opaque here


@dataclass(frozen=True)
class FieldError:
    """A problem with one input: ``path`` is the input's name (``owner-0-name`` in a group)."""

    path: str
    code: str
    params: Mapping[str, object] = field(default_factory=dict)


@dataclass(frozen=True)
class StepResult:
    values: dict[str, Any]
    errors: tuple[FieldError, ...]

    @property
    def ok(self) -> bool:
        return not self.errors


def holds(condition: Condition | None, values: Mapping[str, Any]) -> bool:
    """Evaluate a condition on cleaned values (a missing value never equals anything)."""
    if condition is None:
        return True
    if isinstance(condition, AllOf):
        return all(holds(part, values) for part in condition.conditions)
    if isinstance(condition, AnyOf):
        return any(holds(part, values) for part in condition.conditions)
    if isinstance(condition, Not):
        return not holds(condition.condition, values)
    value = values.get(condition.field)
    if isinstance(condition, Filled):
        return value not in (None, "", [], False)
    wanted = [condition.value] if isinstance(condition, Equals) else list(condition.values)
    if isinstance(value, list):
        return any(str(item) == str(w) for item in value for w in wanted)
    if value is None:
        return False
    return any(_same(value, w) for w in wanted)


def _same(value: object, wanted: object) -> bool:
    if isinstance(value, bool) or isinstance(wanted, bool):
        return value is wanted
    if isinstance(value, (int, Decimal)) and isinstance(wanted, (int, float, Decimal, str)):
        try:
            return Decimal(str(value)) == Decimal(str(wanted))
        except ArithmeticError:
            return False
    return str(value) == str(wanted)


def _clean_text(item: Field, text: str) -> str:
    text = unicodedata.normalize("NFC", text.replace("\r\n", "\n")).strip()
    allowed = {"\n", "\t"} if item.type is FieldType.TEXTAREA else set()
    if any(unicodedata.category(ch) == "Cc" and ch not in allowed for ch in text):
        raise check.ValueProblem("control_characters")
    longest = item.max_length or (
        DEFAULT_MAX_TEXTAREA if item.type is FieldType.TEXTAREA else DEFAULT_MAX_TEXT
    )
    if len(text) > longest:
        raise check.ValueProblem("too_long", max=longest)
    if item.min_length is not None and len(text) < item.min_length:
        raise check.ValueProblem("too_short", min=item.min_length)
    if item.pattern and text and re.fullmatch(item.pattern, text) is None:
        raise check.ValueProblem("pattern", example=item.pattern_example, example_en=item.pattern_example_en)
    return text


def _clean_number(item: Field, text: str) -> int | Decimal:
    number: int | Decimal
    if item.type is FieldType.INTEGER:
        number = check.integer(text)
    elif item.type is FieldType.MONEY:  # the project's one reading of typed euro amounts
        try:
            number = parse_eur(text)
        except AmountSyntaxError:
            raise check.ValueProblem("money") from None
    else:
        number = check.decimal(text)
    if item.minimum is not None and number < Decimal(item.minimum):
        raise check.ValueProblem("too_small", min=item.minimum)
    if item.maximum is not None and number > Decimal(item.maximum):
        raise check.ValueProblem("too_large", max=item.maximum)
    return number


def _clean_date(item: Field, text: str, today: datetime.date) -> datetime.date:
    day = check.date(text)
    if not 1900 <= day.year <= today.year + 100:
        raise check.ValueProblem("date_range")
    if Rule.NOT_FUTURE in item.rules and day > today:
        raise check.ValueProblem("future")
    if Rule.NOT_PAST in item.rules and day < today:
        raise check.ValueProblem("past")
    if Rule.ADULT in item.rules and check.age_on(day, today) < check.ADULT_AGE:
        raise check.ValueProblem("not_adult", age=check.ADULT_AGE)
    if item.min_age is not None and check.age_on(day, today) < item.min_age:
        raise check.ValueProblem("not_adult", age=item.min_age)
    return day


def _order(item: Field, path: str, value: object, values: Mapping[str, Any]) -> FieldError | None:
    """A date that precedes the date field it may not precede (``not_before``), as a problem."""
    other = values.get(item.not_before) if item.not_before else None
    if isinstance(value, datetime.date) and isinstance(other, datetime.date) and value < other:
        return FieldError(
            path, "before_other", {"other": item.not_before_label, "other_en": item.not_before_label_en}
        )
    return None


_SIMPLE = {
    FieldType.EMAIL: check.email,
    FieldType.PHONE: check.phone,
    FieldType.POSTCODE: check.postcode,
    FieldType.IBAN: check.iban,
    FieldType.TAX_NUMBER: check.tax_number,
    FieldType.TAX_ID: check.tax_id,
}


def _clean_scalar(definition: FormDefinition, item: Field, text: str, today: datetime.date) -> object:
    if item.type in (FieldType.TEXT, FieldType.TEXTAREA):
        return _clean_text(item, text)
    if item.type in (FieldType.INTEGER, FieldType.DECIMAL, FieldType.MONEY):
        return _clean_number(item, text)
    if item.type is FieldType.DATE:
        return _clean_date(item, text, today)
    if item.type is FieldType.SELECT:
        if definition.codelists[item.codelist].get(text) is None:
            raise check.ValueProblem("not_in_list")
        return text
    return _SIMPLE[item.type](text)


def _check_files(item: Field, uploads: Sequence[Upload]) -> list[Upload]:
    if len(uploads) > item.max_files:
        raise check.ValueProblem("too_many_files", max=item.max_files)
    for upload in uploads:
        if upload.size > item.max_bytes:
            raise check.ValueProblem("file_too_large", name=upload.name, max_bytes=item.max_bytes)
        if upload.size == 0:
            raise check.ValueProblem("file_empty", name=upload.name)
        if upload.media_type not in item.accept:
            raise check.ValueProblem("file_type", name=upload.name, accept=", ".join(item.accept))
    return list(uploads)


def _clean_field(
    definition: FormDefinition,
    item: Field,
    path: str,
    raw: Raw,
    files: Mapping[str, Sequence[Upload]],
    today: datetime.date,
) -> tuple[object, FieldError | None]:
    """The cleaned value of one visible field (None when empty) and its problem, if any."""
    try:
        if item.type is FieldType.FILE:
            uploads = _check_files(item, files.get(path, ()))
            if item.required and not uploads:
                return None, FieldError(path, "required")
            return uploads, None
        texts = [text for text in raw.get(path, ()) if text.strip()]
        if item.type is FieldType.BOOLEAN:
            checked = any(text.strip().lower() in _TRUE for text in texts)
            if item.required and not checked:
                return False, FieldError(path, "must_confirm")
            return checked, None
        if item.type is FieldType.MULTISELECT:
            codes = list(dict.fromkeys(texts))
            if any(definition.codelists[item.codelist].get(code) is None for code in codes):
                return None, FieldError(path, "not_in_list")
            if item.required and not codes:
                return [], FieldError(path, "required")
            return codes, None
        if not texts:
            return None, FieldError(path, "required") if item.required else None
        if len(texts) > 1:  # one input posts one value: more is a page that was tampered with
            return None, FieldError(path, "ambiguous")
        return _clean_scalar(definition, item, texts[0], today), None
    except check.ValueProblem as problem:
        return None, FieldError(path, problem.code, problem.params)


def instance_numbers(group: Group, raw: Raw) -> list[int]:
    """The instance numbers of a repeating group present in posted input (up to its maximum)."""
    return _instances(group, raw, {})[0]


def _instances(group: Group, raw: Raw, files: Mapping[str, Sequence[Upload]]) -> tuple[list[int], bool]:
    """The instance numbers the page posted for a group, and whether it posted too many."""
    prefix = f"{group.id}-"
    numbers: set[int] = set()
    for name in (*raw.keys(), *files.keys()):
        if not name.startswith(prefix):
            continue
        number, _, rest = name[len(prefix) :].partition("-")
        if number.isdigit() and group.field(rest) is not None:
            numbers.add(int(number))
    too_many = any(number >= group.max_repeat for number in numbers)
    return sorted(number for number in numbers if number < group.max_repeat), too_many


def _blank(group: Group, number: int, raw: Raw, files: Mapping[str, Sequence[Upload]]) -> bool:
    for item in group.fields:
        path = f"{group.id}-{number}-{item.id}"
        if files.get(path) or any(text.strip() for text in raw.get(path, ())):
            return False
    return True


def _validate_group(
    definition: FormDefinition,
    group: Group,
    raw: Raw,
    files: Mapping[str, Sequence[Upload]],
    context: Mapping[str, Any],
    today: datetime.date,
) -> tuple[list[dict[str, Any]], list[FieldError]]:
    numbers, too_many = _instances(group, raw, files)
    errors: list[FieldError] = []
    if too_many:
        errors.append(FieldError(group.id, "too_many_instances", {"max": group.max_repeat}))
    filled = [number for number in numbers if not _blank(group, number, raw, files)]
    # Keep blank instances only as far as the minimum needs them: they then report "required".
    blanks = [number for number in numbers if number not in filled]
    needed = max(group.min_repeat - len(filled), 0)
    chosen = sorted(filled + blanks[:needed])
    missing = needed - len(blanks[:needed])
    chosen += list(range(max(numbers, default=-1) + 1, max(numbers, default=-1) + 1 + missing))
    result: list[dict[str, Any]] = []
    for number in chosen:
        values: dict[str, Any] = {}
        for item in group.fields:
            if not holds(item.visible_if, {**context, **values}):
                continue
            path = f"{group.id}-{number}-{item.id}"
            value, error = _clean_field(definition, item, path, raw, files, today)
            error = error or _order(item, path, value, {**context, **values})
            if error is not None:
                errors.append(error)
            elif value is not None:
                values[item.id] = value
        result.append(values)
    return result, errors


def validate_step(
    definition: FormDefinition,
    step: Step,
    raw: Raw,
    *,
    files: Mapping[str, Sequence[Upload]] | None = None,
    earlier: Mapping[str, Any] | None = None,
    today: datetime.date,
) -> StepResult:
    """Check one step. ``earlier`` holds the cleaned values of the steps before it (conditions
    may read them); ``today`` is the day of submission in Europe/Berlin (date rules)."""
    files = files or {}
    context: dict[str, Any] = dict(earlier or {})
    values: dict[str, Any] = {}
    errors: list[FieldError] = []
    for item in step.items:
        if not holds(item.visible_if, context):
            continue
        if isinstance(item, Group):
            instances, problems = _validate_group(definition, item, raw, files, context, today)
            values[item.id] = instances
            errors.extend(problems)
            continue
        value, error = _clean_field(definition, item, item.id, raw, files, today)
        error = error or _order(item, item.id, value, context)
        if error is not None:
            errors.append(error)
        elif value is not None:
            values[item.id] = value
            context[item.id] = value
    return StepResult(values=values, errors=tuple(errors))


@dataclass(frozen=True)
class FormResult:
    values: dict[str, Any]
    errors: dict[str, tuple[FieldError, ...]]  # by step id, only steps with problems

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def first_step_with_errors(self) -> str | None:
        return next(iter(self.errors), None)


def validate_form(
    definition: FormDefinition,
    raw_by_step: Mapping[str, Raw],
    *,
    files_by_step: Mapping[str, Mapping[str, Sequence[Upload]]] | None = None,
    today: datetime.date,
) -> FormResult:
    """Check every step in order from the raw input stored for it (a step never posted counts
    as empty, so its required fields report); the values are what a submission contains."""
    values: dict[str, Any] = {}
    errors: dict[str, tuple[FieldError, ...]] = {}
    for step in definition.steps:
        result = validate_step(
            definition,
            step,
            raw_by_step.get(step.id, {}),
            files=(files_by_step or {}).get(step.id, {}),
            earlier=values,
            today=today,
        )
        values.update(result.values)
        if result.errors:
            errors[step.id] = result.errors
    return FormResult(values=values, errors=errors)
