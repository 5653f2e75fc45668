"""``GET /api/v1/efile/search``: the inbox search for scripts, with the same visibility rules."""

import pytest
from django.core.cache import cache

from rathaus.accounts.models import StaffRole
from rathaus.efile import services
from rathaus.efile.models import Case

from .factories import make_case, make_office, make_staff, make_text_pdf
from .test_api import PROBLEM, _headers

pytestmark = pytest.mark.django_db
URL = "/api/v1/efile/search"


@pytest.fixture(autouse=True)
def _clear_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def setting():
    """Two offices; in the first a normal and a confidential case about "Zwergpinscher"."""
    office, elsewhere = make_office(), make_office()
    assignee, colleague = make_staff(office), make_staff(office)
    lead = make_staff(office, role=StaffRole.Role.LEITUNG)
    outsider = make_staff(elsewhere)
    normal = make_case(office, subject="Hundesteuer Zwergpinscher Becker")
    services.document_add(
        case=normal,
        title="Antrag",
        content=make_text_pdf("Zwergpinscher Antrag"),
        filename="a.pdf",
        by=assignee,
    )
    secret = make_case(office, subject="Hundesteuer Zwergpinscher Meyer", assignee=assignee)
    secret.refresh_from_db()
    services.case_confidentiality_set(
        case=secret,
        confidentiality=Case.Confidentiality.VERTRAULICH,
        by=lead,
        expected_version=secret.version,
    )
    make_case(elsewhere, subject="Zwergpinscher im anderen Amt")
    return {"normal": normal, "secret": secret, "assignee": assignee, "colleague": colleague, "lead": lead,
            "outsider": outsider}  # fmt: skip


def _case_ids(client, user, **params):
    response = client.get(URL, {"q": "Zwergpinscher", **params}, headers=_headers(user, ["efile:read"]))
    assert response.status_code == 200, response.content
    return response.json(), {item["case_id"] for item in response.json()["items"]}


def test_the_assignee_and_the_leitung_find_the_confidential_case(client, setting):
    for who in ("assignee", "lead"):
        body, ids = _case_ids(client, setting[who])
        assert ids == {setting["normal"].pk, setting["secret"].pk}, who


def test_a_colleague_finds_only_the_normal_case_and_its_document(client, setting):
    body, ids = _case_ids(client, setting["colleague"])
    assert ids == {setting["normal"].pk}
    kinds = {(item["kind"], item["document_id"] is None) for item in body["items"]}
    assert kinds == {("case", True), ("document", False)}
    document = next(item for item in body["items"] if item["kind"] == "document")
    assert document["aktenzeichen"] == setting["normal"].case_file.aktenzeichen
    assert "<" not in document["snippet"]


def test_staff_of_another_office_find_nothing_of_this_office(client, setting):
    body, ids = _case_ids(client, setting["outsider"])
    assert setting["normal"].pk not in ids and setting["secret"].pk not in ids and len(ids) == 1


def test_results_are_paginated_with_next_offset(client, setting):
    first, _ = _case_ids(client, setting["assignee"], limit=1)
    assert first["total"] == 3 and len(first["items"]) == 1 and first["next_offset"] == 1
    last, _ = _case_ids(client, setting["assignee"], limit=1, offset=2)
    assert len(last["items"]) == 1 and last["next_offset"] is None
    assert first["items"][0] != last["items"][0]


@pytest.mark.parametrize(
    ("params", "needle"),
    [
        ({}, "q"),
        ({"q": ""}, "q"),
        ({"q": "   "}, "Suchtext"),
        ({"q": "x" * 501}, "q"),
        ({"q": "Hund", "limit": 0}, "limit"),
        ({"q": "Hund", "limit": 101}, "limit"),
        ({"q": "Hund", "offset": -1}, "offset"),
        ({"q": "Hund", "limit": "viele"}, "limit"),
    ],
)
def test_bad_input_is_a_clear_problem_not_a_server_error(client, setting, params, needle):
    response = client.get(URL, params, headers=_headers(setting["assignee"], ["efile:read"]))
    assert response.status_code == 422 and response["Content-Type"] == PROBLEM
    assert needle in response.json()["detail"]


@pytest.mark.parametrize("query", ["!!!", "der die das", "\u0000", "a" * 500, "Zwerg* OR 1=1 --", "\"'()"])
def test_odd_queries_give_an_answer_never_a_500(client, setting, query):
    response = client.get(URL, {"q": query}, headers=_headers(setting["assignee"], ["efile:read"]))
    assert response.status_code == 200 or (
        400 <= response.status_code < 500 and response["Content-Type"] == PROBLEM
    ), response.content


def test_the_scope_efile_read_is_needed(client, setting):
    response = client.get(
        URL, {"q": "Zwergpinscher"}, headers=_headers(setting["assignee"], ["einvoice:read"])
    )
    assert response.status_code == 403 and response["Content-Type"] == PROBLEM


def test_the_search_is_documented_in_openapi(client):
    schema = client.get("/api/v1/openapi.json").json()
    operation = schema["paths"]["/api/v1/efile/search"]["get"]
    assert {p["name"] for p in operation["parameters"]} == {"q", "limit", "offset"}
