"""The NinjaAPI instance and the list of app routers mounted on it."""

from typing import Any

from django.utils.module_loading import import_string
from ninja import NinjaAPI

from . import problems
from .auth import TokenAuth

# (path prefix, dotted path of a ninja Router). Apps add their router here.
ROUTERS: list[tuple[str, str]] = [
    ("", "rathaus.api.me.router"),
    ("", "rathaus.efile.api.router"),
    ("", "rathaus.einvoice.api.router"),
    ("", "rathaus.portal.api.router"),
    ("", "rathaus.payments.api.router"),
    ("", "rathaus.appointments.api.router"),
    ("", "rathaus.registers.api.router"),
]


class RathausAPI(NinjaAPI):
    """The API whose OpenAPI schema also declares every problem+json error an operation can answer."""

    def get_openapi_schema(
        self, *, path_prefix: str | None = None, path_params: dict[str, Any] | None = None
    ):  # type: ignore[override]
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        problems.document_errors(schema)
        return schema


api = RathausAPI(
    title="Rathaus API",
    version="1",
    description=(
        "JSON-API von Rathaus. Authentifizierung mit API-Token (`Authorization: Bearer …`); "
        "Fehler als Problem Details nach RFC 9457 (`application/problem+json`)."
    ),
    auth=TokenAuth(),
    urls_namespace="api",
    docs_url="/docs",
)
problems.install(api)

for prefix, dotted in ROUTERS:
    api.add_router(prefix, import_string(dotted))
