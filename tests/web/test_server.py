"""A real server: one data directory wherever a command runs, gunicorn with whitenoise, the
deployment settings (docs/deployment.md) and what they refuse."""

from __future__ import annotations

import http.client
import os
import re
import secrets
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.core.management import call_command
from django.test import Client

from gaoxin.commands.site import gunicorn_argv, worker_argv
from gaoxin.web.home import data_home

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent


def clean_env(**extra: str) -> dict[str, str]:
    """This process's environment without gaoxin's or Django's settings, plus ``extra``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GAOXIN_", "DJANGO_"))}
    env.update(extra)
    return env


def deployment_env(home: Path, **extra: str) -> dict[str, str]:
    """The settings docs/deployment.md gives, with the data directory at ``home``."""
    return clean_env(
        GAOXIN_HOME=str(home),
        GAOXIN_DEBUG="0",
        GAOXIN_SECRET_KEY=secrets.token_urlsafe(50),
        GAOXIN_ALLOWED_HOSTS="gaoxin.example.gov.cn,127.0.0.1",
        GAOXIN_PROXY_COUNT="1",
        **extra,
    )


def test_without_gaoxin_home_a_command_in_another_folder_uses_the_checkouts_database(tmp_path):
    script = (
        "import django; django.setup(); from django.conf import settings; "
        "print(settings.GAOXIN_HOME); print(settings.DATABASES['default']['NAME'])"
    )
    out = subprocess.run(
        [sys.executable, "-c", script],
        cwd=tmp_path,
        env=clean_env(DJANGO_SETTINGS_MODULE="gaoxin.web.settings"),
        capture_output=True,
        text=True,
        check=True,
    ).stdout.splitlines()
    assert out == [str(ROOT / "var"), str(ROOT / "var" / "gaoxin.sqlite3")]
    assert not (tmp_path / "var").exists()


def test_gaoxin_home_wins_and_an_installed_package_uses_the_users_data_directory(tmp_path):
    checkout = ROOT / "src" / "gaoxin"
    assert data_home({}, checkout) == ROOT / "var"
    assert data_home({"GAOXIN_HOME": str(tmp_path / "d")}, checkout) == tmp_path / "d"
    installed = tmp_path / "lib" / "python3.11" / "site-packages" / "gaoxin"
    installed.mkdir(parents=True)
    assert data_home({"XDG_DATA_HOME": str(tmp_path / "xdg")}, installed) == (
        tmp_path / "xdg" / "gaoxin"
    )


def test_serve_runs_the_wsgi_application_under_gunicorn():
    argv = gunicorn_argv("0.0.0.0:8080", 3)
    assert argv[:4] == [sys.executable, "-m", "gunicorn", "gaoxin.web.wsgi:application"]
    assert argv[argv.index("--bind") + 1] == "0.0.0.0:8080"
    assert argv[argv.index("--workers") + 1] == "3"
    assert "--threads" not in argv  # gunicorn's sync worker, one request a process
    threaded = gunicorn_argv("0.0.0.0:8080", 3, threads=4)
    assert threaded[threaded.index("--threads") + 1] == "4"  # gthread (decision 048)
    assert worker_argv()[1:] == ["-m", "gaoxin.cli", "worker"]


def test_whitenoise_serves_the_collected_admin_stylesheet_with_debug_off(settings, tmp_path):
    settings.DEBUG = False
    settings.STATIC_ROOT = tmp_path / "static"
    call_command("collectstatic", interactive=False, verbosity=0)
    css = (tmp_path / "static" / "admin" / "css" / "base.css").read_bytes()
    response = Client().get("/static/admin/css/base.css")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/css")
    assert b"".join(response.streaming_content) == css
    gzipped = Client().get("/static/admin/css/base.css", HTTP_ACCEPT_ENCODING="gzip")
    assert gzipped["Content-Encoding"] == "gzip"


def test_every_static_file_a_template_names_is_collected_and_served(settings, tmp_path):
    """The site's own files (src/gaoxin/web/static: site.css, vendored htmx) are found too."""
    settings.DEBUG = False
    settings.STATIC_ROOT = tmp_path / "static"
    call_command("collectstatic", interactive=False, verbosity=0)
    named = set()
    for template in (ROOT / "src" / "gaoxin").rglob("templates/**/*.html"):
        named |= set(re.findall(r"\{% static ['\"]([^'\"]+)['\"] %\}", template.read_text("utf-8")))
    assert {"gaoxin/site.css", "vendor/htmx.min.js"} <= named
    client = Client()
    for name in sorted(named):
        response = client.get(f"/static/{name}")
        assert response.status_code == 200, name


def test_deployment_settings_pass_check_deploy(tmp_path):
    result = subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), "check", "--deploy", "--fail-level", "WARNING"],
        cwd=tmp_path,
        env=deployment_env(tmp_path / "home"),
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout
    assert result.stderr == ""


def test_the_demo_settings_do_not_pass_check_deploy(tmp_path):
    """The check above can fail: the development defaults (DEBUG, the built-in key) fail it."""
    result = subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), "check", "--deploy", "--fail-level", "WARNING"],
        cwd=tmp_path,
        env=clean_env(GAOXIN_HOME=str(tmp_path / "home")),
        capture_output=True,
        text=True,
    )
    assert result.returncode != 0
    assert "security.W018" in result.stderr and "security.W009" in result.stderr


def test_without_a_secret_key_debug_off_refuses_to_start_in_chinese(tmp_path):
    env = deployment_env(tmp_path / "home")
    del env["GAOXIN_SECRET_KEY"]
    result = subprocess.run(
        [str(BIN / "gaoxin"), "init"], cwd=tmp_path, env=env, capture_output=True, text=True
    )
    assert result.returncode == 2
    assert "必须设置 GAOXIN_SECRET_KEY" in result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "home" / "gaoxin.sqlite3").exists()


def gunicorn_files(pid: int) -> set[Path]:
    """The files the gunicorn processes among ``pid`` and the processes below it hold open
    (Linux /proc): not `gaoxin serve`'s own or its job worker's."""
    out, todo = set(), [pid]
    while todo:
        p = todo.pop()
        try:
            todo += [int(c) for c in Path(f"/proc/{p}/task/{p}/children").read_text().split()]
            if b"gunicorn" in Path(f"/proc/{p}/cmdline").read_bytes():
                out |= {Path(os.readlink(fd)) for fd in Path(f"/proc/{p}/fd").iterdir()}
        except OSError:
            continue
    return out


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def fetch(port: int, path: str, **headers: str) -> tuple[int, dict[str, str], bytes]:
    """GET ``path`` from 127.0.0.1:``port`` as nginx would pass it on; redirects not followed."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        connection.request("GET", path, headers=headers)
        response = connection.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        connection.close()


@pytest.mark.slow
def test_init_in_one_folder_serve_from_another_with_gunicorn_and_the_worker(tmp_path):
    home, here, there = tmp_path / "home", tmp_path / "a", tmp_path / "b"
    here.mkdir()
    there.mkdir()
    env = deployment_env(home)
    init = subprocess.run(
        [str(BIN / "gaoxin"), "init"], cwd=here, env=env, capture_output=True, text=True
    )
    assert init.returncode == 0, init.stderr
    assert f"数据目录：{home}" in init.stdout
    assert f"数据库：SQLite {home / 'gaoxin.sqlite3'}" in init.stdout
    with sqlite3.connect(home / "gaoxin.sqlite3") as db:  # readers go on while jobs write
        assert db.execute("PRAGMA journal_mode").fetchone() == ("wal",)

    port = free_port()
    server = subprocess.Popen(
        [str(BIN / "gaoxin"), "serve", "--addr", f"127.0.0.1:{port}", "--workers", "2"]
        + ["--with-worker"],
        cwd=there,  # serve refuses a database `init` has not set up: this one is init's
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    try:
        https = {"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.9"}
        for _ in range(300):  # wait for gunicorn to listen (collectstatic runs first)
            try:
                status, headers, body = fetch(port, "/static/admin/css/base.css", **https)
                break
            except (ConnectionError, TimeoutError):
                assert server.poll() is None, server.stdout.read()
                time.sleep(0.2)
        assert status == 200 and headers["Content-Type"].startswith("text/css")
        assert body == (home / "static" / "admin" / "css" / "base.css").read_bytes()

        status, headers, body = fetch(port, "/accounts/login/", **https)
        assert status == 200 and "登录" in body.decode()
        assert headers["Server"].startswith("gunicorn")
        assert "script-src 'self'" in headers["Content-Security-Policy"]
        assert headers["Strict-Transport-Security"].startswith("max-age=31536000")
        assert fetch(port, "/api/schema/", **https)[0] in (401, 403)
        status, headers, _ = fetch(port, "/accounts/login/")  # plain HTTP goes to HTTPS
        assert status == 301 and headers["Location"].startswith("https://")
        # a web process keeps its database connection between requests (decision 054): after
        # requests that read the database (a token looked up), a gunicorn process still has
        # the file open; opened and closed per request, none would
        for _ in range(4):
            assert fetch(port, "/api/v1/me/", Authorization="Token nope", **https)[0] == 401
        assert home / "gaoxin.sqlite3" in gunicorn_files(server.pid)
    finally:
        server.send_signal(signal.SIGTERM)
        out, _ = server.communicate(timeout=60)
    assert f"数据库：SQLite {home / 'gaoxin.sqlite3'}" in out
    assert "gunicorn" in out and "后台任务进程已就绪" in out
    with pytest.raises(ProcessLookupError):  # gunicorn stopped with serve
        os.killpg(server.pid, 0)
    worker_pid = int(re.search(r"gaoxin worker，进程号 (\d+)", out).group(1))
    with pytest.raises(ProcessLookupError):  # and so did the worker, in its own session
        os.kill(worker_pid, 0)


@pytest.mark.django_db
def test_with_debug_off_serve_refuses_while_the_demo_account_keeps_its_password(settings, capsys):
    import typer
    from django.contrib.auth import get_user_model

    from gaoxin.commands.site import DEMO_PASSWORD, DEMO_USER, open_demo_accounts, serve

    settings.DEBUG = False
    demo = get_user_model().objects.create_superuser(DEMO_USER, password=DEMO_PASSWORD)
    with pytest.raises(typer.Exit) as stopped:
        serve(addr="127.0.0.1:1", workers=1, dev=False, with_worker=False)
    assert stopped.value.exit_code == 2
    assert f"演示账号 {DEMO_USER} 仍可用公开的演示密码登录" in capsys.readouterr().out
    demo.set_password("a-new-password-only-the-admin-knows")
    demo.save()
    assert open_demo_accounts() == []
    demo.set_password(DEMO_PASSWORD)
    demo.is_active = False
    demo.save()
    assert open_demo_accounts() == []
    # every role's demo account counts, not only the administrator's; another account does not
    get_user_model().objects.create_user("zone_reporter", password=DEMO_PASSWORD)
    get_user_model().objects.create_user("someone_else", password=DEMO_PASSWORD)
    assert open_demo_accounts() == ["zone_reporter"]


def test_with_debug_off_a_server_error_is_logged_to_standard_error(tmp_path):
    script = (
        "import django; django.setup(); import logging; "
        "logging.getLogger('django.request').error('内部错误：/jobs/ 测试')"
    )
    env = deployment_env(tmp_path / "home", DJANGO_SETTINGS_MODULE="gaoxin.web.settings")
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=tmp_path, env=env, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    assert "ERROR django.request: 内部错误：/jobs/ 测试" in result.stderr


def _start_with_cache_url(tmp_path: Path, **extra: str) -> subprocess.CompletedProcess:
    """Settings read in a fresh process with GAOXIN_CACHE_URL set; prints the cache backend."""
    script = (
        "import django; django.setup(); from django.conf import settings; "
        "print(settings.CACHES['default']['BACKEND'])"
    )
    env = clean_env(
        DJANGO_SETTINGS_MODULE="gaoxin.web.settings",
        GAOXIN_HOME=str(tmp_path),
        GAOXIN_CACHE_URL="redis://127.0.0.1:6379/9",
        **extra,
    )
    return subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True)


def test_a_cache_url_without_the_redis_client_stops_the_start_with_what_to_install(tmp_path):
    # before this check the server started and every page answered 500 (ModuleNotFoundError)
    shadow = tmp_path / "shadow"  # a Python on which `import redis` fails
    shadow.mkdir()
    (shadow / "sitecustomize.py").write_text("import sys\nsys.modules['redis'] = None\n")
    refused = _start_with_cache_url(tmp_path, PYTHONPATH=str(shadow))
    assert refused.returncode != 0
    assert "ImproperlyConfigured" in refused.stderr
    assert "未安装 Redis 客户端" in refused.stderr and "gaoxin[redis]" in refused.stderr
    assert "redis://127.0.0.1:6379/9" in refused.stderr
    # the same setting with a client importable is taken
    fake = tmp_path / "fake"
    (fake / "redis").mkdir(parents=True)
    (fake / "redis" / "__init__.py").write_text("")
    taken = _start_with_cache_url(tmp_path, PYTHONPATH=str(fake))
    assert taken.returncode == 0, taken.stderr
    assert taken.stdout.strip() == "django.core.cache.backends.redis.RedisCache"
