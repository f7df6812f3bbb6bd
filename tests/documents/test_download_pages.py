# ruff: noqa: F811 (fixtures are imported, then named by each test)
"""下载公文 on the pages (decision 045): the monitoring page offers the month's 月度监测通报 as
Word and PDF, made by a background job like the workbooks; the job's file opens in python-docx;
a pack or a place outside the user's scope is a 404 and starts nothing."""

from __future__ import annotations

import io

import pytest
from django.urls import reverse
from docx import Document

from gaoxin.jobs.models import Job
from gaoxin.registry.models import Entity
from tests import factories
from tests.commands.test_monitor_command import gansu  # noqa: F401 (fixture)

pytestmark = pytest.mark.django_db


@pytest.fixture
def province_user(gansu):
    return factories.user_in(Entity.objects.get(code="620000"), "gansu-division")


def test_monitoring_page_offers_the_bulletin_and_the_job_writes_it(client, province_user):
    client.force_login(province_user)
    page = client.get(reverse("statistics:monitor"), {"period": "2025-07"}).content.decode()
    assert 'data-kind="monitor"' in page and 'name="pack" value="gansu"' in page
    assert "月度监测通报（公文）" in page and "公文 Word" in page and "公文 PDF" in page
    province = Entity.objects.get(code="620000")
    response = client.post(
        reverse("documents:write"),
        {"kind": "monitor", "pack": "gansu", "period": "2025-07", "fmt": "docx",
         "scope": province.pk},
    )  # fmt: skip
    job = Job.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/jobs/{job.pk}/"
    assert job.state == "succeeded", job.message
    assert job.scope == province and job.result_name.endswith("月度监测通报.docx")
    download = client.get(reverse("jobs:download", args=[job.pk]))
    doc = Document(io.BytesIO(b"".join(download.streaming_content)))
    texts = [p.text for p in doc.paragraphs]
    assert texts[0] == "甘肃省科学技术厅文件" and any(t.startswith("图1　") for t in texts)


def test_a_pack_or_place_outside_the_scope_is_404(client, province_user):
    client.force_login(province_user)
    base = {"kind": "monitor", "pack": "gansu", "period": "2025-07", "fmt": "docx"}
    other = factories.region("350000", "福建省", "province")
    for changed in (
        {"pack": "fujian-2021"},  # 福建's pack: not the user's province
        {"scope": other.pk},  # a place outside the scope
        {"scope": "999999"},
        {"kind": "nonsense"},
        {"fmt": "exe"},
        {"pack": "no-such-pack"},
    ):
        response = client.post(reverse("documents:write"), {**base, **changed})
        assert response.status_code == 404, changed
    assert not Job.objects.exists()
    assert client.get(reverse("documents:write")).status_code == 405


def test_an_approved_run_offers_its_bulletin_and_notices(client, province_user):
    from gaoxin.evaluation.models import EvaluationRun

    client.force_login(province_user)
    province = Entity.objects.get(code="620000")
    run = EvaluationRun.objects.create(
        pack="gansu", framework="gansu-provincial-zones-annual", period="2025", scope=province,
        level="zone", units=0, approval="pending",
    )  # fmt: skip
    url = reverse("evaluation:run", args=[run.pk])
    assert 'data-kind="evaluation"' not in client.get(url).content.decode()  # not yet approved
    EvaluationRun.objects.filter(pk=run.pk).update(approval="approved")
    page = client.get(url).content.decode()
    for kind in ("evaluation", "summons", "rectify"):
        assert f'data-kind="{kind}"' in page


def test_the_award_ledger_offers_the_plan_and_notice_of_one_pack_and_year(client, province_user):
    client.force_login(province_user)
    url = reverse("awards:ledger")
    assert 'data-kind="awards"' not in client.get(url).content.decode()  # no pack and year
    page = client.get(url, {"pack": "gansu", "period": "2025"}).content.decode()
    assert 'data-kind="awards"' in page and 'data-kind="awards-notice"' in page
    assert 'name="period" value="2025"' in page


def test_the_task_ledger_offers_this_years_progress_bulletin(client):
    """The 任务台账 page offers the 任务落实进展情况通报 of the pack issuing for the user's
    region (台州's pack for a 台州 user), this year; the job writes it from the ledger."""
    from django.utils import timezone

    from gaoxin.policy.services import import_policy_document
    from tests.policy.conftest import DISTRICT

    city = factories.region(
        "331000", "台州市", "city", factories.region("330000", "浙江省", "province")
    )
    import_policy_document(DISTRICT, by=None)
    user = factories.user_in(city, "taizhou-bureau")
    client.force_login(user)
    year = str(timezone.localdate().year)
    page = client.get(reverse("policy:ledger")).content.decode()
    assert 'data-kind="ledger"' in page and 'name="pack" value="taizhou-2024"' in page
    assert f'name="period" value="{year}"' in page and "任务落实进展情况通报（公文）" in page
    response = client.post(
        reverse("documents:write"),
        {"kind": "ledger", "pack": "taizhou-2024", "period": year, "fmt": "docx"},
    )
    job = Job.objects.get()
    assert response.status_code == 302 and job.state == "succeeded", job.message
    download = client.get(reverse("jobs:download", args=[job.pk]))
    texts = [p.text for p in Document(io.BytesIO(b"".join(download.streaming_content))).paragraphs]
    assert texts[0] == "台州市科学技术局文件"
    assert f"关于{year}年政策措施落实进展情况的通报" in texts
    # a user of a region no shipped pack issues for is offered nothing
    client.force_login(factories.user_in(factories.region("440000", "广东省", "province")))
    assert 'data-kind="ledger"' not in client.get(reverse("policy:ledger")).content.decode()
