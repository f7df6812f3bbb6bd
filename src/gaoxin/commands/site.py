"""`gaoxin init`, `gaoxin demo`, `gaoxin serve`, `gaoxin worker`: set up the database, load
demo data, serve the site (gunicorn), run the background jobs."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

from gaoxin.commands import django_env

console = Console(soft_wrap=True)

JURISDICTIONS = ("fujian", "taizhou", "gansu", "sichuan", "national")
#: The policy pack of each demo jurisdiction (as the Makefile's PACK_*), and the year whose
#: actions the demo decides and publishes so that its cases can be seen (decision 042).
DEMO_PACKS = {
    "fujian": "fujian-2021",
    "taizhou": "taizhou-2024",
    "gansu": "gansu",
    "sichuan": "sichuan",
    "national": "national-14th-fyp",
}
DEMO_ACTION_YEAR = "2024"
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
    from django.conf import settings

    console.print(f"数据目录：{settings.GAOXIN_HOME}（可用环境变量 GAOXIN_HOME 指定）")
    console.print(f"数据库：{database_label()}")
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
    from gaoxin.statistics import analytics
    from gaoxin.statistics.demo import load_jurisdiction
    from gaoxin.statistics.models import Batch

    label = f"演示 {jurisdiction} seed={seed} scale={scale:g}"
    if not force and Batch.objects.filter(label__startswith=label + " ").exists():
        console.print(f"演示辖区「{jurisdiction}」已载入，跳过（重新载入请加 --force）。")
        _build_analytics()
        _demo_cases()
        _demo_user()
        _demo_ledger(jurisdiction)
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

        with analytics.deferred():  # one build after the history, not one per commit
            summary = load_jurisdiction(j, label=label, progress=report)
    console.print(
        f"[green]演示数据已载入[/]（{time.perf_counter() - started:.1f} 秒）：{summary.zones} 个高新区、"
        f"{summary.enterprises} 家企业、{summary.institutions} 个机构、{summary.certifications} 条资质、"
        f"{summary.observations} 个统计数值（其中 {summary.changes} 个为后续修订）。"
    )
    with analytics.deferred():
        _demo_history()
    _build_analytics()
    _demo_actions(jurisdiction)
    _demo_cases()
    _demo_user()
    _demo_ledger(jurisdiction)


def _demo_actions(jurisdiction: str) -> None:
    """Evaluate what the demo pack's rules read for DEMO_ACTION_YEAR, decide its rules, and
    publish the actions (演示：省级审定), so that the demo has cases to work on; money stays
    待审核 for the division to review. A pack with a ``demo:`` section (recipes for the inputs
    the user supplies, such as Fujian's 省评价考核结论) has them written into the data directory
    as a visible example file and decided with it (decisions 082, 083)."""
    from django.conf import settings

    from gaoxin.audit import Approval
    from gaoxin.awards.demo import write_demo_inputs
    from gaoxin.awards.models import AwardEntry
    from gaoxin.awards.services import decide
    from gaoxin.engine.packs.bindings import evaluations_needed
    from gaoxin.engine.periods import Period
    from gaoxin.engine.problems import ProblemsError
    from gaoxin.evaluation.services import evaluate
    from gaoxin.policy.packs import find_pack

    pack = find_pack(DEMO_PACKS[jurisdiction])
    year = Period.parse(DEMO_ACTION_YEAR)
    try:
        with console.status("正在评价并核定演示政策包的处理措施…"):
            for framework, period in sorted(evaluations_needed(pack, year), key=lambda x: x[1]):
                evaluate(pack.spec.id, Period.parse(period), None, by=None, framework=framework)
            inputs = write_demo_inputs(pack, year, Path(settings.GAOXIN_HOME))
            decide(pack, year, None, by=None, inputs=inputs)
        if inputs is not None:
            console.print(f"演示用户提供输入（仅供演示）：{inputs}")
    except ProblemsError as e:
        console.print(f"演示处理措施未核定：{e.problems[0].message}")
        return
    actions = AwardEntry.objects.pending().filter(
        pack=pack.spec.id, period=str(year), outcome="action"
    )
    for entry in actions:
        entry.set_approval(Approval.APPROVED, None, "演示：省级审定")


def _demo_cases() -> None:
    """Every published action of the ledger has its case (decision 042): open the missing ones,
    withdraw those whose entry was reversed."""
    from gaoxin.cases.models import Case
    from gaoxin.cases.services import sync

    done = sync()
    console.print(
        f"动态管理案件：新开 {len(done.opened)} 件，撤回 {len(done.withdrawn)} 件，"
        f"共 {Case.objects.count()} 件（每项已公布的处理措施一件）。"
    )


def _build_analytics() -> None:
    """The analytics tables of what was just loaded, so that the pages open on them at once."""
    from gaoxin.statistics import analytics

    started = time.perf_counter()
    with console.status("正在生成分析表…"):
        result = analytics.build()
    console.print(f"{result.state.text()}（{time.perf_counter() - started:.1f} 秒）")


def _demo_history() -> None:
    """The demo's reporting history (gaoxin.statistics.demo.record_reporting_history): earlier
    returns approved, the latest ones at every step of review (the demo city's submitted), the
    demo zone's left open."""
    from gaoxin.accounts.demo import demo_scopes
    from gaoxin.statistics.demo import record_reporting_history

    scopes = demo_scopes()
    done = record_reporting_history(
        keep_open=scopes["zone"] if scopes else None, waiting=scopes["city"] if scopes else None
    )
    console.print(
        f"报送记录：{done.submissions} 份报送（此前各期已由省级审定，最近一期多数已审定、部分仍在审核；"
        f"{scopes['zone'].name if scopes else '演示高新区'}最近一期留待填报）。"
    )


def _demo_user() -> None:
    """One demo user per role over the demo jurisdiction (gaoxin.accounts.demo), printed with
    their passwords; ``demo`` stays the system administrator."""
    from rich.table import Table

    from gaoxin.accounts.demo import ensure_demo_users

    table = Table(title="演示账号")
    for header in ("用户名", "密码", "角色"):
        table.add_column(header, no_wrap=True)
    for header in ("数据范围", "单位"):
        table.add_column(header, overflow="fold")
    for u in ensure_demo_users():
        table.add_row(u.username, u.password, u.role, u.scope, u.organisation)
    console.print(table)


def _demo_ledger(jurisdiction: str) -> None:
    """The demo pack's policy document in the task ledger, with a progress history reported
    by the units' demo users (gaoxin.policy.demo, decision 065); after the demo users, who
    report it. Twice is once."""
    from gaoxin.engine.problems import ProblemsError
    from gaoxin.policy.demo import load_demo_ledger
    from gaoxin.policy.packs import find_pack

    try:
        with console.status("正在导入演示政策文件的任务台账并记录进展…"):
            done = load_demo_ledger(find_pack(DEMO_PACKS[jurisdiction]))
    except ProblemsError as e:
        console.print(f"演示任务台账未导入：{e.problems[0].message}")
        return
    c = done.counts
    mid, end = done.dates
    title = f"任务台账：《{done.document.title}》{done.measures} 条措施"
    if not done.reportable:
        console.print(f"{title}，文件未写明责任单位，没有进展记录。")
        return
    console.print(
        f"{title}（已完成 {c['done']}、推进中 {c['in_progress']}、滞后 {c['late']}、"
        f"未启动 {c['not_started']}），本次新记 {done.reports} 条进展报告"
        f"（{_day(mid)}、{_day(end)}，由各责任单位报送）。"
    )


def _day(d) -> str:
    return f"{d.year}年{d.month}月{d.day}日"


def open_demo_accounts() -> list[str]:
    """Active demo accounts (the system administrator and one per role, gaoxin.accounts.demo)
    that still accept the password `gaoxin demo` prints: fine in the demo, a door left open in
    production (`gaoxin serve` refuses to start with DEBUG off)."""
    from django.contrib.auth import get_user_model

    from gaoxin.accounts import demo

    users = get_user_model().objects.filter(is_active=True, username__in=demo.USERNAMES)
    return sorted(u.username for u in users if u.check_password(demo.PASSWORD))


def database_label() -> str:
    """The database in words, for people: the SQLite file, or the PostgreSQL server and name."""
    from django.conf import settings

    db = settings.DATABASES["default"]
    if db["ENGINE"].endswith("sqlite3"):
        return f"SQLite {db['NAME']}"
    return f"PostgreSQL {db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"


def default_web_workers() -> int:
    """One gunicorn worker per core the process may use, plus one. Pages are CPU-bound
    (Polars over analytics tables) and long jobs run in `gaoxin worker`, which needs a core
    too; gunicorn's 2 × cores + 1 suits I/O-bound apps (decision 020)."""
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        cores = os.cpu_count() or 1
    return cores + 1


def gunicorn_argv(addr: str, workers: int, timeout: int = 120, threads: int = 1) -> list[str]:
    """The gunicorn command `gaoxin serve` runs: the site's WSGI application on ``addr``
    (host:port or unix:/path), access and error logs on the console; ``threads`` > 1 serves
    each process's requests from that many threads (gunicorn's gthread worker)."""
    return [
        sys.executable,
        "-m",
        "gunicorn",
        "gaoxin.web.wsgi:application",
        "--bind",
        addr,
        "--workers",
        str(workers),
        "--timeout",
        str(timeout),
        "--graceful-timeout",
        "30",
        "--access-logfile",
        "-",
        "--error-logfile",
        "-",
        "--no-control-socket",  # one per machine by default: two servers would share it
    ] + (["--threads", str(threads)] if threads > 1 else [])


def worker_argv() -> list[str]:
    """The `gaoxin worker` command `gaoxin serve --with-worker` starts beside the server."""
    return [sys.executable, "-m", "gaoxin.cli", "worker"]


def serve(
    addr: Annotated[str, typer.Option(help="监听地址:端口（或 unix:/路径）")] = "127.0.0.1:8000",
    workers: Annotated[int, typer.Option(help="gunicorn 进程数（默认：CPU 核数 + 1）")] = 0,
    threads: Annotated[
        int, typer.Option(help="每个 gunicorn 进程的线程数（默认 1；大于 1 时用 gthread）")
    ] = 1,
    dev: Annotated[
        bool, typer.Option("--dev", help="改用 Django 开发服务器（仅供开发调试）")
    ] = False,
    with_worker: Annotated[
        bool,
        typer.Option("--with-worker", help="同时启动后台任务进程（gaoxin worker），退出时一并停止"),
    ] = False,
) -> None:
    """启动网页服务（gunicorn；静态文件由 whitenoise 提供）。"""
    django_env.setup()
    from django.conf import settings
    from django.core.management import call_command

    if not settings.DEBUG and (open_accounts := open_demo_accounts()):
        console.print(
            f"[red]不能以生产模式（GAOXIN_DEBUG=0）启动[/]：演示账号 {'、'.join(open_accounts)} "
            "仍可用公开的演示密码登录。请先停用或改密码（python manage.py changepassword 用户名，"
            "或在后台取消其「有效」），见 docs/deployment.md。"
        )
        raise typer.Exit(2)
    if settings.DEBUG:
        console.print(
            "[yellow]演示/开发模式[/]：DEBUG 开启，演示账号可登录，出错时显示调试页。"
            "不要这样对外提供服务：部署设置见 docs/deployment.md（GAOXIN_DEBUG=0）。"
        )
    console.print(f"数据目录：{settings.GAOXIN_HOME}；数据库：{database_label()}")
    shown = addr if "://" in addr or addr.startswith("unix:") else f"http://{addr}/"
    if dev:
        console.print(f"开发服务器：{shown}（Ctrl+C 退出）")
        with _worker_beside(with_worker):
            call_command("runserver", addr, use_reloader=False)
        return
    call_command("collectstatic", interactive=False, verbosity=0)
    argv = gunicorn_argv(addr, workers or default_web_workers(), threads=threads)
    console.print(
        f"网页服务：{shown}（gunicorn，{argv[argv.index('--workers') + 1]} 个进程；Ctrl+C 退出）"
    )
    with _worker_beside(with_worker):
        code = _run_until_stopped(argv)
    raise typer.Exit(code)


class _worker_beside:
    """Start `gaoxin worker` beside the server and stop it when the server stops, however it
    stops. The worker has its own session, so that a Ctrl+C meant for the server does not
    reach it too: it gets one SIGTERM from here, finishes the job in hand and exits."""

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled
        self.process: subprocess.Popen | None = None

    def __enter__(self) -> _worker_beside:
        if self.enabled:
            self.process = subprocess.Popen(worker_argv(), start_new_session=True)
            console.print(f"后台任务进程已启动（gaoxin worker，进程号 {self.process.pid}）。")
        return self

    def __exit__(self, *exc: object) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            console.print("后台任务进程正在完成手头的任务，完成后退出（再按 Ctrl+C 强制停止）。")
            try:
                self.process.wait()
            except KeyboardInterrupt:
                self.process.kill()
                self.process.wait()


def _run_until_stopped(argv: list[str]) -> int:
    """Run ``argv`` in the foreground; a SIGTERM to this process stops it too."""
    process = subprocess.Popen(argv)

    def forward(signum: int, _frame: object) -> None:
        process.send_signal(signum)

    previous = signal.signal(signal.SIGTERM, forward)
    try:
        while True:
            try:
                return process.wait()
            except KeyboardInterrupt:  # Ctrl+C reached gunicorn too: wait for it to stop
                continue
    finally:
        signal.signal(signal.SIGTERM, previous)


def worker(
    interval: Annotated[float, typer.Option(help="队列为空时每隔几秒查看一次", min=0.1)] = 1.0,
    batch: Annotated[
        bool, typer.Option("--batch", help="做完队列里已有的任务就退出（用于定时任务或测试）")
    ] = False,
) -> None:
    """运行后台任务进程：执行网页上提交的导入、评价、报表等长任务（生产部署与网页服务并行运行）。"""
    django_env.setup()
    from django.core.management import call_command

    from gaoxin.jobs.services import interrupt_stale

    stale = interrupt_stale()  # jobs of a worker that died (decision 032)
    if stale:
        console.print(f"{stale} 个任务的执行进程已停止或超时，已标记为「中断」。")
    if not batch:
        console.print("后台任务进程已就绪，等待任务（Ctrl+C 退出）。")
    call_command(
        "db_worker",
        queue_name="*",
        interval=interval,
        batch=batch,
        reload=False,
        startup_delay=False,
    )
