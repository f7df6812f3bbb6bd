"""What a document says about itself: title, issuer, document number, dates, draft status.

Read from the lines before the first numbered item (title block, news preamble, addressees)
and the lines after the last one (signature, date, 此件公开, a file name left at the end).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import cn2an

from gaoxin.engine.documents.text import CJK, Line
from gaoxin.engine.documents.units import split_units

DOC_TYPES = (
    "方案|意见|通知|办法|措施|规划|规定|细则|决定|计划|纲要|条例|指南|要点|政策|通告|公告|"
    "决议|实施意见|若干措施|行动计划|工作方案|指导意见|管理办法|批复|通报|复函|函"
)
# the type a title ends in: 方案, 批复, 通报…
KIND = re.compile(
    r"(方案|意见|通知|办法|措施|规划|规定|细则|决定|计划|纲要|条例|指南|要点|政策|通告|"
    r"公告|决议|批复|通报|复函|函)(?:（[^）]{1,16}）)?$"
)
_DOC_TYPE = re.compile(rf"(?:{DOC_TYPES})(?:》?的?通知)?(?:（[^）]{{1,16}}）)?$")
UNIT_SUFFIX = (
    "人民政府|政府|管委会|委员会|办公厅|办公室|厅|局|委|办|部|署|院|会|中心|集团|分行|支行|行"
)
_ISSUER_LINE = re.compile(rf"^[{CJK}（）\s]{{2,40}}(?:{UNIT_SUFFIX})$")
DOC_NUMBER = re.compile(
    rf"[{CJK}]{{1,12}}\s*[〔\[［【（(]\s*(?:19|20)\d{{2}}\s*[〕\]］】）)]\s*\d{{1,4}}\s*[号號]"
)
_CN_DIGIT = "〇○Ｏ零一二三四五六七八九十"  # ○ and Ｏ stand in for 〇 in many signatures
_DATE = re.compile(
    rf"(?P<y>(?:19|20)\d{{2}}|[{_CN_DIGIT}]{{4}})\s*年\s*(?P<m>\d{{1,2}}|[{_CN_DIGIT}]{{1,2}})\s*月"
    rf"\s*(?P<d>\d{{1,2}}|[{_CN_DIGIT}]{{1,3}})\s*日"
)
_ISO = re.compile(r"(?P<y>(?:19|20)\d{2})[-/.](?P<m>\d{1,2})[-/.](?P<d>\d{1,2})")
_PUBLISHED = re.compile(r"^(发布日期|发布时间|公开日期)\s*[：:]?")
_SIGNED = re.compile(r"^(成文日期|印发日期)\s*[：:]?")
# a government site's information table: 发文机关：… 成文日期：… 发文字号：…, its labels
# often spaced out to align them (发 文 日 期：, 文　　号：)
_INFO_KEYS = (
    "发文机关",
    "发布机构",
    "发文单位",
    "成文日期",
    "印发日期",
    "发文日期",
    "发布日期",
    "发文字号",
    "文号",
    "索引号",
    "主题分类",
)
_INFO = re.compile(
    r"(?P<key>"
    + "|".join(r"\s*".join(key) for key in _INFO_KEYS)
    + r")\s*[：:]\s*(?P<value>.*?)(?=\s+\S(?:\s?\S){1,6}\s*[：:]|$)"
)
# （此件公开发布）, （此件主动公开）, （本文有删减）: a note on the publication, not the title
_PUBLIC_NOTE = re.compile(r"^（(?:此件|本件|本文)[^）]*）$")
_FILE_NAME = re.compile(r"\.(pdf|docx?|wps|txt|html?|ofd|xlsx?)$", re.IGNORECASE)
_ATTACHMENT = re.compile(r"^附件\s*\d*\s*[：:]?$")
_DRAFT = re.compile(r"^（?(征求意见稿|送审稿|讨论稿|草案|试行稿)）?$")
_ADDRESSEES = re.compile(r"[：:]$")
_IN_FORCE = re.compile(
    r"^本[^。]{0,30}自.{0,30}(施行|执行|实施)|^本[^。]{0,20}(由|解释)|^本[^。]{0,30}有效期"
)
ATTACHMENTS = re.compile(r"^附件\s*\d*\s*[：:]")
_NEWS_ISSUER = re.compile(
    rf"([{CJK}]{{2,20}}?(?:{UNIT_SUFFIX}))(?:近日|日前)?(?:正式)?(?:印发|发布|出台)《"
)
_TITLE_ISSUER = re.compile(rf"^([{CJK}（）]{{2,30}}?(?:{UNIT_SUFFIX}))(?:关于|印发)")


def issuer_name(text: str) -> str:
    """A signature line as a name: joint issuers joined with 、, a spaced-out name closed up."""
    parts = text.split()
    if len(parts) > 1 and all(_ISSUER_LINE.match(p) for p in parts):
        return "、".join(parts)
    return re.sub(r"\s+", "", text)


def issuer_like(text: str) -> bool:
    """A line that is only a unit's name (a signature), spaced out or not."""
    return bool(_ISSUER_LINE.match(re.sub(r"\s+", "", text)))


def _cn_int(s: str) -> int:
    if s.isdigit():
        return int(s)
    s = s.replace("○", "〇").replace("Ｏ", "〇")
    if len(s) == 4 and all(c in _CN_DIGIT for c in s):  # 二〇二一
        return int("".join(str("〇一二三四五六七八九".index(c.replace("零", "〇"))) for c in s))
    return int(cn2an.cn2an(s, "normal"))


def iso_date(text: str) -> str | None:
    """The first date written in ``text`` as an ISO date: 2021年7月27日, 二〇二一年七月二十七日, 2021-08-03."""
    m = _DATE.search(text) or _ISO.search(text)
    if not m:
        return None
    try:
        y, mo, d = (_cn_int(m.group(k)) for k in ("y", "m", "d"))
    except (ValueError, KeyError):
        return None
    if not (1 <= mo <= 12 and 1 <= d <= 31):
        return None
    return f"{y:04d}-{mo:02d}-{d:02d}"


def is_date_line(text: str) -> bool:
    m = _DATE.search(text) or _ISO.search(text)
    return m is not None and len(text) - (m.end() - m.start()) <= 2


def is_end_matter(text: str) -> bool:
    """A line that closes a document rather than belonging to its last item."""
    return bool(
        not text
        or is_date_line(text)
        or _PUBLIC_NOTE.match(text)
        or _FILE_NAME.search(text)
        or _ATTACHMENT.match(text)
        or issuer_like(text)
        or _IN_FORCE.search(text)
        or text.startswith(
            ("抄送", "抄报", "主送", "印发：", "印发:", "公开方式", "（联系人", "联系人")
        )
        or re.search(r"20\d{2}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日\s*(印发|印制)$", text)
    )


def _title_like(text: str) -> bool:
    return (
        4 <= len(text) <= 80
        and not re.search(r"[。；，：:！？]$", text)
        and not is_date_line(text)
        and not _PUBLIC_NOTE.match(text)
        and not _ATTACHMENT.match(text)
        and not _DRAFT.match(text)
        and not _PUBLISHED.match(text)
        and not _SIGNED.match(text)
        and not _INFO.match(text)
    )


@dataclass(slots=True)
class FrontMatter:
    title: str | None = None
    title_span: tuple[int, int] | None = None
    issuer: str | None = None
    doc_number: str | None = None
    issued: str | None = None
    published: str | None = None
    status: str | None = None
    kind: str | None = None  # the document type its title ends in: 方案, 批复, 通报…
    addressees: list[str] | None = None  # 某省人民政府：, the units a 批复 or 通知 is sent to


_YEARS = re.compile(r"（\s*\d{4}\s*[—\-–－~至]+\s*\d{4}\s*年?\s*）")


def read_front_matter(front: list[Line], end: list[Line]) -> FrontMatter:
    fm = FrontMatter()
    lines = [ln for ln in front if not ln.blank]

    # the title: the last run of title-like lines ending in a document type, before the body
    best: tuple[int, int] | None = None
    for i, ln in enumerate(lines):
        if _title_like(ln.text) and _DOC_TYPE.search(re.sub(r"\.\w+$", "", ln.text)):
            j = i
            while (
                j > 0 and _title_like(lines[j - 1].text) and not _DOC_TYPE.search(lines[j - 1].text)
            ):
                before = lines[j - 1].text
                # a title broken over lines has short fragments; a headline or a cited
                # document (科技部印发《…》) is not one of them
                if (
                    issuer_like(before)
                    or DOC_NUMBER.fullmatch(before)
                    or re.search(r"[《》]|印发|发布|获悉", before)
                    or len(before) > 40
                    or i - j >= 3
                ):
                    break
                j -= 1
            best = (j, i)
    if best:
        after = lines[best[1] + 1] if best[1] + 1 < len(lines) else None
        if after is not None and _YEARS.fullmatch(after.text):
            best = (best[0], best[1] + 1)  # …三年行动方案 | （2024—2026年）
        parts = lines[best[0] : best[1] + 1]
        fm.title = "".join(p.text for p in parts)
        fm.title_span = (parts[0].start, parts[-1].end)

    organ: str | None = None
    publisher: str | None = None
    for ln in lines + end:
        text = ln.text
        if _DRAFT.match(text):
            fm.status = "draft"
        if _PUBLISHED.match(text):
            fm.published = iso_date(text)
        if _SIGNED.match(text):
            fm.issued = iso_date(text)
        for info in _INFO.finditer(text):
            key, value = re.sub(r"\s+", "", info.group("key")), info.group("value").strip()
            if not value:
                continue
            if key in ("成文日期", "印发日期", "发文日期"):
                fm.issued = fm.issued or iso_date(value)
            elif key == "发布日期":
                fm.published = fm.published or iso_date(value)
            elif key in ("发文字号", "文号") and (number := DOC_NUMBER.match(value)):
                fm.doc_number = fm.doc_number or re.sub(r"\s+", "", number.group(0))
            elif key in ("发文机关", "发文单位") and issuer_like(value):
                organ = organ or re.sub(r"\s+", "", value)
            elif key == "发布机构" and issuer_like(value):
                # the office that put it on the site, second to the signature and 发文机关
                publisher = publisher or re.sub(r"\s+", "", value)
        if fm.doc_number is None and (DOC_NUMBER.fullmatch(text) or _FILE_NAME.search(text)):
            m = DOC_NUMBER.match(text)
            if m:
                fm.doc_number = re.sub(r"\s+", "", m.group(0))

    # a title left only as a file name at the end: 台科〔2024〕22号关于….pdf
    for ln in end:
        if _FILE_NAME.search(ln.text):
            name = _FILE_NAME.sub("", ln.text)
            m = DOC_NUMBER.match(name)
            rest = name[m.end() :] if m else name
            if fm.title is None and _DOC_TYPE.search(rest):
                fm.title = rest.strip(" _-")
                fm.title_span = (ln.start + len(ln.text) - len(ln.text.lstrip()), ln.end)

    # a news item naming what was issued: …印发《关于…的意见》
    if fm.title is None:
        for ln in lines:
            m = re.search(r"(?:印发|发布|出台)了?《([^》]{4,80})》", ln.text)
            if m and _DOC_TYPE.search(m.group(1)):
                fm.title = m.group(1)
                fm.title_span = (ln.start + m.start(1), ln.start + m.end(1))
                break

    # the signature: an issuer line followed by a date line, at the end or in the title block
    for block in (end, lines):
        block = [ln for ln in block if not ln.blank]
        for k, ln in enumerate(block):
            if is_date_line(ln.text) and k > 0 and issuer_like(block[k - 1].text):
                # joint issuers may sign on two or three lines, the date under the last
                first = k - 1
                while first > 0 and k - first < 3 and issuer_like(block[first - 1].text):
                    first -= 1
                names = "、".join(issuer_name(b.text) for b in block[first:k])
                fm.issuer = fm.issuer or names
                fm.issued = fm.issued or iso_date(ln.text)
        if fm.issuer:
            break
    fm.issuer = fm.issuer or organ
    if fm.issuer is None:
        for ln in lines:
            m = _TITLE_ISSUER.match(ln.text)
            if m and _title_like(ln.text):
                fm.issuer = m.group(1)
                break
    if fm.issuer is None:
        for ln in lines:
            m = _NEWS_ISSUER.search(ln.text)
            if m:
                fm.issuer = re.sub(r"^.*?[，,。日]", "", m.group(1))
                break
    if fm.issued is None:
        for ln in lines + end:
            if is_date_line(ln.text) and not _PUBLISHED.match(ln.text):
                fm.issued = iso_date(ln.text)
                break
    if fm.issued is None and fm.published:
        fm.issued = None  # a web page's publication date is not the date the document was signed
    fm.issuer = fm.issuer or publisher
    if (
        best
        and fm.issuer
        and fm.title_span
        and fm.title
        and fm.title.startswith("关于")
        and best[0] > 0
    ):
        # 河北省人民政府 | 关于…的批复: the title's own organ part (GB/T 9704 发文机关名称 +
        # 关于 + 事由 + 文种), broken onto its own line, when it is the single organ that
        # signs; joint issuers above 关于 (a 版头 of several names) stay out of the title
        above = lines[best[0] - 1]
        if "、" not in fm.issuer and issuer_name(above.text) == fm.issuer:
            fm.title = above.text.strip() + fm.title
            fm.title_span = (above.start, fm.title_span[1])
    if fm.title:
        kind = KIND.search(fm.title)
        fm.kind = kind.group(1) if kind else None
    # the addressee: a line of unit names closed by a colon, after the title
    after_title = [ln for ln in lines if fm.title_span is None or ln.start >= fm.title_span[1]]
    for ln in after_title:
        if ln.text.endswith("：") and 2 < len(ln.text) <= 120:
            named = split_units(ln.text[:-1])
            listed = [p for p in re.split(r"[、，,；;]", ln.text[:-1]) if p.strip()]
            if named and len(named) >= len(listed):
                fm.addressees = named
            break
    return fm
