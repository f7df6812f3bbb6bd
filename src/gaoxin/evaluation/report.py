"""The printed result of a stored run: the XLSX a division hands round.

Sheets: 排名 (titled ranking: 名次, unit, 总分, 等级, 名次变化, the dimension scores), 指标 (the raw
values each unit was evaluated on, with units), 优势与短板 (each unit's best and worst indicators by
rank), 插补 and 异常值处理 (what the engine did to the data), 运行记录 (the receipt: pack and its
hash, framework hash, data hash, engine version).
Everything is read from the database, so the file can be rebuilt from any run.
"""

from __future__ import annotations

import math
import unicodedata
from pathlib import Path
from typing import Any

from gaoxin.engine.clock import local_text
from gaoxin.engine.composite.inputs import column_units
from gaoxin.engine.composite.pipeline import DATA_HASH_BEFORE_051
from gaoxin.engine.periods import Period
from gaoxin.engine.tabular import printed
from gaoxin.evaluation.frameworks import find_pack
from gaoxin.evaluation.models import EvaluationRun
from gaoxin.evaluation.store import input_frame, result_frame

IMPUTATION_ZH = {
    "mean": "参评单位均值",
    "median": "参评单位中位数",
    "group_mean": "同组均值",
    "group_median": "同组中位数",
    "last": "最近一期观测值",
}
TREATMENT_ZH = {
    "pass": "无需处理",
    "skipped": "不处理（按评价体系）",
    "winsorised": "缩尾处理",
    "log": "对数变换",
    "log_fails": "对数变换后仍偏态",
}
UNIT_ZH = {"zone": "高新区", "enterprise": "企业"}
# Beyond this many columns a sheet fitted to an A4 page width is too small to read.
MAX_COLUMNS_PER_PAGE = 14


def _display_width(text: str) -> int:
    """Width in Excel column units at 10 pt: a CJK character takes two, other characters one."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _names(fw) -> dict[str, str]:
    """Chinese names of the framework's nodes, indicator columns and items (codes otherwise)."""
    if fw is None:
        return {}
    from gaoxin.engine.facts import ATTRIBUTES
    from gaoxin.engine.indicators import default_indicators
    from gaoxin.engine.variables import default_catalogue

    names = {a: label for a, (_, label) in ATTRIBUTES.items()}
    names["zone"] = "所属园区"
    names.update({v.code: v.zh for v in default_catalogue()})
    names.update({i.code: i.zh for i in default_indicators()})
    names.update({n.code: n.name or n.code for n, _, _ in fw.nodes()})
    names.update({n.column or n.code: n.name or n.code for n in fw.indicators()})
    for it in [*fw.bonus, *fw.penalty, *fw.veto]:
        names.setdefault(it.column, getattr(it, "reason", None) or it.code)
    return names


def _framework(run: EvaluationRun):
    """The framework the run used (kept in its record), for names and units in headers; the
    pack's copy if the record predates that and the file is unchanged; else None (codes)."""
    from pydantic import ValidationError

    from gaoxin.engine.composite import Framework

    spec = run.record.get("framework_spec")
    if spec is not None:
        try:
            return Framework.model_validate(spec)
        except ValidationError:  # written by another version of the spec
            pass
    try:
        fw, _ = find_pack(run.pack).framework(run.framework)
    except Exception:
        return None
    return fw if fw.content_hash() == run.framework_hash else None


def write_run_xlsx(run: EvaluationRun, path: str | Path) -> Path:
    import xlsxwriter

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fw = _framework(run)
    names = _names(fw)
    units = column_units(fw) if fw is not None else {}
    unit_zh = UNIT_ZH.get(run.level, "单位")
    period_label = Period.parse(run.period).label()
    scope_name = run.scope.name if run.scope_id else ""
    title = f"{scope_name}{run.title or run.framework}（{period_label}）"
    note = (
        f"评价运行 #{run.pk}　参评{unit_zh} {run.units} 个　数据哈希 {run.data_hash[:12]}　"
        f"评价体系哈希 {run.framework_hash[:12]}　运行时间 {local_text(run.created_at, seconds=False)}"
    )

    from gaoxin.engine.tabular.safe import XLSX_OPTIONS

    wb = xlsxwriter.Workbook(str(path), XLSX_OPTIONS)
    wb.set_properties({"title": title, "created": run.created_at.replace(tzinfo=None)})
    look = printed.formats(wb, title={"text_wrap": True})
    f_title, f_note, f_head, f_text = look.title, look.note, look.head, look.text
    f_wrap = look.cell(text_wrap=True, valign="top")
    f_score = look.cell(num_format="0.00")
    f_value = look.cell(num_format="#,##0.####")
    # "#,##0.####" prints a whole number with a trailing point (12.): counts get "#,##0"
    f_whole = look.cell(num_format="#,##0")
    f_rank = look.cell(num_format="0", align="center")
    f_change = look.cell(num_format="+0;-0;0", align="center")
    f_centre = look.cell(align="center")

    widths_of: dict[str, list[float]] = {}
    row_lines: dict[tuple[str, int], int] = {}

    def sheet(name: str, headers: list[str], widths: list[float], heading: str):
        ws = wb.add_worksheet(name)
        n = len(headers)
        span = min(n, 8) if n > MAX_COLUMNS_PER_PAGE else n  # the title on the first page
        if n > 1:
            ws.merge_range(0, 0, 0, span - 1, heading, f_title)
            ws.merge_range(1, 0, 1, span - 1, note, f_note)
        else:
            ws.write(0, 0, heading, f_title)
            ws.write(1, 0, note, f_note)
        # a 16 pt title is 1.6 times as wide as 10 pt text; two lines when it does not fit
        title_lines = math.ceil(_display_width(heading) * 1.6 / sum(widths[:span]))
        ws.set_row(0, 24 * min(max(title_lines, 1), 2) + 4)
        widths_of[ws.name] = widths
        for j, (h, w) in enumerate(zip(headers, widths, strict=True)):
            ws.write(2, j, h, f_head)
            ws.set_column(j, j, w)
        ws.set_row(2, 45)  # three lines of wrapped header
        ws.freeze_panes(3, 0)
        printed.page_setup(
            ws, (0, 2), landscape=n > 7, fit_width=n <= MAX_COLUMNS_PER_PAGE, top=0.5, centre=True
        )
        if n > MAX_COLUMNS_PER_PAGE:  # too wide to read on one page: run across pages, code
            ws.repeat_columns(0, 1)  # and name on each
            ws.set_row(2, 45)
            ws.freeze_panes(3, 2)
        return ws

    def cell(ws, r: int, c: int, v: Any, fmt) -> None:
        if v is None or (isinstance(v, float) and v != v):
            ws.write_blank(r, c, None, fmt)
            return
        if fmt is f_value and isinstance(v, int | float) and float(v).is_integer():
            fmt = f_whole
        ws.write(r, c, v, fmt)
        if fmt is f_wrap and isinstance(v, str):  # Excel does not grow a row for wrapped text
            lines = math.ceil(_display_width(v) / max(widths_of[ws.name][c] - 1, 1))
            if lines > row_lines.get((ws.name, r), 1):
                row_lines[(ws.name, r)] = lines
                ws.set_row(r, 13.5 * lines)

    # 排名
    res = result_frame(run)
    dims = [n.code for n in fw.index.children] if fw is not None else []
    extra = [c for c in ("bonus", "penalty") if c in res.columns]
    group_ranks = [c for c in res.columns if c.startswith("rank_") and c != "rank_change"]
    dims = [d for d in dims if d in res.columns]
    has_veto = res["veto"].str.len_chars().fill_null(0).sum() > 0
    vetoes = {v.code: v.reason or v.code for v in fw.veto} if fw is not None else {}
    enterprise = run.level == "enterprise"
    headers = ["名次", f"{unit_zh}代码", unit_zh]
    widths = [6.0, 20.0 if enterprise else 12.0, 26.0]
    if enterprise:
        headers.append("所属园区")
        widths.append(22.0)
    headers += ["总分", "等级", "名次变化"]
    widths += [9.0, 8.0, 8.0]
    headers += [f"组内名次（{names.get(c[5:], c[5:])}）" for c in group_ranks]
    widths += [9.0] * len(group_ranks)
    if has_veto:
        headers.append("否决项")
        widths.append(18.0)
    headers += [names.get(d, d) for d in dims] + [
        {"bonus": "加分", "penalty": "扣分"}[c] for c in extra
    ]
    widths += [11.0] * (len(dims) + len(extra))
    ws = sheet("排名", headers, widths, title + " 排名")
    for i, r in enumerate(res.iter_rows(named=True)):
        row = 3 + i
        values = [(r["rank"], f_rank), (r["entity"], f_text), (r["name"], f_text)]
        if enterprise:
            values.append((r["parent"], f_text))
        values += [
            (r["score"], f_score),
            (r["grade"] or None, f_centre),
            (r["rank_change"], f_change),
            *[(r[c], f_rank) for c in group_ranks],
        ]
        for j, (v, fmt) in enumerate(values):
            cell(ws, row, j, v, fmt)
        j = len(values)
        if has_veto:
            fired = [vetoes.get(v, v) for v in (r["veto"] or "").split(";") if v]
            cell(ws, row, j, "；".join(fired) or None, f_wrap)
            j += 1
        for c in [*dims, *extra]:
            cell(ws, row, j, r[c], f_score)
            j += 1
    foot = 3 + res.height + 1
    if run.previous_id is None:
        ws.write(
            foot,
            0,
            f"名次变化：{run.parameters.get('previous_period')} 无评价结果，未计算。",
            f_note,
        )
    else:
        ws.write(
            foot,
            0,
            f"名次变化：与{run.parameters.get('previous_period')}评价（运行 #{run.previous_id}）相比，正数为上升。",
            f_note,
        )

    # 指标
    inputs = input_frame(run)
    cols = [c for c in inputs.columns if c not in ("entity", "name")]
    heads = [f"{names.get(c, c)}（{units[c]}）" if c in units else names.get(c, c) for c in cols]
    ws = sheet(
        "指标",
        [f"{unit_zh}代码", unit_zh, *heads],
        [12.0, 26.0, *[12.0] * len(cols)],
        title + " 指标原始值",
    )
    for i, vals in enumerate(inputs.iter_rows()):
        cell(ws, 3 + i, 0, vals[0], f_text)
        cell(ws, 3 + i, 1, vals[1], f_text)
        for j, v in enumerate(vals[2:]):
            cell(ws, 3 + i, 2 + j, v, f_value if isinstance(v, int | float) else f_text)

    # 优势与短板: each unit's best and worst indicators by its rank among the units
    ws = sheet(
        "优势与短板",
        ["名次", f"{unit_zh}代码", unit_zh, "优势指标（排名最靠前）", "短板指标（排名最靠后）"],
        [6.0, 20.0 if enterprise else 12.0, 26.0, 40.0, 40.0],
        title + " 优势与短板",
    )
    for i, r in enumerate(res.iter_rows(named=True)):
        row = 3 + i
        cell(ws, row, 0, r["rank"], f_rank)
        cell(ws, row, 1, r["entity"], f_text)
        cell(ws, row, 2, r["name"], f_text)
        for j, k in ((3, "strengths"), (4, "weaknesses")):
            codes = [c for c in (r[k] or "").split(";") if c]
            cell(ws, row, j, "、".join(names.get(c, c) for c in codes) or None, f_wrap)

    # 插补
    by_code = dict(zip(inputs["entity"], inputs["name"], strict=True))
    imputed = run.record.get("imputed", [])
    ws = sheet(
        "插补",
        [f"{unit_zh}代码", unit_zh, "指标", "插补值", "方法"],
        [12.0, 26.0, 24.0, 12.0, 16.0],
        title + " 缺失值插补",
    )
    for i, r in enumerate(imputed):
        cell(ws, 3 + i, 0, r["unit"], f_text)
        cell(ws, 3 + i, 1, by_code.get(r["unit"]), f_text)
        cell(ws, 3 + i, 2, names.get(r["indicator"], r["indicator"]), f_text)
        cell(ws, 3 + i, 3, r["value"], f_value)
        cell(ws, 3 + i, 4, IMPUTATION_ZH.get(r["method"], r["method"]), f_text)
    if not imputed:
        ws.write(3, 0, "无缺失值插补。", f_note)

    # 异常值处理
    treatment = run.record.get("treatment", [])
    ws = sheet(
        "异常值处理",
        [
            "指标",
            "偏度",
            "峰度",
            "处理",
            "上端缩尾单位",
            "下端缩尾单位",
            "处理后偏度",
            "处理后峰度",
        ],
        [30.0, 8.0, 8.0, 14.0, 22.0, 22.0, 10.0, 10.0],
        title + " 异常值处理",
    )
    for i, r in enumerate(treatment):
        row = 3 + i
        cell(ws, row, 0, names.get(r["indicator"], r["indicator"]), f_wrap)
        cell(ws, row, 1, r["skew"], f_score)
        cell(ws, row, 2, r["kurtosis"], f_score)
        cell(ws, row, 3, TREATMENT_ZH.get(r["status"], r["status"]), f_text)
        for j, k in ((4, "winsorised_high"), (5, "winsorised_low")):
            who = [by_code.get(u, u) for u in (r[k] or "").split(";") if u]
            cell(ws, row, j, "、".join(who) or None, f_wrap)
        cell(ws, row, 6, r["skew_after"], f_score)
        cell(ws, row, 7, r["kurtosis_after"], f_score)
    if not treatment:
        ws.write(3, 0, "本评价体系不做异常值处理。", f_note)

    # 运行记录
    rec = run.record
    p = run.parameters
    receipt: list[tuple[str, Any]] = [
        ("评价运行编号", run.pk),
        ("政策包", run.pack),
        ("政策包哈希 (SHA-256)", run.pack_hash),
        ("评价体系", f"{run.framework}（{run.title}）"),
        ("评价体系版本", run.framework_version),
        ("评价体系哈希 (SHA-256)", run.framework_hash),
        ("期间", f"{run.period}（{period_label}）"),
        ("范围", scope_name or "全部"),
        ("评价对象", unit_zh),
        ("参评单位筛选", p.get("where") or "无"),
        ("输入数据哈希 (SHA-256)", run.data_hash),
        # runs stored before decision 051 hashed the CSV of their inputs and do not say so
        ("输入数据哈希算法", rec.get("data_hash_algorithm", DATA_HASH_BEFORE_051)),
        ("引擎版本", run.engine_version),
        ("运行时间", f"{local_text(run.created_at)}（北京时间）"),
        ("操作人", str(run.created_by) if run.created_by_id else "命令行"),
        ("审核状态", run.get_approval_display()),
        (
            "名次变化对照",
            f"运行 #{run.previous_id}（{p.get('previous_period')}）" if run.previous_id else "无",
        ),
        ("插补所用往期", "、".join(p.get("history_periods") or []) or "无"),
        ("参评单位数", run.units),
        ("因数据不足剔除", "、".join(rec.get("units_screened_out") or []) or "无"),
        ("插补缺失值个数", rec.get("imputed_cells", 0)),
    ]
    for w in rec.get("weights", {}).items():
        node, ws_ = w
        receipt.append(
            (
                f"权重：{names.get(node, node)}",
                "；".join(f"{names.get(k, k)} {v:.4f}" for k, v in ws_.items()),
            )
        )
    for w in rec.get("warnings", []):
        receipt.append(
            ("提示", f"{w.get('column') or ''} {w.get('value') or ''} {w['message']}".strip())
        )
    ws = sheet("运行记录", ["项目", "内容"], [22.0, 72.0], title + " 运行记录")
    for i, (k, v) in enumerate(receipt):
        cell(ws, 3 + i, 0, k, f_text)
        cell(ws, 3 + i, 1, str(v), f_wrap)
    printed.close(wb)
    return path
