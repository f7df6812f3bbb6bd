"""Background jobs: a service function started as a job runs, reports progress, leaves its
result and file on a page that only the user who started it can open."""

from __future__ import annotations

import csv
import datetime as dt
import re
import tempfile
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from gaoxin.engine.problems import Problem, ProblemsError
from gaoxin.jobs.choices import JobState
from gaoxin.jobs.models import Job
from gaoxin.jobs.services import FAILED_MESSAGE, QUEUED_MESSAGE, Outcome, Progress, start
from gaoxin.registry.models import Entity
from gaoxin.services import OutOfScope
from tests import factories

pytestmark = pytest.mark.django_db


# --- service functions the tests run as jobs (module level, as a job's function must be) ---


def list_enterprises(zone_code: str, *, progress) -> Outcome:
    zone = Entity.objects.get(code=zone_code)
    rows = list(Entity.objects.within(zone).filter(kind="enterprise").order_by("name"))
    out = Path(tempfile.mkdtemp()) / "out.csv"
    with out.open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        for i, e in enumerate(rows, 1):
            writer.writerow([e.code, e.name])
            progress("列出企业", i, len(rows))
    return Outcome(f"{zone.name}：共 {len(rows)} 家企业", file=out, filename="企业名单.csv")


def refuse(*, progress) -> None:
    progress("检查期间")
    raise ProblemsError([Problem("period.invalid", "期间不存在", value="2025-13")])


def crash(*, progress) -> None:
    raise RuntimeError("a bug")


# --- fixtures ---


@pytest.fixture
def tree():
    return factories.small_tree()


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def zone_user(tree):
    return factories.user_in(tree["torch"], "torch-filler")


def page_of(client, user, job, **headers):
    client.force_login(user)
    return client.get(f"/jobs/{job.pk}/", headers=headers)


def test_a_job_runs_and_its_page_shows_the_progress_result_and_file(client, tree, zone_user):
    job = start(
        list_enterprises, by=zone_user, scope=tree["torch"], label="列出企业", args=["350200N1"]
    )
    assert (job.state, job.done, job.total, job.message) == (JobState.SUCCEEDED, 2, 2, "")
    assert job.summary == "厦门火炬高技术产业开发区：共 2 家企业"
    assert job.kind == "tests.jobs.test_jobs.list_enterprises" and job.task_id

    html = page_of(client, zone_user, job).content.decode()
    assert "<h1>列出企业</h1>" in html and "已完成" in html and "共 2 家企业" in html
    assert f'href="/jobs/{job.pk}/download/"' in html and "下载 企业名单.csv" in html
    assert "hx-get" not in html  # finished: nothing left to poll
    assert re.search(r"用时 \d+ 秒", html)

    download = client.get(f"/jobs/{job.pk}/download/")
    assert download.status_code == 200
    assert "attachment" in download["Content-Disposition"]
    assert "%E4%BC%81%E4%B8%9A%E5%90%8D%E5%8D%95.csv" in download["Content-Disposition"]
    rows = list(csv.reader(b"".join(download.streaming_content).decode().splitlines()))
    assert [name for _, name in rows] == ["厦门乙电子有限公司", "厦门甲科技有限公司"]


def test_a_running_job_polls_with_htmx_and_shows_how_far_it_is(client, tree, zone_user):
    job = Job.objects.create(
        kind="x.y", label="导入统计数据", started_by=zone_user, scope=tree["torch"],
        state=JobState.RUNNING, done=3, total=10, message="校验数据",
    )  # fmt: skip
    html = page_of(client, zone_user, job).content.decode()
    assert '<progress max="100" value="30">' in html and "30%（3 / 10）" in html
    assert f'hx-get="/jobs/{job.pk}/"' in html and 'hx-trigger="every 2s"' in html
    assert "<h1>" in html  # the whole page

    fragment = page_of(client, zone_user, job, HX_Request="true").content.decode()
    assert fragment.lstrip().startswith('<section id="job-progress"')
    assert "<h1>" not in fragment and "校验数据" in fragment


def test_a_job_of_another_user_or_scope_is_not_found(client, tree, zone_user):
    job = start(
        list_enterprises, by=zone_user, scope=tree["torch"], label="列出企业", args=["350200N1"]
    )
    colleague = factories.user_in(tree["torch"], "torch-colleague")  # same zone, another user
    elsewhere = factories.user_in(tree["fzz"], "fuzhou-filler")
    city = factories.user_in(tree["xm"], "xiamen-bureau")  # the scope above: still not theirs
    for user in (colleague, elsewhere, city):
        client.force_login(user)
        assert client.get(f"/jobs/{job.pk}/").status_code == 404
        assert client.get(f"/jobs/{job.pk}/download/").status_code == 404
    # the user who started it, moved to another zone since, no longer sees it either
    zone_user.gaoxin_profile.scope = tree["fzz"]
    zone_user.gaoxin_profile.save()
    client.force_login(zone_user)
    assert client.get(f"/jobs/{job.pk}/").status_code == 404
    client.logout()
    assert client.get(f"/jobs/{job.pk}/").status_code == 302  # to the login page


def test_a_scope_outside_the_users_is_refused_before_anything_is_queued(tree, zone_user):
    with pytest.raises(OutOfScope):
        start(list_enterprises, by=zone_user, scope=tree["fzz"], label="x", args=["350100N1"])
    assert not Job.objects.exists()


def test_a_refusal_shows_its_problems_and_a_crash_a_message_without_the_traceback(
    client, tree, zone_user
):
    refused = start(refuse, by=zone_user, scope=tree["torch"], label="导入")
    assert refused.state == JobState.FAILED and refused.message == "发现 1 个问题，请修正后重新提交"
    assert refused.summary == ""  # a plain ProblemsError: no summary line, just the list
    assert refused.problems == [
        {"error": True, "file": "", "sheet": "", "row": None, "columns": [],
         "value": "2025-13", "message": "期间不存在"}
    ]  # fmt: skip
    html = page_of(client, zone_user, refused).content.decode()
    assert 'id="job-problems"' in html and "<td>期间不存在</td>" in html
    crashed = start(crash, by=zone_user, scope=tree["torch"], label="生成报表")
    assert (crashed.state, crashed.message, crashed.summary) == (
        JobState.FAILED,
        FAILED_MESSAGE,
        "",
    )
    html = page_of(client, zone_user, crashed).content.decode()
    assert "未完成" in html and "请联系系统管理员" in html
    assert "a bug" not in html and "Traceback" not in html


def test_progress_reported_per_row_writes_about_once_per_percent(tree, zone_user):
    job = Job.objects.create(kind="x.y", label="导入", started_by=zone_user)
    progress = Progress(job.pk)
    with CaptureQueriesContext(connection) as writes:
        for i in range(1, 5001):
            progress("写入数据", i, 5000)
    assert 100 <= len(writes) <= 102
    job.refresh_from_db()
    assert (job.done, job.total, job.message) == (5000, 5000, "写入数据")
    progress("生成报表")  # a step without counts: indeterminate
    job.refresh_from_db()
    assert (job.done, job.total, job.message) == (0, None, "生成报表")


@pytest.mark.django_db(transaction=True)  # the worker closes and reopens its connection
def test_with_the_database_queue_the_job_waits_for_gaoxin_worker(client, settings, tree, zone_user):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    job = start(
        list_enterprises, by=zone_user, scope=tree["torch"], label="列出企业", args=["350200N1"]
    )
    assert (job.state, job.message) == (JobState.QUEUED, QUEUED_MESSAGE)
    html = page_of(client, zone_user, job).content.decode()
    assert "排队中" in html and "hx-get" in html

    from gaoxin.commands.site import worker

    worker(interval=0.1, batch=True)  # what `gaoxin worker --batch` runs

    job.refresh_from_db()
    assert (job.state, job.done, job.total) == (JobState.SUCCEEDED, 2, 2)
    from django_tasks_db.models import DBTaskResult

    assert DBTaskResult.objects.get(id=job.task_id).status == "SUCCESSFUL"


def test_the_job_list_shows_the_users_own_jobs_only(client, tree, zone_user):
    mine = start(list_enterprises, by=zone_user, scope=tree["torch"], label="列出火炬企业",
                 args=["350200N1"])  # fmt: skip
    other = factories.user_in(tree["fzz"], "fuzhou-filler")
    start(list_enterprises, by=other, scope=tree["fzz"], label="列出福州企业", args=["350100N1"])
    client.force_login(zone_user)
    html = client.get("/jobs/").content.decode()
    assert f'<a href="/jobs/{mine.pk}/">列出火炬企业</a>' in html and "已完成" in html
    assert "列出福州企业" not in html
    client.force_login(get_user_model().objects.create_user("new-user"))
    assert "还没有提交过后台任务" in client.get("/jobs/").content.decode()


# --- a job whose worker died is not "running" forever (decision 032) ---


def running_job(user, scope, **fields) -> Job:
    defaults = dict(kind="x.y", label="导入统计数据", started_by=user, scope=scope,
                    state=JobState.RUNNING, done=3, total=10, message="校验数据")  # fmt: skip
    return Job.objects.create(**{**defaults, **fields})


def test_a_running_job_whose_worker_process_is_gone_shows_as_interrupted(client, tree, zone_user):
    import subprocess
    import sys

    from gaoxin.jobs.services import worker_name

    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()  # a process of this host that has ended: its pid is free
    host = worker_name().rpartition(":")[0]
    job = running_job(zone_user, tree["torch"], worker=f"{host}:{dead.pid}",
                      heartbeat_at=timezone.now())  # fmt: skip
    alive = running_job(zone_user, tree["torch"], worker=worker_name(),
                        heartbeat_at=timezone.now())  # fmt: skip

    html = page_of(client, zone_user, job).content.decode()
    job.refresh_from_db()
    assert job.state == JobState.INTERRUPTED and job.finished_at is not None
    assert "中断" in html and "执行它的后台任务进程已停止" in html and "请重新提交" in html
    assert "hx-get" not in html  # nothing left to poll
    alive.refresh_from_db()
    assert alive.state == JobState.RUNNING  # this process runs it: still going


def test_a_job_silent_past_the_limit_is_interrupted_when_the_list_is_read(
    client, settings, tree, zone_user
):
    settings.JOB_STALE_MINUTES = 10
    long_ago = timezone.now() - dt.timedelta(minutes=11)
    silent = running_job(zone_user, tree["torch"], worker="another-host:1", heartbeat_at=long_ago)
    recent = running_job(zone_user, tree["torch"], worker="another-host:1",
                         heartbeat_at=timezone.now() - dt.timedelta(minutes=9))  # fmt: skip
    queued = Job.objects.create(kind="x.y", label="排队", started_by=zone_user, scope=tree["torch"])
    Job.objects.filter(pk=queued.pk).update(created_at=long_ago)
    done = running_job(zone_user, tree["torch"], state=JobState.SUCCEEDED, heartbeat_at=long_ago)

    client.force_login(zone_user)
    html = client.get("/jobs/").content.decode()
    states = dict(Job.objects.values_list("pk", "state"))
    assert states[silent.pk] == states[queued.pk] == JobState.INTERRUPTED
    assert (states[recent.pk], states[done.pk]) == (JobState.RUNNING, JobState.SUCCEEDED)
    assert "超过 10 分钟没有进展" in html and "排队超过 10 分钟仍未开始" in html


@pytest.mark.django_db(transaction=True)  # the worker closes and reopens its connection
def test_gaoxin_worker_marks_the_dead_jobs_when_it_starts(settings, tree, zone_user, capsys):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    settings.JOB_STALE_MINUTES = 10
    silent = running_job(zone_user, tree["torch"],
                         heartbeat_at=timezone.now() - dt.timedelta(hours=1))  # fmt: skip
    from gaoxin.commands.site import worker

    worker(interval=0.1, batch=True)
    silent.refresh_from_db()
    assert silent.state == JobState.INTERRUPTED
    assert "1 个任务的执行进程已停止或超时，已标记为「中断」" in capsys.readouterr().out


def test_an_interrupted_job_is_not_run_when_the_worker_reaches_it(tree, zone_user):
    from gaoxin.jobs.services import run

    job = running_job(zone_user, tree["torch"], state=JobState.INTERRUPTED, message="任务中断")
    run(str(job.pk))
    job.refresh_from_db()
    assert (job.state, job.message) == (JobState.INTERRUPTED, "任务中断")


def test_progress_records_a_heartbeat_even_between_percent_steps(tree, zone_user):
    job = running_job(zone_user, tree["torch"])
    progress = Progress(job.pk)
    progress("写入数据", 1, 5000)
    first = Job.objects.get(pk=job.pk).heartbeat_at
    assert first is not None
    progress.beat -= Progress.HEARTBEAT  # as if 30 s passed since the last write
    progress("写入数据", 2, 5000)  # below one percent further: written only as a heartbeat
    assert Job.objects.get(pk=job.pk).heartbeat_at > first
