"""Responsible units: who leads a measure and who takes part, from every form documents use.

Explicit labels — （责任单位：…）, 〔责任单位：…〕, （牵头单位：…；参与单位：…）, 牵头单位/配合单位
without brackets — win over everything else. Without labels: a bracketed unit list closing
the measure, "X牵头、Y配合", "X会同Y负责", "X负责", "由X会同Y，商Z", "由X于…".
Lists are split into single units and normalised: a shared prefix (省科技厅、发改委) and a
shared suffix (福州、厦门市人民政府) distribute, aliases in brackets stay (省市场监管局（知识产权局）).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from gaoxin.engine.documents.text import CJK

LEAD_LABELS = (
    "主要责任单位",
    "牵头责任单位",
    "牵头单位",
    "牵头部门",
    "责任领导单位",
    "主办单位",
    "主责单位",
    "牵头司局",  # a ministry's own breakdown: its departments (司局) and divisions (处室)
    "牵头处室",
)
RESPONSIBLE_LABELS = (
    "责任单位",
    "责任部门",
    "负责单位",
    "实施单位",
    "落实单位",
    "责任主体",
    "承办单位",
    "责任司局",
    "责任处室",
)
PARTICIPATING_LABELS = (
    "参与单位",
    "参与部门",
    "配合单位",
    "配合部门",
    "配合司局",
    "配合处室",
    "参与司局",
    "参与处室",
    "协办单位",
    "协同单位",
    "参加单位",
    "协助单位",
    "支持单位",
)
_ALL_LABELS = sorted(LEAD_LABELS + RESPONSIBLE_LABELS + PARTICIPATING_LABELS, key=len, reverse=True)
# 责任单位：… and 【责任单位】… (a label in its own brackets needs no colon)
_LABEL = re.compile(
    rf"(?:[【〔［\[]\s*(?P<boxed>{'|'.join(_ALL_LABELS)})\s*[】〕］\]]\s*[：:]?"
    rf"|(?P<label>{'|'.join(_ALL_LABELS)})\s*(?:[：:]|为(?!列|排|第一|首|准|主)))"
)

_OPEN, _CLOSE = "（〔【[［", "）〕】]］"
_BRACKETS = str.maketrans(_OPEN + _CLOSE, "（" * len(_OPEN) + "）" * len(_CLOSE))

UNIT_SUFFIXES = (
    "人民政府",
    "政府",
    "管委会",
    "委员会",
    "办公厅",
    "办公室",
    "督查室",  # 市政府督查室
    "厅",
    "局",
    "委",
    "办",
    "部",
    "署",
    "院",
    "海关",  # 福州海关, 厦门海关
    "调查队",  # 国家统计局某某调查队
    "总队",  # 国家统计局某某调查总队, 省消防救援总队
    "支队",
    "大学",  # a university named in a task table's unit column
    "总工会",
    "工会",
    # organs named in 会: 证监会, 银保监会, 科协's 学会, 工商联's 商会; not 推进会 or 博览会
    "监会",
    "促会",
    "协会",
    "学会",
    "商会",
    "联合会",
    "基金会",
    "理事会",
    "红十字会",
    "科协",
    "妇联",
    "团委",
    "中心",
    "集团",
    "分行",
    "支行",
    "银行",
    "新区",
    "部门",
    "单位",
    "机构",
    "公司",
    "所",
    "司",  # a ministry's department: 高新技术司, 中小企业司
    "社",
    "联",
    "处",
    "科",
    "高新区",
    "开发区",
    "园区",
)
_UNIT_END = re.compile(rf"(?:{'|'.join(UNIT_SUFFIXES)})(?:（[^（）]{{1,12}}）)?$")
# a district or county named bare (天河区、长沙县负责): two or three characters before 区/县,
# and not one of the words for an area (园区, 核心区, 示范区…)
_PLACE_NAME = re.compile(rf"^[{CJK}]{{2,3}}(?:区|县)$")
_AREA_WORD = re.compile(
    r"(?:园|社|城|景|片|辖|市|郊|山|灾|库|矿|校|厂|功能|集聚|示范|试验|先行|核心|承载|保税|自贸|"
    r"新城|开发|高新|重点|老|主|全|本|该|其|此|各|两|三|多|周边|沿海|边境|民族|贫困|欠发达)区$"
    r"|(?:全|本|该|其|此|各|两|三|多|贫困|重点|山)县$"
)


def place_name(text: str) -> bool:
    """A district or county named bare: 天河区, 长沙县 (but not 园区, 核心区, 全县)."""
    return (
        bool(_PLACE_NAME.match(text))
        and not _AREA_WORD.search(text)
        and not text.startswith(("各", "有关", "相关", "全", "本", "该", "我"))
    )


_DUTY_TAIL = re.compile(
    r"(?:等)?(?:按职责分工|按职能分工|按照职责分工|按职责|按照职责|依职责|依据职责|根据职责|分别|共同|具体)?"
    r"(?:负责|落实|实施)$"
)
_LEVEL_PREFIX = re.compile(
    r"^(自治区党委|自治区|自治州|省委|市委|县委|区委|州委|盟委|省|市(?!场)|县|区|州|盟|旗)"
)
_PLACE_MARK = re.compile(r"省|市(?!场)|县|州|区|盟|旗")
_SUFFIX_SPLIT = re.compile(rf"^([{CJK}]{{2,8}}?)([市县区州盟旗].*)$")
_GOVERNMENT_TAIL = re.compile(r"(?:人民政府|政府|党委和政府|管委会)(?:（[^（）]{1,8}）)?$")
_GOVERNMENT = re.compile(r"(厅|局)(（[^（）]*）)?$")
_FIRST_LEADS = re.compile(
    r"(排名?|列)在?(第一|首)(位|个)?(的|者)?(单位|部门)?(为|是)(牵头|主要责任|主责)(单位|部门)"
    r"|(第一|首)(个|家|位)?(单位|部门)?(为|是)(牵头|主要责任|主责)(单位|部门)"
    r"|(牵头|主要责任)(单位|部门)(为|是)(列|排)在?(第一|首)位"
)
_VERB_CUT = re.compile(
    r"加强|推动|推进|开展|做好|统筹|研究|制定|组织|负责|按照|根据|采取|建立|完善|落实|实施|给予|"
    r"共同|联合|抓好|指导|协调|做|对|于|要|将|把|牵头|配合|参与|会同|[，。；：\n]"
)
_CLAUSE_START = "。；，：（〔【\n"


@dataclass(slots=True)
class Responsibility:
    lead: list[str] = field(default_factory=list)
    participating: list[str] = field(default_factory=list)
    span: tuple[int, int] | None = None  # offsets within the measure text
    form: str | None = None
    unknown: list[str] = field(default_factory=list)  # listed names that read as no unit


def normalise_unit(unit: str) -> str:
    unit = re.sub(r"\s+", "", unit)
    unit = unit.translate(_BRACKETS)
    unit = unit.lstrip("由和及与").rstrip("。，、；")
    unit = _DUTY_TAIL.sub("", unit)
    # 市司法局等有关部门和单位: the 等-phrase names no unit of its own
    unit = re.sub(
        r"(?<=.)等(?:有关|相关|其他)?(?:部门|单位)(?:和|及|以及|与|、)(?:有关|相关)?(?:部门|单位)$",
        "",
        unit,
    )
    if unit.endswith("等") or re.search(r"等(有关|相关)?(部门|单位)$", unit):
        unit = re.sub(r"等(有关|相关)?(部门|单位)?$", "", unit)
    return unit


def is_unit(text: str) -> bool:
    """Does ``text`` read as the name of a unit (a department, a government, a body)?"""
    text = normalise_unit(text)
    if not 2 <= len(text) <= 30 or re.search(
        r"[。，；：！？]|会同|牵头|配合|协助|负责|时限|期限", text
    ):
        return False
    if re.fullmatch(r"各[^\d]{1,12}", text) and not re.search(r"[要将把在对]", text):
        return True  # 各地, 各市州, 各县（市、区）, 各高新区
    if _GENERIC.match(text):
        return False  # 单位 or 部门 alone (the tail of …部门和单位) names nobody
    if text.startswith("所在"):
        return False  # 所在市人民政府: the zone's own, unnamed (高新区所在市政府 names a class)
    return bool(_UNIT_END.search(text)) or place_name(text)


_GENERIC = re.compile(r"^(?:其他|其它)?(?:单位|部门|机构)$")


def split_top_level(text: str, seps: str) -> list[tuple[str, int]]:
    """Split at separators outside brackets; each part with its offset in ``text``."""
    parts, depth, start = [], 0, 0
    for i, ch in enumerate(text):
        if ch in _OPEN:
            depth += 1
        elif ch in _CLOSE:
            depth = max(0, depth - 1)
        elif ch in seps and depth == 0:
            parts.append((text[start:i], start))
            start = i + 1
    parts.append((text[start:], start))
    return parts


def _split_spaces(item: str) -> list[str]:
    """省科技厅 省财政厅 (a web page's &nbsp; list) -> two units; 省 科技厅 stays one."""
    parts = item.split()
    if len(parts) > 1 and all(is_unit(p) for p in parts):
        return [normalise_unit(p) for p in parts]
    return [normalise_unit(item)]


def _split_conjunction(item: str) -> list[str]:
    """省科技厅和省财政厅 -> two units; 市自然资源和规划局 stays one."""
    for word in ("以及", "及", "和", "与"):
        head, sep, tail = item.partition(word)
        if sep and re.fullmatch(r"(?:有关|相关|其他)?(?:单位|部门|机构)", tail):
            continue  # 各有关部门和单位 is one phrase for everyone concerned
        if sep and is_unit(head) and is_unit(tail):
            return [
                *_split_conjunction(normalise_unit(head)),
                *_split_conjunction(normalise_unit(tail)),
            ]
    return [item]


# a vertically managed organ named by its place (福建银保监局, 厦门海关, 福州中心支行): the place
# is its own name, so a level prefix of the list (省…、福建银保监局) does not belong to it
_PLACE_NAMED_ORGAN = re.compile(
    rf"^[{CJK}]{{2,4}}(?:银保监|证监|银监|保监|金融监管|海关|调查队|中心支行|分行|通信管理局|"
    r"邮政管理局|气象局|海事局|出入境边防检查站|税务局)"
)


def _bare(unit: str) -> bool:
    """A department named without its level or place: 发改委, 财政厅, 编办."""
    if _LEVEL_PREFIX.match(unit) or unit.startswith(
        ("各", "国家", "国务院", "中国", "中共", "全国", "人行", "人民银行")
    ):
        return False
    if _PLACE_NAMED_ORGAN.match(unit) and not re.match(r"^地方金融", unit):
        return False
    if unit.endswith(("大学", "学院")):
        return False  # a university is named in full, never by a government's level
    return not _PLACE_MARK.search(unit.replace("市场", "")) and len(unit) <= 10


def split_units(text: str, distribute_prefix: bool = True) -> list[str]:
    """One unit list as written -> single normalised units, in order."""
    units: list[str] = []
    # a line break inside a list is a wrap, not a separator (省\n财政厅 is 省财政厅)
    for group, _ in split_top_level(text, "，,；;"):
        if _FIRST_LEADS.search(group):
            continue  # 列第一位的为牵头单位 is a statement, not a unit
        run = [p for raw, _ in split_top_level(group, "、") for p in _split_spaces(raw)]
        run = [part for u in run if u for part in _split_conjunction(u)]
        # a shared suffix: 福州、厦门、泉州、宁德市人民政府
        for i, item in enumerate(run):
            if _UNIT_END.search(item) or place_name(item) or len(item) > 6:
                continue
            for j in range(i + 1, len(run)):
                later = run[j]
                if is_unit(later):
                    m = _SUFFIX_SPLIT.match(later)
                    tail = _GOVERNMENT_TAIL.search(later)
                    level_item = re.search(r"[市县区州](（[^（）]*）)?$", item) and (
                        item.startswith("各") or len(item) == 1
                    )
                    if m and not is_unit(m.group(1)) and not level_item:
                        # 福州、宁德市人民政府: the place takes the level and the office
                        # 长治市、晋城市人民政府: the level written on each is not doubled
                        run[i] = item + m.group(2)[item[-1] == m.group(2)[0] :]
                    elif re.search(r"[市县区州](（[^（）]*）)?$", item) and tail:
                        # 各市、州、县（市、区）政府: 各市政府, 各州政府, 各县（市、区）政府
                        each_m = re.match(r"各(?:有关|相关)?", run[0])
                        each = each_m.group(0) if each_m and not item.startswith("各") else ""
                        run[i] = each + item + tail.group(0)
                        if each_m and re.match(r"自治[州县旗]|[市县区州]", later):
                            # 各有关区、县级市政府: 有关 holds for both; 各市、自治州人民政府
                            run[j] = each_m.group(0) + later
                    break
        # a shared prefix: 省科技厅、发改委、财政厅
        if distribute_prefix:
            for i in range(1, len(run)):
                m = _LEVEL_PREFIX.match(run[i - 1])
                if m and _bare(run[i]) and is_unit(run[i]):
                    prefix = m.group(1)
                    if prefix.endswith("委") and _GOVERNMENT.search(run[i]):
                        prefix = prefix.removesuffix("党委").removesuffix("委")
                    run[i] = prefix + run[i]
        units.extend(u for u in run if is_unit(u))
    return _dedupe(units)


def _enclosing_close(text: str, pos: int) -> int | None:
    """Offset of the bracket that closes the innermost bracket still open at ``pos``."""
    stack = []
    for i, ch in enumerate(text[:pos]):
        if ch in _OPEN:
            stack.append(i)
        elif ch in _CLOSE and stack:
            stack.pop()
    if not stack:
        return None
    depth = 0
    for i in range(pos, len(text)):
        ch = text[i]
        if ch in _OPEN:
            depth += 1
        elif ch in _CLOSE:
            if depth == 0:
                return i
            depth -= 1
    return None


def _labelled(text: str, first_leads: bool, distribute: bool) -> Responsibility | None:
    matches = list(_LABEL.finditer(text))
    if not matches:
        return None
    r = Responsibility(form="label")
    spans = []
    has_lead_label = any((m.group("label") or m.group("boxed")) in LEAD_LABELS for m in matches)
    for m in matches:
        start = m.end()
        # 责任单位： alone on its line, the units on the next
        if next_line := re.match(r"[ \t\u3000]*\n(?=[^\n]*\S)", text[start:]):
            start += next_line.end()
        close = _enclosing_close(text, m.start())
        stop = close if close is not None else len(text)
        # the list runs to the bracket that encloses the label, or to the sentence end
        depth = 0
        end = stop
        for i in range(start, stop):
            ch = text[i]
            if ch in _OPEN:
                depth += 1
            elif ch in _CLOSE:
                depth -= 1
            elif depth == 0 and (
                ch == "。" or (ch == "\n" and close is None) or _LABEL.match(text, i)
            ):
                end = i
                break
        if close is not None:
            spans.append((_opening_of(text, close), close + 1))
        else:
            spans.append((m.start(), end))
        label = m.group("label") or m.group("boxed")
        listed = text[start:end].rstrip("；;，, ")
        roles = _roles_in_list(listed, distribute)
        if roles:
            r.lead += roles[0]
            r.participating += roles[1]
            continue
        units = split_units(listed, distribute)
        r.unknown += _unknown_names(listed, units)
        if label in PARTICIPATING_LABELS:
            r.participating += units
        elif label in RESPONSIBLE_LABELS and has_lead_label:
            r.participating += units  # 牵头单位：X；责任单位：Y — Y shares the work
        elif label in RESPONSIBLE_LABELS and first_leads and units:
            r.lead += units[:1]
            r.participating += units[1:]
        else:
            r.lead += units
    r.span = (min(s for s, _ in spans), max(e for _, e in spans))
    return r


_LEAD_MARK = re.compile(r"（(?:牵头|牵头单位|主责|主要责任单位)）$")


def _roles_in_list(listed: str, distribute: bool) -> tuple[list[str], list[str]] | None:
    """责任单位：省科技厅牵头，省财政厅配合 / 市科技局（牵头），市财政局 -> (lead, participating)."""
    if not re.search(r"牵头|配合|参与|协助|协同", listed) or _FIRST_LEADS.search(listed):
        return None
    marked: list[str] = []  # named as leading
    helping: list[str] = []  # named as taking part
    unmarked: list[list[str]] = []  # by group, as listed
    for group, _ in split_top_level(listed, "，,；;"):
        g = normalise_unit(group.strip()) if group.strip() else ""
        m = re.match(r"^(.*?)(牵头(?:负责)?|配合|参与|协助|协同)$", g)
        if m and m.group(2).startswith("牵头"):
            marked += split_units(m.group(1), distribute)
            continue
        if m:
            helping += split_units(m.group(1), distribute)
            continue
        plain = []
        for item, _ in split_top_level(g, "、"):
            item = normalise_unit(item)
            if _LEAD_MARK.search(item):
                marked += split_units(_LEAD_MARK.sub("", item), distribute)
            elif item:
                plain.append(item)
        if plain:
            unmarked.append(split_units("、".join(plain), distribute))
    if marked:
        return marked, [u for g in unmarked for u in g] + helping
    # no lead marked: the first group leads (省科技厅、省财政厅，省教育厅配合)
    first, others = (unmarked[0], unmarked[1:]) if unmarked else ([], [])
    return first, [u for g in others for u in g] + helping


def _opening_of(text: str, close: int) -> int:
    depth = 0
    for i in range(close - 1, -1, -1):
        ch = text[i]
        if ch in _CLOSE:
            depth += 1
        elif ch in _OPEN:
            if depth == 0:
                return i
            depth -= 1
    return 0


# Outside a labelled list a phrase must look like an office, not just end like one:
# "由企业自主选择合作高校和科研院所" ends in 所 but names no unit.
_OFFICES = (
    r"人民政府|政府|管委会|委员会|办公厅|办公室|督查室|厅|局|委|办|部|署|中心|银行|分行|支行|部门|"
    r"高新区|开发区|园区|监会|促会|协会|学会|商会|联合会|科协|工商联|工会|妇联|团委|残联|司|"
    r"海关|调查队|总队|支队|有关单位|相关单位|直属单位|成员单位|"
    # institutes named as organs (中国国土勘测规划院, 省科学院); not a bare 研究院 or 学院
    r"规划院|研究院|设计院|科学院|研究所|检察院|法院"
)
_OFFICE_END = re.compile(rf"(?:{_OFFICES})(?:（[^（）]{{1,12}}）)?$")
_PROSE = re.compile(
    r"的|支持|鼓励|引导|推动|建设|选择|开展|加强|围绕|依托|通过|按照|根据|企业|高校"
)


# longest first: 部门 before 部, so 会同市级科技管理部门拨付… does not cut inside 部门
_OFFICE_SUFFIX = re.compile("|".join(sorted(_OFFICES.split("|"), key=len, reverse=True)))


# words of an office's own name that read as prose elsewhere: 设区的市人民政府, 中小企业局
_OWN_WORDS = re.compile(r"设区的(?=市)|企业(?=局|司|处|科|办|服务中心|发展中心|促进中心)")


# A class of institution named as a whole (各高校, 各有关高校, 各科研院所) is a unit: each
# such body answers for its part as an organ does. Enterprises (各有关企业) are not: they
# are what a measure acts on, and a list naming them keeps its units and reports them.
_INSTITUTION_CLASS = re.compile(
    r"^各(?:有关|相关)?(?:高校|高等学校|高等院校|科研院所|科研机构|医疗卫生机构)$"
)


def _office(text: str) -> bool:
    text = normalise_unit(text)
    if _INSTITUTION_CLASS.match(text):
        return True
    return (
        is_unit(text)
        and len(text) <= 20
        and not _PROSE.search(_OWN_WORDS.sub("", text))
        and bool(_OFFICE_END.search(text) or text.startswith("各") or place_name(text))
    )


def _unit_list(text: str, strict: bool = False) -> list[str] | None:
    """``text`` as a list of units, or None if any part does not become a unit.

    Parts are judged after a shared suffix is distributed, so 各市、州、县人民政府 is a list.
    """
    parts = [p for p, _ in split_top_level(text, "、，,；;") if normalise_unit(p)]
    units = split_units(text, distribute_prefix=False)
    check = _office if strict else is_unit
    if parts and len(units) >= len(parts) and all(check(u) for u in units):
        return units
    return None


_TRAILING_WHEN = re.compile(
    r"[，,；;]\s*(?:完成时限[：:])?\s*(?:20\d{2}年[^，,；;）]{0,12}|长期坚持|持续推进|持续实施|长期)$"
)


_NAME_LIKE = re.compile(rf"^[{CJK}（）]{{2,15}}$")
_NOT_A_NAME = re.compile(
    r"[的了和与及或等要将把对在向为由从]|支持|推进|推动|加强|建设|完善|开展|实施|"
    r"牵头|配合|参与|协助|协同|负责|职责|分工"
)


def _unknown_names(listed: str, units: list[str]) -> list[str]:
    """Names in a unit list that did not become units (市气象台): kept out, but reported."""
    found = set(units)
    out = []
    for group, _ in split_top_level(listed, "，,；;"):
        if _FIRST_LEADS.search(group):
            continue
        for part, _ in split_top_level(group, "、"):
            name = normalise_unit(part)
            if (
                name
                and name not in found
                and not any(name in u or u.endswith(name) for u in found)
                and _NAME_LIKE.match(name)
                and not _NOT_A_NAME.search(name)
            ):
                out.append(name)
    return out


def _tolerant_list(inner: str, distribute: bool) -> tuple[list[str], list[str]] | None:
    """A closing list where some names read as no unit (市科技局、市气象台): keep the units,
    report the others, rather than drop the whole note."""
    parts = [normalise_unit(p) for p, _ in split_top_level(inner, "、，,；;") if normalise_unit(p)]
    if len(parts) < 2 or not all(_NAME_LIKE.match(p) for p in parts):
        return None
    if _NOT_A_NAME.search(inner):
        return None
    units = split_units(inner, distribute)
    unknown = _unknown_names(inner, units)
    if not units or len(units) < len(unknown) or not all(_office(u) for u in units):
        return None
    return units, unknown


def _offices_and_others(listed: str, distribute: bool) -> tuple[list[str], list[str]] | None:
    """A list of names where some are offices and some are not (省教育厅、各有关企业):
    the offices, and the other names to report; None unless every part is a short name."""
    parts = [normalise_unit(p) for p, _ in split_top_level(listed, "、")]
    if len(parts) < 2 or not all(p and _NAME_LIKE.match(p) for p in parts):
        return None
    if any(_NOT_A_NAME.search(re.sub(r"^各(?:有关|相关)?", "", p)) for p in parts):
        return None
    offices = [p for p in parts if _office(p)]
    if not offices:
        return None
    return split_units("、".join(offices), distribute), [p for p in parts if p not in offices]


def _closing_list(text: str, distribute: bool, first_leads: bool = False) -> Responsibility | None:
    """A unit list closing the measure: …。（省科技厅、省财政厅） or …。省科技厅、省财政厅"""
    body = text.rstrip("。 \n")
    if body.endswith(tuple(_CLOSE)):
        start = _opening_of(body, len(body) - 1)
        inner = body[start + 1 : -1]
        # （市科技局、市财政局，2024年底前完成）: the deadline is not part of the list
        inner = _TRAILING_WHEN.sub("", inner)
        listed = ("、" in inner or "，" in inner or is_unit(inner)) and _unit_list(inner)
        after_sentence = start > 0 and body[start - 1] in "。；！"
        if listed and after_sentence:
            units = split_units(inner, distribute)
            r = Responsibility(units, [], (start, len(body)), "closing list")
            if first_leads:
                r.lead, r.participating = units[:1], units[1:]  # 列第一位者为牵头单位
            return r
        tolerant = _tolerant_list(inner, distribute) if after_sentence else None
        if tolerant:
            units, unknown = tolerant
            lead, part = (units[:1], units[1:]) if first_leads else (units, [])
            return Responsibility(lead, part, (start, len(body)), "closing list", unknown)
    # an unbracketed list closes the text without a full stop: …加强服务。省科技厅、省财政厅
    last = max(body.rfind("。"), body.rfind("\n"))
    if last >= 0:
        tail = body[last + 1 :]
        # strict: a box's last line (2.某某技术创新中心) ends like a unit but is not one
        # X负责，Y落实: roles in prose (read by _implicit), not one list of equals
        prose = re.search(r"(?:负责|牵头)[，,]", tail)
        listed = (
            _unit_list(tail, strict=True)
            if tail and not re.search(r"\d", tail) and not prose
            else None
        )
        # a single unit closed by a full stop is a sentence (…建设研发机构。), not a list
        if (
            listed
            and all(len(u) <= 20 for u in listed)
            and (len(listed) > 1 or not text.rstrip().endswith("。"))
        ):
            return Responsibility(
                split_units(tail, distribute), [], (last + 1, len(body)), "closing list"
            )
    return None


def _clause_before(text: str, pos: int) -> tuple[str, int]:
    """The clause that ends at ``pos``; a bracket closed inside it is part of it
    (各县（市、区）人民政府配合: the clause starts at 各, not inside the bracket)."""
    start = pos
    while start > 0 and text[start - 1] not in _CLAUSE_START:
        if text[start - 1] in _CLOSE:
            opening = _opening_of(text, start - 1)
            if text[opening] in _OPEN and opening < start - 1:
                start = opening
                continue
        start -= 1
    return text[start:pos], start


def _phrase_after(text: str, pos: int) -> tuple[str, int]:
    """The unit list that starts at ``pos``: 会同省发展改革委、省财政厅每年对… -> the two units."""
    m = _VERB_CUT.search(text, pos)
    end = m.start() if m else len(text)
    phrase = text[pos:end]
    if not _unit_list(phrase, strict=True):
        ends = [e.end() for e in _OFFICE_SUFFIX.finditer(phrase)]
        for cut in sorted(ends, reverse=True):
            if _unit_list(phrase[:cut], strict=True):
                return phrase[:cut], pos + cut
    return phrase, end


def _subject(clause: str) -> str:
    clause = re.sub(r"^.*由", "", clause)  # 本办法由市科委负责解释: the unit follows 由
    clause = re.sub(r"^(请|以)", "", clause)
    return re.sub(
        r"(要|应|应当|须|必须|需|负责|按职责分工|按职能分工|按职责|按照职责|依职责|依据职责|"
        r"根据职责|分工|分别|共同|具体|主要|统一|全面)+$",
        "",
        clause,
    )


def is_unit_list(text: str) -> bool:
    """Does ``text`` read as a list of units and nothing else (a table's unit cell)?"""
    return bool(text) and _unit_list(text, strict=True) is not None


def _unit_list_strict(text: str) -> list[str] | None:
    return _unit_list(text, strict=True)


def _leads_elsewhere(text: str) -> bool:
    """Does the text name a lead (X负责 / X牵头) anywhere?"""
    for m in re.finditer(r"负责|牵头", text):
        clause, _ = _clause_before(text, m.start())
        if _unit_list_strict(_subject(clause)):
            return True
    return False


# 各地区各有关部门要…, 各级政府要…: an exhortation to everyone, not a unit's duty
_GENERAL = re.compile(r"^(?:各地|各级|各有关|各相关|各部门|各单位|各方|有关|相关|全)")
# 你省要…, 你市要… in a 批复: the addressee
_YOU = re.compile(r"^你(?:省|市|区|县|州|盟|旗|委|局|厅|办|部|单位|们)$")


# 财政部根据…下达…, X、Y在安排…时…予以支持: organs opening a sentence with the
# circumstance of what they do are its subject, and so responsible for it
# (省审计厅依法对…, 省科技厅组织专家…: not 组织部, an office's name)
_ACTS = (
    r"根据|依据|按照|(?<!所)在(?!内|外|于)|将|对(?!于|照|接|标|外)|每年|定期|依法|组织(?![部和])"
)


def _must(text: str, addressee: list[str] | None) -> Responsibility | None:
    """X要…, X应当…: a unit that opens a sentence with what it must do leads it."""
    r = Responsibility(form="implicit")
    spans = []
    for m in re.finditer(rf"(?:要|应当|应|须|必须)(?![求点素件闻])|(?P<act>{_ACTS})", text):
        start = m.start()
        # the sentence, or its clause: …要强化统筹，市财政局要加大保障
        while start > 0 and text[start - 1] not in "。；\n！，":
            start -= 1
        subject = text[start : m.start()].strip()
        if m.group("act") and (
            (start > 0 and text[start - 1] == "，") or re.search(r"要|应|须", subject)
        ):
            continue  # 财政部根据…: only the subject of a whole sentence acts
        if start > 0 and text[start - 1] == "，" and not _OFFICE_END.search(subject):
            continue  # after a comma only a named office: not …，各类创新要素…
        if addressee and _YOU.match(subject):
            r.lead += addressee
        elif _GENERAL.match(subject) or not _unit_list_strict(subject):
            continue
        else:
            units = split_units(subject, distribute_prefix=False)
            # 高新区要…, 所在地政府要…: the zones or an unnamed government, not a unit's duty
            if any(re.search(r"(?:高新区|开发区|园区)$|所在", u) for u in units):
                continue
            # 各省级科技管理部门、发展改革部门要…: every department of a kind, not a named organ
            if subject.startswith("各") and all(re.search(r"(部门|机构|单位)$", u) for u in units):
                continue
            r.lead += units
        end = m.end()
        # 省级财政部门应当在…，会同省级科技管理部门…: the partner in the same sentence
        sentence_end = re.search(r"[。；！\n]", text[end:])
        stop = end + sentence_end.start() if sentence_end else len(text)
        partner = text.find("会同", end, stop)
        if partner >= 0:
            phrase, after = _phrase_after(text, partner + 2)
            if _unit_list_strict(_subject(phrase)):
                r.participating += split_units(_subject(phrase), distribute_prefix=False)
                end = after
        spans.append((start, end))
    if not spans:
        return None
    r.span = (min(s for s, _ in spans), max(e for _, e in spans))
    r.form = "implicit-must"
    return r


def _implicit(text: str, distribute: bool) -> Responsibility | None:
    r = Responsibility(form="implicit")
    spans: list[tuple[int, int]] = []

    # X牵头、Y配合 / X牵头，Y参与 / X牵头
    for m in re.finditer(r"牵头", text):
        clause, start = _clause_before(text, m.start())
        lead = _unit_list_strict(_subject(clause))
        if not lead:
            continue
        r.lead += split_units(_subject(clause), distribute)
        end = m.end()
        # X牵头，Y配合; not 牵头建立部门协同…, where the verb follows 牵头
        rest = re.match(r"[、，,]([^。；，（）]{2,80}?)(配合|参与|协助|协同|参加)", text[end:])
        if rest and _unit_list_strict(rest.group(1)):
            r.participating += split_units(rest.group(1), distribute)
            end += rest.end()
        spans.append((start, end))

    # X会同Y（负责）, 由X会同Y，商Z
    for m in re.finditer(r"会同", text):
        clause, start = _clause_before(text, m.start())
        subject = _subject(clause)
        # 由省科技厅牵头，会同省财政厅…: the lead was named in the clause before
        follows_lead = not subject and any(e >= start - 1 for _, e in spans) and bool(r.lead)
        if not follows_lead and not _unit_list_strict(subject):
            continue
        partner, end = _phrase_after(text, m.end())
        partner = _subject(partner)
        if partner.startswith("所在") and subject and not follows_lead:
            # 由市科技局会同所在区人民政府…: the zone's own government, unnamed, takes no
            # part; the named organ still leads
            r.lead += split_units(subject, distribute)
            spans.append((start, end))
            continue
        if not _unit_list_strict(partner):
            continue
        if not follows_lead:
            r.lead += split_units(subject, distribute)
        r.participating += split_units(partner, distribute)
        consult = re.match(r"[，,]\s*商([^，。；]{2,30}?)[，,]", text[end:])
        if consult and _unit_list_strict(consult.group(1)):
            r.participating += split_units(consult.group(1), distribute)
            end += consult.end()
        spans.append((start, end))

    # …，Y配合 / Y参与 / Y协助 (after a lead named by 负责 or 牵头)
    # (…，Y配合做好相关工作: the verb after 配合 names the work, not another unit)
    # X负责，Y落实: 落实 closing a clause after a lead takes part, as 配合 does
    for m in re.finditer(
        r"(配合|参与|协助|(?<=[^，,。；]{2})落实(?=[）。；\n]|$))"
        r"(?=[）。；，\n]|$|(?:做好|抓好|开展|推进|落实|实施|完成))",
        text,
    ):
        led = bool(r.lead) or _leads_elsewhere(text)
        if m.group(1) == "落实" and not led:
            continue
        clause, start = _clause_before(text, m.start())
        subject = _subject(clause)
        if any(s <= start < e for s, e in spans):
            continue
        if _unit_list_strict(subject):
            r.participating += split_units(subject, distribute)
            spans.append((start, m.end()))
        elif led and (partial := _offices_and_others(subject, distribute)):
            # …，省教育厅、各有关企业参与: keep the units, report the other names
            r.participating += partial[0]
            r.unknown += partial[1]
            spans.append((start, m.end()))

    # X负责…，Z提供技术支撑 / Y、Z在…方面给予支持: support beside a named lead takes part,
    # as does Z承担…的具体工作 (the work under the lead's)
    for m in re.finditer(
        r"(?:给予|提供)[^，。；（）]{0,6}?(?:支持|支撑|保障)(?=[）。；，\n]|$)"
        r"|承担[^，。；（）]{0,20}?具体工作(?=[）。；，\n]|$)",
        text,
    ):
        clause, start = _clause_before(text, m.start())
        led = bool(r.lead) or _leads_elsewhere(text)
        if any(s <= start < e for s, e in spans):
            continue
        # the circumstance of the support (在…方面, 在…上, 为…) is no part of the subject
        subject = re.sub(r"(?:要|将)?在[^，。；]*?(?:方面|上|中)$", "", clause)
        beneficiary = re.sub(r"(?:要|将)?为[^，。；]{2,30}$", "", subject)
        if not led and beneficiary == subject:
            continue  # alone, X在…给予支持 is read as its sentence's subject (_must)
        if _unit_list_strict(beneficiary):
            # X、Y为…提供技术支撑 alone leads, as X在…方面给予支持 alone does
            (r.participating if led else r.lead).extend(split_units(beneficiary, distribute))
            spans.append((start, m.end()))

    # X等部门按照各自职责做好… : they take part where a lead is named, else they lead
    for m in re.finditer(r"按照?各自职责|按照?职责分工(?!负责)|各司其职", text):
        clause, start = _clause_before(text, m.start())
        subject = _subject(clause)
        if _unit_list_strict(subject) and not any(s <= start < e for s, e in spans):
            duty = split_units(subject, distribute)
            later_lead = re.search(r"负责|牵头", text[m.end() :]) is None and not r.lead
            (r.lead if later_lead and not _leads_elsewhere(text) else r.participating).extend(duty)
            spans.append((start, m.end()))

    # X为牵头单位 / X为责任单位 / Y为配合单位
    for m in re.finditer(r"(?:为|是)(牵头|责任|主要责任|主责|配合|参与|协办)(?:单位|部门)", text):
        clause, start = _clause_before(text, m.start())
        subject = _subject(clause)
        if _unit_list_strict(subject) and not any(s <= start < e for s, e in spans):
            helping = m.group(1) in ("配合", "参与", "协办")
            (r.participating if helping else r.lead).extend(split_units(subject, distribute))
            spans.append((start, m.end()))

    # X负责 (not 主要负责同志, 负责人: a person, not the duty)
    led_by_leader = bool(r.lead)
    for m in re.finditer(r"负责(?!同志|人)", text):
        clause, start = _clause_before(text, m.start())
        subject = _subject(clause)
        if "会同" in subject or not _unit_list_strict(subject):
            continue
        if led_by_leader:
            r.participating += split_units(subject, distribute)  # X牵头，Y按职责分工负责
        else:
            r.lead += split_units(subject, distribute)
        spans.append((start, m.end()))

    # 由X于…/由X对…: the authority that acts
    for m in re.finditer(r"(?:^|[。；，（\n])由", text):
        phrase, end = _phrase_after(text, m.end())
        if text[end : end + 2] in ("会同", "负责", "牵头"):
            continue
        if _unit_list_strict(phrase):
            r.lead += split_units(phrase, distribute)
            spans.append((m.end() - 1, end))

    if not r.lead and not r.participating:
        return None
    r.span = (min(s for s, _ in spans), max(e for _, e in spans))
    return r


def _closing_implicit(text: str, distribute: bool) -> Responsibility | None:
    """A closing bracket that assigns the work (（X牵头，Y配合）) speaks for the measure;
    an actor named in the prose before it (由所在地政府给予…) does not add to it."""
    body = text.rstrip("。 \n")
    if not body.endswith(tuple(_CLOSE)):
        return None
    start = _opening_of(body, len(body) - 1)
    found = _implicit(body[start + 1 : -1], distribute)
    if found is None:
        return None
    found.span = (start, len(body))
    return found


def _clause_notes(text: str, distribute: bool) -> Responsibility | None:
    """一是…（市科技局负责）；二是…（市工信局负责）: a bracketed note closing each clause of
    one measure, each read as a closing note; two or more of them speak for the measure."""
    notes: list[tuple[Responsibility, int, int]] = []
    depth, opened = 0, -1
    for i, ch in enumerate(text):
        if ch in _OPEN:
            if depth == 0:
                opened = i
            depth += 1
        elif ch in _CLOSE and depth:
            depth -= 1
            after = text[i + 1 : i + 2]
            before = text[opened - 1 : opened] if opened > 0 else ""
            if (
                depth
                or (after and after not in "；;。，,\n")
                or before in "厅局委办部署院会行司处科所"
            ):
                continue
            inner = text[opened + 1 : i]
            listed = _unit_list(inner, strict=True)
            if listed:
                notes.append((Responsibility(split_units(inner, distribute)), opened, i + 1))
            elif (found := _implicit(inner, distribute)) is not None:
                notes.append((found, opened, i + 1))
    if len(notes) < 2:
        return None
    r = Responsibility(form="closing list", span=(notes[0][1], notes[-1][2]))
    for note, _, _ in notes:
        r.lead += note.lead
        r.participating += note.participating
    return r


def _dedupe(units: list[str]) -> list[str]:
    seen: set[str] = set()
    out = []
    for u in units:
        if u not in seen:
            seen.add(u)
            out.append(u)
    return out


def find_responsibility(
    text: str,
    *,
    first_listed_leads: bool = False,
    distribute_prefix: bool = True,
    addressee: list[str] | None = None,
) -> Responsibility:
    """The lead and participating units a measure's text names, in the order written.

    ``addressee``: the units a 批复 or 通知 is addressed to (某省人民政府：), who 你省要… means.
    """
    r = (
        _labelled(text, first_listed_leads, distribute_prefix)
        or _clause_notes(text, distribute_prefix)
        or _closing_list(text, distribute_prefix, first_listed_leads)
        or _closing_implicit(text, distribute_prefix)
        or _implicit(text, distribute_prefix)
        or _must(text, addressee)
        or Responsibility()
    )
    if r.form == "implicit" and r.lead:
        # 省科技厅要会同Y…。省财政厅要…: a second named organ opening a sentence with what
        # it must do leads beside the one named in prose (not 各市政府要…, a class exhorted)
        also = _must(text, None)
        if also:
            r.lead += [u for u in also.lead if u not in r.participating and not u.startswith("各")]
            r.participating += also.participating
    if addressee and r.form != "implicit-must":
        # 你市要…，省科技厅要会同…: the addressee's duty stands beside the others named
        you = [
            m
            for m in re.finditer(
                r"(?:^|[。；\n！])\s*(?:请)?(你(?:省|市|区|县|州|盟|旗|委|局|厅|办|部|单位|们))(?:要|应当|应|须|必须|认真|切实|进一步|加强|抓紧|按照|结合)",
                text,
            )
            if _YOU.match(m.group(1))
        ]
        if you and not all(u in r.lead for u in addressee):
            r.lead = [*addressee, *r.lead]
    r.lead = _dedupe(r.lead)
    r.participating = [u for u in _dedupe(r.participating) if u not in r.lead]
    return r


def first_listed_leads(document_text: str) -> bool:
    """Does the document say that the first unit listed leads (排在第一位的为牵头单位)?"""
    return bool(_FIRST_LEADS.search(document_text))


def unit_lists(document_text: str) -> list[str]:
    """Every labelled unit list in a document, as written (to learn its naming habits)."""
    out = []
    for m in _LABEL.finditer(document_text):
        tail = document_text[m.end() : m.end() + 200]
        out.append(re.split(r"[；;）〕】\n。]", tail, maxsplit=1)[0])
    return out


def writes_bare_names(document_text: str) -> bool:
    """Does the document name departments bare even at the head of a list (科技厅、省发展改革委)?

    Where it does, a bare name is a full name in that document's usage and no prefix is
    distributed; where every list starts with a level (省科技厅、发改委), the level is shared.
    """
    # one odd list (国防科工办 put first once) does not decide it
    lists = unit_lists(document_text)
    bare_first = 0
    for lst in lists:
        first = normalise_unit(split_top_level(lst, "、，,")[0][0])
        if first and is_unit(first) and _bare(first):
            bare_first += 1
    return bare_first >= 2 or (bare_first == 1 and len(lists) <= 2)
