"""Logging filter that keeps secrets out of log lines.

Redacted before a record is written (message, arguments, exception text and stack):
values of keys that look like secrets (password, token, secret, api key, authorization,
cookie, session id, CSRF token, OTP, OAuth ``code``), also inside quotes, JSON, dict
reprs and headers such as ``HTTP_AUTHORIZATION``; ``Bearer``/``Basic`` credentials; the
password in URLs (``postgres://user:secret@host``). Installed on the console handler in
settings (``LOGGING["filters"]["redact"]``).
"""

import logging
import re

REDACTED = "[redacted]"

_KEY = (
    r"[\w-]*(?:password|passwort|passwd|pwd|token|secret|api[_-]?key|authorization|cookie|sessionid|"
    r"csrf|otp|private[_-]?key|credential)[\w-]*|\bcode\b|\bstate\b|\bnonce\b|code[_-]?verifier"
)
_SECRET_PAIR = re.compile(
    rf"(?i)(?P<key>{_KEY})(?P<close>[\"']?)(?P<sep>\s*[:=]\s*)(?P<quote>[\"']?)"
    r"(?P<scheme>(?:bearer|basic|digest|token)\s+)?"
)
_AUTH_SCHEME = re.compile(r"(?i)\b(bearer|basic|digest)\s+[A-Za-z0-9._~+/=-]{6,}")
_URL_PASSWORD = re.compile(r"(?i)\b([a-z][a-z0-9+.-]*://[^\s/:@]+:)([^\s@/]+)(@)")
_UNQUOTED_VALUE = re.compile(r"[^\s\"'&,;}\]]+")


def _redact_pairs(text: str) -> str:
    out: list[str] = []
    position = 0
    while match := _SECRET_PAIR.search(text, position):
        out.append(text[position : match.end()])
        value_start = match.end()
        quote = match.group("quote")
        if quote:
            line_end = text.find("\n", value_start)
            line_end = len(text) if line_end == -1 else line_end
            value_end = text.find(quote, value_start, line_end)
            value_end = line_end if value_end == -1 else value_end
        else:
            value = _UNQUOTED_VALUE.match(text, value_start)
            value_end = value.end() if value else value_start
        if value_end > value_start:
            out.append(REDACTED)
        position = max(value_end, match.end())
        if position == match.start():  # zero-width safety
            out.append(text[position])
            position += 1
    out.append(text[position:])
    return "".join(out)


def redact(text: str) -> str:
    """Replace secret values in ``text`` by ``[redacted]``."""
    text = _URL_PASSWORD.sub(lambda m: m.group(1) + REDACTED + m.group(3), text)
    text = _AUTH_SCHEME.sub(lambda m: f"{m.group(1)} {REDACTED}", text)
    return _redact_pairs(text)


class RedactSecretsFilter(logging.Filter):
    """Rewrites each record so no handler after it can see a secret."""

    _formatter = logging.Formatter()

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a broken format string: log it unformatted, still redacted
            message = f"{record.msg} {record.args!r}"
        cleaned = redact(message)
        if cleaned != message or record.args:
            record.msg = cleaned
            record.args = None
        if record.exc_info and not record.exc_text:
            record.exc_text = self._formatter.formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        return True
