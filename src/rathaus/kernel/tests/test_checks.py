"""The deployment checks (``rathaus check --deploy``) and collectstatic name every static file a
template refers to that is not there (issue 20, finding 7: production answered 500 on /termine/
when a front-end asset was missing from the collected static files), and a missing site address."""

import json
from pathlib import Path

import pytest
from django.core.checks import Tags, run_checks
from django.core.management import call_command
from django.core.management.base import CommandError

from rathaus.kernel import checks

PAGE = """{% load static %}<!doctype html>
<link rel="stylesheet" href="{% static 'css/app.css' %}">
<script src="{% static "vendor/htmx/gibt-es-nicht.min.js" %}" defer></script>
{# <script src="{% static 'nur/im-kommentar.js' %}"></script> #}
{% comment %}{% static 'auch/im-kommentar.js' %}{% endcomment %}
"""


def _with_template_dir(settings, directory: Path, *, app_dirs: bool = True) -> None:
    engine = dict(settings.TEMPLATES[0])
    # Only ``directory`` without the apps' templates; else before the product's own.
    engine["DIRS"] = [directory, *engine["DIRS"]] if app_dirs else [directory]
    engine["APP_DIRS"] = app_dirs
    settings.TEMPLATES = [engine]


def _errors(**options):
    return [m for m in run_checks(tags=[Tags.staticfiles], **options) if m.id and m.id.startswith("kernel.")]


@pytest.fixture
def page_dir(tmp_path, settings):
    templates = tmp_path / "templates"
    (templates / "seiten").mkdir(parents=True)
    (templates / "seiten" / "start.html").write_text(PAGE)
    _with_template_dir(settings, templates)
    return templates


def test_a_template_naming_a_missing_static_file_fails_the_deploy_check(page_dir):
    errors = _errors(include_deployment_checks=True)
    assert [(e.id, e.obj) for e in errors] == [("kernel.E001", "vendor/htmx/gibt-es-nicht.min.js")]
    assert "„vendor/htmx/gibt-es-nicht.min.js“" in errors[0].msg
    assert "seiten/start.html" in errors[0].msg
    assert "vendor_assets" in errors[0].hint


def test_the_static_file_check_is_a_deployment_check(page_dir):
    """Not on every command (migrate, worker): a missing stylesheet must not stop them."""
    assert _errors() == []


def test_every_static_file_the_product_refers_to_is_there():
    references = checks.static_file_references()
    assert "appointments/pow.js" in references and "vendor/htmx/htmx.min.js" in references
    assert "admin/css/base.css" in references  # installed apps' templates are read too
    assert checks.missing_static_files(references) == {}


def test_literal_static_calls_in_python_are_checked(tmp_path, settings):
    source = tmp_path / "src" / "rathaus"
    (source / "portal").mkdir(parents=True)
    (source / "portal" / "views.py").write_text(
        "from django.templatetags.static import static as asset\n"
        "from django.contrib.staticfiles.storage import staticfiles_storage\n\n"
        "LOGO = asset('img/fehlt.svg')\n"
        "ICON = staticfiles_storage.url('img/favicon.svg')\n"
        "DYNAMIC = asset(LOGO)\n"
    )
    settings.SRC_DIR = source
    references = checks.static_file_references()
    assert references["img/fehlt.svg"] == ["rathaus/portal/views.py:4"]
    assert "rathaus/portal/views.py:5" in references["img/favicon.svg"]  # there, and in base.html
    assert list(checks.missing_static_files(references)) == ["img/fehlt.svg"]


def _manifest_storage(settings, root: Path) -> None:
    settings.STATIC_ROOT = root
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"},
    }


def test_a_collected_manifest_without_a_referred_file_fails_the_deploy_check(tmp_path, settings):
    """Collected before the release that added the file: the page would answer 500."""
    root = tmp_path / "static"
    root.mkdir()
    _manifest_storage(settings, root)
    assert _errors(include_deployment_checks=True) == []  # not collected yet: only the finders count
    paths = {path: path for path in checks.static_file_references() if path != "appointments/pow.js"}
    (root / "staticfiles.json").write_text(json.dumps({"version": "1.1", "paths": paths, "hash": "x"}))
    errors = _errors(include_deployment_checks=True)
    assert [(e.id, e.obj) for e in errors] == [("kernel.E002", "appointments/pow.js")]
    assert "appointments/search.html" in errors[0].msg and "collectstatic" in errors[0].hint


def test_collectstatic_fails_naming_the_missing_file_and_its_template(tmp_path, settings):
    """The production storage checks the references against what it has just collected."""
    templates, source = tmp_path / "templates", tmp_path / "static-source"
    templates.mkdir()
    source.mkdir()
    (source / "app.css").write_text("body { color: black; }\n")
    (templates / "seite.html").write_text("{% load static %}{% static 'app.css' %}{% static 'fehlt.js' %}")
    _with_template_dir(settings, templates, app_dirs=False)
    settings.SRC_DIR = tmp_path / "no-python"
    settings.STATICFILES_DIRS = [source]
    settings.STATICFILES_FINDERS = ["django.contrib.staticfiles.finders.FileSystemFinder"]
    settings.STATIC_ROOT = tmp_path / "collected"
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "rathaus.kernel.staticfiles.CheckedManifestStaticFilesStorage"},
    }
    with pytest.raises(CommandError, match=r"fehlt\.js \(verwendet in seite\.html\)"):
        call_command("collectstatic", "--no-input", verbosity=0)
    (source / "fehlt.js").write_text("// da\n")
    call_command("collectstatic", "--no-input", verbosity=0)
    assert "fehlt.js" in json.loads((tmp_path / "collected" / "staticfiles.json").read_text())["paths"]


@pytest.mark.parametrize(
    ("value", "fails"),
    [("", True), ("http://service.bremen.example", True), ("https://service.bremen.example", False)],
)
def test_the_deploy_check_names_a_missing_site_address(settings, value, fails):
    settings.RATHAUS_BASE_URL = value
    found = [
        m for m in run_checks(include_deployment_checks=True, tags=[Tags.security]) if m.id == "kernel.E003"
    ]
    assert bool(found) is fails
    if fails:
        assert "RATHAUS_BASE_URL" in found[0].msg
