"""One rule for every stored record (gaoxin.audit): observation history, evaluation runs and
results, and award entries refuse an edit or a delete, one row at a time and in bulk, with the
same Chinese error and without changing the row; only the review state of runs and entries
moves, through one choice set and one helper."""

from __future__ import annotations

from datetime import date

import pytest
from django.db import IntegrityError, transaction

from gaoxin.audit import Approval, Frozen
from gaoxin.awards.models import AwardEntry
from gaoxin.evaluation.models import EvaluationResult, EvaluationRun
from gaoxin.policy.models import Evidence, Measure, PolicyDocument, ProgressReport
from gaoxin.statistics.models import ObservationChange
from tests import factories

pytestmark = pytest.mark.django_db

#: For each record: a field that must never change, and a value to try.
TAMPER = {
    ObservationChange: ("reason", "改过"),
    EvaluationRun: ("data_hash", "d" * 64),
    EvaluationResult: ("grade", "不合格"),
    AwardEntry: ("amount_fen", 1),
    ProgressReport: ("note", "改写历史"),
    Evidence: ("sha256", "f" * 64),
}
MESSAGES = {
    ObservationChange: "数值变更记录只能追加（append-only），已记录的不能修改或删除：数值有误请重新"
    "导入或填报，改动会另记一条",
    EvaluationRun: "评价运行只能追加（append-only），已记录的不能修改或删除：结果有误请重新运行"
    "评价，新的运行取代旧的",
    EvaluationResult: "评价结果只能追加（append-only），已记录的不能修改或删除：结果有误请重新运行"
    "评价，新的运行取代旧的",
    AwardEntry: "奖补与处理记录只能追加（append-only），已记录的不能修改或删除：更正请重新核定"
    "（gaoxin awards），系统会记一笔冲销和一条新记录",
    ProgressReport: "进展报告只能追加（append-only），已记录的不能修改或删除：进展有变请另行报送"
    "一条新的进展报告",
    Evidence: "佐证材料只能追加（append-only），已记录的不能修改或删除：材料有误请随一条新的进展报告"
    "另附",
}


def run_over(scope) -> EvaluationRun:
    return factories.evaluation_run(scope=scope)


def award_for(entity, amount_fen=35_000_000) -> AwardEntry:
    return AwardEntry.objects.create(
        pack="fujian-2021",
        pack_hash="h" * 64,
        rule="new-hte",
        article="第三条",
        quote="首次认定的高新技术企业给予奖励",
        entity=entity,
        period="2025",
        decided_on=date(2026, 3, 1),
        outcome="money",
        amount_fen=amount_fen,
        text="首次认定高企奖励 35 万元",
        engine_version="gaoxin 0.1.0",
        input_hash="i" * 64,
    )


def reports() -> list[ProgressReport]:
    """Two reports on one measure of a one-measure document (progress is not scoped)."""
    text = "一、推进园区建设。"
    doc = PolicyDocument.objects.create(title="园区建设方案", source_sha256="s" * 64, text=text)
    m = Measure.objects.create(
        document=doc, order=1, path="一", text=text, span_start=0, span_end=len(text)
    )
    return [
        ProgressReport.objects.create(measure=m, status=s, note=n, reported_on=date(2025, 9, d))
        for s, n, d in (("in_progress", "开工", 1), ("done", "完工", 30))
    ]


def stored_records() -> dict:
    """Two stored rows of each record, one in each city: 厦门 (enterprise a,
    zone torch) and 福州 (enterprise c, zone fzz)."""
    t = factories.observed_tree()
    runs = [run_over(t["xm"]), run_over(t["fz"])]
    results = [
        EvaluationResult.objects.create(run=runs[0], entity=t["torch"], score=80.5, grade="优秀"),
        EvaluationResult.objects.create(run=runs[0], entity=t["fzz"], score=60.0, grade="合格"),
    ]
    awards = [award_for(t["a"]), award_for(t["c"])]
    return {
        "tree": t,
        ObservationChange: list(ObservationChange.objects.order_by("entity__code")),
        EvaluationRun: runs,
        EvaluationResult: results,
        AwardEntry: awards,
        ProgressReport: (prs := reports()),
        Evidence: [
            Evidence.objects.create(
                report=pr,
                file=f"evidence/0{i}.pdf",
                original_name="纪要.pdf",
                sha256="0" * 64,
                size=1,
            )
            for i, pr in enumerate(prs)
        ],
    }


@pytest.fixture
def rows():
    return stored_records()


def stored(model, pk):
    field, _ = TAMPER[model]
    return getattr(model.objects.get(pk=pk), field)


@pytest.mark.parametrize("model", list(TAMPER), ids=lambda m: m.__name__)
def test_a_stored_row_is_never_edited_or_deleted(rows, model):
    row = rows[model][0]
    field, value = TAMPER[model]
    before = stored(model, row.pk)
    setattr(row, field, value)
    attempts = [
        row.save,
        lambda: row.save(update_fields=[field]),
        lambda: row.save(update_fields=[field, "approval"]),
        row.delete,
        lambda: model.objects.filter(pk=row.pk).update(**{field: value}),
        lambda: model.objects.bulk_update([row], [field]),
        lambda: model.objects.filter(pk=row.pk).delete(),
        lambda: model.objects.all().delete(),
        # Django's own manager for related lookups: the same guard (issue 15's probe found
        # it open on every append-only record but observations)
        lambda: model._base_manager.filter(pk=row.pk).update(**{field: value}),
        lambda: model._base_manager.filter(pk=row.pk).delete(),
    ]
    for attempt in attempts:
        # a savepoint each, as bulk_update refuses inside its own atomic block
        with pytest.raises(Frozen) as refused, transaction.atomic():
            attempt()
        assert str(refused.value) == MESSAGES[model]
        assert isinstance(refused.value, ValueError)  # observation history raised ValueError
    assert stored(model, row.pk) == before
    assert model.objects.count() == 2


@pytest.mark.parametrize("model", list(TAMPER), ids=lambda m: m.__name__)
def test_a_new_row_given_a_stored_key_is_inserted_not_written_over(rows, model):
    row = rows[model][0]
    field, value = TAMPER[model]
    before = stored(model, row.pk)
    twin = model.objects.get(pk=row.pk)
    twin._state.adding = True  # as if built anew with the stored row's key
    setattr(twin, field, value)
    with pytest.raises(IntegrityError), transaction.atomic():
        twin.save()
    assert stored(model, row.pk) == before


@pytest.mark.parametrize("model", [EvaluationRun, AwardEntry], ids=lambda m: m.__name__)
def test_only_the_review_state_moves(rows, model, django_user_model):
    row, other = rows[model]
    assert row.approval == Approval.PENDING
    reviewer = django_user_model.objects.create_user("reviewer")
    row.set_approval("approved", reviewer, "同意发布")
    stored = model.objects.get(pk=row.pk)
    assert stored.approved_by == reviewer and stored.approved_at is not None
    assert stored.review_comment == "同意发布"
    assert row.approval == Approval.APPROVED
    assert model.objects.get(pk=row.pk).approval == Approval.APPROVED
    assert model.objects.get(pk=other.pk).approval == Approval.PENDING  # only this row
    # the review state alone may also be saved or updated in bulk
    row.approval = Approval.RETURNED
    row.save(update_fields=["approval"])
    assert model.objects.filter(approval=Approval.RETURNED).count() == 1
    assert model.objects.update(approval=Approval.PENDING) == 2
    # an unknown state is refused and nothing moves
    with pytest.raises(ValueError):
        row.set_approval("signed")
    assert set(model.objects.values_list("approval", flat=True)) == {"pending"}


def test_the_review_fields_are_the_only_ones_that_move(rows):
    # the award ledger records its reviewer like runs do (decision 026), and nothing else moves
    for model in (EvaluationRun, AwardEntry):
        row = rows[model][0]
        assert {"approval", "approved_by", "approved_at", "review_comment"} == model.mutable_fields
        row.text = "改过" if model is AwardEntry else row.title
        with pytest.raises(Frozen):
            row.save(update_fields=["approval", "text" if model is AwardEntry else "title"])


def test_runs_and_entries_share_one_choice_set():
    for model in (EvaluationRun, AwardEntry):
        field = model._meta.get_field("approval")
        assert field.choices == [
            ("pending", "待审核"),
            ("approved", "已审定"),
            ("returned", "已退回"),
        ]
        assert field.default == "pending"
