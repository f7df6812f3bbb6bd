"""A task-breakdown table inside a document (任务分工表), turned back into numbered text.

Documents often end with, or consist of, a table whose columns are 序号 / 重点任务 /
具体措施 / 牵头单位 / 参与单位 / 完成时限. Written back as "1.措施（牵头单位：…；参与单位：…）"
lines under "一、重点任务" headings, such a table reads like any other document.
"""

from __future__ import annotations

import re

import cn2an

_SEQ = re.compile(r"^(序号|编号|序)$")
_CATEGORY = re.compile(r"^(重点任务|任务类别|主要任务|工作任务|领域|类别|重点工作)$")
_TASK = re.compile(r"(具体措施|工作措施|任务内容|工作内容|主要内容|具体任务|措施|任务|事项)")
_LEAD = re.compile(r"(牵头单位|牵头部门|主要责任单位|牵头责任单位)")
_RESPONSIBLE = re.compile(r"(责任单位|责任部门|负责单位)")
_PART = re.compile(r"(参与单位|参与部门|配合单位|配合部门|协办单位|协同单位)")
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

    lines: list[str] = []
    current_category = None
    chapter = 0
    number = 0
    for row in rows[1:]:
        text = re.sub(r"\s*\n\s*", "", cell(row, task))
        if not text:
            continue
        if category is not None and cell(row, category) and cell(row, category) != current_category:
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


def _cells(line: str) -> list[str]:
    return [c.strip() for c in _CELL_SEP.split(line.strip().strip("|"))]


_HEADER_CELL = (_SEQ, _CATEGORY, _TASK, _LEAD, _RESPONSIBLE, _PART, _WHEN)
_PAGE_NUMBER = re.compile(r"^[—－\-–]+\s*\d{1,3}\s*[—－\-–]+$")


def _header_cell(line: str) -> bool:
    cell = re.sub(r"\s+", "", line)
    return 0 < len(cell) <= 8 and any(p.search(cell) for p in _HEADER_CELL)


def _column_table(lines: list[str], i: int) -> tuple[list[list[str]], int] | None:
    """A table whose text layer gives one cell a line (序号 / 重点任务 / 牵头单位 / … then
    1 / task / lead / …), as a PDF's often does: its rows and the index after it.

    A row is its 序号 line and exactly one line per other column up to the next 序号; a row
    that does not fit (a cell wrapped onto two lines) ends the table and stays text. Page
    numbers and a header repeated after a page break are skipped.
    """
    if not _SEQ.fullmatch(re.sub(r"\s+", "", lines[i])):
        return None
    header: list[str] = []
    j = i
    while j < len(lines) and (not lines[j].strip() or _header_cell(lines[j])):
        cell = re.sub(r"\s+", "", lines[j])
        if cell and header and _SEQ.fullmatch(cell):
            break
        header += [cell] if cell else []
        j += 1
    if len(header) < 3:
        return None
    body = [
        (k, lines[k].strip())
        for k in range(j, len(lines))
        if lines[k].strip() and not _PAGE_NUMBER.match(lines[k].strip())
    ]
    width = len(header)
    rows = [header]
    end = j
    n = 0
    while n < len(body) and body[n][1].isdigit():
        written = int(body[n][1])
        if len(rows) > 1 and written != int(rows[-1][0]) + 1:
            break
        ahead = range(n + 1, min(len(body), n + 3 * width))
        following = [m for m in ahead if body[m][1] == str(written + 1)]
        if following and following[0] != n + width:
            # a cell wrapped onto two lines, or a header repeated after a page break
            if [t for _, t in body[n + width : n + 2 * width]] == header:
                del body[n + width : n + 2 * width]
                continue
            break
        cells = body[n + 1 : n + width]
        if len(cells) < width - 1 or any(t.isdigit() for _, t in cells):
            break
        rows.append([body[n][1], *(t for _, t in cells)])
        end = cells[-1][0] + 1
        n += width
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
        header = _cells(lines[i]) if ("\t" in lines[i] or "|" in lines[i]) else []
        if len(header) >= 3:
            j = i + 1
            rows = [header]
            while j < len(lines) and ("\t" in lines[j] or "|" in lines[j]):
                cells = _cells(lines[j])
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
