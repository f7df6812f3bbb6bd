"""The task ledger in the browser (decision 031): a unit's measures, reporting progress with
evidence, the lead unit reading its participants' reports, and 404 outside the user's scope.

The district plan's units are linked to zones as a person would in the admin: 区科技局 to
厦门火炬 (the zone reporter's scope), 区商务局 to 厦门海沧, 区财政局 to 南昌 (another province);
区委组织部 stays unlinked. 区商务局 leads （三） with 区科技局 taking part."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from gaoxin.accounts.models import Profile
from gaoxin.audit import Frozen
from gaoxin.policy import services
from gaoxin.policy.ledger import LedgerError, import_document
from gaoxin.policy.models import Assignment, Evidence, ProgressReport, ResponsibleUnit
from gaoxin.services import NotFound
from tests import factories, workplace
from tests.policy.conftest import DISTRICT

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 32


@pytest.fixture
def w():
    t = factories.small_tree()
    t["haicang"] = factories.zone("350200P1", "厦门海沧高新技术产业园区", t["xm"])
    t["jx"] = factories.region("360000", "江西省", "province")
    t["nc"] = factories.region("360100", "南昌市", "city", t["jx"])
    t["ncz"] = factories.zone("360100N1", "南昌高新技术产业开发区", t["nc"], level="national")
    users = workplace.users(t)
    document = import_document(DISTRICT)
    links = {"区科技局": "torch", "区商务局": "haicang", "区财政局": "ncz"}
    for name, place in links.items():
        ResponsibleUnit.objects.filter(name=name).update(entity=t[place])
    haicang = get_user_model().objects.create_user("haicang", password=workplace.PASSWORD)
    Profile.objects.create(
        user=haicang, organisation="海沧高新区管委会", scope=t["haicang"], role="zone_reporter"
    )
    units = {u.name: u for u in ResponsibleUnit.objects.all()}
    tasks = {
        (a.measure.path, a.unit.name): a
        for a in Assignment.objects.select_related("measure", "unit")
    }
    return {
        **t,
        "users": {**users, "haicang": haicang},
        "doc": document,
        "units": units,
        "tasks": tasks,
    }


def _task(w, path, unit):
    return w["tasks"][(path, unit)]


def _pdf(name="会议纪要.pdf", data=PDF):
    return SimpleUploadedFile(name, data, content_type="application/pdf")


def _media_files(media_root: Path) -> list[Path]:
    return [p for p in Path(media_root).rglob("*") if p.is_file()]


# ------------------------------------------------------------------------------------ services
def test_a_zone_reporter_reports_for_the_unit_linked_to_its_zone(w):
    reporter = w["users"]["zone_reporter"]
    units = services.ledger_units(by=reporter)
    assert [(u.name, u.mine) for u in units] == [("区科技局", True)]
    tasks = services.unit_tasks(w["units"]["区科技局"].pk, by=reporter, today=dt.date(2026, 1, 1))
    assert tasks.mine
    # latest deadline last; the 2024 one is past and not done: 滞后
    assert [(a.measure.path, a.role, a.status) for a in tasks.assignments] == [
        ("一/（一）", "lead", "late"),
        ("一/（二）", "lead", "not_started"),
        ("一/（三）", "participating", "not_started"),
        ("二/（四）", "lead", "not_started"),
    ]
    assert tasks.late == 1


def test_a_unit_outside_the_scope_is_not_found(w):
    reporter = w["users"]["zone_reporter"]
    for name in ("区商务局", "区财政局", "区委组织部"):
        with pytest.raises(NotFound):
            services.unit_tasks(w["units"][name].pk, by=reporter)
    # 区财政局 co-leads （一） with 区科技局: co-leads read each other's share; （三） is led by
    # 区商务局 (海沧), where 区科技局 only takes part
    assert services.task_detail(_task(w, "一/（一）", "区财政局").pk, by=reporter).sees_all
    with pytest.raises(NotFound):
        services.task_detail(_task(w, "一/（三）", "区商务局").pk, by=reporter)


def test_a_city_sees_its_zones_units_but_reports_for_none(w):
    city = w["users"]["city_reviewer"]
    # most 滞后 first
    assert [(u.name, u.late, u.mine) for u in services.ledger_units(by=city)] == [
        ("区科技局", 1, False),
        ("区商务局", 0, False),
    ]
    task = _task(w, "一/（二）", "区科技局")
    assert not services.task_detail(task.pk, by=city).can_report
    with pytest.raises(NotFound):
        services.report_task_progress(task.pk, "done", by=city, note="代报")
    assert not ProgressReport.objects.exists()


def test_a_report_with_evidence_is_stored_under_media(w, media_root):
    reporter = w["users"]["zone_reporter"]
    task = _task(w, "一/（一）", "区科技局")
    report = services.report_task_progress(
        task.pk,
        "in_progress",
        by=reporter,
        note="已新建孵化器1家",
        files=[_pdf(), _pdf("现场.png", PNG)],
    )
    assert (report.assignment_id, report.status, report.reported_by) == (
        task.pk,
        "in_progress",
        reporter,
    )
    names = sorted(e.original_name for e in report.evidence.all())
    assert names == ["会议纪要.pdf", "现场.png"]
    stored = _media_files(media_root)
    assert sorted(p.suffix for p in stored) == [".pdf", ".png"]
    assert all(p.is_relative_to(Path(media_root) / "evidence") for p in stored)
    assert services.evidence_file(report.evidence.first().pk, by=reporter).report == report


def test_reports_are_appended_never_changed(w):
    reporter = w["users"]["zone_reporter"]
    task = _task(w, "一/（二）", "区科技局")
    first = services.report_task_progress(task.pk, "in_progress", by=reporter, note="起草中")
    services.report_task_progress(task.pk, "done", by=reporter, note="已印发")
    first.refresh_from_db()
    assert (first.status, first.note) == ("in_progress", "起草中")
    assert list(ProgressReport.objects.order_by("id").values_list("note", flat=True)) == [
        "起草中",
        "已印发",
    ]
    assert services.task_detail(task.pk, by=reporter).assignment.status == "done"
    first.note = "改写"
    with pytest.raises(Frozen):
        first.save()


@pytest.mark.parametrize(
    ("upload", "message"),
    [
        (
            ("工具.exe", b"MZ\x90\x00"),
            "「工具.exe」：不接受此类文件，只接受 DOC、DOCX、JPEG、JPG、OFD、PDF、PNG、XLS、XLSX",
        ),
        (("纪要.pdf", PNG), "「纪要.pdf」：内容不是PDF（文件扩展名与内容不符）"),
        (("空.pdf", b""), "「空.pdf」：文件是空的"),
    ],
)
def test_a_bad_evidence_file_is_refused_and_nothing_is_written(w, media_root, upload, message):
    reporter = w["users"]["zone_reporter"]
    task = _task(w, "一/（一）", "区科技局")
    name, data = upload
    with pytest.raises(LedgerError) as refused:
        services.report_task_progress(
            task.pk,
            "done",
            by=reporter,
            note="完成",
            files=[_pdf(), SimpleUploadedFile(name, data)],
        )
    assert str(refused.value) == f"佐证材料未通过检查，本次未保存任何内容：{message}"
    assert not ProgressReport.objects.exists()
    assert not Evidence.objects.exists()
    assert _media_files(media_root) == []


def test_an_oversized_file_is_refused_with_its_size(w, monkeypatch, media_root):
    monkeypatch.setattr(services, "EVIDENCE_MAX_BYTES", 1024 * 1024)
    task = _task(w, "一/（一）", "区科技局")
    big = _pdf("扫描件.pdf", PDF + b"\0" * (3 * 1024 * 1024))
    with pytest.raises(LedgerError, match="「扫描件.pdf」：文件大小 3.0 MB，超过上限 1 MB"):
        services.report_task_progress(task.pk, "done", by=w["users"]["zone_reporter"], files=[big])
    assert not ProgressReport.objects.exists() and _media_files(media_root) == []


def test_a_bad_status_or_an_empty_report_writes_nothing(w):
    reporter = w["users"]["zone_reporter"]
    task = _task(w, "一/（一）", "区科技局")
    with pytest.raises(LedgerError, match="请选择进展状态（未启动、推进中、已完成、滞后）"):
        services.report_task_progress(task.pk, "finished", by=reporter, note="x")
    with pytest.raises(LedgerError, match="请填写进展说明或上传佐证材料"):
        services.report_task_progress(task.pk, "done", by=reporter, note="  ")
    assert not ProgressReport.objects.exists()


def test_the_lead_unit_reads_its_participants_reports_and_not_the_reverse(w):
    torch, haicang = w["users"]["zone_reporter"], w["users"]["haicang"]
    share = _task(w, "一/（三）", "区科技局")  # participating, torch
    lead = _task(w, "一/（三）", "区商务局")  # lead, haicang
    services.report_task_progress(share.pk, "in_progress", by=torch, note="火炬已推荐项目2个")
    services.report_task_progress(lead.pk, "in_progress", by=haicang, note="海沧已签约1个")
    # the lead sees both, even the share of a unit outside its own scope
    seen = services.task_detail(share.pk, by=haicang)
    assert seen.sees_all and not seen.can_report
    assert {r.note for r in seen.reports} == {"火炬已推荐项目2个", "海沧已签约1个"}
    # the participant sees its own only, and the lead's task is not visible to it
    own = services.task_detail(share.pk, by=torch)
    assert not own.sees_all
    assert [r.note for r in own.reports] == ["火炬已推荐项目2个"]
    with pytest.raises(NotFound):
        services.task_detail(lead.pk, by=torch)


# --------------------------------------------------------------------------------------- pages
def test_the_unit_page_shows_deadline_and_late_in_red(client, w):
    client.force_login(w["users"]["zone_reporter"])
    index = client.get(reverse("policy:ledger")).content.decode()
    unit_url = reverse("policy:unit", args=[w["units"]["区科技局"].pk])
    assert "本单位" in index and f'<a href="{unit_url}"><strong>区科技局</strong></a>' in index
    assert "滞后 1 项" in index
    page = client.get(unit_url).content.decode()
    assert "区科技局" in page and "一（一）" in page
    assert '<span class="tag tag-error">滞后</span>' in page
    assert '<span class="overdue-text">2024年12月31日</span>' in page
    assert "报送进展" in page


def test_reporting_on_the_page_and_downloading_the_evidence(client, w, media_root):
    client.force_login(w["users"]["zone_reporter"])
    task = _task(w, "一/（一）", "区科技局")
    url = reverse("policy:task", args=[task.pk])
    response = client.post(
        url, {"status": "done", "note": "两家孵化器均已运营", "evidence": [_pdf()]}
    )
    assert response.status_code == 302 and response["Location"] == url
    page = client.get(url).content.decode()
    assert "进展已报送" in page and "两家孵化器均已运营" in page and "会议纪要.pdf" in page
    evidence = Evidence.objects.get()
    download = client.get(reverse("policy:evidence", args=[evidence.pk]))
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == PDF


def test_a_refused_upload_shows_the_reason_and_keeps_nothing(client, w, media_root):
    client.force_login(w["users"]["zone_reporter"])
    task = _task(w, "一/（一）", "区科技局")
    response = client.post(
        reverse("policy:task", args=[task.pk]),
        {"status": "done", "note": "完成", "evidence": [SimpleUploadedFile("纪要.pdf", PNG)]},
    )
    assert response.status_code == 422
    assert "「纪要.pdf」：内容不是PDF（文件扩展名与内容不符）" in response.content.decode()
    assert not ProgressReport.objects.exists() and _media_files(media_root) == []


def test_pages_outside_the_scope_answer_404(client, w):
    client.force_login(w["users"]["zone_reporter"])
    other = _task(w, "一/（三）", "区商务局")
    assert client.get(reverse("policy:unit", args=[w["units"]["区财政局"].pk])).status_code == 404
    assert client.get(reverse("policy:task", args=[other.pk])).status_code == 404
    post = client.post(reverse("policy:task", args=[other.pk]), {"status": "done", "note": "x"})
    assert post.status_code == 404
    # a task the user sees but does not report for: posting is refused the same way
    client.force_login(w["users"]["city_reviewer"])
    seen = _task(w, "一/（二）", "区科技局")
    assert client.get(reverse("policy:task", args=[seen.pk])).status_code == 200
    post = client.post(reverse("policy:task", args=[seen.pk]), {"status": "done", "note": "x"})
    assert post.status_code == 404
    assert not ProgressReport.objects.exists()


def test_evidence_of_another_scope_is_not_found(client, w):
    services.report_task_progress(
        _task(w, "一/（三）", "区商务局").pk, "done", by=None, note="海沧", files=[_pdf()]
    )
    client.force_login(w["users"]["zone_reporter"])
    assert (
        client.get(reverse("policy:evidence", args=[Evidence.objects.get().pk])).status_code == 404
    )


def test_the_superuser_is_shown_the_units_nobody_has_linked(client, w):
    client.force_login(w["users"]["admin"])
    page = client.get(reverse("policy:ledger")).content.decode()
    assert "尚未关联主体的责任单位（1 个）" in page and "区委组织部" in page


# ------------------------------------------------------------------------- supervisors' view
def test_a_city_sees_the_late_shares_of_its_zones_by_unit_and_by_document(w):
    city = w["users"]["city_reviewer"]
    late = services.late_tasks(by=city, today=dt.date(2026, 1, 1))
    # （一） (2024年底前) is past for both its units; 区财政局 is in 南昌, outside 厦门
    assert [(a.measure.path, a.unit.name) for a in late.tasks] == [("一/（一）", "区科技局")]
    assert [(u["unit__name"], u["late"], u["total"]) for u in late.by_unit] == [("区科技局", 1, 4)]
    assert [(d["measure__document_id"], d["late"], d["total"]) for d in late.by_document] == [
        (w["doc"].pk, 1, 5)
    ]
    # a report of 已完成 takes it off the list; a share reported 滞后 before its deadline joins
    services.report_task_progress(
        _task(w, "一/（一）", "区科技局").pk, "done", by=w["users"]["zone_reporter"], note="完成"
    )
    services.report_task_progress(
        _task(w, "一/（三）", "区商务局").pk, "late", by=w["users"]["haicang"], note="项目未落地"
    )
    late = services.late_tasks(by=city, today=dt.date(2026, 1, 1))
    assert [(a.measure.path, a.unit.name) for a in late.tasks] == [("一/（三）", "区商务局")]


def test_the_late_page_names_only_units_in_scope(client, w):
    client.force_login(w["users"]["province_admin"])
    page = client.get(reverse("policy:late")).content.decode()
    assert "区科技局" in page and "区财政局" not in page
    assert "某区科技创新重点任务分解方案" in page
