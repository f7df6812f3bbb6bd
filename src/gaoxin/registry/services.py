"""Registry jobs (decision 023): the dated zone events a 批复 or 通报 proposes, and recording the
ones a person confirms.

:func:`propose_zone_events` reads a document and lists what its decisions would record (nothing
is written); :func:`record_zone_events` writes the events the person picked by number, all or
nothing, in the acting user's scope. An approval or upgrade moves the zone's current level; a
renaming is recorded as an event and leaves the zone's name to the registry's edit (decision 044).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import polars as pl
from django.db import transaction

from gaoxin.engine.documents.model import Document
from gaoxin.engine.problems import Problem, ProblemsError
from gaoxin.engine.zones import ProposedEvent, propose_events
from gaoxin.registry.models import Entity, Zone, ZoneStatusEvent
from gaoxin.services import scope_for

__all__ = ["ZoneEventProposals", "propose_zone_events", "record_zone_events"]


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
    rows = list(zones.order_by("code").values_list("code", "name"))
    return pl.DataFrame(
        {
            "code": [c for c, _ in rows],
            "name": [n for _, n in rows],
            "short_name": [None] * len(rows),
        },
        schema={"code": pl.String, "name": pl.String, "short_name": pl.String},
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
        written = []
        for e in chosen:
            zone = zones[e.zone_code or ""]
            event = ZoneStatusEvent(
                zone=zone,
                status=e.status,
                date=e.date,
                level=e.level or "",
                document=e.document,
                note=e.note,
                recorded_by=user,
            )
            event.full_clean()
            event.save()
            written.append(event)
            _move_current_level(zone)
        return written


def _move_current_level(zone: Zone) -> None:
    """The zone's current level and first approval as its dated history says."""
    history = zone.status_events.exclude(level="").order_by("date", "id")
    last = history.last()
    first = history.first()
    changed = []
    if last is not None and zone.level != last.level:
        zone.level = last.level
        changed.append("level")
        if zone.level == "national" and zone.category:
            zone.category = ""  # only provincial zones are 认定类 or 创建类
            changed.append("category")
    if first is not None and zone.approved_on is None:
        zone.approved_on = first.date
        changed.append("approved_on")
    if changed:
        zone.full_clean()
        zone.save(update_fields=changed)
