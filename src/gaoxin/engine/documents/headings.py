"""The heading tree: numbered items in every numbering style Chinese policy documents use.

Styles, from the outermost by convention: 第一章 / 第一条 / 一、 / （一） / 1. 1、 / （1） / ①;
and 专栏N boxes. A document may skip levels but rarely inverts them, so levels follow that
order; where the text really nests an outer style inside an inner one (1. holding （一）),
the text wins and a warning says so. A line starting with a marker is an item only if its
number continues a sequence (1, the next number, the same number printed twice, or the
number after a missed one), so a sentence that happens to start with "3." is not an item.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import cn2an

from gaoxin.engine.documents.text import Line

_CN_NUM = "一二三四五六七八九十百零〇两"

# (rank, pattern) from the outermost; group "n" is the number, group "label" the label kept in paths
_ARABIC_SPACED = r"\d(?:[ \t\u3000]*\d){0,2}"  # 第 1 0 条: digits spaced out by extraction
_STYLES: list[tuple[int, re.Pattern[str]]] = [
    (
        0,
        re.compile(rf"^(?P<label>第\s*(?P<n>[{_CN_NUM}]+|{_ARABIC_SPACED})\s*[章篇部分]+)\s*"),
    ),
    # 第一节 within a chapter, above its articles
    (5, re.compile(rf"^(?P<label>第\s*(?P<n>[{_CN_NUM}]+|{_ARABIC_SPACED})\s*节)\s*")),
    (10, re.compile(rf"^(?P<label>(?P<n>[{_CN_NUM}]+))\s*、\s*")),
    # 第一，…  第二，… (a short 措施 or 通知 numbered in ordinals): between 一、 and （一）
    (15, re.compile(rf"^(?P<label>第(?P<n>[{_CN_NUM}]{{1,3}}))\s*[，,、]\s*")),
    (20, re.compile(rf"^(?P<label>（\s*(?P<n>[{_CN_NUM}]+)\s*）)\s*[、.]?\s*")),
    # ㈠ ㈡: one character for （一） (as a PDF's text layer or a font may give it)
    (20, re.compile(r"^(?P<label>(?P<n>[㈠-㈩]))\s*[、.]?\s*")),
    (25, re.compile(rf"^(?P<label>第\s*(?P<n>[{_CN_NUM}]+|{_ARABIC_SPACED})\s*条)\s*")),
    (30, re.compile(r"^(?P<label>(?P<n>\d{1,2}))\s*(?:[.、](?!\d)|\s(?=\D))\s*")),
    # 3.5G基站建设: a title beginning with digits; read so only where 3 is the next number
    (30, re.compile(r"^(?P<label>(?P<n>\d{1,2}))\.(?=\d)")),
    (40, re.compile(r"^(?P<label>（\s*(?P<n>\d{1,2})\s*）)\s*[、.]?\s*")),
    # ⑴ ⑵ (one character for （1）) and 1） with the closing bracket alone
    (40, re.compile(r"^(?P<label>(?P<n>[⑴-⒇]))\s*[、.]?\s*")),
    (40, re.compile(r"^(?P<label>(?P<n>\d{1,2})\s*）)\s*")),
    (50, re.compile(r"^(?P<label>(?P<n>[①-⑳]))\s*")),
]
# The conventional order of the styles (by their fixed rank), outermost first
CONVENTIONAL_ORDER = (0, 5, 25, 10, 15, 20, 30, 40, 50)
# what a number glued to a title cannot be followed by: it is then a decimal (3.5亿元)
_QUANTITY = re.compile(
    r"^\d+(?:\.\d+)?\s*(?:年|月|日|万|亿|元|%|家|个|倍|平方|公里|亩|吨|项|人|次|倍|以上|以下|版)"
)
_BOX = re.compile(rf"^(?P<label>专栏\s*(?P<n>\d{{1,2}}|[{_CN_NUM}]+))\s*[：:、.]?\s*")
BOX_RANK = 1000
_ORDINAL_INLINE = re.compile(rf"[；。，]第[{_CN_NUM}]{{1,3}}[，,、]")
_FULLWIDTH = {0xFF10 + i: str(i) for i in range(10)}


def number_value(n: str) -> int | None:
    """The integer a heading number stands for: 3, 三, 十二, ③."""
    n = re.sub(r"\s+", "", n)
    if re.fullmatch(r"[0-9]+", n):
        return int(n)
    if len(n) == 1 and "①" <= n <= "⑳":
        return ord(n) - ord("①") + 1
    if len(n) == 1 and "⑴" <= n <= "⒇":
        return ord(n) - ord("⑴") + 1
    if len(n) == 1 and "㈠" <= n <= "㈩":
        return ord(n) - ord("㈠") + 1
    try:
        return int(cn2an.cn2an(n, "normal"))
    except (ValueError, KeyError, TypeError):
        return None


@dataclass(slots=True)
class Marker:
    rank: int  # nesting level; the style's fixed rank until find_items orders the styles
    label: str  # as written in the source, e.g. "(一)" or "（一）" or "12"
    number: int
    title: str
    marker_end: int  # offset just after the marker (where the item's text starts)
    title_span: tuple[int, int]
    style: int = -1  # which numbering style (the fixed rank of _STYLES); -1: a paragraph
    glued: bool = False  # digits run on into the title (3.5G…): only the next number counts


@dataclass(slots=True)
class Node:
    marker: Marker
    line: Line
    end: int = 0  # end of the item's text, exclusive (set once the next item is known)
    parent: Node | None = None
    children: list[Node] = field(default_factory=list)
    path: list[str] = field(default_factory=list)
    duplicate_of: Node | None = None
    skipped: int | None = None  # the number missing before this item (1. 2. 4.: 3)
    stack_at: list[Node] = field(default_factory=list)  # enclosing items, for boxes

    @property
    def rank(self) -> int:
        return self.marker.rank

    @property
    def is_box(self) -> bool:
        return self.marker.rank == BOX_RANK

    @property
    def start(self) -> int:
        return self.line.start


# a sentence of two clauses split by ； is named by its first (对甲…予以表扬；对乙…)
_TITLE_END = re.compile(r"[。；：！？]")


def item_title(rest: str) -> str:
    m = _TITLE_END.search(rest)
    title = rest[: m.start()] if m else rest
    # an article without a heading of its own (第一条 为规范…管理，促进…，制定本办法。)
    # is named by its first clause
    comma = title.find("，")
    if comma > 0:
        title = title[:comma]
    title = title[:60]
    # a heading that names its units: 加强平台建设（责任单位：省科技厅）
    title = re.sub(r"[（〔【][^（〔【]*(单位|部门|牵头|负责).*$", "", title)
    return title.strip().rstrip("；，、")


def match_marker(line: Line, original: str) -> Marker | None:
    """The item marker a line starts with, if any (number not yet checked for sequence)."""
    text = line.text
    for rank, pattern in [*_STYLES, (BOX_RANK, _BOX)]:
        m = pattern.match(text)
        if not m:
            continue
        number = number_value(m.group("n"))
        if number is None or number == 0:
            continue
        rest = text[m.end() :]
        if not rest or rest[0] in "，。、；：%）":
            continue
        glued = rank == 30 and text[m.end() - 1] == "." and rest[:1].isdigit()
        if glued and _QUANTITY.match(rest):
            continue
        if rank == 30 and re.match(r"^\d*(年|月|日|万|亿|元|%|家|个|倍)", text[m.end("n") :]):
            continue
        label_start = line.start + m.start("label")
        label = original[label_start : line.start + m.end("label")]
        # spaces closed up, full-width digits (１．) read as the digits they are
        label = re.sub(r"\s+", "", label).translate(_FULLWIDTH)
        title = item_title(rest)
        t_start = line.start + m.end()
        return Marker(
            rank,
            label,
            number,
            title,
            line.start + m.end(),
            (t_start, t_start + len(title)),
            rank,
            glued,
        )
    return None


def _accept(marker: Marker, last_number: dict[int, int]) -> bool:
    previous = last_number.get(marker.style)
    if marker.glued:
        return previous is not None and marker.number == previous + 1
    if marker.style == BOX_RANK:
        return previous is None or marker.number in (previous, previous + 1, 1)
    if marker.number == 1:
        return True
    if previous is None and marker.style in (0, 5, 10, 20, 25):
        # an excerpt may open at 三、; a stray "3." in prose may not open a list
        return True
    # one number missed (unreadable, or mistyped) does not end the list
    return previous is not None and marker.number in (previous, previous + 1, previous + 2)


def _read_items(body_lines: list[Line], original: str, order: tuple[int, ...]) -> list[Node]:
    """Every accepted item in reading order, nested by ``order`` (styles, outermost first)."""
    levels = {style: i for i, style in enumerate(order)}
    nodes: list[Node] = []
    last_number: dict[int, int] = {}
    seen: set[int] = set()
    stack: list[Node] = []
    before_box: dict[int, int] | None = None  # the numbering in force when a 专栏 opened
    listing_under: Node | None = None  # an item whose line ends with a colon (下列条件：)
    for line in body_lines:
        if line.blank:
            continue
        marker = match_marker(line, original)
        if marker is not None and listing_under is not None:
            # （一）规划面积不少于3平方公里； under "应当具备下列条件：" is part of the sentence,
            # not an item of the document's own numbering
            new_style = marker.style not in seen or levels[marker.style] > listing_under.rank
            if new_style and len(line.text) <= 80 and marker.style != BOX_RANK:
                continue
            listing_under = None
        if marker is not None and before_box is not None and marker.style != BOX_RANK:
            # inside a box, only the next number of an outer list ends the box; a list of
            # its own (1.之江实验室 2.西湖实验室) is the box's content
            if before_box.get(marker.style, -1) + 1 != marker.number:
                continue
            last_number, before_box = dict(before_box), None
        if marker is None or not _accept(marker, last_number):
            continue
        # 第一，…；第二，… inside an item: an enumeration in its text, not items
        inside = bool(stack) and (
            stack[-1].marker.style in (20, 30, 40, 50, BOX_RANK)
            or bool(_ORDINAL_INLINE.search(line.text, 3))
        )
        if marker.style == 15 and marker.style not in seen and inside:
            continue
        if marker.style == BOX_RANK:
            before_box = dict(last_number)
        previous = last_number.get(marker.style)
        last_number[marker.style] = marker.number
        if marker.style != BOX_RANK:
            seen.add(marker.style)
            marker.rank = levels[marker.style]
        node = Node(marker, line)
        if previous is not None and marker.number == previous + 2:
            node.skipped = previous + 1
        if node.is_box:
            node.stack_at = list(stack)
        else:
            while stack and stack[-1].rank >= marker.rank:
                stack.pop()
            node.parent = stack[-1] if stack else None
            if node.parent:
                node.parent.children.append(node)
            stack.append(node)
            node.path = [n.marker.label for n in stack]
            if line.text.endswith("："):
                listing_under = node
        nodes.append(node)
    return nodes


@dataclass(frozen=True, slots=True)
class Inversion:
    """The text nests ``inner`` (conventionally the outer style) under ``outer``."""

    outer: Node
    inner: Node


def _inversions(nodes: list[Node]) -> list[Inversion]:
    """Where an item of a conventionally outer style opens (at 1) right under an item of an
    inner style, and that inner list then goes on (1.… （一）… （二）… 2.…), the text
    inverts the order. A heading of a third outer style in between (二、) means it does not."""
    rank = {style: i for i, style in enumerate(CONVENTIONAL_ORDER)}
    items = [n for n in nodes if not n.is_box]
    found: list[Inversion] = []
    for i, a in enumerate(items[:-1]):
        outer, inner = a.marker.style, items[i + 1]
        if rank[inner.marker.style] >= rank[outer] or inner.marker.number != 1:
            continue
        for b in items[i + 2 :]:
            style = b.marker.style
            if style == outer:
                if b.marker.number == a.marker.number + 1:
                    found.append(Inversion(a, inner))
                break
            if style != inner.marker.style and rank[style] < rank[outer]:
                break
        else:
            # the inner list runs to the end of the document (3.保障措施 （一）… （二）…),
            # and the outer list had items before: it holds the inner one too
            if a.marker.number > 1:
                found.append(Inversion(a, inner))
    # one warning per pair of styles: the first place the text inverts them
    pairs: set[tuple[int, int]] = set()
    first = []
    for inv in found:
        pair = (inv.outer.marker.style, inv.inner.marker.style)
        if pair not in pairs:
            pairs.add(pair)
            first.append(inv)
    return first


def find_items(body_lines: list[Line], original: str) -> tuple[list[Node], list[Inversion]]:
    """Every numbered item and box in reading order, linked into a tree; and the places
    where the text inverts the conventional order of numbering styles (read as written)."""
    order = CONVENTIONAL_ORDER
    nodes = _read_items(body_lines, original, order)
    inversions = _inversions(nodes)
    if inversions:
        reordered = list(order)
        for inv in inversions:
            outer, inner = inv.outer.marker.style, inv.inner.marker.style
            if reordered.index(inner) < reordered.index(outer):
                reordered.remove(inner)
                reordered.insert(reordered.index(outer) + 1, inner)
        nodes = _read_items(body_lines, original, tuple(reordered))
    return nodes, inversions


def chapter_of(node: Node) -> Node:
    while node.parent is not None:
        node = node.parent
    return node


def deepest_rank(chapter: Node) -> int:
    rank = chapter.rank
    todo = [chapter]
    while todo:
        n = todo.pop()
        rank = max(rank, n.rank)
        todo.extend(n.children)
    return rank
