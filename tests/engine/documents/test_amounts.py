"""Money amounts in 万元 with their roles; percentage rates apart."""

import pytest

from gaoxin.engine.documents.amounts import find_amounts, find_percentages


@pytest.mark.parametrize(
    ("text", "wan"),
    [
        ("给予奖励1000万元", 1000.0),
        ("给予一次性奖补20万元", 20.0),
        ("补助5000元", 0.5),
        ("奖励1.5亿元", 15000.0),
        ("总额达到13.6万亿元", 1360000000.0),
        ("奖励一百五十万元", 150.0),
        ("超五百亿元的园区", 5000000.0),
        ("超千亿元的园区", 10000000.0),
        ("营业收入超万亿元的园区", 100000000.0),
        ("培育一批亿元以上企业", 10000.0),
        ("资助1,000万元", 1000.0),
        ("奖励三千万元", 3000.0),
    ],
)
def test_amounts_normalised_to_wan(text, wan):
    assert [a.value_wan for a in find_amounts(text)] == [wan]


def test_roles():
    amounts = find_amounts(
        "每晋升1位，奖励100万元，最高不超过300万元；不少于5000万元；交易额累计200万元以上的"
    )
    assert [(a.value_wan, a.role) for a in amounts] == [
        (100.0, "award"),
        (300.0, "cap"),
        (5000.0, "floor"),
        (200.0, "threshold"),
    ]


def test_words_that_are_not_amounts():
    assert find_amounts("单位万元GDP能耗下降，打造百亿级产业集群，统一标准") == []


def test_spans_are_offsets_into_the_text():
    text = "对新认定的，给予一次性奖励50万元。"
    (a,) = find_amounts(text, offset=10)
    assert a.span == (10 + text.index("50"), 10 + text.index("元") + 1)


def test_percentage_of_a_volume():
    (p,) = find_percentages("按技术交易成交额的3%给予奖励，单个机构每年奖励最高不超过100万元")
    assert p.value == 3.0 and p.basis == "技术交易成交额"
    (q,) = find_percentages("按10%给予奖励，最高额度可达300万元")
    assert q.value == 10.0


def test_yuan_inside_words_is_not_money():
    assert find_amounts("构建多元化应用场景，建设统一元数据标准") == []


def test_wan_without_yuan_in_a_money_clause():
    assert [
        a.value_wan for a in find_amounts("给予最高50万奖励，新增就业10万人，建设厂房5万平方米")
    ] == [50.0]


def test_money_granted_per_sentence():
    # a cap bounds the award of its sentence: the cap is what is granted, the award is not
    a = find_amounts("每晋升1位，奖励100万元，最高不超过300万元；其余的奖励50万元。")
    assert [(x.text, x.role, x.granted) for x in a] == [
        ("100万元", "award", False),
        ("300万元", "cap", True),
        ("50万元", "award", True),
    ]
    # a threshold and a statistic are never granted; a floor is
    a = find_amounts(
        "交易额累计200万元以上的，按3%给予奖励。生产总值达到13.6万亿元。给予不少于5000万元奖励。"
    )
    assert [(x.role, x.granted) for x in a] == [
        ("threshold", False),
        ("amount", False),
        ("floor", True),
    ]


SEED_GRANTED = {
    # seed: (money written, money granted) in 万元
    "fujian-2021": (7700, 7350),  # less 200万元以上 and the per-rank awards their caps bound
    "gansu": (5925, 5625),  # less 300万元以上 (a threshold)
    "national-14th-fyp": (8500000000, 0),  # statistics (13.6万亿元 …), nothing granted
    "sichuan": (115010000, 0),  # targets (超万亿元的园区 …) and 亿元以上 thresholds
    "taizhou-2024": (0, 0),
}


@pytest.mark.parametrize("seed", SEED_GRANTED)
def test_seed_money_granted_leaves_out_thresholds(seed):
    from pathlib import Path

    from gaoxin.engine.documents import parse_file

    doc = parse_file(Path(__file__).resolve().parents[3] / f"src/gaoxin/packs/{seed}/document.txt")
    amounts = [a for m in doc.measures for a in m.amounts]
    written = sum(a.value_wan for a in amounts)
    granted = sum(a.value_wan for a in amounts if a.granted)
    assert (round(written), round(granted)) == SEED_GRANTED[seed]
    assert not any(a.granted for a in amounts if a.role in ("threshold", "amount"))
