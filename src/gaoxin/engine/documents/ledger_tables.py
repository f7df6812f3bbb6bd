"""A task-breakdown table inside a document (任务分工表), turned back into numbered text.

Documents often end with, or consist of, a table whose columns are 序号 / 重点任务 /
具体措施 / 牵头单位 / 参与单位 / 完成时限. Written back as "1.措施（牵头单位：…；参与单位：…）"
lines under "一、重点任务" headings, such a table reads like any other document.
"""

from __future__ import annotations

import functools
import re

import cn2an

from gaoxin.engine.documents.units import is_unit_list

_SEQ = re.compile(r"^(序号|编号|序)$")
_CATEGORY = re.compile(r"^(重点任务|任务类别|主要任务|工作任务|领域|类别|重点工作)$")
_TASK = re.compile(r"(具体措施|工作措施|任务内容|工作内容|主要内容|具体任务|措施|任务|事项)")
_LEAD = re.compile(
    r"(牵头单位|牵头部门|主要责任单位|牵头责任单位|主办单位|主责单位|牵头司局|牵头处室)"
)
_RESPONSIBLE = re.compile(r"(责任单位|责任部门|负责单位|责任主体|承办单位|责任司局|责任处室)")
_PART = re.compile(
    r"(参与单位|参与部门|配合单位|配合部门|协办单位|协同单位|配合司局|配合处室|参与司局|参与处室)"
)
_WHEN = re.compile(r"(完成时限|完成时间|时间节点|时限|进度安排)")


def _find(header: list[str], pattern: re.Pattern[str], taken: set[int]) -> int | None:
    for i, cell in enumerate(header):
        if i not in taken and pattern.search(cell):
            return i
    return None


def ledger_table_lines(rows: list[list[str]]) -> list[str] | None:
    """Numbered lines for a task-breakdown table, or None if ``rows`` is not one."""
    if len(rows) < 2:
        return None
    header = [re.sub(r"\s+", "", c) for c in rows[0]]
    taken: set[int] = set()
    seq = _find(header, _SEQ, taken)
    taken |= {seq} if seq is not None else set()
    lead = _find(header, _LEAD, taken)
    taken |= {lead} if lead is not None else set()
    responsible = _find(header, _RESPONSIBLE, taken)
    taken |= {responsible} if responsible is not None else set()
    part = _find(header, _PART, taken)
    taken |= {part} if part is not None else set()
    when = _find(header, _WHEN, taken)
    taken |= {when} if when is not None else set()
    category = _find(header, _CATEGORY, taken)
    task_taken = taken | ({category} if category is not None else set())
    task = _find(header, _TASK, task_taken)
    if task is None and category is not None:
        task, category = category, None
    if task is None or (lead is None and responsible is None):
        return None

    def cell(row: list[str], i: int | None) -> str:
        return row[i].strip() if i is not None and i < len(row) else ""

    # a row without its 序号 where the others have one continues the row above (a cell
    # wrapped onto a line of its own: | | 中试平台。 | | 政局 |)
    body: list[list[str]] = []
    numbered = seq is not None and any(cell(r, seq).isdigit() for r in rows[1:])
    for row in rows[1:]:
        if _spanning(row):
            body.append([row[0].strip()])
        elif (
            numbered
            and body
            and not _spanning(body[-1])
            and not cell(row, seq)
            and any(c.strip() for c in row)
        ):
            width = max(len(body[-1]), len(row))
            last = body[-1] + [""] * (width - len(body[-1]))
            body[-1] = [last[k] + (row[k].strip() if k < len(row) else "") for k in range(width)]
        else:
            body.append(list(row))

    # in a table numbering every row by its 序号, a 重点任务 column that groups no two rows
    # (each row its own, none left blank by a merged cell) names each row's task: the
    # row's title, not a heading above it
    tasked = [r for r in body if cell(r, task)]
    own_titles = (
        category is not None
        and len(tasked) >= 2
        and all(cell(r, seq).isdigit() for r in tasked)
        and all(cell(r, category) for r in tasked)
        and len({cell(r, category) for r in tasked}) == len(tasked)
    )
    # categories (rows spanning the table, 一、产业创新, or a 任务类别 column, merged) head
    # the rows below them where the numbering restarts under each; where it runs on through
    # them (1–16 across five), the 序号 names a row alone and stays its path, as in a table
    # without categories
    numbers = [cell(r, seq) for r in body if not _spanning(r) and cell(r, seq).isdigit()]
    runs_on = len(numbers) == len(set(numbers))
    # a category column shows it only where its 序号 goes on through a change of category
    groups = {cell(r, category) for r in body if not _spanning(r) and cell(r, category)}
    column_runs_on = runs_on and bool(numbers) and len(groups) >= 2
    lines: list[str] = []
    current_category = None
    chapter = 0
    number = 0
    for row in body:
        if _spanning(row):
            if not runs_on:
                lines.append(row[0])
            current_category = None
            continue
        text = re.sub(r"\s*\n\s*", "", cell(row, task))
        if not text:
            continue
        if own_titles:
            name = re.sub(r"\s*\n\s*", "", cell(row, category)).rstrip("。")
            text = f"{name}。{text}"
        elif (
            category is not None
            and not column_runs_on
            and cell(row, category)
            and cell(row, category) != current_category
        ):
            current_category = cell(row, category)
            chapter += 1
            lines.append(f"{cn2an.an2cn(chapter, 'low')}、{current_category}")
        written = cell(row, seq)
        number = int(written) if written.isdigit() else number + 1
        labels = []
        if lead is not None and cell(row, lead):
            labels.append(f"牵头单位：{cell(row, lead)}")
        if responsible is not None and cell(row, responsible):
            labels.append(f"责任单位：{cell(row, responsible)}")
        if part is not None and cell(row, part):
            labels.append(f"参与单位：{cell(row, part)}")
        if when is not None and cell(row, when):
            labels.append(f"完成时限：{cell(row, when)}")
        units = f"（{'；'.join(labels)}）" if labels else ""
        lines.append(f"{number}.{text.rstrip('。')}。{units}")
    return lines or None


_CELL_SEP = re.compile(r"\t|\s*\|\s*")
# columns aligned by runs of spaces, as a DOCX or PDF table saved as text gives them
_SPACE_SEP = re.compile(r"[ \u3000]{2,}")
# a category row spanning the table: 一、产业创新 / （一）人才引进, alone on its line
_SPANNING = re.compile(
    r"^(?:[一二三四五六七八九十]+、|[（(][一二三四五六七八九十]+[)）])[^\t|]{1,30}$"
)


def _spanning(row: list[str]) -> bool:
    return len([c for c in row if c.strip()]) == 1 and bool(_SPANNING.match(row[0].strip()))


def _cells(line: str, spaced: bool = False) -> list[str]:
    if spaced:
        return [c.strip() for c in _SPACE_SEP.split(line.strip())]
    return [c.strip() for c in _CELL_SEP.split(line.strip().strip("|"))]


def _separated(line: str, spaced: bool) -> bool:
    return bool(_SPACE_SEP.search(line.strip())) if spaced else ("\t" in line or "|" in line)


_HEADER_CELL = (_SEQ, _CATEGORY, _TASK, _LEAD, _RESPONSIBLE, _PART, _WHEN)
# a page number printed between two pages: — 3 —, - 3 -, 第3页, 第 3 页 共 12 页, 3/12
PAGE_MARK = re.compile(
    r"^\s*(?:[—－\-–]+\s*\d{1,3}\s*[—－\-–]+|第\s*\d{1,3}\s*页(?:\s*[，,]?\s*共\s*\d{1,3}\s*页)?"
    r"|\d{1,3}\s*/\s*\d{1,3})\s*$"
)


def _header_cell(line: str) -> bool:
    cell = re.sub(r"\s+", "", line)
    return 0 < len(cell) <= 8 and any(p.search(cell) for p in _HEADER_CELL)


_EMPTY_CELL = re.compile(r"^(?:—+|－+|-+|/|／|无)$")
_WHEN_CELL = re.compile(
    r"^(?:\d{4}|二[〇○零]|长期|持续|每年|常态|按年度|逐年|年内|年底|\d{1,2}月|分阶段|全年)"
)
_UNIT_MARK = re.compile(r"（(?:牵头|牵头单位|主责|配合|参与)）")


def _kind(name: str) -> str:
    if _LEAD.search(name) or _RESPONSIBLE.search(name) or _PART.search(name):
        return "units"
    if _WHEN.search(name):
        return "when"
    return "text"


@functools.lru_cache(maxsize=4096)
def _units_cell(text: str) -> bool:
    return is_unit_list(_UNIT_MARK.sub("", text))


def _cell_cost(kind: str, cell: list[str], optional: bool) -> float | None:
    """How unlikely ``cell`` (its lines, in order) is as one cell of a column of ``kind``;
    None where it cannot be one."""
    if not cell:
        return 3.0 if optional else None
    text = "".join(cell)
    if any(t.isdigit() for t in cell):
        return None  # a 序号 line belongs to no cell
    if _EMPTY_CELL.match(text):
        return 0.0 if optional else None
    if kind == "when":
        return 0.0 if _WHEN_CELL.match(text) and len(text) <= 30 and "。" not in text else None
    if kind == "units":
        if re.search(r"\d", text) or text.endswith(("、", "，", ",")) or not _units_cell(text):
            return None
        cost = 0.0
        for a, b in zip(cell, cell[1:], strict=False):
            # a wrap costs more than the task's own; two lines that are each whole units
            # are likelier two cells than one wrapped
            cost += 0.3
            if not a.endswith(("、", "，", ",")) and _units_cell(a) and _units_cell(b):
                cost += 1.0
        return cost
    # free text: a line that is a unit list is likelier a unit cell; lines after the first
    # of a short column (重点任务 before 具体措施) are likelier the next cell's
    cost = sum(0.5 for t in cell[1:] if _units_cell(t))
    return cost + 0.1 * (len(cell) - 1)


def _segment(header: list[str], body: list[str]) -> list[str] | None:
    """The lines of one table row (after its 序号) split into the header's other columns:
    the cheapest split where every unit cell is a unit list and every time cell a time."""
    columns = header[1:]
    kinds = [_kind(c) for c in columns]
    optional = [bool(_PART.search(c) or _WHEN.search(c) or _CATEGORY.fullmatch(c)) for c in columns]
    n, width = len(body), len(columns)
    best: dict[tuple[int, int], tuple[float, list[int]] | None] = {}

    def solve(col: int, at: int) -> tuple[float, list[int]] | None:
        if col == width:
            return (0.0, []) if at == n else None
        key = (col, at)
        if key in best:
            return best[key]
        found = None
        for stop in range(at, n + 1):
            cost = _cell_cost(kinds[col], body[at:stop], optional[col])
            if cost is None:
                continue
            rest = solve(col + 1, stop)
            if rest is not None and (found is None or cost + rest[0] < found[0]):
                found = (cost + rest[0], [stop, *rest[1]])
        best[key] = found
        return found

    split = solve(0, 0)
    if split is None:
        return None
    cells, at = [], 0
    for stop in split[1]:
        part = body[at:stop]
        joined = "".join(part)
        cells.append("" if _EMPTY_CELL.match(joined) else joined)
        at = stop
    return cells


def _column_table(lines: list[str], i: int) -> tuple[list[list[str]], int] | None:
    """A table whose text layer gives one cell a line (序号 / 重点任务 / 牵头单位 / … then
    1 / task / lead / …), as a PDF's often does: its rows and the index after it.

    A row runs from its 序号 line to the next number's. A cell wrapped onto several lines is
    placed by what the columns hold: a unit column's lines must join into a unit list, a
    time column's into a time (2025年底前, 长期坚持), the task takes the rest; an empty
    配合单位 or 完成时限 cell may give no line. Page numbers and a header repeated after a
    page break are skipped. The last row takes the most lines that still fit its columns.
    A row that fits no split ends the table and stays text.
    """
    if not _SEQ.fullmatch(re.sub(r"\s+", "", lines[i])):
        return None
    header: list[str] = []
    j = i
    while j < len(lines):
        cell = re.sub(r"\s+", "", lines[j])
        if cell and not _header_cell(cell):
            # a header cell wrapped onto two lines (牵头 / 单位, 完成 / 时限)
            nxt = re.sub(r"\s+", "", lines[j + 1]) if j + 1 < len(lines) else ""
            if len(cell) <= 4 and nxt and not nxt.isdigit() and _header_cell(cell + nxt):
                header.append(cell + nxt)
                j += 2
                continue
            break
        if cell and header and _SEQ.fullmatch(cell):
            break
        header += [cell] if cell else []
        j += 1
    if len(header) < 3:
        return None
    body = [
        (k, lines[k].strip())
        for k in range(j, len(lines))
        if lines[k].strip() and not PAGE_MARK.match(lines[k].strip())
    ]
    width = len(header)
    rows = [header]
    end = j
    n = 0
    while n < len(body) and body[n][1].isdigit():
        written = int(body[n][1])
        if len(rows) > 1 and written != int(rows[-1][0]) + 1:
            break
        limit = min(len(body), n + 1 + 8 * width)
        # a header repeated after a page break
        k = n + 1
        while k < limit:
            if [t for _, t in body[k : k + width]] == header:
                del body[k : k + width]
                limit = min(len(body), limit - width)
                continue
            k += 1
        following = [m for m in range(n + 1, limit) if body[m][1] == str(written + 1)]
        if following:
            cells = _segment(header, [t for _, t in body[n + 1 : following[0]]])
            stop = following[0]
        else:  # the last row: the most lines that still fit
            cells, stop = None, n + 1
            for m in range(limit, n + 1, -1):
                if _kind(header[-1]) == "text" and m != n + width:
                    continue
                cells = _segment(header, [t for _, t in body[n + 1 : m]])
                if cells is not None:
                    stop = m
                    break
        if cells is None:
            break
        rows.append([body[n][1], *cells])
        end = body[stop - 1][0] + 1
        n = stop
    if len(rows) < 2:
        return None
    return rows, end


def rewrite_text_tables(text: str) -> str:
    """Task-breakdown tables kept as tab- or |-separated rows in a text file, or one cell a
    line as a PDF's text layer gives them, made numbered text."""
    lines = text.split("\n")
    out: list[str] = []
    i = 0
    while i < len(lines):
        column = _column_table(lines, i)
        if column is not None:
            ledger = ledger_table_lines(column[0])
            if ledger:
                out.extend(ledger)
                i = column[1]
                continue
        spaced = not ("\t" in lines[i] or "|" in lines[i])
        header = _cells(lines[i], spaced) if _separated(lines[i], spaced) else []
        # columns by spaces only where every header cell is a column name (序号  任务  责任单位)
        if spaced and not all(_header_cell(c) for c in header):
            header = []
        if len(header) >= 3:
            j = i + 1
            rows = [header]
            while j < len(lines) and (
                _separated(lines[j], spaced) or _SPANNING.match(lines[j].strip())
            ):
                cells = _cells(lines[j], spaced) if _separated(lines[j], spaced) else [lines[j]]
                if not all(set(c) <= set("-: ") for c in cells):  # a markdown rule |---|
                    rows.append(cells)
                j += 1
            ledger = ledger_table_lines(rows)
            if ledger:
                out.extend(ledger)
                i = j
                continue
        out.append(lines[i])
        i += 1
    return "\n".join(out)
