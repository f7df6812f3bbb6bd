"""The dashboards computed after a build (decision 064): the rebuild job warms, for each scope
with users, its own dashboard, the regions and the zones inside it; a page read afterwards
computes and draws nothing and is the page a cold read gives, for each user their own scope's
(a part drawn for the province is never a city's); another scope's place is still 404. Without
a shared cache nothing is warmed; the time it may take is bounded."""

import re
from unittest import mock

import pytest
from django.urls import reverse

from gaoxin.dashboards import services, views, warm
from gaoxin.registry.models import Entity
from gaoxin.statistics import analytics, page_data

pytestmark = pytest.mark.django_db

PAGES = {  # user: the places they read (None: their own scope)
    "province_admin": [None, "350100", "350200", "350100N1"],
    "city_reviewer": [None, "350100N1"],
    "zone_reporter": [None],
}


@pytest.fixture
def shared(monkeypatch):
    """The test's cache (each process's memory) taken for one the processes share, as Redis."""
    monkeypatch.setattr(page_data, "_shared", lambda: True)
    page_data._local.clear()
    yield
    page_data._local.clear()


def clear():
    from django.core.cache import cache

    cache.clear()
    page_data._local.clear()


def read_all(client, people) -> dict[tuple[str, str | None], str]:
    pages = {}
    for name, places in PAGES.items():
        client.force_login(people[name])
        for code in places:
            query = {} if code is None else {"place": Entity.objects.get(code=code).pk}
            response = client.get(reverse("dashboards:dashboard"), query)
            assert response.status_code == 200, (name, code)
            # what is the request's own: the CSRF token
            body = re.sub(r'(value="|"X-CSRFToken": ")[^"]{32,}"', "", response.content.decode())
            pages[name, code] = body
    return pages


def test_after_the_rebuild_job_the_first_reads_compute_nothing_and_are_the_cold_pages(
    client, people, shared
):
    analytics.build()
    cold = read_all(client, people)
    clear()  # as a new build leaves it: nothing kept under its keys
    steps = []
    # a clock that stands still: every place is warmed, however slow the machine
    outcome = warm.warm(progress=lambda *a: steps.append(a), seconds=60, clock=lambda: 0.0)
    assert outcome.startswith("已预热 ")
    assert steps and all(s[0] == warm.STEP for s in steps)
    assert steps[-1][1] == steps[-1][2] > 9  # every place: the scopes, Fujian's cities, zones
    with (
        mock.patch.object(services, "_dashboard", wraps=services._dashboard) as computed,
        mock.patch.object(views, "render_to_string", wraps=views.render_to_string) as drawn,
    ):
        warmed = read_all(client, people)
        assert computed.call_count == 0 and drawn.call_count == 0
    assert warmed == cold
    # another scope's place is still not found for the city's reviewer
    client.force_login(people["city_reviewer"])
    xiamen = Entity.objects.get(code="350200").pk
    assert client.get(reverse("dashboards:dashboard"), {"place": xiamen}).status_code == 404


def test_a_part_drawn_for_the_province_is_not_the_citys(people, shared):
    """The warm-up draws a place once per scope that may open it: the city's reviewer's parts
    for 福州市 are their own keys, not the province's."""
    analytics.build()
    warm.warm(progress=lambda *a: None, seconds=60, clock=lambda: 0.0)
    fuzhou = Entity.objects.get(code="350100")
    from django.core.cache import cache

    with page_data.pinned():
        where = page_data.stamp()
        d = services.dashboard(fuzhou, by=people["city_reviewer"])
        keys = {
            scope: page_data.key_of(
                "html:dashboard:figures",
                (where, fuzhou.pk, d.indicator.code, d.period, ("scope", scope)),
            )
            for scope in (Entity.objects.get(code="350000").pk, fuzhou.pk)
        }
    assert len(set(keys.values())) == 2
    assert all(cache.get(k) is not None for k in keys.values())


def test_the_rebuild_job_says_what_it_warmed(people, shared):
    outcome = analytics.rebuild_job()
    assert "分析表已生成" in outcome and "已预热" in outcome
    assert analytics.rebuild_job() == analytics.build().summary()  # nothing new: no warm-up


def test_nothing_is_warmed_in_each_processs_own_memory(people):
    outcome = analytics.rebuild_job()
    assert "分析表已生成" in outcome and "预热" not in outcome
    with mock.patch.object(services, "_dashboard") as computed:
        assert warm.warm(progress=lambda *a: None, seconds=60) is None
    assert computed.call_count == 0


def test_the_warm_up_stops_when_its_time_is_up(people, shared):
    analytics.build()
    ticks = iter(range(1000))
    steps = []
    outcome = warm.warm(progress=lambda *a: steps.append(a), seconds=3, clock=lambda: next(ticks))
    # the clock reads 0 at the start, then 1, 2, 3 before each place: two places, then stop
    assert outcome.startswith("已预热 2/")
    assert [s[1] for s in steps] == [0, 1, 2]
    assert warm.warm(progress=lambda *a: None, seconds=0) is None  # turned off
