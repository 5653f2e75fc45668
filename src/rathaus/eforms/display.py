"""What a submission says, as rows of label and text: for the summary page and the PDF.

Works on the submission's plain data (JSON: dates as ISO text, amounts as decimal text), so the
page before submitting and the PDF after it show the same.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from rathaus.domain.eforms.definition import Field, FieldType, FormDefinition, Group
from rathaus.kernel.money import format_eur


@dataclass(frozen=True)
class Row:
    label: str
    text: str
    path: str  # the input's name, for "Ändern" links


@dataclass(frozen=True)
class Section:
    step_id: str
    title: str
    rows: tuple[Row, ...]


def _english(language: str) -> bool:
    return language.startswith("en")


def label_of(item: Field | Group, language: str) -> str:
    return item.label_en if _english(language) else item.label


def _number(value: Any, language: str) -> str:
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        return str(value)
    text = f"{number:,}"
    return text if _english(language) else text.replace(",", "\x00").replace(".", ",").replace("\x00", ".")


def value_text(definition: FormDefinition, field: Field, value: Any, language: str) -> str:
    yes, no = ("Yes", "No") if _english(language) else ("Ja", "Nein")
    if value is None or value == "" or value == []:
        return "–"
    if field.type is FieldType.BOOLEAN:
        return yes if value else no
    if field.type is FieldType.DATE:
        day = datetime.date.fromisoformat(str(value))
        return day.strftime("%d/%m/%Y") if _english(language) else day.strftime("%d.%m.%Y")
    if field.type is FieldType.MONEY:
        return format_eur(Decimal(str(value)), "en" if _english(language) else "de")
    if field.type in (FieldType.INTEGER, FieldType.DECIMAL):
        return _number(value, language)
    if field.type in (FieldType.SELECT, FieldType.MULTISELECT):
        codes = definition.codelists[field.codelist]
        labels = []
        for code in value if isinstance(value, list) else [value]:
            entry = codes.get(str(code))
            labels.append((entry.label_en if _english(language) else entry.label) if entry else str(code))
        return ", ".join(labels)
    if field.type is FieldType.FILE:
        return ", ".join(str(upload.get("filename", "")) for upload in value)
    return str(value)


def sections(definition: FormDefinition, data: dict[str, Any], language: str) -> list[Section]:
    """Each step with the rows of what was given (fields not shown by a condition are absent)."""
    result: list[Section] = []
    for step in definition.steps:
        rows: list[Row] = []
        for item in step.items:
            if isinstance(item, Group):
                for number, instance in enumerate(data.get(item.id, []), start=1):
                    title = label_of(item, language) + (f" {number}" if item.repeats else "")
                    for field in item.fields:
                        if field.id in instance:
                            rows.append(
                                Row(
                                    f"{title}: {label_of(field, language)}",
                                    value_text(definition, field, instance[field.id], language),
                                    f"{item.id}-{number - 1}-{field.id}",
                                )
                            )
            elif item.id in data:
                rows.append(
                    Row(
                        label_of(item, language),
                        value_text(definition, item, data[item.id], language),
                        item.id,
                    )
                )
        result.append(Section(step.id, step.title_en if _english(language) else step.title, tuple(rows)))
    return result
