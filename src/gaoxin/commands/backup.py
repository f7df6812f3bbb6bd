"""`gaoxin backup` and `gaoxin restore`: the whole site (database, evidence files, analytics) in
one archive that checks itself (gaoxin.backup)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from gaoxin.commands import django_env

console = Console(soft_wrap=True)


def backup(
    out: Annotated[Path, typer.Argument(help="备份文件，如 gaoxin-2025-07-31.tar.gz")],
) -> None:
    """备份数据库、证明材料等上传文件和分析数据目录（网站运行时也可备份，不会取到导入到一半的数据）。"""
    django_env.setup()
    from gaoxin.backup import BackupError
    from gaoxin.backup import backup as run

    try:
        with console.status("正在备份 …"):
            archive = run(out)
    except BackupError as e:
        console.print(f"[red]备份失败[/]：{e}")
        raise typer.Exit(1) from None
    console.print(
        f"[green]已备份[/] → {archive.path}（{archive.database} 数据库，{archive.files} 个文件，"
        "含校验和）"
    )


def restore(
    archive: Annotated[Path, typer.Argument(help="gaoxin backup 生成的备份文件")],
    yes: Annotated[bool, typer.Option("--yes", help="不再确认，直接覆盖当前数据")] = False,
) -> None:
    """从备份恢复：先核对每个文件的校验和，再替换数据库、上传文件和分析数据目录。恢复前请停止网站和后台任务。"""
    django_env.setup(migrated=False)
    from gaoxin.backup import BackupError
    from gaoxin.backup import restore as run

    if not archive.is_file():
        console.print(f"[red]找不到备份文件[/] {archive}")
        raise typer.Exit(2)
    if not yes and not typer.confirm("恢复会覆盖当前的全部数据，确定继续吗？"):
        raise typer.Exit(1)
    try:
        with console.status("正在核对并恢复 …"):
            done = run(archive)
    except BackupError as e:
        console.print(f"[red]未恢复[/]：{e}")
        raise typer.Exit(1) from None
    console.print(
        f"[green]已恢复[/] {done.path.name}（备份于 {done.created_at}，{done.files} 个文件）；"
        "如备份来自旧版本，请再运行 gaoxin init 升级数据库"
    )
