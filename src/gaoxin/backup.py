"""Backup and restore of a whole gaoxin site: the database, the media files (evidence, job
results) and the analytics directory, in one archive that checks itself.

The database is copied consistently while the site runs: SQLite through its online backup API
(never a file copy, which can catch an import half-written), PostgreSQL through ``pg_dump`` in
its custom format. The archive is a ``.tar.gz`` holding ``database.sqlite3`` or
``database.pgdump``, ``media/``, ``analytics/`` and ``manifest.json``, which lists the SHA-256
of every member. :func:`restore` verifies every checksum before it touches anything, so a
damaged archive changes nothing; then it replaces the database (the backup API again, or
``pg_restore --clean``) and the two directories.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import connection

import gaoxin

MANIFEST = "manifest.json"
SQLITE_MEMBER = "database.sqlite3"
PG_MEMBER = "database.pgdump"
DIRECTORIES = {"media": "MEDIA_ROOT", "analytics": "ANALYTICS_ROOT"}


class BackupError(Exception):
    """A backup or restore that cannot be done; the message says why, in Chinese."""


@dataclass(frozen=True)
class Archive:
    path: Path
    database: str  # sqlite | postgresql
    files: int
    created_at: str


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        while chunk := f.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def _vendor() -> str:
    return connection.vendor  # sqlite | postgresql


def _pg_env() -> tuple[list[str], dict[str, str]]:
    db = connection.settings_dict
    args = ["-h", db["HOST"] or "127.0.0.1", "-p", str(db["PORT"] or 5432)]
    if db["USER"]:
        args += ["-U", db["USER"]]
    env = {**os.environ, "PGPASSWORD": db["PASSWORD"] or ""}
    return args, env


def _run(command: list[str], env: dict[str, str]) -> None:
    try:
        done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    except FileNotFoundError:
        raise BackupError(
            f"找不到 {command[0]}：请安装 PostgreSQL 客户端（Debian：apt install postgresql-client）"
        ) from None
    if done.returncode != 0:
        raise BackupError(f"{command[0]} 失败：{done.stderr.strip()[:500]}")


def _dump_database(into: Path) -> str:
    if _vendor() == "sqlite":
        connection.ensure_connection()
        target = sqlite3.connect(into / SQLITE_MEMBER)
        try:
            connection.connection.backup(target)  # consistent while others read and write
        finally:
            target.close()
        return SQLITE_MEMBER
    if _vendor() == "postgresql":
        args, env = _pg_env()
        name = connection.settings_dict["NAME"]
        _run(["pg_dump", *args, "-Fc", "-f", str(into / PG_MEMBER), name], env)
        return PG_MEMBER
    raise BackupError(f"不支持备份此类数据库：{_vendor()}")


def backup(out: str | Path) -> Archive:
    """Write the site to ``out`` (a ``.tar.gz``)."""
    out = Path(out)
    created = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    with tempfile.TemporaryDirectory(prefix="gaoxin-backup-") as tmp:
        staging = Path(tmp)
        members = [_dump_database(staging)]
        for name, setting in DIRECTORIES.items():
            source = Path(getattr(settings, setting))
            target = staging / name
            if source.is_dir():
                shutil.copytree(source, target, symlinks=False)
            else:
                target.mkdir()
            members += [
                p.relative_to(staging).as_posix() for p in sorted(target.rglob("*")) if p.is_file()
            ]
        manifest = {
            "gaoxin": gaoxin.__version__,
            "created_at": created,
            "database": _vendor(),
            "checksums": {m: _sha256(staging / m) for m in members},
        }
        (staging / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=1), "utf-8")
        out.parent.mkdir(parents=True, exist_ok=True)
        partial = out.with_name(out.name + ".partial")
        with tarfile.open(partial, "w:gz") as tar:
            for item in [MANIFEST, members[0], *DIRECTORIES]:
                tar.add(staging / item, arcname=item)
        partial.replace(out)  # a reader never finds half an archive under the final name
    return Archive(out, manifest["database"], len(members) - 1, created)


def _unpack(archive: Path, into: Path) -> dict:
    try:
        with tarfile.open(archive, "r:gz") as tar:
            tar.extractall(into, filter="data")  # no absolute paths, links out or devices
    except (tarfile.TarError, OSError, EOFError) as error:
        raise BackupError(f"备份文件无法读取（{error}），未作任何修改") from None
    try:
        manifest = json.loads((into / MANIFEST).read_text("utf-8"))
        checksums: dict[str, str] = manifest["checksums"]
    except (OSError, ValueError, KeyError):
        raise BackupError(
            "备份文件缺少清单（manifest.json），不是 gaoxin 备份，未作任何修改"
        ) from None
    present = {p.relative_to(into).as_posix() for p in into.rglob("*") if p.is_file()} - {MANIFEST}
    if present != set(checksums):
        raise BackupError("备份文件内容与清单不符（有文件多出或缺失），未作任何修改")
    for member, expected in checksums.items():
        if _sha256(into / member) != expected:
            raise BackupError(f"备份文件已损坏：{member} 的校验和不符，未作任何修改")
    return manifest


def restore(archive: str | Path) -> Archive:
    """Replace the site's database, media and analytics with the archive's, after checking
    every checksum. The web server and the job worker should be stopped meanwhile."""
    archive = Path(archive)
    with tempfile.TemporaryDirectory(prefix="gaoxin-restore-") as tmp:
        staging = Path(tmp)
        manifest = _unpack(archive, staging)
        if manifest["database"] != _vendor():
            raise BackupError(
                f"备份来自 {manifest['database']} 数据库，当前使用 {_vendor()}，未作任何修改；"
                "请在同类数据库上恢复"
            )
        if _vendor() == "sqlite":
            connection.ensure_connection()
            source = sqlite3.connect(staging / SQLITE_MEMBER)
            try:
                source.backup(connection.connection)
            finally:
                source.close()
        else:
            args, env = _pg_env()
            name = connection.settings_dict["NAME"]
            connection.close()
            _run(
                ["pg_restore", *args, "--clean", "--if-exists", "--no-owner", "--single-transaction",
                 "-d", name, str(staging / PG_MEMBER)],
                env,
            )  # fmt: skip
        for name, setting in DIRECTORIES.items():
            target = Path(getattr(settings, setting))
            target.parent.mkdir(parents=True, exist_ok=True)
            old = target.with_name(target.name + ".before-restore")
            if old.exists():
                shutil.rmtree(old)
            if target.exists():
                target.rename(old)
            shutil.copytree(staging / name, target)
            if old.exists():
                shutil.rmtree(old)
        files = len(manifest["checksums"]) - 1
    return Archive(archive, manifest["database"], files, manifest["created_at"])
