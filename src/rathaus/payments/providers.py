"""Payment services behind one interface, chosen by ``settings.RATHAUS_PAYMENT_PROVIDER``.

``PaymentProvider`` speaks XBezahldienste messages (``rathaus.domain.payments.xbezahldienste``):
``create`` sends a ``PaymentRequest`` and gets ``PaymentInformation`` with the URL the payer
goes to; ``status`` pulls the current ``PaymentInformation``; ``refund`` pays money back.

* ``SandboxProvider`` — the built-in sandbox service, called in-process (embedded default).
* ``XBezahldiensteHttpProvider`` — any payment service with the XBezahldienste REST
  interface (``POST/GET {base}/paymenttransaction/{originatorId}/{endPointId}[/{transactionId}]``);
  the transport is injectable, the tests point it at the sandbox's HTTP interface.
"""

from __future__ import annotations

import json
import urllib.request
from collections.abc import Callable
from decimal import Decimal
from typing import Any, Protocol

from django.utils.module_loading import import_string

from rathaus.domain.payments import xbezahldienste as xb
from rathaus.kernel.exceptions import RathausError

from . import conf, sandbox

Transport = Callable[[str, str, dict[str, str], bytes | None], tuple[int, bytes]]


class ProviderError(RathausError):
    http_status = 502
    default_code = "payment_provider"
    default_message = "Der Zahlungsdienst ist gerade nicht erreichbar. Bitte versuchen Sie es später erneut."


class PaymentProvider(Protocol):
    name: str

    def create(self, request: xb.PaymentRequest) -> xb.PaymentInformation: ...

    def status(self, transaction_id: str) -> xb.PaymentInformation: ...

    def refund(self, transaction_id: str, amount: Decimal, reference: str) -> str: ...


class SandboxProvider:
    name = "sandbox"

    def create(self, request: xb.PaymentRequest) -> xb.PaymentInformation:
        return sandbox.transaction_create(request)

    def status(self, transaction_id: str) -> xb.PaymentInformation:
        return sandbox.transaction_info(transaction_id)

    def refund(self, transaction_id: str, amount: Decimal, reference: str) -> str:
        return sandbox.transaction_refund(transaction_id, amount, reference)


def _urllib_transport(
    method: str, url: str, headers: dict[str, str], body: bytes | None
) -> tuple[int, bytes]:
    if not url.startswith("https://") and not url.startswith("http://127.0.0.1"):
        raise ProviderError("Zahlungsdienste werden nur über HTTPS angesprochen.")
    request = urllib.request.Request(url, data=body, method=method, headers=headers)  # noqa: S310 (scheme checked)
    with urllib.request.urlopen(request, timeout=15) as response:  # noqa: S310
        return response.status, response.read()


SETTING_NAMES = {
    "base_url": "RATHAUS_XBEZAHLDIENSTE_URL",
    "originator_id": "RATHAUS_XBEZAHLDIENSTE_ORIGINATOR",
    "endpoint_id": "RATHAUS_XBEZAHLDIENSTE_ENDPOINT",
    "token": "RATHAUS_XBEZAHLDIENSTE_TOKEN",
}


class XBezahldiensteHttpProvider:
    name = "xbezahldienste"

    def __init__(
        self,
        *,
        base_url: str,
        originator_id: str,
        endpoint_id: str,
        token: str,
        transport: Transport | None = None,
    ) -> None:
        self.base = f"{base_url.rstrip('/')}/paymenttransaction/{originator_id}/{endpoint_id}"
        self.token = token
        self.transport = transport or _urllib_transport

    @classmethod
    def from_settings(cls) -> XBezahldiensteHttpProvider:
        """The adapter as configured (``RATHAUS_XBEZAHLDIENSTE_URL``, ``_ORIGINATOR``, ``_ENDPOINT``,
        ``_TOKEN``); a missing value is a configuration error, said once at start."""
        values = conf.xbezahldienste()
        missing = [name for name, value in values.items() if not value]
        if missing:
            raise ProviderError(
                "Der Zahlungsdienst (XBezahldienste) ist nicht vollständig eingerichtet: "
                + ", ".join(SETTING_NAMES[name] for name in missing)
                + " fehlt."
            )
        return cls(
            base_url=values["base_url"],
            originator_id=values["originator_id"],
            endpoint_id=values["endpoint_id"],
            token=values["token"],
        )

    def _call(self, method: str, url: str, payload: dict[str, Any] | None = None) -> dict[str, Any]:
        headers = {"Authorization": f"Bearer {self.token}", "Accept": "application/json"}
        body = None
        if payload is not None:
            headers["Content-Type"] = "application/json"
            body = json.dumps(payload).encode("utf-8")
        try:
            status, data = self.transport(method, url, headers, body)
        except OSError as exc:
            raise ProviderError from exc
        if status >= 400:
            raise ProviderError(f"Der Zahlungsdienst antwortete mit HTTP {status}.")
        try:
            parsed = json.loads(data.decode("utf-8"))
        except ValueError:
            raise ProviderError("Der Zahlungsdienst antwortete nicht mit JSON.") from None
        if not isinstance(parsed, dict):
            raise ProviderError("Unerwartete Antwort des Zahlungsdienstes.")
        return parsed

    def _info(self, data: dict[str, Any]) -> xb.PaymentInformation:
        try:
            return xb.PaymentInformation.from_json(data.get("paymentInformation"))
        except xb.MessageError as exc:
            raise ProviderError(str(exc)) from exc

    def create(self, request: xb.PaymentRequest) -> xb.PaymentInformation:
        return self._info(self._call("POST", self.base, request.to_json()))

    def status(self, transaction_id: str) -> xb.PaymentInformation:
        return self._info(self._call("GET", f"{self.base}/{transaction_id}"))

    def refund(self, transaction_id: str, amount: Decimal, reference: str) -> str:
        # Not part of XBezahldienste (see docs/payments.md); the sandbox offers it.
        data = self._call(
            "POST",
            f"{self.base}/{transaction_id}/refund",
            {"amount": f"{amount:.2f}", "reference": reference},
        )
        return str(data.get("refundId", ""))


def get_provider() -> PaymentProvider:
    kind = import_string(conf.provider_path())
    factory = getattr(kind, "from_settings", None)
    provider: PaymentProvider = factory() if factory else kind()
    return provider
