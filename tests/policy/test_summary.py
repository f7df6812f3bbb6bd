"""The summaries, checked against a count by hand of the district plan.

The plan (tests/policy/fixtures/district-plan.txt) has four measures:

| measure | units (lead; participating) | deadline | money (万元) | reported | status on 2026-01-01 |
|---|---|---|---:|---|---|
| 一（一） | 区科技局、区财政局 | 2024年底前 | 100 | in_progress | late (past deadline) |
| 一（二） | 区科技局 | 2030年底前 | 10 | done | done |
| 一（三） | 区商务局; 区科技局 | — | — | in_progress | in_progress |
| 二（四） | 区委组织部、区科技局 | 长期坚持 | — | — | not_started |
"""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from gaoxin.policy.ledger import (
    NO_UNIT,
    import_document,
    report_progress,
    summary_by_document,
    summary_by_unit,
)
from gaoxin.policy.models import MeasureAmount
from tests.policy.conftest import DISTRICT, PACKS

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 1, 1)


@pytest.fixture
def plan():
    document = import_document(DISTRICT)
    m = {x.path: x for x in document.measures.all()}
    report_progress(m["一/（一）"], "in_progress", "在建", reported_on=dt.date(2025, 6, 1))
    report_progress(m["一/（二）"], "done", "已兑现", reported_on=dt.date(2025, 6, 1))
    report_progress(m["一/（三）"], "in_progress", "洽谈中", reported_on=dt.date(2025, 6, 1))
    return document


def test_summary_by_document_matches_the_hand_count(plan):
    frame = summary_by_document(today=TODAY)
    assert frame.height == 1
    row = frame.row(0, named=True)
    assert row["title"] == "某区科技创新重点任务分解方案"
    assert (
        row["measures"],
        row["not_started"],
        row["in_progress"],
        row["done"],
        row["late"],
    ) == (4, 1, 1, 1, 1)
    assert row["amount_wan"] == Decimal("110")


def test_summary_by_unit_matches_the_hand_count(plan):
    frame = summary_by_unit(plan, today=TODAY)
    rows = {r["unit"]: r for r in frame.iter_rows(named=True)}
    assert set(rows) == {"区科技局", "区财政局", "区商务局", "区委组织部"}
    kjj = rows["区科技局"]
    assert (kjj["measures"], kjj["lead"], kjj["participating"]) == (4, 3, 1)
    assert (kjj["not_started"], kjj["in_progress"], kjj["done"], kjj["late"]) == (1, 1, 1, 1)
    assert kjj["amount_wan"] == Decimal("110")
    czj = rows["区财政局"]
    assert (czj["measures"], czj["late"], czj["amount_wan"]) == (1, 1, Decimal("100"))
    assert (rows["区商务局"]["in_progress"], rows["区商务局"]["amount_wan"]) == (1, Decimal("0"))
    assert rows["区委组织部"]["not_started"] == 1
    assert frame["unit"][0] == "区科技局"  # most measures first


def test_a_past_deadline_counts_as_late_without_any_report():
    document = import_document(DISTRICT)
    early = summary_by_document(today=dt.date(2024, 6, 1)).row(0, named=True)
    late = summary_by_document(today=TODAY).row(0, named=True)
    assert (early["not_started"], early["late"]) == (4, 0)
    assert (late["not_started"], late["late"]) == (3, 1)
    units = {
        r["unit"]: r["late"] for r in summary_by_unit(document, today=TODAY).iter_rows(named=True)
    }
    assert units == {"区科技局": 1, "区财政局": 1, "区商务局": 0, "区委组织部": 0}


def test_measures_without_units_are_summed_in_their_own_row():
    national = import_document(PACKS / "national-14th-fyp/document.txt")
    frame = summary_by_unit(national)
    assert frame["unit"].to_list() == [NO_UNIT]
    assert frame.row(0, named=True)["measures"] == 53


def test_summaries_over_several_documents(plan):
    import_document(PACKS / "fujian-2021/document.txt")
    docs = summary_by_document(today=TODAY)
    assert docs.height == 2 and docs["measures"].to_list() == [4, 22]
    # money granted: 7700 written, less the 200万元以上 threshold and the two per-rank awards
    # (100, 50) their caps (300, 150) bound
    assert docs["amount_wan"][1] == Decimal("7350")
    by_unit = summary_by_unit(today=TODAY)
    assert "省科技厅" in by_unit["unit"].to_list() and "区科技局" in by_unit["unit"].to_list()


def test_summaries_run_a_fixed_number_of_queries(plan):
    import_document(PACKS / "fujian-2021/document.txt")
    with CaptureQueriesContext(connection) as few:
        summary_by_unit()
    import_document(PACKS / "sichuan/document.txt")
    with CaptureQueriesContext(connection) as more:
        summary_by_unit()
        summary_by_document()
    assert len(more) == len(few) + 3


def test_a_units_funding_counts_money_granted_not_thresholds():
    """省科技厅's total in the Fujian plan: its measures grant 1000+5000+50 (二), 100 (the 3%
    award's cap; 200万元以上 is the threshold the institution must pass), 100+150 (孵化器),
    500 (cap), 300+150 (the per-rank caps) = 7350; Gansu's 300万元以上 is a threshold too."""
    fujian = import_document(PACKS / "fujian-2021/document.txt")
    rows = {r["unit"]: r for r in summary_by_unit(fujian).iter_rows(named=True)}
    assert rows["省科技厅"]["amount_wan"] == Decimal("7350")
    gansu = import_document(PACKS / "gansu/document.txt")
    rows = {r["unit"]: r for r in summary_by_unit(gansu).iter_rows(named=True)}
    granted = {
        (a.text, a.granted)
        for a in MeasureAmount.objects.filter(measure__document=gansu, role="threshold")
    }
    assert granted == {("300万元", False)}
    assert rows["省科技厅"]["amount_wan"] == sum(
        MeasureAmount.objects.filter(
            measure__document=gansu,
            granted=True,
            measure__assignments__unit__name="省科技厅",
        ).values_list("value_wan", flat=True),
        Decimal(0),
    )
