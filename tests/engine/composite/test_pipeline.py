"""Bonus, penalty and veto items, grades, rank change, unit profiles, frozen runs, the CLI."""

import hashlib
import textwrap

import numpy as np
import polars as pl
import pytest
from typer.testing import CliRunner

from gaoxin.cli import app
from gaoxin.engine.composite import check_framework, evaluate
from gaoxin.engine.problems import ProblemsError

from .conftest import ASEM_DATA, ASEM_YAML

ZONES = pl.DataFrame(
    {
        "unit": ["甲", "乙", "丙", "丁"],
        "rd": [5.0, 3.0, 1.0, 3.0],
        "energy": [0.5, 0.8, 1.0, 0.8],
        "awards": [3.0, 0.0, 10.0, 0.0],
        "violations": [0.0, 1.0, 0.0, 0.0],
        "accident": [0.0, 0.0, 0.0, 1.0],
    }
)
SPEC = {
    "framework": "zones",
    "scoring": {"method": "efficacy"},
    "bonus": [{"code": "awards", "column": "awards", "cap": 5}],
    "bonus_cap": 4,
    "penalty": [{"code": "violations", "column": "violations", "points": 2.5}],
    "veto": [
        {"code": "safety", "column": "accident", "grade": "不合格", "reason": "安全生产一票否决"}
    ],
    "grading": {
        "method": "thresholds",
        "levels": [
            {"grade": "优秀", "min": 90},
            {"grade": "良好", "min": 80},
            {"grade": "合格", "min": 60},
        ],
        "rest": "不合格",
    },
    "index": {
        "code": "I",
        "children": [
            {"code": "rd", "weight": 0.6},
            {"code": "energy", "weight": 0.4, "direction": -1},
        ],
    },
}


def test_bonus_penalty_veto_and_grades():
    ev = evaluate(check_framework(SPEC), ZONES)
    r = ev.result
    # efficacy 60 + 40 (x - min)/(max - min): rd 甲 100, 乙/丁 80, 丙 60;
    # energy (less is better) 甲 100, 乙/丁 60 + 40 * 0.2/0.5 = 76, 丙 60
    np.testing.assert_allclose(
        r["I"].to_numpy(), [100, 0.6 * 80 + 0.4 * 76, 60, 0.6 * 80 + 0.4 * 76]
    )
    np.testing.assert_allclose(r["bonus"].to_numpy(), [3, 0, 4, 0])  # item cap 5, total cap 4
    np.testing.assert_allclose(r["penalty"].to_numpy(), [0, 2.5, 0, 0])
    np.testing.assert_allclose(r["score"].to_numpy(), [103, 78.4 - 2.5, 64, 78.4])
    # 丁 (78.4, second by score) is vetoed: graded 不合格 and ranked after every other unit,
    # so 乙 and 丙 move up a place
    assert r["rank"].to_list() == [1, 2, 3, 4]
    assert r["grade"].to_list() == ["优秀", "合格", "合格", "不合格"]
    assert r["veto"].to_list() == ["", "", "", "safety"]


def test_a_veto_frees_the_rank_and_the_quota_place_for_the_next_unit():
    spec = {
        **SPEC,
        "grading": {
            "method": "quotas",
            "levels": [{"grade": "优秀", "top": 0.25}, {"grade": "良好", "top": 0.5}],
            "rest": "合格",
        },
    }
    data = ZONES.with_columns(accident=pl.Series([1.0, 0.0, 0.0, 0.0]))  # 甲, the best, vetoed
    r = evaluate(check_framework(spec), data).result
    # by score 甲 103 > 丁 78.4 > 乙 75.9 > 丙 64; 4 units: one 优秀 place, one 良好 place.
    # 甲 is vetoed: last, 不合格, and its 优秀 place goes to 丁, the 良好 place to 乙
    assert r["rank"].to_list() == [4, 2, 3, 1]
    assert r["grade"].to_list() == ["不合格", "良好", "合格", "优秀"]
    # within groups too: 甲 and 乙 in group a, 丙 and 丁 in group b
    grouped = {**spec, "groups": ["g"], "grading": {**spec["grading"], "by": "g"}}
    r = evaluate(
        check_framework(grouped), data.with_columns(g=pl.Series(["a", "a", "b", "b"]))
    ).result
    assert r["rank_g"].to_list() == [2, 1, 2, 1]
    # quotas per group of 2: ⌊0.25·2⌋ = 0 优秀, ⌊0.5·2⌋ = 1 良好 place, which 乙 takes from 甲
    assert r["grade"].to_list() == ["不合格", "良好", "合格", "良好"]


def test_rank_change_and_profile():
    prev = pl.DataFrame({"unit": ["甲", "乙", "丙", "丁"], "rank": [2.0, 1.0, 4.0, 3.0]})
    ev = evaluate(check_framework(SPEC), ZONES, previous=prev)
    # ranks now 1, 2, 3, 4 (丁 vetoed, last)
    assert ev.result["rank_change"].to_list() == [1, -1, 1, -1]
    p = ev.profile("甲")
    assert p["rank"] == 1 and p["nodes"]["rd"]["rank"] == 1 and p["strengths"][0] == "rd"


def test_bad_cells_reported_with_row_and_column():
    bad = ZONES.with_columns(pl.col("rd").cast(pl.String)).with_columns(
        pl.when(pl.col("unit") == "丙").then(pl.lit("约1.0")).otherwise(pl.col("rd")).alias("rd")
    )
    with pytest.raises(ProblemsError) as e:
        evaluate(check_framework(SPEC), bad, file="zones.csv")
    (p,) = e.value.problems
    assert (p.file, p.row, p.column, p.value) == ("zones.csv", 4, "rd", "约1.0")
    assert "不是数字" in p.message


def test_cli_asem_is_byte_identical_on_rerun(tmp_path):
    runner = CliRunner()
    outs = []
    for k in range(2):
        out = tmp_path / f"asem{k}.csv"
        res = runner.invoke(
            app,
            [
                "evaluate",
                "--framework",
                str(ASEM_YAML),
                "--data",
                str(ASEM_DATA),
                "--out",
                str(out),
            ],
        )
        assert res.exit_code == 0, res.output
        outs.append((out.read_bytes(), (tmp_path / f"asem{k}.csv.run.json").read_bytes()))
    assert outs[0] == outs[1]
    df = pl.read_csv(tmp_path / "asem0.csv")
    assert df.height == 51 and {"Index", "Conn", "Physical", "LPI", "score", "rank"} <= set(
        df.columns
    )
    assert hashlib.sha256(
        ASEM_YAML.read_bytes()
    ).hexdigest()  # the framework file itself is versioned


def test_cli_reports_problems_in_chinese(tmp_path):
    fw = tmp_path / "fw.yaml"
    fw.write_text(
        textwrap.dedent(
            """\
            framework: t
            unit: unit
            index:
              code: I
              children: [{code: rd}, {code: missing_col}]
            """
        ),
        encoding="utf-8",
    )
    data = tmp_path / "d.csv"
    ZONES.write_csv(data)
    res = CliRunner().invoke(
        app,
        ["evaluate", "--framework", str(fw), "--data", str(data), "--out", str(tmp_path / "o.csv")],
    )
    assert res.exit_code == 1
    assert "missing_col" in res.output and "未生成结果" in res.output
    assert not (tmp_path / "o.csv").exists()


def test_ranks_and_quotas_within_groups():
    data = ZONES.with_columns(level=pl.Series(["national", "provincial", "national", "provincial"]))
    spec = {
        **SPEC,
        "groups": ["level"],
        "veto": [],
        "grading": {
            "method": "quotas",
            "by": "level",
            "levels": [{"grade": "优秀", "top": 0.5}],
            "rest": "合格",
        },
    }
    r = evaluate(check_framework(spec), data).result
    # scores 103, 75.9, 64, 78.4: national 甲 > 丙, provincial 丁 > 乙
    assert r["rank_level"].to_list() == [1, 2, 2, 1]
    assert r["grade"].to_list() == ["优秀", "合格", "合格", "优秀"]
    assert r["strengths"][0] == "rd;energy"


def test_cli_last_value_imputation_gbk_input_and_warnings(tmp_path):
    fw = tmp_path / "fw.yaml"
    fw.write_text(
        textwrap.dedent(
            """\
            framework: t
            impute: {method: last}
            index:
              code: I
              children: [{code: rd, denominator: revenue}, {code: flat}]
            """
        ),
        encoding="utf-8",
    )
    now = tmp_path / "now.csv"
    now.write_bytes("unit,rd,revenue,flat\n甲,2,10,1\n乙,NA,20,1\n丙,9,30,1\n".encode("gb18030"))
    last = tmp_path / "last.csv"
    last.write_text("unit,rd,revenue\n乙,3,12\n丙,1,1\n", encoding="utf-8-sig")
    out = tmp_path / "o.csv"
    res = CliRunner().invoke(
        app,
        [
            "evaluate",
            "--framework",
            str(fw),
            "--data",
            str(now),
            "--out",
            str(out),
            "--history",
            str(last),
        ],
    )
    assert res.exit_code == 0, res.output
    assert "flat" in res.output and "无法计分" in res.output  # a constant indicator is reported
    r = pl.read_csv(out)
    # 乙's R&D intensity is last year's 3 / 12 = 0.25; this year 甲 0.2, 丙 0.3
    np.testing.assert_allclose(r["rd"].to_numpy(), [0, 50, 100])
    assert r["unit"].to_list() == ["甲", "乙", "丙"]


def test_a_run_names_its_data_hash_algorithm_and_runs_stored_before_it_still_check():
    """Decision 051: the input table is hashed column by column, not as CSV; a run records the
    algorithm, and a run record without one (stored before 051) is checked by the CSV hash."""
    from gaoxin.engine.composite.pipeline import (
        DATA_HASH,
        DATA_HASH_BEFORE_051,
        data_hash,
        run_data_hash,
    )

    df = pl.DataFrame(
        {"unit": ["甲", "乙", None], "x": [1.5, None, float("nan")], "n": [3, None, 0]}
    )
    # pinned: the CSV hash is what stored runs hold, so it must never change
    old = "8adaad7924b9c8ff2c6d48e5665af6c7a4bdae7195714be7b7553d694bc547c1"
    assert data_hash(df, DATA_HASH_BEFORE_051) == old
    assert run_data_hash({"data_hash": old}, df) == old
    new = "c9996e23c86fac1bc8c20a556d7cad9e41a969ac297437ace8a46c25e0325661"
    assert data_hash(df) == new and run_data_hash({"data_hash_algorithm": DATA_HASH}, df) == new

    ev = evaluate(check_framework(SPEC), ZONES)
    assert ev.run["data_hash_algorithm"] == DATA_HASH
    assert run_data_hash(ev.run, ZONES) == ev.run["data_hash"]
    # what the table holds changes the hash: a value, a null, a column's name, type or order
    changed = [
        ZONES.with_columns(rd=pl.Series([5.0, 3.0, 1.0, 3.5])),
        ZONES.with_columns(rd=pl.Series([5.0, 3.0, 1.0, None])),
        ZONES.rename({"rd": "rd2"}),
        ZONES.with_columns(pl.col("rd").cast(pl.Float32)),
        ZONES.select(["rd", *[c for c in ZONES.columns if c != "rd"]]),
        ZONES.with_columns(unit=pl.Series(["甲", "乙", "丙", "丁丁"])),
    ]
    hashes = {data_hash(d) for d in changed} | {ev.run["data_hash"]}
    assert len(hashes) == len(changed) + 1
    # ... and nothing else does: the same values in a new frame, or a slice of a larger one
    assert data_hash(pl.concat([ZONES, ZONES]).slice(4, 4)) == ev.run["data_hash"]
    assert data_hash(pl.DataFrame(ZONES.to_dicts())) == ev.run["data_hash"]
    with pytest.raises(ValueError, match="unknown data hash"):
        data_hash(df, "md5/0")


def test_the_ranks_layer_built_when_read_ranks_every_node(asem_fw, asem_data):
    # the Ranks layer is built the first time it is read (decision 052): the same ranks of
    # every node as ranking the Aggregated layer, ties at the best rank, missing kept missing;
    # listed in its place, and kept in a pickle
    import pickle

    from gaoxin.engine.composite.results import rank_desc

    ev = evaluate(asem_fw, asem_data)
    assert list(ev.layers) == [
        "Raw", "Denominated", "Imputed", "Screened", "Treated", "Normalised", "Aggregated", "Ranks"
    ]  # fmt: skip
    A = ev.layers["Aggregated"]
    nodes = A.columns[1:]
    expected = rank_desc(A.select(nodes).to_numpy(), axis=0)
    R = ev.layers["Ranks"]
    assert R.columns == A.columns and R[asem_fw.unit].equals(A[asem_fw.unit])
    np.testing.assert_array_equal(R.select(nodes).to_numpy(), expected)
    again = pickle.loads(pickle.dumps(evaluate(asem_fw, asem_data)))
    assert again.layers["Ranks"].equals(R)
