"""Policy packs as the services use them: finding one by name, id or directory; the scope a pack
job runs over (the pack's region unless told otherwise, decision 018); the parameters a run sets
and the rules that can run with them. Shared by awards, eligibility, targets and evaluation."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

from gaoxin.engine.problems import Problem, ProblemsError

if TYPE_CHECKING:
    from gaoxin.engine.packs import LoadedPack
    from gaoxin.registry.models import Entity


def shipped_packs() -> list[Path]:
    """The directories of the packs shipped with gaoxin (``gaoxin/packs/*/pack.yaml``)."""
    root = resources.files("gaoxin.packs")
    found = [
        Path(str(d)) for d in root.iterdir() if d.is_dir() and d.joinpath("pack.yaml").is_file()
    ]
    return sorted(found, key=lambda p: p.name)


def pack_dir(pack: str) -> Path | None:
    """The directory of ``pack``: a shipped pack by directory name, a directory holding a
    ``pack.yaml``, or a shipped pack by the ``id`` inside its pack.yaml; None if none is."""
    dirs = shipped_packs()
    d = next((p for p in dirs if p.name == pack), None)
    if d is None and Path(pack).is_dir():
        d = Path(pack)
    if d is None:
        for p in dirs:  # by the id inside pack.yaml
            if f"\nid: {pack}\n" in (p / "pack.yaml").read_text(encoding="utf-8"):
                d = p
    return d


def find_pack(pack: str) -> LoadedPack:
    """The loaded pack ``pack`` (see :func:`pack_dir`); ProblemsError naming the shipped packs
    when there is none, or listing the pack's own problems."""
    from gaoxin.engine.packs import load_pack

    d = pack_dir(pack)
    if d is None:
        raise ProblemsError(
            [
                Problem(
                    "awards.unknown_pack",
                    f"找不到政策包「{pack}」；内置政策包有："
                    f"{'、'.join(p.name for p in shipped_packs())}",
                    value=pack,
                )
            ]
        )
    return load_pack(d)


def scope_entity(code: str | None) -> Entity | None:
    """The region or zone ``code`` names (None: the whole store)."""
    if code is None:
        return None
    from gaoxin.registry.models import Entity

    found = Entity.objects.filter(code=code, kind__in=["region", "zone"]).first()
    if found is None:
        raise ProblemsError([Problem("awards.scope", "登记库中没有这个辖区或园区代码", value=code)])
    return found


@dataclass(frozen=True)
class PackScope:
    """What a pack job runs over: ``entity`` (None: the whole store) and ``code``, the line
    that says so (适用范围：福建省) and a warning when the scope leaves the pack's region."""

    code: str | None
    entity: Any
    label: str
    warning: str | None = None


def pack_scope(
    region: str | None,
    scope: str | None,
    pack: str,
    resolve: Callable[[str], Any] | None = None,
) -> PackScope:
    """The scope of a job running ``pack`` (its title in 《》, for messages): ``scope`` (a code)
    when given (``全国``: the whole store), else the region the pack applies to
    (``Pack.region``; None: the whole store). A scope outside that region is kept, with a
    warning; ``resolve`` turns a code into its registry entity (default :func:`scope_entity`).
    ProblemsError when the pack's region is not in the store."""
    from gaoxin.engine.packs.loader import jurisdiction_label
    from gaoxin.engine.packs.schema import NATIONWIDE
    from gaoxin.registry.models import Entity

    applies = f"适用范围：{jurisdiction_label(region)}"
    home = None
    if region is not None:
        home = Entity.objects.filter(code=region, kind="region").first()
        if home is None and scope is None:
            raise ProblemsError(
                [
                    Problem(
                        "pack.jurisdiction_missing",
                        f"{pack}适用于{jurisdiction_label(region)}（{region}），登记库中没有这个"
                        "辖区：请先导入该辖区的数据（gaoxin demo、gaoxin import），"
                        "或用 --scope 指定范围",
                        value=region,
                    )
                ]
            )
    if scope is None:
        return PackScope(region, home, applies)
    entity = None if scope == NATIONWIDE else (resolve or scope_entity)(scope)
    name = NATIONWIDE if entity is None else entity.name
    label = f"{applies}；本次范围：{name}（--scope {scope}）"
    outside = region is not None and (
        entity is None or home is None or not entity.path.startswith(home.path)
    )
    warning = (
        f"范围「{name}」不在{pack}的适用范围（{jurisdiction_label(region)}）内，"
        "结果可能包含该政策不适用的主体"
        if outside
        else None
    )
    return PackScope(None if entity is None else entity.code, entity, label, warning)


def scope_hint(region: str | None, scope: Entity | None) -> str | None:
    """The ``--scope`` a suggested command needs to run over ``scope`` for a pack applying to
    ``region``: none for the pack's own region (the default), ``全国`` for the whole store."""
    from gaoxin.engine.packs.schema import NATIONWIDE

    if scope is None:
        return NATIONWIDE if region is not None else None
    return None if scope.code == region else scope.code


def parameters(values: Mapping[str, Any] | None) -> dict[str, str]:
    """Run parameters (``--param name=number``) checked to be numbers, as the rules read them
    (text, exact); ProblemsError naming the one that is not."""
    out = {}
    for k, x in (values or {}).items():
        text = str(x).strip()
        try:
            number = Decimal(text)
        except (ArithmeticError, InvalidOperation):
            number = None
        # The ledger is append-only: a NaN, an infinity, a negative amount or rank, or a figure
        # no document could mean (10^12 万元) must be refused before anything is recorded.
        if number is None or not number.is_finite():
            reason = "应当是数字"
        elif number < 0:
            reason = "不能为负数"
        elif number > PARAMETER_CEILING:
            reason = f"过大（超过 {PARAMETER_CEILING:,}），请核对单位和位数"
        else:
            out[str(k).strip()] = text
            continue
        raise ProblemsError([Problem("awards.param", f"参数「{k}」的值{reason}", value=text)])
    return out


# Parameters are amounts in 万元, ranks, counts and rates: none reaches a billion.
PARAMETER_CEILING = 10**9


def runnable_rules(
    pack: LoadedPack, given: Mapping[str, str]
) -> tuple[list[str], dict[str, list[str]]]:
    """Rules whose parameters all have a value (in the pack or given), and the others with the
    parameters they still need: the document leaves those amounts open (予以补贴)."""
    from gaoxin.engine.expr import check

    spec = pack.spec
    open_ = {p.id for p in spec.parameters if not p.values and p.id not in given}
    ns = pack.namespace()
    ok, skipped = [], {}
    for r in spec.rules:
        srcs = [r.when] + (
            [x for x in (r.money.amount, r.money.floor, r.money.cap, r.money.rule_cap) if x]
            if r.money
            else []
        )
        names = {n for s in srcs for n in check(s, ns, functions=pack.functions).names}
        need = sorted(names & open_)
        if need:
            skipped[r.id] = need
        else:
            ok.append(r.id)
    return ok, skipped


def check_packs(dirs: list[Path]) -> Iterator[tuple[Path, list[Problem]]]:
    """Each pack directory with its problems, one at a time as it is checked (errors and warnings): its format, formulas and
    quotes (:func:`gaoxin.engine.packs.check_pack`) and, when those hold no error, the case
    files under ``cases/`` checked against the pack. Reads files only, no store."""
    from gaoxin.engine.packs import check_pack, load_pack
    from gaoxin.engine.packs.cases import discover, load_cases

    for d in dirs:
        problems = check_pack(d)
        if not any(p.severity == "error" for p in problems):
            pack = load_pack(d)
            for f in discover(d)[1]:
                try:
                    load_cases(f, pack)
                except ProblemsError as e:
                    problems += e.problems
        yield d, problems


def page_packs(key: str) -> list[tuple[str, str]]:
    """(id, 《title》) of the shipped packs whose pack.yaml has ``key`` (``rules``, ``targets``):
    the choices a page offers, by the document's title."""
    from gaoxin.evaluation.frameworks import shipped_pack_dirs
    from gaoxin.policy.titles import pack_title, pack_yaml

    return [(p, pack_title(p)) for p in shipped_pack_dirs() if pack_yaml(p).get(key)]


def user_pack_scope(by: Any, region: str | None) -> Entity | None:
    """The scope a page runs a pack applying to ``region`` over, for user ``by``: the pack's
    region when it lies in the user's scope (a province division runs its province's pack),
    the user's own scope when that lies in the pack's region (a city bureau runs it for its
    city). :class:`~gaoxin.services.OutOfScope` when the two do not meet, or the pack's region
    is not in the store."""
    from gaoxin.engine.packs.loader import jurisdiction_label
    from gaoxin.registry.models import Entity
    from gaoxin.services import OutOfScope, scope_for

    own = scope_for(by)
    if region is None:
        return own
    home = Entity.objects.filter(code=region, kind="region").first()
    if home is not None and (own is None or home.path.startswith(own.path)):
        return home
    if home is not None and own is not None and own.path.startswith(home.path):
        return own
    raise OutOfScope(f"该政策文件适用于{jurisdiction_label(region)}，不在您的数据范围内")
