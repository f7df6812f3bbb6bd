"""Seeded synthetic jurisdictions for the demo, tests and benchmarks.

``generate("gansu", seed=0)`` returns a :class:`Jurisdiction`: real regions and zones from the
shipped catalogues (``gaoxin.engine.reference``) populated with synthetic enterprises,
institutions, certifications and statistics whose magnitudes follow the public aggregates listed
in docs/demo-data.md. Everything is vectorised (NumPy/Polars); the same arguments give the same
frames, byte for byte.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from statistics import NormalDist
from types import MappingProxyType
from typing import Literal

import numpy as np
import polars as pl

from gaoxin.engine import reference
from gaoxin.engine.variables import default_catalogue

JurisdictionKey = Literal["fujian", "taizhou", "gansu", "sichuan", "national"]
JURISDICTIONS: tuple[str, ...] = ("fujian", "taizhou", "gansu", "sichuan", "national")

ENTERPRISE_CERTIFICATIONS = (
    "hte",
    "tech_sme",
    "srdi",
    "little_giant",
    "gazelle",
    "unicorn",
    "above_scale",
)
INSTITUTION_KINDS = (
    "incubator",
    "maker_space",
    "university_park",
    "new_rd_institution",
    "tech_transfer_institution",
    "key_lab",
    "tech_innovation_center",
)
ZONE_STATUSES = ("approved", "upgraded", "warned", "rectification", "revoked")

# Monthly key indicators reported as 1-N月 cumulative (employees: month-end headcount).
MONTHLY_VARIABLES = (
    "revenue",
    "industrial_output",
    "industrial_value_added",
    "net_profit",
    "taxes_paid",
    "exports",
    "employees",
)
# GB/T 4754 divisions counted as 高技术产业 here (division-level approximation of the NBS
# 高技术产业(制造业)/(服务业) lists, which are defined on 4-digit classes).
HIGHTECH_DIVISIONS = ("C27", "C35", "C37", "C39", "C40", "I63", "I64", "I65", "M73", "M74", "M75")
INDUSTRIAL_SECTIONS = ("B", "C", "D")


# --------------------------------------------------------------------------------------------
# Calibration (sources and confidence marks in docs/demo-data.md)
# --------------------------------------------------------------------------------------------
CALIBRATION_YEAR = 2021
MEAN_REVENUE_WAN = 27_200.0  # 2021: 495,096.1亿 / 18.2万 firms ≈ 2.72亿元 per firm [B]
REVENUE_SIGMA = 1.9  # lognormal shape: heavy tail (4.3万 firms >1亿 of ~21万 in 2025) [C]
REVENUE_GROWTH = 0.06  # zone trend mean per year (GDP 17.3万亿 2022 → 19.3万亿 2024) [B]
REVENUE_PER_EMPLOYEE_WAN = 202.0  # 49.5万亿 / ≈2,450万 employees (2020: 1,059.3万 = 44.4%) [B]
PROFIT_MARGIN = 0.085  # 2021: 利润 ≈4.2万亿 / 49.5万亿 [B]
TAX_RATE = 0.039  # 2020 高技术产业: 税费 5,757亿 / 营收 149,547.8亿 [B]
EXPORT_SHARE_EXPORTERS = 0.30  # 2020 高技术产业 出口 / 营收 = 19.3%; 60% of firms export [C]
RD_INTENSITY_HIGHTECH = 0.042  # 2023 Q1–3: 企业研发 >1万亿 / 营收 37.66万亿 ≈ 2.7% overall [B]
RD_INTENSITY_OTHER = 0.012
NEWCOMER_SIZE_QUANTILE = 0.75  # firms joining in the covered years stay below it [C]
SAFETY_ACCIDENT_RATE = 0.02  # share of zone-years with a 重大安全生产事故 (rare by design) [C]
IVA_RATE = 0.28  # 2024: 工业增加值 9.8万亿 / 规上工业总产值 34.8万亿 [B]
IVA_SHARE_OF_GDP = 0.51  # 2024: 工业增加值 9.8万亿 / 园区生产总值 19.3万亿 [B]
MU_VALUE_ADDED_WAN = 136.16  # 黄岩 2022 亩均增加值 benchmark (万元/亩) [B]
VALUE_ADDED_PER_TCE_WAN = 2.694  # 黄岩 2022 单位能耗增加值 benchmark (万元/吨标准煤) [B]
VALUE_ADDED_PER_T_EMISSION_WAN = 4929.81  # 黄岩 2022 单位排放增加值 benchmark [B]
ABOVE_SCALE_REVENUE_WAN = 2_000.0  # 规模以上工业: 主营业务收入 2000万元及以上 (since 2011)
# Province totals (yearly) the zones' shares are taken of, and the share of each held by the
# zones' host cities (the rest: cities without a zone) [C]
PROVINCE_VARIABLES = ("gdp", "hightech_industry_revenue", "tech_service_revenue")
HOST_CITIES_SHARE_OF_PROVINCE = (0.55, 0.85)

_JURISDICTION_FACTOR = {  # productivity relative to the national-zone mean [C]
    "fujian": 0.95,
    "taizhou": 1.0,
    "gansu": 0.6,
    "sichuan": 0.85,
    "national": 1.0,
}
_PROVINCIAL_FACTOR = 0.45  # provincial zones' firms are smaller than national zones' [C]


@dataclass(frozen=True)
class _DemoZone:
    """A synthetic provincial zone added to a jurisdiction (named ``…（示例）``)."""

    region: str  # GB/T 2260 code the name is taken from (county or city)
    host: str  # host city code
    category: str | None
    approved: int
    fate: Literal["none", "new", "upgrade", "revoke"] = "none"


@dataclass(frozen=True)
class _Spec:
    key: str
    title: str
    region_prefix: str  # regions of the jurisdiction: codes starting with this
    enterprises: int  # at scale=1.0
    demo_zones: tuple[_DemoZone, ...] = ()


_SPECS: dict[str, _Spec] = {
    "fujian": _Spec(
        "fujian",
        "福建省",
        "35",
        1500,
        (
            _DemoZone("350700", "350700", None, 2015),
            _DemoZone("350181", "350100", None, 2013),
            _DemoZone("350582", "350500", None, 2012),
            _DemoZone("350900", "350900", None, 2023, "new"),  # 方案(五) 重点支持宁德市建设高新区
            _DemoZone("350481", "350400", None, 2014, "revoke"),
        ),
    ),
    "taizhou": _Spec(
        "taizhou",
        "台州市",
        "3310",
        600,
        (
            _DemoZone("331081", "331000", "recognised", 2012),
            _DemoZone("331083", "331000", "creating", 2019, "upgrade"),
            _DemoZone("331082", "331000", "creating", 2020),
            _DemoZone("331024", "331000", "creating", 2023, "new"),
            _DemoZone("331022", "331000", "creating", 2017, "revoke"),
        ),
    ),
    "gansu": _Spec(
        "gansu",
        "甘肃省",
        "62",
        800,
        (
            _DemoZone("620500", "620500", None, 2023, "new"),
            _DemoZone("620600", "620600", None, 2015, "revoke"),
        ),
    ),
    "sichuan": _Spec(
        "sichuan",
        "四川省",
        "51",
        1500,
        (
            _DemoZone("511500", "511500", None, 2016),
            _DemoZone("510900", "510900", None, 2015),
            _DemoZone("511300", "511300", None, 2017),
            _DemoZone("511400", "511400", None, 2023, "new"),
            _DemoZone("511800", "511800", None, 2014, "revoke"),
        ),
    ),
    "national": _Spec("national", "全国", "", 3000),
}

# Leading-industry names (as written in the sources) → GB/T 4754 divisions.
_INDUSTRY_DIVISIONS: dict[str, tuple[str, ...]] = {
    "生物医药": ("C27",),
    "新材料": ("C26", "C30", "C32"),
    "循环化工": ("C26", "C42"),
    "有色金属冶炼加工": ("C32", "C33"),
    "装备制造": ("C34", "C35"),
    "有色金属新材料": ("C32",),
    "新能源电池": ("C38",),
    "农副产品加工": ("C13", "C14"),
    "生物制药": ("C27",),
    "智能制造": ("C34", "C40"),
    "新型环保建材": ("C30",),
    "石油化工": ("C25", "C26"),
    "中医药": ("C27",),
    "铝冶炼及制品": ("C32", "C33"),
    "能源化工": ("C25", "C26"),
    "新一代信息技术": ("C39", "I65"),
    "光电子": ("C39",),
    "集成电路": ("C39",),
    # pool for zones whose sources give no leading industries (synthetic)
    "电子信息": ("C39",),
    "高端装备制造": ("C34", "C35"),
    "新能源": ("C38", "D44"),
    "汽车及零部件": ("C36",),
    "软件和信息技术服务": ("I65", "I64"),
    "节能环保": ("C35", "N77"),
    "航空航天": ("C37",),
    "医疗器械": ("C35", "C40"),
    "现代服务业": ("L72", "M74"),
}
_SYNTHETIC_INDUSTRY_POOL = (
    "电子信息",
    "生物医药",
    "高端装备制造",
    "新材料",
    "新能源",
    "汽车及零部件",
    "软件和信息技术服务",
    "节能环保",
    "智能制造",
    "航空航天",
    "医疗器械",
    "现代服务业",
)
# Divisions of firms outside a zone's leading industries (weights: share of zone firms) [C].
_GENERAL_DIVISIONS: dict[str, float] = {
    "C39": 8, "C38": 6, "C34": 6, "C35": 7, "C26": 4, "C27": 5, "C36": 3, "C40": 4, "C33": 4,
    "C29": 3, "C30": 2, "C32": 1, "C13": 1, "C14": 1, "C17": 1, "C22": 1, "C41": 1, "C42": 1,
    "I65": 22, "I64": 6, "I63": 1, "M73": 7, "M74": 8, "M75": 10, "L72": 6, "F51": 6, "E48": 1,
    "D44": 1, "N77": 1, "G59": 1, "K70": 1,
}  # fmt: skip
_INDUSTRY_WORDS: dict[str, str] = {
    "C13": "食品", "C14": "食品", "C17": "纺织", "C22": "纸业", "C25": "能源", "C26": "化工",
    "C27": "医药", "C29": "塑胶", "C30": "建材", "C32": "金属材料", "C33": "金属制品",
    "C34": "机械", "C35": "装备", "C36": "汽车部件", "C37": "航空科技", "C38": "电气",
    "C39": "电子", "C40": "仪器", "C41": "科技", "C42": "再生资源", "D44": "新能源",
    "E48": "工程", "F51": "贸易", "G59": "物流", "I63": "通信", "I64": "网络科技",
    "I65": "软件", "K70": "置业", "L72": "管理咨询", "M73": "研究院", "M74": "检测技术",
    "M75": "科技", "N77": "环保",
}  # fmt: skip
_BRAND_WORDS = (
    "华创", "鑫达", "恒瑞", "中科", "博远", "天诚", "明德", "瑞丰", "宏图", "嘉禾", "国信",
    "金桥", "新航", "卓越", "凯达", "智源", "远景", "东方", "长风", "海纳", "锦程", "润泽",
    "安泰", "盛世", "启明", "英特", "精工", "晶源", "云帆", "星河", "同创", "汇通", "力拓",
    "光耀", "正和", "永信", "泰和", "德润", "九州", "益康", "睿智", "科越", "华信", "众联",
    "大成", "昊天", "天宇", "融创", "立达", "南风", "北辰", "青云", "紫光", "蓝海", "银河",
    "丰源", "和信", "康达", "百川",
)  # fmt: skip
_NAME_EXTRA = "兴盛源泰安达丰荣昌隆祥瑞通和信诚嘉宏伟新晟"
_COMPANY_SUFFIX = ("有限公司", "股份有限公司", "科技有限公司", "有限责任公司")
_INSTITUTION_SUFFIX = {
    "incubator": "科技企业孵化器",
    "maker_space": "众创空间",
    "university_park": "大学科技园",
    "new_rd_institution": "产业技术研究院",
    "tech_transfer_institution": "技术转移中心",
    "key_lab": "重点实验室",
    "tech_innovation_center": "技术创新中心",
}
_INSTITUTION_WEIGHTS = (0.30, 0.28, 0.03, 0.10, 0.11, 0.12, 0.06)
_SEASON = np.array([0.6, 0.7, 1.0, 0.95, 1.0, 1.1, 0.95, 0.95, 1.05, 1.0, 1.1, 1.6])

_USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_USCC_WEIGHTS = np.array([1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28])
_ORG_WEIGHTS = np.array([3, 7, 9, 10, 5, 8, 4, 2])


# --------------------------------------------------------------------------------------------
# The result
# --------------------------------------------------------------------------------------------
@dataclass(frozen=True, eq=False)
class Jurisdiction:
    """A synthetic jurisdiction: real regions and zones, synthetic everything else.

    Frames (schemas in docs/demo-data.md): ``regions``, ``zones``, ``zone_events``,
    ``enterprises``, ``institutions``, ``certifications``, ``observations``. ``quirks`` says
    where the deliberate data problems are (the revised month, the missing month …).
    """

    key: str
    title: str
    seed: int
    scale: float
    first_year: int
    last_year: int
    regions: pl.DataFrame
    zones: pl.DataFrame
    zone_events: pl.DataFrame
    enterprises: pl.DataFrame
    institutions: pl.DataFrame
    certifications: pl.DataFrame
    observations: pl.DataFrame
    quirks: Mapping[str, str]

    FRAMES = (
        "regions",
        "zones",
        "zone_events",
        "enterprises",
        "institutions",
        "certifications",
        "observations",
    )

    def frames(self) -> dict[str, pl.DataFrame]:
        """The seven frames by name."""
        return {name: getattr(self, name) for name in self.FRAMES}

    def equals(self, other: Jurisdiction) -> bool:
        """True when every frame of ``other`` is equal to this one's (values and dtypes)."""
        return all(
            mine.equals(theirs)
            for mine, theirs in zip(self.frames().values(), other.frames().values(), strict=True)
        )


def latest_observations(observations: pl.DataFrame) -> pl.DataFrame:
    """Apply revisions: for each (entity, variable, period) keep the last-reported row.

    A revision is a second row for the same key in a later batch (later ``reported_on``);
    the later batch wins.
    """
    keys = ["entity_kind", "entity_key", "variable", "period"]
    return (
        observations.with_row_index("_row")
        .sort("reported_on", "_row")
        .unique(subset=keys, keep="last", maintain_order=True)
        .sort("_row")
        .drop("_row")
    )


# --------------------------------------------------------------------------------------------
# Entry point
# --------------------------------------------------------------------------------------------
def generate(
    jurisdiction: str,
    *,
    seed: int = 0,
    scale: float = 1.0,
    first_year: int = 2019,
    last_year: int = 2025,
) -> Jurisdiction:
    """Generate a synthetic jurisdiction (``fujian | taizhou | gansu | sichuan | national``).

    ``scale`` multiplies the number of enterprises (national at ``scale=70`` gives 210,000).
    Yearly statistics cover ``first_year..last_year``; monthly and quarterly ones the last three
    years.
    """
    if jurisdiction not in _SPECS:
        raise ValueError(f"unknown jurisdiction {jurisdiction!r}; choose one of {JURISDICTIONS}")
    if not (2000 <= first_year <= last_year <= 2100):
        raise ValueError(f"need 2000 <= first_year <= last_year, got {first_year}..{last_year}")
    if last_year - first_year < 2:
        raise ValueError("need at least three years (the revoked zone's history spans three)")
    if seed < 0:
        raise ValueError(f"seed must be >= 0, got {seed}")
    if scale <= 0:
        raise ValueError(f"scale must be positive, got {scale}")
    spec = _SPECS[jurisdiction]
    ctx = _Context(spec, seed, scale, first_year, last_year)
    regions = _regions(spec)
    zones = _zones(ctx)
    zone_events = _zone_events(ctx, zones)
    enterprises, panel = _enterprises(ctx, zones)
    institutions = _institutions(ctx, zones)
    certifications, hte_held, above_scale = _certifications(ctx, enterprises, panel, institutions)
    panel["hte"] = hte_held
    panel["above_scale"] = above_scale
    observations, quirks = _observations(ctx, zones, enterprises, institutions, panel)
    return Jurisdiction(
        key=spec.key,
        title=spec.title,
        seed=seed,
        scale=scale,
        first_year=first_year,
        last_year=last_year,
        regions=regions,
        zones=zones.drop(
            "_weight", "_factor", "_fate", "_revoked_on", "_trend", "_provincial_since"
        ),
        zone_events=zone_events,
        enterprises=enterprises.drop("_zone", "_hightech", "_industrial"),
        institutions=institutions.drop("_zone"),
        certifications=certifications,
        observations=observations,
        quirks=MappingProxyType(quirks),
    )


class _Context:
    """Arguments plus one independent random stream per component (stable under refactoring)."""

    def __init__(self, spec: _Spec, seed: int, scale: float, first_year: int, last_year: int):
        self.spec = spec
        self.seed = seed
        self.scale = scale
        self.first_year = first_year
        self.last_year = last_year
        self.years = np.arange(first_year, last_year + 1)
        self.monthly_years = self.years[-3:]
        self.last_day = np.datetime64(f"{last_year}-12-31")

    def rng(self, component: str) -> np.random.Generator:
        salt = [ord(c) for c in f"{self.spec.key}/{component}"]
        return np.random.default_rng([self.seed, *salt])


# --------------------------------------------------------------------------------------------
# Regions and zones
# --------------------------------------------------------------------------------------------
def _regions(spec: _Spec) -> pl.DataFrame:
    r = reference.regions().select("code", "name", "level", "parent_code")
    if spec.key == "national":
        return r
    return r.filter(pl.col("code").str.starts_with(spec.region_prefix))


def _stem(name: str) -> str:
    stem = re.sub(r"(市|县|区|自治县)$", "", name)
    return stem if len(stem) >= 2 else name


def _dates(years: np.ndarray, months: np.ndarray, days: np.ndarray) -> np.ndarray:
    ym = (np.asarray(years) - 1970) * 12 + (np.asarray(months) - 1)
    return ym.astype("datetime64[M]").astype("datetime64[D]") + (np.asarray(days) - 1)


def _random_dates(rng: np.random.Generator, years: np.ndarray) -> np.ndarray:
    years = np.asarray(years)
    months = rng.integers(1, 13, size=years.shape)
    days = rng.integers(1, 29, size=years.shape)
    return _dates(years, months, days)


def _zones(ctx: _Context) -> pl.DataFrame:
    spec = ctx.spec
    z = reference.zones()
    if spec.key == "national":
        real = z.filter(pl.col("level") == "national")
    elif spec.key == "taizhou":
        real = z.filter(pl.col("region_code") == "331000")
    else:
        real = z.filter(pl.col("region_code").str.starts_with(spec.region_prefix))
    rng = ctx.rng("zones")
    names = dict(zip(reference.regions()["code"], reference.regions()["name"], strict=True))

    # dated levels where sourced (catalogue/zone_levels.csv): the national approval as precise
    # as the source gives it, and the provincial approval before it
    dated = reference.zone_levels()
    national_since = dict(zip(dated["code"], dated["national_since"], strict=True))
    provincial_since = dict(zip(dated["code"], dated["provincial_since"], strict=True))
    national_years = _national_year_pool(rng, z, national_since)
    rows: list[dict[str, object]] = []
    for zone in real.iter_rows(named=True):
        synthetic: list[str] = ["area_km2"]
        year = zone["approval_year"]
        level = zone["level"]
        known = national_since.get(zone["code"]) or ""
        provincial = provincial_since.get(zone["code"]) or ""
        if level == "national" and known:
            year = int(known[:4])
        if level == "national" and year is not None and year > ctx.last_year:
            # upgraded after the demo's window (河北雄安, 2026): provincial throughout it
            level, known = "provincial", provincial
            year = int(provincial[:4]) if provincial else None
        if year is None:
            if zone["level"] == "national" and national_years:
                year = national_years.pop()
            else:
                year = int(rng.integers(2000, max(min(2019, ctx.first_year), 2001)))
            synthetic.append("approved_on")
        elif len(known) < 10:
            synthetic.append("approved_on_day")
        industries = zone["leading_industries"]
        if industries:
            leading = industries.split(";")
        else:
            picks = rng.choice(len(_SYNTHETIC_INDUSTRY_POOL), size=3, replace=False)
            leading = [_SYNTHETIC_INDUSTRY_POOL[i] for i in sorted(picks)]
            synthetic.append("leading_industries")
        category = zone["category"]
        if zone["level"] == "provincial" and spec.key == "taizhou" and category is None:
            category = "recognised"
            synthetic.append("category")
        rows.append(
            {
                "code": zone["code"],
                "name": zone["name"],
                "short_name": zone["short_name"],
                "level": level,
                "category": category,
                "region_code": zone["region_code"],
                "approved_year": year,
                "_since": known,
                "_provincial_since": provincial if level == "national" else "",
                "leading_industries": leading,
                "source": zone["source"],
                "synthetic_fields": synthetic,
                "_fate": "none",
            }
        )
    sequence: dict[str, int] = {}
    for code in z["code"]:
        host, number = code[:7], int(code[7:])
        sequence[host] = max(sequence.get(host, 0), number)
    for demo in spec.demo_zones:
        stem = _stem(names[demo.region])
        host = f"{demo.host}P"
        sequence[host] = sequence.get(host, 0) + 1
        picks = rng.choice(len(_SYNTHETIC_INDUSTRY_POOL), size=2, replace=False)
        rows.append(
            {
                "code": f"{host}{sequence[host]}",
                "name": f"{stem}高新技术产业园区（示例）",
                "short_name": f"{stem}高新区（示例）",
                "level": "provincial",
                "category": demo.category,
                "region_code": demo.host,
                # keep the demo histories inside the window: a new zone at most in the last
                # year, a revoked one approved before its warning (last_year - 3)
                "approved_year": min(
                    demo.approved, ctx.last_year - 4 if demo.fate == "revoke" else ctx.last_year
                ),
                "_since": "",
                "_provincial_since": "",
                "leading_industries": [_SYNTHETIC_INDUSTRY_POOL[i] for i in sorted(picks)],
                "source": "synthetic (gaoxin.engine.synth)",
                "synthetic_fields": [
                    "name",
                    "approved_on",
                    "area_km2",
                    "leading_industries",
                    "category",
                ],
                "_fate": demo.fate,
            }
        )
    frame = pl.DataFrame(
        rows,
        schema={
            "code": pl.String,
            "name": pl.String,
            "short_name": pl.String,
            "level": pl.String,
            "category": pl.String,
            "region_code": pl.String,
            "approved_year": pl.Int64,
            "_since": pl.String,
            "_provincial_since": pl.String,
            "leading_industries": pl.List(pl.String),
            "source": pl.String,
            "synthetic_fields": pl.List(pl.String),
            "_fate": pl.String,
        },
    )
    n = frame.height
    years = frame["approved_year"].to_numpy()
    approved = _sourced_dates(frame["_since"], _random_dates(rng, years))
    national = (frame["level"] == "national").to_numpy()
    area = np.where(national, 30.0, 8.0) * rng.lognormal(0.0, 0.6, n)
    weight = np.where(national, 3.0, 1.0) * rng.lognormal(0.0, 0.7, n)
    fate = frame["_fate"].to_numpy()
    weight = np.where(fate == "new", weight * 0.3, weight)
    weight = np.where(fate == "revoke", weight * 0.5, weight)
    factor = _JURISDICTION_FACTOR[spec.key] * np.where(national, 1.0, _PROVINCIAL_FACTOR)
    revoked_on = np.where(
        fate == "revoke",
        _dates(np.full(n, ctx.last_year - 1), np.full(n, 6), np.full(n, 30)),
        np.datetime64("NaT"),
    )
    trend = rng.normal(REVENUE_GROWTH, 0.03, n)
    return (
        frame.drop("approved_year")
        .with_columns(
            pl.Series("approved_on", approved),
            pl.Series("area_km2", np.round(area, 2)),
            pl.Series("_weight", weight),
            pl.Series("_factor", factor),
            pl.Series("_revoked_on", revoked_on.astype("datetime64[D]")),
            pl.Series("_trend", trend),
        )
        .select(
            "code",
            "name",
            "short_name",
            "level",
            "category",
            "region_code",
            "approved_on",
            "area_km2",
            "leading_industries",
            "source",
            "synthetic_fields",
            "_provincial_since",
            "_fate",
            "_weight",
            "_factor",
            "_revoked_on",
            "_trend",
        )
    )


# National zones approved per period (domain-notes §5.1 [B]): 1988 1; 1991 26; 1992 25; 1997 1;
# 2007 1; 2008–12 +51 (to 105); 2013–15 +24 (to 129); 2016–18 +28 (to 157); 2019 +12 (169);
# 2022 +8 (177).
_NATIONAL_APPROVALS: tuple[tuple[int, int, int], ...] = (
    (1988, 1988, 1),
    (1991, 1991, 26),
    (1992, 1992, 25),
    (1997, 1997, 1),
    (2007, 2007, 1),
    (2008, 2012, 51),
    (2013, 2015, 24),
    (2016, 2018, 28),
    (2019, 2019, 12),
    (2022, 2022, 8),
)


_PRECISION = {4: "年份", 7: "年月", 10: "日期"}


def _sourced_dates(since: pl.Series, drawn: np.ndarray) -> np.ndarray:
    """``drawn`` dates with the sourced part of ``since`` (YYYY, YYYY-MM or YYYY-MM-DD) kept:
    a sourced month keeps the drawn day, a sourced day replaces the date."""
    text = since.fill_null("").to_list()
    out = drawn.astype("datetime64[D]").copy()
    for i, t in enumerate(text):  # the few dozen sourced dates, not rows of data
        if len(t) == 10:
            out[i] = np.datetime64(t)
        elif len(t) == 7:
            day = (out[i] - out[i].astype("datetime64[M]")).astype(int)
            out[i] = np.datetime64(t).astype("datetime64[D]") + min(int(day), 27)
    return out


def _national_year_pool(
    rng: np.random.Generator, zones: pl.DataFrame, national_since: Mapping[str, str]
) -> list[int]:
    """Approval years for national zones whose year is unknown, drawn so that the whole list
    follows the published count over time; the verified years are taken out first."""
    pool: list[int] = []
    for low, high, count in _NATIONAL_APPROVALS:
        pool.extend(int(y) for y in rng.integers(low, high + 1, count))
    national = zones.filter(pl.col("level") == "national")
    known = [
        int(national_since[c][:4]) if national_since.get(c) else y
        for c, y in zip(national["code"], national["approval_year"], strict=True)
    ]
    for year in [y for y in known if y is not None]:
        near = min(pool, key=lambda y: (abs(y - year), y), default=None)
        if near is not None and abs(near - year) <= 2:
            pool.remove(near)
    order = rng.permutation(len(pool))
    return [pool[i] for i in order]


def _zone_events(ctx: _Context, zones: pl.DataFrame) -> pl.DataFrame:
    rng = ctx.rng("zone_events")
    rows: list[tuple[str, str, date, str, str | None]] = []
    y1 = ctx.last_year - 3
    for z in zones.iter_rows(named=True):
        code, approved, fate = z["code"], z["approved_on"], z["_fate"]
        provincial = z["_provincial_since"] or ""
        if "approved_on" in z["synthetic_fields"]:
            when = "（日期为示例）"
        elif "approved_on_day" in z["synthetic_fields"]:
            when = "（年份据来源，日期为示例）"
        else:
            when = "（日期据来源）"
        if z["level"] == "national" and (approved.year >= 2008 or provincial):
            if provincial:
                earlier = _sourced_dates(
                    pl.Series([provincial]),
                    np.array([np.datetime64(f"{provincial[:4]}-06-15")], dtype="datetime64[D]"),
                )[0].astype(date)
                note = f"设立省级高新区（{_PRECISION[len(provincial)]}据来源）"
            else:
                earlier = approved.replace(year=approved.year - int(rng.integers(4, 11)))
                note = "设立省级高新区（示例）"
            rows.append((code, "approved", earlier, note, "provincial"))
            rows.append(
                (code, "upgraded", approved, f"经国务院批复升级为国家高新区{when}", "national")
            )
        elif z["level"] == "national":
            rows.append((code, "approved", approved, f"经国务院批复为国家高新区{when}", "national"))
        elif fate == "new":
            rows.append(
                (
                    code,
                    "approved",
                    approved,
                    f"{approved.year}年新设省级高新区（示例）",
                    "provincial",
                )
            )
        else:
            what = "创建类" if z["category"] == "creating" else "省级"
            rows.append((code, "approved", approved, f"批准为{what}高新区", "provincial"))
        if fate == "upgrade":
            # a change of category, not of level
            rows.append(
                (code, "upgraded", date(ctx.last_year - 1, 3, 15), "创建类转为认定类（示例）", None)
            )
        if fate == "revoke":
            rows.append((code, "warned", date(y1, 4, 20), "年度评价不合格，督促警告（示例）", None))
            rows.append(
                (
                    code,
                    "rectification",
                    date(y1 + 1, 4, 20),
                    "连续两年不合格，限期整改（示例）",
                    None,
                )
            )
            rows.append(
                (code, "revoked", z["_revoked_on"], "整改不到位，撤销省级高新区资格（示例）", None)
            )
    return pl.DataFrame(
        rows,
        schema={
            "zone_code": pl.String,
            "status": pl.String,
            "date": pl.Date,
            "note": pl.String,
            "level": pl.String,
        },
        orient="row",
    ).sort("zone_code", "date", maintain_order=True)


# --------------------------------------------------------------------------------------------
# Codes
# --------------------------------------------------------------------------------------------
def _uscc(
    rng: np.random.Generator,
    region_codes: np.ndarray,
    prefixes: np.ndarray,
    modern: np.ndarray,
    part: int,
) -> np.ndarray:
    """Valid, unique 统一社会信用代码 (GB 32100, with the GB 11714 organisation check digit).

    ``prefixes`` are two-character 登记管理部门码+机构类别码 (``91`` enterprise, ``12`` 事业单位,
    ``52`` 民办非企业单位); ``modern`` rows get a post-2015 ``MA…`` organisation code.
    ``part`` (0 enterprises, 1 institutions) draws from disjoint ranges so that no two
    organisations share an organisation code.
    """
    n = len(region_codes)
    alphabet = np.frombuffer(_USCC_ALPHABET.encode(), dtype=np.uint8)
    n_modern = int(modern.sum())
    old_split, new_split = 9 * 10**7, 31**6 - 10**7
    old_range = (0, old_split) if part == 0 else (old_split, 10**8)
    new_range = (0, new_split) if part == 0 else (new_split, 31**6)
    old_ids = old_range[0] + rng.choice(old_range[1] - old_range[0], n - n_modern, replace=False)
    new_ids = new_range[0] + rng.choice(new_range[1] - new_range[0], n_modern, replace=False)
    old_digits = (old_ids[:, None] // 10 ** np.arange(7, -1, -1)) % 10
    new_digits = (new_ids[:, None] // 31 ** np.arange(5, -1, -1)) % 31
    # 'M' and 'A' then six characters of the USCC alphabet
    chars = np.empty((n, 8), dtype=np.uint8)
    chars[~modern] = old_digits + ord("0")
    chars[modern, 0] = ord("M")
    chars[modern, 1] = ord("A")
    chars[modern, 2:] = alphabet[new_digits]
    values = np.where(chars >= ord("A"), chars - ord("A") + 10, chars - ord("0")).astype(np.int64)
    c9 = 11 - (values * _ORG_WEIGHTS).sum(axis=1) % 11
    check9 = np.where(c9 == 10, ord("X"), np.where(c9 == 11, ord("0"), c9 + ord("0")))
    body = np.empty((n, 18), dtype=np.uint8)
    body[:, :2] = np.frombuffer("".join(prefixes).encode(), dtype=np.uint8).reshape(n, 2)
    body[:, 2:8] = np.frombuffer("".join(region_codes).encode(), dtype=np.uint8).reshape(n, 6)
    body[:, 8:16] = chars
    body[:, 16] = check9
    lookup = np.full(128, -1, dtype=np.int64)
    lookup[alphabet] = np.arange(len(alphabet))
    idx = lookup[body[:, :17]]
    body[:, 17] = alphabet[(31 - (idx * _USCC_WEIGHTS).sum(axis=1) % 31) % 31]
    return body.view("S18").ravel()


def _strings(raw: np.ndarray) -> pl.Series:
    return pl.Series(raw).cast(pl.String)


# --------------------------------------------------------------------------------------------
# Enterprises and their yearly panel
# --------------------------------------------------------------------------------------------
def _zone_divisions(zones: pl.DataFrame, k: int = 4) -> np.ndarray:
    """A zones × k matrix of leading-industry divisions (cycled to fill k)."""
    out = []
    for leading in zones["leading_industries"].to_list():
        divs = [d for name in leading for d in _INDUSTRY_DIVISIONS.get(name, ())] or ["C39"]
        out.append([divs[i % len(divs)] for i in range(k)])
    return np.array(out, dtype=object)


def _enterprises(ctx: _Context, zones: pl.DataFrame) -> tuple[pl.DataFrame, dict[str, np.ndarray]]:
    rng = ctx.rng("enterprises")
    n_zones = zones.height
    total = max(int(round(ctx.spec.enterprises * ctx.scale)), 3 * n_zones)
    weight = zones["_weight"].to_numpy()
    counts = 3 + rng.multinomial(total - 3 * n_zones, weight / weight.sum())
    zone_idx = np.repeat(np.arange(n_zones), counts)
    n = len(zone_idx)

    # industry: 60% from the zone's leading industries, the rest from the general mix
    leading = _zone_divisions(zones)
    general = np.array(list(_GENERAL_DIVISIONS), dtype=object)
    gw = np.array(list(_GENERAL_DIVISIONS.values()))
    from_leading = rng.random(n) < 0.6
    lead_pick = leading[zone_idx, rng.integers(0, leading.shape[1], n)]
    gen_pick = general[rng.choice(len(general), size=n, p=gw / gw.sum())]
    industry = np.where(from_leading, lead_pick, gen_pick).astype(str)
    hightech = np.isin(industry, HIGHTECH_DIVISIONS)
    industrial = np.isin(industry.view("<U1").reshape(n, -1)[:, 0], INDUSTRIAL_SECTIONS)

    # dates
    approved = zones["approved_on"].to_numpy().astype("datetime64[D]")[zone_idx]
    revoked = zones["_revoked_on"].to_numpy().astype("datetime64[D]")[zone_idx]
    age = np.floor(rng.exponential(12.0, n)).astype(int)
    founded_year = np.clip(ctx.last_year - age, 1980, ctx.last_year)
    founded = _random_dates(rng, founded_year)
    incumbent = rng.random(n) < 0.65
    join_year = np.where(
        incumbent,
        ctx.first_year - 1 - np.floor(rng.exponential(4.0, n)).astype(int),
        rng.integers(ctx.first_year, ctx.last_year + 1, n),
    )
    joined = np.maximum(np.maximum(_random_dates(rng, join_year), founded), approved)
    has_revoke = ~np.isnat(revoked)
    joined = np.where(has_revoke, np.minimum(joined, revoked - 365), joined)
    founded = np.minimum(founded, joined)
    # a few move out (and every firm of a revoked zone leaves its statistics)
    span = (ctx.last_day - joined).astype(int)
    movers = (rng.random(n) < 0.03) & (span > 200)
    left = joined + (180 + rng.random(n) * np.maximum(span - 180, 1)).astype("timedelta64[D]")
    left = np.where(movers, left, np.datetime64("NaT"))
    left = np.where(has_revoke, revoked, left).astype("datetime64[D]")

    zone_codes = zones["code"].to_numpy()
    zone_region = zones["region_code"].to_numpy()[zone_idx]
    modern = founded >= np.datetime64("2016-01-01")
    uscc = _strings(_uscc(rng, zone_region, np.full(n, "91"), modern, part=0))

    # names: city + brand + industry word + suffix
    names = dict(zip(reference.regions()["code"], reference.regions()["name"], strict=True))
    city_stems = np.array([_stem(names[c]) for c in zones["region_code"]], dtype=object)
    brand = np.array(_BRAND_WORDS, dtype=object)[rng.integers(0, len(_BRAND_WORDS), n)]
    divisions, inverse = np.unique(industry, return_inverse=True)
    word = np.array([_INDUSTRY_WORDS.get(d, "科技") for d in divisions], dtype=object)[inverse]
    suffix = np.array(_COMPANY_SUFFIX, dtype=object)[
        rng.choice(4, size=n, p=[0.55, 0.15, 0.2, 0.1])
    ]
    suffix = np.where((word == "科技") & (suffix == "科技有限公司"), "有限公司", suffix)
    head = (city_stems[zone_idx] + brand).astype(str)
    tail = (word + suffix).astype(str)

    frame = pl.DataFrame(
        {
            "uscc": uscc,
            "name": pl.Series(head),
            "_tail": pl.Series(tail),
            "zone_code": pl.Series(zone_codes[zone_idx].astype(str)),
            "industry_code": pl.Series(industry),
            "founded_on": pl.Series(founded),
            "joined_on": pl.Series(joined),
            "left_on": pl.Series(left),
            "_zone": zone_idx,
            "_hightech": hightech,
            "_industrial": industrial,
        }
    )
    # a repeated name gets one more character after the brand (名称 are unique in a region)
    rank = pl.int_range(pl.len()).over(pl.col("name") + pl.col("_tail"))
    extra = pl.lit(_NAME_EXTRA).str.slice((rank - 1) % len(_NAME_EXTRA), 1)
    frame = frame.with_columns(
        pl.when(rank > 0)
        .then(pl.col("name") + extra + pl.col("_tail"))
        .otherwise(pl.col("name") + pl.col("_tail"))
        .alias("name")
    ).drop("_tail")

    # yearly panel: revenue (万元) follows a zone trend plus a firm random walk
    years = ctx.years
    factor = zones["_factor"].to_numpy()[zone_idx]
    mu = np.log(MEAN_REVENUE_WAN * factor) - REVENUE_SIGMA**2 / 2
    newcomer = joined >= np.datetime64(f"{ctx.first_year}-01-01")
    base = np.exp(mu + REVENUE_SIGMA * _small_newcomers(rng.standard_normal(n), newcomer))
    # keep the calibrated mean of the calibration year: capping newcomers lowers it by the capped
    # lognormal's share of the mean, for the newcomers among that year's firms
    cal_end = np.datetime64(f"{CALIBRATION_YEAR}-12-31")
    in_cal = (joined <= cal_end) & (np.isnat(left) | (left > cal_end))
    share = float(newcomer[in_cal].mean()) if in_cal.any() else 0.0
    base = base / (1 - share + share * _capped_mean_ratio(REVENUE_SIGMA, NEWCOMER_SIZE_QUANTILE))
    trend = zones["_trend"].to_numpy()[zone_idx]
    steps = trend[:, None] + rng.normal(0.0, 0.15, (n, len(years)))
    walk = np.cumsum(steps, axis=1)
    anchor = np.clip(np.searchsorted(years, CALIBRATION_YEAR), 0, len(years) - 1)
    walk = walk - walk[:, [anchor]]
    revenue = base[:, None] * np.exp(walk)
    year_end = _dates(years, np.full(len(years), 12), np.full(len(years), 31))
    active = (joined[:, None] <= year_end[None, :]) & (
        np.isnat(left)[:, None] | (left[:, None] > year_end[None, :])
    )
    # A firm that joins a zone mid-year reports its flows from the joining month only: its
    # joining year's figures cover the months from joining, weighted by the seasonal profile
    # (a July joiner brings 1-N月 from July, not the whole year's 累计 on arrival).
    start = _start_month(joined, years)
    season_cum = np.concatenate([[0.0], np.cumsum(_SEASON)])
    panel = {
        "zone": zone_idx,
        "revenue": revenue,
        "start_month": start,
        "in_zone": 1 - season_cum[start - 1] / season_cum[-1],
        "active": active,
        "hightech": hightech,
        "industrial": industrial,
        "founded": founded,
        "joined": joined,
        "left": left,
        "year_end": year_end,
    }
    return frame, panel


# --------------------------------------------------------------------------------------------
# Institutions
# --------------------------------------------------------------------------------------------
def _institutions(ctx: _Context, zones: pl.DataFrame) -> pl.DataFrame:
    rng = ctx.rng("institutions")
    weight = zones["_weight"].to_numpy()
    expected = ctx.spec.enterprises * ctx.scale / 12 * weight / weight.sum()
    counts = 1 + rng.poisson(expected)
    zone_idx = np.repeat(np.arange(zones.height), counts)
    n = len(zone_idx)
    kind_idx = rng.choice(len(INSTITUTION_KINDS), size=n, p=_INSTITUTION_WEIGHTS)
    kinds = np.array(INSTITUTION_KINDS, dtype=object)[kind_idx]
    approved = zones["approved_on"].to_numpy().astype("datetime64[D]")[zone_idx]
    year = ctx.last_year - np.floor(rng.exponential(7.0, n)).astype(int)
    founded = np.maximum(_random_dates(rng, np.maximum(year, 1995)), approved)
    founded = np.minimum(founded, ctx.last_day)
    prefixes = np.where(np.isin(kinds, ("incubator", "maker_space")), "91", "12")
    prefixes = np.where(kinds == "tech_transfer_institution", "52", prefixes)
    region = zones["region_code"].to_numpy()[zone_idx]
    modern = founded >= np.datetime64("2016-01-01")
    codes = _strings(_uscc(rng, region, prefixes, modern, part=1))
    short = zones["short_name"].to_numpy()[zone_idx]
    brand = np.array(_BRAND_WORDS, dtype=object)[rng.integers(0, len(_BRAND_WORDS), n)]
    suffix = np.array([_INSTITUTION_SUFFIX[k] for k in INSTITUTION_KINDS], dtype=object)[kind_idx]
    return pl.DataFrame(
        {
            "code": codes,
            "name": pl.Series((short + brand + suffix).astype(str)),
            "kind": pl.Series(kinds.astype(str)),
            "zone_code": pl.Series(zones["code"].to_numpy()[zone_idx].astype(str)),
            "founded_on": pl.Series(founded),
            "_zone": zone_idx,
        }
    )


# --------------------------------------------------------------------------------------------
# Certifications
# --------------------------------------------------------------------------------------------
def _cert_frame(
    keys: pl.Series,
    idx: np.ndarray,
    kind: str,
    level: str | None,
    granted: np.ndarray,
    expires: np.ndarray,
    revoked: np.ndarray | None = None,
) -> pl.DataFrame:
    m = len(idx)
    return pl.DataFrame(
        {
            "entity_key": keys.gather(idx),
            "kind": pl.repeat(kind, m, dtype=pl.String, eager=True),
            "level": pl.repeat(level, m, dtype=pl.String, eager=True),
            "granted_on": pl.Series(granted.astype("datetime64[D]")),
            "expires_on": pl.Series(expires.astype("datetime64[D]")),
            "revoked_on": pl.Series(
                (revoked if revoked is not None else np.full(m, np.datetime64("NaT"))).astype(
                    "datetime64[D]"
                )
            ),
        }
    )


def _certifications(
    ctx: _Context,
    enterprises: pl.DataFrame,
    panel: dict[str, np.ndarray],
    institutions: pl.DataFrame,
) -> tuple[pl.DataFrame, np.ndarray, np.ndarray]:
    rng = ctx.rng("certifications")
    keys = enterprises["uscc"]
    n = enterprises.height
    years = ctx.years
    revenue = panel["revenue"]
    hightech = panel["hightech"]
    founded_year = panel["founded"].astype("datetime64[Y]").astype(int) + 1970
    frames: list[pl.DataFrame] = []

    # 高新技术企业: 3-year certificates, renewed with p=0.8, 3% revoked [C]
    size = np.log(revenue[:, 0] + 1.0)
    logit = -0.4 + 1.6 * hightech + 0.25 * (size - np.log(MEAN_REVENUE_WAN) + 1.6)
    eligible = rng.random(n) < 1.0 / (1.0 + np.exp(-logit))
    y0 = rng.integers(ctx.first_year - 3, ctx.last_year + 1, n)
    y0 = np.maximum(y0, founded_year + 1)
    cycles = 4
    start = y0[:, None] + 3 * np.arange(cycles)[None, :]
    renew = rng.random((n, cycles)) < 0.8
    renew[:, 0] = True
    revoke = rng.random((n, cycles)) < 0.03
    alive = np.cumprod(renew & ~np.concatenate([np.zeros((n, 1), bool), revoke[:, :-1]], 1), 1)
    exists = eligible[:, None] & alive.astype(bool) & (start <= ctx.last_year)
    granted = _dates(start, rng.integers(10, 13, (n, cycles)), rng.integers(1, 29, (n, cycles)))
    expires = _add_years(granted, 3)
    revoked_on = np.where(
        revoke,
        granted + rng.integers(200, 900, (n, cycles)).astype("timedelta64[D]"),
        np.datetime64("NaT"),
    )
    revoked_on = np.where(revoked_on <= ctx.last_day, revoked_on, np.datetime64("NaT"))
    ei, ci = np.nonzero(exists)
    frames.append(
        _cert_frame(
            keys, ei, "hte", "national", granted[ei, ci], expires[ei, ci], revoked_on[ei, ci]
        )
    )
    # held at each year end
    ends = panel["year_end"]
    hte_held = np.zeros((n, len(years)), dtype=bool)
    for c in range(cycles):
        stop = np.where(
            np.isnat(revoked_on[:, c]), expires[:, c], np.minimum(expires[:, c], revoked_on[:, c])
        )
        hte_held |= (
            exists[:, [c]] & (granted[:, [c]] <= ends[None, :]) & (stop[:, None] >= ends[None, :])
        )

    # 科技型中小企业: yearly 入库 for small firms
    employees = revenue / REVENUE_PER_EMPLOYEE_WAN
    small = (employees <= 500) & (revenue <= 20_000)
    tsme = small & (rng.random((n, len(years))) < 0.65) & (years[None, :] > founded_year[:, None])
    ei, yi = np.nonzero(tsme)
    frames.append(
        _cert_frame(
            keys,
            ei,
            "tech_sme",
            "national",
            _dates(years[yi], rng.integers(3, 10, len(yi)), rng.integers(1, 29, len(yi))),
            _dates(years[yi], np.full(len(yi), 12), np.full(len(yi), 31)),
        )
    )

    # 专精特新 (provincial, 3 years) and 小巨人 (national, 3 years) for mid-size firms
    mid = (revenue[:, 0] >= 1_000) & (revenue[:, 0] <= 100_000) & panel["industrial"]
    srdi = mid & (rng.random(n) < 0.25)
    sy = rng.integers(ctx.first_year, ctx.last_year + 1, n)
    ei = np.nonzero(srdi)[0]
    g = _dates(sy[ei], rng.integers(6, 13, len(ei)), rng.integers(1, 29, len(ei)))
    frames.append(_cert_frame(keys, ei, "srdi", "provincial", g, _add_years(g, 3)))
    giant = srdi & (rng.random(n) < 0.2) & (sy < ctx.last_year)
    ei = np.nonzero(giant)[0]
    g = _dates(sy[ei] + 1, rng.integers(6, 13, len(ei)), rng.integers(1, 29, len(ei)))
    frames.append(_cert_frame(keys, ei, "little_giant", "national", g, _add_years(g, 3)))

    # 瞪羚: yearly, fast growth for two years; 独角兽: the few young, largest, fastest
    growth = np.zeros_like(revenue)
    growth[:, 1:] = revenue[:, 1:] / revenue[:, :-1] - 1
    young = (years[None, :] - founded_year[:, None]) <= 10
    fast = (growth > 0.2) & (np.roll(growth, 1, axis=1) > 0.2) & young & (revenue >= 1_000)
    fast[:, :2] = False
    ei, yi = np.nonzero(fast)
    frames.append(
        _cert_frame(
            keys,
            ei,
            "gazelle",
            "provincial",
            _dates(years[yi], np.full(len(yi), 9), np.full(len(yi), 1)),
            _dates(years[yi] + 1, np.full(len(yi), 8), np.full(len(yi), 31)),
        )
    )
    score = np.where(young[:, -1], revenue[:, -1] * (1 + growth[:, -1]), 0.0)
    top = np.argsort(-score, kind="stable")[: max(1, n // 3000)]
    top = top[score[top] > 0]
    frames.append(
        _cert_frame(
            keys,
            top,
            "unicorn",
            "national",
            _dates(np.full(len(top), ctx.last_year), np.full(len(top), 4), np.full(len(top), 1)),
            _dates(
                np.full(len(top), ctx.last_year + 1), np.full(len(top), 3), np.full(len(top), 31)
            ),
        )
    )

    # 规模以上工业: industrial firms with revenue ≥ 2000万元, one row per year
    reported = revenue * panel["in_zone"]  # the year's revenue as reported (from joining)
    above = panel["industrial"][:, None] & (reported >= ABOVE_SCALE_REVENUE_WAN) & panel["active"]
    ei, yi = np.nonzero(above)
    frames.append(
        _cert_frame(
            keys,
            ei,
            "above_scale",
            None,
            _dates(years[yi], np.ones(len(yi), int), np.ones(len(yi), int)),
            _dates(years[yi], np.full(len(yi), 12), np.full(len(yi), 31)),
        )
    )

    # institutions: recognised at a level; a few incubators upgraded provincial → national
    m = institutions.height
    ikeys = institutions["code"]
    founded = institutions["founded_on"].to_numpy().astype("datetime64[D]")
    level = np.array(["national", "provincial", "city"], dtype=object)[
        rng.choice(3, size=m, p=[0.15, 0.5, 0.35])
    ]
    granted_i = np.minimum(
        founded + rng.integers(200, 1100, m).astype("timedelta64[D]"), ctx.last_day
    )
    kinds = institutions["kind"].to_numpy()
    upgrade_at = _dates(
        rng.integers(ctx.first_year + 1, ctx.last_year + 1, m),
        rng.integers(1, 13, m),
        np.ones(m, int),
    )
    upgraded = (kinds == "incubator") & (level == "provincial") & (granted_i < upgrade_at - 365)
    upgraded &= rng.random(m) < 0.15
    if not upgraded.any():  # the demo must show one upgrade
        candidates = np.nonzero((kinds == "incubator") & (granted_i < upgrade_at - 365))[0]
        if len(candidates):
            upgraded[candidates[0]] = True
            level[candidates[0]] = "provincial"
    nat = np.datetime64("NaT")
    for lv in ("national", "provincial", "city"):
        idx = np.nonzero(level == lv)[0]
        for ks in INSTITUTION_KINDS:
            sel = idx[kinds[idx] == ks]
            if not len(sel):
                continue
            exp = np.where(upgraded[sel], upgrade_at[sel] - 1, nat)
            frames.append(_cert_frame(ikeys, sel, ks, lv, granted_i[sel], exp))
    sel = np.nonzero(upgraded)[0]
    frames.append(
        _cert_frame(ikeys, sel, "incubator", "national", upgrade_at[sel], np.full(len(sel), nat))
    )
    certifications = pl.concat(frames, how="vertical").sort(
        "entity_key", "kind", "granted_on", maintain_order=True
    )
    return certifications, hte_held, above


def _add_years(d: np.ndarray, k: int) -> np.ndarray:
    """``d`` plus ``k`` years minus one day: the last day of a k-year certificate."""
    month_start = d.astype("datetime64[M]")
    y = d.astype("datetime64[Y]").astype(int) + 1970
    m = month_start.astype(int) % 12 + 1
    day = (d - month_start.astype("datetime64[D]")).astype(int) + 1
    return _dates(y + k, m, day) - 1


# --------------------------------------------------------------------------------------------
# Observations
# --------------------------------------------------------------------------------------------
class _Long:
    """Collects long-format observations as index arrays; builds one frame at the end."""

    def __init__(self, periods: list[str], variables: list[str]):
        self.periods = periods
        self.period_index = {p: i for i, p in enumerate(periods)}
        self.variables = variables
        self.variable_index = {v: i for i, v in enumerate(variables)}
        self.batches: list[str] = []
        self.batch_dates: list[date] = []
        self.batch_index: dict[str, int] = {}
        self.chunks: list[tuple[np.ndarray, ...]] = []

    def batch(self, name: str, reported_on: date) -> int:
        if name not in self.batch_index:
            self.batch_index[name] = len(self.batches)
            self.batches.append(name)
            self.batch_dates.append(reported_on)
        return self.batch_index[name]

    def add(
        self,
        entity: np.ndarray,
        variable: str,
        period: np.ndarray,
        value: np.ndarray,
        batch: np.ndarray,
    ) -> None:
        m = len(entity)
        if m == 0:
            return
        self.chunks.append(
            (
                entity.astype(np.int32),
                np.full(m, self.variable_index[variable], dtype=np.int16),
                period.astype(np.int16),
                value.astype(np.float64),
                batch.astype(np.int16),
            )
        )

    def frame(self, entity_keys: pl.Series, entity_kinds: np.ndarray) -> pl.DataFrame:
        """The observations frame; chunks are converted and released one at a time, and
        small ones merged, to keep the peak memory near the size of the result."""
        kinds = pl.Series(["enterprise", "institution", "zone", "region"], dtype=pl.String)
        variables = pl.Series(self.variables, dtype=pl.String)
        periods = pl.Series(self.periods, dtype=pl.String)
        batches = pl.Series(self.batches, dtype=pl.String)
        dates = pl.Series(self.batch_dates, dtype=pl.Date)
        frames: list[pl.DataFrame] = []
        self.chunks.reverse()
        while self.chunks:
            group = [self.chunks.pop()]
            while self.chunks and sum(len(c[0]) for c in group) < 2_000_000:
                group.append(self.chunks.pop())
            entity, variable, period, value, batch = (
                np.concatenate([c[i] for c in group]) for i in range(5)
            )
            del group
            frames.append(
                pl.DataFrame(
                    {
                        "entity_key": entity_keys.gather(entity),
                        "entity_kind": kinds.gather(entity_kinds[entity]),
                        "variable": variables.gather(variable),
                        "period": periods.gather(period),
                        "value": pl.Series(value, dtype=pl.Float64),
                        "batch": batches.gather(batch),
                        "reported_on": dates.gather(batch),
                    }
                )
            )
        return pl.concat(frames, how="vertical", rechunk=False)


def _observations(
    ctx: _Context,
    zones: pl.DataFrame,
    enterprises: pl.DataFrame,
    institutions: pl.DataFrame,
    panel: dict[str, np.ndarray],
) -> tuple[pl.DataFrame, dict[str, str]]:
    rng = ctx.rng("observations")
    catalogue = default_catalogue().variables
    years = ctx.years
    my = ctx.monthly_years
    periods = [str(y) for y in years]
    periods += [f"{y}Q{q}" for y in my for q in range(1, 5)]
    periods += [f"{y}-{m:02d}" for y in my for m in range(1, 13)]
    long = _Long(periods, list(catalogue))

    n = enterprises.height
    n_inst = institutions.height
    n_zone = zones.height
    zone_idx = panel["zone"]
    # entity index space: enterprises, institutions, zones, regions (host cities, then the
    # provinces of the jurisdiction that hold them)
    cities = sorted(set(zones["region_code"].to_list()))
    city_of_zone = np.searchsorted(np.array(cities), zones["region_code"].to_numpy())
    own_provinces = set(_regions(ctx.spec).filter(pl.col("level") == "province")["code"].to_list())
    provinces = sorted({c[:2] + "0000" for c in cities} & own_provinces)
    off_inst, off_zone, off_region = n, n + n_inst, n + n_inst + n_zone
    off_province = off_region + len(cities)
    entity_keys = pl.concat(
        [
            enterprises["uscc"],
            institutions["code"],
            zones["code"],
            pl.Series(cities, dtype=pl.String),
            pl.Series(provinces, dtype=pl.String),
        ]
    )
    entity_kind_idx = np.concatenate(
        [
            np.zeros(n, np.int8),
            np.ones(n_inst, np.int8),
            np.full(n_zone, 2, np.int8),
            np.full(len(cities) + len(provinces), 3, np.int8),
        ]
    )

    annual = np.array([long.batch(f"annual-{y}", date(y + 1, 3, 31)) for y in years])
    year_period = np.array([long.period_index[str(y)] for y in years])

    # ---- enterprise yearly variables -------------------------------------------------------
    active = panel["active"]
    start, in_zone = panel["start_month"], panel["in_zone"]
    revenue_full = panel["revenue"]
    revenue = revenue_full * in_zone
    industrial = panel["industrial"][:, None] & np.ones(len(years), bool)
    hightech = panel["hightech"][:, None]
    hte = panel["hte"]
    shape = revenue.shape

    def noise(sigma: float) -> np.ndarray:
        return rng.lognormal(-(sigma**2) / 2, sigma, shape)

    output = revenue * rng.uniform(0.85, 1.02, shape)
    # value added is part of output: never above it, whatever the noise draws
    iva = np.minimum(output * IVA_RATE * noise(0.2), output)
    margin = rng.normal(PROFIT_MARGIN, 0.07, (shape[0], 1)) + rng.normal(0, 0.03, shape)
    net_profit = revenue * margin
    total_profit = np.where(net_profit > 0, net_profit / 0.85, net_profit)
    taxes = revenue * TAX_RATE * noise(0.3)
    exporter = rng.random((shape[0], 1)) < 0.6
    exports = revenue * exporter * rng.beta(2, 3, (shape[0], 1)) * (EXPORT_SHARE_EXPORTERS / 0.4)
    exports = np.minimum(exports * noise(0.1), revenue)
    employees = np.maximum(np.round(revenue_full / REVENUE_PER_EMPLOYEE_WAN * noise(0.4)), 3)
    rd_intensity = np.where(hightech, RD_INTENSITY_HIGHTECH, RD_INTENSITY_OTHER)
    rd = revenue * rd_intensity * rng.lognormal(-0.45, 0.95, (shape[0], 1)) * noise(0.15)
    rd_personnel = np.round(employees * np.where(hightech, 0.16, 0.06) * noise(0.3))
    apps = rng.poisson(rd / 600.0)
    granted_inv = rng.binomial(apps, 0.45)
    held = rng.poisson(rd[:, :1] / 150.0) + np.cumsum(granted_inv, axis=1)
    yearly: dict[str, np.ndarray] = {
        "revenue": revenue,
        "industrial_output": np.where(industrial, output, np.nan),
        "industrial_value_added": np.where(industrial, iva, np.nan),
        "net_profit": net_profit,
        "total_profit": total_profit,
        "taxes_paid": taxes,
        "exports": exports,
        "fixed_asset_investment": revenue * 0.06 * noise(0.8),
        "employees": employees,
        "rd_personnel": rd_personnel,
        "rd_personnel_fte": np.round(rd_personnel * rng.uniform(0.6, 0.9, shape), 1),
        "employees_bachelor_plus": np.round(employees * np.where(hightech, 0.55, 0.3) * noise(0.2)),
        "new_graduate_hires": rng.poisson(employees * 0.04).astype(float),
        "wages": employees * 11.0 * noise(0.25),
        "rd_expenditure": rd,
        "industry_university_rd": np.where(rng.random(shape) < 0.3, rd * 0.08, 0.0),
        "rd_super_deduction": rd * 0.8,
        "hte_tax_relief": np.where(hte & (net_profit > 0), total_profit * 0.1, np.nan),
        "invention_patent_applications": apps.astype(float),
        "invention_patents_granted": granted_inv.astype(float),
        "invention_patents_held": held.astype(float),
        "patents_granted": (granted_inv + rng.poisson(rd / 400.0)).astype(float),
        "pct_applications": rng.poisson(rd * exporter / 5000.0).astype(float),
        "tech_contract_turnover": np.where(
            rng.random((shape[0], 1)) < 0.3, revenue * 0.03 * noise(0.5), np.nan
        ),
        "hightech_product_revenue": np.where(hte, revenue * rng.uniform(0.6, 0.95, shape), 0.0),
        "new_product_revenue": revenue * rng.uniform(0.05, 0.35, shape),
        "total_assets": revenue_full * 1.4 * noise(0.4),
        "operating_costs": revenue * np.clip(1 - margin - 0.05, 0.3, 1.2),
        "land_area": np.where(industrial, iva / in_zone / MU_VALUE_ADDED_WAN * noise(0.5), np.nan),
        "energy_consumption": np.where(
            industrial, iva / VALUE_ADDED_PER_TCE_WAN * noise(0.5), np.nan
        ),
        "pollutant_emissions": np.where(
            industrial, iva / VALUE_ADDED_PER_T_EMISSION_WAN * noise(0.6), np.nan
        ),
    }
    yearly["electricity_consumption"] = yearly["energy_consumption"] * 0.55 / 1.229
    yearly["co2_emissions"] = yearly["energy_consumption"] * 2.6
    yearly["venture_capital_received"] = np.where(
        hightech & (rng.random(shape) < 0.04), revenue * rng.uniform(0.1, 1.0, shape), np.nan
    )
    yearly["government_rd_funding"] = np.where(rng.random(shape) < 0.15, rd * 0.1, np.nan)
    for code in yearly:
        v = catalogue[code]
        if v.min is not None:
            yearly[code] = np.maximum(yearly[code], float(v.min))
    # holes: 1.5% of annual reports missing altogether, and 1% of the fields of the rest blank
    rows, cols = np.nonzero(active)
    keep_yearly = rng.random(len(rows)) >= 0.015
    rows_k, cols_k = rows[keep_yearly], cols[keep_yearly]
    for code, values in yearly.items():
        vals = values[rows_k, cols_k]
        ok = ~np.isnan(vals) & (rng.random(len(vals)) >= 0.01)
        long.add(
            rows_k[ok], code, year_period[cols_k[ok]], _round(vals[ok], code), annual[cols_k[ok]]
        )

    # ---- enterprise monthly (1-N月 cumulative) for the last three years --------------------
    quirks: dict[str, str] = {}
    ny = len(my)
    yi0 = len(years) - ny
    months = np.arange(1, 13)
    m_start = _dates(np.repeat(my, 12), np.tile(months, ny), np.ones(12 * ny, int))
    m_end = (
        np.concatenate([m_start[1:], _dates(np.array([my[-1] + 1]), np.array([1]), np.array([1]))])
        - 1
    )
    joined, left = panel["joined"], panel["left"]
    m_active = (joined[:, None] <= m_end[None, :]) & (
        np.isnat(left)[:, None] | (left[:, None] > m_start[None, :])
    )
    month_batch = np.array(
        [
            long.batch(f"monthly-{y}-{m:02d}", _next_month_day(int(y), int(m), 15))
            for y in my
            for m in months
        ]
    )
    month_period = np.array([long.period_index[f"{y}-{m:02d}"] for y in my for m in months])
    # the missing month: ~1% of enterprises did not report one whole month of the last year
    missing_month = 3
    missing = (rng.random(n) < 0.01) | (np.arange(n) == int(rng.integers(0, n)))
    m_active[missing, (ny - 1) * 12 + missing_month - 1] = False
    quirks["missing_month"] = f"{my[-1]}-{missing_month:02d}"
    # ~2.5% of monthly reports missing, from small firms: the largest tenth (规上 firms on 联网直报)
    # always report, so one absent giant does not swing its zone's 同比 by hundreds of percent
    size_rank = np.argsort(np.argsort(revenue_full[:, -1])) / max(n - 1, 1)
    hole_rate = np.select([size_rank < 0.5, size_rank < 0.9], [0.045, 0.005], 0.0)
    hole = rng.random(m_active.shape) < hole_rate[:, None]
    reported = m_active & ~hole
    er, mc = np.nonzero(reported)
    yi = mc // 12 + yi0
    mi = mc % 12
    revenue_rows: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None
    output_weights: np.ndarray | None = None
    for code in MONTHLY_VARIABLES:
        if code == "employees":
            vals = np.maximum(np.round(employees[er, yi] * rng.lognormal(0, 0.03, len(er))), 1.0)
        else:
            weights = _SEASON[None, None, :] * rng.lognormal(0.0, 0.25, (n, ny, 12))
            if code == "industrial_output":
                output_weights = weights
            elif code == "industrial_value_added" and output_weights is not None:
                # Value added accrues over the year as output does: with its own seasonal draw
                # 1-N月 value added exceeded 1-N月 output for some firm-months, which the
                # shipped rule 工业增加值不超过工业总产值 refuses on re-import. The draw is
                # still made so every later figure of the demo stays as it was.
                weights = output_weights
            cum = np.cumsum(weights, axis=2)
            # 1-N月 from the first month in the zone: the months before it count nothing
            first = start[er, yi] - 1
            before = np.where(first > 0, cum[er, yi - yi0, np.maximum(first - 1, 0)], 0.0)
            total = cum[er, yi - yi0, -1]
            vals = yearly[code][er, yi] * (cum[er, yi - yi0, mi] - before) / (total - before)
        ok = ~np.isnan(vals)
        vals = _round(vals[ok], code)
        long.add(er[ok], code, month_period[mc[ok]], vals, month_batch[mc[ok]])
        if code == "revenue":
            revenue_rows = (er[ok], mc[ok], vals)

    # the late revision: some 1-6月 revenue corrected two months later (later batch wins); the
    # corrected value stays between 1-5月 and the first 1-6月, so 累计 stays non-decreasing
    assert revenue_rows is not None
    rev_y, rev_m = int(my[-1]), 6
    rev_name = f"revision-{rev_y}-{rev_m:02d}"
    rev_batch = long.batch(rev_name, date(rev_y, 8, 25))
    rev_col = (ny - 1) * 12 + rev_m - 1
    r_ent, r_col, r_val = revenue_rows
    june = np.nonzero(r_col == rev_col)[0]
    # rows are ordered by enterprise then month: 1-5月 of the same firm sits just before
    has_may = (june > 0) & (r_ent[june - 1] == r_ent[june]) & (r_col[june - 1] == rev_col - 1)
    june = june[has_may]
    chosen = june[rng.random(len(june)) < 0.02]
    if len(chosen) == 0:
        chosen = june[:1]
    may_v, june_v = r_val[chosen - 1], r_val[chosen]
    revised = may_v + (june_v - may_v) * rng.uniform(0.9, 0.98, len(chosen))
    long.add(
        r_ent[chosen],
        "revenue",
        np.full(len(chosen), month_period[rev_col]),
        _round(revised, "revenue"),
        np.full(len(chosen), rev_batch),
    )
    quirks["revised_period"] = f"{rev_y}-{rev_m:02d}"
    quirks["revision_batch"] = rev_name
    quirks["revised_variable"] = "revenue"

    # ---- institutions (yearly) -------------------------------------------------------------
    kinds = institutions["kind"].to_numpy()
    ifounded = institutions["founded_on"].to_numpy().astype("datetime64[D]")
    i_active = ifounded[:, None] <= panel["year_end"][None, :]
    ir, ic = np.nonzero(i_active)
    incubating = np.isin(kinds, ("incubator", "maker_space", "university_park"))
    research = np.isin(kinds, ("new_rd_institution", "key_lab", "tech_innovation_center"))
    size_i = rng.lognormal(0, 0.6, n_inst)
    growth_i = 1.05**ic
    inst_values = {
        "employees": np.round(20 + 60 * size_i[ir] * growth_i),
        "incubating_enterprises": np.where(incubating[ir], rng.poisson(35 * size_i[ir]), np.nan),
        "graduated_enterprises": np.where(incubating[ir], rng.poisson(6 * size_i[ir]), np.nan),
        "incubation_space": np.where(incubating[ir], np.round(8000 * size_i[ir]), np.nan),
        "rd_expenditure": np.where(research[ir], 1500 * size_i[ir] * growth_i, np.nan),
        "rd_personnel": np.where(research[ir], np.round(30 * size_i[ir]), np.nan),
        "tech_contract_turnover": np.where(
            kinds[ir] == "tech_transfer_institution", 5000 * size_i[ir] * growth_i, np.nan
        ),
    }
    for code, vals in inst_values.items():
        ok = ~np.isnan(vals)
        long.add(
            off_inst + ir[ok], code, year_period[ic[ok]], _round(vals[ok], code), annual[ic[ok]]
        )

    # ---- zones (reported directly by the management committee) ----------------------------
    z_approved = zones["approved_on"].to_numpy().astype("datetime64[D]")
    z_revoked = zones["_revoked_on"].to_numpy().astype("datetime64[D]")
    zone_active = (z_approved[:, None] <= panel["year_end"][None, :]) & (
        np.isnat(z_revoked)[:, None] | (z_revoked[:, None] > panel["year_end"][None, :])
    )

    def by_zone(values: np.ndarray, mask: np.ndarray) -> np.ndarray:
        out = np.zeros((n_zone, len(years)))
        for j in range(len(years)):
            m = mask[:, j]
            out[:, j] = np.bincount(
                zone_idx[m], weights=np.nan_to_num(values[m, j]), minlength=n_zone
            )
        return out

    ind_iva = np.where(industrial, iva, 0.0)
    services_va = np.where(industrial, 0.0, revenue * 0.35)
    # 园区生产总值: industrial value added plus services value added, other sectors ≈ 10% [C]
    z_gdp = by_zone(ind_iva + services_va, active) / 0.9
    z_tax = by_zone(taxes, active)
    z_count = by_zone(np.ones(shape), active)
    z_hte = by_zone(hte.astype(float), active)
    z_above = by_zone(panel["above_scale"].astype(float), active)
    z_ht_rev = by_zone(np.where(hightech, revenue, 0.0), active)
    z_ht_va = by_zone(np.where(hightech & industrial, iva, 0.0), active)
    z_iva = by_zone(ind_iva, active)
    z_rd = by_zone(rd, active)
    # 科技服务业营业收入: the revenue of the zone's firms in section M (科学研究和技术服务业)
    tech_service = enterprises["industry_code"].str.slice(0, 1).to_numpy() == "M"
    z_tech_service = by_zone(np.where(tech_service[:, None], revenue, 0.0), active)
    area = zones["area_km2"].to_numpy()
    built_share = np.clip(
        0.45 + 0.03 * np.arange(len(years))[None, :] + rng.normal(0, 0.05, (n_zone, 1)), 0.2, 0.95
    )
    zone_values = {
        "gdp": z_gdp,
        "fiscal_revenue": z_tax * 0.45 * rng.lognormal(0, 0.1, (n_zone, len(years))),
        "hightech_industry_revenue": z_ht_rev,
        "hightech_industry_value_added": z_ht_va,
        "tech_service_revenue": z_tech_service,
        "enterprise_count": z_count,
        "hte_count": z_hte,
        "above_scale_industrial_count": z_above,
        "new_registered_enterprises": rng.poisson(z_count * 0.15 + 1).astype(float),
        "planned_area": np.repeat(area[:, None], len(years), axis=1),
        "built_area": area[:, None] * built_share,
        "green_coverage": np.clip(
            rng.normal(38, 5, (n_zone, 1)) + 0.3 * np.arange(len(years)), 5, 95
        ),
        "disposable_fiscal_resources": z_tax * 0.6 * rng.lognormal(0, 0.15, (n_zone, len(years))),
    }
    # a major work-safety accident is rare: about one zone-year in fifty reports one; every other
    # zone-year reports 0 (a reported zero, not a blank). Own stream: the other draws stay put.
    zone_values["major_safety_accidents"] = (
        ctx.rng("accidents").random((n_zone, len(years))) < SAFETY_ACCIDENT_RATE
    ).astype(float)
    zr, zc = np.nonzero(zone_active)
    for code, vals in zone_values.items():
        long.add(off_zone + zr, code, year_period[zc], _round(vals[zr, zc], code), annual[zc])
    # quarterly gdp (累计) and monthly fiscal revenue (1-N月) for the last three years
    q_batch = np.array(
        [
            long.batch(f"quarterly-{y}Q{q}", _next_month_day(int(y), 3 * q, 20))
            for y in my
            for q in range(1, 5)
        ]
    )
    q_period = np.array([long.period_index[f"{y}Q{q}"] for y in my for q in range(1, 5)])
    q_share = np.array([0.22, 0.47, 0.73, 1.0])
    for j in range(ny):
        col = yi0 + j
        zs = np.nonzero(zone_active[:, col])[0]
        for q in range(4):
            share = q_share[q] * rng.lognormal(0, 0.02, len(zs)) if q < 3 else np.ones(len(zs))
            long.add(
                off_zone + zs,
                "gdp",
                np.full(len(zs), q_period[4 * j + q]),
                _round(z_gdp[zs, col] * np.minimum(share, 1.0), "gdp"),
                np.full(len(zs), q_batch[4 * j + q]),
            )
    zs_all = np.arange(n_zone)
    fiscal_share = np.cumsum(_SEASON * rng.lognormal(0, 0.1, (n_zone, ny, 12)), axis=2)
    fiscal_share = fiscal_share / fiscal_share[:, :, -1:]
    skip_zone = int(rng.integers(0, n_zone))  # one zone misses one month of fiscal revenue
    for j in range(ny):
        col = yi0 + j
        for m in range(12):
            zs = zs_all[zone_active[:, col]]
            if j == ny - 1 and m == missing_month - 1:
                zs = zs[zs != skip_zone]
            long.add(
                off_zone + zs,
                "fiscal_revenue",
                np.full(len(zs), month_period[12 * j + m]),
                _round(
                    zone_values["fiscal_revenue"][zs, col] * fiscal_share[zs, j, m],
                    "fiscal_revenue",
                ),
                np.full(len(zs), month_batch[12 * j + m]),
            )
    quirks["zone_missing_month"] = (
        f"{zones['code'][skip_zone]} fiscal_revenue {my[-1]}-{missing_month:02d}"
    )

    # ---- host cities: whole-city statistics so that a zone's share of its city is computable
    n_city = len(cities)

    def city_sum(a: np.ndarray) -> np.ndarray:
        columns = [
            np.bincount(city_of_zone, weights=a[:, k], minlength=n_city) for k in range(a.shape[1])
        ]
        return np.vstack(columns).T

    shares = {
        "gdp": (0.12, 0.4),
        "industrial_value_added": (0.25, 0.55),
        "enterprise_count": (0.04, 0.15),
        "hte_count": (0.3, 0.65),
        "fiscal_revenue": (0.08, 0.25),
        "rd_expenditure": (0.3, 0.7),
        "hightech_industry_revenue": (0.35, 0.75),
    }
    zone_for_city = {
        "gdp": z_gdp,
        "industrial_value_added": z_iva,
        "enterprise_count": z_count,
        "hte_count": z_hte,
        "fiscal_revenue": zone_values["fiscal_revenue"],
        "rd_expenditure": z_rd,
        "hightech_industry_revenue": z_ht_rev,
    }
    cr, cc = np.nonzero(np.ones((n_city, len(years)), bool))
    city_totals: dict[str, np.ndarray] = {}
    for code, (lo, hi) in shares.items():
        share = rng.uniform(lo, hi, (n_city, 1)) * rng.lognormal(0, 0.03, (n_city, len(years)))
        total = city_sum(zone_for_city[code] * zone_active) / np.minimum(share, 0.95)
        if code in ("enterprise_count", "hte_count"):
            total = np.ceil(total)
        city_totals[code] = total
        long.add(off_region + cr, code, year_period[cc], _round(total[cr, cc], code), annual[cc])
    population = rng.uniform(150, 900, (n_city, 1)) * (1.004 ** np.arange(len(years)))[None, :]
    long.add(
        off_region + cr, "population", year_period[cc], np.round(population[cr, cc], 2), annual[cc]
    )

    # ---- provinces: the totals the Sichuan draft measures its zones against (一(二): 园区地区生产
    # 总值、高新技术产业营业收入、科技服务业营业收入占全省比重). The host cities hold 55-85% of
    # their province's total, the rest is in cities without a zone. The cities' 科技服务业营业收入
    # comes with them (zones hold 30-60% of it). Own random stream: the draws above stay put.
    prng = ctx.rng("provinces")
    tech_city = city_sum(z_tech_service * zone_active) / prng.uniform(0.3, 0.6, (n_city, 1))
    long.add(
        off_region + cr,
        "tech_service_revenue",
        year_period[cc],
        _round(tech_city[cr, cc], "tech_service_revenue"),
        annual[cc],
    )
    city_totals["tech_service_revenue"] = tech_city
    host_province = np.char.add(np.array(cities, dtype="<U6").astype("<U2"), "0000")
    known = np.array([*provinces, ""], dtype="<U6")  # the sentinel keeps the lookup in range
    at = np.searchsorted(known[:-1], host_province)
    province_of_city = np.where(known[at] == host_province, at, -1)
    n_prov = len(provinces)
    pr, pc = np.nonzero(np.ones((n_prov, len(years)), bool))
    for code in PROVINCE_VARIABLES:
        held = prng.uniform(*HOST_CITIES_SHARE_OF_PROVINCE, (n_prov, 1)) * prng.lognormal(
            0, 0.02, (n_prov, len(years))
        )
        mine = province_of_city >= 0
        hosts = np.zeros((n_prov, len(years)))
        np.add.at(hosts, province_of_city[mine], city_totals[code][mine])
        total = hosts / np.minimum(held, 0.95)
        long.add(off_province + pr, code, year_period[pc], _round(total[pr, pc], code), annual[pc])

    observations = long.frame(entity_keys, entity_kind_idx)
    return observations, quirks


_INTEGER_UNITS = ("人", "件", "项", "家", "起")


def _round(values: np.ndarray, code: str) -> np.ndarray:
    unit = default_catalogue().variables[code].unit
    if unit in _INTEGER_UNITS:
        return np.round(values)
    return np.round(values, 2)


def _small_newcomers(size: np.ndarray, newcomer: np.ndarray) -> np.ndarray:
    """Firms that join a zone during the covered years are not its giants: a newcomer's size draw
    is capped at the ``NEWCOMER_SIZE_QUANTILE`` of all draws. Without it one newcomer of 500亿元
    could treble a small zone's revenue in a month."""
    return np.where(newcomer, np.minimum(size, np.quantile(size, NEWCOMER_SIZE_QUANTILE)), size)


def _capped_mean_ratio(sigma: float, quantile: float) -> float:
    """E[exp(σ·min(Z, c))] / E[exp(σ·Z)] for a standard normal Z capped at its ``quantile`` c."""
    normal = NormalDist()
    c = normal.inv_cdf(quantile)
    capped = math.exp(sigma**2 / 2) * normal.cdf(c - sigma) + math.exp(sigma * c) * (1 - quantile)
    return capped / math.exp(sigma**2 / 2)


def _start_month(joined: np.ndarray, years: np.ndarray) -> np.ndarray:
    """(firm, year): the first month of the year the firm is in its zone — its joining month in
    the year it joins, 1 in the years after (and, harmlessly, in the years before)."""
    joined_month = joined.astype("datetime64[M]").astype(int)
    joined_year = joined_month // 12 + 1970
    same = joined_year[:, None] == np.asarray(years)[None, :]
    return np.where(same, (joined_month % 12 + 1)[:, None], 1)


def _next_month_day(year: int, month: int, day: int) -> date:
    return date(year + month // 12, month % 12 + 1, day)


def describe(j: Jurisdiction) -> dict[str, int]:
    """Row counts of each frame (for docs and benchmarks)."""
    return {name: frame.height for name, frame in j.frames().items()}


__all__ = [
    "ENTERPRISE_CERTIFICATIONS",
    "HIGHTECH_DIVISIONS",
    "INSTITUTION_KINDS",
    "JURISDICTIONS",
    "MONTHLY_VARIABLES",
    "ZONE_STATUSES",
    "Jurisdiction",
    "describe",
    "generate",
    "latest_observations",
]
