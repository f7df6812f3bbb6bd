"""Progress is an append-only history; the latest report is the current status; a measure past
its deadline and not done is late, report or no report."""

import datetime as dt
import hashlib

import pytest
from django.contrib.auth import get_user_model

from gaoxin.audit import Frozen
from gaoxin.policy.ledger import LedgerError, import_document, measures, report_progress
from gaoxin.policy.models import Assignment, Evidence, Measure, ProgressReport
from tests.policy.conftest import DISTRICT

pytestmark = pytest.mark.django_db

BEFORE = dt.date(2024, 6, 1)  # before every deadline of the district plan
AFTER = dt.date(2026, 1, 1)  # after 2024年底前, before 2030年底前


@pytest.fixture
def plan():
    document = import_document(DISTRICT)
    return {m.path: m for m in document.measures.all()}


def _status(measure: Measure, today: dt.date) -> str:
    return Measure.objects.with_status(today).get(pk=measure.pk).status


def test_the_latest_report_wins_and_history_is_kept(plan):
    m = plan["一/（二）"]
    user = get_user_model().objects.create_user("kjj", password="pw-123456")
    report_progress(m, "in_progress", "已起草申报指南", user=user, reported_on=dt.date(2025, 3, 1))
    report_progress(m, "done", "已兑现奖励", user=user, reported_on=dt.date(2025, 9, 1))
    row = Measure.objects.with_status(AFTER).get(pk=m.pk)
    assert (row.status, row.latest_note, row.reported_on) == (
        "done",
        "已兑现奖励",
        dt.date(2025, 9, 1),
    )
    history = list(m.reports.values_list("status", flat=True))
    assert history == ["in_progress", "done"]
    assert m.reports.last().reported_by == user


def test_a_report_dated_earlier_does_not_override_a_later_one(plan):
    m = plan["一/（二）"]
    report_progress(m, "done", reported_on=dt.date(2025, 9, 1))
    report_progress(m, "in_progress", "补录三月进展", reported_on=dt.date(2025, 3, 1))
    assert _status(m, AFTER) == "done"
    # same date: the one entered last wins
    report_progress(m, "in_progress", "撤回完成", reported_on=dt.date(2025, 9, 1))
    assert _status(m, AFTER) == "in_progress"


def test_reports_cannot_be_edited(plan):
    report = report_progress(plan["一/（一）"], "in_progress", "开工")
    report.note = "改写历史"
    with pytest.raises(ValueError, match="append-only"):
        report.save()
    assert ProgressReport.objects.get().note == "开工"


def test_past_the_deadline_and_not_done_is_late_without_any_report(plan):
    m = plan["一/（一）"]  # 2024年底前完成
    assert _status(m, BEFORE) == "not_started"
    assert _status(m, AFTER) == "late"
    report_progress(m, "in_progress", "仍在建设", reported_on=dt.date(2025, 2, 1))
    assert _status(m, AFTER) == "late"
    report_progress(m, "done", "已建成", reported_on=dt.date(2025, 6, 1))
    assert _status(m, AFTER) == "done"
    # no date to pass: 长期坚持 is never late by itself, but can be reported late
    assert _status(plan["二/（四）"], AFTER) == "not_started"
    report_progress(plan["二/（四）"], "late", "考核办法未出台")
    assert _status(plan["二/（四）"], AFTER) == "late"
    assert set(Measure.objects.late(AFTER).values_list("path", flat=True)) == {"二/（四）"}


def test_late_filter_and_unit_filter(plan):
    assert list(measures(status="late", today=AFTER).values_list("path", flat=True)) == [
        "一/（一）"
    ]
    assert list(measures(unit="区财政局", today=AFTER).values_list("path", flat=True)) == [
        "一/（一）"
    ]
    assert measures(unit="区科技局").count() == 4


def test_a_units_own_report_counts_for_its_assignment_and_for_the_measure(plan):
    m = plan["一/（一）"]
    kjj = m.assignments.get(unit__name="区科技局")
    czj = m.assignments.get(unit__name="区财政局")
    report_progress(m, "in_progress", "整体推进", reported_on=dt.date(2024, 3, 1))
    report_progress(czj, "done", "资金已拨付", reported_on=dt.date(2024, 5, 1))
    rows = {a.unit.name: a for a in Assignment.objects.with_status(BEFORE).filter(measure=m)}
    assert rows["区财政局"].status == "done"
    assert rows["区科技局"].status == "in_progress"  # the measure-wide report
    assert _status(m, BEFORE) == "done"  # the latest report on the measure, whoever filed it
    assert ProgressReport.objects.filter(assignment=kjj).count() == 0


def test_an_assignment_of_another_measure_is_refused(plan):
    other = plan["一/（二）"].assignments.first()
    with pytest.raises(ValueError):
        ProgressReport.objects.create(measure=plan["一/（一）"], assignment=other, status="done")


def test_evidence_is_stored_with_its_hash(plan, tmp_path, media_root):
    minutes = tmp_path / "会议纪要.pdf"
    minutes.write_bytes(b"%PDF-1.4 minutes of the meeting")
    photo = tmp_path / "现场照片.JPG"
    photo.write_bytes(b"\xff\xd8\xff photo")
    report = report_progress(
        plan["一/（一）"], "in_progress", "召开推进会", evidence_paths=[minutes, photo]
    )
    stored = list(report.evidence.order_by("id"))
    assert [e.original_name for e in stored] == ["会议纪要.pdf", "现场照片.JPG"]
    digest = hashlib.sha256(minutes.read_bytes()).hexdigest()
    assert stored[0].sha256 == digest and stored[0].size == minutes.stat().st_size
    assert stored[0].file.name == f"evidence/{digest[:2]}/{digest}.pdf"
    on_disk = media_root / stored[0].file.name
    assert on_disk.read_bytes() == minutes.read_bytes()
    assert stored[1].file.name.endswith(".jpg")
    # the same bytes filed again are stored once
    again = report_progress(plan["一/（二）"], "done", evidence_paths=[minutes])
    assert again.evidence.get().file.name == stored[0].file.name
    assert len(list((media_root / "evidence" / digest[:2]).iterdir())) == 1


def test_a_missing_evidence_file_writes_nothing(plan, tmp_path):
    with pytest.raises(LedgerError, match="找不到佐证材料"):
        report_progress(plan["一/（一）"], "done", evidence_paths=[tmp_path / "nope.pdf"])
    assert (ProgressReport.objects.count(), Evidence.objects.count()) == (0, 0)


def test_an_unknown_status_is_refused(plan):
    with pytest.raises(LedgerError, match="进展状态"):
        report_progress(plan["一/（一）"], "finished")


def test_a_document_with_progress_cannot_be_deleted(plan):
    from django.db.models import ProtectedError

    document = plan["一/（一）"].document
    report_progress(plan["一/（一）"].assignments.first(), "in_progress", "开工")
    with pytest.raises(ProtectedError):
        document.delete()
    assert ProgressReport.objects.count() == 1 and Measure.objects.count() == 4


def test_a_document_without_progress_deletes_with_its_ledger(plan):
    plan["一/（一）"].document.delete()
    assert (Measure.objects.count(), Assignment.objects.count()) == (0, 0)


def test_reports_cannot_be_deleted_one_by_one_or_in_bulk(plan):
    report = report_progress(plan["一/（一）"], "in_progress", "开工")
    with pytest.raises(Frozen, match="进展报告只能追加"):
        report.delete()
    with pytest.raises(Frozen, match="另行报送"):
        ProgressReport.objects.filter(pk=report.pk).delete()
    with pytest.raises(Frozen):
        ProgressReport.objects.update(note="改写历史")
    assert list(ProgressReport.objects.values_list("note", flat=True)) == ["开工"]
