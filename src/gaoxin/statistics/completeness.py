"""Completeness of a reporting form for a period: who has reported, who is late (DHIS2's
reporting rate).

A form is expected from every zone inside the subtrees it is assigned to
(:class:`~gaoxin.statistics.models.FormAssignment`): the zone is the reporting unit, also for
the forms it fills for its enterprises and institutions (:mod:`gaoxin.statistics.models.
submissions`). For each expected zone :func:`completeness` gives where its submission stands
(未开始 when there is none) and whether it came in on time; per city and per province the
*reporting rate* (submitted or further, over expected) and the *on-time rate* (first submitted
by the end of the deadline day, 北京时间, over expected). Everything is restricted to a user's
scope: a city reviewer sees their city's zones only.

The home page, the completeness page, its downloads and the reminders all read this module;
:func:`due_period` is the one answer to "which period of this form matters today".
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import reduce
from operator import or_

from django.db.models import Min, Q
from django.utils import timezone
from django.utils.translation import gettext, gettext_noop

from gaoxin.engine.clock import local_time
from gaoxin.engine.periods import Period
from gaoxin.registry.choices import EntityKind, RegionLevel
from gaoxin.registry.models import Entity, Region
from gaoxin.statistics.models import (
    ReportingForm,
    Submission,
    SubmissionEvent,
    SubmissionState,
)

NOT_STARTED = "not_started"
#: The columns of a completeness table, in the order a return moves through them.
STATES: tuple[str, ...] = (
    NOT_STARTED,
    SubmissionState.DRAFT,
    SubmissionState.RETURNED,
    SubmissionState.SUBMITTED,
    SubmissionState.CITY_APPROVED,
    SubmissionState.PROVINCE_APPROVED,
)
#: The states in Chinese, as the downloads write them; pages use :func:`state_label`.
STATE_LABELS: dict[str, str] = {
    NOT_STARTED: "未开始",
    **{value: str(label) for value, label in SubmissionState.choices},
}
gettext_noop("未开始")
#: Group names the page shows through ``{% translate %}`` (the downloads keep them in Chinese).
NO_CITY, NO_PROVINCE = gettext_noop("（未归属设区市）"), gettext_noop("（未归属省份）")


def state_label(state: str) -> str:
    """A state in the language of the page (a :data:`STATES` value)."""
    return (
        gettext(STATE_LABELS[NOT_STARTED]) if state == NOT_STARTED else SubmissionState(state).label
    )


#: A return counts as reported once it is submitted, whatever the reviewers did next (except
#: sending it back: a returned return is with the zone again).
REPORTED = frozenset(
    {SubmissionState.SUBMITTED, SubmissionState.CITY_APPROVED, SubmissionState.PROVINCE_APPROVED}
)


def today() -> dt.date:
    """Today in 北京时间: deadlines are Chinese office days."""
    return local_time(timezone.now()).date()


def due_period(form: ReportingForm, on: dt.date) -> Period:
    """The period of ``form`` whose deadline matters on day ``on``: the latest period that has
    ended (its deadline is ahead, or has just passed and the return is overdue)."""
    return Period.of(on, form.period_type).previous()


def recent_periods(form: ReportingForm, on: dt.date, n: int | None = None) -> list[Period]:
    """The period picker's choices: the due period and the ones before it, newest first
    (two years of months or quarters, six years of halves or years)."""
    last = due_period(form, on)
    n = n or {"month": 24, "quarter": 8, "half": 6, "year": 6}[form.period_type]
    return [last - i for i in range(n)]


def reporting_units(form: ReportingForm, user=None) -> Iterable[Entity]:
    """The zones expected to report ``form`` (inside one of its assignments), restricted to what
    ``user`` may see when given; none when the form is assigned nowhere."""
    paths = list(form.assignments.values_list("scope__path", flat=True))
    if not paths:
        return Entity.objects.none()
    qs = Entity.objects.filter(kind=EntityKind.ZONE).filter(
        reduce(or_, (Q(path__startswith=p) for p in paths))
    )
    return qs.restrict(user) if user is not None else qs


@dataclass(frozen=True)
class UnitStatus:
    """Where one expected zone's return stands."""

    entity_id: int
    name: str
    city: str
    province: str
    state: str
    submitted_at: dt.datetime | None
    on_time: bool
    overdue: bool

    @property
    def state_label(self) -> str:
        return state_label(self.state)

    @property
    def reported(self) -> bool:
        return self.state in REPORTED


@dataclass
class Rate:
    """Counts of one group of expected zones (a city, a province, everything in scope)."""

    name: str
    expected: int = 0
    counts: Counter = field(default_factory=Counter)
    on_time: int = 0

    def add(self, unit: UnitStatus) -> None:
        self.expected += 1
        self.counts[unit.state] += 1
        self.on_time += unit.on_time

    @property
    def reported(self) -> int:
        return sum(self.counts[s] for s in REPORTED)

    @property
    def overdue(self) -> int:
        return self.expected - self.reported

    @property
    def rate(self) -> float | None:
        """Reporting rate in percent (None with nothing expected)."""
        return 100 * self.reported / self.expected if self.expected else None

    @property
    def on_time_rate(self) -> float | None:
        return 100 * self.on_time / self.expected if self.expected else None

    def by_state(self) -> list[int]:
        return [self.counts[s] for s in STATES]


@dataclass(frozen=True)
class Completeness:
    form: ReportingForm
    period: Period
    deadline: dt.date
    today: dt.date
    units: list[UnitStatus]
    cities: list[Rate]
    provinces: list[Rate]
    total: Rate

    @property
    def days_left(self) -> int:
        """Days to the deadline; negative once it has passed."""
        return (self.deadline - self.today).days

    @property
    def days_late(self) -> int:
        return max(0, -self.days_left)

    @property
    def past_deadline(self) -> bool:
        return self.today > self.deadline


def deadline_end(form: ReportingForm, period: Period) -> dt.datetime:
    """The last moment of the deadline day, 北京时间."""
    day = form.deadline(period) + dt.timedelta(days=1)
    return dt.datetime.combine(day, dt.time(), tzinfo=local_time(timezone.now()).tzinfo)


def completeness(
    form: ReportingForm, period: Period, *, user=None, on: dt.date | None = None
) -> Completeness:
    """Where every zone expected to report ``form`` for ``period`` stands, inside ``user``'s
    scope (everything when None), as of day ``on`` (today, 北京时间)."""
    on = on or today()
    deadline = form.deadline(period)
    units = list(reporting_units(form, user).order_by("path").values_list("id", "name", "path"))
    ids = [u[0] for u in units]
    subs = Submission.objects.filter(form=form, period=str(period), entity_id__in=ids)
    states = dict(subs.values_list("entity_id", "state"))
    first_submitted = dict(
        SubmissionEvent.objects.filter(submission__in=subs, to_state=SubmissionState.SUBMITTED)
        .values("submission__entity_id")
        .annotate(first=Min("at"))
        .values_list("submission__entity_id", "first")
    )
    places = _places(path for _, _, path in units)
    cutoff = deadline_end(form, period)
    statuses = []
    for entity_id, name, path in units:
        city, province = places(path)
        state = states.get(entity_id, NOT_STARTED)
        at = first_submitted.get(entity_id)
        reported = state in REPORTED
        statuses.append(
            UnitStatus(
                entity_id=entity_id,
                name=name,
                city=city,
                province=province,
                state=state,
                submitted_at=at,
                on_time=reported and at is not None and at < cutoff,
                overdue=not reported and on > deadline,
            )
        )
    return Completeness(
        form=form,
        period=period,
        deadline=deadline,
        today=on,
        units=statuses,
        cities=_rates(statuses, lambda u: u.city),
        provinces=_rates(statuses, lambda u: u.province),
        total=_rates(statuses, lambda u: "合计")[0] if statuses else Rate("合计"),
    )


def _rates(units: Sequence[UnitStatus], key) -> list[Rate]:
    groups: dict[str, Rate] = {}
    for unit in units:
        name = key(unit)
        groups.setdefault(name, Rate(name)).add(unit)
    return list(groups.values())


def _places(paths: Iterable[str]):
    """A function giving the (city, province) names above a path, from one query."""
    paths = list(paths)
    ancestor_ids = {int(i) for p in paths for i in p.strip("/").split("/") if i}
    levels = {
        entity_id: (level, name)
        for entity_id, level, name in Region.objects.filter(
            entity_id__in=ancestor_ids, level__in=[RegionLevel.CITY, RegionLevel.PROVINCE]
        ).values_list("entity_id", "level", "entity__name")
    }

    def places(path: str) -> tuple[str, str]:
        found = {RegionLevel.CITY: NO_CITY, RegionLevel.PROVINCE: NO_PROVINCE}
        for i in path.strip("/").split("/"):
            level, name = levels.get(int(i), (None, None))
            if level is not None:
                found[level] = name
        return found[RegionLevel.CITY], found[RegionLevel.PROVINCE]

    return places


# --- downloads: the same table as the page ----------------------------------------------------

UNIT_HEADERS = ("省份", "设区市", "高新区", "状态", "首次提交时间（北京时间）", "按时报送", "逾期")
RATE_HEADERS = (
    "范围",
    "应报",
    *(STATE_LABELS[s] for s in STATES),
    "已报送",
    "报送率（%）",
    "按时报送",
    "及时率（%）",
)


def title(c: Completeness) -> str:
    return f"{c.form.name}（{c.period.label()}）报送完成情况"


def unit_rows(c: Completeness) -> list[tuple]:
    return [
        (
            u.province,
            u.city,
            u.name,
            STATE_LABELS[u.state],
            local_time(u.submitted_at).strftime("%Y-%m-%d %H:%M") if u.submitted_at else "",
            "是" if u.on_time else "否",
            "逾期" if u.overdue else "",
        )
        for u in c.units
    ]


def _pct(value: float | None) -> str:
    return "" if value is None else f"{value:.1f}"


def rate_rows(c: Completeness) -> list[tuple]:
    groups = [*c.provinces, *c.cities, c.total] if c.units else []
    return [
        (
            r.name,
            r.expected,
            *r.by_state(),
            r.reported,
            _pct(r.rate),
            r.on_time,
            _pct(r.on_time_rate),
        )
        for r in groups
    ]


def write_csv(c: Completeness, out) -> None:
    """The zones' table as CSV (UTF-8 with a BOM, so Excel and WPS open it in Chinese)."""
    import csv

    out.write("\ufeff")
    writer = csv.writer(out)
    from gaoxin.engine.tabular.safe import csv_text

    writer.writerow(UNIT_HEADERS)
    writer.writerows([csv_text(v) for v in row] for row in unit_rows(c))


def write_xlsx(c: Completeness, out) -> None:
    """A printed workbook: the zones' table (overdue in red) and the rates per province and
    city, with the form, period, deadline and the day it was drawn in the note line."""
    import xlsxwriter

    from gaoxin.engine.tabular import printed
    from gaoxin.engine.tabular.safe import XLSX_OPTIONS

    book = xlsxwriter.Workbook(out, {"in_memory": True, **XLSX_OPTIONS})
    f = printed.formats(book)
    red = f.cell(font_color="#C4161C", bold=True)
    note = (
        f"填报截止：{c.deadline:%Y年%m月%d日}；统计日期：{c.today:%Y年%m月%d日}；"
        "报送率=已提交及以后状态/应报，及时率=截止日（含）前首次提交/应报"
    )
    for name, headers, rows in (
        ("各高新区", UNIT_HEADERS, unit_rows(c)),
        ("报送率", RATE_HEADERS, rate_rows(c)),
    ):
        sheet = book.add_worksheet(name)
        sheet.merge_range(0, 0, 0, len(headers) - 1, title(c), f.title)
        sheet.write(1, 0, note, f.note)
        sheet.write_row(2, 0, headers, f.head)
        for i, row in enumerate(rows, start=3):
            late = name == "各高新区" and row[-1] == "逾期"
            sheet.write_row(i, 0, row, red if late else f.text)
        sheet.set_column(0, len(headers) - 1, 14)
        wide = 2 if name == "各高新区" else 0  # the zone's or the group's name
        sheet.set_column(wide, wide, 30)
        printed.page_setup(sheet, header_rows=(2, 2))
        sheet.freeze_panes(3, 0)
    printed.close(book)
