"""The OpenAPI schema declares the problem+json errors each operation can answer (issue 11, finding 10)."""

import pytest

PROBLEM_REF = {"$ref": "#/components/schemas/Problem"}


@pytest.fixture(scope="module")
def schema(django_db_blocker):
    from django.test import Client

    with django_db_blocker.unblock():
        return Client().get("/api/v1/openapi.json").json()


def _operations(schema):
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            yield f"{method.upper()} {path}", method, operation


def test_every_operation_declares_its_errors_as_problem_details(schema):
    assert schema["components"]["schemas"]["Problem"]["required"] == ["type", "title", "status", "detail"]
    missing = []
    for name, method, operation in _operations(schema):
        expected = {"400", "500"}
        if operation.get("security"):
            expected |= {"401", "403", "429"}
        if operation.get("parameters") or operation.get("requestBody"):
            expected.add("422")
        if any(p["in"] == "path" for p in operation.get("parameters", [])):
            expected.add("404")
        if method in {"post", "put", "patch", "delete"}:
            expected.add("409")
        for status in sorted(expected):
            response = operation["responses"].get(status)
            if (
                not response
                or response.get("content", {}).get("application/problem+json", {}).get("schema")
                != PROBLEM_REF
            ):
                missing.append(f"{name} {status}")
    assert missing == []


def test_success_responses_are_left_as_the_apps_declared_them(schema):
    me = schema["paths"]["/api/v1/me"]["get"]["responses"]
    assert "application/json" in me["200"]["content"]
    assert me["200"]["content"]["application/json"]["schema"] != PROBLEM_REF


def test_errors_found_by_the_fuzzer_are_declared(schema):
    """Statuses schemathesis saw undeclared (suite 2): 404 for an object named in a parameter or
    the body (office_id, office, service), 429 for public operations throttled per address,
    413 for every write, 415 for file uploads, 422 for the
    raw XML body of an e-invoice, and 403 for a badly signed payment notification."""
    paths = schema["paths"]
    assert "404" in paths["/api/v1/efile/cases"]["get"]["responses"]
    assert "404" in paths["/api/v1/efile/cases"]["post"]["responses"]
    assert "404" in paths["/api/v1/payments/claims"]["post"]["responses"]
    assert {"404", "429"} <= paths["/api/v1/appointments/availability"]["get"]["responses"].keys()
    assert "413" in paths["/api/v1/payments/claims"]["post"]["responses"]
    assert "415" in paths["/api/v1/efile/cases/{case_id}/documents"]["post"]["responses"]
    submit = paths["/api/v1/einvoices"]["post"]
    assert "application/xml" in submit["requestBody"]["content"]
    assert {"413", "422"} <= submit["responses"].keys()
    notification = paths["/api/v1/payments/notifications"]["post"]["responses"]
    for status in ("403", "404", "422"):
        assert notification[status]["content"]["application/problem+json"]["schema"] == PROBLEM_REF
