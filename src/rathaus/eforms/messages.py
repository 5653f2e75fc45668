"""The German (and, translated, English) sentences for the domain's validation codes."""

from __future__ import annotations

from collections.abc import Mapping

from django.utils.formats import number_format
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from rathaus.domain.eforms.validation import FieldError

_MESSAGES = {
    "required": gettext_lazy("Bitte füllen Sie dieses Feld aus."),
    "must_confirm": gettext_lazy("Bitte bestätigen Sie diese Angabe."),
    "ambiguous": gettext_lazy("Für dieses Feld kamen mehrere Werte an. Bitte geben Sie es erneut ein."),
    "not_in_list": gettext_lazy("Bitte wählen Sie einen der angebotenen Einträge."),
    "control_characters": gettext_lazy("Der Text enthält Steuerzeichen. Bitte geben Sie ihn erneut ein."),
    "too_long": gettext_lazy("Bitte geben Sie höchstens %(max)s Zeichen ein."),
    "too_short": gettext_lazy("Bitte geben Sie mindestens %(min)s Zeichen ein."),
    "number": gettext_lazy("Bitte geben Sie eine Zahl ein, zum Beispiel 1.250,50."),
    "money": gettext_lazy(
        "Bitte geben Sie einen Betrag in Euro und Cent ein, zum Beispiel 1.250,50 "
        "(höchstens zwei Nachkommastellen)."
    ),
    "integer": gettext_lazy("Bitte geben Sie eine ganze Zahl ein."),
    "places": gettext_lazy("Bitte geben Sie höchstens %(places)s Nachkommastellen ein."),
    "too_small": gettext_lazy("Der Wert darf nicht kleiner als %(min)s sein."),
    "too_large": gettext_lazy("Der Wert darf nicht größer als %(max)s sein."),
    "date": gettext_lazy("Bitte geben Sie ein gültiges Datum ein, zum Beispiel 24.12.2026."),
    "date_range": gettext_lazy("Bitte prüfen Sie die Jahreszahl."),
    "future": gettext_lazy("Das Datum darf nicht in der Zukunft liegen."),
    "past": gettext_lazy("Das Datum darf nicht in der Vergangenheit liegen."),
    "not_adult": gettext_lazy("Die Person muss mindestens %(age)s Jahre alt sein."),
    "postcode": gettext_lazy("Bitte geben Sie eine Postleitzahl mit fünf Ziffern ein, zum Beispiel 28195."),
    "iban": gettext_lazy(
        "Die IBAN ist nicht gültig. Bitte prüfen Sie sie, zum Beispiel DE89 3704 0044 0532 0130 00."
    ),
    "tax_number": gettext_lazy(
        "Die Steuernummer ist nicht gültig. Bitte geben Sie sie so ein, wie sie auf Ihrem "
        "Steuerbescheid steht, zum Beispiel 60/123/45678."
    ),
    "tax_id": gettext_lazy(
        "Die steuerliche Identifikationsnummer ist nicht gültig: Sie hat 11 Ziffern, "
        "die letzte ist eine Prüfziffer."
    ),
    "email": gettext_lazy("Bitte geben Sie eine E-Mail-Adresse ein, zum Beispiel name@example.org."),
    "phone": gettext_lazy("Bitte geben Sie eine Telefonnummer ein, zum Beispiel 0421 361-0."),
    "file_type": gettext_lazy("Die Datei „%(name)s“ hat ein nicht erlaubtes Format. Erlaubt: %(accept)s."),
    "file_too_large": gettext_lazy("Die Datei „%(name)s“ ist größer als %(max_mb)s MB."),
    "file_empty": gettext_lazy("Die Datei „%(name)s“ ist leer."),
    "file_refused": gettext_lazy("Die Datei „%(name)s“ wurde nicht angenommen: %(reason)s"),
    "too_many_files": gettext_lazy("Bitte laden Sie höchstens %(max)s Dateien hoch."),
    "too_many_instances": gettext_lazy("Es sind höchstens %(max)s Einträge möglich."),
    "pattern": gettext_lazy("Bitte geben Sie den Wert in dieser Form ein, zum Beispiel %(example)s."),
    "before_other": gettext_lazy("Das Datum darf nicht vor dem Datum „%(other)s“ liegen."),
}

_MEDIA = {
    "application/pdf": "PDF",
    "image/jpeg": "JPEG",
    "image/png": "PNG",
    "image/tiff": "TIFF",
}


def media_names(kinds: tuple[str, ...] | str) -> str:
    """ "PDF, JPEG" for media types."""
    items = kinds.split(",") if isinstance(kinds, str) else list(kinds)
    return ", ".join(_MEDIA.get(kind.strip(), kind.strip()) for kind in items)


def megabytes(size: int) -> str:
    return number_format(size / 1_000_000, decimal_pos=1)


def _params(params: Mapping[str, object]) -> dict[str, object]:
    out: dict[str, object] = dict(params)
    if "max_bytes" in out:
        out["max_mb"] = megabytes(int(str(out["max_bytes"])))
    if "accept" in out:
        out["accept"] = media_names(str(out["accept"]))
    if (get_language() or "de").startswith("en"):  # the definition's English text, where it has one
        for key in ("example", "other"):
            if out.get(f"{key}_en"):
                out[key] = out[f"{key}_en"]
    return out


def message(error: FieldError) -> str:
    """The sentence for one validation problem, in the active language."""
    template = _MESSAGES.get(error.code)
    if template is None:
        return _("Bitte prüfen Sie diese Angabe.")
    text = str(template)
    try:
        return text % _params(error.params) if "%(" in text else text
    except (KeyError, ValueError):
        return text
