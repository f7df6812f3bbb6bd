"""What a web process does once it has started, before its first request (decision 060)."""

from __future__ import annotations

import gc

from django.conf import settings


def settle() -> bool:
    """Import the site's URL configuration and views, collect once, then move every object
    alive to the collector's permanent generation (``gc.freeze``) when ``settings.GC_FREEZE``
    (``GAOXIN_GC_FREEZE``, on by default). Python, Django, Polars and gaoxin's modules are
    ~140,000 objects that live as long as the process; without this, each full collection of
    a web process's first half minute scanned them all again (5–6 collections of 40–330 ms
    each per process on the national demo, every request waiting behind them). Returns whether
    it froze."""
    if not settings.GC_FREEZE:
        return False
    from django.urls import get_resolver

    get_resolver().url_patterns  # noqa: B018 (imports every view module now, not on a request)
    gc.collect()
    gc.freeze()
    return True
