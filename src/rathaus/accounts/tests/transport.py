"""A ``requests`` transport adapter that hands requests to Django's test client in-process.

The relying party calls the OpenID provider server-to-server. In tests the provider is the
demo IdP inside the same Django, so instead of opening a socket the request goes through
Django's test client (same database connection and transaction as the test). Nothing of
Rathaus is replaced: the IdP's real views answer.
"""

from urllib.parse import urlsplit

import requests
from requests.adapters import BaseAdapter
from requests.structures import CaseInsensitiveDict

_NOT_FORWARDED = {"host", "content-length", "content-type"}


class DjangoTestClientAdapter(BaseAdapter):
    def send(self, request, stream=False, timeout=None, verify=True, cert=None, proxies=None):  # noqa: ARG002
        from django.test import Client

        url = urlsplit(request.url)
        path = url.path + (f"?{url.query}" if url.query else "")
        headers = {k: v for k, v in request.headers.items() if k.lower() not in _NOT_FORWARDED}
        body = request.body or b""
        if isinstance(body, str):
            body = body.encode()
        answer = Client().generic(
            request.method,
            path,
            data=body,
            content_type=request.headers.get("Content-Type", "application/octet-stream"),
            secure=url.scheme == "https",
            headers=headers,
            HTTP_HOST=url.netloc,
        )
        response = requests.Response()
        response.status_code = answer.status_code
        response.headers = CaseInsensitiveDict(answer.items())
        response._content = answer.content
        response.encoding = "utf-8"
        response.url = request.url
        response.request = request
        return response

    def close(self) -> None:
        pass
