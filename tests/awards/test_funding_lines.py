"""The funding lines (budgets without an amount) the shipped packs declare from their documents:
awards under them are paid in full and `gaoxin awards` totals them per line, in exact 分."""

from __future__ import annotations

import polars as pl

from gaoxin.awards.services import totals as _totals
from gaoxin.engine.packs import load_pack
from gaoxin.engine.rules import run_rules
from tests.engine.packs.test_bindings import PACKS


def test_gansu_awards_are_paid_in_full_and_totalled_by_the_line_the_document_names():
    spec = load_pack(PACKS / "gansu").spec
    lines = {b.id: (b.label, b.amount, b.rules) for b in spec.budgets}
    assert lines["provincial-finance"] == ("省级财政", None, ["new-national-zone"])
    frame = pl.DataFrame(
        {
            "entity": ["天水", "企业甲", "企业乙", "企业丙"],
            "kind": ["zone", "enterprise", "enterprise", "enterprise"],
            "zone_level": ["provincial", None, None, None],
            "newly_national": [True, None, None, None],
            "negotiated_award": [6000.0, None, None, None],
            "in_zone": [None, True, True, True],
            "newly_certified_hte": [None, True, True, False],
            "newly_certified_sti": [None, False, False, True],
            "introduced_unicorn_gazelle": [None, False, True, False],
            "national_project_funds": [None, 500.0, 0.0, 0.0],
        }
    )
    rules = ["new-national-zone", "new-hte", "new-sti", "unicorn-gazelle", "national-project"]
    out = run_rules(spec, frame, "2024", rules=rules)
    assert out.ledger["capped_by"].list.len().sum() == 0  # no line cut anything
    t = _totals(out.ledger, spec)
    by_line = {r["budget"]: (r["label"], r["count"], r["amount_fen"]) for r in t["by_budget"]}
    # 一、1: 一事一议 6000 万元 (above the 5000 floor); 四、10: 20 + 20 + 5 + 100 = 145 万元;
    # 一、2 paid nobody; 二、5 (500 × 10% = 50 万元) names no source, so it is on no line and
    # shows in a row of its own, so that the lines add up to the total.
    assert by_line == {
        "provincial-finance": ("省级财政", 1, 6_000_000_000),
        "provincial-sti-department": ("省科技厅", 0, 0),
        "provincial-awards": ("省级奖补资金", 4, 145_000_000),
        None: ("原文未列明资金渠道", 1, 50_000_000),
    }
    # 1 万元 = 1,000,000 分: 6000 + 145 + 50 万元
    assert t["total"] == [{"amount_fen": 6_000_000_000 + 145_000_000 + 50_000_000}]


def test_every_shipped_funding_line_covers_only_rules_whose_document_names_the_source():
    # the lines are declared where the document says where the money comes from; the quote
    # of each line holds the name of that source (财政, 专项资金, or the giving department).
    named = {}
    for pack in ("fujian-2021", "gansu", "sichuan"):
        for b in load_pack(PACKS / pack).spec.budgets:
            assert b.amount is None and b.rules
            named[(pack, b.id)] = b.label
            # else the interpretation says why the line is read so (市（州）财政 for 各市（州）)
            assert b.label.removesuffix("资金") in b.cite.quote or b.interpretation, (pack, b.id)
    assert named[("fujian-2021", "zichuang-provincial-fund")] == "自创区建设省级专项资金"
    assert named[("sichuan", "provincial-finance")] == "省级财政"
