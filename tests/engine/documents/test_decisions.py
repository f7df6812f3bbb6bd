"""批复 and 通报: the document kind, its decisions about named zones, its addressee's duties."""

import pytest

from gaoxin.engine.documents import parse_text
from gaoxin.engine.documents.decisions import zone_names


def pifu(body: str, title: str = "某省人民政府关于同意调整青峰高新技术产业开发区的批复") -> str:
    return (
        f"{title}\n某政函〔2023〕41号\n\n青峰市人民政府：\n"
        f"    你市《关于…的请示》（青政〔2023〕12号）收悉。{body}\n\n"
        "某省人民政府\n2023年9月4日\n"
    )


def decided(text: str) -> list[tuple[str, list[str], str | None]]:
    return [(d.kind, d.zones, d.value) for d in parse_text(text).decisions]


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (
            "经研究，同意设立青峰高新技术产业开发区，规划面积12.5平方公里。",
            [("approve", ["青峰高新技术产业开发区"], None)],
        ),
        (
            "同意青峰工业园区认定为省级高新技术产业开发区，定名为青峰高新技术产业开发区。",
            [("approve", ["青峰工业园区"], None)],
        ),
        (
            "同意青峰经济开发区更名为青峰高新技术产业开发区。",
            [("rename", ["青峰经济开发区"], "青峰高新技术产业开发区")],
        ),
        (
            "同意青峰高新技术产业开发区调整规划范围，调整后规划面积为18平方公里。",
            [("adjust_boundary", ["青峰高新技术产业开发区"], None)],
        ),
        (
            "同意青峰高新技术产业开发区升级为国家高新技术产业开发区，实行国家高新区的现行政策。",
            [("upgrade", ["青峰高新技术产业开发区"], None)],
        ),
    ],
)
def test_what_a_pifu_decides(body, expected):
    assert decided(pifu(body)) == expected


def test_a_pifu_in_one_paragraph_is_one_measure_of_its_addressee():
    doc = parse_text(pifu("同意设立青峰高新技术产业开发区。你市要严格控制规划面积，不得擅自扩区。"))
    assert doc.kind == "批复"
    assert doc.addressees == ["青峰市人民政府"]
    [m] = doc.measures
    assert m.path == ["第1段"]
    assert m.lead_units == ["青峰市人民政府"]
    assert doc.decisions[0].path == ["第1段"]
    assert any(p.code == "no-items" and "自然段" in p.message for p in doc.problems)


def test_the_request_cited_and_the_title_are_not_decisions():
    # the request in 《》 and the title both say 升级为; only the body decides, once
    doc = parse_text(
        pifu(
            "同意青峰高新技术产业开发区升级为国家高新技术产业开发区。",
            title="国务院关于同意青峰高新技术产业开发区升级为国家高新技术产业开发区的批复",
        ).replace("《关于…的请示》", "《关于青峰高新技术产业开发区升级为国家高新区的请示》")
    )
    assert [(d.kind, d.zones) for d in doc.decisions] == [("upgrade", ["青峰高新技术产业开发区"])]


def test_what_a_tongbao_decides():
    text = (
        "某市科技局关于2024年度园区考核结果的通报\n\n各园区管委会：\n"
        "一、考核结果\n滨江高新区、云溪经济开发区考核结果为优秀；梅岭工业园区考核结果为合格。\n"
        "二、奖惩\n对滨江高新区、云溪经济开发区予以通报表扬。对梅岭工业园区给予黄牌警告。"
        "经市人民政府同意，撤销松塘工业园区的市级园区资格。"
        "连续两年不合格的，撤销其资格。\n"
    )
    assert decided(text) == [
        ("evaluation", ["滨江高新区", "云溪经济开发区"], "优秀"),
        ("evaluation", ["梅岭工业园区"], "合格"),
        ("commend", ["滨江高新区", "云溪经济开发区"], None),
        ("warn", ["梅岭工业园区"], None),
        ("revoke", ["松塘工业园区"], None),
    ]


def test_a_policy_document_decides_nothing():
    text = (
        "关于支持高新区发展的若干措施\n一、对评价结果为优秀的国家高新区予以通报表扬。"
        "对滨江高新区给予奖励。（市科技局）\n"
    )
    doc = parse_text(text)
    assert doc.kind == "措施" and doc.decisions == []


@pytest.mark.parametrize(
    ("phrase", "zones"),
    [
        ("对评价结果为优秀的青石高新区、白沙高新区", ["青石高新区", "白沙高新区"]),
        ("国家高新技术产业开发区", []),
        ("省级高新区和该高新区", []),
        ("经综合评价，临泉高新技术产业开发区", ["临泉高新技术产业开发区"]),
    ],
)
def test_zone_names_are_named_zones_only(phrase, zones):
    assert zone_names(phrase) == zones


# --- what the 批复 and 通报 say about themselves


def test_a_site_header_table_with_spaced_labels_and_the_signature_winning():
    text = (
        "索 引 号：000014349/2020-00021\n发 布 机 构：某省科技厅办公室\n"
        "发 文 日 期：2020年04月02日\n文　　号：某科高〔2020〕6号\n\n"
        "某省科学技术厅关于2019年度高新区评价结果的通报\n各设区市科技局：\n"
        "一、评价结果\n青石高新区评价结果为优秀。\n\n某省科学技术厅\n2020年4月2日\n"
    )
    doc = parse_text(text)
    assert doc.title == "某省科学技术厅关于2019年度高新区评价结果的通报"
    assert doc.kind == "通报"
    assert doc.doc_number == "某科高〔2020〕6号"
    assert doc.issued == "2020-04-02"
    assert doc.issuer == "某省科学技术厅"  # the signature, not the site's 发布机构


def test_the_site_publisher_only_where_nothing_else_names_the_issuer():
    text = "发布机构：某市科技局\n关于开展园区评价的通知\n一、评价范围\n全市各园区。\n"
    assert parse_text(text).issuer == "某市科技局"


@pytest.mark.parametrize("year", ["二○一○", "二〇一〇", "二Ｏ一Ｏ"])
def test_a_date_in_chinese_numerals_with_any_zero(year):
    text = f"国务院关于同意设立某某高新区的批复\n某省人民政府：\n同意设立某某高新区。\n\n国务院\n{year}年八月十一日\n"
    assert parse_text(text).issued == "2010-08-11"


def test_joint_issuers_signing_on_two_lines():
    text = (
        "某省科学技术厅关于开展考核工作的通知\n一、工作安排\n（一）自评。各高新区开展自评。\n"
        "某省科学技术厅　　某省发展和改革委员会\n某省统计局\n2025年3月18日\n"
    )
    assert parse_text(text).issuer == "某省科学技术厅、某省发展和改革委员会、某省统计局"


def test_a_last_body_line_above_a_single_signature_is_not_an_issuer():
    text = (
        "某省科学技术厅关于开展考核工作的通知\n一、工作安排\n（一）自评。各高新区开展自评。\n"
        "特此通知。\n某省科学技术厅\n2025年3月18日\n"
    )
    assert parse_text(text).issuer == "某省科学技术厅"


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (
            "同意青峰高新技术产业园区升级为省级高新技术产业开发区。",
            [("approve", ["青峰高新技术产业园区"], None)],
        ),
        (
            "同意青峰高新区扩区，新增规划面积5.2平方公里。",
            [("adjust_boundary", ["青峰高新区"], None)],
        ),
        ("同意青峰高新区调区扩区。", [("adjust_boundary", ["青峰高新区"], None)]),
    ],
)
def test_a_park_made_provincial_and_a_zone_enlarged(body, expected):
    assert decided(pifu(body)) == expected


def test_grades_listed_after_a_colon_and_a_title_taken_away():
    text = (
        "某省科学技术厅关于2024年度省级高新区评价结果的通报\n\n各设区市科技局：\n"
        "经综合评价，现将结果通报如下：\n优秀等次（2个）：甲市高新区、乙县高新区\n"
        "良好等次：丙市高新区\n对评价结果为优秀的高新区进行通报表彰。取消丁县工业园区省级园区资格。\n\n"
        "某省科学技术厅\n二〇二五年一月八日\n"
    )
    assert decided(text) == [
        ("evaluation", ["甲市高新区", "乙县高新区"], "优秀"),
        ("evaluation", ["丙市高新区"], "良好"),
        ("revoke", ["丁县工业园区"], None),
    ]
    assert parse_text(text).issued == "2025-01-08"


def test_grades_in_a_results_table_kept_as_text():
    text = (
        "某省科学技术厅关于2024年度省级高新区评价结果的通报\n\n各设区市科技局：\n"
        "现将评价结果通报如下。\n| 序号 | 高新区 | 得分 | 评价等次 |\n"
        "| 1 | 甲市高新区 | 91.2 | 优秀 |\n| 2 | 乙县高新区 | 80 | 良好 |\n"
        "评价结果为优秀的高新区（1家）：甲市高新区。\n\n某省科学技术厅\n2025年1月8日\n"
    )
    assert decided(text) == [
        ("evaluation", ["甲市高新区"], "优秀"),
        ("evaluation", ["乙县高新区"], "良好"),
    ]


def test_a_pifu_renaming_with_quotes_and_enlarging_by_figures_in_indented_items():
    # 名称变更为“…” renames; the 管委会 renamed with it is no zone's renaming; 面积由…扩大至…
    # changes the boundary; an indented item (　　一、) is still read inside its item
    text = pifu(
        "现批复如下：\n"
        "　　一、同意青峰经济开发区名称变更为“青峰高新技术产业开发区”。更名后，"
        "原青峰经济开发区管理委员会相应更名为青峰高新技术产业开发区管理委员会。\n"
        "　　二、同意青峰高新技术产业开发区规划面积由12.50平方公里扩大至18.36平方公里。\n"
        "　　三、你市要严格执行国土空间规划，不得擅自扩大规划范围。",
    )
    assert decided(text) == [
        ("rename", ["青峰经济开发区"], "青峰高新技术产业开发区"),
        ("adjust_boundary", ["青峰高新技术产业开发区"], None),
    ]


def test_grades_in_quotes_after_a_colon_and_an_item_number_before_a_zone():
    text = (
        "某省人民政府办公厅关于2024年度开发区考核评价结果的通报\n某府办函〔2025〕3号\n\n"
        "各市人民政府：\n现将结果通报如下：\n"
        "一、考核评价结果\n"
        "(一)高新区。评价等次为“优秀”的:甲岭高新区、乙江高新区;评价等次为“较差”的:丙溪高新区。\n"
        "(二)丙溪高新区连续两年评价等次为“较差”，给予黄牌警告。\n"
        "\n某省人民政府办公厅\n2025年4月30日\n"
    )
    assert decided(text) == [
        ("evaluation", ["甲岭高新区", "乙江高新区"], "优秀"),
        ("evaluation", ["丙溪高新区"], "较差"),
        ("warn", ["丙溪高新区"], None),
    ]


def test_a_pifu_title_broken_after_its_single_issuer_line_keeps_the_issuer():
    text = (
        "某某省人民政府文件\n\n某政函〔2026〕8号\n\n某某省人民政府\n"
        "关于同意设立青溪高新技术产业开发区的批复\n\n青溪市人民政府：\n"
        "　　你市《关于设立青溪高新技术产业开发区的请示》收悉。现批复如下：\n"
        "　　一、同意设立青溪高新技术产业开发区。\n\n某某省人民政府\n2026年2月3日\n"
    )
    doc = parse_text(text)
    assert doc.title == "某某省人民政府关于同意设立青溪高新技术产业开发区的批复"
    assert text[slice(*doc.title_span)].replace("\n", "") == doc.title
    assert doc.issuer == "某某省人民政府"


def test_joint_issuers_above_a_title_stay_out_of_it():
    text = (
        "某省科学技术厅 某省财政厅\n关于支持孵化器发展的若干措施\n\n"
        "一、加强孵化服务\n（一）建设孵化器。对新认定的孵化器给予支持。（省科技厅）\n"
        "\n某省科学技术厅 某省财政厅\n2026年2月3日\n"
    )
    doc = parse_text(text)
    assert doc.title == "关于支持孵化器发展的若干措施"
    assert doc.issuer == "某省科学技术厅、某省财政厅"


def _bulletin(sep: str) -> str:
    rows = [
        sep.join(["序号", "高新区名称", "所在市", "评价等次"]),
        sep.join(["1", "甲岭高新区", "甲市", "A"]),
        sep.join(["2", "乙江高新区", "乙市", "B"]),
        sep.join(["3", "丙溪高新区", "丙市", "D"]),
    ]
    return (
        "某省科学技术厅关于2024年度高新区综合评价结果的通报\n某科发〔2025〕3号\n\n"
        "各市科技局：\n现将评价结果通报如下。\n"
        "一、对评价结果为A等次的甲岭高新区予以通报表扬。\n"
        "二、丁河高新区2023年度评价结果为D等次，整改期满复核未通过，撤销其省级高新区资格，"
        "退出省级高新区序列。\n"
        "三、对连续两年评价结果为D等次的高新区，将撤销其资格。\n"
        "四、戊山高新区整改不到位的，将退出省级高新区序列。\n"
        "\n附件：评价结果\n\n某省科学技术厅\n2025年5月6日\n\n附件\n\n评价结果\n\n"
        + "\n".join(rows)
        + "\n"
    )


@pytest.mark.parametrize("sep", ["\t", "    ", " | "])
def test_a_results_table_in_an_attachment_a_past_grade_and_a_revoke_of_its_own(sep):
    # the table after the signature grades each zone; 2023年度…为D等次 recalls a past grade
    # (not this 2024 evaluation); 撤销其…资格 revokes the zone opening the sentence; the
    # threats (将撤销, 将退出) decide nothing
    assert sorted(decided(_bulletin(sep))) == sorted(
        [
            ("commend", ["甲岭高新区"], None),
            ("revoke", ["丁河高新区"], None),
            ("evaluation", ["甲岭高新区"], "A"),
            ("evaluation", ["乙江高新区"], "B"),
            ("evaluation", ["丙溪高新区"], "D"),
        ]
    )


def test_one_approval_clause_naming_several_zones_approves_each():
    # 同意设立甲、乙和丙: the list, not its first zone
    text = pifu(
        "一、同意设立青石高新技术产业开发区、白沙高新技术产业开发区和红岭高新技术产业开发区，"
        "均为省级高新技术产业开发区。",
        title="某省人民政府关于同意设立青石高新技术产业开发区等三家省级高新区的批复",
    )
    assert decided(text) == [
        (
            "approve",
            ["青石高新技术产业开发区", "白沙高新技术产业开发区", "红岭高新技术产业开发区"],
            None,
        )
    ]
