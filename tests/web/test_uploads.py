"""How long a kept upload lives (decision 084): a file a succeeded trial, a recording or a job
still to run names is kept whatever its age; a file no such job names goes once older than the
retention, not before; `gaoxin clean-uploads` is the same function on the terminal."""

from __future__ import annotations

import datetime as dt
import os

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from typer.testing import CliRunner

from gaoxin.cli import app
from gaoxin.jobs.models import Job
from gaoxin.registry.models import Entity, Region
from gaoxin.web import uploads
from tests.factories import user_with

pytestmark = pytest.mark.django_db
DECIDE = "gaoxin.awards.jobs.decide_job"


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.UPLOAD_RETENTION_DAYS = 30
    return tmp_path


@pytest.fixture
def user():
    province = Entity.objects.create(kind="region", code="350000", name="福建省")
    Region.objects.create(entity=province, level="province", gb2260="350000")
    return user_with(province, "province_admin", "fj-admin")


def _kept(name: str, days_old: float):
    """An upload kept ``days_old`` days ago (its folder's and file's times set back)."""
    path = uploads.keep(SimpleUploadedFile(name, "主体代码\n350100N1\n".encode()), "awards-inputs")
    then = (timezone.now() - dt.timedelta(days=days_old)).timestamp()
    os.utime(path, (then, then))
    os.utime(path.parent, (then, then))
    return path


def _job(user, path, state: str, *, dry_run: bool = True) -> Job:
    return Job.objects.create(
        kind=DECIDE,
        label=f"测算奖补（输入：{path.name}）",
        started_by=user,
        state=state,
        arguments={
            "args": ["fujian-2021", "2024", None],
            "kwargs": {"user_id": user.pk, "dry_run": dry_run, "inputs": str(path)},
        },
    )


def test_a_referenced_file_is_kept_an_old_unreferenced_one_goes_a_young_one_stays(media, user):
    trial = _kept("省评价考核结论.xlsx", 400)  # a trial with a result: its page links it
    _job(user, trial, "succeeded")
    recorded = _kept("记入台账所用.xlsx", 400)  # a recording: its entries were decided from it
    _job(user, recorded, "succeeded", dry_run=False)
    waiting = _kept("排队中.xlsx", 400)  # a job still to run reads it
    _job(user, waiting, "queued")
    failed = _kept("测算失败.xlsx", 31)  # a trial abandoned: it failed, no page, no record
    _job(user, failed, "failed")
    orphan = _kept("未启动.xlsx", 31)  # its job never started
    young = _kept("刚上传.xlsx", 29)  # unreferenced, not yet old

    done = uploads.expire()

    assert sorted(done.removed) == sorted([failed.parent, orphan.parent])
    assert not failed.parent.exists() and not orphan.parent.exists()
    for path in (trial, recorded, young):
        assert path.is_file(), path
    assert (done.referenced, done.young, done.days) == (3, 1, 30)


def test_a_queued_job_whose_worker_never_ran_it_holds_nothing(media, user, settings):
    settings.JOB_STALE_MINUTES = 15
    path = _kept("排队中.xlsx", 40)
    job = _job(user, path, "queued")
    Job.objects.filter(pk=job.pk).update(created_at=timezone.now() - dt.timedelta(days=40))
    assert uploads.expire().removed == [path.parent]
    job.refresh_from_db()
    assert job.state == "interrupted"


def test_the_retention_is_a_setting_and_a_dry_run_removes_nothing(media, user, settings):
    path = _kept("测算失败.xlsx", 8)
    assert uploads.expire().removed == []
    settings.UPLOAD_RETENTION_DAYS = 7
    assert uploads.expire(dry_run=True).removed == [path.parent] and path.is_file()
    assert uploads.expire().removed == [path.parent] and not path.exists()


def test_no_uploads_folder_is_nothing_to_do(media):
    assert uploads.expire().removed == []


def test_the_command_line_face(media, user):
    kept = _kept("省评价考核结论.xlsx", 100)
    _job(user, kept, "succeeded")
    gone = _kept("测算失败.xlsx", 100)
    runner = CliRunner()
    listed = runner.invoke(app, ["clean-uploads", "--dry-run"])
    assert listed.exit_code == 0, listed.output
    assert "将删除 1 个上传文件夹" in listed.output and gone.parent.name in listed.output
    assert gone.is_file()
    done = runner.invoke(app, ["clean-uploads", "--days", "90"])
    assert done.exit_code == 0, done.output
    assert "已删除 1 个上传文件夹（超过 90 天且无任务记录使用）" in done.output
    assert "保留 1 个（测算或台账记录使用）" in done.output
    assert kept.is_file() and not gone.exists()
