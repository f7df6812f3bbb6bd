"""Page data computed from the analytics tables, kept per data version (decision 041).

A dashboard, a monitoring table or a pivot is a pure function of the analytics build it reads,
the store's data version (submissions' states, which completeness shows, move it too), the
request's arguments and the language: :func:`cached` keeps what a service computed under a key
made of all of them, in Django's cache (the process's memory by default; Redis when a
deployment sets ``GAOXIN_CACHE_URL``). A new build or any write of values changes the key, so a
page never shows data older than the tables it would read; nothing is invalidated by hand.

What the data version does not cover — a review of an evaluation run or an award entry, a form
assigned — is read live by the services, never kept here.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Hashable
from typing import TypeVar

from django.core.cache import cache
from django.utils import translation

__all__ = ["cached", "stamp"]

T = TypeVar("T")
#: A kept value outlives its usefulness once the data version moves (its key is no longer
#: asked for); the timeout only bounds the memory of keys nobody asks for again.
TIMEOUT = 3600
_MISSING = object()


def stamp(*, preview: bool = False) -> str | None:
    """What every kept value depends on: the current build (its data version and when it was
    built), the store's data version now and the mode. None before the first build (the read
    that follows builds the tables, and nothing is kept)."""
    from gaoxin.statistics import analytics

    state = analytics.state(preview=preview)
    if not state.built:
        return None
    mode = "preview" if preview else "published"
    return f"{state.version}@{state.built_at.isoformat()}/{state.data_version}/{mode}"


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
    import gaoxin

    where = stamp(preview=preview)
    if where is None:
        return compute()
    raw = repr((gaoxin.__version__, where, translation.get_language(), parts))
    key = f"gaoxin:page:{name}:{hashlib.sha256(raw.encode()).hexdigest()}"
    value = cache.get(key, _MISSING)
    if value is _MISSING:
        value = compute()
        cache.set(key, value, timeout)
    return value
