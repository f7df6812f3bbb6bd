"""The `gaoxin` command line."""

from __future__ import annotations

import typer

from gaoxin.commands import (
    analytics,
    awards,
    backup,
    data,
    doc,
    eligible,
    evaluate,
    monitor,
    packs,
    remind,
    site,
    targets,
    uploads,
    zones,
)
from gaoxin.commands.users import app as user_app

app = typer.Typer(
    help="gaoxin 高新区管理平台：数据导入导出、监测、评价、政策兑现。",
    no_args_is_help=True,
    pretty_exceptions_show_locals=False,
    rich_markup_mode="rich",
)
app.command()(site.init)
app.command()(site.demo)
app.command()(site.serve)
app.command()(site.worker)
app.command("import")(data.import_)
app.command()(data.export)
app.command()(data.template)
app.command()(monitor.monitor)
app.command()(evaluate.evaluate)
app.command()(targets.targets)
app.command()(eligible.eligible)
app.command()(awards.awards)
app.command()(awards.explain)
app.command()(remind.remind)
app.command()(backup.backup)
app.command()(backup.restore)
app.command("clean-uploads")(uploads.clean_uploads)
app.add_typer(analytics.app, name="analytics")
app.add_typer(doc.app, name="doc")
app.add_typer(packs.app, name="packs")
app.add_typer(user_app, name="user")
app.add_typer(zones.app, name="zones")


@app.callback()
def main() -> None:
    """gaoxin 高新区管理平台。"""


if __name__ == "__main__":
    app()
