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

A value not yet kept is computed once however many readers ask for it at the same moment
(decision 064): the first takes a lock in the cache (``cache.add``, which Redis answers for
every process), the others wait up to :data:`WAIT_SECONDS` for its value and compute it
themselves only when it has not come by then; a lock left by a reader that died expires after
:data:`LOCK_SECONDS`.
"""

from __future__ import annotations

import contextlib
import contextvars
import hashlib
import time
import uuid
from collections.abc import Callable, Hashable, Iterator
from typing import Any, TypeVar

from django.core.cache import cache, caches
from django.core.cache.backends.locmem import LocMemCache
from django.utils import translation
from django.utils.safestring import SafeString, mark_safe

__all__ = ["cached", "kept", "one_stamp_per_request", "pinned", "rendered", "shared", "stamp"]

T = TypeVar("T")
_default_cache = cache
#: A kept value outlives its usefulness once the data version moves (its key is no longer
#: asked for); the timeout only bounds the memory of keys nobody asks for again.
TIMEOUT = 3600
_MISSING = object()
#: How long a reader that finds another computing the same value waits for it (single flight,
#: decision 064) before computing it itself: a city's dashboard is 0.2 s of CPU, the country's
#: 1.1–1.4 s; a holder slower than this under load is not waited for any longer.
WAIT_SECONDS = 3.0
#: How long a lock lives at most: a reader that died computing (a killed process) blocks no one
#: longer than this, and the readers meanwhile wait :data:`WAIT_SECONDS` at most.
LOCK_SECONDS = 10
#: How often a waiting reader looks for the value.
POLL_SECONDS = 0.02
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


@contextlib.contextmanager
def pinned() -> Iterator[None]:
    """Inside, :func:`stamp` is read once per mode and every value kept or drawn rests on it
    (what a page request does, :func:`one_stamp_per_request`; the warm-up after a build pins
    one place at a time)."""
    token = _STAMPS.set({})
    try:
        yield
    finally:
        _STAMPS.reset(token)


def one_stamp_per_request(get_response):
    """Middleware: a page read (GET or HEAD) takes :func:`stamp` once, so that every part it
    keeps or draws rests on one data version, and the two queries and the build's files are
    read once, not once per part (a dashboard asks five times). A request that writes reads
    the stamp afresh each time, since what it wrote moves it."""

    def middleware(request):
        if request.method not in ("GET", "HEAD"):
            return get_response(request)
        with pinned():
            return get_response(request)

    return middleware


def kept(
    name: str, parts: tuple[Hashable, ...], compute: Callable[[], T], *, timeout: int = TIMEOUT
) -> T:
    """``compute()``'s value for ``name``, ``parts`` and the language (and gaoxin's version),
    computed once and kept ``timeout`` seconds: for what depends on nothing but its parts, such
    as a stored evaluation run, which never changes (decision 014). :func:`cached` is this with
    the data version in the parts."""
    key = key_of(name, parts)
    local = timeout == TIMEOUT and _shared()
    value = _local.get(key, _MISSING) if local else _MISSING
    if value is not _MISSING:
        return value
    value = cache.get(key, _MISSING)
    if value is _MISSING:
        value = _compute_once(key, compute, timeout)
    if local:
        _local.set(key, value, timeout)
    return value


def key_of(name: str, parts: tuple[Hashable, ...]) -> str:
    """The cache key of :func:`kept`'s ``name`` and ``parts`` in the language now active."""
    import gaoxin

    raw = repr((gaoxin.__version__, translation.get_language(), parts))
    return f"gaoxin:page:{name}:{hashlib.sha256(raw.encode()).hexdigest()}"


def _compute_once(key: str, compute: Callable[[], T], timeout: int) -> T:
    """``compute()``'s value, kept under ``key``, computed by one reader at a time (decision
    064): the reader that takes the lock computes and keeps it; another waits for it up to
    :data:`WAIT_SECONDS`, and computes it itself when the holder is too slow or gave up (its
    lock gone without a value: ``compute`` raised, or the lock expired). A failure is never
    kept, so each waiter then meets it itself."""
    lock = f"{key}:lock"
    token = uuid.uuid4().hex
    if not cache.add(lock, token, LOCK_SECONDS):
        deadline = time.monotonic() + WAIT_SECONDS
        while time.monotonic() < deadline:
            time.sleep(POLL_SECONDS)
            value = cache.get(key, _MISSING)
            if value is not _MISSING:
                return value
            # the holder failed, or its lock expired: take it over
            if cache.get(lock) is None and cache.add(lock, token, LOCK_SECONDS):
                break
        else:  # too slow: compute without the lock rather than keep the page waiting
            value = compute()
            cache.set(key, value, timeout)
            return value
    try:
        value = compute()
        cache.set(key, value, timeout)
    finally:
        if cache.get(lock) == token:  # not a lock another reader took after ours expired
            cache.delete(lock)
    return value


def shared() -> bool:
    """Whether the cache is one the processes share (Redis), so that what one process (the
    background worker) keeps serves the others' pages."""
    return _shared()


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
