"""Settings of the payments app, with the embedded defaults (read at call time, never at import)."""

from __future__ import annotations

import hashlib
import hmac

from django.conf import settings

# The demo cash office account: the well-known valid example IBAN, not a real account.
DEFAULT_IBAN = "DE89370400440532013000"
# Its bank (BLZ 370 400 44) has this BIC; shown and put in the GiroCode with the default IBAN.
DEFAULT_BIC = "COBADEFFXXX"


def payee_name() -> str:
    return getattr(settings, "RATHAUS_PAYMENTS_PAYEE", "Landeshauptkasse Bremen")


def payee_iban() -> str:
    return getattr(settings, "RATHAUS_PAYMENTS_IBAN", DEFAULT_IBAN)


def payee_bic() -> str:
    """The configured BIC; for the demo's default IBAN its bank's BIC; else empty (SEPA
    transfers within the EEA need no BIC, EPC069-12 version 002 allows it empty)."""
    configured = getattr(settings, "RATHAUS_PAYMENTS_BIC", "")
    if not configured and payee_iban() == DEFAULT_IBAN:
        return DEFAULT_BIC
    return configured


def notification_secret() -> bytes:
    secret = (
        getattr(settings, "RATHAUS_PAYMENTS_NOTIFY_SECRET", "") or f"rathaus-sandbox:{settings.SECRET_KEY}"
    )
    return secret.encode("utf-8")


def sandbox_token() -> str:
    """The bearer token the sandbox payment service accepts: ``RATHAUS_SANDBOX_TOKEN`` or one
    derived from ``SECRET_KEY`` (no credential lives in the code)."""
    configured = getattr(settings, "RATHAUS_SANDBOX_TOKEN", "")
    if configured:
        return str(configured)
    digest = hmac.new(settings.SECRET_KEY.encode("utf-8"), b"rathaus-sandbox-token", hashlib.sha256)
    return digest.hexdigest()


def xbezahldienste() -> dict[str, str]:
    """Where the real XBezahldienste payment service is and how Rathaus is registered there."""
    return {
        "base_url": getattr(settings, "RATHAUS_XBEZAHLDIENSTE_URL", ""),
        "originator_id": getattr(settings, "RATHAUS_XBEZAHLDIENSTE_ORIGINATOR", ""),
        "endpoint_id": getattr(settings, "RATHAUS_XBEZAHLDIENSTE_ENDPOINT", ""),
        "token": getattr(settings, "RATHAUS_XBEZAHLDIENSTE_TOKEN", ""),
    }


def provider_path() -> str:
    return getattr(settings, "RATHAUS_PAYMENT_PROVIDER", "rathaus.payments.providers.SandboxProvider")


def camt_batch_size() -> int:
    """Credits of a bank statement booked per transaction (``RATHAUS_PAYMENTS_CAMT_BATCH``)."""
    return max(1, int(getattr(settings, "RATHAUS_PAYMENTS_CAMT_BATCH", 5000)))


def cash_office_slug() -> str:
    return getattr(settings, "RATHAUS_PAYMENTS_CASH_OFFICE", "landeshauptkasse")


def sandbox_enabled() -> bool:
    """The sandbox's pages and API exist only while it is the configured payment service."""
    return provider_path().endswith(".SandboxProvider")
