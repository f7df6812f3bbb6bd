"""`gaoxin user`: set up users with a role and a scope (gaoxin.accounts.services)."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from gaoxin.commands import django_env

app = typer.Typer(help="用户：按角色和数据范围设置账号。", no_args_is_help=True)
console = Console(soft_wrap=True)
err = Console(stderr=True, soft_wrap=True)

ROLE_HELP = "角色：系统管理员、省级管理员、省级审核员、市级审核员、园区填报员、只读（或其代码）"
SCOPE_HELP = "数据范围：行政区划代码、高新区代码、统一社会信用代码或名称，如 厦门火炬高新区、350200"


def _refuse(exc: Exception) -> None:
    err.print(f"[red]未设置[/]：{exc}")
    raise typer.Exit(2)


@app.command("add")
def add(
    username: Annotated[str, typer.Argument(help="用户名（登录名）")],
    role: Annotated[str, typer.Option("--role", help=ROLE_HELP)],
    scope: Annotated[str, typer.Option("--scope", help=SCOPE_HELP)],
    password: Annotated[
        str | None, typer.Option("--password", help="密码（不给则生成一个并显示）")
    ] = None,
    organisation: Annotated[
        str, typer.Option("--organisation", help="单位，如 厦门火炬管委会（默认：数据范围的名称）")
    ] = "",
    name: Annotated[str, typer.Option("--name", help="姓名")] = "",
) -> None:
    """新建用户：角色、数据范围、单位与密码一次设好。"""
    django_env.setup()
    from gaoxin.accounts.services import UserSetupError, add_user

    try:
        user, used = add_user(
            username,
            role=role,
            scope=scope,
            organisation=organisation,
            password=password,
            name=name,
        )
    except UserSetupError as exc:
        _refuse(exc)
        return
    profile = user.gaoxin_profile
    console.print(
        f"[green]已新建用户[/] [bold]{user.username}[/]：{profile.get_role_display()}，"
        f"数据范围 {profile.scope.name}（{profile.scope.code}），单位 {profile.organisation}"
    )
    if password is None:
        console.print(f"初始密码：[bold]{used}[/]（请转告本人并提醒登录后修改）")


@app.command("set-role")
def set_role(
    username: Annotated[str, typer.Argument(help="用户名")],
    role: Annotated[str | None, typer.Option("--role", help=ROLE_HELP)] = None,
    scope: Annotated[str | None, typer.Option("--scope", help=SCOPE_HELP)] = None,
    organisation: Annotated[str | None, typer.Option("--organisation", help="单位")] = None,
) -> None:
    """修改用户的角色、数据范围或单位。"""
    django_env.setup()
    from gaoxin.accounts.services import UserSetupError
    from gaoxin.accounts.services import set_role as change

    if role is None and scope is None and organisation is None:
        _refuse(ValueError("请至少给出 --role、--scope 或 --organisation 之一"))
    try:
        profile = change(username, role=role, scope=scope, organisation=organisation)
    except UserSetupError as exc:
        _refuse(exc)
        return
    console.print(
        f"[green]已更新[/] [bold]{username}[/]：{profile.get_role_display()}，"
        f"数据范围 {profile.scope.name}（{profile.scope.code}），单位 {profile.organisation}"
    )


@app.command("list")
def list_() -> None:
    """列出已设置角色的用户。"""
    django_env.setup()
    from gaoxin.accounts.services import list_users

    rows = list_users()
    if not rows:
        console.print("尚无设置了角色的用户（gaoxin user add 新建）。")
        return
    table = Table("用户名", "姓名", "角色", "数据范围", "代码", "单位", "后台", "状态")
    for r in rows:
        table.add_row(
            r.username,
            r.name,
            r.role,
            r.scope,
            r.scope_code,
            r.organisation,
            "可进入" if r.is_staff else "",
            "启用" if r.is_active else "停用",
        )
    console.print(table)


@app.command("token")
def token(
    username: Annotated[str, typer.Argument(help="用户名")],
    rotate: Annotated[
        bool, typer.Option("--rotate", help="作废旧令牌并发放新令牌（旧令牌立即失效）")
    ] = False,
) -> None:
    """接口令牌：首次发放，之后打印原令牌；--rotate 换发新令牌。用法见 docs/api.md。"""
    django_env.setup()
    from gaoxin.accounts.services import UserSetupError, api_token

    try:
        issued = api_token(username, rotate=rotate)
    except UserSetupError as exc:
        _refuse(exc)
        return
    if issued.created:
        what = "已换发新令牌（旧令牌已失效）" if rotate else "已发放令牌"
        err.print(f"[green]{what}[/]：{issued.username}")
    # the key alone on standard output, for a script: TOKEN=$(gaoxin user token NAME)
    print(issued.key)
