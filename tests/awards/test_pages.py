"""The award pages on the Fujian demo: a province admin runs a trial (a dry run as a background
job), reads the would-be entries in 万元 with their totals, downloads the workbook, records them;
the entry page explains itself; 免申即享 lists. The numbers on the pages are the service's."""

from __future__ import annotations

import html as html_lib
import io
import re

import openpyxl
import pytest
from django.urls import reverse

from gaoxin.accounts.choices import Role
from gaoxin.awards.models import AwardEntry
from gaoxin.awards.services import decide, eligible, explain, wan_text
from gaoxin.engine.periods import Period
from gaoxin.jobs.models import Job
from gaoxin.policy.packs import find_pack
from gaoxin.registry.models import Entity
from tests.factories import user_with

pytestmark = pytest.mark.django_db
Y2024 = Period.parse("2024")


def _text(html: str) -> str:
    return html_lib.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)))


def test_a_trial_shows_the_would_be_entries_in_wan_and_records_nothing(client, admin, province):
    client.force_login(admin)
    form = client.get(reverse("awards:trial_start")).content.decode()
    assert "促进高新技术产业开发区高质量发展实施方案" in form and "fujian-2021</option>" not in form
    response = client.post(reverse("awards:trial_start"), {"pack": "fujian-2021", "period": "2024"})
    job = Job.objects.get()
    assert response["Location"] == reverse("jobs:detail", args=[job.pk])
    assert job.state == "succeeded" and job.scope == province, job.summary
    assert AwardEntry.objects.count() == 0  # a trial writes no ledger entry

    expected = decide(find_pack("fujian-2021"), Y2024, province, by=admin, dry_run=True)
    assert AwardEntry.objects.count() == 0
    job_page = client.get(response["Location"]).content.decode()
    assert "查看测算结果" in job_page and f"合计 {wan_text(expected.total_fen)} 万元" in job_page

    html = client.get(reverse("awards:trial", args=[job.pk])).content.decode()
    text = _text(html)
    assert f"{wan_text(expected.total_fen)} 万元" in text and "测算，未记入台账" in text
    money = expected.ledger.filter(expected.ledger["outcome"] == "money")
    assert money.height > 0
    for r in money.head(5).iter_rows(named=True):
        assert f"{r['name']} " in text and f" {wan_text(r['amount_fen'])} " in text
    assert "记入台账" in html  # the province admin may record
    # what is missing, per rule and input, as the workbook's working file lists it
    for m in expected.missing_inputs():
        assert f"{m.label} " in text or not m.label
        assert f" {m.entities} " in text
        # where it comes from and what to do, in words: no rule code, no hash of the data
        assert f" {m.title} " in text and m.origin in text and m.remedy in text
        assert f" {m.rule} " not in text
    # the workbook is the job's file
    download = client.get(reverse("jobs:download", args=[job.pk]))
    assert download.status_code == 200
    assert "%E5%A5%96%E8%A1%A5%E6%B5%8B%E7%AE%97" in download["Content-Disposition"]  # 奖补测算
    # the working file 待补数据, linked from the trial page: what the command line's --out
    # writes beside the ledger, the summary as the page and every undetermined row by name
    url = reverse("awards:trial_pending", args=[job.pk])
    assert f'href="{url}"' in html
    pending = client.get(url)
    assert pending.status_code == 200
    assert "%E5%BE%85%E8%A1%A5%E6%95%B0%E6%8D%AE.xlsx" in pending["Content-Disposition"]  # 待补数据
    book = openpyxl.load_workbook(io.BytesIO(b"".join(pending.streaming_content)))
    assert book.sheetnames == ["汇总", "明细"]
    assert list(book["汇总"].iter_rows(min_row=5, values_only=True)) == [
        (m.title, m.article, m.label, m.unit, m.origin, m.entities, m.remedy)
        for m in expected.missing_inputs()
    ]
    detail = list(book["明细"].iter_rows(min_row=4, values_only=True))
    assert len(detail) == expected.undetermined.height
    assert {(r[2], r[3]) for r in detail} == {
        (e, expected.names[e]) for e in expected.undetermined["entity"]
    }


def test_a_province_admin_records_the_trial_and_a_reviewer_cannot(client, admin, province):
    client.force_login(admin)
    client.post(reverse("awards:trial_start"), {"pack": "fujian-2021", "period": "2024"})
    trial = Job.objects.get()

    reviewer = user_with(province, Role.PROVINCE_REVIEWER, "fj-reviewer")
    client.force_login(reviewer)
    # someone else's trial is not theirs to see or record; nor may they run one (the matrix's
    # 运行评价与奖补测算 is 省级管理员's and 系统管理员's)
    assert client.get(reverse("awards:trial", args=[trial.pk])).status_code == 404
    assert client.post(reverse("awards:trial_record", args=[trial.pk])).status_code == 404
    assert client.get(reverse("awards:trial_start")).status_code == 403
    response = client.post(reverse("awards:trial_start"), {"pack": "fujian-2021", "period": "2024"})
    assert response.status_code == 403 and Job.objects.count() == 1
    assert AwardEntry.objects.count() == 0

    client.force_login(admin)
    response = client.post(reverse("awards:trial_record", args=[trial.pk]))
    recording = Job.objects.filter(started_by=admin).exclude(pk=trial.pk).get()
    assert response["Location"] == reverse("jobs:detail", args=[recording.pk])
    assert recording.state == "succeeded", recording.summary
    entries = AwardEntry.objects.all()
    assert entries.count() > 0 and {e.created_by_id for e in entries} == {admin.pk}
    assert {e.approval for e in entries} == {"pending"}
    page = client.get(response["Location"]).content.decode()
    assert "去审定" in page and "pack=fujian-2021" in page


def test_an_entry_page_quotes_the_article_inputs_origins_and_steps(client, admin, province):
    decide(find_pack("fujian-2021"), Y2024, province, by=admin)
    entry = AwardEntry.objects.filter(outcome="money").first()
    ex = explain(entry.pk, by=admin)
    client.force_login(admin)
    html = client.get(reverse("awards:entry", args=[entry.pk])).content.decode()
    text = _text(html)
    assert entry.quote in html and f"{wan_text(entry.amount_fen)} 万元" in text
    assert ex.inputs and all(i.label in text and i.origin in text for i in ex.inputs)
    assert all(amount in text for _, amount in ex.steps)


def test_eligible_lists_what_the_service_finds(client, admin, province):
    found = eligible(find_pack("fujian-2021"), Y2024, province, by=admin)
    client.force_login(admin)
    html = client.get(reverse("awards:eligible"), {"pack": "fujian-2021", "period": "2024"})
    text = _text(html.content.decode())
    assert f"符合条件（{found.qualified.height}）" in text
    assert f"补齐数据后可能符合（{found.possible.height}）" in text
    for r in found.qualified.head(3).iter_rows(named=True):
        assert found.names[r["entity"]] in text


def test_a_bad_year_is_named_and_nothing_starts(client, admin):
    client.force_login(admin)
    response = client.post(
        reverse("awards:trial_start"), {"pack": "fujian-2021", "period": "2024Q1"}
    )
    assert "请更正以下问题" in response.content.decode() and "不是年度" in response.content.decode()
    assert Job.objects.count() == 0


def test_a_pack_of_another_province_is_refused_on_the_form(client, admin):
    Entity.objects.create(kind="region", code="620000", name="甘肃省", path="/gs/")
    client.force_login(admin)
    response = client.post(reverse("awards:trial_start"), {"pack": "gansu", "period": "2024"})
    assert "不在您的数据范围内" in response.content.decode() and Job.objects.count() == 0


def test_a_viewer_may_not_run_a_trial(client, province):
    viewer = user_with(province, Role.VIEWER, "fj-viewer")
    client.force_login(viewer)
    assert client.get(reverse("awards:trial_start")).status_code == 403
