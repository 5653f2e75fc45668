"""Enumerate every URL pattern of the project with a concrete example path.

The sweeps in this folder walk ``django.urls.get_resolver()`` instead of a hand-written
list, so a new app's views are covered the day they are mounted.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from django.urls import URLPattern, URLResolver, get_resolver, resolve
from django.urls.converters import IntConverter, UUIDConverter
from django.urls.resolvers import RegexPattern, RoutePattern

_GROUP = re.compile(r"\(\?P<(?P<name>\w+)>")


@dataclass(frozen=True)
class Route:
    route: str  # the pattern as written, e.g. "e-akte/vorgang/<int:case_id>/"
    name: str  # namespaced name, e.g. "efile:case-detail"
    path: str  # a concrete example path, e.g. "/e-akte/vorgang/1/"
    callback: Callable

    @property
    def view(self) -> str:
        cb = self.callback
        return f"{getattr(cb, '__module__', '?')}.{getattr(cb, '__name__', '?')}"

    @property
    def csrf_exempt(self) -> bool:
        return bool(getattr(self.callback, "csrf_exempt", False))


def _sample_route(pattern: RoutePattern) -> str:
    text = str(pattern)
    for name, converter in pattern.converters.items():
        if isinstance(converter, IntConverter):
            value = "1"
        elif isinstance(converter, UUIDConverter):
            value = str(uuid.UUID(int=1))
        else:
            value = "x"
        text = re.sub(rf"<(?:\w+:)?{name}>", value, text)
    return text


def _group_body(source: str, start: int) -> tuple[str, int]:
    """The body of the group opening at ``start`` (index of "(") and the index after it."""
    depth, i = 0, start
    while i < len(source):
        char = source[i]
        if char == "\\":
            i += 2
            continue
        if char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
            if depth == 0:
                return source[start : i + 1], i + 1
        i += 1
    raise ValueError(source)


def _sample_regex(pattern: RegexPattern) -> str:
    source = pattern._regex.removeprefix("^").removesuffix("$").removesuffix(r"\Z")
    out, i = [], 0
    while i < len(source):
        match = _GROUP.match(source, i)
        if match:
            group, i = _group_body(source, i)
            body = group[match.end() - match.start() : -1]
            if re.fullmatch(r"[\w\-]+(\|[\w\-]+)*", body):
                out.append(body.split("|")[0])  # an alternation of literals: take the first
            elif "\\d" in body or "0-9" in body:
                out.append("1")
            else:
                out.append("x")
            continue
        if source[i] == "\\" and i + 1 < len(source):
            out.append(source[i + 1])
            i += 2
            continue
        if source[i] in "?*+":
            i += 1
            continue
        out.append(source[i])
        i += 1
    return "".join(out)


def _sample(pattern) -> str:
    if isinstance(pattern, RoutePattern):
        return _sample_route(pattern)
    return _sample_regex(pattern)


def _walk(patterns, prefix: str, route: str, namespace: str) -> Iterator[Route]:
    for entry in patterns:
        if isinstance(entry, URLResolver):
            ns = namespace + (f"{entry.namespace}:" if entry.namespace else "")
            yield from _walk(
                entry.url_patterns, prefix + _sample(entry.pattern), route + str(entry.pattern), ns
            )
        elif isinstance(entry, URLPattern):
            yield Route(
                route=route + str(entry.pattern),
                name=namespace + (entry.name or ""),
                path="/" + prefix + _sample(entry.pattern),
                callback=entry.callback,
            )


def all_routes() -> list[Route]:
    """Every URL pattern; ``path`` is checked to resolve back to the pattern's own view."""
    return list(_walk(get_resolver().url_patterns, "", "", ""))


def resolves_to_itself(route: Route) -> bool:
    try:
        match = resolve(route.path)
    except Exception:
        return False
    return match.func is route.callback
