"""Official documents (公文) made from frozen runs: a stored evaluation run, the recorded award
entries of a pack and period, the monitoring table of a period. Each is laid out to GB/T
9704-2012 by :mod:`gaoxin.engine.official` with the issuer the pack names (its ``documents:``
section) and carries its receipt (the run, the data version, the pack hash) in the 版记.

Only results the division has approved (已审定, decision 026) are issued. CLI: ``gaoxin doc
write KIND --pack … --period … --out 文件.docx [--pdf]``; guide: docs/guide/official-documents.md.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from gaoxin.engine.money import FEN_PER_WAN
from gaoxin.engine.official import (
    Figure,
    Heading,
    OfficialDocument,
    Paragraph,
    Table,
    date_text,
    print_document,
    write_docx,
)
from gaoxin.engine.problems import Problem, ProblemsError
from gaoxin.services import scope_for


@dataclass(frozen=True)
class Kind:
    code: str
    zh: str
    per_zone: bool = False


KINDS: dict[str, Kind] = {
    k.code: k
    for k in (
        Kind("evaluation", "年度综合评价结果通报"),
        Kind("awards", "奖补资金分配方案"),
        Kind("awards-notice", "奖补资金分配公示"),
        Kind("summons", "约谈通知书", per_zone=True),
        Kind("rectify", "限期整改通知书", per_zone=True),
        Kind("monitor", "监测通报"),
        Kind("ledger", "任务落实进展情况通报"),
    )
}


def _refuse(code: str, message: str, value: str | None = None) -> ProblemsError:
    return ProblemsError([Problem(f"document.{code}", message, value=value)])


def _issuer(pack: Any) -> Any:
    docs = pack.spec.documents
    if docs is None:
        raise _refuse(
            "no_issuer",
            f"《{pack.spec.title}》的政策包没有 documents: 一节（版头、发文字号、主送、印发），"
            "不能生成公文：请系统管理员补上（见 docs/packs.md）",
            pack.spec.id,
        )
    return docs


def _number(docs: Any, today: date, seq: int | None) -> str:
    # Without a sequence number the 发文字号 keeps a blank for the office to fill in by hand.
    return docs.number.format(year=today.year, seq=seq if seq else "　")


def _wan(fen: int | None) -> str:
    return "" if fen is None else f"{Decimal(fen) / FEN_PER_WAN:,.2f}"


def _frame(docs: Any, kind: str, title: str, today: date, seq: int | None, **parts: Any):
    return OfficialDocument(
        kind=kind,
        title=title,
        organ=parts.pop("organ", docs.organ),
        number=parts.pop("number", _number(docs, today, seq)),
        addressees=parts.pop("addressees", docs.addressees),
        signature=docs.signature,
        date=today,
        copy_to=parts.pop("copy_to", docs.copy_to),
        printer=docs.printer,
        printed_on=today,
        **parts,
    )


# --- evaluation --------------------------------------------------------------------------------


def _evaluation(pack: Any, period: str, by: Any, today: date, seq: int | None, **_: Any):
    from gaoxin.awards.models import AwardEntry
    from gaoxin.evaluation.models import EvaluationResult, EvaluationRun, RunStatus

    docs = _issuer(pack)
    run = (
        _visible(EvaluationRun.objects.all(), by)
        .published()
        .filter(pack=pack.spec.id, period=period, status=RunStatus.COMPLETED)
        .order_by("-created_at", "-id")
        .first()
    )
    if run is None:
        raise _refuse(
            "no_run",
            f"没有政策包「{pack.spec.id}」{period} 年已审定的评价运行：先在「评价结果」页面开展评价并审定",
            period,
        )
    results = list(
        EvaluationResult.objects.filter(run=run).select_related("entity").order_by("rank", "id")
    )
    rows = tuple(
        (
            str(r.rank or ""),
            r.entity.name,
            "" if r.score is None else f"{r.score:.2f}",
            r.grade or "",
        )
        for r in results
    )
    actions = _visible(AwardEntry.objects.all(), by).published().standing()
    actions = actions.filter(pack=pack.spec.id, period=period, outcome="action")
    commended = sorted(
        {e.entity.name for e in actions.select_related("entity") if e.action == "commend"}
    )
    summoned = sorted(
        {e.entity.name for e in actions.select_related("entity") if e.action == "summon"}
    )
    grades: dict[str, int] = {}
    for r in results:
        if r.grade:
            grades[r.grade] = grades.get(r.grade, 0) + 1
    spread = "，".join(f"{g}{n}家" for g, n in grades.items()) or "未分等级"
    blocks: list[Any] = [
        Paragraph(
            f"根据《{pack.spec.title}》，我们对{len(results)}家单位{period}年度发展情况进行了综合评价。"
            "现将评价结果通报如下。"
        ),
        Heading(1, "一、评价结果"),
        Paragraph(f"参评单位{len(results)}家，其中{spread}。各单位得分、名次和等级见附表。"),
        Table("综合评价结果", ("名次", "单位", "总分", "等级"), rows, numeric=(0, 2)),
        Heading(1, "二、通报表扬"),
        Paragraph(
            ("对以下单位予以通报表扬：" + "、".join(commended) + "。")
            if commended
            else "本年度无通报表扬的单位。"
        ),
        Heading(1, "三、约谈"),
        Paragraph(
            ("对以下单位进行约谈，督促其查找差距、限期整改：" + "、".join(summoned) + "。")
            if summoned
            else "本年度无约谈的单位。"
        ),
        Heading(1, "四、有关要求"),
        Paragraph("各单位要对照评价结果查找短板弱项，巩固优势，补齐短板，推动高质量发展。"),
    ]
    receipt = (
        f"依据：评价运行第{run.id}号（{run.framework}）　数据版本 {run.data_hash[:12]}"
        f"　政策包 {run.pack}@{run.pack_hash[:12]}",
    )
    return [
        _frame(
            docs,
            "通报",
            f"关于{period}年度高新技术产业开发区综合评价结果的通报",
            today,
            seq,
            blocks=tuple(blocks),
            receipt=receipt,
        )
    ]


def _visible(qs: Any, by: Any) -> Any:
    return qs if by is None else qs.restrict(by)


# --- awards ------------------------------------------------------------------------------------


def _entries(pack: Any, period: str, by: Any, outcome: str) -> list[Any]:
    from gaoxin.awards.models import AwardEntry

    qs = _visible(AwardEntry.objects.all(), by).published().standing()
    qs = qs.filter(pack=pack.spec.id, period=period, outcome=outcome).select_related("entity")
    found = list(qs.order_by("entity__code", "rule", "id"))
    if not found:
        what = "奖补资金" if outcome == "money" else "处理措施"
        raise _refuse(
            "no_entries",
            f"《{pack.spec.title}》{period} 年没有已审定的{what}记录：先在「奖补核定」页试算并记入台账"
            "（命令行：gaoxin awards --record），再由省级审核员审定",
            period,
        )
    return found


def _award_receipt(entries: list[Any]) -> tuple[str, ...]:
    hashes = sorted({e.pack_hash[:12] for e in entries})
    inputs = sorted({e.input_hash[:12] for e in entries})
    return (
        f"依据：奖补台账{len(entries)}条　数据版本 {'、'.join(inputs)}"
        f"　政策包 {entries[0].pack}@{'、'.join(hashes)}",
    )


def _award_table(pack: Any, entries: list[Any]) -> tuple[Table, int]:
    titles = {r.id: r.title or r.id for r in pack.spec.rules}
    rows = []
    total = 0
    for i, e in enumerate(entries, start=1):
        total += e.amount_fen or 0
        rows.append(
            (str(i), e.entity.name, titles.get(e.rule, e.rule), e.article, _wan(e.amount_fen))
        )
    rows.append(("", "合计", "", "", _wan(total)))
    return (
        Table(
            "奖补资金分配表（单位：万元）",
            ("序号", "单位", "奖补事项", "依据条款", "金额"),
            tuple(rows),
            numeric=(0, 4),
        ),
        total,
    )


def _awards(pack: Any, period: str, by: Any, today: date, seq: int | None, **_: Any):
    docs = _issuer(pack)
    entries = _entries(pack, period, by, "money")
    table, total = _award_table(pack, entries)
    units = len({e.entity_id for e in entries})
    blocks = (
        Paragraph(
            f"根据《{pack.spec.title}》，经核定，{period}年度共有{units}家单位符合奖补条件，"
            f"拟安排奖补资金{_wan(total)}万元。现将分配方案印发给你们，请按规定做好资金拨付和使用管理。"
        ),
        Heading(1, "一、分配原则"),
        Paragraph(
            "按照政策规定的条件和标准逐项核定，数据以统计部门和有关单位报送并经审核的数据为准。"
        ),
        Heading(1, "二、分配结果"),
        table,
        Heading(1, "三、资金管理"),
        Paragraph("各单位要专款专用，严禁截留、挪用，并按要求报送资金使用情况。"),
    )
    return [
        _frame(
            docs,
            "方案",
            f"关于印发{period}年度高新技术产业开发区奖补资金分配方案的通知",
            today,
            seq,
            blocks=blocks,
            receipt=_award_receipt(entries),
        )
    ]


def _awards_notice(pack: Any, period: str, by: Any, today: date, seq: int | None, **_: Any):
    docs = _issuer(pack)
    entries = _entries(pack, period, by, "money")
    table, total = _award_table(pack, entries)
    blocks = (
        Paragraph(
            f"根据《{pack.spec.title}》，现将{period}年度奖补资金拟分配结果（合计{_wan(total)}万元）予以公示。"
            "公示期为5个工作日。公示期内，如有异议，请以书面形式向我单位反映，并提供必要的证明材料。"
        ),
        table,
    )
    # A 公示 is posted, not sent: no 版头, 发文字号 or 主送.
    return [
        _frame(
            docs,
            "公示",
            f"{period}年度高新技术产业开发区奖补资金分配结果公示",
            today,
            seq,
            organ="",
            number="",
            addressees="",
            copy_to="",
            blocks=blocks,
            receipt=_award_receipt(entries),
        )
    ]


def _notices(action: str, title: str) -> Callable[..., list[OfficialDocument]]:
    def make(
        pack: Any,
        period: str,
        by: Any,
        today: date,
        seq: int | None,
        zone: str | None = None,
        **_: Any,
    ) -> list[OfficialDocument]:
        docs = _issuer(pack)
        entries = [e for e in _entries(pack, period, by, "action") if e.action == action]
        if zone:
            entries = [e for e in entries if e.entity.code == zone]
        if not entries:
            raise _refuse(
                "no_entries",
                f"政策包「{pack.spec.id}」{period} 年没有已审定的「{title[:-3]}」措施"
                + (f"（园区 {zone}）" if zone else ""),
                period,
            )
        out = []
        for e in entries:
            blocks = (
                Paragraph(
                    f"根据《{pack.spec.title}》{e.article}，经核定，你单位{period}年度情况如下：{e.text}"
                ),
                Paragraph(
                    "请你单位高度重视，认真查找问题原因，制定整改方案，明确整改措施、责任单位和完成时限，"
                    "并按要求报送整改情况。"
                    if action == "rectify"
                    else "请你单位主要负责同志按通知要求参加约谈，并准备书面情况说明。"
                ),
            )
            out.append(
                _frame(
                    docs,
                    "通知书",
                    f"{title}",
                    today,
                    seq,
                    addressees=e.entity.name,
                    blocks=blocks,
                    receipt=_award_receipt([e]),
                )
            )
        return out

    return make


# --- monitoring --------------------------------------------------------------------------------


def _monitor(
    pack: Any,
    period: str,
    by: Any,
    today: date,
    seq: int | None,
    place: Any = None,
    **_: Any,
):
    from gaoxin.engine.monitor import MEASURES, cell_text, unit_kind
    from gaoxin.engine.official.charts import bar_chart
    from gaoxin.engine.periods import Period
    from gaoxin.policy.packs import scope_entity
    from gaoxin.statistics.services import monitor

    docs = _issuer(pack)
    per = Period.parse(period)
    # The pack's region for the operator; a user's own scope (the region's subtree at most), or
    # the place the monitoring page shows (the caller checked it lies in the user's scope).
    scope = place or (scope_for(by) if by is not None else scope_entity(pack.spec.region))
    done = monitor(per, scope, by=by)
    t = done.table
    frame = t.frame  # the 合计 row first, then each zone
    kinds = t.kinds()
    headers = t.headers()
    tables: list[Any] = []
    zones = frame.filter(~frame["is_total"]) if "is_total" in frame.columns else frame
    names = [n or c for c, n in zip(zones["zone"], zones["zone_name"], strict=True)]
    measure = dict(MEASURES)
    figures = 0
    for ind in t.indicators:
        cols = [h for h in headers if h.startswith(f"{ind.zh}·")]
        idx = [headers.index(h) for h in cols][:4]  # 本期、累计、同比、排名 fit the page
        rows = tuple(
            (row[1] or row[0], *[cell_text(row[i], kinds[i]) for i in idx])
            for row in frame.iter_rows()
        )
        tables.append(
            Table(
                ind.zh,
                ("园区", *[headers[i].split("·", 1)[1] for i in idx]),
                rows,
                numeric=tuple(range(1, len(idx) + 1)),
            )
        )
        # Under each table a chart of the zones' year-to-date value (the period's own when the
        # indicator is not cumulated), its title and source under it.
        key = next(
            (k for k in ("cumulative", "current") if zones[f"{ind.code}__{k}"].drop_nulls().len()),
            None,
        )
        if key is not None:
            figures += 1
            tables.append(
                Figure(
                    bar_chart(
                        names,
                        zones[f"{ind.code}__{key}"].to_list(),
                        ind.unit,
                        decimals=0 if unit_kind(ind) == "count" else 2,
                    ),
                    f"图{figures}　各高新区{ind.zh}（{measure[key]}，{ind.unit}）",
                    f"数据来源：各高新区报送的{per.label()}统计报表",
                )
            )
    name = "季度分析报告" if per.kind == "quarter" else "月度监测通报"
    blocks = (
        Paragraph(f"现将{per.label()}全省高新区主要经济指标监测情况通报如下。"),
        Heading(1, "一、主要指标"),
        *tables,
    )
    return [
        _frame(
            docs,
            "通报",
            f"关于{per.label()}高新区主要经济指标的{name}",
            today,
            seq,
            blocks=blocks,
            receipt=(f"依据：监测表（{per.label()}）　数据版本 {t.input_hash[:12]}",),
        )
    ]


# --- task ledger -------------------------------------------------------------------------------


def _ledger(
    pack: Any,
    period: str,
    by: Any,
    today: date,
    seq: int | None,
    document: int | None = None,
    **_: Any,
):
    from gaoxin.policy.services import ledger_summary

    docs = _issuer(pack)
    frame = ledger_summary(by=by, group="unit", document=document)
    if frame.is_empty():
        raise _refuse(
            "no_ledger",
            "任务台账中没有可汇总的措施：请系统管理员先导入政策文件（命令行：gaoxin doc ledger import）",
        )
    counts = ["措施数", "牵头", "参与", "未启动", "推进中", "已完成", "滞后"]
    cols = ["责任单位", *[c for c in counts if c in frame.columns]]
    rows = tuple(
        tuple(
            str(int(v)) if c in counts and v is not None else ("" if v is None else str(v))
            for c, v in zip(cols, row, strict=True)
        )
        for row in frame.select(cols).iter_rows()
    )
    total = {c: int(frame[c].sum()) for c in counts if c in frame.columns}
    late = frame.filter(frame["滞后"] > 0)["责任单位"].to_list() if "滞后" in frame.columns else []
    blocks = (
        Paragraph(
            f"截至{date_text(today)}，任务台账共分解措施{total.get('措施数', 0)}项次，"
            f"已完成{total.get('已完成', 0)}项次，推进中{total.get('推进中', 0)}项次，"
            f"未启动{total.get('未启动', 0)}项次，滞后{total.get('滞后', 0)}项次。现将进展情况通报如下。"
        ),
        Heading(1, "一、各责任单位进展"),
        Table(
            "任务落实进展情况（单位：项）", tuple(cols), rows, numeric=tuple(range(1, len(cols)))
        ),
        Heading(1, "二、滞后单位"),
        Paragraph(
            ("以下单位有滞后措施，请抓紧推进并报送进展：" + "、".join(late) + "。")
            if late
            else "目前没有滞后的措施。"
        ),
        *_reminder_blocks(by, document),
    )
    return [
        _frame(
            docs,
            "通报",
            f"关于{period}年政策措施落实进展情况的通报",
            today,
            seq,
            blocks=blocks,
            receipt=(f"依据：任务台账，截至{date_text(today)}（文件 {document or '全部'}）",),
        )
    ]


def _reminder_blocks(by: Any, document: int | None) -> tuple[Any, ...]:
    """三、督办情况: the 督办 reminders sent about the shares ``by`` sees (decision 043), oldest
    first; nothing when none was sent."""
    from gaoxin.engine.clock import DISPLAY_ZONE
    from gaoxin.policy.services import reminders

    sent = reminders(by=by, document=document)
    if not sent:
        return ()

    def sender(r: Any) -> str:
        profile = getattr(r.sent_by, "profile", None)
        return (getattr(profile, "organisation", "") or r.sent_by.get_full_name()) or str(r.sent_by)

    rows = tuple(
        (
            date_text(r.sent_at.astimezone(DISPLAY_ZONE).date()),
            sender(r),
            r.assignment.unit_label,
            r.assignment.measure.number,
            r.text,
        )
        for r in reversed(sent)
    )
    return (
        Heading(1, "三、督办情况"),
        Paragraph(f"对滞后或进展缓慢的任务共发出督办{len(rows)}次，情况如下。"),
        Table("督办情况", ("督办日期", "督办单位", "责任单位", "措施", "督办内容"), rows),
    )


MAKERS: dict[str, Callable[..., list[OfficialDocument]]] = {
    "evaluation": _evaluation,
    "awards": _awards,
    "awards-notice": _awards_notice,
    "summons": _notices("summon", "约谈通知书"),
    "rectify": _notices("rectify", "限期整改通知书"),
    "monitor": _monitor,
    "ledger": _ledger,
}


@functools.cache
def _issuers() -> dict[str, str]:
    """Region code → the shipped pack (directory name) with a ``documents:`` section for it,
    the first by name when several are."""
    from gaoxin.policy.packs import find_pack, shipped_packs

    out: dict[str, str] = {}
    for d in shipped_packs():
        spec = find_pack(d.name).spec
        if spec.documents is not None and spec.region:
            out.setdefault(spec.region, d.name)
    return out


def issues(pack: str) -> bool:
    """Whether ``pack`` (a shipped pack's directory name) has a ``documents:`` section."""
    return pack in _issuers().values()


def issuing_pack(place: Any) -> str | None:
    """The pack that issues documents for ``place`` (an Entity): the one of the nearest region
    above it or itself (a zone's province), or None."""
    if place is None:
        return None
    from gaoxin.registry.models import Entity

    issuers = _issuers()
    ids = [int(x) for x in place.path.split("/") if x.isdigit()]
    chain = sorted(Entity.objects.filter(pk__in=ids), key=lambda e: -len(e.path))
    return next((issuers[e.code] for e in chain if e.code in issuers), None)


def official_documents(
    kind: str,
    *,
    pack: str,
    period: str,
    by: Any,
    zone: str | None = None,
    seq: int | None = None,
    today: date | None = None,
    document: int | None = None,
    place: Any = None,
) -> list[OfficialDocument]:
    """The documents of ``kind`` (:data:`KINDS`) made from ``pack``'s frozen run of ``period``
    within ``by``'s scope: one, or one per zone for a notice (``zone`` narrows to one)."""
    from gaoxin.policy.packs import find_pack

    if kind not in KINDS:
        raise _refuse(
            "unknown_kind",
            f"未知的公文种类「{kind}」；可选："
            + "、".join(f"{k}（{v.zh}）" for k, v in KINDS.items()),
            kind,
        )
    loaded = find_pack(pack)
    extra = {"document": document} if kind == "ledger" else {"zone": zone, "place": place}
    return MAKERS[kind](loaded, period, by, today or date.today(), seq, **extra)


def write_official_documents(
    kind: str,
    out: Path,
    *,
    pack: str,
    period: str,
    by: Any,
    zone: str | None = None,
    seq: int | None = None,
    pdf: bool = False,
    today: date | None = None,
    document: int | None = None,
    place: Any = None,
) -> list[Path]:
    """Write the documents to ``out`` (.docx; one per zone named ``out``-园区名.docx for a
    notice) and, with ``pdf``, their PDF beside each. Returns the files written."""
    from gaoxin.policy.packs import find_pack

    made = official_documents(
        kind,
        pack=pack,
        period=period,
        by=by,
        zone=zone,
        seq=seq,
        today=today,
        document=document,
        place=place,
    )
    loaded = find_pack(pack)
    docs = loaded.spec.documents
    template = loaded.path / docs.template if docs and docs.template and loaded.path else None
    written: list[Path] = []
    for d in made:
        path = out if len(made) == 1 else out.with_name(f"{out.stem}-{d.addressees}{out.suffix}")
        if pdf:
            written.extend(print_document(d, path, template=template))
        else:
            written.append(write_docx(d, path, template=template))
    return written


__all__ = ["KINDS", "date_text", "official_documents", "write_official_documents"]
