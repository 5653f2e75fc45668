"""Secrets never reach the log: the redaction filter on real log records."""

import logging

import pytest

from rathaus.kernel.logging import RedactSecretsFilter, redact


@pytest.mark.parametrize(
    ("line", "secret"),
    [
        ("login failed password=hunter2 user=anna", "hunter2"),
        ('{"password": "two words here", "user": "anna"}', "two words"),
        ("{'HTTP_AUTHORIZATION': 'Bearer eyJhbGciOiJSUzI1NiJ9.payload.sig'}", "eyJhbGci"),
        ('{"Authorization": "Basic dXNlcjpwYXNz"}', "dXNlcjpwYXNz"),
        ("Authorization: Bearer abcdefghijkl", "abcdefghijkl"),
        ("Cookie: sessionid=abc123xyz; csrftoken=tok987", "abc123xyz"),
        ("Cookie: sessionid=abc123xyz; csrftoken=tok987", "tok987"),
        ("GET /callback?code=SplxlOBeZQQYbYS6WxSbIA&state=af0ifjsldkj", "SplxlOBeZQQYbYS6WxSbIA"),
        ("client_secret=s3cr3t&grant_type=authorization_code", "s3cr3t"),
        ("DATABASE_URL=postgres://rathaus:pg-pass@db:5432/rathaus", "pg-pass"),
        ("X-Api-Key: KEY-123-456", "KEY-123-456"),
        ("refresh_token: 'rt-value'", "rt-value"),
        ("otp=123456", "123456"),
    ],
)
def test_secret_values_are_redacted(line, secret):
    """The value is replaced, the key stays so the line still makes sense."""
    cleaned = redact(line)
    assert secret not in cleaned
    assert "[redacted]" in cleaned


@pytest.mark.parametrize("line", ["Postleitzahl 28195, zip code 28195", "Antrag 42 angelegt von anna", ""])
def test_ordinary_text_is_left_alone(line):
    """No false alarms on everyday text."""
    assert redact(line) == line


def _record(message, *args, exc_info=None):
    return logging.LogRecord("test", logging.ERROR, __file__, 1, message, args, exc_info)


def test_filter_redacts_formatted_arguments():
    """Secrets passed as %-arguments are caught after formatting."""
    record = _record("Anmeldung mit %s fehlgeschlagen", "password=hunter2")
    assert RedactSecretsFilter().filter(record) is True
    assert "hunter2" not in record.getMessage()


def test_filter_redacts_exception_text():
    """An exception message carrying a token is redacted in the traceback too."""
    try:
        raise RuntimeError("upstream said: access_token=abc.def.ghi")
    except RuntimeError:
        import sys

        record = _record("call failed", exc_info=sys.exc_info())
    RedactSecretsFilter().filter(record)
    formatted = logging.Formatter().format(record)
    assert "abc.def.ghi" not in formatted
    assert "RuntimeError" in formatted


def test_configured_handler_writes_no_secret(caplog, capsys):
    """Through the project's LOGGING config (console handler with the filter)."""
    logger = logging.getLogger("rathaus.test.redaction")
    handler = logging.StreamHandler()
    handler.addFilter(RedactSecretsFilter())
    logger.addHandler(handler)
    try:
        logger.error("Header %r", {"Authorization": "Bearer verysecrettokenvalue"})
    finally:
        logger.removeHandler(handler)
    assert "verysecrettokenvalue" not in capsys.readouterr().err
