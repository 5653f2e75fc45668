"""After a session expired, login leads back to a page, never to a POST-only address
(issue 10, item 2: 'login returns to next=…/bestellen/, which only accepts POST: a blank 405')."""

import re
from urllib.parse import parse_qs, urlsplit

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def _next_of(response) -> str:
    assert response.status_code == 302, response.status_code
    return parse_qs(urlsplit(response["Location"]).query)["next"][0]


def test_expired_session_on_a_staff_form_returns_to_the_page_it_was_posted_from(client):
    case_page = "/e-akte/vorgang/7/?tab=notizen"
    response = client.post(
        reverse("efile:case-note", kwargs={"case_id": 7}),
        {"text": "Notiz"},
        headers={"Referer": f"http://testserver{case_page}"},
    )
    assert _next_of(response) == case_page


@pytest.mark.parametrize("referer", ["", "https://evil.example/e-akte/", "javascript:alert(1)"])
def test_without_a_page_of_this_site_to_return_to_login_leads_to_the_start_page(client, referer):
    headers = {"Referer": referer} if referer else {}
    response = client.post(reverse("efile:case-note", kwargs={"case_id": 7}), {"text": "x"}, headers=headers)
    assert _next_of(response) == reverse("portal:account")


def test_a_get_keeps_its_own_address(client):
    response = client.get("/e-akte/vorgang/7/?tab=verlauf")
    assert _next_of(response) == "/e-akte/vorgang/7/?tab=verlauf"


def test_every_next_after_a_post_to_a_staff_address_is_a_page_that_answers_get(client):
    """Walk all URL patterns: wherever a logged-out POST is sent to the staff login, the ``next``
    it carries is an address that accepts GET (here: the start page, no Referer sent)."""
    from django.urls import get_resolver

    def walk(patterns, prefix=""):
        for pattern in patterns:
            if hasattr(pattern, "url_patterns"):
                yield from walk(pattern.url_patterns, prefix + str(pattern.pattern))
            else:
                yield prefix + str(pattern.pattern)

    checked = 0
    for route in walk(get_resolver().url_patterns):
        if route.startswith(("admin/", "api/", "demo-idp/", "i18n/")) or "^" in route:
            continue
        path = re.sub(r"<[^>]+>", "x", re.sub(r"<int:\w+>", "1", route))
        response = client.post("/" + path)
        location = response.get("Location", "")
        if response.status_code == 302 and "/anmelden/mitarbeitende/?next=" in location:
            checked += 1
            target = _next_of(response)
            assert client.get(target).status_code != 405, (route, target)
    assert checked > 5
