"""The variable catalogue: what statistics exist, their units, periods and valid ranges.

Shipped as data in ``gaoxin/packs/catalogue/variables.yaml``; the statistics store mirrors it
into the database, and imports use it to recognise headers such as ``营业收入（万元）``.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Iterator
from decimal import Decimal
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

EntityKind = Literal["region", "zone", "enterprise", "institution"]
PeriodType = Literal["month", "quarter", "half", "year"]
Aggregation = Literal["sum", "mean", "min", "max", "none"]

ENTITY_KINDS: tuple[EntityKind, ...] = ("region", "zone", "enterprise", "institution")


class Variable(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True)

    code: str = Field(pattern=r"^[a-z][a-z0-9_]*$", max_length=64)
    zh: str
    en: str
    unit: str
    kinds: tuple[EntityKind, ...] = Field(min_length=1)
    period: PeriodType
    cumulative: bool = False
    aggregation: Aggregation = "sum"
    min: Decimal | None = None
    max: Decimal | None = None
    integer: bool = False  # a count: whole numbers only
    aliases: tuple[str, ...] = ()

    @field_validator("kinds")
    @classmethod
    def _kinds_unique(cls, v: tuple[str, ...]) -> tuple[str, ...]:
        if len(set(v)) != len(v):
            raise ValueError("kinds repeat an entity kind")
        return v

    @model_validator(mode="after")
    def _range_and_period(self) -> Variable:
        if self.min is not None and self.max is not None and self.min > self.max:
            raise ValueError(f"min {self.min} > max {self.max}")
        if self.cumulative and self.period == "year":
            raise ValueError("a yearly variable cannot be cumulative (累计 is within a year)")
        return self

    def names(self) -> Iterator[str]:
        """Every name a header may use for this variable."""
        yield self.code
        yield self.zh
        yield from self.aliases


class Catalogue:
    """The variables, looked up by code or by any of their Chinese names."""

    def __init__(self, variables: Iterable[Variable], *, earliest_year: int = 1978):
        self.earliest_year = earliest_year  # the first year a period may name
        self.variables: dict[str, Variable] = {}
        self._by_name: dict[str, Variable] = {}
        for var in variables:
            if var.code in self.variables:
                raise ValueError(f"variable {var.code!r} is defined twice")
            self.variables[var.code] = var
            for name in var.names():
                key = normalise_name(name)
                other = self._by_name.get(key)
                if other is not None and other.code != var.code:
                    raise ValueError(
                        f"name {name!r} is used by both {other.code!r} and {var.code!r}"
                    )
                self._by_name[key] = var

    def __iter__(self) -> Iterator[Variable]:
        return iter(self.variables.values())

    def __len__(self) -> int:
        return len(self.variables)

    def __contains__(self, code: object) -> bool:
        return code in self.variables

    def __getitem__(self, code: str) -> Variable:
        return self.variables[code]

    def lookup(self, name: str) -> Variable | None:
        """The variable a header or code names, or None."""
        return self._by_name.get(normalise_name(name))

    def names(self) -> list[str]:
        return list(self._by_name)


def normalise_name(name: str) -> str:
    """Header names compare without spaces, case or full-width/half-width differences."""
    return "".join(unicodedata.normalize("NFKC", name).split()).lower()


def load_catalogue(path: Path | str | None = None) -> Catalogue:
    if path is None:
        text = (
            resources.files("gaoxin.packs").joinpath("catalogue/variables.yaml").read_text("utf-8")
        )
    else:
        text = Path(path).read_text("utf-8")
    data = yaml.safe_load(text)
    return Catalogue(
        (Variable.model_validate(row) for row in data["variables"]),
        earliest_year=int(data.get("earliest_year", 1978)),
    )


@cache
def default_catalogue() -> Catalogue:
    return load_catalogue()
