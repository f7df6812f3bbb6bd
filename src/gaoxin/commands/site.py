"""`gaoxin init`, `gaoxin demo`, `gaoxin serve`: set up the database, load demo data, serve."""

from __future__ import annotations

import time
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

from gaoxin.commands import django_env

console = Console(soft_wrap=True)

JURISDICTIONS = ("fujian", "taizhou", "gansu", "sichuan", "national")
DEMO_USER, DEMO_PASSWORD = "demo", "gaoxin-demo"


def init(
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="少输出")] = False,
) -> None:
    """创建或升级数据库，同步变量目录、校验规则和参考数据（行政区划、高新区名录）。"""
    django_env.setup(migrated=False)
    from django.core.management import call_command

    from gaoxin.accounts.roles import sync_roles
    from gaoxin.engine import reference
    from gaoxin.registry import loading
    from gaoxin.statistics.store import sync_catalogue, sync_forms, sync_validation_rules

    call_command("migrate", interactive=False, verbosity=0 if quiet else 1)
    n_var = sync_catalogue()
    n_rules = sync_validation_rules()
    n_forms = sync_forms()
    regions = loading.load_regions(reference.regions())
    zones = loading.load_zones(loading.reference_zones())
    sync_roles()
    if quiet:
        return
    console.print(
        f"[green]数据库已就绪[/]：{n_var} 个统计变量，{n_rules} 条校验规则，{n_forms} 张报表，"
        f"{len(regions)} 个行政区，{len(zones)} 个高新区（参考名录）。"
    )


def demo(
    jurisdiction: Annotated[
        str, typer.Option("--jurisdiction", "-j", help="fujian|taizhou|gansu|sichuan|national")
    ] = "fujian",
    scale: Annotated[float, typer.Option(help="企业数量倍数")] = 1.0,
    seed: Annotated[int, typer.Option(help="随机种子（相同种子生成相同数据）")] = 0,
    force: Annotated[
        bool, typer.Option("--force", help="已载入过也重新载入（只写入有变化的数值）")
    ] = False,
) -> None:
    """载入演示辖区：真实的高新区名称，合成的企业、机构、资质与2019-2025年统计数据。"""
    if jurisdiction not in JURISDICTIONS:
        console.print(f"[red]未知辖区「{jurisdiction}」[/]：可选 {'、'.join(JURISDICTIONS)}")
        raise typer.Exit(2)
    init(quiet=True)
    from gaoxin.engine import synth
    from gaoxin.statistics.demo import load_jurisdiction
    from gaoxin.statistics.models import Batch

    label = f"演示 {jurisdiction} seed={seed} scale={scale:g}"
    if not force and Batch.objects.filter(label__startswith=label + " ").exists():
        console.print(f"演示辖区「{jurisdiction}」已载入，跳过（重新载入请加 --force）。")
        _demo_user()
        return
    started = time.perf_counter()
    with console.status(f"正在生成演示数据：{jurisdiction} …"):
        j = synth.generate(jurisdiction, seed=seed, scale=scale)
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn("{task.completed}/{task.total}"),
        TimeElapsedColumn(),
        console=console,
    ) as bar:
        task = bar.add_task("载入", total=6)

        def report(step: str, done: int, total: int) -> None:
            bar.update(task, description=f"载入 {step}", completed=done, total=total)

        summary = load_jurisdiction(j, label=label, progress=report)
    console.print(
        f"[green]演示数据已载入[/]（{time.perf_counter() - started:.1f} 秒）：{summary.zones} 个高新区、"
        f"{summary.enterprises} 家企业、{summary.institutions} 个机构、{summary.certifications} 条资质、"
        f"{summary.observations} 个统计数值（其中 {summary.changes} 个为后续修订）。"
    )
    _demo_user()


def _demo_user() -> None:
    from django.contrib.auth import get_user_model

    User = get_user_model()
    user, created = User.objects.get_or_create(
        username=DEMO_USER, defaults={"is_staff": True, "is_superuser": True}
    )
    if created:
        user.set_password(DEMO_PASSWORD)
        user.save()
    console.print(f"演示账号：用户名 [bold]{DEMO_USER}[/]  密码 [bold]{DEMO_PASSWORD}[/]")


def serve(
    addr: Annotated[str, typer.Option(help="监听地址:端口")] = "127.0.0.1:8000",
) -> None:
    """启动网页服务（含 Django 管理后台 /admin/）。"""
    django_env.setup()
    from django.core.management import call_command

    console.print(
        f"网页服务：http://{addr}/admin/  （演示账号 {DEMO_USER} / {DEMO_PASSWORD}；Ctrl+C 退出）"
    )
    call_command("runserver", addr, use_reloader=False)
