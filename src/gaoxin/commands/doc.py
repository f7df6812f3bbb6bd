"""`gaoxin doc`: policy documents -> measures, units, amounts, targets; the task ledger."""

import typer

app = typer.Typer(help="政策文件：解析为措施、责任单位、资金与目标；任务台账。", no_args_is_help=True)
