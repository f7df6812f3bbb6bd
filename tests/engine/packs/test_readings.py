"""Readings the shipped packs state in words, held to the data they rely on."""

from __future__ import annotations

import polars as pl

from gaoxin.commands.packs import shipped_packs
from gaoxin.engine.packs import load_pack
from gaoxin.engine.reference import regions

PACKS = {d.name: d for d in shipped_packs()}


def test_fujian_full_coverage_counts_nine_cities_and_pingtan_under_fuzhou():
    """一、(二)「省级以上高新区设区市实现全覆盖」: the pack counts Fujian's 设区市 of the region
    catalogue; 平潭综合实验区, named beside them as a responsible unit, is 平潭县 of 福州 there,
    so a zone in 平潭 counts for 福州 and 平潭 is not a tenth unit to cover."""
    r = regions()
    cities = r.filter((pl.col("parent_code") == "350000") & (pl.col("level") == "city"))
    assert sorted(cities["name"].to_list()) == sorted(
        ["福州市", "厦门市", "莆田市", "三明市", "泉州市", "漳州市", "南平市", "龙岩市", "宁德市"]
    )
    pingtan = r.filter(pl.col("name") == "平潭县").row(0, named=True)
    assert (pingtan["code"], pingtan["level"], pingtan["parent_code"]) == (
        "350128",
        "county",
        "350100",
    )
    target = next(
        t for t in load_pack(PACKS["fujian-2021"]).spec.targets if t.id == "city-coverage"
    )
    assert (target.scope, target.indicator, target.value) == ("each_city", "zones_per_city", 1)
    assert "平潭" in (target.interpretation or "") and "计入福州市" in (target.interpretation or "")
