"""Importing a policy document stores its task ledger once, as the parser read it."""

import json
from decimal import Decimal

import pytest

from gaoxin.engine.documents import parse_file
from gaoxin.engine.problems import ProblemsError
from gaoxin.policy.ledger import import_document
from gaoxin.policy.models import (
    Assignment,
    Measure,
    MeasureAmount,
    PolicyDocument,
    ResponsibleUnit,
)
from tests.policy.conftest import DISTRICT, EXPECTED, PACKS, SEEDS

pytestmark = pytest.mark.django_db


def _units(measure: Measure, role: str) -> list[str]:
    return list(
        measure.assignments.filter(role=role).order_by("order").values_list("unit__name", flat=True)
    )


@pytest.mark.parametrize("pack", SEEDS)
def test_each_seed_document_imports_its_measures_and_units(pack):
    expected = json.loads((EXPECTED / f"{pack}.expected.json").read_text("utf-8"))
    document = import_document(PACKS / pack / "document.txt")
    assert not document.already_imported
    stored = list(document.measures.order_by("order"))
    assert len(stored) == len(expected["measures"])
    assert [m.path_parts for m in stored] == [m["path"] for m in expected["measures"]]
    assert [m.path for m in stored] == ["/".join(m["path"]) for m in expected["measures"]]
    # the units of the first three measures that name any, as checked by hand
    with_units = [
        (m, e)
        for m, e in zip(stored, expected["measures"], strict=True)
        if e["lead_units"] or e["participating_units"]
    ][:3]
    for m, e in with_units:
        assert set(_units(m, "lead")) == set(e["lead_units"]), m.path
        assert set(_units(m, "participating")) == set(e["participating_units"]), m.path
    total_expected = sum(len(e["amounts_wan"]) for e in expected["measures"])
    assert MeasureAmount.objects.filter(measure__document=document).count() == total_expected


def test_fujian_measure_nine_as_stored():
    document = import_document(PACKS / "fujian-2021/document.txt")
    m = document.measures.get(path="四/（九）")
    assert m.number == "四（九）" and m.title == "实施高水平科技创新平台建设工程"
    assert document.text[m.span_start : m.span_end].startswith("（九）实施高水平")
    assert "福州市人民政府" in _units(m, "lead")
    assert list(m.amounts.values_list("value_wan", flat=True)) == [
        Decimal("50"),
        Decimal("200"),
        Decimal("100"),
    ]
    assert document.issuer == "福建省人民政府" and str(document.issued) == "2021-07-27"
    assert document.status == "final" and document.source_name == "document.txt"
    assert len(document.source_sha256) == 64


def test_a_draft_for_comment_is_stored_as_a_draft():
    assert import_document(PACKS / "sichuan/document.txt").get_status_display() == "征求意见稿"


def test_importing_the_same_file_again_finds_the_first_import():
    first = import_document(PACKS / "taizhou-2024/document.txt")
    counts = (Measure.objects.count(), Assignment.objects.count(), ResponsibleUnit.objects.count())
    again = import_document(str(PACKS / "taizhou-2024/document.txt"))
    assert again.already_imported and again.pk == first.pk
    assert PolicyDocument.objects.count() == 1
    assert counts == (
        Measure.objects.count(),
        Assignment.objects.count(),
        ResponsibleUnit.objects.count(),
    )


def test_units_are_shared_between_documents():
    import_document(PACKS / "fujian-2021/document.txt")
    import_document(PACKS / "taizhou-2024/document.txt")
    import_document(DISTRICT)
    unit = ResponsibleUnit.objects.get(name="区科技局")
    assert unit.assignments.count() == 4
    assert ResponsibleUnit.objects.filter(name="省科技厅").count() == 1


def test_text_imports_too_and_deadlines_are_read():
    document = import_document(DISTRICT.read_text("utf-8"))
    assert document.source_name == "" and document.title == "某区科技创新重点任务分解方案"
    rows = {m.path: m for m in document.measures.all()}
    assert (rows["一/（一）"].deadline_text, str(rows["一/（一）"].deadline)) == (
        "2024年底前完成",
        "2024-12-31",
    )
    assert (rows["二/（四）"].deadline_text, rows["二/（四）"].deadline) == ("长期坚持", None)
    assert rows["一/（三）"].deadline is None
    assert _units(rows["一/（三）"], "participating") == ["区科技局"]
    assert import_document(DISTRICT.read_text("utf-8")).already_imported


def test_an_unreadable_file_writes_nothing(tmp_path):
    with pytest.raises(ProblemsError):
        import_document(tmp_path / "没有这个文件.pdf")
    assert PolicyDocument.objects.count() == 0


def test_import_is_one_transaction(monkeypatch):
    """A failure after the document row is written leaves nothing behind."""
    import gaoxin.policy.ledger as ledger

    def boom(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(ledger, "_assign_units", boom)
    with pytest.raises(RuntimeError):
        import_document(DISTRICT)
    assert (PolicyDocument.objects.count(), Measure.objects.count()) == (0, 0)


def test_the_stored_ledger_reads_back_as_the_parsed_document():
    from gaoxin.policy.ledger import engine_document

    parsed = parse_file(PACKS / "fujian-2021/document.txt")
    back = engine_document(import_document(PACKS / "fujian-2021/document.txt"))
    assert [m.path for m in back.measures] == [m.path for m in parsed.measures]
    assert [m.lead_units for m in back.measures] == [m.lead_units for m in parsed.measures]
    assert [m.amounts_wan for m in back.measures] == [m.amounts_wan for m in parsed.measures]
    assert len(back.targets) == len(parsed.targets)
