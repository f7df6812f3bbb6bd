"""What a formula may refer to: value types, names with their kind, type, level and display name.

The caller builds a :class:`Namespace` from the variable catalogue, the indicators and the pack's
parameters; the language resolves every name against it, so an unknown name is an error, not a null.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Literal


class ExprType(StrEnum):
    """The three value types of the language."""

    NUMBER = "number"
    BOOL = "bool"
    STRING = "string"

    @property
    def zh(self) -> str:
        return {"number": "数值", "bool": "逻辑值（是/否）", "string": "文本"}[self.value]


NameKind = Literal["variable", "indicator", "parameter", "attribute"]


@dataclass(frozen=True, slots=True)
class NameInfo:
    """One name a formula may read.

    ``level`` is the entity kind the value lives at (``"enterprise"``, ``"zone"``...); ``None`` means
    it is the same everywhere (a parameter). ``column`` is the frame column, when it differs from the
    name. A ``parameter`` with a ``value`` compiles to that constant.
    """

    type: ExprType = ExprType.NUMBER
    kind: NameKind = "variable"
    level: str | None = None
    label: str | None = None
    column: str | None = None
    value: Any = None

    @property
    def display(self) -> str | None:
        return self.label


def _coerce(info: NameInfo | ExprType | str | Mapping[str, Any]) -> NameInfo:
    if isinstance(info, NameInfo):
        return info
    if isinstance(info, ExprType):
        return NameInfo(type=info)
    if isinstance(info, str):
        return NameInfo(type=ExprType(info))
    data = dict(info)
    if "type" in data:
        data["type"] = ExprType(data["type"])
    return NameInfo(**data)


@dataclass(frozen=True)
class Namespace(Mapping[str, NameInfo]):
    """Names a formula may use, plus how entity levels nest.

    ``parents`` maps a level to the level above it (``{"enterprise": "zone", "zone": "city"}``);
    it is what lets the checker see that an enterprise variable in a zone formula needs aggregating.

    Build one from plain data: ``Namespace.of({"revenue": "number", "name": {"type": "string"}})``.
    """

    names: Mapping[str, NameInfo] = field(default_factory=dict)
    parents: Mapping[str, str] = field(default_factory=dict)

    @classmethod
    def of(
        cls,
        names: Mapping[str, NameInfo | ExprType | str | Mapping[str, Any]],
        parents: Mapping[str, str] | None = None,
    ) -> Namespace:
        return cls({k: _coerce(v) for k, v in names.items()}, dict(parents or {}))

    def __getitem__(self, name: str) -> NameInfo:
        return self.names[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self.names)

    def __len__(self) -> int:
        return len(self.names)

    def ancestors(self, level: str) -> list[str]:
        """Levels above ``level``, nearest first (cycles in ``parents`` are cut)."""
        out: list[str] = []
        cur = self.parents.get(level)
        while cur is not None and cur not in out and cur != level:
            out.append(cur)
            cur = self.parents.get(cur)
        return out

    def is_below(self, level: str, other: str) -> bool:
        """True when ``level`` lies strictly below ``other`` (an enterprise below its zone)."""
        return other in self.ancestors(level)


def as_namespace(
    names: Namespace | Mapping[str, NameInfo | ExprType | str | Mapping[str, Any]] | None,
) -> Namespace:
    if names is None:
        return Namespace()
    if isinstance(names, Namespace):
        return names
    return Namespace.of(names)


#: Chinese names of entity levels, for messages; unknown levels are shown as written.
LEVEL_LABELS: dict[str, str] = {
    "province": "省级",
    "city": "市级",
    "region": "地区级",
    "zone": "园区级",
    "park": "分园级",
    "enterprise": "企业级",
    "institution": "机构级",
}


def level_zh(level: str) -> str:
    return LEVEL_LABELS.get(level, f"{level}级")
