"""The five seed documents against their hand-checked expected extractions.

Precision and recall per field; measures and units must reach 0.95 on every document.
The figures are reported in docs/documents.md (`gaoxin doc score`).
"""

import json
from pathlib import Path

import pytest

from gaoxin.engine.documents import parse_file
from gaoxin.engine.documents.quality import differences, score

ROOT = Path(__file__).resolve().parents[3]
FIXTURES = ROOT / "tests/fixtures/documents"
SEEDS = ["fujian-2021", "taizhou-2024", "gansu", "national-14th-fyp", "sichuan"]
# documents in other provinces' styles, written for the forms the seeds lack
STYLES = [
    "styles/zhejiang-style",
    "styles/hubei-style",
    "styles/shandong-style",
    "styles/beijing-style",
    "styles/jiangsu-style",
    "styles/city-notice-style",
    "styles/ministry-style",
]
# round 2: a city 行动方案, an Arabic-article 办法, joint ministries, a 批复 and a 通报
ROUND2 = [
    "round2/city-action-plan",
    "round2/province-measures-articles",
    "round2/ministries-joint-measures",
    "round2/state-council-approval",
    "round2/province-evaluation-bulletin",
]
# round 3: written after the round-2 fixes (an autonomous region's 政策措施, a ministries' 通知,
# a numbered 批复); its first-run figures are in docs/documents.md
ROUND3 = [
    "round3/region-policy-measures",
    "round3/ministry-notice",
    "round3/province-approval-numbered",
]
# round 4: written after the round-3 fixes (a 直辖市 科委's 实施细则, a provincial 考核评价 通知
# with a PDF-extracted 任务分工表, a ministries' 指导意见); first-run figures in docs/documents.md
ROUND4 = [
    "round4/municipal-rules-articles",
    "round4/province-evaluation-notice-table",
    "round4/ministries-guidance-opinions",
]
# round 5: written blind before its first run (docs/documents.md); perfect after the fixes,
# the duties in prose without a marker and the 批复's broken title included (issue #13)
ROUND5 = [
    "round5/hunan-province-opinions",
    "round5/luoyang-city-action-plan-table",
    "round5/mof-notice-articles-pdf",
    "round5/hebei-province-approval-rename",
    "round5/guizhou-evaluation-bulletin",
]

# round 6: written blind before its first run (docs/documents.md). Three of its expectations
# count no unit for 有关部门 and no amount for 亿元以上 where the development set does
# (ministry-style, gansu, city-notice-style): those fields are held where they agree
ROUND6 = [
    "round6/anhui-province-plan-lead-lines",
    "round6/baoji-city-task-table-spaces",
    "round6/guangdong-province-measures-prose",
    "round6/liaoning-evaluation-bulletin-table",
    "round6/mnr-notice-land-use",
    "round6/yunnan-province-approval-new-zone",
]
# where round 6's expectation departs from those conventions (docs/documents.md)
ROUND6_UNITS_DEPART = ["round6/guangdong-province-measures-prose", "round6/mnr-notice-land-use"]
ROUND6_AMOUNTS_DEPART = ["round6/baoji-city-task-table-spaces"]
# round 7: written blind before its first run (docs/documents.md). Three of its expectations
# depart from the development set's conventions (各…高新区管委会要… is no unit, round 2 counts
# it; X、Y为…提供技术支撑 with no lead takes part, round 6 has it lead; 亿元以上 no amount)
ROUND7 = [
    "round7/jiangxi-province-measures-bracket-prose",
    "round7/liuzhou-city-action-plan-task-list",
    "round7/miit-guidance-clusters",
    "round7/shanxi-province-approval-three-zones",
    "round7/chongqing-evaluation-bulletin-grades",
    "round7/hainan-fund-rules-chapters",
]
ROUND7_UNITS_DEPART = [
    "round7/chongqing-evaluation-bulletin-grades",
    "round7/miit-guidance-clusters",
]
ROUND7_AMOUNTS_DEPART = ["round7/liuzhou-city-action-plan-task-list"]
EARLIER = SEEDS + STYLES + ROUND2 + ROUND3 + ROUND4 + ROUND5
ROUND6_PERFECT = [n for n in ROUND6 if n not in ROUND6_UNITS_DEPART + ROUND6_AMOUNTS_DEPART]
ROUND7_PERFECT = [n for n in ROUND7 if n not in ROUND7_UNITS_DEPART + ROUND7_AMOUNTS_DEPART]
BLIND_UNITS = [n for n in ROUND6 + ROUND7 if n not in ROUND6_UNITS_DEPART + ROUND7_UNITS_DEPART]
BLIND_AMOUNTS = [
    n for n in ROUND6 + ROUND7 if n not in ROUND6_AMOUNTS_DEPART + ROUND7_AMOUNTS_DEPART
]


def load(name):
    expected = json.loads((FIXTURES / f"{name}.expected.json").read_text("utf-8"))
    return parse_file(ROOT / expected["document"]), expected


@pytest.mark.parametrize("name", EARLIER + BLIND_UNITS)
def test_measures_and_units_reach_095(name):
    doc, expected = load(name)
    scores = score(doc, expected)
    low = {
        field: s.as_dict()
        for field, s in scores.items()
        if field in ("measures", "units", "lead_units", "participating_units")
        and min(s.precision, s.recall) < 0.95
    }
    assert not low, (low, differences(doc, expected))


@pytest.mark.parametrize("name", EARLIER + BLIND_AMOUNTS)
def test_amounts_and_titles(name):
    doc, expected = load(name)
    scores = score(doc, expected)
    assert min(scores["amounts"].precision, scores["amounts"].recall) >= 0.9, differences(
        doc, expected
    )
    assert scores["titles"].recall >= 0.95, differences(doc, expected)


@pytest.mark.parametrize("name", EARLIER + ROUND6 + ROUND7)
def test_front_matter(name):
    doc, expected = load(name)
    got = {k: getattr(doc, k) for k in ("title", "issuer", "doc_number", "issued")}
    assert got == {k: expected[k] for k in got}


@pytest.mark.parametrize("name", SEEDS)
def test_spans_point_into_the_source(name):
    doc, _ = load(name)
    source = doc.text
    for m in doc.measures:
        written = source[m.span[0] : m.span[1]]
        assert written.startswith(m.path[-1]), (m.path, written[:20])
        for a in m.amounts:
            assert source[a.span[0] : a.span[1]] == a.text
    for t in doc.targets:
        assert source[t.span[0] : t.span[1]] == t.text


def test_seed_originals_are_the_shipped_texts(seeds_dir):
    shipped = {(ROOT / f"src/gaoxin/packs/{n}/document.txt").read_text("utf-8") for n in SEEDS}
    originals = {p.read_text("utf-8") for p in seeds_dir.glob("*.txt")}
    assert shipped == originals


@pytest.mark.parametrize("name", EARLIER + ROUND6_PERFECT + ROUND7_PERFECT)
def test_development_set_stays_perfect(name):
    doc, expected = load(name)
    imperfect = {
        field: s.as_dict()
        for field, s in score(doc, expected).items()
        if min(s.precision, s.recall) < 1
    }
    assert not imperfect, (imperfect, differences(doc, expected))


@pytest.mark.parametrize(
    "name",
    [n for n in ROUND2 + ROUND3 + ROUND5 + ROUND6 + ROUND7 if "approval" in n or "bulletin" in n],
)
def test_every_decision_of_a_pifu_or_tongbao_is_extracted(name):
    doc, expected = load(name)
    assert doc.kind == expected["kind"]
    decisions = score(doc, expected)["decisions"]
    assert (decisions.precision, decisions.recall) == (1.0, 1.0), differences(doc, expected)


@pytest.mark.parametrize("name", SEEDS + STYLES)
def test_a_policy_document_takes_no_decisions(name):
    doc, _ = load(name)
    assert doc.decisions == []
