"""Official documents made from frozen runs: approved award entries and evaluation runs become
GB/T 9704 documents with the pack's issuer, scoped to the user, the receipt in the 版记."""

from __future__ import annotations

from datetime import date

import pytest
from django.utils import timezone
from docx import Document

from gaoxin.awards.models import AwardEntry
from gaoxin.documents.services import official_documents, write_official_documents
from gaoxin.engine.problems import ProblemsError
from gaoxin.evaluation.models import EvaluationResult
from tests.factories import evaluation_run, small_tree, user_in

pytestmark = pytest.mark.django_db
DAY = date(2026, 12, 3)


def entry(entity, rule="new-hte", *, amount=None, action="", approval="approved", **kw):
    return AwardEntry.objects.create(
        pack="fujian-2021",
        pack_hash="p" * 64,
        rule=rule,
        article="四、（九）",
        quote="原文",
        entity=entity,
        period="2025",
        decided_on=DAY,
        outcome="action" if action else "money",
        amount_fen=amount,
        action=action,
        text="年度评价结果为较差。",
        engine_version="1",
        input_hash="d" * 64,
        approval=approval,
        **kw,
    )


@pytest.fixture
def tree():
    t = small_tree()
    entry(t["a"], amount=20_000_000)
    entry(t["c"], amount=5_000_050)
    entry(t["b"], amount=99_000_000, approval="pending")  # not yet approved: never issued
    entry(t["torch"], rule="summon-rule", action="summon")
    entry(t["fzz"], rule="rectify-rule", action="rectify")
    return t


def test_award_plan_lists_approved_entries_with_total_and_receipt(tree):
    (doc,) = official_documents(
        "awards", pack="fujian-2021", period="2025", by=None, seq=7, today=DAY
    )
    assert doc.organ == "福建省科学技术厅文件" and doc.number == "闽科高〔2026〕7号"
    assert doc.printer == "福建省科学技术厅办公室" and doc.date == DAY
    table = next(b for b in doc.blocks if hasattr(b, "rows"))
    assert [r[1] for r in table.rows] == ["厦门甲科技有限公司", "福州丙软件有限公司", "合计"]
    assert table.rows[-1][-1] == "25.00"  # 20 + 5.0005 万元, two decimals
    assert "25.00万元" in doc.blocks[0].text
    assert (
        doc.receipt
        and "dddddddddddd" in doc.receipt[0]
        and "fujian-2021@pppppppppppp" in doc.receipt[0]
    )
    assert all("dddddddddddd" not in getattr(b, "text", "") for b in doc.blocks)


def test_a_city_user_sees_only_its_own_entries(tree):
    (doc,) = official_documents(
        "awards", pack="fujian-2021", period="2025", by=user_in(tree["xm"]), today=DAY
    )
    table = next(b for b in doc.blocks if hasattr(b, "rows"))
    assert [r[1] for r in table.rows] == ["厦门甲科技有限公司", "合计"]
    assert doc.number == "闽科高〔2026〕　号"  # no sequence number: a blank to fill in


def test_notices_one_per_zone_and_the_notice_without_head(tree, tmp_path):
    summons = official_documents("summons", pack="fujian-2021", period="2025", by=None, today=DAY)
    assert [d.addressees for d in summons] == ["厦门火炬高技术产业开发区"]
    files = write_official_documents(
        "rectify", tmp_path / "整改.docx", pack="fujian-2021", period="2025", by=None, today=DAY
    )
    assert [f.name for f in files] == ["整改.docx"]
    texts = [p.text for p in Document(str(files[0])).paragraphs]
    assert "福州高新技术产业开发区：" in texts and texts[0] == "福建省科学技术厅文件"
    (notice,) = official_documents("awards-notice", pack="fujian-2021", period="2025", by=None)
    assert (notice.organ, notice.number, notice.addressees) == ("", "", "")


def test_evaluation_bulletin_from_the_approved_run(tree):
    run = evaluation_run(pack="fujian-2021", period="2025", status="completed", approval="approved")
    EvaluationResult.objects.create(run=run, entity=tree["torch"], score=91.5, rank=1, grade="优秀")
    EvaluationResult.objects.create(run=run, entity=tree["fzz"], score=70.25, rank=2, grade="合格")
    entry(tree["torch"], rule="commend-rule", action="commend")
    (doc,) = official_documents("evaluation", pack="fujian-2021", period="2025", by=None, today=DAY)
    table = next(b for b in doc.blocks if hasattr(b, "rows"))
    assert table.rows == (
        ("1", "厦门火炬高技术产业开发区", "91.50", "优秀"),
        ("2", "福州高新技术产业开发区", "70.25", "合格"),
    )
    text = "".join(getattr(b, "text", "") for b in doc.blocks)
    assert "通报表扬：厦门火炬高技术产业开发区" in text and "约谈" in text
    assert f"评价运行第{run.id}号" in doc.receipt[0] and "cccccccccccc" in doc.receipt[0]


def test_refusals_name_what_is_missing(tree):
    with pytest.raises(ProblemsError, match="已审定的评价运行"):
        official_documents("evaluation", pack="fujian-2021", period="2025", by=None)
    with pytest.raises(ProblemsError, match="未知的公文种类"):
        official_documents("memo", pack="fujian-2021", period="2025", by=None)
    with pytest.raises(ProblemsError, match="没有已审定的奖补资金"):
        official_documents("awards", pack="fujian-2021", period="2024", by=None)


def test_cli_writes_the_docx_and_refuses_precisely(tree, tmp_path):
    from typer.testing import CliRunner

    from gaoxin.cli import app

    out = tmp_path / "方案.docx"
    args = [
        "doc",
        "write",
        "awards",
        "--pack",
        "fujian-2021",
        "--period",
        "2025",
        "--out",
        str(out),
    ]
    r = CliRunner().invoke(app, [*args, "--seq", "3"])
    assert r.exit_code == 0, r.output
    assert "闽科高〔" in "".join(p.text for p in Document(str(out)).paragraphs)
    r = CliRunner().invoke(app, ["doc", "write", "memo", *args[3:]])
    assert r.exit_code == 2 and "未知的公文种类" in r.output


def test_ledger_bulletin_counts_measures_by_unit_as_integers(db):
    from gaoxin.policy.services import import_policy_document
    from tests.policy.conftest import DISTRICT

    done = import_policy_document(DISTRICT, by=None)
    (doc,) = official_documents(
        "ledger", pack="taizhou-2024", period="2026", by=None, today=DAY, document=done.document.pk
    )
    assert doc.organ == "台州市科学技术局文件" and doc.title.endswith("落实进展情况的通报")
    table = next(b for b in doc.blocks if hasattr(b, "rows"))
    assert table.headers[:2] == ("责任单位", "措施数") and table.rows
    assert all(cell.isdigit() for row in table.rows for cell in row[1:])
    assert "截至2026年12月3日" in doc.blocks[0].text and "文件" in doc.receipt[0]


def test_ledger_bulletin_lists_the_reminders_sent(db):
    """三、督办情况 lists each 督办 (date, sender, unit, measure, text); without one it is absent."""
    from django.contrib.auth import get_user_model

    from gaoxin.engine.official import date_text
    from gaoxin.policy.models import Assignment
    from gaoxin.policy.services import import_policy_document, send_reminder
    from tests.policy.conftest import DISTRICT

    done = import_policy_document(DISTRICT, by=None)
    kwargs = {"pack": "taizhou-2024", "period": "2026", "by": None, "today": DAY}
    (before,) = official_documents("ledger", document=done.document.pk, **kwargs)
    assert "三、督办情况" not in [getattr(b, "text", "") for b in before.blocks]
    task = Assignment.objects.filter(measure__document=done.document).order_by("pk").first()
    boss = get_user_model().objects.create_superuser("boss", "b@example.org", "pw")
    sent = send_reminder(task.pk, "请于12月10日前报送进展", by=boss)
    (doc,) = official_documents("ledger", document=done.document.pk, **kwargs)
    assert "三、督办情况" in [getattr(b, "text", "") for b in doc.blocks]
    table = next(b for b in doc.blocks if getattr(b, "caption", "") == "督办情况")
    assert table.rows == (
        (
            date_text(timezone.localtime(sent.sent_at).date()),
            "boss",
            task.unit.name,
            task.measure.number,
            "请于12月10日前报送进展",
        ),
    )
