"""A policy document's text -> title, headings, measures with units and money, targets.

``parse_text`` is the whole pipeline on a string; ``parse_file`` reads a file first
(plain text, saved web page, .docx, text-layer PDF; see :mod:`readers`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from gaoxin.engine.documents import units as unit_forms
from gaoxin.engine.documents.amounts import find_amounts, find_percentages
from gaoxin.engine.documents.decisions import find_decisions
from gaoxin.engine.documents.front_matter import (
    ATTACHMENTS,
    DOC_NUMBER,
    FrontMatter,
    is_date_line,
    is_end_matter,
    issuer_like,
    read_front_matter,
)
from gaoxin.engine.documents.headings import (
    Marker,
    Node,
    chapter_of,
    deepest_rank,
    find_items,
    item_title,
)
from gaoxin.engine.documents.model import Document, Heading, Measure
from gaoxin.engine.documents.readers import read_file
from gaoxin.engine.documents.targets import find_targets
from gaoxin.engine.documents.text import Line, clean, lines, normalise
from gaoxin.engine.problems import Problem

# a deadline written into the text (2025年底前); 长期坚持 counts only where a 完成时限 says so
_DEADLINE = re.compile(
    r"(?:20\d{2}|[“\"]?十[三四五六]五[”\"]?)\s*年?(?:\d{1,2}月)?(?:底|末)?(?:前|以前|之前)"
)
_GOALS = re.compile(r"目标|预期")
# （市科技局、市财政局，2024年底前完成） / （…，长期坚持）
_BRACKET_WHEN = re.compile(
    r"[，,；;]\s*(?P<when>20\d{2}年[^，,；;）]{0,12}|长期坚持|持续推进|持续实施)）\s*。?$"
)
_STATED_DEADLINE = re.compile(
    r"(?:完成时限|完成时间|时间节点|时限)\s*[：:]\s*(?P<when>[^；;）)\n。]{2,30})"
)


def _item_end(node_lines: list[Line]) -> int:
    for ln in reversed(node_lines):
        if not ln.blank:
            return ln.end
    return node_lines[0].start if node_lines else 0


def _drop_duplicates(nodes: list[Node], problems: list[Problem], source: str | None) -> list[Node]:
    """An item printed twice in a row (often once broken, once whole): keep the fuller print."""
    kept: list[Node] = []
    for node in nodes:
        prev = kept[-1] if kept else None
        if (
            prev is not None
            and prev.rank == node.rank
            and prev.marker.number == node.marker.number
            and prev.parent is node.parent
            and not prev.children
        ):
            loser, winner = (
                (prev, node) if (node.end - node.start) >= (prev.end - prev.start) else (node, prev)
            )
            if loser.parent is not None:
                loser.parent.children.remove(loser)
            problems.append(
                Problem(
                    "duplicate-item",
                    f"条目「{''.join(winner.path) or winner.marker.label}」出现了两次，已保留较完整的一次。",
                    file=source,
                    value=loser.line.text[:40],
                    severity="warning",
                )
            )
            kept[-1] = winner
            if winner is node:
                winner.path = list(node.path)
            continue
        kept.append(node)
    return kept


def _ancestors(node: Node) -> list[Node]:
    out = []
    while node.parent is not None:
        node = node.parent
        out.append(node)
    return out


def _box_path(box: Node) -> list[str]:
    stack = box.stack_at
    if not stack:
        return [box.marker.label]
    deepest = deepest_rank(chapter_of(stack[0]))
    enclosing = [n for n in stack if n.rank < deepest] or stack[:1]
    return [n.marker.label for n in enclosing] + [box.marker.label]


def _text_without_repeats(
    norm: str, original: str, start: int, end: int, all_lines: list[Line]
) -> str:
    """The item's text as written, a paragraph printed twice in a row kept once."""
    parts: list[str] = []
    previous = None
    for ln in all_lines:
        if ln.end <= start or ln.start >= end or ln.blank:
            continue
        s, e = max(ln.start, start), min(ln.end, end)
        para = norm[s:e]
        if para == previous:
            continue
        previous = para
        parts.append(original[s:e])
    return clean("\n".join(parts))


def _body_end(all_lines: list[Line], nodes: list[Node], first_item_line: int, original: str) -> int:
    """Index of the first line after the body: attachments and closing lines are not items."""
    end_index = len(all_lines)
    if not nodes:
        return end_index
    # attachments listed after the body (附件：1.评价指标…) are not measures, unless the
    # attachment is itself the document (a 通知 transmitting a 方案 numbered from 一、 again)
    top = nodes[0].marker.style
    for i in range(first_item_line + 1, end_index):
        line = all_lines[i]
        if ATTACHMENTS.match(line.text) and len(line.text) <= 60:
            restarts = any(
                n.start > line.start and n.marker.style == top and n.marker.number == 1
                for n in nodes
            )
            if not restarts:
                end_index = i
                break
    # a bare 附件 heading whose section is a task breakdown (a table rewritten as items,
    # perhaps under its own 一、 category headings) ends the body too: it is read apart
    for i in range(first_item_line + 1, end_index):
        if _ATTACHMENT_HEADING.match(all_lines[i].text) and _task_breakdown(
            _section_items(all_lines, i, len(all_lines), original)
        ):
            end_index = i
            break
    return _trim_end_matter(all_lines, nodes, first_item_line, end_index)


def _trim_end_matter(
    all_lines: list[Line], nodes: list[Node], first_item_line: int, end_index: int
) -> int:
    # the closing lines: signature, date, 此件公开, a file name; never part of the last item
    item_starts = {n.start for n in nodes}
    while (
        end_index > first_item_line + 1
        and all_lines[end_index - 1].start not in item_starts
        and is_end_matter(all_lines[end_index - 1].text)
    ):
        end_index -= 1
    return end_index


_ATTACHMENT_HEADING = re.compile(r"^附件\s*\d*\s*[：:]?$")


def _inner_signature(all_lines: list[Line], first: int, end_index: int) -> tuple[int, int] | None:
    """A signature and date inside the body, followed by an attachment (附件 / 附件1): a 通知
    with items of its own, signed, then the document or table it transmits, numbered anew.
    The lines [start, end) of the signature."""
    for i in range(first + 1, end_index):
        if not is_date_line(all_lines[i].text):
            continue
        k = i
        while k > first + 1 and i - k < 3 and issuer_like(all_lines[k - 1].text):
            k -= 1
        nxt = next((ln.text for ln in all_lines[i + 1 : end_index] if not ln.blank), "")
        if k < i and (_ATTACHMENT_HEADING.match(nxt) or ATTACHMENTS.match(nxt)):
            return k, i + 1
    return None


_TASK_LABEL = re.compile(r"[（(【〔]\s*(牵头单位|责任单位|牵头部门|责任部门)\s*[：:]")


def _section_items(all_lines: list[Line], heading: int, last: int, original: str) -> list[Node]:
    """The items of the attachment whose heading (附件1) is line ``heading``, up to the next
    attachment heading or ``last``."""
    stop = next(
        (i for i in range(heading + 1, last) if _ATTACHMENT_HEADING.match(all_lines[i].text)),
        last,
    )
    items, _ = find_items(all_lines[heading + 1 : stop], original)
    return items


def _task_breakdown(items: list[Node]) -> bool:
    """Every item that holds no other (the tasks, under any category headings) carries a
    牵头单位 or 责任单位 label."""
    leaves = [n for n in items if not n.children and not n.is_box]
    return bool(leaves) and all(_TASK_LABEL.search(n.line.text) for n in leaves)


def _task_attachments(all_lines: list[Line], end_index: int, original: str) -> list[Node]:
    """The items of an attachment after the body that is a task breakdown (附件1 … 任务分工表,
    every item carrying its 牵头单位/责任单位): they are the document's measures too. Other
    attachments (an index system, a form) stay out. Each item ends within its attachment."""
    starts = [
        i for i in range(end_index, len(all_lines)) if _ATTACHMENT_HEADING.match(all_lines[i].text)
    ]
    found: list[Node] = []
    for k, first in enumerate(starts):
        last = starts[k + 1] if k + 1 < len(starts) else len(all_lines)
        section = all_lines[first + 1 : last]
        items = _section_items(all_lines, first, last, original)
        if not _task_breakdown(items):
            continue
        section_end = section[-1].end if section else all_lines[first].end
        for i, node in enumerate(items):
            nxt = items[i + 1].start if i + 1 < len(items) else section_end
            node.end = _item_end([ln for ln in section if node.start <= ln.start < nxt])
        found.extend(items)
    return found


def _paragraphs(all_lines: list[Line], fm: FrontMatter, end_index: int) -> list[Node]:
    """A document without numbered items (a 批复 in one paragraph, a short 通知): each
    paragraph of its body, after the title block and before the signature, is an item."""
    if fm.title_span is None:
        return []
    nodes: list[Node] = []
    for line in all_lines[:end_index]:
        text = line.text
        if (
            line.blank
            or line.start < fm.title_span[1]
            or "。" not in text
            or text.endswith("：")
            or DOC_NUMBER.fullmatch(text)
            or is_end_matter(text)
        ):
            continue
        number = len(nodes) + 1
        title = item_title(text)
        marker = Marker(
            0, f"第{number}段", number, title, line.start, (line.start, line.start + len(title))
        )
        node = Node(marker, line, end=line.end)
        node.path = [marker.label]
        nodes.append(node)
    return nodes


@dataclass
class _Reading:
    """What every item of one document is read with."""

    original: str
    norm: str
    all_lines: list[Line]
    first_leads: bool
    distribute: bool
    heading_units: dict[int, unit_forms.Responsibility] = field(default_factory=dict)
    addressee: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    source: str | None = None

    def responsibility(self, node: Node) -> unit_forms.Responsibility:
        return self.responsibility_of(node.marker.marker_end, node.end)

    def responsibility_of(self, start: int, end: int) -> unit_forms.Responsibility:
        return unit_forms.find_responsibility(
            self.norm[start:end],
            first_listed_leads=self.first_leads,
            distribute_prefix=self.distribute,
            addressee=self.addressee or None,
        )

    def warn_unknown(self, resp: unit_forms.Responsibility, path: list[str]) -> None:
        for name in resp.unknown:
            self.problems.append(
                Problem(
                    "unknown-unit",
                    f"条目「{''.join(path)}」的责任单位中「{name}」不像单位名称，未列入；"
                    "其余单位照常列入，请核对。",
                    file=self.source,
                    value=name,
                    severity="warning",
                )
            )

    def measure(self, node: Node, path: list[str], title: str) -> Measure:
        start = node.marker.marker_end
        raw = self.norm[start : node.end]
        resp = self.responsibility(node)
        self.warn_unknown(resp, path)
        inherited = False
        if not resp.lead and not resp.participating:
            # units a heading names for everything under it: 三、…（责任单位：…）
            enclosing = reversed(node.stack_at) if node.is_box else _ancestors(node)
            for above in enclosing:
                if id(above) in self.heading_units:
                    resp, inherited = self.heading_units[id(above)], True
                    break
        stated = _STATED_DEADLINE.search(raw) or _BRACKET_WHEN.search(raw.rstrip())
        written = _DEADLINE.search(raw)
        deadline = stated.group("when") if stated else written.group(0) if written else None
        own_span = resp.span if resp.span and not inherited else None
        amounts = find_amounts(raw, start)
        percentages = find_percentages(raw, start)
        for a in amounts:
            a.text = self.original[a.span[0] : a.span[1]]  # as written, not as normalised
        for p in percentages:
            p.text = self.original[p.span[0] : p.span[1]]
        return Measure(
            path=path,
            title=title,
            text=_text_without_repeats(self.norm, self.original, start, node.end, self.all_lines),
            span=(node.start, node.end),
            lead_units=list(resp.lead),
            participating_units=list(resp.participating),
            units_span=(start + own_span[0], start + own_span[1]) if own_span else None,
            amounts=amounts,
            percentages=percentages,
            deadline=deadline,
            box=node.is_box,
        )


def parse_text(text: str, *, source: str | None = None) -> Document:
    """Parse a policy document given as text. Spans are offsets into ``text``."""
    original = text
    norm = normalise(text)
    all_lines = list(lines(norm))
    problems: list[Problem] = []

    nodes, _ = find_items(all_lines, original)
    first_item_line = next(
        (i for i, ln in enumerate(all_lines) if nodes and ln.start == nodes[0].start), 0
    )
    end_index = _body_end(all_lines, nodes, first_item_line, original)
    body_end = all_lines[end_index - 1].end if end_index else 0
    if nodes:
        # read the items again over the body alone, so nothing after it nests under them
        nodes, inversions = find_items(all_lines[:end_index], original)
        for inv in inversions:
            problems.append(
                Problem(
                    "inverted-levels",
                    f"编号层级与常规顺序相反：「{inv.outer.marker.label}」之下有「{inv.inner.marker.label}」，"
                    "已按文中实际层级读取；请核对。",
                    file=source,
                    value=inv.inner.line.text[:40],
                    severity="warning",
                )
            )
    front_lines = all_lines[:first_item_line] if nodes else all_lines[:end_index]
    fm = read_front_matter(front_lines, all_lines[end_index:])
    signature = _inner_signature(all_lines, first_item_line, end_index) if nodes else None
    if signature is not None and fm.issuer is None:
        fm = read_front_matter(front_lines, all_lines[signature[0] : signature[1]])

    # each item runs to the next item (and an item of the 通知 not over its signature)
    for i, node in enumerate(nodes):
        nxt = nodes[i + 1].start if i + 1 < len(nodes) else body_end
        if signature is not None and node.start < all_lines[signature[0]].start:
            nxt = min(nxt, all_lines[signature[0]].start)
        node.end = _item_end([ln for ln in all_lines if node.start <= ln.start < nxt])
    if nodes:
        nodes += _task_attachments(all_lines, end_index, original)
    nodes = _drop_duplicates(nodes, problems, source)
    if not nodes:
        nodes = _paragraphs(all_lines, fm, end_index)
    for node in nodes:
        if node.skipped is not None:
            problems.append(
                Problem(
                    "missing-number",
                    f"条目「{''.join(node.path) or node.marker.label}」之前缺少编号 {node.skipped}"
                    "（漏编或未能识别），其后的条目照常读取；请核对。",
                    file=source,
                    value=node.line.text[:40],
                    severity="warning",
                )
            )
    if not nodes:
        problems.append(
            Problem(
                "no-items",
                "没有识别出编号条目（如“一、”“（一）”“1.”），无法分解任务。",
                file=source,
                severity="warning",
            )
        )
    elif nodes[0].marker.style == -1:
        problems.append(
            Problem(
                "no-items",
                "没有编号条目，已按自然段列出措施（第1段、第2段…）；请核对。",
                file=source,
                severity="warning",
            )
        )
    if fm.title is None:
        problems.append(
            Problem("no-title", "没有识别出文件标题。", file=source, severity="warning")
        )

    reading = _Reading(
        original,
        norm,
        all_lines,
        first_leads=unit_forms.first_listed_leads(norm),
        distribute=not unit_forms.writes_bare_names(norm),
        addressee=fm.addressees or [],
        problems=problems,
        source=source,
    )
    headings: list[Heading] = []
    measures: list[Measure] = []
    targets = []
    for node in nodes:
        m = node.marker
        title = original[m.title_span[0] : m.title_span[1]].strip()
        path = _box_path(node) if node.is_box else list(node.path)
        # an item with sub-items is a heading; one without is a measure, even where its
        # siblings have sub-items (（一）… 1. 2. （二）… with none)
        if not node.is_box and node.children:
            last = node
            while last.children:
                last = last.children[-1]
            headings.append(Heading(path, title, (node.start, max(node.end, last.end))))
            own = reading.responsibility(node)
            if own.form in ("label", "closing list"):
                reading.heading_units[id(node)] = own
            continue
        measure = reading.measure(node, path, title)
        if any(earlier.path == path and earlier.text == measure.text for earlier in measures):
            # the same item again further down (a page that printed the document twice)
            problems.append(
                Problem(
                    "repeated-item",
                    f"条目「{''.join(path)}」在文中重复出现，已只保留第一次。",
                    file=source,
                    severity="warning",
                )
            )
            continue
        measures.append(measure)
        raw = norm[m.marker_end : node.end]
        for t in find_targets(raw, m.marker_end, goal_section=bool(_GOALS.search(title))):
            t.path = path
            t.text = original[t.span[0] : t.span[1]]  # as written, not as normalised
            targets.append(t)

    by_paragraph = bool(nodes) and nodes[0].marker.style == -1
    body = (fm.title_span[1], body_end) if by_paragraph and fm.title_span else None
    decisions = find_decisions(norm, original, fm.kind, [(m.path, m.span) for m in measures], body)
    return Document(
        title=fm.title,
        issuer=fm.issuer,
        doc_number=fm.doc_number,
        issued=fm.issued,
        headings=headings,
        measures=measures,
        targets=targets,
        status=fm.status,
        published=fm.published,
        title_span=fm.title_span,
        source=source,
        problems=problems,
        text=original,
        kind=fm.kind,
        addressees=fm.addressees or [],
        decisions=decisions,
    )


def parse_file(path: str | Path) -> Document:
    """Read and parse a document file; raises ProblemsError when it cannot be read."""
    text = read_file(path)
    return parse_text(text, source=str(path))
