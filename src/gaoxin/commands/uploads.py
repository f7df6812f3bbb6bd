"""`gaoxin clean-uploads`: the face of :func:`gaoxin.web.uploads.expire` on the terminal (run it
from cron, decision 084)."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape

from gaoxin.commands import django_env

console = Console(soft_wrap=True)


def clean_uploads(
    days: Annotated[
        int | None,
        typer.Option(
            "--days",
            min=0,
            help="保留天数（默认 GAOXIN_UPLOAD_RETENTION_DAYS，30 天）",
        ),
    ] = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="只列出将删除的文件夹，不删除")
    ] = False,
) -> None:
    """清理页面上传后保留的文件：测算失败或中断、未被任何任务使用且超过保留天数的才删除；成功的测算和记入台账所用的文件一直保留。"""
    django_env.setup()
    from gaoxin.web.uploads import expire

    done = expire(days=days, dry_run=dry_run)
    verb = "将删除" if dry_run else "已删除"
    for path in done.removed:
        console.print(f"  {verb} {escape(str(path))}")
    console.print(
        f"{verb} {len(done.removed)} 个上传文件夹（超过 {done.days} 天且无任务记录使用）；"
        f"保留 {done.referenced} 个（测算或台账记录使用），{done.young} 个未满 {done.days} 天。"
    )
