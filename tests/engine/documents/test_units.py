"""Responsible units in every form Chinese government documents write them."""

import pytest

from gaoxin.engine.documents import parse_text
from gaoxin.engine.documents.units import find_responsibility, split_units


def only_measure(text: str):
    doc = parse_text(text)
    assert len(doc.measures) == 1, [m.path for m in doc.measures]
    return doc.measures[0]


@pytest.mark.parametrize(
    "clause",
    [
        "（责任单位：省科技厅、省财政厅）",
        "(责任单位:省科技厅、省财政厅)",
        "〔责任单位：省科技厅、省财政厅〕",
        "【责任单位：省科技厅、省财政厅】",
    ],
)
def test_responsible_units_in_any_bracket_are_all_lead(clause):
    m = only_measure(f"一、总体要求\n（一）加强服务。做好服务工作。{clause}\n")
    assert m.lead_units == ["省科技厅", "省财政厅"]
    assert m.participating_units == []


def test_lead_and_participating_kept_apart():
    m = only_measure(
        "1.加强服务。做好服务工作。(牵头单位：省科技厅；参与单位：省财政厅、省教育厅等)\n"
    )
    assert m.lead_units == ["省科技厅"]
    assert m.participating_units == ["省财政厅", "省教育厅"]


def test_labels_without_brackets_at_the_end_of_a_paragraph():
    m = only_measure(
        "1.加强服务。做好服务工作。\n牵头单位：市科技局\n配合单位：市财政局、市商务局\n"
    )
    assert m.lead_units == ["市科技局"]
    assert m.participating_units == ["市财政局", "市商务局"]


def test_lead_and_cooperating_on_one_line():
    m = only_measure("1.加强服务。做好服务工作。牵头单位：市科技局，配合单位：市财政局。\n")
    assert m.lead_units == ["市科技局"]
    assert m.participating_units == ["市财政局"]


def test_x_leads_y_cooperates():
    m = only_measure("1.加强服务。做好服务工作。（市科技局牵头，市财政局、市人力社保局配合）\n")
    assert m.lead_units == ["市科技局"]
    assert m.participating_units == ["市财政局", "市人力社保局"]


def test_x_leads_alone():
    m = only_measure("1.加强服务。做好服务工作。（省发展改革委牵头）\n")
    assert m.lead_units == ["省发展改革委"]


def test_x_is_responsible():
    m = only_measure("1.加强服务。做好服务工作。（省科技厅负责）\n")
    assert m.lead_units == ["省科技厅"]


def test_x_with_the_departments_concerned_is_responsible():
    m = only_measure("1.加强服务。做好服务工作。（市科技局会同有关部门负责）\n")
    assert m.lead_units == ["市科技局"]
    assert m.participating_units == ["有关部门"]


def test_x_together_with_y_in_the_text():
    m = only_measure("1.加强领导。省科技厅会同省级有关部门，统筹做好高新区规划布局工作。\n")
    assert m.lead_units == ["省科技厅"]
    assert m.participating_units == ["省级有关部门"]


def test_unit_list_closing_a_paragraph():
    m = only_measure("1.加强服务。做好服务工作，提升服务水平。（省科技厅、省财政厅、省教育厅）\n")
    assert m.lead_units == ["省科技厅", "省财政厅", "省教育厅"]


def test_unbracketed_unit_list_closing_a_paragraph():
    m = only_measure("1.加强服务。做好服务工作，提升服务水平。省科技厅、省财政厅\n")
    assert m.lead_units == ["省科技厅", "省财政厅"]


def test_a_sentence_ending_in_an_institution_is_not_a_unit_list():
    m = only_measure("1.集聚资源。支持园区企业在科技资源密集地区建设研发机构。\n")
    assert m.lead_units == [] and m.participating_units == []


def test_the_document_says_the_first_unit_listed_leads():
    text = (
        "说明：各项任务所列责任单位中，排在第一位的为牵头单位。\n"
        "一、重点任务\n"
        "（一）加强服务。做好服务工作。（责任单位：省科技厅、省财政厅、省教育厅）\n"
        "（二）完善机制。健全工作机制。（责任单位：省发展改革委、省科技厅）\n"
    )
    doc = parse_text(text)
    assert [m.lead_units for m in doc.measures] == [["省科技厅"], ["省发展改革委"]]
    assert doc.measures[0].participating_units == ["省财政厅", "省教育厅"]


def test_shared_prefix_distributes():
    assert split_units("省科技厅、发改委、财政厅") == ["省科技厅", "省发改委", "省财政厅"]


def test_party_prefix_distributes_to_party_offices_only():
    assert split_units("省委人才办、编办") == ["省委人才办", "省委编办"]
    assert split_units("省委组织部、科技厅") == ["省委组织部", "省科技厅"]


def test_shared_suffix_distributes():
    assert split_units("福州、厦门、泉州、宁德市人民政府") == [
        "福州市人民政府",
        "厦门市人民政府",
        "泉州市人民政府",
        "宁德市人民政府",
    ]


def test_alias_in_brackets_is_kept():
    assert split_units("省市场监管局（知识产权局）、科技厅") == [
        "省市场监管局（知识产权局）",
        "省科技厅",
    ]


def test_commas_separate_groups_and_stop_the_prefix():
    assert split_units("省金融监管局、财政厅，福建银保监局，厦门银保监局") == [
        "省金融监管局",
        "省财政厅",
        "福建银保监局",
        "厦门银保监局",
    ]


def test_brackets_inside_a_unit_are_not_separators():
    assert split_units("各县〔市、区〕政府，台州湾新区") == ["各县（市、区）政府", "台州湾新区"]


def test_a_document_naming_departments_bare_gets_no_prefix():
    text = (
        "一、任务\n"
        "（一）甲。做好工作。（牵头单位：科技厅；参与单位：省发展改革委、经济和信息化厅等）\n"
        "（二）乙。做好工作。（牵头单位：财政厅；参与单位：科技厅）\n"
    )
    doc = parse_text(text)
    assert doc.measures[0].participating_units == ["省发展改革委", "经济和信息化厅"]


def test_lead_unit_is_not_also_participating():
    r = find_responsibility("做好工作。（牵头单位：市科技局；参与单位：市科技局、市财政局）")
    assert r.lead == ["市科技局"] and r.participating == ["市财政局"]


def test_no_units_where_none_are_named():
    m = only_measure("1.壮大科技力量。支持科技领军企业牵头建设创新基地。科技部发挥牵头引导作用。\n")
    assert m.lead_units == [] and m.participating_units == []


def test_duty_tail_after_a_list_is_dropped():
    m = only_measure(
        "1.加强服务。做好服务工作。（责任单位：省科技厅、省发展改革委、省工业和信息化厅等按职责分工负责）\n"
    )
    assert m.lead_units == ["省科技厅", "省发展改革委", "省工业和信息化厅"]


def test_units_joined_by_a_conjunction():
    assert split_units("省科技厅和省财政厅以及省教育厅") == ["省科技厅", "省财政厅", "省教育厅"]
    assert split_units("市自然资源和规划局") == ["市自然资源和规划局"]
    assert split_units("经济和信息化厅") == ["经济和信息化厅"]


def test_every_city_and_county_government():
    assert split_units("省科技厅，各市、县（市、区）政府") == [
        "省科技厅",
        "各市政府",
        "各县（市、区）政府",
    ]


def test_lead_and_cooperating_inside_a_responsible_list():
    m = only_measure(
        "1.加强服务。做好服务工作。（责任单位：省科技厅牵头，省财政厅、省教育厅配合）\n"
    )
    assert m.lead_units == ["省科技厅"]
    assert m.participating_units == ["省财政厅", "省教育厅"]


def test_labels_separated_by_a_space_only():
    m = only_measure("1.加强服务。做好服务工作。(牵头单位:省科技厅 配合单位:省财政厅)\n")
    assert m.lead_units == ["省科技厅"]
    assert m.participating_units == ["省财政厅"]


def test_units_responsible_by_their_duties():
    m = only_measure("1.加强服务。做好服务工作。（省科技厅、省财政厅按职责分工负责）\n")
    assert m.lead_units == ["省科技厅", "省财政厅"]


def test_unit_list_sentence_closed_by_a_full_stop():
    m = only_measure("1.加强服务。做好服务工作，提升服务水平。省科技厅、省财政厅。\n")
    assert m.lead_units == ["省科技厅", "省财政厅"]


def test_the_authority_named_with_you():
    m = only_measure("1.推动创建。对新获批的国家高新区，由省科技厅于下年度一次性给予奖励。\n")
    assert m.lead_units == ["省科技厅"]


def test_lead_label_with_a_responsible_label_makes_the_rest_participating():
    m = only_measure(
        "1.加强服务。做好服务工作。（牵头单位：省科技厅；责任单位：省发展改革委、省财政厅）\n"
    )
    assert m.lead_units == ["省科技厅"]
    assert m.participating_units == ["省发展改革委", "省财政厅"]


def test_x_responsible_y_cooperating():
    m = only_measure("1.加强服务。做好服务工作。（省科技厅、省发改委负责，省直有关部门配合）\n")
    assert m.lead_units == ["省科技厅", "省发改委"]
    assert m.participating_units == ["省直有关部门"]


def test_city_and_county_governments_with_brackets():
    assert split_units("各市（州）、县（市、区）人民政府") == [
        "各市（州）人民政府",
        "各县（市、区）人民政府",
    ]


def test_guangdong_style_list_by_duties():
    m = only_measure(
        "1.加强服务。做好服务工作。（省科技厅、发展改革委、工业和信息化厅，各地级以上市人民政府按职责分工负责）\n"
    )
    assert m.lead_units == ["省科技厅", "省发展改革委", "省工业和信息化厅", "各地级以上市人民政府"]


def test_every_city_prefecture_and_county_government():
    assert split_units("各市、州、县人民政府") == ["各市人民政府", "各州人民政府", "各县人民政府"]


def test_lead_then_others_by_their_duties():
    m = only_measure(
        "1.加强服务。做好服务工作。（省科技厅牵头，省发展改革委、工业和信息化厅、财政厅等按职责分工负责）\n"
    )
    assert m.lead_units == ["省科技厅"]
    assert m.participating_units == ["省发展改革委", "省工业和信息化厅", "省财政厅"]


def test_first_listed_leads_statement_inside_the_list():
    m = only_measure(
        "1.加强服务。做好服务工作。（责任单位：省科技厅、省发展改革委、省财政厅；列第一位的为牵头单位）\n"
    )
    assert m.lead_units == ["省科技厅"]
    assert m.participating_units == ["省发展改革委", "省财政厅"]


def test_units_separated_by_spaces():
    assert split_units("省科技厅 省财政厅　省教育厅") == ["省科技厅", "省财政厅", "省教育厅"]


def test_a_deadline_in_the_bracket_is_not_a_unit():
    m = only_measure(
        "1.加强服务。做好服务工作。（责任单位：省科技厅、各高新区；完成时限：2025年底前）\n"
    )
    assert m.lead_units == ["省科技厅", "各高新区"]
    assert m.deadline == "2025年底前"


def test_every_locality():
    assert split_units("省科技厅，各地") == ["省科技厅", "各地"]


def test_prose_ending_like_a_unit_is_not_one():
    m = only_measure(
        "1.合作研发。由企业自主选择合作高校和科研院所，鼓励龙头企业牵头组建创新联合体。\n"
    )
    assert m.lead_units == [] and m.participating_units == []


@pytest.mark.parametrize(
    "statement",
    [
        "排在第一位的为牵头单位",
        "列在首位的为牵头单位",
        "第一个单位为牵头单位",
        "排名第一的为牵头单位",
        "首位为牵头单位",
    ],
)
def test_ways_of_saying_the_first_unit_leads(statement):
    text = (
        f"（{statement}）\n一、任务\n（一）加强服务。做好工作。（责任单位：省科技厅、省财政厅）\n"
    )
    m = parse_text(text).measures[0]
    assert (m.lead_units, m.participating_units) == (["省科技厅"], ["省财政厅"])


def test_bare_bracketed_unit_lists_closing_each_article():
    text = (
        "某省关于支持高新区创新发展的若干措施\n"
        "一、推动重点实验室建设。推动省重点实验室围绕重点产业开展研究。〔省科技厅〕\n"
        "二、鼓励组建创新联合体。给予最高300万元支持。〔省科技厅、省财政厅、省知识产权局〕\n"
        "三、壮大高新技术企业群体。推进高新技术企业倍增。〔各市(地)、县(市、区)政府(行署)〕\n"
    )
    doc = parse_text(text)
    assert [m.lead_units for m in doc.measures] == [
        ["省科技厅"],
        ["省科技厅", "省财政厅", "省知识产权局"],
        ["各市（地）政府（行署）", "各县（市、区）政府（行署）"],
    ]


def test_departments_acting_within_their_duties_take_part():
    m = only_measure(
        "1.管理。市科委负责全市园区的统筹协调。市发展改革委、市财政局等部门按照各自职责做好相关工作。\n"
    )
    assert m.lead_units == ["市科委"]
    assert m.participating_units == ["市发展改革委", "市财政局"]


def test_partners_followed_by_an_adverb():
    m = only_measure("1.评价。省科技厅会同省发展改革委、省财政厅每年对高新区开展综合评价。\n")
    assert m.lead_units == ["省科技厅"]
    assert m.participating_units == ["省发展改革委", "省财政厅"]


def test_the_unit_after_you_inside_a_clause():
    m = only_measure("1.解释。本办法由市科委负责解释。\n")
    assert m.lead_units == ["市科委"]


def test_lead_marked_inside_a_responsible_list():
    m = only_measure("1.建设。建设机构。\n责任单位：市科技局（牵头），市财政局、各区人民政府\n")
    assert m.lead_units == ["市科技局"]
    assert m.participating_units == ["市财政局", "各区人民政府"]
    m = only_measure("1.建设。建设机构。（责任单位：市财政局、市科技局(牵头)）\n")
    assert m.lead_units == ["市科技局"] and m.participating_units == ["市财政局"]


def test_label_in_its_own_brackets_without_a_colon():
    m = only_measure("1.建设。新建省级以上创新平台20个。【责任单位】市科技局、市发改委\n")
    assert m.lead_units == ["市科技局", "市发改委"]


def test_closing_list_ending_in_a_deadline():
    m = only_measure("1.培育。给予10万元奖励。（市科技局、市财政局，2024年底前完成）\n")
    assert m.lead_units == ["市科技局", "市财政局"]
    assert m.deadline == "2024年底前完成"
    m = only_measure("1.考核。纳入年度考核。（市委组织部、市科技局，长期坚持）\n")
    assert m.lead_units == ["市委组织部", "市科技局"] and m.deadline == "长期坚持"


def test_autonomous_region_prefix_distributes():
    assert split_units("自治区科技厅、发展改革委、财政厅") == [
        "自治区科技厅",
        "自治区发展改革委",
        "自治区财政厅",
    ]
    assert split_units("自治区党委组织部、编办") == ["自治区党委组织部", "自治区党委编办"]
    assert split_units("自治区党委组织部、科技厅") == ["自治区党委组织部", "自治区科技厅"]


def test_one_list_opening_with_a_bare_name_does_not_stop_the_prefix():
    text = (
        "一、任务\n"
        "（一）甲。做好工作。（责任单位：省科技厅、发改委）\n"
        "（二）乙。做好工作。（责任单位：国防科工办、省工信厅）\n"
        "（三）丙。做好工作。（责任单位：省财政厅、教育厅）\n"
    )
    doc = parse_text(text)
    assert doc.measures[0].lead_units == ["省科技厅", "省发改委"]
    assert doc.measures[2].lead_units == ["省财政厅", "省教育厅"]


def test_lead_then_together_with_in_the_next_clause():
    m = only_measure("1.细则。由省科技厅牵头，会同省财政厅制定实施细则。\n")
    assert m.lead_units == ["省科技厅"]
    assert m.participating_units == ["省财政厅"]


def test_a_shared_government_suffix_after_a_non_level_name():
    assert split_units("各省辖市、济源示范区政府") == ["各省辖市政府", "济源示范区政府"]


# --- organs named in 会, and names that read as no unit


@pytest.mark.parametrize(
    ("clause", "lead", "participating"),
    [
        ("证监会牵头，科技部、财政部配合。", ["证监会"], ["科技部", "财政部"]),
        (
            "由银保监会会同人民银行、国家知识产权局制定实施细则。",
            ["银保监会"],
            ["人民银行", "国家知识产权局"],
        ),
        ("（国家发展改革委、证监会、全国工商联）", ["国家发展改革委", "证监会", "全国工商联"], []),
        ("（省科协牵头，省工商联、省总商会配合）", ["省科协"], ["省工商联", "省总商会"]),
    ],
)
def test_organs_named_in_hui_are_units(clause, lead, participating):
    m = only_measure(f"一、强化资本市场服务。支持企业上市融资。{clause}\n")
    assert (m.lead_units, m.participating_units) == (lead, participating)


def test_a_meeting_ending_in_hui_is_no_unit():
    assert find_responsibility("每年举办一次项目推进会。（项目推进会）").lead == []


def test_an_unrecognised_name_is_reported_not_the_whole_note_lost():
    doc = parse_text("一、做好气象保障。为园区建设提供服务。（市科技局、市气象台、市应急管理局）\n")
    m = doc.measures[0]
    assert m.lead_units == ["市科技局", "市应急管理局"]
    [warned] = [p for p in doc.problems if p.code == "unknown-unit"]
    assert warned.value == "市气象台"


# --- place-type lists, and 等有关部门和单位


@pytest.mark.parametrize(
    ("listed", "units"),
    [
        ("各区、县级市政府", ["各区政府", "各县级市政府"]),
        ("各有关区、县级市政府", ["各有关区政府", "各有关县级市政府"]),
        ("各区、县级市人民政府", ["各区人民政府", "各县级市人民政府"]),
        ("市司法局等有关部门和单位", ["市司法局"]),
        ("市财政局、各有关部门和单位", ["市财政局", "各有关部门和单位"]),
        ("天河区、黄埔区", ["天河区", "黄埔区"]),
    ],
)
def test_place_type_lists_and_everyone_concerned(listed, units):
    assert split_units(listed) == units


def test_an_area_word_is_not_a_district():
    assert split_units("核心区、示范区、城区") == []


# --- 列第一位者为牵头单位


def test_the_first_listed_leads_where_the_document_says_so_in_a_closing_list():
    text = (
        "各项任务中列第一位者为牵头单位，其他为参与单位。\n"
        "一、重点任务\n（一）建设中试基地。建设一批中试基地。（市科技局、市工信局，各区、县级市政府）\n"
    )
    m = parse_text(text).measures[0]
    assert m.lead_units == ["市科技局"]
    assert m.participating_units == ["市工信局", "各区政府", "各县级市政府"]


def test_without_that_sentence_every_unit_of_a_closing_list_leads():
    m = only_measure("一、建设中试基地。建设一批中试基地。（市科技局、市工信局）\n")
    assert m.lead_units == ["市科技局", "市工信局"]


# --- duties written in prose


@pytest.mark.parametrize(
    ("sentence", "lead", "participating"),
    [
        ("园区用地指标由市自然资源局负责统筹。", ["市自然资源局"], []),
        ("由县科技局会同县财政局、县人社局制定办法。", ["县科技局"], ["县财政局", "县人社局"]),
        ("市商务局牵头，市发改委、市财政局配合。", ["市商务局"], ["市发改委", "市财政局"]),
        ("市商务局牵头建立协调机制，市发改委配合。", ["市商务局"], ["市发改委"]),
        ("市工信局要建立重点企业服务清单。", ["市工信局"], []),
        ("各县（市、区）人民政府要落实属地责任。", ["各县（市、区）人民政府"], []),
        ("园区道路建设由雁塔区、长安区负责。", ["雁塔区", "长安区"], []),
    ],
)
def test_duties_in_prose(sentence, lead, participating):
    m = only_measure(f"一、优化服务。{sentence}\n")
    assert (m.lead_units, m.participating_units) == (lead, participating)


@pytest.mark.parametrize(
    "sentence",
    [
        "各地区各有关部门要高度重视，抓好落实。",
        "各级政府要加大投入。",
        "企业要加大研发投入。",
        "高新区要突出主导产业。",
        "申请认定园区应当具备下列条件。",
    ],
)
def test_an_exhortation_to_everyone_names_no_unit(sentence):
    assert only_measure(f"一、优化服务。{sentence}\n").lead_units == []


def test_you_in_an_approval_is_its_addressee():
    r = find_responsibility("你市要加强领导，确保各项政策落实。", addressee=["某市人民政府"])
    assert r.lead == ["某市人民政府"]
    assert find_responsibility("你市要加强领导。").lead == []


# --- a ministry's own departments, and 贸促会 (found on round 3's first run)


def test_a_ministrys_departments_in_si_and_ju_named_in_full():
    m = only_measure(
        "一、做好评估。工业和信息化部中小企业局、科技部高新技术司负责行动的日常调度。\n"
    )
    assert m.lead_units == ["工业和信息化部中小企业局", "科技部高新技术司"]


def test_the_trade_promotion_council_is_a_unit():
    m = only_measure("一、加强维权援助。由商务部会同中国贸促会建立应对指导机制。\n")
    assert (m.lead_units, m.participating_units) == (["商务部"], ["中国贸促会"])


def test_supporting_enterprises_is_still_no_unit():
    assert only_measure("一、支持企业。支持科技领军企业牵头建设创新联合体。\n").lead_units == []


# --- round 4's first run: 配合 followed by its work, and departments of a kind


def test_y_cooperates_with_the_work_named_after_it():
    m = only_measure("一、攻关。科技部负责统筹推进，国家发展改革委配合做好相关工作。\n")
    assert (m.lead_units, m.participating_units) == (["科技部"], ["国家发展改革委"])


def test_every_department_of_a_kind_must_is_no_unit_but_named_organs_must_lead():
    m = only_measure(
        "一、统筹。科技部、国家发展改革委要建立会商机制。"
        "各省级科技管理部门、发展改革部门要将此项工作纳入重点。\n"
    )
    assert m.lead_units == ["科技部", "国家发展改革委"]
    assert only_measure("一、统筹。各设区市科技局要高度重视。\n").lead_units == ["各设区市科技局"]


# round 5 preparation (issue #13): forms written for generalisation, each a general rule


def test_a_collective_unit_with_a_bracketed_place_list_in_prose_is_one_unit():
    m = only_measure("1.保障用地。由市自然资源和规划局负责，各县（市、区）人民政府配合。\n")
    assert m.lead_units == ["市自然资源和规划局"]
    assert m.participating_units == ["各县（市、区）人民政府"]


def test_customs_and_place_named_vertical_organs_are_units_without_the_lists_level():
    m = only_measure(
        "1.支持出口。做好通关服务。（责任单位：厦门海关、市商务局、国家税务总局厦门市税务局）\n"
    )
    assert m.lead_units == ["厦门海关", "市商务局", "国家税务总局厦门市税务局"]
    m = only_measure(
        "1.优化金融服务。引导银行加大信贷支持"
        "（人行福州中心支行牵头，省地方金融监管局、福建银保监局参与）。\n"
    )
    assert m.lead_units == ["人行福州中心支行"]
    assert m.participating_units == ["省地方金融监管局", "福建银保监局"]
    # a bare name after a level still takes the level: 省财政厅、税务局 is 省税务局
    assert split_units("省财政厅、税务局") == ["省财政厅", "省税务局"]


def test_a_person_in_charge_is_no_duty():
    m = only_measure(
        "1.加强领导。各市（州）党委主要负责同志要亲自抓。市科技局要会同市财政局加强指导。\n"
    )
    assert m.lead_units == ["市科技局"]
    assert m.participating_units == ["市财政局"]


@pytest.mark.parametrize(
    "duty", ["市发展改革委、市科技局依职责负责", "市发展改革委、市科技局具体负责"]
)
def test_responsible_by_their_duties_or_in_particular(duty):
    m = only_measure(f"1.优化服务。做好服务。{duty}。\n")
    assert m.lead_units == ["市发展改革委", "市科技局"]


def test_the_addressees_duty_beside_an_organ_named_in_a_pifu():
    text = (
        "某省人民政府关于同意设立青峰高新技术产业开发区的批复\n\n青峰市人民政府：\n"
        "一、同意设立青峰高新技术产业开发区。\n"
        "二、你市要加强组织领导。省科技厅要会同省财政厅加强指导。\n\n某省人民政府\n2024年5月6日\n"
    )
    m = parse_text(text).measures[1]
    assert m.lead_units == ["青峰市人民政府", "省科技厅"]
    assert m.participating_units == ["省财政厅"]


def test_units_named_as_the_responsible_ones_with_wei():
    m = only_measure("1.做好服务。做好服务工作。责任单位为市科技局、市财政局。\n")
    assert m.lead_units == ["市科技局", "市财政局"]
    m = only_measure("1.做好服务。做好服务工作。市科技局为牵头单位，市财政局为配合单位。\n")
    assert (m.lead_units, m.participating_units) == (["市科技局"], ["市财政局"])


def test_each_clause_of_a_sentence_may_name_who_must():
    m = only_measure(
        "1.加强保障。市科技局、市发展改革委要强化统筹协调，市财政局要加大资金保障，"
        "各类创新要素要加快集聚。\n"
    )
    assert m.lead_units == ["市科技局", "市发展改革委", "市财政局"]


def test_customs_in_prose_take_part():
    m = only_measure(
        "1.支持出口。做好服务。（市商务局牵头，国家税务总局厦门市税务局、厦门海关配合）\n"
    )
    assert m.lead_units == ["市商务局"]
    assert m.participating_units == ["国家税务总局厦门市税务局", "厦门海关"]


def test_a_label_alone_on_its_line_with_the_units_on_the_next():
    m = only_measure("1.建设平台。做好平台建设。\n责任单位：\n区科技局、区财政局\n")
    assert m.lead_units == ["区科技局", "区财政局"]


def test_survey_corps_fire_brigades_and_universities_in_a_labelled_list():
    m = only_measure(
        "1.做好统计。做好工作。（责任单位：国家统计局某某调查总队、省消防救援总队、某某大学）\n"
    )
    assert m.lead_units == ["国家统计局某某调查总队", "省消防救援总队", "某某大学"]


def test_a_note_closing_each_clause_of_one_measure():
    m = only_measure(
        "1.建设平台。一是建设实验室，（市科技局负责）；二是建设中心，（市工信局负责）。\n"
    )
    assert m.lead_units == ["市科技局", "市工信局"]
    # an alias in brackets is no note: 市市场监管局（市知识产权局）
    m = only_measure("1.保护产权。市市场监管局（市知识产权局）负责，市公安局配合。\n")
    assert m.lead_units == ["市市场监管局（市知识产权局）"]


def test_a_pifu_asking_its_addressee():
    text = (
        "某省人民政府关于同意设立青峰高新技术产业开发区的批复\n\n青峰市人民政府：\n"
        "一、同意设立青峰高新技术产业开发区。\n二、请你市认真组织实施。\n\n某省人民政府\n2024年5月6日\n"
    )
    assert parse_text(text).measures[1].lead_units == ["青峰市人民政府"]


@pytest.mark.parametrize(
    ("labels", "lead", "part"),
    [
        ("（主办单位：省科技厅；协办单位：省财政厅）", ["省科技厅"], ["省财政厅"]),
        ("（责任主体：省科技厅、省财政厅）", ["省科技厅", "省财政厅"], []),
        (
            "（牵头司局：高新技术司；配合司局：资源配置与管理司）",
            ["高新技术司"],
            ["资源配置与管理司"],
        ),
    ],
)
def test_other_names_for_the_lead_and_the_others(labels, lead, part):
    m = only_measure(f"1.做好服务。做好服务工作。{labels}\n")
    assert (m.lead_units, m.participating_units) == (lead, part)


def test_the_units_concerned_take_part_in_prose():
    m = only_measure("1.做好服务。做好服务工作。（省科技厅牵头，省直有关单位按职责分工负责）\n")
    assert (m.lead_units, m.participating_units) == (["省科技厅"], ["省直有关单位"])


def test_each_city_and_autonomous_prefecture_government():
    # 各市、自治州人民政府: 各 holds for the 自治州 as for a 县 or 区
    assert split_units("各市、自治州人民政府") == ["各市人民政府", "各自治州人民政府"]


# issue #13, round 5's forms left after its fixes: duties in prose with no marker word


@pytest.mark.parametrize(
    ("text", "lead"),
    [
        ("科技部根据评估结果和年度预算，在60日内将补助资金下达各省。", ["科技部"]),
        (
            "市工信局、市商务局在安排年度技改项目时，对评估优秀的园区予以倾斜。",
            ["市工信局", "市商务局"],
        ),
        ("省科技厅将组织开展年度监测。", ["省科技厅"]),
        ("省人社厅按照有关规定认定高层次人才。", ["省人社厅"]),
    ],
)
def test_organs_opening_a_sentence_of_what_they_do_lead_it(text, lead):
    r = find_responsibility(text)
    assert (r.lead, r.participating) == (lead, [])


@pytest.mark.parametrize(
    "text",
    [
        "企业在申报项目时可获得支持。",  # not an organ
        "园区建设取得成效，市科技局在评审时优先支持。",  # after a comma: not the sentence's subject
        "各高新区管委会对照考核指标开展自评。",  # 对照 is the verb, not 对 + object
        "各设区市科技局要督促指导所在地高新区查找不足。",  # 所在地 is no 在
    ],
)
def test_a_circumstance_opens_no_duty_without_an_organ_as_subject(text):
    r = find_responsibility(text)
    assert "所" not in "".join(r.lead)
    assert r.lead in ([], ["各设区市科技局"])
    assert r.participating == []


def test_a_class_of_organ_joined_after_a_duty_takes_part():
    r = find_responsibility("市级财政部门应当在收到资金后15日内，会同市级科技管理部门拨付到位。")
    assert (r.lead, r.participating) == (["市级财政部门"], ["市级科技管理部门"])


@pytest.mark.parametrize(
    ("text", "lead", "participating", "unknown"),
    [
        ("建设新型研发机构，市科技局负责，各高校参与。", ["市科技局"], ["各高校"], []),
        (
            "建设新型研发机构，市科技局、市教育局负责，各有关高校、各科研院所参与。",
            ["市科技局", "市教育局"],
            ["各有关高校", "各科研院所"],
            [],
        ),
        # one name that is no unit keeps the list's units and is reported
        (
            "建设新型研发机构，市科技局负责，市教育局、各有关企业参与。",
            ["市科技局"],
            ["市教育局"],
            ["各有关企业"],
        ),
        ("推进成果转化，市科技局负责，各区人民政府落实。", ["市科技局"], ["各区人民政府"], []),
    ],
)
def test_a_lead_and_the_classes_and_lists_taking_part(text, lead, participating, unknown):
    r = find_responsibility(text)
    assert (r.lead, r.participating, r.unknown) == (lead, participating, unknown)


def test_implementation_alone_is_no_duty_without_a_lead():
    assert find_responsibility("推动政策落实。").lead == []
    assert find_responsibility("各区人民政府抓好落实。").participating == []


@pytest.mark.parametrize(
    ("text", "lead", "participating"),
    [
        (
            "推进改革，市科技局牵头，市财政局、市人社局按职责分工负责。",
            ["市科技局"],
            ["市财政局", "市人社局"],
        ),
        ("由市科技局会同市财政局、市人社局组织实施。", ["市科技局"], ["市财政局", "市人社局"]),
        ("市科技局要加强统筹协调。", ["市科技局"], []),
    ],
)
def test_lead_forms_in_prose_named_in_issue_13(text, lead, participating):
    r = find_responsibility(text)
    assert (r.lead, r.participating) == (lead, participating)


def test_a_name_taking_part_that_is_no_unit_is_warned_about():
    doc = parse_text(
        "一、强化创新\n（一）建设研发机构。推进建设，县科技局负责，县教育局、各有关企业参与。\n"
    )
    [m] = doc.measures
    assert (m.lead_units, m.participating_units) == (["县科技局"], ["县教育局"])
    [warned] = [p for p in doc.problems if p.code == "unknown-unit"]
    assert warned.value == "各有关企业"


@pytest.mark.parametrize(
    ("text", "lead", "participating"),
    [
        # support beside a named lead takes part: 提供…支撑, 在…方面给予支持
        (
            "编制技术指南。市规划局会同市统计局研究制定指南，市测绘研究院提供技术支撑。",
            ["市规划局"],
            ["市统计局", "市测绘研究院"],
        ),
        (
            "建设开放平台。市商务局要牵头推进。市外办、青港海关在通关便利等方面给予支持。",
            ["市商务局"],
            ["市外办", "青港海关"],
        ),
        # without another lead, the organ opening the sentence leads it (X在…, as before)
        ("市外办在对外交流方面给予支持。", ["市外办"], []),
        # X负责，各Y人民政府落实: the list is roles in prose, not a closing list of equals
        (
            "对新认定的机构给予补助。县科技局负责，各乡镇人民政府落实。",
            ["县科技局"],
            ["各乡镇人民政府"],
        ),
        # an institute taking part after a lead
        (
            "开展评价。市自然资源局牵头，市信息中心、市地质研究所按职责分工负责。",
            ["市自然资源局"],
            ["市信息中心", "市地质研究所"],
        ),
    ],
)
def test_support_and_roles_beside_a_named_lead(text, lead, participating):
    r = find_responsibility(text)
    assert (r.lead, r.participating) == (lead, participating)


def test_the_zones_own_city_government_is_no_named_unit():
    # 由所在市人民政府…: the government of the zone spoken of, unnamed
    r = find_responsibility("甲高新区退出序列，由所在县人民政府做好后续工作。")
    assert (r.lead, r.participating) == ([], [])
    # a class of government (高新区所在市政府) is still a unit, as before
    r = find_responsibility("由市科技局会同高新区所在县政府组织实施。")
    assert r.participating == ["高新区所在县政府"]


def test_a_shared_suffix_after_places_that_name_their_level():
    # 甲市、乙市人民政府: the level written on each place is not doubled
    assert split_units("青石市、白沙市、红岭市人民政府") == [
        "青石市人民政府",
        "白沙市人民政府",
        "红岭市人民政府",
    ]
    assert split_units("青石、白沙市人民政府") == ["青石市人民政府", "白沙市人民政府"]


@pytest.mark.parametrize(
    ("text", "lead", "part"),
    [
        # an office in 室 opening a sentence with what it must do
        ("县政府督查室要把任务纳入督查计划，定期通报进展。", ["县政府督查室"], []),
        # the zone's own government, unnamed, takes no part; the named organ still leads
        ("由县科技局会同所在镇人民政府对其负责同志进行约谈。", ["县科技局"], []),
        # a second named organ opening a sentence with what it must do leads beside the first
        (
            "县科技局要会同县发展改革局做好指导服务。县财政局要安排专项资金予以保障。",
            ["县科技局", "县财政局"],
            ["县发展改革局"],
        ),
        # but 各…政府要…, a class exhorted, does not
        ("县科技局要会同县财政局做好指导。各乡镇人民政府要抓好落实。", ["县科技局"], ["县财政局"]),
        # 承担…的具体工作 beside a named lead takes part, as 提供技术支撑 does
        (
            "县科技局负责组织年度评估。县科学技术研究院承担评估的具体工作。",
            ["县科技局"],
            ["县科学技术研究院"],
        ),
        # organs opening a sentence with 依法 or 组织 (not 组织部) are its subject
        ("县审计局依法对资金使用情况进行审计监督。", ["县审计局"], []),
        # support for a beneficiary (为…提供技术支撑): beside a lead it takes part, alone it
        # leads, as 在…方面给予支持 does
        (
            "县科技局负责建设平台。县信息中心、县规划设计院为平台建设提供技术支撑。",
            ["县科技局"],
            ["县信息中心", "县规划设计院"],
        ),
        (
            "建设平台。县信息中心、县规划设计院为平台建设提供技术支撑。",
            ["县信息中心", "县规划设计院"],
            [],
        ),
        ("县科技局组织专家对申报材料进行评审。", ["县科技局"], []),
    ],
)
def test_actors_in_prose_round_7(text, lead, part):
    r = find_responsibility(text)
    assert (r.lead, r.participating) == (lead, part)
