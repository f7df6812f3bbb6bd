"""The unit page and the late list a page at a time (50 rows): a document of 121 measures, all
led by 区科技局 (linked to 厦门火炬), the odd ones due by the end of 2024 (滞后 now) and the even
ones by 2030; 区财政局 takes part in every fifth and is linked to 南昌 (another province).
The counts in the heading are the whole list's, the pager's links keep the status filter, a
page number past the end shows the last page and one that is not a number the first."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from gaoxin.accounts.models import Profile
from gaoxin.policy import services
from gaoxin.policy.ledger import import_document
from gaoxin.policy.models import ResponsibleUnit
from tests import factories, workplace

pytestmark = pytest.mark.django_db

MEASURES = 121
DIGITS = "零一二三四五六七八九"


def _numeral(n: int) -> str:
    """1 → 一, 10 → 十, 21 → 二十一, 121 → 一百二十一: how the document numbers its measures."""
    if n >= 100:
        rest = n % 100
        tail = "" if rest == 0 else ("零" + DIGITS[rest] if rest < 10 else _numeral(rest))
        if 10 <= rest < 20:
            tail = "一" + tail
        return DIGITS[n // 100] + "百" + tail
    tens, ones = divmod(n, 10)
    head = "" if tens == 0 else ("十" if tens == 1 else DIGITS[tens] + "十")
    return head + (DIGITS[ones] if ones else "")


def _plan() -> str:
    lines = ["某区科技创新重点任务分解方案", "", "一、主要任务"]
    for i in range(1, MEASURES + 1):
        units = "区科技局、区财政局" if i % 5 == 0 else "区科技局"
        due = "2024年底前完成" if i % 2 else "2030年底前完成"
        lines.append(f"（{_numeral(i)}）第{i}项任务。推进第{i}项工作。（{units}，{due}）")
    return "\n".join(lines) + "\n"


@pytest.fixture
def w():
    t = factories.small_tree()
    t["jx"] = factories.region("360000", "江西省", "province")
    t["nc"] = factories.region("360100", "南昌市", "city", t["jx"])
    t["ncz"] = factories.zone("360100N1", "南昌高新技术产业开发区", t["nc"], level="national")
    users = workplace.users(t)
    import_document(_plan())
    ResponsibleUnit.objects.filter(name="区科技局").update(entity=t["torch"])
    ResponsibleUnit.objects.filter(name="区财政局").update(entity=t["ncz"])
    jx = get_user_model().objects.create_user("jx", password=workplace.PASSWORD)
    Profile.objects.create(
        user=jx, organisation="江西省科技厅", scope=t["jx"], role="province_reviewer"
    )
    units = {u.name: u for u in ResponsibleUnit.objects.all()}
    return {**t, "users": {**users, "jx": jx}, "units": units}


def _tasks(html: str) -> list[int]:
    """The shares a page lists, in order (each card links its task once by its title)."""
    prefix = re.escape(reverse("policy:task", args=[0]).removesuffix("0/"))
    return [int(pk) for pk in re.findall(rf'<a href="{prefix}(\d+)/"><strong>', html)]


def _shown(html: str) -> tuple[list[int], list[str]]:
    """What a page shows of its list: the shares and the pager's words (the CSRF token aside)."""
    return _tasks(html), re.findall(r"第 \d+ / \d+ 页，共 \d+ 条", html)


def _get(client, user, url):
    client.force_login(user)
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


def test_the_document_is_read_whole(w):
    kjj = w["units"]["区科技局"]
    tasks = services.unit_tasks(kjj.pk, by=w["users"]["admin"])
    assert tasks.total == len(tasks.assignments) == MEASURES and tasks.late == 61
    assert tasks.page is None  # no page asked for: every row (the CLI, exports)


def test_page_two_of_a_unit_holds_its_51st_share_and_the_whole_list_is_counted(client, w):
    kjj = w["units"]["区科技局"]
    url = reverse("policy:unit", args=[kjj.pk])
    every = [a.pk for a in services.unit_tasks(kjj.pk, by=w["users"]["admin"]).assignments]
    reviewer = w["users"]["province_reviewer"]
    first, second, third = (_get(client, reviewer, f"{url}?page={n}") for n in (1, 2, 3))
    assert _tasks(first) == every[:50]
    assert _tasks(second) == every[50:100] and _tasks(second)[0] == every[50]
    assert _tasks(third) == every[100:]
    for html in (first, second, third):
        assert "共 121 项任务" in html and "滞后 61 项" in html
    assert "第 2 / 3 页，共 121 条" in second
    assert 'href="?page=1">上一页' in second and 'href="?page=3">下一页' in second
    assert "上一页" not in first and "下一页" not in third
    assert _shown(_get(client, reviewer, url)) == _shown(first)  # no page number: the first


def test_the_pager_keeps_the_status_filter(client, w):
    kjj = w["units"]["区科技局"]
    url = reverse("policy:unit", args=[kjj.pk])
    reviewer = w["users"]["province_reviewer"]
    late = services.unit_tasks(kjj.pk, by=reviewer, status="late")
    assert len(late.assignments) == 61 and all(a.status == "late" for a in late.assignments)
    first = _get(client, reviewer, f"{url}?status=late")
    assert _tasks(first) == [a.pk for a in late.assignments[:50]]
    assert "第 1 / 2 页，共 61 条" in first
    assert 'href="?status=late&amp;page=2">下一页' in first
    second = _get(client, reviewer, f"{url}?status=late&page=2")
    assert _tasks(second) == [a.pk for a in late.assignments[50:]]
    assert 'href="?status=late&amp;page=1">上一页' in second
    # the heading still counts the unit's whole list, and offers every status with its count
    assert "共 121 项任务" in second and "滞后 61 项" in second
    assert '<strong aria-current="page">滞后（61）</strong>' in second
    assert '<a href="?">全部（121）</a>' in second and "未启动（60）" in second
    # an unknown status is no filter: every share
    assert "第 1 / 3 页，共 121 条" in _get(client, reviewer, f"{url}?status=bogus")


def test_a_page_past_the_end_shows_the_last_and_a_word_the_first(client, w):
    kjj = w["units"]["区科技局"]
    url = reverse("policy:unit", args=[kjj.pk])
    reviewer = w["users"]["province_reviewer"]
    last = _shown(_get(client, reviewer, f"{url}?page=3"))
    first = _shown(_get(client, reviewer, f"{url}?page=1"))
    assert last[1] == ["第 3 / 3 页，共 121 条"] and len(last[0]) == 21
    for past in ("4", "99", "100000000000000000000"):
        assert _shown(_get(client, reviewer, f"{url}?page={past}")) == last, past
    for word in ("abc", "", "1.5", "二"):
        assert _shown(_get(client, reviewer, f"{url}?page={word}")) == first, word
    # Django's Paginator.get_page, as on every paged list of gaoxin: below 1 is out of range too
    assert _shown(_get(client, reviewer, f"{url}?page=0")) == last


def test_the_late_list_pages_its_shares_and_counts_them_all(client, w):
    reviewer = w["users"]["province_reviewer"]
    every = services.late_tasks(by=reviewer)
    assert every.count == len(every.tasks) == 61 and every.page is None
    url = reverse("policy:late")
    first = _get(client, reviewer, url)
    second = _get(client, reviewer, f"{url}?page=2")
    assert _tasks(first) == [t.pk for t in every.tasks[:50]]
    assert _tasks(second) == [t.pk for t in every.tasks[50:]]
    for html in (first, second):
        assert '共 <span class="overdue-text">61</span> 项' in html
    assert "第 2 / 2 页，共 61 条" in second and 'href="?page=1">上一页' in second
    # the table by unit opens the unit's own 滞后 shares
    kjj = w["units"]["区科技局"]
    assert f'href="{reverse("policy:unit", args=[kjj.pk])}?status=late"' in first
    assert _shown(_get(client, reviewer, f"{url}?page=7")) == _shown(second)


def test_another_scopes_shares_never_appear_on_any_page(client, w):
    czj = w["units"]["区财政局"]
    theirs = {a.pk for a in services.unit_tasks(czj.pk, by=w["users"]["admin"]).assignments}
    assert len(theirs) == 24
    reviewer = w["users"]["province_reviewer"]
    url = reverse("policy:late")
    shown = set(
        _tasks(_get(client, reviewer, url)) + _tasks(_get(client, reviewer, f"{url}?page=2"))
    )
    assert len(shown) == 61 and not shown & theirs
    for query in ("", "?page=2", "?status=late"):
        assert client.get(reverse("policy:unit", args=[czj.pk]) + query).status_code == 404
    # 江西's reviewer sees 区财政局's twelve 滞后 shares and nothing of 福建's
    jx = w["users"]["jx"]
    mine = _tasks(_get(client, jx, url))
    assert len(mine) == 12 and set(mine) <= theirs
    kjj = w["units"]["区科技局"]
    assert client.get(reverse("policy:unit", args=[kjj.pk]) + "?page=2").status_code == 404


def test_every_page_runs_the_same_queries(client, w):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(w["users"]["province_reviewer"])
    unit = reverse("policy:unit", args=[w["units"]["区科技局"].pk])
    urls = [unit, f"{unit}?page=3", f"{unit}?status=late&page=2", reverse("policy:late")]
    urls.append(reverse("policy:late") + "?page=2")
    client.get(urls[0])  # the user's scope and permissions cached

    def queries(url: str) -> int:
        with CaptureQueriesContext(connection) as q:
            assert client.get(url).status_code == 200
        return len(q)

    counts = [queries(u) for u in urls]
    assert counts[0] == counts[1] == counts[2] and counts[3] == counts[4], counts
