"""The parts of a loaded form definition (FIM: Stammdatenschema, Datenfeldgruppe, Datenfeld).

Everything is frozen; ``loader.load_definition`` builds it and checks it, so code that gets a
``FormDefinition`` can rely on every reference (code list, condition target) being known.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Union


class FieldType(StrEnum):
    """The input types a field can have (FIM Datentyp, narrowed to what a citizen types)."""

    TEXT = "text"
    TEXTAREA = "textarea"
    INTEGER = "integer"
    DECIMAL = "decimal"
    MONEY = "money"  # euros with at most two decimals
    DATE = "date"
    BOOLEAN = "boolean"  # a checkbox: an unchecked box is False
    SELECT = "select"  # one code of the field's code list
    MULTISELECT = "multiselect"  # any number of codes of the field's code list
    EMAIL = "email"
    PHONE = "phone"
    POSTCODE = "postcode"  # German Postleitzahl, five digits
    IBAN = "iban"
    TAX_NUMBER = "tax_number"  # Steuernummer (state or federal 13-digit format)
    TAX_ID = "tax_id"  # steuerliche Identifikationsnummer (§ 139b AO), check digit checked
    FILE = "file"


# Where a field's value can be taken from, with the citizen's say (a button on the page): their
# own register entry and their account. Nothing else is read for a form.
PREFILL_SOURCES = frozenset(
    {
        "person.family_name", "person.given_names", "person.birth_name", "person.date_of_birth",
        "person.place_of_birth", "person.nationality", "person.sex", "person.street",
        "person.postal_code", "person.city", "account.email",
    }
)  # fmt: skip


class Rule(StrEnum):
    """Rules a field can carry beyond its type (FIM Regel)."""

    NOT_FUTURE = "not_future"  # a date on or before the day of submission (a birth date)
    NOT_PAST = "not_past"  # a date on or after the day of submission (a planned start)
    ADULT = "adult"  # a birth date at least 18 years before the day of submission


class Topic(StrEnum):
    """The area of life a form belongs to (the groups of the portal's list of online services)."""

    AUSWEISE = "ausweise"  # identity documents, certificates, attestations
    BAUEN = "bauen"  # building, housing, environment
    FAMILIE = "familie"  # family, civil status, school
    GEWERBE = "gewerbe"  # business and trade
    MELDEN = "melden"  # residence registration
    SOZIALES = "soziales"  # social benefits, health, death
    VERKEHR = "verkehr"  # vehicles, driving licences, roads
    SONSTIGES = "sonstiges"  # everything else


class LevelOfAssurance(StrEnum):
    """eIDAS levels of assurance (Verordnung (EU) Nr. 910/2014, Art. 8) a service can require."""

    NONE = "none"
    LOW = "low"
    SUBSTANTIAL = "substantial"
    HIGH = "high"

    @property
    def rank(self) -> int:
        return list(LevelOfAssurance).index(self)


@dataclass(frozen=True)
class Code:
    """One entry of a code list: the value stored and its labels."""

    code: str
    label: str
    label_en: str


@dataclass(frozen=True)
class CodeList:
    id: str
    codes: tuple[Code, ...]

    def get(self, code: str) -> Code | None:
        return next((entry for entry in self.codes if entry.code == code), None)


@dataclass(frozen=True)
class Equals:
    """True when the field's cleaned value equals ``value`` (for a multiselect: contains it)."""

    field: str
    value: object


@dataclass(frozen=True)
class OneOf:
    field: str
    values: tuple[object, ...]


@dataclass(frozen=True)
class Filled:
    field: str


@dataclass(frozen=True)
class AllOf:
    conditions: tuple[Condition, ...]


@dataclass(frozen=True)
class AnyOf:
    conditions: tuple[Condition, ...]


@dataclass(frozen=True)
class Not:
    condition: Condition


Condition = Union[Equals, OneOf, Filled, AllOf, AnyOf, Not]  # noqa: UP007 (a runtime alias)


def condition_fields(condition: Condition) -> set[str]:
    """The ids of the fields a condition reads."""
    if isinstance(condition, (AllOf, AnyOf)):
        return set().union(*(condition_fields(part) for part in condition.conditions))
    if isinstance(condition, Not):
        return condition_fields(condition.condition)
    return {condition.field}


@dataclass(frozen=True)
class Field:
    """One Datenfeld. ``id`` is unique in its form (or its group); ``fim_id`` is the FIM
    identifier of the field it follows (``F…``), empty where the form needs its own."""

    id: str
    type: FieldType
    label: str
    label_en: str
    line: int
    fim_id: str = ""
    help: str = ""
    help_en: str = ""
    required: bool = False
    min_length: int | None = None
    max_length: int | None = None
    minimum: str | None = None  # decimal text: number fields only
    maximum: str | None = None
    codelist: str = ""
    rules: tuple[Rule, ...] = ()
    visible_if: Condition | None = None
    accept: tuple[str, ...] = ()  # file fields: media types
    max_bytes: int = 0  # file fields: the largest file
    max_files: int = 1  # file fields: how many files
    prefill: str = ""  # a source of ``PREFILL_SOURCES``: offered to the citizen, never forced
    pattern: str = ""  # text fields: a regular expression the whole value must match
    pattern_example: str = ""  # a value that matches (checked when loading), shown in the message
    pattern_example_en: str = ""
    min_age: int | None = None  # date fields (a birth date): at least this age on the day of submission
    not_before: str = ""  # date fields: the id of a date field before it that it may not precede
    not_before_label: str = ""
    not_before_label_en: str = ""

    @property
    def is_file(self) -> bool:
        return self.type is FieldType.FILE


@dataclass(frozen=True)
class Group:
    """A Datenfeldgruppe; with ``max_repeat`` > 1 the citizen adds instances (co-owners,
    parcels). A group's fields are named ``<group>-<n>-<field>`` in a submission."""

    id: str
    label: str
    label_en: str
    line: int
    fields: tuple[Field, ...]
    fim_id: str = ""
    min_repeat: int = 1
    max_repeat: int = 1
    visible_if: Condition | None = None

    @property
    def repeats(self) -> bool:
        return self.max_repeat > 1

    def field(self, field_id: str) -> Field | None:
        return next((item for item in self.fields if item.id == field_id), None)


Item = Union[Field, Group]  # noqa: UP007 (a runtime alias)


@dataclass(frozen=True)
class Step:
    id: str
    title: str
    title_en: str
    items: tuple[Item, ...]
    line: int


@dataclass(frozen=True)
class FormDefinition:
    """One version of one service's form."""

    id: str
    version: int
    title: str
    title_en: str
    leika: str  # the service's LeiKa key: its fee and office come from the catalogue
    level_of_assurance: LevelOfAssurance
    steps: tuple[Step, ...]
    codelists: Mapping[str, CodeList] = field(default_factory=dict)
    topic: Topic = Topic.SONSTIGES

    def step(self, step_id: str) -> Step | None:
        return next((step for step in self.steps if step.id == step_id), None)

    def fields(self) -> dict[str, Field]:
        """Every top-level field by id (group fields are reached through their group)."""
        return {item.id: item for step in self.steps for item in step.items if isinstance(item, Field)}

    def groups(self) -> dict[str, Group]:
        return {item.id: item for step in self.steps for item in step.items if isinstance(item, Group)}
