"""Registry jobs (decision 023): a zone's dated events — the one write path for them — and the
events a 批复 or 通报 proposes.

:func:`save_zone_event` and :func:`delete_zone_event` are how every face writes a zone's events
(the ``gaoxin zones events`` command, the admin, a case's 同意撤销): in the acting user's scope,
validated, and followed by the zone itself — its current level and first approval by its
approved and upgraded events (decision 044), its name by its renamed events, the name it had
kept as the event's ``previous_name`` so that the old name still finds it (decision 051).
:func:`propose_zone_events` reads a document and lists what its decisions would record (nothing
is written); :func:`record_zone_events` writes the events the person picked by number, all or
nothing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import polars as pl
from django.core.exceptions import ValidationError
from django.db import transaction

from gaoxin.engine.documents.model import Document
from gaoxin.engine.problems import Problem, ProblemsError
from gaoxin.engine.zones import ProposedEvent, propose_events
from gaoxin.registry.choices import ZoneStatus
from gaoxin.registry.lookup import name_history
from gaoxin.registry.models import Entity, Zone, ZoneStatusEvent
from gaoxin.services import NotFound, scope_for

__all__ = [
    "ZoneEventProposals",
    "delete_zone_event",
    "propose_zone_events",
    "record_zone_events",
    "save_zone_event",
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
    _follow_events(zone)
    return event


@transaction.atomic
def delete_zone_event(event: ZoneStatusEvent, *, by: Any = None) -> None:
    """Delete a zone's event as ``by`` (scope as :func:`save_zone_event`); the zone follows the
    events left: a deleted rename gives the zone back the name it had before."""
    zone = _zone_in_scope(event.zone_id, by)
    restored = event.previous_name if event.status == ZoneStatus.RENAMED else ""
    ZoneStatusEvent.objects.filter(pk=event.pk).delete()
    _follow_events(zone, name_without_renames=restored or None)


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


def _follow_events(zone: Zone, *, name_without_renames: str | None = None) -> None:
    """The zone as its dated history says: its current level and first approval (decision
    044), its name (its latest rename's; ``name_without_renames`` where the last rename was just
    deleted). Where a zone has no level history, the registry's level stands."""
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
    renamed = (
        zone.status_events.filter(status=ZoneStatus.RENAMED)
        .exclude(name="")
        .order_by("date", "id")
        .last()
    )
    name = renamed.name if renamed is not None else name_without_renames
    if name and zone.entity.name != name:
        zone.entity.name = name
        zone.entity.full_clean()
        zone.entity.save(update_fields=["name", "updated_at"])
