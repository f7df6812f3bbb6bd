# ruff: noqa: F811 (the world fixture is imported, then named by each test)
"""The import page (数据导入): a thin face that stores the upload and starts
gaoxin.statistics.services.import_observations as a background job; the job's page shows the
same all-or-nothing problem list as `gaoxin import`, or the summary. The test settings run the
job at once (immediate backend), so a POST answers with the finished job."""

from __future__ import annotations

import io
from pathlib import Path

import openpyxl
import pytest
from django.urls import reverse

from gaoxin.jobs.choices import JobState
from gaoxin.jobs.models import Job
from gaoxin.statistics.models import Batch, Observation, ObservationChange
from tests.statistics.entry_fixtures import world  # noqa: F401

pytestmark = pytest.mark.django_db
DEC = "2025-12"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def template(client, world, zone="torch"):
    """The enterprise monthly form's template of the zone, as the entry page gives it: the
    zone's enterprises as rows (a real input, not a hand-made file)."""
    url = reverse(
        "statistics:entry_template",
        args=[world["enterprise_monthly"].code, world[zone].pk, DEC],
    )
    book = openpyxl.load_workbook(io.BytesIO(client.get(url).content))
    return book, book["填报"]


def filled(book, sheet, values: dict[tuple[int, str], object], name="月报.xlsx") -> io.BytesIO:
    headers = [cell.value for cell in sheet[2]]
    for (row, header), value in values.items():
        sheet.cell(row=row, column=headers.index(header) + 1, value=value)
    out = io.BytesIO()
    book.save(out)
    out.name = name
    out.seek(0)
    return out


def stored():
    return Observation.objects.count(), ObservationChange.objects.count(), Batch.objects.count()


GOOD = {
    (3, "营业收入（万元）"): 1200.5,
    (3, "工业总产值（万元）"): 800,
    (3, "工业增加值（万元）"): 300,
    (4, "营业收入（万元）"): 45.25,
}


def test_a_good_workbook_is_imported_by_a_job_and_its_page_gives_the_summary(world, client):
    client.force_login(world["zone_reporter"])
    book, sheet = template(client, world)
    response = client.post(reverse("statistics:import"), {"file": filled(book, sheet, GOOD)})
    job = Job.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/jobs/{job.pk}/"
    assert job.state == JobState.SUCCEEDED and job.label == "导入 月报.xlsx"
    assert job.scope == world["torch"] and job.started_by == world["zone_reporter"]
    assert (job.done, job.total) == (4, 4)
    batch = Batch.objects.get()
    assert batch.created_by == world["zone_reporter"] and batch.file_name == "月报.xlsx"
    assert Observation.objects.count() == 4
    html = client.get(response["Location"]).content.decode()
    assert "已完成" in html and "已导入，读取 2 行、4 个数值：已新增 4 个" in html
    assert f"数据批次：第 {batch.pk} 批" in html
    # the upload is not kept beside the job: the batch records the file's name and digest
    assert not list((Path(job.arguments["args"][0]).parent.parent).glob("import-*/*"))


def test_a_workbook_with_one_bad_row_lists_every_problem_and_writes_nothing(world, client):
    client.force_login(world["zone_reporter"])
    book, sheet = template(client, world)
    bad = {
        **GOOD,
        (4, "出口总额（万元）"): "一百",  # not a number
        (4, "工业总产值（万元）"): 100,
        (4, "工业增加值（万元）"): 500,  # above the output: a rule across two variables
    }
    before = stored()
    response = client.post(reverse("statistics:import"), {"file": filled(book, sheet, bad)})
    job = Job.objects.get()
    assert job.state == JobState.FAILED and stored() == before  # nothing written
    assert job.message == "发现 2 个问题，请修正后重新提交"
    assert "已拒绝（未写入）" in job.summary
    rows = {p["message"][:8]: p for p in job.problems}
    assert len(job.problems) == 2
    number = next(p for p in job.problems if p["value"] == "一百")
    assert (number["file"], number["sheet"], number["row"]) == ("月报.xlsx", "填报", 4)
    assert number["columns"] == ["出口总额（万元）"]
    rule = next(p for p in job.problems if p is not number)
    assert rule["row"] == 4 and rule["columns"] == ["工业增加值（万元）", "工业总产值（万元）"]
    assert rows  # both are listed with their reasons

    html = client.get(response["Location"]).content.decode()
    assert "未完成" in html and "问题清单（未写入任何数据）" in html
    table = html.split('id="job-problems"')[1].split("</table>")[0]
    assert "<th>文件</th>" in table and "<td>月报.xlsx</td>" in table and "<td>一百</td>" in table
    assert "「工业增加值（万元）」「工业总产值（万元）」" in table
    assert "value_added_not_above_output" not in html and "validation." not in html


def test_an_enterprise_of_another_zone_is_refused_as_the_cli_refuses_it(world, client):
    client.force_login(world["other_reporter"])  # 福州高新区: torch's enterprises are not theirs
    book, sheet = template(client, world, zone="fzz")
    client.force_login(world["zone_reporter"])
    torch_book, torch_sheet = template(client, world)
    client.force_login(world["other_reporter"])
    before = stored()
    client.post(reverse("statistics:import"), {"file": filled(torch_book, torch_sheet, GOOD)})
    job = Job.objects.get()
    assert job.state == JobState.FAILED and stored() == before
    assert job.scope == world["fzz"]
    assert all(p["error"] for p in job.problems) and len(job.problems) == 2
    assert all("不在" in p["message"] or "找不到" in p["message"] for p in job.problems), (
        job.problems
    )


def test_a_trial_import_counts_and_writes_nothing(world, client):
    client.force_login(world["zone_reporter"])
    book, sheet = template(client, world)
    client.post(reverse("statistics:import"), {"file": filled(book, sheet, GOOD), "dry_run": "1"})
    job = Job.objects.get()
    assert job.state == JobState.SUCCEEDED and job.label == "试导入 月报.xlsx"
    assert "试导入（未写入），读取 2 行、4 个数值：将新增 4 个" in job.summary
    assert stored() == (0, 0, 0)


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("数据.pdf", b"%PDF", "只能导入 .xlsx、.xls 或 .csv 文件"),
        ("空.csv", b"", "文件是空的"),
    ],
)
def test_a_file_that_is_not_a_table_is_refused_before_any_job(
    world, client, name, content, message
):
    client.force_login(world["zone_reporter"])
    upload = io.BytesIO(content)
    upload.name = name
    response = client.post(reverse("statistics:import"), {"file": upload})
    assert response.status_code == 422
    html = response.content.decode()
    assert "请更正以下问题" in html and message in html
    assert not Job.objects.exists()


def test_a_file_over_the_limit_is_refused(world, client, settings):
    settings.IMPORT_MAX_MB = 0
    client.force_login(world["zone_reporter"])
    upload = io.BytesIO(b"a,b\n1,2\n")
    upload.name = "大.csv"
    html = client.post(reverse("statistics:import"), {"file": upload}).content.decode()
    assert "文件超过 0 MB" in html and not Job.objects.exists()


@pytest.mark.parametrize("role", ["city", "province", "viewer"])
def test_roles_that_do_not_enter_data_may_not_import(world, client, role):
    client.force_login(world[role])
    assert client.get(reverse("statistics:import")).status_code == 403
    upload = io.BytesIO(b"x")
    upload.name = "a.csv"
    assert client.post(reverse("statistics:import"), {"file": upload}).status_code == 403
    assert not Job.objects.exists()
    # and the navigation does not offer them a page that refuses them
    html = client.get(reverse("home")).content.decode()
    assert "数据填报" in html and 'href="/statistics/import/"' not in html


def test_the_page_names_the_scope_and_the_navigation_links_it(world, client):
    client.force_login(world["zone_reporter"])
    html = client.get(reverse("statistics:import")).content.decode()
    assert "数据范围：厦门火炬高技术产业开发区" in html and 'type="file"' in html
    assert 'href="/statistics/import/">数据导入</a>' in html
    assert 'href="/jobs/">后台任务</a>' in html
