"""The heading tree in every numbering style, and which items are measures."""

import pytest

from gaoxin.engine.documents import parse_text


def paths(text):
    return [m.path for m in parse_text(text).measures]


def test_chapters_and_parenthesised_items():
    text = "一、总体要求\n（一）指导思想。坚持创新。\n（二）发展目标。到2025年，达到100家。\n二、重点任务\n（三）建设平台。建设平台。\n"
    doc = parse_text(text)
    assert [m.path for m in doc.measures] == [["一", "（一）"], ["一", "（二）"], ["二", "（三）"]]
    assert [m.title for m in doc.measures] == ["指导思想", "发展目标", "建设平台"]
    assert [h.path for h in doc.headings] == [["一"], ["二"]]
    assert doc.headings[1].title == "重点任务"


def test_half_width_parentheses_are_kept_as_written_in_paths():
    assert paths("一、任务\n(一)建设平台。建设平台。\n(二)引进人才。引进人才。\n") == [
        ["一", "(一)"],
        ["一", "(二)"],
    ]


@pytest.mark.parametrize("sep", [".", "、", "．"])
def test_arabic_items(sep):
    text = f"一、布局\n1{sep}推动创建。推动。\n2{sep}布局建设。布局。\n二、创新\n3{sep}聚集资源。聚集。\n"
    assert paths(text) == [["一", "1"], ["一", "2"], ["二", "3"]]


def test_three_levels_measure_is_the_deepest_level_in_its_chapter():
    text = (
        "一、形势\n(一)发展基础。\n基础较好。\n"
        "二、任务\n(一)增强创新。\n1.壮大力量。\n壮大力量。\n2.集聚资源。\n集聚资源。\n"
        "(二)汇聚人才。\n1.集聚人才。\n集聚人才。\n"
    )
    doc = parse_text(text)
    assert [m.path for m in doc.measures] == [
        ["一", "(一)"],
        ["二", "(一)", "1"],
        ["二", "(一)", "2"],
        ["二", "(二)", "1"],
    ]
    assert [h.path for h in doc.headings] == [["一"], ["二"], ["二", "(一)"], ["二", "(二)"]]


def test_parenthesised_arabic_and_circled_numbers():
    text = "1.加强服务。\n（1）建立机制。建立。\n（2）完善服务。完善。\n2.加强保障。\n①落实资金。落实。\n"
    assert paths(text) == [["1", "（1）"], ["1", "（2）"], ["2", "①"]]


def test_chapters_and_articles():
    text = "第一章 总则\n第一条 为了规范管理，制定本办法。\n第二条 本办法适用于高新区。\n第二章 管理\n第三条 省科技厅负责全省高新区管理。\n"
    doc = parse_text(text)
    assert [m.path for m in doc.measures] == [
        ["第一章", "第一条"],
        ["第一章", "第二条"],
        ["第二章", "第三条"],
    ]
    assert doc.measures[2].lead_units == ["省科技厅"]


def test_a_box_is_a_measure_of_its_own():
    text = (
        "三、重点任务\n(一)增强创新。\n1.壮大力量。\n壮大。\n2.集聚资源。\n集聚。\n"
        "专栏1 科教资源集聚区建设行动\n规划建设专门功能区。设立专门空间。\n3.提升研究。\n提升。\n"
    )
    doc = parse_text(text)
    assert [m.path for m in doc.measures] == [
        ["三", "(一)", "1"],
        ["三", "(一)", "2"],
        ["三", "(一)", "专栏1"],
        ["三", "(一)", "3"],
    ]
    box = doc.measures[2]
    assert box.box and box.title == "科教资源集聚区建设行动"
    assert "设立专门空间" in box.text


def test_a_number_out_of_sequence_is_not_an_item():
    text = "一、任务\n（一）建设平台。建设平台。\n5.0版本的平台已经上线。\n（二）引进人才。引进人才。\n"
    doc = parse_text(text)
    assert [m.path for m in doc.measures] == [["一", "（一）"], ["一", "（二）"]]
    assert "5.0版本" in doc.measures[0].text


def test_numbering_may_run_on_across_chapters_or_restart():
    assert paths("一、甲\n（一）子。子。\n（二）丑。丑。\n二、乙\n（三）寅。寅。\n")[-1] == [
        "二",
        "（三）",
    ]
    assert paths("一、甲\n（一）子。子。\n二、乙\n（一）丑。丑。\n")[-1] == ["二", "（一）"]


def test_measure_text_and_span_point_into_the_source():
    text = "前言。\n一、任务\n（一）建设平台。支持建设平台。（责任单位：省科技厅）\n"
    doc = parse_text(text)
    m = doc.measures[0]
    assert text[m.span[0] : m.span[1]] == "（一）建设平台。支持建设平台。（责任单位：省科技厅）"
    assert m.text == "建设平台。支持建设平台。（责任单位：省科技厅）"
    assert text[m.units_span[0] : m.units_span[1]] == "（责任单位：省科技厅）"


def test_articles_holding_parenthesised_items_nest_in_the_order_first_used():
    text = (
        "第一条 总体要求\n第二条 主要任务\n（一）建立机制。建立机制。（责任单位：省科技厅）\n"
        "（二）完善服务。完善服务。\n第三条 保障措施\n（三）加强领导。加强领导。\n"
    )
    doc = parse_text(text)
    assert [m.path for m in doc.measures] == [
        ["第一条"],
        ["第二条", "（一）"],
        ["第二条", "（二）"],
        ["第三条", "（三）"],
    ]


def test_an_enumeration_introduced_by_a_colon_belongs_to_its_article():
    text = (
        "第一条 为了规范管理，制定本办法。\n第二条 高新区应当具备下列条件：\n"
        "（一）规划面积不少于3平方公里；\n（二）上年度营业收入不低于100亿元。\n"
        "第三条 本办法自发布之日起施行。\n"
    )
    doc = parse_text(text)
    assert [m.path for m in doc.measures] == [["第一条"], ["第二条"], ["第三条"]]
    assert doc.measures[0].title == "为了规范管理"
    assert "（二）上年度营业收入不低于100亿元" in doc.measures[1].text
    assert doc.measures[1].amounts_wan == [1000000.0]


def test_a_list_inside_a_box_is_the_boxs_content():
    text = (
        "一、任务\n（一）创新。\n1.建设平台。建设。\n2.培育主体。培育。\n"
        "专栏1 重大平台清单\n1.之江实验室\n2.西湖实验室\n"
        "3.深化改革。深化。\n（二）环境。\n4.优化服务。优化。\n"
    )
    doc = parse_text(text)
    assert [m.path for m in doc.measures] == [
        ["一", "（一）", "1"],
        ["一", "（一）", "2"],
        ["一", "（一）", "专栏1"],
        ["一", "（一）", "3"],
        ["一", "（二）", "4"],
    ]
    assert "西湖实验室" in doc.measures[2].text


def test_units_named_by_a_heading_apply_to_the_measures_under_it():
    text = (
        "一、加强平台建设（责任单位：省科技厅、省发展改革委）\n"
        "1.建设实验室。建设。\n2.建设中心。建设。（责任单位：省工信厅）\n"
        "二、优化环境\n3.深化改革。深化。\n"
    )
    doc = parse_text(text)
    assert [m.lead_units for m in doc.measures] == [["省科技厅", "省发展改革委"], ["省工信厅"], []]
    assert doc.headings[0].title == "加强平台建设"


# --- levels by the conventional order (一、 > （一） > 1. > （1） > ①), not by first use


def test_arabic_items_directly_under_a_chapter_do_not_outrank_parenthesised_items():
    # 一、 holds 1. directly, 二、 uses （一） with 1. below it (a city 行动方案)
    text = (
        "一、工作目标\n1.到2025年，高新区营业收入达到3000亿元。\n2.培育瞪羚企业100家。\n"
        "二、主要任务\n（一）提升创新能力。\n1.建设研发平台。建设一批平台。（市科技局）\n"
        "2.引育创新人才。引进人才。（市人社局）\n"
        "（二）壮大产业集群。\n3.培育主导产业。明确主导产业。（市发改局）\n"
    )
    doc = parse_text(text)
    assert [m.path for m in doc.measures] == [
        ["一", "1"],
        ["一", "2"],
        ["二", "（一）", "1"],
        ["二", "（一）", "2"],
        ["二", "（二）", "3"],
    ]
    assert doc.measures[4].lead_units == ["市发改局"]
    assert not [p for p in doc.problems if p.code == "inverted-levels"]


def test_a_skipped_level_nests_under_the_nearest_outer_item():
    # （一） skipped: 1. sits right under 一、; （1） under 1.
    text = "一、总体要求\n1.强化统筹。\n（1）建立机制。建立。\n（2）压实责任。压实。\n2.加强保障。保障。\n"
    assert paths(text) == [["一", "1", "（1）"], ["一", "1", "（2）"], ["一", "2"]]


def test_a_text_that_really_inverts_the_order_is_read_as_written_with_a_warning():
    # 1. holding （一） throughout: the text's own order wins
    text = (
        "1.加强组织领导\n（一）建立工作专班。建立专班。\n（二）完善调度机制。调度。\n"
        "2.强化要素保障\n（一）保障用地。保障用地。\n（二）保障资金。保障资金。\n"
    )
    doc = parse_text(text)
    assert [m.path for m in doc.measures] == [
        ["1", "（一）"],
        ["1", "（二）"],
        ["2", "（一）"],
        ["2", "（二）"],
    ]
    warned = [p for p in doc.problems if p.code == "inverted-levels"]
    assert len(warned) == 1 and "（一）" in warned[0].message


# --- articles in Arabic digits, spaced out by extraction


def test_articles_and_chapters_in_arabic_digits():
    text = (
        "第一章 总则\n第8条 为规范园区管理，制定本办法。\n第9条 市科技局负责园区的统筹管理。\n"
        "第二章 附则\n第 1 0 条 本办法自印发之日起施行。\n第 1 1 条 本办法由市科技局负责解释。\n"
    )
    doc = parse_text(text)
    assert [m.path for m in doc.measures] == [
        ["第一章", "第8条"],
        ["第一章", "第9条"],
        ["第二章", "第10条"],
        ["第二章", "第11条"],
    ]
    assert doc.measures[1].lead_units == ["市科技局"]
    assert doc.measures[2].title == "本办法自印发之日起施行"
    assert doc.measures[3].lead_units == ["市科技局"]  # the unit that interprets it


# --- titles beginning with digits, and one missed number


def test_a_title_beginning_with_digits_is_the_next_item_not_a_decimal():
    text = (
        "一、数字基础设施\n1.千兆光网建设。推进光网覆盖。\n2.数据中心建设。建设数据中心。\n"
        "3.5G基站建设。新建5G基站2000个。（市通信管理办）\n4.算力网络建设。建设算力网络。\n"
    )
    doc = parse_text(text)
    assert [m.path for m in doc.measures] == [["一", "1"], ["一", "2"], ["一", "3"], ["一", "4"]]
    assert doc.measures[2].title == "5G基站建设"
    assert doc.measures[2].lead_units == ["市通信管理办"]


def test_a_decimal_at_a_line_start_is_still_not_an_item():
    text = (
        "一、任务\n1.扩大投资。扩大投资。\n2.5亿元专项资金由市财政统筹安排。\n2.优化服务。优化。\n"
    )
    doc = parse_text(text)
    assert [m.path for m in doc.measures] == [["一", "1"], ["一", "2"]]
    assert "2.5亿元专项资金" in doc.measures[0].text


def test_one_missed_number_does_not_end_the_list():
    text = "一、任务\n（一）建设平台。建设。\n（二）引进人才。引进。\n（四）优化服务。优化。\n（五）强化保障。保障。\n"
    doc = parse_text(text)
    assert [m.path[-1] for m in doc.measures] == ["（一）", "（二）", "（四）", "（五）"]
    missing = [p for p in doc.problems if p.code == "missing-number"]
    assert len(missing) == 1 and "3" in missing[0].message


# --- siblings with and without sub-items


def test_a_sibling_without_sub_items_is_a_measure():
    text = (
        "三、保障措施\n（一）加强组织领导。\n1.建立联席会议。建立会议。（市科技局）\n"
        "2.压实属地责任。压实。（各区政府）\n"
        "（二）加大资金投入。市财政每年安排资金。（市财政局）\n"
    )
    doc = parse_text(text)
    assert [m.path for m in doc.measures] == [
        ["三", "（一）", "1"],
        ["三", "（一）", "2"],
        ["三", "（二）"],
    ]
    assert doc.measures[2].lead_units == ["市财政局"]
    assert [h.path for h in doc.headings] == [["三"], ["三", "（一）"]]


def test_an_inverted_list_that_closes_the_document_is_read_as_written():
    text = (
        "1.总体要求\n坚持创新引领。\n2.主要任务\n建设平台。\n3.保障措施\n"
        "（一）加强组织领导。建立专班。\n（二）强化资金保障。安排资金。\n"
    )
    doc = parse_text(text)
    assert [m.path for m in doc.measures] == [["1"], ["2"], ["3", "（一）"], ["3", "（二）"]]
    assert [p.code for p in doc.problems].count("inverted-levels") == 1


def test_ordinals_with_a_comma_are_items():
    text = (
        "某市若干措施\n\n第一，强化平台建设。（市科技局牵头）\n第二，培育企业。（市科技局）\n"
        "第三，优化环境。（市市场监管局）\n"
    )
    assert paths(text) == [["第一"], ["第二"], ["第三"]]


def test_full_width_digits_in_a_label_are_read_as_digits():
    text = "一、主要任务\n１．建设平台。做好建设。\n２．引进人才。做好引进。\n"
    assert paths(text) == [["一", "1"], ["一", "2"]]


def test_an_amount_spaced_out_by_extraction_is_closed_up():
    doc = parse_text("一、主要任务\n（一）引进人才。给予5 0万元安家补助。\n")
    assert doc.measures[0].amounts_wan == [50.0]


def test_sections_sit_between_chapters_and_articles():
    text = (
        "某省管理办法\n第一章 总则\n第一条 为规范管理，制定本办法。\n第二章 建设\n第一节 规划\n"
        "第二条 所在地政府编制规划。\n第二节 创新\n第三条 省科技厅设立专项资金。\n"
    )
    assert paths(text) == [
        ["第一章", "第一条"],
        ["第二章", "第一节", "第二条"],
        ["第二章", "第二节", "第三条"],
    ]


def test_one_character_brackets_and_a_closing_bracket_alone():
    text = (
        "一、主要任务\n㈠建设平台。做好平台。\n⑴建设实验室。做好建设。\n⑵建设中心。做好建设。\n"
        "㈡引进人才。做好引进。\n1）引进领军人才。做好引进。\n2）培养青年人才。做好培养。\n"
    )
    assert paths(text) == [
        ["一", "㈠", "⑴"],
        ["一", "㈠", "⑵"],
        ["一", "㈡", "1）"],
        ["一", "㈡", "2）"],
    ]


def test_ordinals_inside_an_item_are_its_text():
    text = (
        "某市实施方案\n\n一、主要任务\n（一）建设平台。\n第一，建设实验室；\n第二，建设中心。\n"
        "（二）引进人才。\n第一，引进领军人才；第二，培养青年人才。\n"
    )
    assert paths(text) == [["一", "（一）"], ["一", "（二）"]]


def test_a_sentence_of_two_clauses_split_by_a_semicolon_is_named_by_the_first():
    doc = parse_text(
        "某市关于高新区评价结果的通报\n一、表扬\n"
        "（一）对评价结果为优秀的青石高新区予以表扬；对排名提升的白沙高新区予以表扬。\n"
        "（二）加强指导。市科技局负责。\n"
    )
    assert [m.title for m in doc.measures] == ["对评价结果为优秀的青石高新区予以表扬", "加强指导"]
