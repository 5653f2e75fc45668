"""/api/v1/docs works under the site's Content-Security-Policy (issue 11, finding 8)."""

import pytest

from .conftest import screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_api_docs_render_with_the_real_csp_and_no_outside_assets(new_page, live_server):
    page = new_page()
    problems: list[str] = []
    outside: list[str] = []
    page.on("console", lambda message: problems.append(message.text) if message.type == "error" else None)
    page.on(
        "request",
        lambda request: None if request.url.startswith(live_server.url) else outside.append(request.url),
    )
    page.goto("/api/v1/docs")
    # Swagger UI has loaded the schema and lists the operations.
    page.locator(".swagger-ui .opblock").first.wait_for()
    screenshot(page, "api-docs")
    assert page.locator(".swagger-ui .info .title").inner_text().startswith("Rathaus API")
    assert outside == []
    assert [p for p in problems if "Content Security Policy" in p or "Refused" in p] == []
