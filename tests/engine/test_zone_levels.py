"""A zone's level is dated: counts and evaluations of a past year read the level of that year."""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

import polars as pl
import pytest

from gaoxin.engine import reference
from gaoxin.engine.facts import build_facts, from_synth
from gaoxin.engine.synth import generate
from gaoxin.engine.zones import ZONE_LEVEL, level_rows

EVENTS = pl.DataFrame(
    {
        "zone_code": ["Z1", "Z1", "Z2", "Z3", "Z3", "Z3"],
        "status": ["approved", "upgraded", "approved", "approved", "warned", "revoked"],
        "date": [
            date(2011, 12, 1),
            date(2021, 3, 1),
            date(1991, 3, 6),
            date(2015, 5, 1),
            date(2019, 4, 20),
            date(2021, 6, 30),
        ],
        "level": ["provincial", "national", "national", "provincial", None, None],
    }
)


def test_level_rows_end_at_the_next_level_or_the_revocation() -> None:
    rows = level_rows(EVENTS).sort("entity", "granted_on")
    assert rows.select("entity", "level", "granted_on", "revoked_on").rows() == [
        ("Z1", "provincial", date(2011, 12, 1), date(2021, 3, 1)),
        ("Z1", "national", date(2021, 3, 1), None),
        ("Z2", "national", date(1991, 3, 6), None),
        ("Z3", "provincial", date(2015, 5, 1), date(2021, 6, 30)),
    ]
    assert set(rows["kind"]) == {ZONE_LEVEL}


def test_an_unknown_level_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown zone levels"):
        level_rows(EVENTS.with_columns(level=pl.lit("city")))


def _facts():
    entities = pl.DataFrame(
        {
            "entity": ["P", "C", "Z1", "Z2", "E1"],
            "kind": ["province", "city", "zone", "zone", "enterprise"],
            "name": ["省", "市", "升级区", "老国家区", "企业"],
            "parent": [None, "P", "C", "C", "Z1"],
            # the registry's level is today's: Z1 is national now
            "level": [None, None, "national", "national", None],
            "joined_on": [None, None, date(2011, 12, 1), date(1991, 3, 6), date(2015, 1, 1)],
        }
    )
    obs = pl.DataFrame(
        {
            "entity": ["E1", "E1", "E1", "Z1", "Z2"],
            "variable": ["revenue"] * 5,
            "period": ["2019", "2020", "2022", "2020", "2020"],
            "value": [1.0, 2.0, 3.0, 5.0, 7.0],
        }
    )
    return build_facts(entities, obs, level_rows(EVENTS.filter(pl.col("zone_code") != "Z3")))


def test_the_fact_frame_reads_the_level_held_at_the_end_of_each_period() -> None:
    wide = _facts().wide("year")
    level = {
        (e, p): lv
        for e, p, lv in wide.select("entity", "period", pl.col("level").cast(pl.String)).rows()
    }
    # upgraded 2021-03-01: provincial at the end of 2020, national at the end of 2021
    assert level["Z1", "2020"] == "provincial"
    assert level["Z1", "2021"] == "national"
    assert level["Z2", "2020"] == "national"
    # its enterprise takes the zone's level of the year
    assert level["E1", "2019"] == "provincial"
    assert level["E1", "2022"] == "national"
    national_2020 = wide.filter(
        (pl.col("kind") == "zone") & (pl.col("period") == "2020") & (pl.col("level") == "national")
    )
    assert national_2020["entity"].to_list() == ["Z2"]


def test_the_level_history_is_no_certification_column() -> None:
    facts = _facts()
    assert ZONE_LEVEL not in facts.cert_kinds
    assert not [c for c in facts.wide("year").columns if ZONE_LEVEL in c]


def test_national_demo_counts_the_zones_national_in_each_year() -> None:
    j = generate("national", scale=0.02)
    wide = from_synth(j).wide("year")
    zones = wide.filter(pl.col("kind") == "zone")

    def national(period: str) -> set[str]:
        rows = zones.filter((pl.col("period") == period) & (pl.col("level") == "national"))
        return set(rows["entity"])

    # 许昌 (国函〔2022〕141号) and 拉萨 (2022-12-14, 国函〔2022〕143号): provincial before 2022
    assert "411000N1" not in national("2020") and "411000N1" in national("2022")
    assert "540100N1" not in national("2020") and "540100N1" in national("2022")
    lhasa = zones.filter(pl.col("entity") == "540100N1")
    assert set(lhasa.filter(pl.col("period") == "2020")["level"].cast(pl.String)) == {"provincial"}
    # the eight of 2022 were national zones only from 2022 (domain-notes §5.1: 2019 169, 2022 +8)
    assert len(national("2022")) - len(national("2021")) == 8
    # 河北雄安 was upgraded in 2026-02, after the demo's window: provincial throughout
    assert not any("130600N2" in national(str(y)) for y in range(2019, 2026))
    upgraded_2022 = j.zone_events.filter(
        (pl.col("status") == "upgraded") & (pl.col("date").dt.year() == 2022)
    )
    assert upgraded_2022.height == 8


def test_sourced_dates_are_kept_as_precise_as_the_source() -> None:
    j = generate("national", scale=0.02)
    approved = dict(zip(j.zones["code"], j.zones["approved_on"], strict=True))
    assert approved["540100N1"] == date(2022, 12, 14)  # 国函〔2022〕143号
    assert approved["130200N1"] == date(2010, 11, 29)  # 唐山
    assert approved["410800N1"].year == 2015 and approved["410800N1"].month == 10  # 焦作
    first = j.zone_events.filter(pl.col("zone_code") == "130200N1").sort("date")
    assert first["date"][0].year == 1992 and first["level"].to_list() == ["provincial", "national"]


def test_zone_levels_catalogue_cites_its_source_and_matches_the_zones() -> None:
    dated = reference.zone_levels()
    zones = reference.zones()
    assert set(dated["code"]) <= set(zones["code"])
    assert dated["source"].null_count() == 0 and (dated["source"].str.len_chars() > 0).all()
    both = dated.join(zones, on="code").filter(
        pl.col("approval_year").is_not_null() & pl.col("national_since").is_not_null()
    )
    assert (both["national_since"].str.slice(0, 4) == both["approval_year"].cast(pl.String)).all()
    sourced = Path("/work/shared/reference/national-zones-sourced.csv")
    if sourced.exists():
        rows = {r["name"]: r for r in csv.DictReader(sourced.open(encoding="utf-8"))}
        for row in dated.iter_rows(named=True):
            assert row["source"] == rows[row["name"]]["source"]
            assert (row["level_history"] or "") == rows[row["name"]]["level_history"]
            year = rows[row["name"]]["approved_year"]
            assert (row["national_since"] or "")[:4] == year


# --- dated events proposed by a 批复's or 通报's decisions (#13) -----------------------------
FIXTURES = Path(__file__).parents[1] / "fixtures" / "documents"
REGISTRY = pl.DataFrame(
    {
        "code": ["440100N9", "110000P1", "110000P2", "110000P3", "110000P4", "110000P5"],
        "name": [
            "岚江高新技术产业开发区",
            "青石高新技术产业开发区",
            "白沙高新技术产业园区",
            "石门高新技术产业开发区",
            "石湾工业园区",
            "清河高新技术产业开发区",
        ],
        "short_name": ["岚江高新区", "青石高新区", "白沙高新区", "石门高新区", None, "清河高新区"],
    }
)


def _doc(name: str):
    from gaoxin.engine.documents import parse_text

    return parse_text((FIXTURES / name).read_text(encoding="utf-8"))


def test_a_state_council_pifu_proposes_an_upgrade_to_national_on_its_date() -> None:
    from gaoxin.engine.zones import propose_events

    [event] = propose_events(_doc("round2/state-council-approval.txt"), REGISTRY)
    assert (event.zone_code, event.status, event.level, event.date) == (
        "440100N9",
        "upgraded",
        "national",
        date(2012, 10, 26),  # 二○一二年十月二十六日
    )
    assert event.document.startswith("国务院 国函〔2012〕168号《国务院关于同意岚江")
    assert event.text.startswith("同意岚江高新技术产业开发区升级为国家高新技术产业开发区")
    assert event.problem is None


def test_a_bulletin_proposes_grades_commendations_and_a_warning_and_lists_unknown_zones() -> None:
    from gaoxin.engine.zones import propose_events

    events = propose_events(_doc("round2/province-evaluation-bulletin.txt"), REGISTRY)
    known = [(e.zone_code, e.status, e.value) for e in events if e.problem is None]
    assert known == [
        ("110000P1", "evaluated", "优秀"),
        ("110000P2", "evaluated", "优秀"),  # 白沙高新区 is 白沙高新技术产业园区's short
        ("110000P3", "evaluated", "不合格"),
        ("110000P1", "commended", None),
        ("110000P2", "commended", None),
        ("110000P3", "warned", None),
    ]
    assert {e.date for e in events} == {date(2024, 3, 12)}
    unknown = [e for e in events if e.problem is not None]
    assert {e.zone_name for e in unknown} == {
        "临泉高新区",
        "南屏高新区",
        "东岭高新区",
        "西湾高新区",
        "北塘高新区",
    }
    assert all("登记册中没有" in e.problem for e in unknown)
    assert [e.number for e in events] == list(range(1, len(events) + 1))
    assert events[0].note.startswith("评价结果优秀：")


def test_approval_rename_and_boundary_from_a_numbered_pifu() -> None:
    from gaoxin.engine.zones import propose_events

    events = propose_events(_doc("round3/province-approval-numbered.txt"), REGISTRY)
    rows = [(e.zone_name, e.zone_code, e.status, e.level) for e in events]
    assert rows == [
        ("云岭高新技术产业开发区", None, "approved", "provincial"),
        ("石湾工业园区", "110000P4", "renamed", None),
        ("清河高新技术产业开发区", "110000P5", "boundary_adjusted", None),
    ]
    assert events[1].note.startswith("更名为石湾高新技术产业开发区：")


def test_what_is_recorded_already_or_undated_is_listed_with_its_reason() -> None:
    from gaoxin.engine.zones import propose_events

    doc = _doc("round2/state-council-approval.txt")
    [again] = propose_events(doc, REGISTRY, [("440100N9", "upgraded", date(2012, 10, 26))])
    assert again.problem == "登记册中已有该记录"
    doc.issued = None
    [undated] = propose_events(doc, REGISTRY)
    assert undated.date is None and "未注明成文日期" in undated.problem
    [given] = propose_events(doc, REGISTRY, on=date(2012, 11, 1))
    assert given.date == date(2012, 11, 1) and given.problem is None


def test_the_national_zones_indicator_counts_the_level_of_its_year() -> None:
    from gaoxin.engine.indicators import compute, default_indicators

    facts = from_synth(generate("national", scale=0.02))
    assert "hte" in facts.cert_kinds  # the enterprises' certifications still reach the frame
    wanted = [i for i in default_indicators() if i.code in ("national_zones", "provincial_zones")]
    frame = compute(wanted, facts, ["2020", "2022"]).frame
    value = {
        (e, p, i): v for e, p, i, v in frame.select("entity", "period", "indicator", "value").rows()
    }
    # 西藏: 拉萨 provincial (自治区级, 2015-12) until its upgrade on 2022-12-14
    assert value["540000", "2020", "national_zones"] == 0
    assert value["540000", "2020", "provincial_zones"] == 1
    assert value["540000", "2022", "national_zones"] == 1
    national = frame.filter(pl.col("indicator") == "national_zones")
    totals = dict(national.group_by("period").agg(pl.col("value").sum()).rows())
    assert totals["2022"] - totals["2020"] == 8


def test_a_zones_names_are_dated_by_its_renames() -> None:
    from gaoxin.engine.zones import name_rows

    renames = pl.DataFrame(
        {
            "entity": [1, 1, 2],
            # zone 1's second rename recorded first; zone 2's kept in the note only
            "date": [date(2020, 1, 1), date(2015, 1, 1), date(2019, 5, 1)],
            "name": ["青石科技城", "青石新区", ""],
            "previous_name": ["青石新区", "青石高新区", ""],
        }
    )
    current = pl.DataFrame(
        {"entity": [1, 2, 3], "name": ["青石科技城", "石门高新区", "岚江高新区"]}
    )
    rows = {(e, n, f, t) for e, n, f, t in name_rows(renames, current).iter_rows()}
    assert rows == {
        (1, "青石高新区", None, date(2015, 1, 1)),
        (1, "青石新区", date(2015, 1, 1), date(2020, 1, 1)),
        (1, "青石科技城", date(2020, 1, 1), None),
        (2, "石门高新区", None, None),
        (3, "岚江高新区", None, None),
    }
