"""Registry jobs (decision 023): a zone's dated events — the one write path for them — and the
events a 批复 or 通报 proposes.

:func:`save_zone_event` and :func:`delete_zone_event` are how every face writes a zone's events
(the ``gaoxin zones events`` command, the admin, a case's 同意撤销), and :func:`save_zone_events`
their bulk form (the catalogue's and the demo's loader, decision 053): in the acting user's scope,
validated, and followed by the zone itself — its current level and first approval by its
approved and upgraded events (decision 044), its name by its renamed events, the name it had
kept as the event's ``previous_name`` so that the old name still finds it (decision 051).
:func:`propose_zone_events` reads a document and lists what its decisions would record (nothing
is written); :func:`record_zone_events` writes the events the person picked by number, all or
nothing.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import polars as pl
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from gaoxin.engine.documents.model import Document
from gaoxin.engine.problems import Problem, ProblemsError
from gaoxin.engine.zones import ProposedEvent, propose_events
from gaoxin.registry.choices import ZoneStatus
from gaoxin.registry.lookup import name_history
from gaoxin.registry.models import Entity, Zone, ZoneStatusEvent
from gaoxin.services import NotFound, scope_for
from gaoxin.statistics.facts import read_frame

__all__ = [
    "ZoneEventProposals",
    "delete_zone_event",
    "propose_zone_events",
    "record_zone_events",
    "save_zone_event",
    "save_zone_events",
    "zone_event_problems",
]


@dataclass(frozen=True)
class ZoneEventProposals:
    """What a document's decisions would record, numbered for the person to pick from."""

    document: Document
    events: list[ProposedEvent]

    @property
    def recordable(self) -> list[ProposedEvent]:
        return [e for e in self.events if e.problem is None]

    def as_dict(self) -> dict[str, Any]:
        return {
            "document": {
                "title": self.document.title,
                "issuer": self.document.issuer,
                "doc_number": self.document.doc_number,
                "issued": self.document.issued,
            },
            "events": [
                {
                    "number": e.number,
                    "zone_name": e.zone_name,
                    "zone_code": e.zone_code,
                    "status": e.status,
                    "level": e.level,
                    "date": e.date.isoformat() if e.date else None,
                    "document": e.document,
                    "note": e.note,
                    "problem": e.problem,
                }
                for e in self.events
            ],
        }


def _zones_in_scope(by: Any) -> pl.DataFrame:
    """code, name, short_name of the zones ``by`` may see (another scope's zones are not there:
    a decision about one reads as a zone not in the registry, never as someone else's)."""
    root = scope_for(by)
    zones = Entity.objects.filter(kind="zone")
    if root is not None:
        zones = zones.filter(path__startswith=root.path)
    # a zone renamed is still named by its old names in later documents: one row for each
    names = name_history(zones).sort("code", "valid_from", nulls_last=False)
    return names.unique(["code", "name"], maintain_order=True).select(
        "code", "name", short_name=pl.lit(None, dtype=pl.String)
    )


def _recorded(codes: list[str]) -> set[tuple[str, str, dt.date]]:
    return set(
        ZoneStatusEvent.objects.filter(zone__entity__code__in=codes).values_list(
            "zone__entity__code", "status", "date"
        )
    )


def propose_zone_events(
    document: Document | Path, *, by: Any = None, on: dt.date | None = None
) -> ZoneEventProposals:
    """The dated zone events ``document``'s decisions propose (a parsed document or a file the
    document parser reads), against the zones in ``by``'s scope. Writes nothing."""
    if isinstance(document, Path):
        from gaoxin.engine.documents import parse_file

        document = parse_file(document)
    zones = _zones_in_scope(by)
    recorded = _recorded(zones["code"].to_list())
    return ZoneEventProposals(document, propose_events(document, zones, recorded, on=on))


def record_zone_events(
    proposals: ZoneEventProposals, numbers: Sequence[int], *, by: Any = None
) -> list[ZoneStatusEvent]:
    """Record the proposed events numbered ``numbers``, all or none: a number not proposed, or
    an event with a problem, refuses the whole call with every reason (nothing written). The
    scope is checked again inside the transaction (the proposals may be old)."""
    by_number = {e.number: e for e in proposals.events}
    problems = []
    for n in numbers:
        event = by_number.get(n)
        if event is None:
            problems.append(
                Problem(
                    "zone_events.no_such_number",
                    f"没有第{n}条拟记录事件（共{len(by_number)}条）",
                    value=str(n),
                )
            )
        elif event.problem is not None:
            problems.append(
                Problem(
                    "zone_events.not_recordable",
                    f"第{n}条（{event.zone_name}）不能记录：{event.problem}",
                    value=str(n),
                )
            )
    if not numbers:
        problems.append(Problem("zone_events.none_chosen", "未选择要记录的事件，未做任何修改"))
    if problems:
        raise ProblemsError(problems)
    chosen = [by_number[n] for n in dict.fromkeys(numbers)]
    with transaction.atomic():
        again = propose_zone_events(proposals.document, by=by, on=chosen[0].date)
        current = {(e.zone_code, e.status, e.date): e for e in again.events}
        stale = [
            e
            for e in chosen
            if (hit := current.get((e.zone_code, e.status, e.date))) is None
            or hit.problem is not None
        ]
        if stale:
            raise ProblemsError(
                [
                    Problem(
                        "zone_events.stale",
                        f"第{e.number}条（{e.zone_name}）已不能记录（已记录或不在您的数据范围内），"
                        "请重新列出后再选择",
                        value=str(e.number),
                    )
                    for e in stale
                ]
            )
        zones = {
            z.entity.code: z
            for z in Zone.objects.select_related("entity").filter(
                entity__code__in={e.zone_code for e in chosen}
            )
        }
        user = by if getattr(by, "pk", None) is not None else None
        return [
            save_zone_event(
                ZoneStatusEvent(
                    zone=zones[e.zone_code or ""],
                    status=e.status,
                    date=e.date,
                    level=e.level or "",
                    name=(e.value or "") if e.status == ZoneStatus.RENAMED else "",
                    document=e.document,
                    note=e.note,
                    recorded_by=user,
                ),
                by=by,
            )
            for e in chosen
        ]


def _zone_in_scope(zone_id: Any, by: Any) -> Zone:
    """The zone, locked for the write, if ``by`` may act on it; :class:`NotFound` otherwise."""
    root = scope_for(by)
    zones = Zone.objects.select_for_update(of=("self",)).select_related("entity")
    if root is not None:
        zones = zones.filter(entity__path__startswith=root.path)
    zone = zones.filter(pk=zone_id).first()
    if zone is None:
        raise NotFound("没有找到该高新区，或不在您的数据范围内", value=str(zone_id))
    return zone


def _invalid(error: ValidationError) -> ProblemsError:
    return ProblemsError(
        [
            Problem("zone_events.invalid", str(m), column=None if field == "__all__" else field)
            for field, messages in error.message_dict.items()
            for m in messages
        ]
    )


@transaction.atomic
def save_zone_event(event: ZoneStatusEvent, *, by: Any = None) -> ZoneStatusEvent:
    """Write a zone's event, new or changed, as ``by`` (None: the operator at the terminal):
    :class:`NotFound` outside their scope, :class:`ProblemsError` (nothing written) when the
    event is invalid. Then the zone follows its events (:func:`_follow_events`). A new rename
    keeps the name the zone had before it as ``previous_name``."""
    zone = _zone_in_scope(event.zone_id, by)
    if event.recorded_by_id is None and getattr(by, "pk", None) is not None:
        event.recorded_by = by
    if event.status == ZoneStatus.RENAMED and event.name and not event.previous_name:
        event.previous_name = _name_before(zone, event)
    problems = zone_event_problems(event)
    if problems:
        raise ProblemsError(problems)
    try:
        event.full_clean()
    except ValidationError as e:
        raise _invalid(e) from None
    event.save()
    _follow_events([zone.pk])
    return event


@transaction.atomic
def delete_zone_event(event: ZoneStatusEvent, *, by: Any = None) -> None:
    """Delete a zone's event as ``by`` (scope as :func:`save_zone_event`); the zone follows the
    events left: a deleted rename gives the zone back the name it had before."""
    zone = _zone_in_scope(event.zone_id, by)
    restored = event.previous_name if event.status == ZoneStatus.RENAMED else ""
    ZoneStatusEvent.objects.filter(pk=event.pk).delete()
    _follow_events([zone.pk], names_without_renames={zone.pk: restored} if restored else None)


@transaction.atomic
def save_zone_events(events: pl.DataFrame, *, by: Any = None) -> list[ZoneStatusEvent]:
    """Write many zones' new events at once, as :func:`save_zone_event` writes one: in ``by``'s
    scope, with the same checks, each new rename keeping the name before it, and then the
    zones following their events — in a few queries however many events (the catalogue's
    loader writes hundreds). ``events``: zone_code, status, date; optional level, name,
    document, note.

    An event already recorded (same zone, status and date) is left as it is, so that loading
    the same file again writes nothing. :class:`NotFound` for a zone not in the scope;
    :class:`ProblemsError` with every problem, each naming its row of ``events`` (from 1), and
    nothing written. Returns the events written."""
    frame = events.with_row_index("_row", offset=1).select(
        pl.col("_row").cast(pl.Int64),
        pl.col("zone_code").cast(pl.String),
        pl.col("status").cast(pl.String),
        pl.col("date").cast(pl.Date),
        *[
            (pl.col(c) if c in events.columns else pl.lit(None))
            .cast(pl.String)
            .fill_null("")
            .alias(c)
            for c in ("level", "name", "document", "note")
        ],
    )
    root = scope_for(by)
    zones = Zone.objects.select_for_update(of=("self",)).filter(
        entity__code__in=frame["zone_code"].unique().to_list()
    )
    if root is not None:
        zones = zones.filter(entity__path__startswith=root.path)
    ids = dict(zones.values_list("entity__code", "pk"))
    missing = sorted(set(frame["zone_code"]) - set(ids))
    if missing:
        raise NotFound(
            f"没有找到高新区 {'、'.join(missing)}，或不在您的数据范围内", value="、".join(missing)
        )
    recorded = read_frame(
        ZoneStatusEvent.objects.filter(zone_id__in=ids.values()).values_list(
            "zone_id", "status", "date"
        ),
        {"zone": pl.Int64, "status": pl.String, "date": pl.Date},
    )
    frame = frame.with_columns(
        zone=pl.col("zone_code").replace_strict(ids, return_dtype=pl.Int64)
    ).join(recorded, on=["zone", "status", "date"], how="anti", nulls_equal=True)
    if frame.is_empty():
        return []
    frame = _with_previous_names(frame).sort("_row")
    user = by if getattr(by, "pk", None) is not None else None
    written = [
        ZoneStatusEvent(
            zone_id=r["zone"],
            status=r["status"],
            date=r["date"],
            level=r["level"],
            name=r["name"],
            previous_name=r["previous_name"],
            document=r["document"],
            note=r["note"],
            recorded_by=user,
        )
        for r in frame.iter_rows(named=True)
    ]
    problems = _bulk_problems(frame, written)
    if problems:
        raise ProblemsError(problems)
    try:
        with transaction.atomic():  # the database checks its constraints; which rows, below
            ZoneStatusEvent.objects.bulk_create(written)
    except IntegrityError:
        problems = [
            _at(row, p)
            for row, event in zip(frame["_row"], written, strict=True)
            for p in _constraint_problems(event)
        ]
        if not problems:
            raise
        raise ProblemsError(problems) from None
    _follow_events(list(set(frame["zone"])))
    return written


def _with_previous_names(frame: pl.DataFrame) -> pl.DataFrame:
    """``frame`` with previous_name: for each rename, the name just before its date among the
    zone's recorded renames and the new ones (:func:`_name_before`'s rule, for many at once);
    blank on every other event."""
    is_rename = (pl.col("status") == ZoneStatus.RENAMED) & (pl.col("name") != "")
    new = frame.filter(is_rename)
    if new.is_empty():
        return frame.with_columns(previous_name=pl.lit(""))
    zones = new["zone"].unique().to_list()
    old = read_frame(
        ZoneStatusEvent.objects.filter(zone_id__in=zones, status=ZoneStatus.RENAMED)
        .exclude(name="")
        .values_list("zone_id", "date", "id", "name", "previous_name"),
        {
            "zone": pl.Int64,
            "date": pl.Date,
            "id": pl.Int64,
            "name": pl.String,
            "previous_name": pl.String,
        },
    )
    # the name before the first rename: the earliest recorded one's, else the registry's
    first = (
        old.filter(pl.col("previous_name") != "")
        .sort("date", "id")
        .group_by("zone")
        .agg(_first=pl.col("previous_name").first())
    )
    registry = read_frame(
        Zone.objects.filter(pk__in=zones).values_list("pk", "entity__name"),
        {"zone": pl.Int64, "_registry": pl.String},
    )
    ordered = (
        pl.concat(
            [
                old.select("zone", "date", "name", _row=pl.lit(None, pl.Int64), _id="id"),
                new.select("zone", "date", "name", "_row", _id=pl.lit(None, pl.Int64)),
            ]
        )
        .sort("zone", "date", "_id", "_row", nulls_last=True)
        .join(first, on="zone", how="left")
        .join(registry, on="zone", how="left")
        .with_columns(
            previous_name=pl.coalesce(pl.col("name").shift(1).over("zone"), "_first", "_registry")
        )
        .filter(pl.col("_row").is_not_null())
        .select("_row", "previous_name")
    )
    return frame.join(ordered, on="_row", how="left").with_columns(
        pl.col("previous_name").fill_null("")
    )


def _at(row: int, problem: Problem) -> Problem:
    return dataclasses.replace(problem, row=row)


def _bulk_problems(frame: pl.DataFrame, events: list[ZoneStatusEvent]) -> list[Problem]:
    """What refuses new events, each at its row: the model's field checks and ``clean`` (as the
    forms run them), :func:`zone_event_problems`, and the same zone, status and date twice."""
    problems = []
    for row, event in zip(frame["_row"], events, strict=True):
        try:
            event.clean_fields(exclude=["zone", "recorded_by"])
            event.clean()
        except ValidationError as e:
            problems += [_at(row, p) for p in _invalid(e).problems]
        problems += [_at(row, p) for p in zone_event_problems(event)]
    twice = frame.filter(pl.len().over("zone", "status", "date") > 1)
    unique = next(c for c in ZoneStatusEvent._meta.constraints if c.name == "zone_event_unique")
    problems += [
        Problem(
            "zone_events.invalid",
            str(unique.violation_error_message),
            row=row,
            value=f"{code} {status} {day}",
        )
        for row, code, status, day in twice.select(
            "_row", "zone_code", "status", "date"
        ).iter_rows()
    ]
    return problems


def _constraint_problems(event: ZoneStatusEvent) -> list[Problem]:
    """The model's constraints ``event`` breaks, as :func:`save_zone_event` reports them."""
    try:
        event.validate_constraints()
    except ValidationError as e:
        return _invalid(e).problems
    return []


def zone_event_problems(event: ZoneStatusEvent) -> list[Problem]:
    """What refuses ``event`` besides the model's own checks (which the forms run): a rename
    to the name the zone has just before it."""
    if event.status != ZoneStatus.RENAMED or not event.name or event.zone_id is None:
        return []
    before = event.previous_name or _name_before(event.zone, event)
    if before.strip() == event.name.strip():
        return [
            Problem(
                "zone_events.same_name",
                f"更名后的名称与原名称相同（{event.name}），未做任何修改",
                column="name",
                value=event.name,
            )
        ]
    return []


def _name_before(zone: Zone, event: ZoneStatusEvent) -> str:
    """The zone's name just before ``event``'s date: the latest earlier rename's, else the
    name the first later rename replaced, else the registry's."""
    renames = zone.status_events.filter(status=ZoneStatus.RENAMED).exclude(name="")
    if event.pk is not None:
        renames = renames.exclude(pk=event.pk)
    earlier = renames.filter(date__lt=event.date).order_by("date", "id").last()
    if earlier is not None:
        return earlier.name
    later = renames.filter(date__gte=event.date).exclude(previous_name="").order_by("date", "id")
    first = later.first()
    return first.previous_name if first is not None else zone.entity.name


def _follow_events(
    zone_ids: Sequence[Any], *, names_without_renames: dict[Any, str] | None = None
) -> None:
    """The zones as their dated histories say, in a few queries however many: each one's current
    level and first approval by its approved and upgraded events (decision 044), its name by its
    latest rename (``names_without_renames``: zone -> the name to give back where its last rename
    was just deleted). Where a zone has no level history, the registry's level stands; only the
    zones that change are written."""
    events = read_frame(
        ZoneStatusEvent.objects.filter(zone_id__in=zone_ids)
        .filter(~Q(level="") | (Q(status=ZoneStatus.RENAMED) & ~Q(name="")))
        .values_list("zone_id", "date", "id", "level", "name"),
        {
            "zone": pl.Int64,
            "date": pl.Date,
            "id": pl.Int64,
            "level": pl.String,
            "name": pl.String,
        },
    ).sort("zone", "date", "id")
    levels = (
        events.filter(pl.col("level") != "")
        .group_by("zone")
        .agg(_level=pl.col("level").last(), _first=pl.col("date").first())
    )
    names = events.filter(pl.col("name") != "").group_by("zone").agg(_name=pl.col("name").last())
    restored = pl.DataFrame(
        list((names_without_renames or {}).items()),
        schema={"zone": pl.Int64, "_restored": pl.String},
        orient="row",
    )
    zones = (
        read_frame(
            Zone.objects.filter(pk__in=zone_ids).values_list(
                "pk", "level", "category", "approved_on", "entity__name"
            ),
            {
                "zone": pl.Int64,
                "level": pl.String,
                "category": pl.String,
                "approved_on": pl.Date,
                "entity_name": pl.String,
            },
        )
        .join(levels, on="zone", how="left")
        .join(names, on="zone", how="left")
        .join(restored, on="zone", how="left")
        .with_columns(
            _new_level=pl.coalesce("_level", "level"),
            _new_approved=pl.coalesce("approved_on", "_first"),
            _new_name=pl.coalesce("_name", "_restored", "entity_name"),
        )
        .with_columns(
            # only provincial zones are 认定类 or 创建类
            _new_category=pl.when(pl.col("_new_level") == "national")
            .then(pl.lit(""))
            .otherwise(pl.col("category"))
        )
    )
    moved = zones.filter(
        (pl.col("_new_level") != pl.col("level"))
        | (pl.col("_new_category") != pl.col("category"))
        | pl.col("_new_approved").ne_missing(pl.col("approved_on"))
    )
    Zone.objects.bulk_update(
        [
            Zone(entity_id=z, level=lv, category=c, approved_on=a)
            for z, lv, c, a in moved.select(
                "zone", "_new_level", "_new_category", "_new_approved"
            ).iter_rows()
        ],
        ["level", "category", "approved_on"],
    )
    now = timezone.now()
    Entity.objects.bulk_update(
        [
            Entity(pk=z, name=n, updated_at=now)
            for z, n in zones.filter(pl.col("_new_name") != pl.col("entity_name"))
            .select("zone", "_new_name")
            .iter_rows()
        ],
        ["name", "updated_at"],
    )
