"""Page data computed from the analytics tables, kept per data version (decision 041).

A dashboard, a monitoring table or a pivot is a pure function of the analytics build it reads,
the store's data version (submissions' states, which completeness shows, move it too), the
request's arguments and the language: :func:`cached` keeps what a service computed under a key
made of all of them, in Django's cache (the process's memory by default; Redis when a
deployment sets ``GAOXIN_CACHE_URL``). A new build or any write of values changes the key, so a
page never shows data older than the tables it would read; nothing is invalidated by hand.

What the data version does not cover — a review of an evaluation run or an award entry, a form
assigned — is read live by the services, never kept here.

Once the data is kept, most of a page's CPU is drawing it (the 175-zone ranking, the monitoring
table, the charts' JSON): :func:`rendered` keeps a page's large HTML parts the same way, with the
user's scope in the key, so that a part drawn for one scope is never served to another
(decision 048).
"""

from __future__ import annotations

import contextvars
import hashlib
from collections.abc import Callable, Hashable
from typing import Any, TypeVar

from django.core.cache import cache, caches
from django.core.cache.backends.locmem import LocMemCache
from django.utils import translation
from django.utils.safestring import SafeString, mark_safe

__all__ = ["cached", "kept", "one_stamp_per_request", "rendered", "stamp"]

T = TypeVar("T")
_default_cache = cache
#: A kept value outlives its usefulness once the data version moves (its key is no longer
#: asked for); the timeout only bounds the memory of keys nobody asks for again.
TIMEOUT = 3600
_MISSING = object()
#: In front of a shared cache (Redis, ``GAOXIN_CACHE_URL``): each process's own copy of what
#: it read there (decision 054). A value kept for the whole :data:`TIMEOUT` rests on its key
#: alone (the data version, the build, the scope and the arguments are in it), so a copy is the
#: same value wherever it is read; reading it here spares a request the round trip and the
#: transfer (a dashboard reads five parts). Values with a shorter life (the completeness of 60 s)
#: are always read from the shared cache.
_local = LocMemCache("gaoxin-page-data", {"TIMEOUT": TIMEOUT, "OPTIONS": {"MAX_ENTRIES": 500}})
#: The stamps a request has read (:func:`one_stamp_per_request`); None outside a request.
_STAMPS: contextvars.ContextVar[dict[bool, str | None] | None] = contextvars.ContextVar(
    "page_data_stamps", default=None
)


def stamp(*, preview: bool = False) -> str | None:
    """What every kept value depends on: the current build (its data version and when it was
    built), the store's data version now and the mode. None before the first build (the read
    that follows builds the tables, and nothing is kept)."""
    from gaoxin.statistics import analytics

    memo = _STAMPS.get()
    if memo is not None and preview in memo:
        return memo[preview]
    state = analytics.state(preview=preview)
    if not state.built:
        return None  # not remembered: the read that follows builds the tables
    mode = "preview" if preview else "published"
    found = f"{state.version}@{state.built_at.isoformat()}/{state.data_version}/{mode}"
    if memo is not None:
        memo[preview] = found
    return found


def one_stamp_per_request(get_response):
    """Middleware: a page read (GET or HEAD) takes :func:`stamp` once, so that every part it
    keeps or draws rests on one data version, and the two queries and the build's files are
    read once, not once per part (a dashboard asks five times). A request that writes reads
    the stamp afresh each time, since what it wrote moves it."""

    def middleware(request):
        if request.method not in ("GET", "HEAD"):
            return get_response(request)
        token = _STAMPS.set({})
        try:
            return get_response(request)
        finally:
            _STAMPS.reset(token)

    return middleware


def kept(
    name: str, parts: tuple[Hashable, ...], compute: Callable[[], T], *, timeout: int = TIMEOUT
) -> T:
    """``compute()``'s value for ``name``, ``parts`` and the language (and gaoxin's version),
    computed once and kept ``timeout`` seconds: for what depends on nothing but its parts, such
    as a stored evaluation run, which never changes (decision 014). :func:`cached` is this with
    the data version in the parts."""
    import gaoxin

    raw = repr((gaoxin.__version__, translation.get_language(), parts))
    key = f"gaoxin:page:{name}:{hashlib.sha256(raw.encode()).hexdigest()}"
    local = timeout == TIMEOUT and _shared()
    value = _local.get(key, _MISSING) if local else _MISSING
    if value is not _MISSING:
        return value
    value = cache.get(key, _MISSING)
    if value is _MISSING:
        value = compute()
        cache.set(key, value, timeout)
    if local:
        _local.set(key, value, timeout)
    return value


def _shared() -> bool:
    """Whether the cache is one the processes share (not each process's memory, not off)."""
    from django.core.cache.backends.dummy import DummyCache

    backend = caches["default"] if cache is _default_cache else cache
    return not isinstance(backend, LocMemCache | DummyCache)


def cached(
    name: str,
    parts: tuple[Hashable, ...],
    compute: Callable[[], T],
    *,
    preview: bool,
    timeout: int = TIMEOUT,
) -> T:
    """``compute()``'s value for ``name`` and ``parts`` (the arguments it depends on: periods,
    entity ids, the scope's id, the day, ...) under the current :func:`stamp` and language,
    computed once per data version. ``timeout`` (seconds) shortens the life of a value that
    also rests on something the data version does not cover."""
    where = stamp(preview=preview)
    if where is None:
        return compute()
    return kept(name, (where, *parts), compute, timeout=timeout)


def rendered(
    name: str,
    parts: tuple[Hashable, ...],
    render: Callable[[], str],
    *,
    by: Any,
    preview: bool,
    timeout: int = TIMEOUT,
) -> SafeString:
    """The HTML ``render()`` draws (a template rendered to a string) for ``name`` and ``parts``,
    drawn once per data version, language, mode and scope: the key is :func:`cached`'s plus the
    subtree ``by`` may read (``gaoxin.services.scope_for``), so two users of one province share
    the part and a city's user never gets the province's. ``render`` must draw only what these
    decide — the data kept for the same ``parts`` — never the user's role, the CSRF token or
    anything else of the request."""
    from gaoxin.services import scope_for

    root = scope_for(by)
    scope = None if root is None else root.pk
    html = cached(
        f"html:{name}", (*parts, ("scope", scope)), render, preview=preview, timeout=timeout
    )
    return mark_safe(html)  # noqa: S308 (our own template's output, escaped when drawn)
