"""The dashboards computed after a new analytics build, before anyone asks (decision 064).

The first read of a place's dashboard in a new data version computes its data (a city's: 165–235
ms of CPU) and draws its parts; every later read is a few milliseconds (decisions 041, 048).
:func:`warm` does those first reads in the background job that built the tables, into the shared
cache, for the places the users may open: each scope that has users (its own dashboard first,
what a user lands on), then the places one level inside each scope, then two levels — the latest
period, the headline indicator, the default language, published data — until
:data:`gaoxin.web.settings.WARM_SECONDS` have gone.

It draws as a real user of each scope, since a drawn part's key holds the scope it was drawn
for (decision 048): a city's user is served what was drawn for the city, never the province's.
With each process's own memory for a cache (no ``GAOXIN_CACHE_URL``) it does nothing: the
worker's memory serves no page.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext_noop

__all__ = ["warm"]

#: The job's progress line while warming (translated where it is shown).
STEP = gettext_noop("预热数据看板")


def _scopes() -> list[tuple[Any, Any]]:
    """(scope, one of its active users) for each scope with an active user: the whole store
    (None) for a superuser first, then the scopes by their path (provinces before their
    cities)."""
    from django.contrib.auth import get_user_model

    from gaoxin.accounts.models import Profile

    found: list[tuple[Any, Any]] = []
    boss = get_user_model().objects.filter(is_active=True, is_superuser=True).order_by("pk").first()
    if boss is not None:
        found.append((None, boss))
    seen: set[int] = set()
    profiles = (
        Profile.objects.filter(user__is_active=True, user__is_superuser=False)
        .select_related("user", "scope")
        .order_by("scope__path", "user_id")
    )
    for profile in profiles:
        if profile.scope_id not in seen and profile.scope.kind in ("region", "zone"):
            seen.add(profile.scope_id)
            found.append((profile.scope, profile.user))
    return found


def _inside(scope) -> tuple[list[Any], list[Any]]:
    """The regions (by depth) and the zones inside ``scope`` (None: everywhere), from the
    zones' paths: a region is worth a dashboard when it holds a zone."""
    from gaoxin.registry.models import Entity

    zones = Entity.objects.filter(kind="zone")
    if scope is not None:
        zones = zones.filter(path__startswith=scope.path)
    zones = list(zones.order_by("path"))
    above = {int(i) for z in zones for i in z.path.strip("/").split("/")[:-1] if i}
    if scope is not None:
        above.discard(scope.pk)
    regions = Entity.objects.filter(pk__in=above, kind="region")
    if scope is not None:
        regions = regions.filter(path__startswith=scope.path)
    ordered = sorted(regions, key=lambda e: (e.path.count("/"), e.path))
    return ordered, [z for z in zones if scope is None or z.pk != scope.pk]


def _places() -> list[tuple[Any, Any]]:
    """(place, user) in the order they are warmed: every scope's own dashboard, then what lies
    one level below each scope (a province's cities, the country's provinces), then two levels
    (a province's zones, the country's cities), ...: a scope with the whole country does not
    keep the provinces' users waiting for its 600 zones."""
    found: list[tuple[int, int, str, Any, Any]] = []
    for n, (scope, user) in enumerate(_scopes()):
        found.append((0, n, "", scope, user))
        if scope is not None and scope.kind == "zone":
            continue
        top = 0 if scope is None else scope.path.count("/")
        regions, zones = _inside(scope)
        for place in regions + zones:
            found.append((place.path.count("/") - top, n, place.path, place, user))
    found.sort(key=lambda row: row[:3])
    return [(place, user) for *_, place, user in found]


def warm(
    *,
    progress: Callable[..., None],
    seconds: float | None = None,
    clock: Callable[[], float] = time.monotonic,
) -> str | None:
    """Compute and draw the dashboards of :func:`_places` into the shared cache until
    ``seconds`` (default ``settings.WARM_SECONDS``) have gone; a place whose dashboard cannot
    be drawn (no data) is passed over. What it did, in one line for the job's outcome; None
    when it does nothing (turned off, or no shared cache)."""
    from gaoxin.dashboards import services
    from gaoxin.dashboards.views import dashboard_parts
    from gaoxin.engine.problems import ProblemsError
    from gaoxin.services import NotFound, OutOfScope
    from gaoxin.statistics import page_data

    budget = settings.WARM_SECONDS if seconds is None else seconds
    if budget <= 0 or not page_data.shared():
        return None
    places = _places()
    start = clock()
    done = 0
    with translation.override(settings.LANGUAGE_CODE):
        for done, (place, user) in enumerate(places):
            if clock() - start >= budget:
                break
            progress(STEP, done, len(places))
            with page_data.pinned():
                try:
                    d = services.dashboard(place, by=user, preview=False)
                except (ProblemsError, NotFound, OutOfScope):
                    continue
                dashboard_parts(d, place, by=user, preview=False)
        else:
            done = len(places)
    progress(STEP, done, len(places))
    took = clock() - start
    return f"已预热 {done}/{len(places)} 个数据看板（{took:.0f} 秒）"
