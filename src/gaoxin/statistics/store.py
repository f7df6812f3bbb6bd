"""Writing observations with their history, and mirroring the shipped catalogue.

``write_observations`` is the only path by which values enter the store: it inserts new
values, updates changed ones and appends one ``ObservationChange`` row for each, in bulk.
Callers wrap it in a transaction together with whatever else must be all or nothing.
"""

from __future__ import annotations

import contextlib
import contextvars
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from importlib import resources

import yaml
from django.db import connection, models, transaction
from django.utils import timezone

from gaoxin.engine.variables import Catalogue, default_catalogue
from gaoxin.statistics.models import (
    Batch,
    FormVariable,
    Observation,
    ObservationChange,
    ReportingForm,
    ValidationRule,
    Variable,
)

CHUNK = 2000
QUANTUM = Decimal("0.000001")

# Set while write_observations runs: the model refuses every other way of changing a value
# (a save of a loaded row, QuerySet.update/delete, bulk_update), so no change escapes history.
_WRITING: contextvars.ContextVar[bool] = contextvars.ContextVar(
    "observations_writing", default=False
)


def store_is_writing() -> bool:
    return _WRITING.get()


@contextlib.contextmanager
def _writing() -> Iterator[None]:
    token = _WRITING.set(True)
    try:
        yield
    finally:
        _WRITING.reset(token)


@dataclass(frozen=True, slots=True)
class WriteCounts:
    created: int = 0
    changed: int = 0
    unchanged: int = 0

    @property
    def written(self) -> int:
        return self.created + self.changed


def to_decimal(value: object) -> Decimal:
    """A stored value: Decimal at the store's precision (6 places). Floats go through their
    shortest repr, so 0.1 is stored as 0.1, not 0.1000000000000000055…"""
    if isinstance(value, Decimal):
        d = value
    else:
        try:
            d = Decimal(str(value))
        except InvalidOperation as exc:
            raise ValueError(f"not a number: {value!r}") from exc
    return d.quantize(QUANTUM)


def write_observations(
    rows: Iterable[tuple[int, int, str, object]],
    batch: Batch,
    *,
    user=None,
    reason: str = "",
) -> WriteCounts:
    """Upsert (entity_id, variable_id, period, value) rows; append history for every change.

    A key given twice keeps the last value (a later revision in the same load wins).
    """
    latest: dict[tuple[int, int, str], Decimal] = {}
    for entity_id, variable_id, period, value in rows:
        latest[(entity_id, variable_id, period)] = to_decimal(value)
    keys = sorted(latest)  # neighbouring keys share entities, so each chunk query stays narrow
    created = changed = unchanged = 0
    with transaction.atomic(), _writing():
        for start in range(0, len(keys), CHUNK):
            chunk = keys[start : start + CHUNK]
            existing = _existing(chunk)
            now = timezone.now()
            new_obs, upd_obs, history = [], [], []
            for key in chunk:
                value = latest[key]
                obs = existing.get(key)
                entity_id, variable_id, period = key
                if obs is None:
                    new_obs.append((entity_id, variable_id, period, value, batch.pk, now, now))
                    old = None
                elif obs.value.quantize(QUANTUM) == value:
                    unchanged += 1
                    continue
                else:
                    old = obs.value
                    obs.value, obs.batch = value, batch
                    upd_obs.append(obs)
                history.append(
                    (
                        entity_id,
                        variable_id,
                        period,
                        old,
                        value,
                        batch.pk,
                        user.pk if user else None,
                        now,
                        reason,
                    )
                )
            _insert_many(
                Observation,
                [
                    "entity_id",
                    "variable_id",
                    "period",
                    "value",
                    "batch_id",
                    "created_at",
                    "updated_at",
                ],
                new_obs,
            )
            if upd_obs:
                Observation.objects.bulk_update(
                    upd_obs, ["value", "batch", "updated_at"], batch_size=CHUNK
                )
            _insert_many(
                ObservationChange,
                [
                    "entity_id",
                    "variable_id",
                    "period",
                    "old_value",
                    "new_value",
                    "batch_id",
                    "changed_by_id",
                    "changed_at",
                    "reason",
                ],
                history,
            )
            created += len(new_obs)
            changed += len(upd_obs)
        if created or changed:
            from gaoxin.statistics.analytics import changed as record_change

            record_change("values", {period for _, _, period in keys}, by=user)
    return WriteCounts(created, changed, unchanged)


def _insert_many(model, columns: list[str], rows: list[tuple]) -> None:
    """INSERT rows with one prepared statement (executemany).

    bulk_create renders a fresh multi-row statement for every ~100 rows on SQLite (its 999
    parameter limit) and prepares every value through the field; loading the Gansu demo
    (244k values plus their history) took 275 s that way and takes a few seconds this way.
    Values must already be what the column stores (Decimal, aware datetimes, ids)."""
    if not rows:
        return
    ops = connection.ops
    fields = [
        model._meta.get_field(c.removesuffix("_id"))
        if c.endswith("_id")
        else model._meta.get_field(c)
        for c in columns
    ]
    adapt = [
        (lambda v, f=f: ops.adapt_decimalfield_value(v, f.max_digits, f.decimal_places))
        if f.get_internal_type() == "DecimalField"
        else (lambda v: ops.adapt_datetimefield_value(v))
        if f.get_internal_type() == "DateTimeField"
        else (lambda v: v)
        for f in fields
    ]
    table = ops.quote_name(model._meta.db_table)
    cols = ", ".join(ops.quote_name(f.column) for f in fields)
    marks = ", ".join(["%s"] * len(columns))
    sql = f"INSERT INTO {table} ({cols}) VALUES ({marks})"
    with connection.cursor() as cursor:
        cursor.executemany(
            sql,
            [
                tuple(a(v) if v is not None else None for a, v in zip(adapt, row, strict=True))
                for row in rows
            ],
        )


def _existing(keys: Sequence[tuple[int, int, str]]) -> dict[tuple[int, int, str], Observation]:
    entity_ids = {k[0] for k in keys}
    variable_ids = {k[1] for k in keys}
    periods = {k[2] for k in keys}
    wanted = set(keys)
    found = {}
    qs = Observation.objects.filter(
        entity_id__in=entity_ids, variable_id__in=variable_ids, period__in=periods
    ).only("id", "entity_id", "variable_id", "period", "value", "batch_id")
    if connection.features.has_select_for_update:
        # Two imports of the same keys at once (PostgreSQL): the second waits for the first,
        # then reads the value the first wrote, so each history row records the true old value.
        # (SQLite allows one writer at a time anyway.)
        qs = qs.select_for_update(of=("self",))
    for obs in qs.iterator(chunk_size=CHUNK):
        key = (obs.entity_id, obs.variable_id, obs.period)
        if key in wanted:
            found[key] = obs
    return found


def sync_catalogue(catalogue: Catalogue | None = None) -> int:
    """Mirror the shipped variable catalogue into the database (insert or update by code): one
    query reads the rows there, one inserts the new codes and one updates the changed rows, so a
    catalogue already in place costs a single read."""
    catalogue = catalogue or default_catalogue()
    wanted = {
        var.code: {
            "name_zh": var.zh,
            "name_en": var.en,
            "unit": var.unit,
            "kinds": ",".join(var.kinds),
            "period_type": var.period,
            "cumulative": var.cumulative,
            "aggregation": var.aggregation,
            "min_value": var.min,
            "max_value": var.max,
            "aliases": "|".join(var.aliases),
        }
        for var in catalogue
    }
    _mirror(Variable, wanted)
    return len(wanted)


def _mirror(model, wanted: dict[str, dict]) -> dict[str, models.Model]:
    """Insert or update ``model``'s rows by their unique ``code`` to the fields of ``wanted``
    (code -> fields), in bulk, in ``wanted``'s order; rows already equal are not written. Every
    row of ``wanted``, by code."""
    rows = {row.code: row for row in model.objects.filter(code__in=wanted)}
    new, changed = [], []
    for code, fields in wanted.items():
        row = rows.get(code)
        if row is None:
            rows[code] = row = model(code=code, **fields)
            new.append(row)
        elif any(getattr(row, name) != value for name, value in fields.items()):
            for name, value in fields.items():
                setattr(row, name, value)
            changed.append(row)
    if new or changed:
        with transaction.atomic():
            model.objects.bulk_create(new)
            if changed:
                fields = sorted({name for spec in wanted.values() for name in spec})
                model.objects.bulk_update(changed, fields)
    return rows


def shipped_validation_rules() -> list[dict]:
    return _shipped("validation_rules.yaml", "rules")


def sync_validation_rules() -> int:
    rules = shipped_validation_rules()
    for rule in rules:
        ValidationRule.objects.update_or_create(
            code=rule["code"],
            defaults={
                "name": rule["name"],
                "left": rule["left"],
                "operator": rule["operator"],
                "right": rule["right"],
                "importance": rule.get("importance", "medium"),
                "missing": rule.get("missing", "skip_if_any_missing"),
                "entity_kind": rule["kind"],
            },
        )
    return len(rules)


def _shipped(name: str, key: str) -> list[dict]:
    text = resources.files("gaoxin.packs").joinpath(f"catalogue/{name}").read_text("utf-8")
    return yaml.safe_load(text)[key]


def sync_forms() -> int:
    """Mirror the shipped reporting forms (catalogue/forms.yaml); assignments stay the
    deployment's own (which subtrees report which form). A form whose variables differ from the
    shipped list (order, or a variable no longer required) has them replaced by it."""
    specs = _shipped("forms.yaml", "forms")
    variables = dict(Variable.objects.values_list("code", "id"))
    with transaction.atomic():
        forms = _mirror(
            ReportingForm,
            {
                spec["code"]: {
                    "name": spec["name"],
                    "period_type": spec["period"],
                    "entity_kind": spec["kind"],
                    "deadline_days": spec["deadline_days"],
                }
                for spec in specs
            },
        )
        wanted = {
            forms[spec["code"]].pk: [
                (variables[code], i, True) for i, code in enumerate(spec["variables"])
            ]
            for spec in specs
        }
        there: dict[int, list[tuple[int, int, bool]]] = {pk: [] for pk in wanted}
        for form_id, *row in FormVariable.objects.filter(form_id__in=wanted).values_list(
            "form_id", "variable_id", "order", "required"
        ):
            there[form_id].append(tuple(row))
        stale = [pk for pk, rows in wanted.items() if sorted(there[pk]) != sorted(rows)]
        FormVariable.objects.filter(form_id__in=stale).delete()
        FormVariable.objects.bulk_create(
            FormVariable(form_id=pk, variable_id=variable_id, order=order)
            for pk in stale
            for variable_id, order, _ in wanted[pk]
        )
    return len(specs)
