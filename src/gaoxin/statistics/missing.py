"""The zones a period's figures leave out, and why (decision 091).

A zone is expected to report when it has statistics, its own or its enterprises', this year or
last; one with no value for the period is missing from what is read (published data, or the
preview). Its returns of that period's forms (:class:`~gaoxin.statistics.models.Submission`)
say why: 未报送 (no return, or drafts only; overdue or not yet due), 已报送、待审核 (submitted or
approved by the city, waiting for the province: its values count once approved) or 退回修改
(sent back). The monitoring page, ``gaoxin monitor``, its workbook and the API all print
:meth:`Missing.lines`; the dashboard's charts count the zones a total covers with
:func:`zones_with_data`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import polars as pl

from gaoxin.engine.periods import Period

NOT_REPORTED, IN_REVIEW, RETURNED = "not_reported", "in_review", "returned"
#: The groups in the order they are printed, as every face names them.
STATUS_LABELS: dict[str, str] = {
    NOT_REPORTED: "未报送",
    IN_REVIEW: "已报送、待审核",
    RETURNED: "退回修改",
}
#: Where a return waiting for review stands, and whose review it waits for.
WAITING: dict[str, str] = {
    "submitted": "已提交，{since}起待审核",
    "city_approved": "市级已审核，{since}起待省级审定",
}
#: What a 未报送 zone's return says, when it has one.
NOTES: dict[str, str] = {
    "draft": "仅有草稿",
    "province_approved": "报送已审定，但其中没有本期数据",
}
#: Who sent a return back, by the move that did.
RETURNED_BY: dict[str, str] = {
    "city_return": "市级",
    "province_return": "省级",
    "unlock": "省级解锁",
}


@dataclass(frozen=True)
class MissingZone:
    """One expected zone without values for the period."""

    code: str
    name: str
    status: str  # NOT_REPORTED, IN_REVIEW or RETURNED
    #: Its furthest return's state (draft, submitted, city_approved, returned, or
    #: province_approved when the approved return holds no value for the period); None: none.
    state: str | None = None
    #: When that return reached its state, and the move that took it there.
    since: dt.datetime | None = None
    action: str = ""
    #: The earliest deadline of the period's forms assigned to it (None: no form assigned).
    deadline: dt.date | None = None


@dataclass(frozen=True)
class Missing:
    """The zones expected to report ``period`` (``expected`` of them) that the figures read
    leave out, with where their returns stand; ``preview`` when the figures include data under
    review (then no zone waits for review here: its values are in)."""

    period: Period
    expected: int = 0
    zones: tuple[MissingZone, ...] = ()
    preview: bool = False

    def __len__(self) -> int:
        return len(self.zones)

    def __bool__(self) -> bool:
        return bool(self.zones)

    @property
    def covered(self) -> int:
        """The expected zones whose values the figures hold."""
        return self.expected - len(self.zones)

    def of(self, status: str) -> tuple[MissingZone, ...]:
        return tuple(z for z in self.zones if z.status == status)

    def heading(self) -> str:
        """``2025年12月未计入本表的园区：5 个（应报 12 个）``."""
        return f"{self.period.label()}未计入本表的园区：{len(self.zones)} 个（应报 {self.expected} 个）"

    def groups(self, today: dt.date | None = None) -> list[tuple[str, str]]:
        """Per status with zones, its label with the count and the zones named with where
        their returns stand: ``("已报送、待审核（1 个园区）", "泉州…（市级已审核，…）。…")``."""
        today = today or _today()
        out = []
        for status, label in STATUS_LABELS.items():
            zones = self.of(status)
            if zones:
                out.append((f"{label}（{len(zones)} 个园区）", _describe(status, zones, today)))
        return out

    def lines(self, today: dt.date | None = None) -> list[str]:
        """The heading and one line per status: what the terminal, the workbook and the page
        print, word for word."""
        if not self.zones:
            return []
        return [self.heading()] + [f"{label}：{text}" for label, text in self.groups(today)]

    def coverage(self) -> str:
        """``2025年12月：12 个园区中 7 个数据已审定`` (the preview: 有数据（含未审核）)."""
        return coverage_text(self.period, self.expected, self.covered, preview=self.preview)


def coverage_text(period: Period, expected: int, covered: int, *, preview: bool = False) -> str:
    """How many of the zones expected in ``period`` a total covers: ``2025年12月：12 个园区中
    7 个数据已审定`` (the preview: 有数据（含未审核）)."""
    done = "有数据（含未审核）" if preview else "数据已审定"
    return f"{period.label()}：{expected} 个园区中 {covered} 个{done}"


def coverage_note(points: Sequence[tuple[Period, int, int]], *, preview: bool = False) -> str:
    """Under a chart whose totals cover fewer zones than expected: for each run of points
    (period, expected, covered) in a row with the same counts, ``2025年1月至11月：12 个园区中
    11 个数据已审定``, and what the other zones are."""
    if not points:
        return ""
    runs: list[list[tuple[Period, int, int]]] = []
    for p in sorted(points, key=lambda t: (t[0].kind, t[0].year, t[0].index)):
        last = runs[-1][-1] if runs else None
        if (
            last is not None
            and last[1:] == p[1:]
            and last[0].kind == p[0].kind
            and last[0].year == p[0].year
            and last[0].next() == p[0]
        ):
            runs[-1].append(p)
        else:
            runs.append([p])
    texts = []
    for run in runs:
        (first, expected, covered), end = run[0], run[-1][0]
        text = coverage_text(first, expected, covered, preview=preview)
        if end != first:  # 2025年1月至11月
            suffix = f"{end.index}月" if end.kind == "month" else end.label()
            text = text.replace(f"{first.label()}：", f"{first.label()}至{suffix}：", 1)
        texts.append(text)
    rest = "其余园区本期没有数据" if preview else "其余园区的数据尚未审定或未报送"
    return f"注：{'；'.join(texts)}；{rest}，未计入合计。"


def _today() -> dt.date:
    from gaoxin.statistics.completeness import today

    return today()


def _day(moment: dt.datetime | dt.date) -> str:
    from gaoxin.engine.clock import local_time

    d = local_time(moment).date() if isinstance(moment, dt.datetime) else moment
    return f"{d.year}年{d.month}月{d.day}日"


def _describe(status: str, zones: Sequence[MissingZone], today: dt.date) -> str:
    if status == IN_REVIEW:
        names = "、".join(
            f"{z.name}（{WAITING[z.state or 'submitted'].format(since=_day(z.since)) if z.since else '待审核'}）"
            for z in zones
        )
        return f"{names}。省级审定后计入本表；「预览未审核数据」可先查看其数值。"
    if status == RETURNED:
        names = "、".join(
            f"{z.name}（{_day(z.since)}{RETURNED_BY.get(z.action, '')}退回）" if z.since else z.name
            for z in zones
        )
        return f"{names}。待园区修改后重新提交。"
    deadlines = {z.deadline for z in zones}
    one = len(deadlines) == 1 and None not in deadlines

    def name(z: MissingZone) -> str:
        notes = [NOTES[z.state]] if z.state in NOTES else []
        if not one and z.deadline is not None:
            notes.append(_due(z.deadline, today))
        return f"{z.name}（{'，'.join(notes)}）" if notes else z.name

    names = "、".join(name(z) for z in zones)
    return f"{names}。{_due(next(iter(deadlines)), today)}。" if one else f"{names}。"


def _due(deadline: dt.date, today: dt.date) -> str:
    if today > deadline:
        return f"填报截止日 {_day(deadline)} 已过，已逾期"
    return f"填报截止日为 {_day(deadline)}，尚未到期"


# --- from the figures: who is expected, who has values ------------------------------------


def zone_periods(facts, *, zones: Iterable[str] | None = None) -> pl.DataFrame:
    """The (zone, period) pairs with any value, the zone's own or its enterprises' (columns
    ``zone``, ``period`` as text), of ``zones`` only when given."""
    text = pl.col("period").cast(pl.String)
    rows = facts.observations
    entities = facts.entities.select(pl.col("entity", "zone").cast(pl.String))
    if zones is not None:
        # a city's or a zone's dashboard over its province's facts: its rows first (a semi
        # join on the stored entity type scans; the unique below is what costs, ~1.3 s for
        # 6 M rows against 0.06 s for two zones' rows)
        wanted = entities.filter(pl.col("zone").is_in(list(zones))).select(
            pl.col("entity").cast(rows.schema["entity"], strict=False)
        )
        rows = rows.join(wanted.drop_nulls(), on="entity", how="semi")
    # unique before the text: one cast per pair, not per row
    found = (
        rows.select("entity", "period")
        .unique()
        .select(pl.col("entity").cast(pl.String), text.alias("period"))
        .unique()
    )
    return (
        found.join(entities, on="entity", how="inner")
        .drop_nulls("zone")
        .select("zone", "period")
        .unique()
    )


def expected_and_silent(
    pairs: pl.DataFrame, period: Period, zones: Iterable[str] | None = None
) -> tuple[list[str], list[str]]:
    """From :func:`zone_periods`: the zones expected for ``period`` (a value this year or last)
    and those of them with none in it (for a quarter: neither the quarter's own nor its last
    month's, whose year-to-date its table reads), among ``zones`` when given."""
    codes = {str(period)}
    if period.kind == "quarter":  # its table is read from its last month's year-to-date
        codes.add(str(period.months()[-1]))
    years = {str(period.year), str(period.year - 1)}
    if zones is not None:
        pairs = pairs.filter(pl.col("zone").is_in(list(zones)))
    expected = set(pairs.filter(pl.col("period").str.slice(0, 4).is_in(list(years)))["zone"])
    reported = set(pairs.filter(pl.col("period").is_in(list(codes)))["zone"])
    return sorted(expected), sorted(expected - reported)


def zones_with_data(
    pairs: pl.DataFrame, periods: Sequence[str], zones: Sequence[str]
) -> dict[str, tuple[int, int]]:
    """Per period code (a month or a year) of ``periods``: (zones expected, zones with data)
    among ``zones``, as :class:`Missing` counts them (the dashboard's trend charts)."""
    out = {}
    pairs = pairs.filter(pl.col("zone").is_in(list(zones)))  # once, not once a period
    for code in periods:
        expected, silent = expected_and_silent(pairs, Period.parse(code))
        out[code] = (len(expected), len(expected) - len(silent))
    return out


# --- from the returns: why ----------------------------------------------------------------


def missing(facts, period: Period, *, by: Any = None, preview: bool = False) -> Missing:
    """The zones of ``facts`` expected to report ``period`` with no value in it, by where their
    returns of the period's forms stand, among the returns ``by`` may see (None: all)."""
    pairs = zone_periods(facts)
    expected, silent = expected_and_silent(pairs, period)
    names = dict(
        facts.entities.filter(pl.col("kind") == "zone")
        .select(pl.col("entity", "name").cast(pl.String))
        .iter_rows()
    )
    found = _returns(period, silent, by=by)
    zones = sorted(
        (
            found.get(code) or MissingZone(code, names.get(code, code), NOT_REPORTED)
            for code in silent
        ),
        key=lambda z: (z.name, z.code),
    )
    return Missing(period, len(expected), tuple(zones), preview)


#: Among a zone's returns of a period, which one says where it stands: the furthest along.
_RANK = {"submitted": 4, "city_approved": 5, "returned": 3, "draft": 1, "province_approved": 0}


def _returns(period: Period, codes: Sequence[str], *, by: Any) -> dict[str, MissingZone]:
    """Per zone code, where its returns of ``period``'s forms stand (every zone of ``codes``
    with a form assigned; the deadline is the earliest of its forms')."""
    from django.db.models import Max

    from gaoxin.registry.models import Entity
    from gaoxin.statistics.models import (
        FormAssignment,
        ReportingForm,
        Submission,
        SubmissionEvent,
    )

    if not codes:
        return {}
    # the periods of the forms that feed the table: a quarter's own and its months'
    wanted = {period.kind: period}
    if period.kind == "quarter":
        wanted["month"] = period.months()[-1]
    forms = {f.pk: f for f in ReportingForm.objects.filter(period_type__in=list(wanted))}
    codes_of_period = [str(p) for p in wanted.values()]
    zones = Entity.objects.filter(kind="zone", code__in=list(codes))
    if by is not None:
        zones = zones.restrict(by)
    zones = list(zones.values_list("id", "code", "name", "path"))
    assignments = list(
        FormAssignment.objects.filter(form_id__in=list(forms)).values_list("form_id", "scope__path")
    )
    deadline: dict[int, dt.date] = {}
    for zone_id, _code, _name, path in zones:
        due = [
            forms[form_id].deadline(wanted[forms[form_id].period_type])
            for form_id, scope_path in assignments
            if path.startswith(scope_path)
        ]
        if due:
            deadline[zone_id] = min(due)
    subs = list(
        Submission.objects.filter(
            entity_id__in=[z[0] for z in zones], form_id__in=list(forms), period__in=codes_of_period
        ).values_list("id", "entity_id", "state")
    )
    moves: dict[tuple[int, str], tuple[dt.datetime, str]] = {}
    for sub_id, to_state, at in (
        SubmissionEvent.objects.filter(submission_id__in=[s[0] for s in subs])
        .values("submission_id", "to_state")
        .annotate(at=Max("at"))
        .values_list("submission_id", "to_state", "at")
    ):
        moves[(sub_id, to_state)] = (at, "")
    returned = [s[0] for s in subs if s[2] == "returned"]
    if returned:  # who sent it back: the move of the latest return
        for sub_id, action, at in (
            SubmissionEvent.objects.filter(submission_id__in=returned, to_state="returned")
            .order_by("at", "id")
            .values_list("submission_id", "action", "at")
        ):
            moves[(sub_id, "returned")] = (at, action)
    best: dict[int, tuple[int, str, dt.datetime | None, str]] = {}
    for sub_id, entity_id, state in subs:
        at, action = moves.get((sub_id, state), (None, ""))
        rank = _RANK.get(state, 0)
        held = best.get(entity_id)
        # the furthest state; of the same state, the one that has waited longest
        if held is None or (rank, _later(held[2])) > (held[0], _later(at)):
            best[entity_id] = (rank, state, at, action)
    out = {}
    for zone_id, code, name, _path in zones:
        rank, state, at, action = best.get(zone_id, (0, None, None, ""))
        if state in WAITING:
            status = IN_REVIEW
        elif state == "returned":
            status = RETURNED
        else:
            status = NOT_REPORTED
            # a draft, or a return approved without a value for the period, or nothing
            state = state if state in ("draft", "province_approved") else None
            at, action = None, ""
        out[code] = MissingZone(code, name, status, state, at, action, deadline.get(zone_id))
    return out


def _later(at: dt.datetime | None) -> float:
    """Sort key: an earlier moment ranks higher (it has waited longer)."""
    return -at.timestamp() if at is not None else float("-inf")
