"""Inputs read from the cases of earlier actions (decision 042): Sichuan's 限期整改仍不力 is
an earlier rectification case judged 未到位 or still open after its deadline, and the value's
origin cites the case by number."""

from __future__ import annotations

from datetime import date as D

import polars as pl
import pytest

from gaoxin.engine.packs import load_pack
from gaoxin.engine.packs.bindings import CASE_COLUMNS, rules_frame
from gaoxin.engine.rules import run_rules
from tests.engine.packs.test_bindings import ENTITIES, OBS, PACKS, facts  # noqa: F401

FW = "sichuan-zones-comprehensive"
HISTORY = pl.DataFrame(
    [
        (FW, "2024", "Z1", 40.0, 2.0, 0.0, "较差", None),
        (FW, "2024", "Z2", 90.0, 1.0, 0.0, "较差", None),
    ],
    schema=["framework", "period", "entity", "score", "rank", "rank_change", "grade", "veto"],
    orient="row",
)
CASES = pl.DataFrame(
    [
        ("2024-0001", "evaluation-rectify", "Z1", "2023", D(2024, 10, 1), None),
        ("2024-0002", "evaluation-rectify", "Z2", "2023", D(2024, 10, 1), "passed"),
        ("2025-0001", "evaluation-rectify", "Z2", "2024", D(2025, 10, 1), "failed"),
    ],
    schema={
        c: t for c, t in zip(CASE_COLUMNS, [pl.String] * 4 + [pl.Date, pl.String], strict=True)
    },
    orient="row",
)


@pytest.fixture(scope="module")
def sichuan():
    return load_pack(PACKS / "sichuan")


def test_overdue_case_reads_failed_and_is_cited(facts, sichuan):  # noqa: F811
    b = rules_frame(sichuan, facts, "2024", HISTORY, cases=CASES, as_of=D(2025, 3, 1))
    rows = {r["entity"]: r["rectification_failed"] for r in b.frame.to_dicts()}
    # Z1's 2023 case is past its deadline without 整改到位; Z2's passed (its 2024 case is this
    # period's, not an earlier one)
    assert (rows["Z1"], rows["Z2"]) == (True, False)
    assert b.origin_of("Z1")["rectification_failed"] == (
        "整改案件 2024-0001（2023，期限 2024-10-01，逾期未整改到位）"
    )
    assert "整改到位" in b.origin_of("Z2")["rectification_failed"]
    assert b.sources["rectification_failed"][0] == "cases"
    out = run_rules(sichuan, b.frame, "2024", rules=["revoke-after-rectification"])
    revoked = out.traces.filter(pl.col("rule") == "revoke-after-rectification")
    assert revoked["entity"].to_list() == ["Z1"]


def test_before_the_deadline_an_open_case_is_not_failed(facts, sichuan):  # noqa: F811
    b = rules_frame(sichuan, facts, "2024", HISTORY, cases=CASES, as_of=D(2024, 9, 30))
    rows = {r["entity"]: r["rectification_failed"] for r in b.frame.to_dicts()}
    assert rows["Z1"] is False


def test_no_cases_reads_false_not_missing(facts, sichuan):  # noqa: F811
    b = rules_frame(sichuan, facts, "2024", HISTORY, as_of=D(2025, 3, 1))
    assert set(b.frame["rectification_failed"].to_list()) == {False}
    assert b.origin_of("Z1")["rectification_failed"] == "此前没有相关的整改案件"
