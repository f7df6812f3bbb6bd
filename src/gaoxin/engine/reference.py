"""Shipped reference data: GB/T 2260 regions, GB/T 4754-2017 industries and high-tech zones.

The CSV files live in ``gaoxin/packs/catalogue/`` with their sources (see the README there);
the loaders return cached Polars frames, so callers must not mutate them in place.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import cache
from importlib import resources

import polars as pl

_PACKS = "gaoxin.packs"

REGION_LEVELS = ("province", "city", "county")
ZONE_LEVELS = ("national", "provincial")
ZONE_CATEGORIES = ("recognised", "creating")
CONFIDENCE = ("A", "B", "C", "document")

_INDUSTRY_CODE = re.compile(r"^([A-T])(\d{2})(\d{0,2})$")


def _read(name: str, schema: Mapping[str, type[pl.DataType] | pl.DataType]) -> pl.DataFrame:
    data = resources.files(_PACKS).joinpath("catalogue", name).read_bytes()
    return pl.read_csv(data, schema=schema)


@cache
def regions() -> pl.DataFrame:
    """GB/T 2260 divisions: code, name, level (province|city|county), parent_code, source."""
    return _read(
        "regions.csv",
        {
            "code": pl.String,
            "name": pl.String,
            "level": pl.String,
            "parent_code": pl.String,
            "source": pl.String,
        },
    )


@cache
def industries() -> pl.DataFrame:
    """GB/T 4754-2017 sections (``C``) and divisions (``C39``): code, section, name, level."""
    return _read(
        "industries.csv",
        {
            "code": pl.String,
            "section": pl.String,
            "name": pl.String,
            "level": pl.String,
            "division": pl.String,
            "source": pl.String,
        },
    )


@cache
def zones() -> pl.DataFrame:
    """High-tech zones with level, host city, approval year, leading industries and source."""
    return _read(
        "zones.csv",
        {
            "code": pl.String,
            "name": pl.String,
            "short_name": pl.String,
            "level": pl.String,
            "category": pl.String,
            "province": pl.String,
            "region_code": pl.String,
            "county_code": pl.String,
            "approval_year": pl.Int32,
            "leading_industries": pl.String,
            "source": pl.String,
            "confidence": pl.String,
            "district_per_source": pl.String,
            "approval_year_if_verified": pl.String,
            "note": pl.String,
        },
    )


@cache
def zone_levels() -> pl.DataFrame:
    """Dated levels of national zones (``zone_levels.csv``, from national-zones-sourced.csv):
    code, name, provincial_since and national_since (``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD``, as
    precise as the source; empty when not sourced), level_history and source verbatim."""
    return _read(
        "zone_levels.csv",
        {
            "code": pl.String,
            "name": pl.String,
            "provincial_since": pl.String,
            "national_since": pl.String,
            "level_history": pl.String,
            "source": pl.String,
        },
    )


@cache
def _divisions() -> dict[str, str]:
    frame = industries().filter(pl.col("level") == "division")
    return dict(zip(frame["code"], frame["name"], strict=True))


def industry_code_problem(code: str) -> str | None:
    """Why ``code`` is not a GB/T 4754-2017 code in our convention, in Chinese; None if it is.

    Accepted: a section letter followed by 2 to 4 digits whose first two digits name a division
    of that section (``C39``, ``C391``, ``C3911``). The 3rd and 4th digits (中类, 小类) are not
    checked against the standard: only sections and divisions are shipped.
    """
    if not isinstance(code, str) or not code:
        return "行业代码为空，请填写门类字母加2至4位数字，例如 C39"
    match = _INDUSTRY_CODE.match(code.strip().upper())
    if match is None:
        return (
            f"行业代码“{code}”格式不正确：应为门类字母(A–T)加2至4位数字，"
            "例如 C39（计算机、通信和其他电子设备制造业）"
        )
    section, division, _rest = match.groups()
    key = f"{section}{division}"
    if key not in _divisions():
        owner = next((k for k in _divisions() if k[1:] == division), None)
        if owner is not None:
            return (
                f"行业代码“{code}”的大类 {division} 属于门类 {owner[0]}"
                f"（{_divisions()[owner]}），不属于门类 {section}；请改为 {owner}{code[3:]}"
            )
        return f"行业代码“{code}”的大类 {division} 在 GB/T 4754-2017 中不存在"
    return None


def division_name(code: str) -> str | None:
    """The Chinese name of the division a valid code belongs to (``C3911`` → 计算机…制造业)."""
    if industry_code_problem(code) is not None:
        return None
    return _divisions()[code.strip().upper()[:3]]
