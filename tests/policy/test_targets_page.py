"""The targets page on the Fujian demo: the table is the service's, statuses in Chinese, the
projections by deadline; a pack of another province is refused on the form."""

from __future__ import annotations

import html as html_lib
import re

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from gaoxin.accounts.choices import Role
from gaoxin.accounts.models import Profile
from gaoxin.engine import synth
from gaoxin.policy.packs import find_pack
from gaoxin.policy.services import target_progress
from gaoxin.registry.models import Entity
from tests.module_rows import demo_rows

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def fujian():
    return synth.generate("fujian", scale=0.05)


@pytest.fixture(scope="module")
def module_rows_fujian(django_db_setup, django_db_blocker, fujian):
    yield from demo_rows(django_db_blocker, fujian, "fujian")


@pytest.fixture
def viewer(module_rows_fujian, db):
    """A viewer of the province, over the demo loaded once for the module (tests/module_rows.py)."""
    province = Entity.objects.get(kind="region", code="350000")
    user = get_user_model().objects.create_user("fj-viewer")
    Profile.objects.create(user=user, organisation="省科技厅", scope=province, role=Role.VIEWER)
    return user


def _rows(html: str) -> list[list[str]]:
    return [
        [
            html_lib.unescape(re.sub(r"<[^>]+>", "", c)).strip()
            for c in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)
        ]
        for row in re.findall(r"<tr>(.*?)</tr>", html, re.S)
    ]


def test_the_page_shows_the_services_table(client, viewer):
    province = Entity.objects.get(kind="region", code="350000")
    expected = target_progress(find_pack("fujian-2021"), province, by=viewer)
    client.force_login(viewer)
    html = client.get(reverse("policy:targets"), {"pack": "fujian-2021"}).content.decode()
    assert expected.title in html
    # the progress chart: its numbers as JSON for ECharts and again under 查看数据, no inline script
    measured = expected.table.filter(expected.table["进度"].is_not_null())
    if measured.height:
        assert 'id="chart-target-progress"' in html and "查看数据" in html
        first = measured.row(0, named=True)
        assert f"{100 * first['进度']:,.1f}" in html
    assert "<script>" not in html and '<script type="text/javascript">' not in html
    rows = [r for r in _rows(html) if len(r) == 10]
    assert len(rows) == expected.table.height
    for got, want in zip(rows, expected.table.iter_rows(named=True), strict=True):
        assert got[0] == want["目标"] and got[6] == str(want["期限"] or "—")
        assert got[9].startswith(want["状态"])
        if want["预测"] is not None:
            assert got[8] == f"{want['预测']:.2f}"
    # every status is in Chinese, counted above the table
    for status, n in expected.counts:
        assert f"{status} {n} 项" in html
    # projections by deadline
    deadlines = sorted({d for d in expected.table["期限"].to_list() if d is not None})
    for d in deadlines:
        assert f"{d}年</th>" in html


def test_a_pack_of_another_province_is_refused(client, viewer):
    Entity.objects.create(kind="region", code="620000", name="甘肃省", path="/gs/")
    client.force_login(viewer)
    html = client.get(reverse("policy:targets"), {"pack": "gansu"}).content.decode()
    assert "请更正以下问题" in html and "不在您的数据范围内" in html


def test_no_pack_chosen_shows_the_form_only(client, viewer):
    client.force_login(viewer)
    html = client.get(reverse("policy:targets")).content.decode()
    assert "促进高新技术产业开发区高质量发展实施方案" in html and "请更正以下问题" not in html
