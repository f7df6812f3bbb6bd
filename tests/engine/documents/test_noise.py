"""Real documents' noise must not trip the parser."""

import pytest

from gaoxin.engine.documents import parse_file, parse_text

BODY = "一、总体要求\n（一）指导思想。坚持创新驱动。\n二、重点任务\n（二）建设平台。支持建设平台。（责任单位：省科技厅、财政厅）\n"


def test_news_preamble_before_the_title():
    text = (
        "本网讯，日前，省科技厅印发《关于促进高新区发展的若干措施》，提出支持建设平台。记者了解到，措施共十条。\n"
        "关于促进高新区发展的若干措施\n" + BODY
    )
    doc = parse_text(text)
    assert doc.title == "关于促进高新区发展的若干措施"
    assert doc.issuer == "省科技厅"
    assert [m.path for m in doc.measures] == [["一", "（一）"], ["二", "（二）"]]


def test_paragraph_printed_twice_is_read_once():
    text = "一、任务\n1.建设平台。\n支持建设平台，给予奖励50万元。\n支持建设平台，给予奖励50万元。\n2.引进人才。引进。\n"
    doc = parse_text(text)
    assert doc.measures[0].text == "建设平台。\n支持建设平台，给予奖励50万元。"


def test_heading_repeated_broken_then_whole_keeps_the_whole():
    text = (
        "一、任务\n"
        "（一）优化体制。修订完善高新区管理办法（试行）进一步规范\n"
        "（一）优化体制。修订完善《高新区管理办法（试行）》，进一步规范管理。（责任单位：省科技厅）\n"
        "（二）加强金融。支持设立科技支行。（责任单位：省金融监管局）\n"
    )
    doc = parse_text(text)
    assert [m.path for m in doc.measures] == [["一", "（一）"], ["一", "（二）"]]
    assert "《高新区管理办法（试行）》" in doc.measures[0].text
    assert doc.measures[0].lead_units == ["省科技厅"]
    assert any(p.code == "duplicate-item" for p in doc.problems)


def test_half_and_full_width_punctuation_mixed():
    text = "一、任务\n(一)建设平台.支持建设平台,给予奖励50万元;(责任单位:省科技厅、省财政厅)\n（二）引进人才。引进。（责任单位：省人社厅）\n"
    doc = parse_text(text)
    assert [m.path for m in doc.measures] == [["一", "(一)"], ["一", "（二）"]]
    assert doc.measures[0].lead_units == ["省科技厅", "省财政厅"]
    assert doc.measures[0].amounts_wan == [50.0]


def test_blank_lines_between_paragraphs():
    text = "关于促进高新区发展的实施意见\n\n\n一、总体要求\n\n（一）指导思想。\n\n坚持创新。\n\n（二）发展目标。\n\n到2025年，建成省级高新区25家。\n\n"
    doc = parse_text(text)
    assert [m.title for m in doc.measures] == ["指导思想", "发展目标"]
    assert doc.measures[0].text == "指导思想。\n坚持创新。"


def test_file_name_and_signature_at_the_end_are_not_part_of_the_last_measure():
    text = (
        BODY
        + "本意见自2024年9月1日起施行。\n某市科学技术局\n2024年8月30日\n（此件公开发布）\n"
        + "某科〔2024〕22号关于促进高新区发展的实施意见.pdf\n"
    )
    doc = parse_text(text)
    last = doc.measures[-1]
    assert last.text.endswith("（责任单位：省科技厅、财政厅）")
    assert doc.issuer == "某市科学技术局"
    assert doc.issued == "2024-08-30"
    assert doc.doc_number == "某科〔2024〕22号"
    assert doc.title == "关于促进高新区发展的实施意见"


def test_a_line_broken_before_a_comma_is_rejoined():
    text = (
        "一、任务\n（一）支持企业。促进创新要素向企业集聚\n，培育更多企业。（责任单位：省科技厅）\n"
    )
    doc = parse_text(text)
    assert (
        doc.measures[0].text
        == "支持企业。促进创新要素向企业集聚，培育更多企业。（责任单位：省科技厅）"
    )


def test_title_broken_over_lines_and_draft_marker():
    text = (
        "附件\n关于促进高新技术产业开发（园）区\n\n高质量发展的实施意见\n\n（征求意见稿）\n\n各市（州）人民政府：\n\n"
        + BODY
    )
    doc = parse_text(text)
    assert doc.title == "关于促进高新技术产业开发（园）区高质量发展的实施意见"
    assert doc.status == "draft"
    assert doc.title_span is not None
    assert text[doc.title_span[0] : doc.title_span[1]].startswith("关于促进")


def test_cited_document_numbers_are_not_the_documents_own():
    text = (
        "关于促进高新区发展的若干措施\n为贯彻落实《国务院关于促进国家高新区高质量发展的若干意见》（国发〔2020〕7号），提出如下措施。\n"
        + BODY
    )
    assert parse_text(text).doc_number is None


def test_document_number_line_in_the_title_block():
    text = (
        "某省科学技术厅文件\n某科发〔2023〕15号\n某省科学技术厅关于印发《高新区评价办法》的通知\n各市科技局：\n"
        + BODY
        + "某省科学技术厅\n2023年5月6日\n"
    )
    doc = parse_text(text)
    assert doc.doc_number == "某科发〔2023〕15号"
    assert doc.issuer == "某省科学技术厅"
    assert doc.issued == "2023-05-06"
    assert doc.title == "某省科学技术厅关于印发《高新区评价办法》的通知"


def test_chinese_numeral_date():
    text = "关于促进高新区发展的若干措施\n" + BODY + "某省人民政府\n二〇二一年七月二十七日\n"
    assert parse_text(text).issued == "2021-07-27"


def test_text_with_no_numbered_items_is_reported():
    doc = parse_text("这是一段没有任何编号的文字。")
    assert doc.measures == []
    assert any(p.code == "no-items" for p in doc.problems)


def test_title_block_with_number_and_date_lines_of_a_city_zone():
    text = (
        "发布日期:2020-08-22\n新开〔2020〕28号\n各部门，驻区各单位:\n"
        "《某高新区工作方案》已经区管委会研究同意，现印发给你们。\n2020年3月31日\n某高新区工作方案\n"
        "一、总体要求\n(一)指导思想\n坚持创新。\n二、重点任务\n"
        "(二)深化改革。实行扁平化管理。责任单位:区党政办、组织人事部、财政局\n"
        "(三)加大招商力度。每引进1个项目奖励不超过20万元。牵头单位:区招商局;配合单位:区财政局、区经发局\n"
    )
    doc = parse_text(text)
    assert (doc.title, doc.doc_number, doc.issued, doc.published) == (
        "某高新区工作方案",
        "新开〔2020〕28号",
        "2020-03-31",
        "2020-08-22",
    )
    assert doc.measures[1].lead_units == ["区党政办", "区组织人事部", "区财政局"]
    assert doc.measures[2].lead_units == ["区招商局"]
    assert doc.measures[2].participating_units == ["区财政局", "区经发局"]
    assert doc.measures[2].amounts[0].role == "cap"


def test_traditional_number_sign():
    text = "某省人民政府关于促进高新区发展的意见\n粤府〔2019〕28號\n" + BODY
    assert parse_text(text).doc_number == "粤府〔2019〕28號"


def test_attachments_after_the_body_are_not_measures():
    text = (
        BODY
        + "附件：高新区评价指标\n1.研发投入强度\n2.高新技术企业数\n某省科学技术厅\n2023年5月6日\n"
    )
    doc = parse_text(text)
    assert [m.path for m in doc.measures] == [["一", "（一）"], ["二", "（二）"]]
    assert doc.measures[-1].text.endswith("（责任单位：省科技厅、财政厅）")


def test_a_unit_list_on_its_own_last_line_stays_with_the_last_measure():
    text = "一、任务\n（一）建设平台。支持建设平台。\n省科技厅、省财政厅\n"
    assert parse_text(text).measures[0].lead_units == ["省科技厅", "省财政厅"]


def test_title_from_a_news_item_when_the_title_line_is_missing():
    text = "记者获悉，某市科技局近日印发《关于加快高新区建设的若干措施》，共十条。\n" + BODY
    doc = parse_text(text)
    assert doc.title == "关于加快高新区建设的若干措施"
    assert doc.issuer == "某市科技局"


def test_spaced_out_issuer_in_the_signature():
    text = "关于促进高新区发展的若干措施\n" + BODY + "福 建 省 人 民 政 府\n2021年7月27日\n"
    assert parse_text(text).issuer == "福建省人民政府"


def test_an_attachment_that_is_the_document_itself_is_read():
    text = (
        "关于印发某方案的通知\n各单位：\n现将方案印发给你们，并就有关事项通知如下：\n"
        "一、提高认识。各单位要高度重视。\n二、抓好落实。（责任单位：市科技局）\n"
        "附件：某高新区发展方案\n某市科学技术局\n2024年1月2日\n"
        "某高新区发展方案\n一、重点任务\n（一）建设平台。支持建设平台。（责任单位：市发展改革委）\n"
    )
    doc = parse_text(text)
    assert [m.lead_units for m in doc.measures if m.lead_units] == [["市科技局"], ["市发展改革委"]]


def test_titles_with_a_trial_or_period_mark():
    assert parse_text("某省高新区管理办法（试行）\n" + BODY).title == "某省高新区管理办法（试行）"
    assert (
        parse_text("某市高新区发展规划（2021—2025年）\n" + BODY).title
        == "某市高新区发展规划（2021—2025年）"
    )


def test_a_headline_before_the_title_is_not_part_of_it():
    text = (
        "科技部印发《“十四五”国家高新技术产业开发区发展规划》\n“十四五”国家高新技术产业开发区发展规划\n"
        + BODY
    )
    doc = parse_text(text)
    assert doc.title == "“十四五”国家高新技术产业开发区发展规划"
    assert doc.issuer == "科技部"


def test_windows_line_ends_and_a_byte_order_mark():
    text = "\ufeff关于促进高新区发展的若干措施\r\n" + BODY.replace("\n", "\r\n")
    doc = parse_text(text)
    assert doc.title == "关于促进高新区发展的若干措施"
    assert [m.path for m in doc.measures] == [["一", "（一）"], ["二", "（二）"]]
    assert doc.measures[1].lead_units == ["省科技厅", "省财政厅"]
    m = doc.measures[1]
    assert text[m.span[0] : m.span[1]].startswith("（二）")


def test_a_document_printed_twice_is_read_once():
    doc = parse_text("关于促进高新区发展的若干措施\n" + BODY + BODY)
    assert [m.path for m in doc.measures] == [["一", "（一）"], ["二", "（二）"]]
    assert any(p.code == "repeated-item" for p in doc.problems)


def test_full_width_digits_are_read_and_quoted_as_written():
    doc = parse_text("一、任务\n（一）建设平台。给予奖励１００万元。到２０２５年，建成１０家。\n")
    m = doc.measures[0]
    assert m.amounts_wan == [100.0]
    assert m.amounts[0].text == "１００万元"


def test_joint_issuers_in_the_signature():
    text = "关于促进高新区发展的若干措施\n" + BODY + "某省科学技术厅　某省财政厅\n2022年12月1日\n"
    assert parse_text(text).issuer == "某省科学技术厅、某省财政厅"


def test_the_record_lines_of_an_official_document_are_end_matter():
    text = (
        "关于促进高新区发展的若干措施\n" + BODY + "某省人民政府\n2023年3月5日\n（此件公开发布）\n"
        "抄送：省委各部门，省人大常委会办公厅。\n某省人民政府办公厅 2023年3月6日印发\n"
    )
    doc = parse_text(text)
    assert doc.measures[-1].text.endswith("（责任单位：省科技厅、财政厅）")
    assert (doc.issuer, doc.issued) == ("某省人民政府", "2023-03-05")


@pytest.mark.parametrize("mark", ["— 3 —", "- 3 -", "第3页 共8页", "3/8"])
def test_a_page_number_inside_an_item_is_dropped_and_the_cut_sentence_joined(tmp_path, mark):
    text = (
        "某市推进科技创新若干措施\n\n一、支持企业创新\n（一）支持研发投入。支持企业\n建设研发机构和\n"
        f"{mark}\n\n中试平台。（责任单位：市科技局、市财\n{mark}\n政局）\n"
        f"{mark}\n（二）支持人才。做好人才工作。（责任单位：市人力资源社会保障局）\n"
    )
    path = tmp_path / "措施.txt"
    path.write_text(text, encoding="utf-8")
    doc = parse_file(path)
    assert [(m.path, m.lead_units) for m in doc.measures] == [
        (["一", "（一）"], ["市科技局", "市财政局"]),
        (["一", "（二）"], ["市人力资源社会保障局"]),
    ]
    assert "页" not in doc.measures[0].text and "—" not in doc.measures[0].text


def test_a_note_on_the_publication_is_no_part_of_the_title():
    # （本文有删减） between a 通知's signature and the text it transmits, as （此件公开发布）
    doc = parse_text(
        "某省人民政府办公厅关于印发某省支持科技创新若干措施的通知\n某府办〔2025〕9号\n\n"
        "各市人民政府：\n现将《某省支持科技创新若干措施》印发给你们。\n\n"
        "某省人民政府办公厅\n2025年3月2日\n\n（本文有删减）\n\n某省支持科技创新若干措施\n\n"
        "一、建设创新平台。省科技厅负责。\n二、培育创新企业。省工业和信息化厅负责。\n"
    )
    assert doc.title == "某省支持科技创新若干措施"
