"""The English catalogue is complete and its compiled .mo matches the .po."""

import ast
import gettext
from pathlib import Path

from django.conf import settings

LOCALE = Path(settings.SRC_DIR) / "locale" / "en" / "LC_MESSAGES"


def _entries() -> list[dict[str, str]]:
    """Entries of the .po: each a dict of msgid / msgid_plural / msgstr / msgstr[n] and flags."""
    entries: list[dict[str, str]] = []
    for block in (LOCALE / "django.po").read_text(encoding="utf-8").strip().split("\n\n"):
        entry: dict[str, str] = {"flags": ""}
        key = ""
        for line in block.splitlines():
            if line.startswith("#,"):
                entry["flags"] += line[2:]
            elif line.startswith("#"):
                continue
            elif line.startswith('"'):
                entry[key] += ast.literal_eval(line)
            else:
                key, _, value = line.partition(" ")
                entry[key] = ast.literal_eval(value)
        entries.append(entry)
    return [e for e in entries if e.get("msgid")]  # the header has an empty msgid


def test_every_message_has_an_english_translation():
    """No empty and no fuzzy entries: run `make messages` and translate what it adds."""
    untranslated = [
        e["msgid"]
        for e in _entries()
        if "fuzzy" in e["flags"] or not (e.get("msgstr") or (e.get("msgstr[0]") and e.get("msgstr[1]")))
    ]
    assert untranslated == []


def test_compiled_catalogue_matches_the_po_file():
    """The committed .mo was compiled from the current .po (compilemessages was run)."""
    with (LOCALE / "django.mo").open("rb") as handle:
        compiled = gettext.GNUTranslations(handle)
    stale = []
    for entry in _entries():
        context = entry.get("msgctxt")
        if "msgid_plural" in entry:
            args = (entry["msgid"], entry["msgid_plural"], 2)
            found = compiled.npgettext(context, *args) if context else compiled.ngettext(*args)
            expected = entry["msgstr[1]"]
        else:
            found = (
                compiled.pgettext(context, entry["msgid"]) if context else compiled.gettext(entry["msgid"])
            )
            expected = entry["msgstr"]
        if found != expected:
            stale.append(entry["msgid"])
    assert stale == []
