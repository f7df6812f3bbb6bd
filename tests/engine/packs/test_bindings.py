"""Binding the Gansu pack's inputs to a small hand-made jurisdiction: values from raw
observations and certifications, evaluation history and a supplied file, checked by hand."""

from __future__ import annotations

from datetime import date as D
from decimal import Decimal
from pathlib import Path

import polars as pl
import pytest

from gaoxin.engine.facts import FactFrame, build_facts
from gaoxin.engine.packs import check_pack, load_pack
from gaoxin.engine.packs.bindings import (
    EvaluationMissing,
    evaluations_needed,
    read_supplied,
    rules_frame,
)
from gaoxin.engine.problems import ProblemsError
from gaoxin.engine.rules import run_rules

PACKS = Path(__file__).resolve().parents[3] / "src" / "gaoxin" / "packs"
FW = "gansu-provincial-zones-annual"

ENTITIES = pl.DataFrame(
    [
        ("P", "province", "甘肃", None, None, None, None),
        ("C", "city", "兰州", "P", None, None, None),
        ("Z1", "zone", "甲高新区", "C", "provincial", D(2010, 1, 1), None),
        ("Z2", "zone", "乙高新区", "C", "provincial", D(2012, 1, 1), None),
        ("E1", "enterprise", "一号公司", "Z1", None, D(2015, 1, 1), None),
        ("E2", "enterprise", "二号公司", "Z1", None, D(2015, 1, 1), None),
        ("E3", "enterprise", "三号公司", "Z1", None, D(2015, 1, 1), None),
        ("E4", "enterprise", "四号公司", "Z2", None, D(2015, 1, 1), None),
    ],
    schema=["entity", "kind", "name", "parent", "level", "joined_on", "left_on"],
    orient="row",
)
OBS = pl.DataFrame(
    [
        ("E1", "national_major_project_funding", "2024", 350.0, "b-2024"),
        ("E2", "national_major_project_funding", "2024", 299.0, "b-2024"),
        ("E1", "revenue", "2023", 100.0, "b-2023"),
        ("E4", "revenue", "2024", 80.0, "b-2024"),
        ("E3", "revenue", "2024", 10.0, "b-2024"),
    ],
    schema=["entity", "variable", "period", "value", "batch"],
    orient="row",
)
CERTS = pl.DataFrame(
    [
        ("E1", "hte", "national", D(2024, 3, 1), D(2027, 2, 28), None),  # new in 2024
        ("E2", "hte", "national", D(2024, 11, 1), D(2027, 10, 31), None),  # new in 2024
        ("E3", "hte", "national", D(2023, 5, 1), D(2026, 4, 30), None),  # new in 2023
        ("E4", "provincial_innovative", "provincial", D(2024, 6, 1), None, None),
    ],
    schema=["entity", "kind", "level", "granted_on", "expires_on", "revoked_on"],
    orient="row",
)
HISTORY = pl.DataFrame(
    [
        (FW, "2022", "Z1", 40.0, 2.0, 0.0, "不合格", None, 7),
        (FW, "2022", "Z2", 90.0, 1.0, 0.0, "优秀", None, 7),
        (FW, "2023", "Z1", 41.0, 2.0, 0.0, "不合格", None, 8),
        (FW, "2023", "Z2", 91.0, 1.0, 0.0, "优秀", None, 8),
        (FW, "2024", "Z1", 95.0, 1.0, 1.0, "优秀", None, 9),
        (FW, "2024", "Z2", 30.0, 2.0, -1.0, "不合格", None, 9),
    ],
    schema=[
        "framework",
        "period",
        "entity",
        "score",
        "rank",
        "rank_change",
        "grade",
        "veto",
        "run",
    ],
    orient="row",
)


@pytest.fixture(scope="module")
def facts() -> FactFrame:
    return build_facts(ENTITIES, OBS, CERTS)


@pytest.fixture(scope="module")
def pack():
    return load_pack(PACKS / "gansu")


def test_values_come_from_observations_certifications_and_runs(facts, pack):
    b = rules_frame(pack, facts, "2024", HISTORY)
    rows = {r["entity"]: r for r in b.frame.to_dicts()}
    # 国家项目在甘落地资金 is E1's own 2024 observation; E3 reported none → missing, not 0
    assert rows["E1"]["national_project_funds"] == 350.0
    assert rows["E3"]["national_project_funds"] is None
    # became("hte") in 2024: E1 (granted 2024-03) and E2 (2024-11); E3's 2023 certificate is not new
    assert [rows[e]["newly_certified_hte"] for e in ("E1", "E2", "E3", "E4")] == [
        True,
        True,
        False,
        False,
    ]
    assert rows["E4"]["newly_certified_sti"] is True
    # 逐年提升 since 2022: the facts start in 2023, so 2023 against 2022 cannot be judged for
    # Z1 (1 new HTE in 2023, 2 in 2024); Z2 had none in either year, so 2024 did not rise
    assert rows["Z1"]["new_hte_rising_every_year"] is None
    assert rows["Z2"]["new_hte_rising_every_year"] is False
    # ranks of the 2024 run and the 2023 run (lag 1); Z2 failed once, Z1's two failures ended
    assert (rows["Z1"]["provincial_rank"], rows["Z1"]["provincial_rank_prev"]) == (1.0, 2.0)
    assert (rows["Z1"]["consecutive_failures"], rows["Z2"]["consecutive_failures"]) == (0, 1)
    assert rows["Z1"]["zone_level"] == "provincial"
    # supplied inputs that were not supplied stay missing
    assert rows["Z1"]["newly_provincial"] is None
    assert b.runs == (8, 9)
    # in words: the variable's Chinese name, not its code
    origin = b.origin_of("E1")["national_project_funds"]
    assert origin.startswith("统计数据「") and origin.endswith("」，批次 b-2024")
    assert "national_major_project_funding" not in origin
    assert b.origin_of("E3")["national_project_funds"].endswith("未报送")
    assert b.origin_of("Z1")["provincial_rank_prev"].endswith("评价运行 #8")
    assert b.sources["newly_provincial"][0] == "supplied"


def test_the_bound_frame_runs_the_rules(facts, pack):
    b = rules_frame(pack, facts, "2024", HISTORY)
    out = run_rules(
        pack,
        b.frame,
        "2024",
        parameters={"top_rank_cutoff": 1, "top_rank_award": 50, "rank_fall_threshold": 1},
        rules=["new-hte", "new-sti", "national-project", "hte-growth-commend", "rank-fall-summon"],
    )
    got = {(r["rule"], r["entity"]): (r["amount"], r["action"]) for r in out.ledger.to_dicts()}
    assert got == {
        ("new-hte", "E1"): (Decimal("20"), None),
        ("new-hte", "E2"): (Decimal("20"), None),
        ("new-sti", "E4"): (Decimal("5"), None),
        # 10% of 350 万元 landed (≥ 300); E2's 299 is below the threshold
        ("national-project", "E1"): (Decimal("35"), None),
        # Z2 fell from 1st to 2nd: 2 − 1 ≥ 1
        ("rank-fall-summon", "Z2"): (None, "summon"),
    }
    # E3 and E4 reported no project funds: undetermined for that rule, neither paid nor refused
    und = out.undetermined.filter(pl.col("rule") == "national-project")
    assert sorted(und["entity"]) == ["E3", "E4"]
    # Z1 rose from 1 to 2 new HTEs, but the facts hold no 2022: 逐年提升 since 2022 is undetermined
    und = out.undetermined.filter(pl.col("rule") == "hte-growth-commend")
    assert sorted(und["entity"]) == ["Z1"]


def test_a_rule_reading_an_evaluation_without_a_run_is_refused(facts, pack):
    assert evaluations_needed(pack, "2024") == [(FW, "2023"), (FW, "2024")]
    with pytest.raises(EvaluationMissing) as e:
        rules_frame(pack, facts, "2024", HISTORY.filter(pl.col("period") != "2023"))
    assert e.value.missing == [(FW, "2023")]
    problem = e.value.problems[0]
    # the pages show the message: what to do in the browser, no command, no framework code
    assert "开展评价" in problem.message and "gaoxin" not in problem.message
    assert "gansu-provincial-zones-annual" not in problem.message
    assert problem.extra["command"] == (
        "gaoxin evaluate --pack gansu --framework gansu-provincial-zones-annual --period 2023"
    )
    with pytest.raises(EvaluationMissing):
        rules_frame(pack, facts, "2024", None)


def test_supplied_file_with_chinese_headers(facts, pack, tmp_path):
    f = tmp_path / "inputs.csv"
    f.write_text(
        "代码,名称,一事一议核定金额（万元）,当年新认定省级高新区\nZ1,甲高新区,6000,否\nZ2,乙高新区,,是\n",
        encoding="utf-8",
    )
    supplied = read_supplied(f, pack.spec)
    b = rules_frame(pack, facts, "2024", HISTORY, supplied, supplied_name="inputs.csv")
    rows = {r["entity"]: r for r in b.frame.to_dicts()}
    assert rows["Z1"]["negotiated_award"] == 6000.0
    assert rows["Z2"]["negotiated_award"] is None
    assert (rows["Z1"]["newly_provincial"], rows["Z2"]["newly_provincial"]) == (False, True)
    assert b.origin_of("Z1")["negotiated_award"] == "inputs.csv 第2行"
    assert b.origin_of("Z2")["negotiated_award"] == "用户未提供"


def test_bad_supplied_file_names_the_cell_and_binds_nothing(facts, pack, tmp_path):
    f = tmp_path / "bad.csv"
    f.write_text(
        "代码,一事一议核定金额,当年新认定省级高新区,多余列\nZ1,六千,也许,1\nZ1,1,是,2\n",
        encoding="utf-8",
    )
    with pytest.raises(ProblemsError) as e:
        read_supplied(f, pack.spec)
    found = {(p.code, p.row, p.column, p.value) for p in e.value.problems}
    assert ("awards.unknown_column", 1, "多余列", "多余列") in found
    assert ("awards.bad_value", 2, "一事一议核定金额", "六千") in found
    assert ("awards.bad_value", 2, "当年新认定省级高新区", "也许") in found
    assert ("awards.entity_repeated", 3, "代码", "Z1") in found
    assert all(p.file == "bad.csv" for p in e.value.problems)


def test_supplied_entity_not_in_the_facts_is_refused(facts, pack, tmp_path):
    f = tmp_path / "x.csv"
    f.write_text("代码,一事一议核定金额\nZ9,10\n", encoding="utf-8")
    with pytest.raises(ProblemsError) as e:
        rules_frame(
            pack, facts, "2024", HISTORY, read_supplied(f, pack.spec), supplied_name="x.csv"
        )
    (p,) = e.value.problems
    assert (p.code, p.file, p.row, p.value) == ("awards.unknown_entity", "x.csv", 2, "Z9")


def test_check_reports_unknown_framework_field_and_bad_formula_with_line(tmp_path):
    import shutil

    d = tmp_path / "gansu"
    shutil.copytree(PACKS / "gansu", d)
    text = (d / "pack.yaml").read_text(encoding="utf-8")
    text = text.replace(
        "framework: gansu-provincial-zones-annual, field: rank}", "framework: nope, field: rank}", 1
    )
    text = text.replace("field: consecutive_failures}", "field: failures}", 1)
    text = text.replace(
        "formula: national_major_project_funding", "formula: national_major_project_fundin", 1
    )
    (d / "pack.yaml").write_text(text, encoding="utf-8")
    lines = text.split("\n")

    def line_of(s: str) -> int:
        return next(i + 1 for i, text in enumerate(lines) if s in text)

    got = {(p.code, p.row) for p in check_pack(d)}
    assert ("pack.unknown_framework", line_of("framework: nope")) in got
    assert ("pack.unknown_evaluation_field", line_of("field: failures")) in got
    assert any(
        c.startswith("expr.") and r == line_of("national_major_project_fundin") for c, r in got
    )


def test_every_shipped_pack_binds_cleanly():
    for d in sorted(p for p in PACKS.iterdir() if (p / "pack.yaml").is_file()):
        assert [p for p in check_pack(d) if p.severity == "error"] == [], d.name


def test_a_period_without_data_is_refused(facts, pack):
    with pytest.raises(ProblemsError) as e:
        rules_frame(pack, facts, "2030", HISTORY)
    (p,) = e.value.problems
    assert (p.code, p.value) == ("awards.no_data", "2030")
    assert "2024" in p.message


def _rising_facts() -> FactFrame:
    """Zones counted from raw certificates: 甲 new HTEs 9, 10, 5, 8 in 2021-2024 (rose in 2022,
    fell in 2023, rose in 2024); 乙 2, 3, 4, 6 (rose every year); 丙 1, 2, —, 3 (no figures
    for 2023: its new HTEs are counted from certificates, so 2023 is 0, a fall)."""
    counts = {"Y1": [9, 10, 5, 8], "Y2": [2, 3, 4, 6], "Y3": [1, 2, 0, 3]}
    ents = [
        ("P", "province", "甘肃", None, None, None, None),
        ("C", "city", "兰州", "P", None, None, None),
    ] + [(z, "zone", z, "C", "provincial", D(2010, 1, 1), None) for z in counts]
    certs, obs = [], []
    for z, per_year in counts.items():
        for year, n in zip(range(2021, 2025), per_year, strict=True):
            obs.append((z, "major_safety_accidents", str(year), 0.0, f"b-{year}"))
            for k in range(n):
                e = f"{z}-{year}-{k}"
                ents.append((e, "enterprise", e, z, None, D(2015, 1, 1), None))
                certs.append((e, "hte", "national", D(year, 6, 1), D(year + 3, 5, 31), None))
    return build_facts(
        pl.DataFrame(ents, schema=ENTITIES.columns, orient="row"),
        pl.DataFrame(obs, schema=OBS.columns, orient="row"),
        pl.DataFrame(certs, schema=CERTS.columns, orient="row"),
    )


def test_rising_every_year_since_2022_not_only_on_the_year_before(pack):
    """四、10「逐年提升」: every year since 2022 above the year before; 10 → 5 → 8 is not praised."""
    f = _rising_facts()
    history = pl.DataFrame(
        [
            (FW, str(y), z, 50.0, float(i + 1), 0.0, "合格", None, y)
            for y in range(2021, 2025)
            for i, z in enumerate(("Y1", "Y2", "Y3"))
        ],
        schema=HISTORY.columns,
        orient="row",
    )
    out = {}
    for year in ("2022", "2023", "2024"):
        b = rules_frame(pack, f, year, history)
        rows = {r["entity"]: r for r in b.frame.filter(pl.col("kind") == "zone").to_dicts()}
        out[year] = {z: rows[z]["new_hte_rising_every_year"] for z in ("Y1", "Y2", "Y3")}
        ledger = run_rules(pack, b.frame, year, rules=["hte-growth-commend"]).ledger
        praised = sorted(ledger["entity"].to_list())
        assert praised == sorted(z for z, v in out[year].items() if v)
    # by hand from the counts: 甲 10 > 9, then 5 < 10 (and 8 > 5 is not enough); 乙 always;
    # 丙 2 > 1, then 0 < 2
    assert out["2022"] == {"Y1": True, "Y2": True, "Y3": True}
    assert out["2023"] == {"Y1": False, "Y2": True, "Y3": False}
    assert out["2024"] == {"Y1": False, "Y2": True, "Y3": False}


def test_a_formula_origin_reads_in_words():
    """An award input's origin on the pages: a constant says what the pack fixes, a formula
    names the catalogue's variables in Chinese (never 「公式 True」 or a raw code)."""
    from gaoxin.engine.packs.bindings import formula_words

    names = {"revenue": "营业收入", "rd_expense": "研发经费支出"}
    assert formula_words("True", names) == "政策包规定恒为「是」"
    assert formula_words(" False ", names) == "政策包规定恒为「否」"
    assert formula_words("1.5", names) == "政策包规定恒为 1.5"
    words = formula_words("rd_expense / revenue * 100", names)
    assert words == "由统计数据计算：「研发经费支出」 / 「营业收入」 * 100"
    assert "True" not in formula_words("True", names)
