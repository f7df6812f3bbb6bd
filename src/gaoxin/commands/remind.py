"""`gaoxin remind`: mail the reporters of zones that have not submitted, before and after a
deadline (gaoxin.statistics.reminders). Run once a day."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape

from gaoxin.commands import django_env

console = Console(soft_wrap=True)


def remind(
    days_before: Annotated[int, typer.Option(help="截止前几天开始提醒（提醒一次）")] = 3,
    overdue_every: Annotated[int, typer.Option(help="逾期后每隔几天催报一次")] = 7,
    on: Annotated[
        str | None, typer.Option("--date", help="按这一天计算（YYYY-MM-DD，默认今天，北京时间）")
    ] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="只列出将发送的邮件，不发送")] = False,
) -> None:
    """催报提醒：给尚未提交报表的园区填报员发邮件（截止前与逾期后），每人一封，同一天不重复发送。"""
    django_env.setup()
    from gaoxin.statistics import reminders

    try:
        day = dt.date.fromisoformat(on) if on else None
    except ValueError as exc:
        console.print(f"[red]日期「{escape(on or '')}」应写作 YYYY-MM-DD，如 2026-12-03[/]")
        raise typer.Exit(2) from exc
    try:
        if dry_run:
            mails, skipped = reminders.plan(
                on=day, days_before=days_before, overdue_every=overdue_every
            )
            failed = []
        else:
            outcome = reminders.send_reminders(
                on=day, days_before=days_before, overdue_every=overdue_every
            )
            mails, skipped, failed = outcome.sent, outcome.skipped, outcome.failed
    except ValueError as exc:
        console.print(f"[red]{escape(str(exc))}[/]")
        raise typer.Exit(2) from exc
    verb = "将发送" if dry_run else "已发送"
    for mail in mails:
        console.print(
            f"{verb}：{escape(mail.username)} <{escape(mail.email)}>，{len(mail.items)} 张报表"
        )
        for item in mail.items:
            console.print(f"  {escape(item.line())}")
    for mail, reason in failed:
        console.print(f"[red]发送失败[/]：{escape(mail.email)}：{escape(reason)}（下次运行会重试）")
    console.print(
        f"{verb} {len(mails)} 封提醒邮件；{skipped} 条提醒此前已发送，本次跳过。"
        if mails or skipped
        else "没有需要发送的提醒。"
    )
    if failed:
        raise typer.Exit(1)
