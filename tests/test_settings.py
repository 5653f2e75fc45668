"""The settings refuse insecure production configurations."""

import os
import subprocess
import sys

import pytest

GOOD_KEY = "k" * 20 + "0123456789abcdefghijklmnopqrstuvwxyz"


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
            "SECRET_KEY": GOOD_KEY,
            "ALLOWED_HOSTS": "rathaus.example",
            "DATABASE_URL": "postgres://nobody@127.0.0.1:1/none",
            "RATHAUS_VAR_DIR": str(tmp_path),
            "OIDC_OP_ISSUER": "https://idp.rathaus.example/realms/buerger",
            "OIDC_RP_CLIENT_SECRET": "from-the-environment",
            "RATHAUS_PAYMENT_PROVIDER": "rathaus.payments.providers.XBezahldiensteHttpProvider",
            "RATHAUS_XBEZAHLDIENSTE_URL": "https://epay.bremen.example/api",
            "RATHAUS_XBEZAHLDIENSTE_ORIGINATOR": "bremen",
            "RATHAUS_XBEZAHLDIENSTE_ENDPOINT": "kasse",
            "RATHAUS_XBEZAHLDIENSTE_TOKEN": "issued-by-the-payment-service",
            "AUDIT_CHAIN_KEY": "a-random-key-kept-in-the-secret-store-0123456789",
            "BLOB_ENCRYPTION_KEY": "another-random-key-from-the-secret-store-987654321",
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
