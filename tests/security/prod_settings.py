"""Read settings of the production module in a fresh interpreter (the module refuses
insecure environments at import time, so it cannot be imported into the test process)."""

import json
import os
import subprocess
import sys

GOOD_ENV = {
    "SECRET_KEY": "k" * 20 + "0123456789abcdefghijklmnopqrstuvwxyz",
    "ALLOWED_HOSTS": "rathaus.example",
    "DATABASE_URL": "postgres://rathaus@db.example/rathaus",
    "OIDC_OP_ISSUER": "https://idp.example/realms/buerger",
    "OIDC_RP_CLIENT_SECRET": "s" * 32,
    "AUDIT_CHAIN_KEY": "a" * 64,
    "BLOB_ENCRYPTION_KEY": "b" * 64,
    "RATHAUS_PAYMENT_PROVIDER": "xbezahldienste",
    "RATHAUS_XBEZAHLDIENSTE_URL": "https://epay.example/api",
    "RATHAUS_XBEZAHLDIENSTE_TOKEN": "t" * 32,
    "DEMO_IDP_ENABLED": "0",
    "OIDC_RSA_PRIVATE_KEY": "",
    "RATHAUS_BASE_URL": "https://rathaus.example",
    "RATHAUS_CLAMD": "unix:/run/clamav/clamd.ctl",
}


def production_settings(names: list[str], **env: str) -> dict:
    clean = {k: v for k, v in os.environ.items() if k not in GOOD_ENV and k != "DEBUG"}
    clean.update(GOOD_ENV)
    clean.update(env)
    clean["DJANGO_SETTINGS_MODULE"] = "rathaus.config.settings.production"
    code = (
        "import json, sys\n"
        "import rathaus.config.settings.production as s\n"
        f"names = {names!r}\n"
        "print(json.dumps({n: getattr(s, n, None) for n in names}, default=str))\n"
    )
    result = subprocess.run(  # noqa: S603
        [sys.executable, "-c", code], env=clean, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr[-2000:]
    return json.loads(result.stdout.strip().splitlines()[-1])
