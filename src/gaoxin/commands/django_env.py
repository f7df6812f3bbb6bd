"""Starting Django from the CLI: settings, the data directory (GAOXIN_HOME), a migrated database."""

from __future__ import annotations

import os

import typer
from rich.console import Console


def setup(*, migrated: bool = True) -> None:
    """Start Django. With ``migrated`` (every command but ``init``), stop with a Chinese message
    and exit code 2 when the database has not been created or upgraded yet, instead of a
    traceback about a missing table."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gaoxin.web.settings")
    import django
    from django.conf import settings
    from django.core.exceptions import ImproperlyConfigured

    try:
        django.setup()
    except ImproperlyConfigured as e:  # our settings explain themselves in Chinese
        Console(stderr=True, soft_wrap=True).print(f"[red]配置有误[/]：{e}")
        raise typer.Exit(2) from None
    settings.GAOXIN_HOME.mkdir(parents=True, exist_ok=True)
    if migrated and pending_migrations():
        Console(stderr=True, soft_wrap=True).print(
            "[red]数据库尚未初始化或需要升级[/]：请先运行 [bold]gaoxin init[/]"
            f"（数据库：{settings.DATABASES['default']['NAME']}）"
        )
        raise typer.Exit(2)


def pending_migrations() -> list[str]:
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    return [f"{m.app_label}.{m.name}" for m, _ in plan]
