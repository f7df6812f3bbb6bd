"""Text parsed once, at the edge: what the commands share to turn their options (a period, a
scope code, ``--param name=number``, ``--by USERNAME``) into the typed values the services take,
and to print a refusal. Nothing here computes; the services do (decision 023)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import typer
from rich.console import Console
from rich.markup import escape

from gaoxin.engine.problems import Problem, ProblemsError

if TYPE_CHECKING:
    from gaoxin.engine.periods import Period
    from gaoxin.policy.packs import PackScope

#: Exit code of a command given an option it cannot use (an unknown code, user, period, ...).
EXIT_USAGE = 2


def period(text: str, code: str) -> Period:
    """``text`` as a Period; ProblemsError ``code`` with the parser's message."""
    from gaoxin.engine.periods import Period, PeriodError

    try:
        return Period.parse(text)
    except PeriodError as e:
        raise ProblemsError([Problem(code, str(e), value=text)]) from None


def param_pairs(values: list[str] | None) -> dict[str, str]:
    """``--param name=number`` options as a mapping (the service checks the numbers);
    ProblemsError on one without ``=``."""
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
        out[k.strip()] = x
    return out


def entity(code: str | None, console: Console) -> Any:
    """The entity (any kind) ``code`` names, None for none given; exit 2 with a message when
    the registry has no such code."""
    from gaoxin.registry.models import Entity

    if not code:
        return None
    found = Entity.objects.filter(code=code).first()
    if found is None:
        console.print(
            f"[red]找不到范围「{code}」[/]：请给出行政区划代码、高新区代码或统一社会信用代码"
        )
        raise typer.Exit(EXIT_USAGE)
    return found


def user(username: str | None, option: str = "--by") -> Any:
    """The user ``--by USERNAME`` names (None: the operator at the terminal, with full access);
    exit 2 when there is none."""
    if not username:
        return None
    from django.contrib.auth import get_user_model

    found = get_user_model().objects.filter(username=username).first()
    if found is None:
        typer.echo(f"错误：找不到用户「{username}」，请先创建该用户或省略 {option}。", err=True)
        raise typer.Exit(EXIT_USAGE)
    return found


def say_scope(console: Console, ps: PackScope) -> None:
    """Print the scope line of a pack command, and its warning in yellow."""
    console.print(escape(ps.label))
    if ps.warning:
        console.print(f"[yellow]注意[/yellow] {escape(ps.warning)}")
