"""Reads a form definition written in YAML and checks it completely before anyone fills it in.

The first problem found refuses the whole definition with ``DefinitionError``, whose message
names the line ("Zeile 42: …"): an unknown key (a typo would otherwise silently drop a rule),
an unknown field type, a reference to an unknown code list or field, a condition on a field of a
later step (it could not be evaluated when the step is checked), a duplicate id. The format is
documented in docs/eforms-definitions.md.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

import yaml

from .definition import (
    PREFILL_SOURCES,
    AllOf,
    AnyOf,
    Code,
    CodeList,
    Condition,
    Equals,
    Field,
    FieldType,
    Filled,
    FormDefinition,
    Group,
    Item,
    LevelOfAssurance,
    Not,
    OneOf,
    Rule,
    Step,
    Topic,
    condition_fields,
)

MAX_DEFINITION_BYTES = 512 * 1024
MAX_FILE_BYTES = 50 * 1024 * 1024  # the largest upload any field may allow
MAX_REPEAT = 50

_FORM_ID = re.compile(r"^[a-z0-9][a-z0-9-]{1,78}[a-z0-9]$")
_ID = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
_LEIKA = re.compile(r"^\d{14}$")
_FIM_FIELD = re.compile(r"^F\d{5,11}$")
_FIM_GROUP = re.compile(r"^G\d{5,11}$")
_MEDIA_TYPE = re.compile(r"^[a-z]+/[a-z0-9.+-]+$")

_FORM_KEYS = {
    "form", "version", "title", "title_en", "leika", "level_of_assurance", "topic", "codelists", "steps",
}  # fmt: skip
_STEP_KEYS = {"id", "title", "title_en", "items"}
_GROUP_KEYS = {"group", "label", "label_en", "fim", "repeat", "visible_if", "items"}
_FIELD_KEYS = {
    "field", "type", "label", "label_en", "fim", "help", "help_en", "required", "min_length",
    "max_length", "min", "max", "codelist", "rules", "visible_if", "accept", "max_bytes",
    "max_files", "prefill", "pattern", "pattern_example", "pattern_example_en", "min_age", "not_before",
}  # fmt: skip
_NUMBER_TYPES = {FieldType.INTEGER, FieldType.DECIMAL, FieldType.MONEY}
_TEXT_TYPES = {FieldType.TEXT, FieldType.TEXTAREA}
_CHOICE_TYPES = {FieldType.SELECT, FieldType.MULTISELECT}


class DefinitionError(ValueError):
    """An invalid form definition; ``line`` is the 1-based line of the problem (0: unknown)."""

    def __init__(self, message: str, line: int = 0) -> None:
        super().__init__(f"Zeile {line}: {message}" if line else message)
        self.line = line
        self.problem = message


class _Map(dict[str, Any]):
    """A YAML mapping that remembers its own line and the line of each key."""

    line: int
    lines: dict[str, int]

    def at(self, key: str) -> int:
        return self.lines.get(key, self.line)


class _List(list[Any]):
    line: int


class _Loader(yaml.SafeLoader):
    pass


def _mapping(loader: _Loader, node: yaml.MappingNode) -> _Map:
    loader.flatten_mapping(node)
    result = _Map()
    result.line = node.start_mark.line + 1
    result.lines = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        line = key_node.start_mark.line + 1
        if not isinstance(key, str):
            raise DefinitionError(f"Schlüssel müssen Texte sein, nicht {key!r}", line)
        if key in result:
            raise DefinitionError(f"„{key}“ steht zweimal", line)
        result[key] = loader.construct_object(value_node, deep=True)
        result.lines[key] = line
    return result


def _sequence(loader: _Loader, node: yaml.SequenceNode) -> _List:
    result = _List(loader.construct_object(child, deep=True) for child in node.value)
    result.line = node.start_mark.line + 1
    return result


_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _mapping)
_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, _sequence)


def _keys(raw: _Map, allowed: set[str], what: str) -> None:
    for key in raw:
        if key not in allowed:
            raise DefinitionError(f"unbekannter Schlüssel „{key}“ in {what}", raw.at(key))


def _text(raw: _Map, key: str, *, required: bool = True) -> str:
    value = raw.get(key, "")
    if not isinstance(value, str) or (required and not value.strip()):
        raise DefinitionError(f"„{key}“ fehlt oder ist kein Text", raw.at(key))
    return value.strip()


def _id(raw: _Map, key: str, pattern: re.Pattern[str] = _ID) -> str:
    value = raw.get(key)
    if not isinstance(value, str) or not pattern.match(value):
        raise DefinitionError(
            f"„{key}“ muss ein Kurzname aus Kleinbuchstaben, Ziffern und _ sein, nicht {value!r}",
            raw.at(key),
        )
    return value


def _int(raw: _Map, key: str, default: int | None, low: int, high: int) -> int | None:
    if key not in raw:
        return default
    value = raw[key]
    if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
        raise DefinitionError(f"„{key}“ muss eine ganze Zahl von {low} bis {high} sein", raw.at(key))
    return value


def _map(value: object, line: int, what: str) -> _Map:
    if not isinstance(value, _Map):
        raise DefinitionError(f"{what} muss ein Objekt sein", line)
    return value


def _list(value: object, line: int, what: str) -> _List:
    if not isinstance(value, _List) or not value:
        raise DefinitionError(f"{what} muss eine nicht leere Liste sein", line)
    return value


def _codelists(raw: object, line: int) -> dict[str, CodeList]:
    lists: dict[str, CodeList] = {}
    table = _map(raw, line, "„codelists“")
    for list_id, entries in table.items():
        at = table.at(list_id)
        if not _ID.match(list_id):
            raise DefinitionError(f"ungültiger Name einer Codeliste: {list_id!r}", at)
        codes: list[Code] = []
        for entry in _list(entries, at, f"Codeliste „{list_id}“"):
            entry = _map(entry, at, "ein Eintrag einer Codeliste")
            _keys(entry, {"code", "label", "label_en"}, f"der Codeliste „{list_id}“")
            code = entry.get("code")
            if isinstance(code, int) and not isinstance(code, bool):
                code = str(code)
            if not isinstance(code, str) or not code.strip():
                raise DefinitionError("„code“ muss ein Text sein (in Anführungszeichen)", entry.at("code"))
            if any(existing.code == code for existing in codes):
                raise DefinitionError(f"Code {code!r} steht zweimal in „{list_id}“", entry.at("code"))
            codes.append(Code(code=code, label=_text(entry, "label"), label_en=_text(entry, "label_en")))
        lists[list_id] = CodeList(id=list_id, codes=tuple(codes))
    return lists


def _condition(raw: object, line: int) -> Condition:
    raw = _map(raw, line, "„visible_if“")
    line = raw.line
    if set(raw) == {"all"} or set(raw) == {"any"}:
        (key,) = raw
        parts = tuple(_condition(part, line) for part in _list(raw[key], line, f"„{key}“"))
        return AllOf(parts) if key == "all" else AnyOf(parts)
    if set(raw) == {"not"}:
        return Not(_condition(raw["not"], line))
    if "field" not in raw or len(raw) != 2:
        raise DefinitionError(
            "eine Bedingung ist {field, equals|in|filled}, {all: […]}, {any: […]} oder {not: …}", line
        )
    field_id = _id(raw, "field")
    if "equals" in raw:
        return Equals(field_id, raw["equals"])
    if "in" in raw:
        return OneOf(field_id, tuple(_list(raw["in"], line, "„in“")))
    if raw.get("filled") is True:
        return Filled(field_id)
    raise DefinitionError("eine Bedingung braucht „equals“, „in“ oder „filled: true“", line)


def _decimal_text(raw: _Map, key: str) -> str | None:
    if key not in raw:
        return None
    value = raw[key]
    try:
        Decimal(str(value))
    except InvalidOperation:
        raise DefinitionError(f"„{key}“ muss eine Zahl sein", raw.at(key)) from None
    if isinstance(value, bool):
        raise DefinitionError(f"„{key}“ muss eine Zahl sein", raw.at(key))
    return str(value)


def _accept(raw: _Map, kind: FieldType) -> tuple[str, ...]:
    """The media types of a file field (only file fields have ``accept``, ``max_bytes``, …)."""
    file_keys = {"accept", "max_bytes", "max_files"} & set(raw)
    if kind is FieldType.FILE:
        if not {"accept", "max_bytes"} <= file_keys:
            raise DefinitionError("Dateifelder brauchen „accept“ und „max_bytes“", raw.line)
    elif file_keys:
        raise DefinitionError("„accept“, „max_bytes“ und „max_files“ gelten nur für Dateifelder", raw.line)
    accept = tuple(raw.get("accept", ()))
    if any(not isinstance(item, str) or not _MEDIA_TYPE.match(item) for item in accept):
        raise DefinitionError("„accept“ ist eine Liste von Medientypen wie application/pdf", raw.at("accept"))
    return accept


def _field(raw: _Map, codelists: Mapping[str, CodeList], known: Mapping[str, Field]) -> Field:
    _keys(raw, _FIELD_KEYS, "einem Feld")
    field_id = _id(raw, "field")
    try:
        kind = FieldType(str(raw.get("type")))
    except ValueError:
        raise DefinitionError(f"unbekannter Feldtyp {raw.get('type')!r}", raw.at("type")) from None
    fim_id = _text(raw, "fim", required=False)
    if fim_id and not _FIM_FIELD.match(fim_id):
        raise DefinitionError(f"„fim“ ist keine FIM-Kennung eines Datenfelds: {fim_id!r}", raw.at("fim"))
    codelist = _text(raw, "codelist", required=False)
    if (kind in _CHOICE_TYPES) != bool(codelist):
        raise DefinitionError("Auswahlfelder (und nur sie) brauchen „codelist“", raw.at("codelist"))
    if codelist and codelist not in codelists:
        raise DefinitionError(f"unbekannte Codeliste „{codelist}“", raw.at("codelist"))
    rules = tuple(_rule(value, raw.at("rules")) for value in raw.get("rules", []))
    if rules and kind is not FieldType.DATE:
        raise DefinitionError("„rules“ gelten nur für Datumsfelder", raw.at("rules"))
    if ("min" in raw or "max" in raw) and kind not in _NUMBER_TYPES:
        raise DefinitionError(
            "„min“ und „max“ gelten nur für Zahlenfelder", raw.at("min" if "min" in raw else "max")
        )
    if ("min_length" in raw or "max_length" in raw) and kind not in _TEXT_TYPES:
        raise DefinitionError("„min_length“ und „max_length“ gelten nur für Textfelder", raw.line)
    accept = _accept(raw, kind)
    visible_if = _condition(raw["visible_if"], raw.at("visible_if")) if "visible_if" in raw else None
    _check_condition(visible_if, known, raw.at("visible_if"), codelists)
    prefill = _text(raw, "prefill", required=False)
    if prefill and (prefill not in PREFILL_SOURCES or kind in (FieldType.FILE, FieldType.MULTISELECT)):
        raise DefinitionError(f"unbekannte Quelle für „prefill“: {prefill!r}", raw.at("prefill"))
    required = raw.get("required", False)
    if not isinstance(required, bool):
        raise DefinitionError("„required“ muss true oder false sein", raw.at("required"))
    return Field(
        id=field_id,
        type=kind,
        label=_text(raw, "label"),
        label_en=_text(raw, "label_en"),
        line=raw.line,
        fim_id=fim_id,
        help=_text(raw, "help", required=False),
        help_en=_text(raw, "help_en", required=False),
        required=required,
        min_length=_int(raw, "min_length", None, 0, 100_000),
        max_length=_int(raw, "max_length", None, 1, 100_000),
        minimum=_decimal_text(raw, "min"),
        maximum=_decimal_text(raw, "max"),
        codelist=codelist,
        rules=rules,
        visible_if=visible_if,
        accept=accept,
        max_bytes=_int(raw, "max_bytes", 0, 1, MAX_FILE_BYTES) or 0,
        max_files=_int(raw, "max_files", 1, 1, 20) or 1,
        prefill=prefill,
        **_pattern(raw, kind),
        **_date_checks(raw, kind, known),
    )


def _pattern(raw: _Map, kind: FieldType) -> dict[str, Any]:
    """``pattern`` with the example that must match it (the message shows it)."""
    if "pattern" not in raw:
        if "pattern_example" in raw or "pattern_example_en" in raw:
            raise DefinitionError("„pattern_example“ gehört zu „pattern“", raw.line)
        return {}
    if kind not in _TEXT_TYPES:
        raise DefinitionError("„pattern“ gilt nur für Textfelder", raw.at("pattern"))
    pattern = _text(raw, "pattern")
    try:
        compiled = re.compile(pattern)
    except re.error as error:
        raise DefinitionError(f"„pattern“ ist kein gültiger Ausdruck: {error}", raw.at("pattern")) from None
    example = _text(raw, "pattern_example")
    if not compiled.fullmatch(example):
        raise DefinitionError(f"das Beispiel {example!r} passt nicht zu „pattern“", raw.at("pattern_example"))
    example_en = _text(raw, "pattern_example_en", required=False) or example
    return {"pattern": pattern, "pattern_example": example, "pattern_example_en": example_en}


def _date_checks(raw: _Map, kind: FieldType, known: Mapping[str, Field]) -> dict[str, Any]:
    """``min_age`` and ``not_before`` (another date field before this one) of a date field."""
    checks: dict[str, Any] = {}
    for key in ("min_age", "not_before"):
        if key in raw and kind is not FieldType.DATE:
            raise DefinitionError(f"„{key}“ gilt nur für Datumsfelder", raw.at(key))
    if "min_age" in raw:
        checks["min_age"] = _int(raw, "min_age", None, 1, 120)
    if "not_before" in raw:
        other_id = _text(raw, "not_before")
        other = known.get(other_id)
        if other is None or other.type is not FieldType.DATE:
            raise DefinitionError(
                f"„not_before“ nennt „{other_id}“: kein Datumsfeld davor", raw.at("not_before")
            )
        checks.update(not_before=other_id, not_before_label=other.label, not_before_label_en=other.label_en)
    return checks


def _rule(value: object, line: int) -> Rule:
    try:
        return Rule(str(value))
    except ValueError:
        raise DefinitionError(f"unbekannte Regel {value!r}", line) from None


def _group(raw: _Map, codelists: Mapping[str, CodeList], known: Mapping[str, Field]) -> Group:
    _keys(raw, _GROUP_KEYS, "einer Gruppe")
    group_id = _id(raw, "group")
    fim_id = _text(raw, "fim", required=False)
    if fim_id and not _FIM_GROUP.match(fim_id):
        raise DefinitionError(f"„fim“ ist keine FIM-Kennung einer Datenfeldgruppe: {fim_id!r}", raw.at("fim"))
    low, high = 1, 1
    if "repeat" in raw:
        repeat = _map(raw["repeat"], raw.at("repeat"), "„repeat“")
        _keys(repeat, {"min", "max"}, "„repeat“")
        high = _int(repeat, "max", None, 1, MAX_REPEAT) or 1
        low = _int(repeat, "min", 1, 0, high) or 0
        if "max" not in repeat:
            raise DefinitionError("„repeat“ braucht „max“", repeat.line)
    fields: list[Field] = []
    for item in _list(raw.get("items"), raw.at("items"), "„items“ einer Gruppe"):
        item = _map(item, raw.at("items"), "ein Eintrag von „items“")
        if "field" not in item:
            raise DefinitionError("Gruppen enthalten nur Felder („field“)", item.line)
        new = _field(item, codelists, {**known, **{member.id: member for member in fields}})
        if new.is_file:  # the pages store uploads per step and field, not per instance
            raise DefinitionError(
                "Dateifelder stehen nicht in Gruppen: bitte nach der Gruppe fragen", item.line
            )
        if any(existing.id == new.id for existing in fields):
            raise DefinitionError(f"das Feld „{new.id}“ steht zweimal in der Gruppe", item.line)
        fields.append(new)
    visible_if = _condition(raw["visible_if"], raw.at("visible_if")) if "visible_if" in raw else None
    _check_condition(visible_if, known, raw.at("visible_if"), codelists)
    return Group(
        id=group_id,
        label=_text(raw, "label"),
        label_en=_text(raw, "label_en"),
        line=raw.line,
        fields=tuple(fields),
        fim_id=fim_id,
        min_repeat=low,
        max_repeat=high,
        visible_if=visible_if,
    )


def _check_condition(
    condition: Condition | None, known: Mapping[str, Field], line: int, codelists: Mapping[str, CodeList]
) -> None:
    if condition is None:
        return
    for field_id in sorted(condition_fields(condition)):
        if field_id not in known:
            raise DefinitionError(
                f"die Bedingung nennt „{field_id}“: kein Feld dieses oder eines früheren Schritts", line
            )
    _check_codes(condition, known, line, codelists)


def _check_codes(
    condition: Condition, known: Mapping[str, Field], line: int, codelists: Mapping[str, CodeList]
) -> None:
    """A condition on a choice field may only name codes of its list (a typo never matches)."""
    if isinstance(condition, (AllOf, AnyOf)):
        for part in condition.conditions:
            _check_codes(part, known, line, codelists)
    elif isinstance(condition, Not):
        _check_codes(condition.condition, known, line, codelists)
    elif isinstance(condition, (Equals, OneOf)):
        target = known[condition.field]
        if target.codelist:
            values = [condition.value] if isinstance(condition, Equals) else list(condition.values)
            for value in values:
                if codelists[target.codelist].get(str(value)) is None:
                    raise DefinitionError(f"{value!r} ist kein Code der Liste „{target.codelist}“", line)


def _step(raw: _Map, codelists: Mapping[str, CodeList], known: dict[str, Field], ids: set[str]) -> Step:
    _keys(raw, _STEP_KEYS, "einem Schritt")
    step_id = _id(raw, "id")
    items: list[Item] = []
    for entry in _list(raw.get("items"), raw.at("items"), "„items“ eines Schritts"):
        entry = _map(entry, raw.at("items"), "ein Eintrag von „items“")
        if ("field" in entry) == ("group" in entry):
            raise DefinitionError(
                "ein Eintrag ist entweder ein Feld („field“) oder eine Gruppe („group“)", entry.line
            )
        item: Item = _field(entry, codelists, known) if "field" in entry else _group(entry, codelists, known)
        if item.id in ids:
            raise DefinitionError(f"„{item.id}“ ist im Formular schon vergeben", entry.line)
        ids.add(item.id)
        if isinstance(item, Field):
            known[item.id] = item
        items.append(item)
    return Step(
        id=step_id,
        title=_text(raw, "title"),
        title_en=_text(raw, "title_en"),
        items=tuple(items),
        line=raw.line,
    )


def load_definition(text: str) -> FormDefinition:
    """Parse and check a YAML form definition; ``DefinitionError`` names the first problem."""
    if len(text.encode("utf-8")) > MAX_DEFINITION_BYTES:
        raise DefinitionError(f"die Definition ist größer als {MAX_DEFINITION_BYTES // 1024} KiB")
    try:
        raw = yaml.load(text, Loader=_Loader)  # noqa: S506 (a SafeLoader subclass)
    except yaml.MarkedYAMLError as error:
        line = error.problem_mark.line + 1 if error.problem_mark else 0
        raise DefinitionError(f"kein gültiges YAML: {error.problem}", line) from None
    except yaml.YAMLError as error:
        raise DefinitionError(f"kein gültiges YAML: {error}") from None
    raw = _map(raw, 1, "die Definition")
    _keys(raw, _FORM_KEYS, "der Definition")
    form_id = _id(raw, "form", _FORM_ID)
    version = _int(raw, "version", None, 1, 10_000)
    if version is None:
        raise DefinitionError("„version“ fehlt", raw.line)
    leika = str(raw.get("leika", ""))
    if not _LEIKA.match(leika):
        raise DefinitionError(
            "„leika“ muss ein 14-stelliger LeiKa-Schlüssel sein (in Anführungszeichen)", raw.at("leika")
        )
    try:
        level = LevelOfAssurance(raw.get("level_of_assurance", "none"))
    except ValueError:
        raise DefinitionError(
            "„level_of_assurance“ ist none, low, substantial oder high", raw.at("level_of_assurance")
        ) from None
    try:
        topic = Topic(raw.get("topic", "sonstiges"))
    except ValueError:
        names = ", ".join(t.value for t in Topic)
        raise DefinitionError(f"„topic“ ist eines von: {names}", raw.at("topic")) from None
    codelists = _codelists(raw["codelists"], raw.at("codelists")) if "codelists" in raw else {}
    known: dict[str, Field] = {}
    ids: set[str] = set()
    step_ids: set[str] = set()
    steps: list[Step] = []
    for entry in _list(raw.get("steps"), raw.at("steps"), "„steps“"):
        step = _step(_map(entry, raw.at("steps"), "ein Schritt"), codelists, known, ids)
        if step.id in step_ids:
            raise DefinitionError(f"der Schritt „{step.id}“ steht zweimal", step.line)
        step_ids.add(step.id)
        steps.append(step)
    return FormDefinition(
        id=form_id,
        version=version,
        title=_text(raw, "title"),
        title_en=_text(raw, "title_en"),
        leika=leika,
        level_of_assurance=level,
        steps=tuple(steps),
        codelists=codelists,
        topic=topic,
    )
