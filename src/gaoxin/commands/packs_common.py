"""What the pack commands share (`gaoxin awards`, `explain`, `eligible`, `targets`, `evaluate`):
finding a pack by name, id or directory, the scope (the pack's region unless ``--scope``),
``--param`` values, the rules that can run with them, and the evaluation history they read."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

from gaoxin.engine.problems import Problem, ProblemsError

if TYPE_CHECKING:
    import polars as pl

    from gaoxin.engine.packs import LoadedPack

#: How far back evaluation history is read (for failures in a row and the best earlier rank).
HISTORY_YEARS = 10


def pack_dir(pack: str) -> Path | None:
    """The directory of ``pack``: a shipped pack by directory name, a directory holding a
    ``pack.yaml``, or a shipped pack by the ``id`` inside its pack.yaml; None if none is."""
    from gaoxin.commands.packs import shipped_packs

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
    from gaoxin.commands.packs import shipped_packs
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


def scope_entity(code: str | None) -> Any:
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
    """What a pack command runs over: ``entity`` (None: the whole store) and ``code``, the line
    that says so (适用范围：福建省) and a warning when ``--scope`` leaves the pack's region."""

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
    """The scope of a command running ``pack`` (its title in 《》, for messages): ``--scope`` when given (``全国``: the whole store), else the
    region the pack applies to (``Pack.region``; None: the whole store). A ``--scope`` outside
    that region is kept, with a warning; ``resolve`` turns a code into its registry entity
    (default :func:`scope_entity`). ProblemsError when the pack's region is not in the store."""
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


def say_scope(console: Any, ps: PackScope) -> None:
    """Print the scope line of a pack command, and its warning in yellow."""
    from rich.markup import escape

    console.print(escape(ps.label))
    if ps.warning:
        console.print(f"[yellow]注意[/yellow] {escape(ps.warning)}")


def evaluation_history(
    needed: list[tuple[str, str]], scope: Any = None
) -> tuple[pl.DataFrame | None, dict[tuple[str, str], int]]:
    """The evaluation history the rules read, from the current completed runs over ``scope``
    (as ``gaoxin evaluate --scope`` made them), and their ids."""
    import polars as pl

    from gaoxin.engine.periods import Period

    if not needed:
        return None, {}
    try:
        from gaoxin.evaluation.models import EvaluationRun
        from gaoxin.evaluation.store import history
    except ImportError:  # pragma: no cover - the evaluation app not installed
        return None, {}
    frames, runs = [], {}
    for fw in sorted({f for f, _ in needed}):
        last = max(Period.parse(p) for f, p in needed if f == fw)
        periods = [str(last.shift(-k)) for k in range(HISTORY_YEARS, -1, -1)]
        h = history(fw, periods, scope=scope)
        for p in h["period"].unique().to_list():
            run = EvaluationRun.objects.current(fw, p, scope)
            if run is not None:
                runs[(fw, p)] = run.pk
        frames.append(h)
    hist = pl.concat(frames, how="diagonal_relaxed")
    run_ids = pl.DataFrame(
        [(f, p, r) for (f, p), r in runs.items()],
        schema={"framework": pl.String, "period": pl.String, "run": pl.Int64},
        orient="row",
    )
    return hist.join(run_ids, on=["framework", "period"], how="left"), runs


def parameters(values: list[str] | None) -> dict[str, str]:
    """``--param name=number`` values as a mapping; ProblemsError on a malformed one."""
    out = {}
    for v in values or []:
        if "=" not in v:
            raise ProblemsError(
                [
                    Problem(
                        "awards.param", "参数应写成 名称=数值，例如 --param hte_award=20", value=v
                    )
                ]
            )
        k, x = v.split("=", 1)
        try:
            Decimal(x)
        except ArithmeticError:
            raise ProblemsError(
                [Problem("awards.param", f"参数「{k}」的值应当是数字", value=x)]
            ) from None
        out[k.strip()] = x.strip()
    return out


def runnable_rules(
    pack: LoadedPack, given: dict[str, str]
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
