"""The evaluation pages on the Gansu demo: a province admin starts a run from the form (a
background job, run at once under the test backend), lands on the job's page, follows it to the
ranking, compares two runs and reads one zone's score explained indicator by indicator. The
numbers on the pages are the service's."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from gaoxin.accounts.choices import Role
from gaoxin.engine.periods import Period
from gaoxin.evaluation.models import EvaluationRun
from gaoxin.evaluation.services import compare_runs, evaluate, explain_score
from gaoxin.jobs.models import Job
from gaoxin.registry.models import Entity
from tests.factories import user_with

pytestmark = pytest.mark.django_db
FRAMEWORK = "gansu/gansu-provincial-zones-annual"


@pytest.fixture
def province(gansu):
    return Entity.objects.get(kind="region", code="620000")


@pytest.fixture
def admin(province):
    return user_with(province, Role.PROVINCE_ADMIN, "gs-admin")


def _cells(html: str, row_start: str) -> list[str]:
    """The text of the cells of the first table row whose first cells contain ``row_start``."""
    for row in re.findall(r"<tr>(.*?)</tr>", html, re.S):
        cells = [
            re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)
        ]
        if row_start in cells:
            return cells
    raise AssertionError(f"no row with {row_start}")


def test_a_province_admin_starts_an_evaluation_and_reads_the_ranking(client, admin, province):
    client.force_login(admin)
    form = client.get(reverse("evaluation:start")).content.decode()
    # frameworks by their Chinese titles, the national pack's two offered separately
    assert "甘肃省省级高新区年度考核评价" in form and form.count("国家高新区综合评价") == 2
    assert "gansu-provincial-zones-annual</option>" not in form

    response = client.post(
        reverse("evaluation:start"),
        {"framework": FRAMEWORK, "period": "2025", "scope": province.pk},
    )
    job = Job.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "jobs:detail", args=[job.pk]
    )
    assert job.state == "succeeded" and job.started_by == admin and job.scope == province
    run = EvaluationRun.objects.get()
    assert run.created_by == admin and run.period == "2025" and run.scope == province
    page = client.get(response["Location"]).content.decode()
    assert f'href="{reverse("evaluation:run", args=[run.pk])}"' in page and "查看排名" in page

    ranking = client.get(reverse("evaluation:run", args=[run.pk])).content.decode()
    first = run.results.select_related("entity").get(rank=1)
    cells = _cells(ranking, first.entity.name)
    assert cells[0] == "1" and cells[2] == f"{first.score:.2f}" and cells[3] == (first.grade or "—")
    assert "待审核" in ranking and "得分说明" in ranking
    assert "gansu" not in re.sub(r'href="[^"]*"', "", ranking)  # no codes in front of a reader


def test_the_page_shows_the_services_numbers_and_the_clis(client, admin, province, tmp_path):
    """One run made by the CLI; the page's ranking is the service's result frame, row by row."""
    from typer.testing import CliRunner

    from gaoxin.cli import app
    from gaoxin.evaluation.store import result_frame

    out = tmp_path / "r.csv"
    done = CliRunner().invoke(
        app,
        ["evaluate", "--pack", "gansu", "--period", "2025", "--scope", "620000", "--out", str(out)],
    )
    assert done.exit_code == 0, done.output
    run = EvaluationRun.objects.get()
    run.set_approval("approved", admin)
    client.force_login(admin)
    html = client.get(reverse("evaluation:run", args=[run.pk])).content.decode()
    import polars as pl

    cli = pl.read_csv(out, infer_schema=False)
    frame = result_frame(run)
    assert cli["name"].to_list() == frame["name"].to_list()
    for r in frame.iter_rows(named=True):
        cells = _cells(html, r["name"])
        assert cells[0] == (str(r["rank"]) if r["rank"] is not None else "—")
        assert cells[2] == ("—" if r["score"] is None else f"{r['score']:.2f}")


def test_two_runs_compared_and_a_zones_score_explained(client, admin, province):
    before = evaluate("gansu", Period.parse("2024"), province, by=admin).run
    after = evaluate("gansu", Period.parse("2025"), province, by=admin).run
    assert after.previous == before
    client.force_login(admin)

    comparison = compare_runs(before.pk, after.pk, by=admin)
    html = client.get(reverse("evaluation:compare", args=[after.pk])).content.decode()
    moved = comparison.rows.filter(comparison.rows["rank_gain"] != 0).row(0, named=True)
    cells = _cells(html, moved["name"])
    assert cells[1:3] == [str(moved["rank_before"]), str(moved["rank_after"])]
    gain = moved["rank_gain"]
    assert cells[3] == (f"↑{gain}" if gain > 0 else f"↓{-gain}")
    change = moved["score_change"]
    assert cells[6] == (f"+{change:.2f}" if change > 0 else f"{change:.2f}")
    # the run page shows the same score change beside the rank change
    ranking = client.get(reverse("evaluation:run", args=[after.pk])).content.decode()
    assert _cells(ranking, moved["name"])[5] == cells[6]

    result = after.results.select_related("entity").get(rank=1)
    ex = explain_score(after.pk, result.entity_id, by=admin)
    assert ex.additive and ex.lines  # Gansu's indicators sit directly under the index
    # contributions add up to the index (before bonus points) for a weighted arithmetic mean
    bonus = sum(p for _, p in ex.adjustments)
    assert ex.contributions + bonus == pytest.approx(result.score, abs=0.05)
    html = client.get(
        reverse("evaluation:explain", args=[after.pk, result.entity_id])
    ).content.decode()
    assert result.entity.name in html and "贡献" in html
    line = next(x for x in ex.lines if x.contribution is not None)
    cells = _cells(html, line.name)
    offset = 1 if ex.dimensions else 0  # the 一级指标 column, for a framework with dimensions
    assert cells[3 + offset] == f"{line.score:.2f}"
    assert cells[6 + offset] == f"{line.contribution:.2f}"


def test_a_bad_period_is_named_at_the_top_and_nothing_starts(client, admin, province):
    client.force_login(admin)
    response = client.post(
        reverse("evaluation:start"),
        {"framework": FRAMEWORK, "period": "明年", "scope": province.pk},
    )
    html = response.content.decode()
    assert response.status_code == 200 and "请更正以下问题" in html and "「明年」不是期间" in html
    assert Job.objects.count() == 0 and EvaluationRun.objects.count() == 0


def test_a_period_without_data_fails_the_job_with_the_reason(client, admin, province):
    client.force_login(admin)
    response = client.post(
        reverse("evaluation:start"),
        {"framework": FRAMEWORK, "period": "2010", "scope": province.pk},
    )
    job = Job.objects.get()
    assert job.state == "failed" and "没有任何统计数据" in str(job.problems)
    assert EvaluationRun.objects.count() == 0
    assert "没有任何统计数据" in client.get(response["Location"]).content.decode()


def test_only_a_role_that_runs_jobs_may_start_one(client, province):
    reviewer = user_with(province, Role.PROVINCE_REVIEWER, "gs-reviewer")
    client.force_login(reviewer)
    assert client.get(reverse("evaluation:start")).status_code == 403
    response = client.post(
        reverse("evaluation:start"),
        {"framework": FRAMEWORK, "period": "2025", "scope": province.pk},
    )
    assert response.status_code == 403 and Job.objects.count() == 0


def test_a_scope_outside_the_users_cannot_be_picked(client, admin, province):
    other = Entity.objects.create(kind="region", code="630000", name="青海省")
    client.force_login(admin)
    response = client.post(
        reverse("evaluation:start"), {"framework": FRAMEWORK, "period": "2025", "scope": other.pk}
    )
    assert response.status_code == 200 and "请更正以下问题" in response.content.decode()
    assert Job.objects.count() == 0
