"""The settings refuse insecure production configurations, and read every variable
docs/operations.md documents."""

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

GOOD_KEY = "k" * 20 + "0123456789abcdefghijklmnopqrstuvwxyz"
OPERATIONS = Path(__file__).resolve().parents[1] / "docs" / "operations.md"
# Everything the production settings demand, with the real payment service and identity provider.
COMPLETE_PRODUCTION = {
    "SECRET_KEY": GOOD_KEY,
    "ALLOWED_HOSTS": "rathaus.example",
    "DATABASE_URL": "postgres://nobody@127.0.0.1:1/none",
    "OIDC_OP_ISSUER": "https://idp.rathaus.example/realms/buerger",
    "OIDC_RP_CLIENT_SECRET": "from-the-environment",
    "RATHAUS_PAYMENT_PROVIDER": "rathaus.payments.providers.XBezahldiensteHttpProvider",
    "RATHAUS_XBEZAHLDIENSTE_URL": "https://epay.bremen.example/api",
    "RATHAUS_XBEZAHLDIENSTE_ORIGINATOR": "bremen",
    "RATHAUS_XBEZAHLDIENSTE_ENDPOINT": "kasse",
    "RATHAUS_XBEZAHLDIENSTE_TOKEN": "issued-by-the-payment-service",
    "AUDIT_CHAIN_KEY": "a-random-key-kept-in-the-secret-store-0123456789",
    "BLOB_ENCRYPTION_KEY": "another-random-key-from-the-secret-store-987654321",
    "RATHAUS_BASE_URL": "https://rathaus.example",
    "RATHAUS_CLAMD": "unix:/run/clamav/clamd.ctl",
}


def _import_production(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    clean = {
        k: v
        for k, v in os.environ.items()
        if k
        not in {
            "SECRET_KEY",
            "DEBUG",
            "ALLOWED_HOSTS",
            "OIDC_OP_ISSUER",
            "DEMO_IDP_ENABLED",
            "RATHAUS_PAYMENT_PROVIDER",
            "RATHAUS_ALLOW_SANDBOX_PAYMENTS",
            "AUDIT_CHAIN_KEY",
            "BLOB_ENCRYPTION_KEY",
            "RATHAUS_XBEZAHLDIENSTE_URL",
            "RATHAUS_XBEZAHLDIENSTE_TOKEN",
            "RATHAUS_BASE_URL",
            "RATHAUS_CLAMD",
            "RATHAUS_ALLOW_NO_MALWARE_SCAN",
        }
    }
    clean.update(env)
    return subprocess.run(  # noqa: S603
        [sys.executable, "-c", "import rathaus.config.settings.production"],
        env=clean,
        capture_output=True,
        text=True,
        check=False,
    )


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"ALLOWED_HOSTS": "rathaus.example", "DATABASE_URL": "postgres://x@h/db"}, "SECRET_KEY"),
        ({"SECRET_KEY": "short", "ALLOWED_HOSTS": "rathaus.example"}, "SECRET_KEY"),
        ({"SECRET_KEY": GOOD_KEY, "DATABASE_URL": "postgres://x@h/db"}, "ALLOWED_HOSTS"),
        (
            {"SECRET_KEY": GOOD_KEY, "ALLOWED_HOSTS": "a", "DEBUG": "1", "DATABASE_URL": "postgres://x@h/db"},
            "DEBUG",
        ),
        ({"SECRET_KEY": GOOD_KEY, "ALLOWED_HOSTS": "a", "DATABASE_URL": "sqlite:////tmp/x.db"}, "PostgreSQL"),
        (
            {"SECRET_KEY": GOOD_KEY, "ALLOWED_HOSTS": "a", "DATABASE_URL": "postgres://x@h/db"},
            "OIDC_OP_ISSUER",
        ),
        (
            {"SECRET_KEY": GOOD_KEY, "ALLOWED_HOSTS": "*", "DATABASE_URL": "postgres://x@h/db"},
            "without '*'",
        ),
        (
            {
                "SECRET_KEY": GOOD_KEY,
                "ALLOWED_HOSTS": ".example.org,*.example.org",
                "DATABASE_URL": "postgres://x@h/db",
            },
            "without '*'",
        ),
        (
            {
                "SECRET_KEY": GOOD_KEY,
                "ALLOWED_HOSTS": "a",
                "DATABASE_URL": "postgres://x@h/db",
                "OIDC_OP_ISSUER": "http://idp.example/realms/buerger",
            },
            "https://",
        ),
        (
            {
                "SECRET_KEY": GOOD_KEY,
                "ALLOWED_HOSTS": "a",
                "DATABASE_URL": "postgres://x@h/db",
                "OIDC_OP_ISSUER": "https://idp.example/realms/buerger",
            },
            "sandbox payment provider",
        ),
        (
            {
                "SECRET_KEY": GOOD_KEY,
                "ALLOWED_HOSTS": "a",
                "DATABASE_URL": "postgres://x@h/db",
                "OIDC_OP_ISSUER": "https://idp.example/realms/buerger",
                "RATHAUS_ALLOW_SANDBOX_PAYMENTS": "1",
                "AUDIT_CHAIN_KEY": "too-short",
            },
            "AUDIT_CHAIN_KEY",
        ),
        (
            {
                "SECRET_KEY": GOOD_KEY,
                "ALLOWED_HOSTS": "a",
                "DATABASE_URL": "postgres://x@h/db",
                "OIDC_OP_ISSUER": "https://idp.example/realms/buerger",
                "RATHAUS_ALLOW_SANDBOX_PAYMENTS": "1",
                "AUDIT_CHAIN_KEY": "a-random-key-kept-in-the-secret-store-0123456789",
            },
            "BLOB_ENCRYPTION_KEY",
        ),
        (
            {
                "SECRET_KEY": GOOD_KEY,
                "ALLOWED_HOSTS": "a",
                "DATABASE_URL": "postgres://x@h/db",
                "OIDC_OP_ISSUER": "https://idp.example/realms/buerger",
                "RATHAUS_PAYMENT_PROVIDER": "rathaus.payments.providers.XBezahldiensteHttpProvider",
                "RATHAUS_XBEZAHLDIENSTE_URL": "http://epay.example/api",
            },
            "RATHAUS_XBEZAHLDIENSTE_URL",
        ),
        # Issue 20, finding 5: links in e-mails need the address people reach the installation at.
        ({**COMPLETE_PRODUCTION, "RATHAUS_BASE_URL": ""}, "RATHAUS_BASE_URL"),
        ({**COMPLETE_PRODUCTION, "RATHAUS_BASE_URL": "http://rathaus.example"}, "RATHAUS_BASE_URL"),
        ({**COMPLETE_PRODUCTION, "RATHAUS_BASE_URL": "https://rathaus.example/termine"}, "RATHAUS_BASE_URL"),
        ({**COMPLETE_PRODUCTION, "RATHAUS_BASE_URL": "rathaus.example"}, "RATHAUS_BASE_URL"),
        # Uploads are opened by staff: production scans every file before storing it (ASVS 5.2.4, L3).
        ({**COMPLETE_PRODUCTION, "RATHAUS_CLAMD": ""}, "RATHAUS_CLAMD"),
    ],
)
def test_production_refuses_insecure_settings(env: dict[str, str], message: str) -> None:
    result = _import_production(env)
    assert result.returncode != 0
    assert message in result.stderr


def test_production_settings_pass_check_deploy(tmp_path) -> None:
    """``check --deploy`` finds nothing with a complete production environment."""
    # DJANGO_ALLOW_ASYNC_UNSAFE is set while browser tests run in the same session; production
    # check --deploy warns about it, and it is not part of a production environment anyway.
    env = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "DJANGO_ALLOW_ASYNC_UNSAFE"}}
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "rathaus.config.settings.production",
            "RATHAUS_VAR_DIR": str(tmp_path),
            **COMPLETE_PRODUCTION,
        }
    )
    result = subprocess.run(  # noqa: S603
        [sys.executable, "-m", "rathaus", "check", "--deploy", "--fail-level", "WARNING"],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


# --- Every documented variable is read (issue 20, finding 6) ---------------------------------

# Records which variables the settings ask django-environ for, then imports settings modules.
READ_PROBE = """
import importlib, json, sys
import environ

read = set()


class Recording(dict):
    def __getitem__(self, key):
        read.add(key)
        return super().__getitem__(key)

    def __contains__(self, key):
        read.add(key)
        return super().__contains__(key)

    def get(self, key, default=None):
        read.add(key)
        return super().get(key, default)


environ.Env.ENVIRON = Recording(environ.Env.ENVIRON)
values = {}
for name in sys.argv[1:]:
    module = importlib.import_module(name)
    values[name] = {"rate": getattr(module, "RATHAUS_API_RATE_PER_MINUTE", None)}
print(json.dumps({"read": sorted(read), "values": values}))
"""
# Read before any settings module, by the `rathaus` command, wsgi.py and asgi.py.
READ_OUTSIDE_SETTINGS = {"DJANGO_SETTINGS_MODULE"}
_NAME = re.compile(r"\b[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+\b")


def _probe_settings(env: dict[str, str], *modules: str) -> dict:
    # Without the machine's own settings (DATABASE_URL, DEBUG …): only ``env`` counts.
    clean = {k: v for k, v in os.environ.items() if not _NAME.fullmatch(k)}
    clean.update(env)
    done = subprocess.run(  # noqa: S603 - our own interpreter
        [sys.executable, "-c", READ_PROBE, *modules],
        env=clean,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def documented_variables() -> set[str]:
    """The variables in the table(s) of "Configuration (environment)" in docs/operations.md: the
    first column's names (``_ADDRESS`` after ``RATHAUS_OPERATOR_NAME`` is RATHAUS_OPERATOR_ADDRESS)
    and those the other columns name (``RATHAUS_ALLOW_SQLITE=1``, ``BLOB_S3_REGION``)."""
    section = OPERATIONS.read_text(encoding="utf-8").split("## Configuration (environment)", 1)[1]
    section = section.split("\n## ", 1)[0]
    names: set[str] = set()
    for line in section.splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")] if line.startswith("|") else []
        if not cells or set(cells[0]) <= {"-", " "} or cells[0] == "variable":
            continue
        full = ""
        for token in re.findall(r"`([^`]+)`", cells[0]):
            full = full.rsplit("_", 1)[0] + token if token.startswith("_") and full else token
            names.add(full)
        for cell in cells[1:]:
            for token in re.findall(r"`([^`]+)`", cell):
                names.update(_NAME.findall(token))
    return names


def test_the_documentation_table_is_read_as_expected() -> None:
    documented = documented_variables()
    assert {
        "RATHAUS_API_RATE_PER_MINUTE",
        "RATHAUS_OPERATOR_ADDRESS",
        "RATHAUS_XBEZAHLDIENSTE_ENDPOINT",
    } <= documented
    assert {"RATHAUS_ALLOW_SQLITE", "BLOB_S3_REGION", "RATHAUS_BASE_URL"} <= documented
    assert not {"HOST", "PORT", "_ADDRESS"} & documented


def test_every_documented_variable_is_read_by_the_settings_and_every_read_one_documented(tmp_path) -> None:
    """A documented variable the settings never read is a dead switch: RATHAUS_API_RATE_PER_MINUTE
    was documented, set to 5, and 600 still applied."""
    modules = ("rathaus.config.settings.production", "rathaus.config.settings.local")
    public_demo = {
        **COMPLETE_PRODUCTION,
        "DATABASE_URL": f"sqlite:///{tmp_path}/demo.sqlite3",
        "RATHAUS_ALLOW_SQLITE": "1",
        "OIDC_OP_ISSUER": "",
        "RATHAUS_ALLOW_DEMO_IDP": "1",
        "RATHAUS_PAYMENT_PROVIDER": "",
        "RATHAUS_ALLOW_SANDBOX_PAYMENTS": "1",
        "BLOB_S3_BUCKET": "rathaus-dokumente",
        "RATHAUS_CLAMD": "",
        "RATHAUS_ALLOW_NO_MALWARE_SCAN": "1",
    }
    public_demo = {k: v for k, v in public_demo.items() if v}
    read: set[str] = set()
    for env in (COMPLETE_PRODUCTION, public_demo):
        read |= set(_probe_settings({**env, "RATHAUS_VAR_DIR": str(tmp_path)}, *modules)["read"])
    documented = documented_variables()
    assert sorted(documented - read - READ_OUTSIDE_SETTINGS) == [], "documented, never read"
    assert sorted(read - documented) == [], "read, not documented in docs/operations.md"


def test_the_api_rate_comes_from_the_environment(tmp_path) -> None:
    env = {**COMPLETE_PRODUCTION, "RATHAUS_VAR_DIR": str(tmp_path)}
    modules = ("rathaus.config.settings.production", "rathaus.config.settings.test")
    default = _probe_settings(env, *modules)["values"]
    assert {values["rate"] for values in default.values()} == {600}
    five = _probe_settings({**env, "RATHAUS_API_RATE_PER_MINUTE": "5"}, *modules)["values"]
    assert {values["rate"] for values in five.values()} == {5}
