"""The heading tree: numbered items in every numbering style Chinese policy documents use.

Styles, from the outermost: 第一章 / 一、 / （一） / 第一条 / 1. 1、 / （1） / ①; and 专栏N boxes.
A line starting with a marker is an item only if its number continues a sequence (1, the
next number, or the same number printed twice), so a sentence that happens to start with
"3." is not taken for an item.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import cn2an

from gaoxin.engine.documents.text import Line

_CN_NUM = "一二三四五六七八九十百零〇两"

# (rank, pattern) from the outermost; group "n" is the number, group "label" the label kept in paths
_STYLES: list[tuple[int, re.Pattern[str]]] = [
    (0, re.compile(rf"^(?P<label>第(?P<n>[{_CN_NUM}]+)[章篇部分]+)\s*")),
    (10, re.compile(rf"^(?P<label>(?P<n>[{_CN_NUM}]+))\s*、\s*")),
    (20, re.compile(rf"^(?P<label>（\s*(?P<n>[{_CN_NUM}]+)\s*）)\s*[、.]?\s*")),
    (25, re.compile(rf"^(?P<label>第(?P<n>[{_CN_NUM}]+)条)\s*")),
    (30, re.compile(r"^(?P<label>(?P<n>\d{1,2}))\s*(?:[.、](?!\d)|\s(?=\D))\s*")),
    (40, re.compile(r"^(?P<label>（\s*(?P<n>\d{1,2})\s*）)\s*[、.]?\s*")),
    (50, re.compile(r"^(?P<label>(?P<n>[①-⑳]))\s*")),
]
_BOX = re.compile(rf"^(?P<label>专栏\s*(?P<n>\d{{1,2}}|[{_CN_NUM}]+))\s*[：:、.]?\s*")
BOX_RANK = 1000


def number_value(n: str) -> int | None:
    """The integer a heading number stands for: 3, 三, 十二, ③."""
    n = n.strip()
    if re.fullmatch(r"[0-9]+", n):
        return int(n)
    if len(n) == 1 and "①" <= n <= "⑳":
        return ord(n) - ord("①") + 1
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
    style: int = 0  # which numbering style (the fixed rank of _STYLES)


@dataclass(slots=True)
class Node:
    marker: Marker
    line: Line
    end: int = 0  # end of the item's text, exclusive (set once the next item is known)
    parent: Node | None = None
    children: list[Node] = field(default_factory=list)
    path: list[str] = field(default_factory=list)
    duplicate_of: Node | None = None
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


_TITLE_END = re.compile(r"[。：！？]")


def _title(rest: str) -> str:
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
        if rank == 30 and re.match(r"^\d*(年|月|日|万|亿|元|%|家|个|倍)", text[m.end("n") :]):
            continue
        label_start = line.start + m.start("label")
        label = original[label_start : line.start + m.end("label")]
        label = re.sub(r"\s+", "", label)
        title = _title(rest)
        t_start = line.start + m.end()
        return Marker(
            rank, label, number, title, line.start + m.end(), (t_start, t_start + len(title)), rank
        )
    return None


def _accept(marker: Marker, last_number: dict[int, int]) -> bool:
    previous = last_number.get(marker.style)
    if marker.style == BOX_RANK:
        return previous is None or marker.number in (previous, previous + 1, 1)
    if marker.number == 1:
        return True
    if previous is None and marker.style in (0, 10, 20, 25):
        # an excerpt may open at 三、; a stray "3." in prose may not open a list
        return True
    return previous is not None and marker.number in (previous, previous + 1)


def find_items(body_lines: list[Line], original: str) -> list[Node]:
    """Every numbered item and box in reading order, linked into a tree."""
    nodes: list[Node] = []
    last_number: dict[int, int] = {}
    levels: dict[int, int] = {}
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
            new_style = marker.style not in levels or levels[marker.style] > listing_under.rank
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
        if marker.style == BOX_RANK:
            before_box = dict(last_number)
        last_number[marker.style] = marker.number
        # styles nest in the order a document first uses them (第五条 holds （一） in a 办法,
        # 一、 holds （一） in an 意见); the fixed order only breaks ties
        if marker.style != BOX_RANK:
            marker.rank = levels.setdefault(marker.style, len(levels))
        node = Node(marker, line)
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
