"""A zone's dated history: the level it held on a day, and the events a 批复 or 通报 proposes.

A zone approved provincial in 2011 and upgraded to national in 2018 is provincial in 2015 and
national in 2020; counts and evaluations of a past year read the level of that year, never today's.
The registry keeps the history as status events (``approved`` and ``upgraded``, each with the level
the zone holds from that date, ``revoked`` ending it); :func:`level_rows` turns them into the
certification-shaped rows the fact frame reads (kind :data:`ZONE_LEVEL`), so a level is dated by the
same rule as an enterprise's 高新技术企业 certificate (decision 002, decision 044).

:func:`propose_events` turns the decisions the document parser finds (approval, upgrade, renaming,
boundary change, evaluation result, 表扬, 警告, 撤销) into dated events of named zones, for a person
to confirm before the registry records them (``gaoxin.registry.services``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

import polars as pl

if TYPE_CHECKING:
    from gaoxin.engine.documents.model import Document

#: The certification kind under which a zone's level history reaches :func:`build_facts`; the
#: fact frame turns it into the dated ``level`` column and keeps no certification column for it.
ZONE_LEVEL = "zone_level"
LEVELS = ("provincial", "national")

#: The certification frame :func:`gaoxin.engine.facts.build_facts` reads (the store's
#: certifications, and the level rows made here in its shape).
CERT_SCHEMA = {
    "entity": pl.String,
    "kind": pl.String,
    "level": pl.String,
    "granted_on": pl.Date,
    "expires_on": pl.Date,
    "revoked_on": pl.Date,
}


def level_rows(events: pl.DataFrame) -> pl.DataFrame:
    """Certification-shaped rows (entity, kind, level, granted_on, expires_on, revoked_on), one
    per level a zone held, from its status ``events`` (zone_code or entity, status, date, level).

    An event with a level starts that level on its date; the level ends the day before the zone's
    next level starts or it is revoked (``revoked`` events). Events without a level (warned,
    commended, renamed …) change nothing here. A level other than provincial or national is an
    error (a programmer's: the registry's choices allow no other).
    """
    if events.is_empty() or "level" not in events.columns:
        return pl.DataFrame(schema=CERT_SCHEMA)
    ev = events.rename({"zone_code": "entity"}) if "zone_code" in events.columns else events
    ev = ev.select(
        pl.col("entity").cast(pl.String),
        pl.col("status").cast(pl.String),
        pl.col("date").cast(pl.Date),
        pl.col("level").cast(pl.String).replace("", None),
    )
    bad = ev.filter(pl.col("level").is_not_null() & ~pl.col("level").is_in(LEVELS))
    if bad.height:
        raise ValueError(f"unknown zone levels {bad['level'].unique().to_list()}; use {LEVELS}")
    # A level ends where the next level or a revocation begins: both are "ends" of what came before.
    marks = ev.filter(pl.col("level").is_not_null() | (pl.col("status") == "revoked")).sort(
        "entity", "date", maintain_order=True
    )
    return (
        marks.with_columns(revoked_on=pl.col("date").shift(-1).over("entity"))
        .filter(pl.col("level").is_not_null())
        .select(
            "entity",
            kind=pl.lit(ZONE_LEVEL),
            level="level",
            granted_on="date",
            expires_on=pl.lit(None, pl.Date),
            revoked_on="revoked_on",
        )
    )


def first_approval(events: pl.DataFrame) -> pl.DataFrame:
    """entity, approved_on: the day each zone first held a level (its first approval, provincial
    or national), from which it is a zone at all."""
    rows = level_rows(events)
    return rows.group_by("entity").agg(approved_on=pl.col("granted_on").min())


#: The frame :func:`name_rows` returns: one row per name an entity had and the days it had it
#: (``valid_from`` inclusive, ``valid_to`` exclusive; null: open).
NAME_SCHEMA = {
    "entity": pl.Int64,
    "name": pl.String,
    "valid_from": pl.Date,
    "valid_to": pl.Date,
}


def name_rows(renames: pl.DataFrame, current: pl.DataFrame) -> pl.DataFrame:
    """Every name of every entity and when it held it (:data:`NAME_SCHEMA`), from the zones'
    ``renames`` (entity, date, name, previous_name: the renamed events, in the order recorded)
    and the registry's ``current`` names (entity, name).

    A rename on day D ends the name before it the day before D and starts its own name on D; the
    first name of a zone began before anything the registry knows (open). The current name holds
    from the latest rename that gave it, else always. A rename kept in the note only (no name)
    dates nothing. Rows are not merged: a zone renamed A → B → A has two rows for A."""
    ev = renames.select(
        pl.col("entity").cast(pl.Int64),
        pl.col("date").cast(pl.Date),
        pl.col("name").cast(pl.String).replace("", None),
        pl.col("previous_name").cast(pl.String).replace("", None),
    ).filter(pl.col("name").is_not_null() | pl.col("previous_name").is_not_null())
    ev = ev.with_row_index("_order").sort("entity", "date", "_order")
    ev = ev.with_columns(
        _before=pl.col("date").shift(1).over("entity"),
        _after=pl.col("date").shift(-1).over("entity"),
    )
    former = ev.select(
        "entity", name="previous_name", valid_from="_before", valid_to="date"
    ).drop_nulls("name")
    given = ev.select("entity", "name", valid_from="date", valid_to="_after").drop_nulls("name")
    last = (
        ev.drop_nulls("name")
        .group_by("entity")
        .agg(_last_name=pl.col("name").last(), _last_date=pl.col("date").last())
    )
    now = (
        current.select(pl.col("entity").cast(pl.Int64), pl.col("name").cast(pl.String))
        .join(last, on="entity", how="left")
        # the current name is not the latest rename's (an edit before decision 051): always held
        .filter(pl.col("_last_name").is_null() | (pl.col("_last_name") != pl.col("name")))
        .select("entity", "name", valid_from=pl.lit(None, pl.Date), valid_to=pl.lit(None, pl.Date))
    )
    return pl.concat([now, former, given]).cast(NAME_SCHEMA)  # type: ignore[arg-type]


# ---------------------------------------------------------------------------------------------
# Dated events from the decisions of a 批复 or 通报 (issue #13)
# ---------------------------------------------------------------------------------------------
#: decision kind (gaoxin.engine.documents.decisions) -> the registry's zone status
EVENT_OF_DECISION: dict[str, str] = {
    "approve": "approved",
    "upgrade": "upgraded",
    "rename": "renamed",
    "adjust_boundary": "boundary_adjusted",
    "evaluation": "evaluated",
    "commend": "commended",
    "warn": "warned",
    "revoke": "revoked",
}

_LONG_SUFFIX = re.compile(r"(?:高新技术产业开发区|高新技术产业园区)$")


def _key(name: str) -> str:
    """A zone's name as compared: the long 高新技术产业开发区/园区 and 高新区 are one (documents
    define 高新区 as the short of both), brackets and spaces dropped."""
    name = re.sub(r"[\s（）()]", "", name)
    return _LONG_SUFFIX.sub("高新区", name)


@dataclass(frozen=True, slots=True)
class ProposedEvent:
    """One dated event a document's decision proposes for one zone, for a person to confirm.

    ``problem`` says, in Chinese, why it cannot be recorded as it stands (the zone is not in the
    registry, the document has no date, it is recorded already); such an event is listed but
    never written."""

    number: int
    zone_name: str  # as the document writes it
    zone_code: str | None
    status: str
    level: str | None
    date: date | None
    document: str  # issuer, number and title: what the event cites
    text: str  # the clause as written
    value: str | None = None  # the grade (优秀) or the new name
    problem: str | None = None

    @property
    def note(self) -> str:
        if self.status == "renamed" and self.value:
            return f"更名为{self.value}：{self.text}"[:300]
        if self.status == "evaluated" and self.value:
            return f"评价结果{self.value}：{self.text}"[:300]
        return self.text[:300]


def cite(doc: Document) -> str:
    """issuer, number and 《title》 as an event's document (at most 200 characters)."""
    head = " ".join(p for p in (doc.issuer, doc.doc_number) if p)
    return (head + (f"《{doc.title}》" if doc.title else ""))[:200]


def propose_events(
    doc: Document,
    zones: pl.DataFrame,
    recorded: Iterable[tuple[str, str, date]] = (),
    *,
    on: date | None = None,
) -> list[ProposedEvent]:
    """The dated zone events ``doc``'s decisions propose, one per zone and decision, numbered
    from 1 in the document's order.

    ``zones``: code, name, short_name (those the reader may see); a decision's zone matches a
    zone whose name or short name is the same once 高新技术产业开发区 and 高新区 are taken as one;
    a rename also matches the new name. The date is the document's (``on`` where the person gives
    one). An approval is national where its clause says 国家, else provincial; an upgrade is to
    national. ``recorded``: (zone code, status, date) already in the registry."""
    by_key: dict[str, list[str]] = {}
    for code, name, short in zones.select("code", "name", "short_name").iter_rows():
        for n in {name, short} - {None}:
            codes = by_key.setdefault(_key(n), [])
            if code not in codes:
                codes.append(code)
    done = set(recorded)
    day = on or (date.fromisoformat(doc.issued) if doc.issued else None)
    source = cite(doc)
    out: list[ProposedEvent] = []
    for decision in doc.decisions:
        status = EVENT_OF_DECISION[decision.kind]
        level = None
        if status == "approved":
            level = "national" if "国家" in decision.text else "provincial"
        elif status == "upgraded":
            level = "national"
        for name in decision.zones:
            codes = by_key.get(_key(name), [])
            if not codes and status == "renamed" and decision.value:
                codes = by_key.get(_key(decision.value), [])
            problem = None
            code = codes[0] if len(codes) == 1 else None
            if not codes:
                problem = f"登记册中没有“{name}”：请先在登记册中核对或新增该高新区"
            elif len(codes) > 1:
                problem = f"“{name}”对应登记册中多个高新区（{'、'.join(codes)}），请核对"
            elif day is None:
                problem = "文件未注明成文日期：请给出事件日期"
            elif (code, status, day) in done:
                problem = "登记册中已有该记录"
            out.append(
                ProposedEvent(
                    number=len(out) + 1,
                    zone_name=name,
                    zone_code=code,
                    status=status,
                    level=level,
                    date=day,
                    document=source,
                    text=decision.text,
                    value=decision.value,
                    problem=problem,
                )
            )
    return out
