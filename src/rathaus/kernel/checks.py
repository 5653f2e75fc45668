"""Deployment checks of the whole installation, run by ``rathaus check --deploy``
(docs/operations.md); registered when the kernel app is ready.

- ``kernel.E001``: a template (``{% static "…" %}``) or our Python code (``static("…")``,
  ``staticfiles_storage.url("…")``) names a static file that no staticfiles finder has. With the
  manifest storage of production every page showing it would answer 500.
- ``kernel.E002``: the static files were collected (``staticfiles.json`` exists), but that
  manifest lacks such a file: ``collectstatic`` was not run after the release that added it.
- ``kernel.E003``: ``RATHAUS_BASE_URL`` is not an https:// address, so links in e-mails would lack
  their host or lead elsewhere (production settings refuse to start without it anyway).

``collectstatic`` checks the same references against the files it collected
(``kernel.staticfiles.CheckedManifestStaticFilesStorage``).
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from django.contrib.staticfiles.storage import ManifestFilesMixin, staticfiles_storage
from django.core.checks import CheckMessage, Error, Tags, register
from django.template import engines
from django.template.backends.django import DjangoTemplates

from . import urls

__all__ = ["missing_static_files", "site_url_check", "static_file_references", "static_files_check"]

_STATIC_TAG = re.compile(
    r"""\{%\s*static\s+(?P<quote>['"])(?P<path>[^'"{}%]+)(?P=quote)(?:\s+as\s+\w+)?\s*%\}"""
)
_COMMENTS = re.compile(r"\{#.*?#\}|\{%\s*comment\b.*?%\}.*?\{%\s*endcomment\s*%\}", re.DOTALL)
_STATIC_MODULE = "django.templatetags.static"

# static file path -> where it is named ("appointments/search.html", "src/…/views.py:12")
References = dict[str, list[str]]


def _template_dirs() -> list[Path]:
    dirs: list[Path] = []
    for engine in engines.all():
        if isinstance(engine, DjangoTemplates):
            dirs += [Path(d) for d in engine.template_dirs]
    return list(dict.fromkeys(dirs))


def _template_references(found: References) -> None:
    for directory in _template_dirs():
        for file in sorted(p for p in directory.rglob("*") if p.is_file()):
            text = _COMMENTS.sub("", file.read_text(encoding="utf-8", errors="replace"))
            for match in _STATIC_TAG.finditer(text):
                found.setdefault(match["path"], []).append(file.relative_to(directory).as_posix())


def _literal_calls(tree: ast.AST) -> Iterable[tuple[str, int]]:
    """Literal first arguments of ``static(…)`` (imported from django.templatetags.static) and of
    ``staticfiles_storage.url(…)``."""
    names = {
        alias.asname or alias.name
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom) and node.module == _STATIC_MODULE
        for alias in node.names
        if alias.name == "static"
    }
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call) or not node.args:
            continue
        func, first = node.func, node.args[0]
        named = isinstance(func, ast.Name) and func.id in names
        storage_url = (
            isinstance(func, ast.Attribute)
            and func.attr == "url"
            and isinstance(func.value, ast.Name)
            and func.value.id == "staticfiles_storage"
        )
        if (named or storage_url) and isinstance(first, ast.Constant) and isinstance(first.value, str):
            yield first.value, node.lineno


def _python_references(found: References) -> None:
    root = Path(settings.SRC_DIR)
    for file in sorted(root.rglob("*.py")):
        if {"tests", "migrations"} & set(file.relative_to(root).parts):
            continue
        text = file.read_text(encoding="utf-8")
        if _STATIC_MODULE not in text and "staticfiles_storage" not in text:
            continue
        for path, line in _literal_calls(ast.parse(text, filename=str(file))):
            found.setdefault(path, []).append(f"{file.relative_to(root.parent)}:{line}")


def static_file_references() -> References:
    """Every static file named literally in a template of any installed app or template directory,
    or in our Python code; with the places that name it."""
    found: References = {}
    _template_references(found)
    _python_references(found)
    return found


def _clean(path: str) -> str:
    """As the storage looks it up: without query and fragment ("font.woff2?v=2#x")."""
    return urlsplit(unquote(path)).path.strip()


def missing_static_files(references: References, available: Mapping[str, Any] | None = None) -> References:
    """The references no finder has (``available`` None), or that ``available`` (a manifest's
    paths) lacks."""
    if available is None:
        return {path: places for path, places in references.items() if not finders.find(_clean(path))}
    return {path: places for path, places in references.items() if _clean(path) not in available}


def _places(places: list[str]) -> str:
    shown = ", ".join(dict.fromkeys(places))
    return shown if len(shown) <= 300 else shown[:297] + "…"


def _collected_manifest() -> Mapping[str, Any] | None:
    """The paths of the collected manifest, or None without a manifest storage or before collecting."""
    storage = staticfiles_storage
    if not isinstance(storage, ManifestFilesMixin) or storage.read_manifest() is None:
        return None
    paths, _hash = storage.load_manifest()
    return dict(paths)


@register(Tags.staticfiles, deploy=True)
def static_files_check(app_configs: object = None, **kwargs: object) -> list[CheckMessage]:
    references = static_file_references()
    errors: list[CheckMessage] = [
        Error(
            f"Die statische Datei „{path}“ fehlt (verwendet in {_places(places)}).",
            hint="Unter Produktionseinstellungen antwortet jede Seite, die sie einbindet, mit 500. "
            "Datei anlegen oder den Verweis korrigieren; fehlen Dateien unter vendor/: "
            "`npm ci` und `rathaus vendor_assets` ausführen (make install).",
            obj=path,
            id="kernel.E001",
        )
        for path, places in sorted(missing_static_files(references).items())
    ]
    manifest = _collected_manifest()
    if manifest is not None:
        absent = missing_static_files(references, manifest)
        errors += [
            Error(
                f"Die statische Datei „{path}“ fehlt in den gesammelten Dateien (staticfiles.json; "
                f"verwendet in {_places(places)}).",
                hint="`rathaus collectstatic --no-input` nach jedem Update ausführen.",
                obj=path,
                id="kernel.E002",
            )
            for path, places in sorted(absent.items())
        ]
    return errors


@register(Tags.security, deploy=True)
def site_url_check(app_configs: object = None, **kwargs: object) -> list[CheckMessage]:
    if urls.is_production_site_address(str(getattr(settings, "RATHAUS_BASE_URL", "") or "")):
        return []
    return [
        Error(
            "RATHAUS_BASE_URL ist keine https://-Adresse ohne Pfad: Links in E-Mails hätten keinen "
            "oder einen falschen Host.",
            hint="RATHAUS_BASE_URL auf die Adresse setzen, unter der Rathaus erreichbar ist, "
            "z. B. https://service.bremen.example (docs/operations.md).",
            id="kernel.E003",
        )
    ]
