"""Spreadsheets users upload on pages (a data import, a trial's supplied inputs): the check made
before any reading, where an accepted file is kept for the background job that reads it, and
how long it is kept (:func:`expire`, decision 084)."""

from __future__ import annotations

import datetime as dt
import shutil
import uuid
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings

#: What an upload of data may be: what the readers take (Excel, WPS's Excel files, CSV).
SPREADSHEETS = (".xlsx", ".xls", ".csv")


def refusal(file, verb: str, *, too_big: str = "") -> str:
    """Why an uploaded spreadsheet is not read at all, or "": none chosen, not a spreadsheet,
    over ``IMPORT_MAX_MB`` (``too_big``: what to do then), empty. ``verb``: what the page does
    with it (导入, 上传), in the messages."""
    limit = settings.IMPORT_MAX_MB
    if file is None:
        return f"请选择要{verb}的 Excel 或 CSV 文件"
    if not file.name.lower().endswith(SPREADSHEETS):
        return f"只能{verb} .xlsx、.xls 或 .csv 文件；请在 Excel 或 WPS 中另存为这几种格式之一"
    if file.size > limit * 1024 * 1024:
        return f"文件超过 {limit} MB" + (f"：{too_big}" if too_big else "")
    if file.size == 0:
        return "文件是空的：请选择填好数据的文件"
    return ""


def root() -> Path:
    """The folder the kept uploads live in, one folder each: MEDIA_ROOT/uploads."""
    return Path(settings.MEDIA_ROOT) / "uploads"


def keep(file, kind: str) -> Path:
    """Keep an accepted upload where a job reads it: a folder of its own under
    MEDIA_ROOT/uploads (``<kind>-<random>``), under the user's file name, so that the job's
    messages and pages name the user's file. Never served: MEDIA_ROOT is not public."""
    folder = root() / f"{kind}-{uuid.uuid4().hex}"
    folder.mkdir(parents=True)
    path = folder / Path(file.name).name
    with path.open("wb") as out:
        for chunk in file.chunks():
            out.write(chunk)
    return path


def kept(path: str | Path | None) -> Path | None:
    """``path`` if it is a file :func:`keep` kept and still there, else None: what a page may
    hand out as the upload a job read (never a path outside the uploads' folder)."""
    if not path:
        return None
    p = Path(path).resolve()
    base = root().resolve()
    return p if base in p.parents and p.is_file() else None


@dataclass(frozen=True)
class Expired:
    """What :func:`expire` did: the folders removed (or that would be, ``dry_run``), and how
    many it kept because a job's record names them or because they are younger than the
    retention."""

    removed: list[Path] = field(default_factory=list)
    referenced: int = 0
    young: int = 0
    days: int = 0


def expire(
    *, days: int | None = None, now: dt.datetime | None = None, dry_run: bool = False
) -> Expired:
    """Remove the kept uploads no record needs (decision 084): a folder under
    MEDIA_ROOT/uploads older than ``days`` (default ``settings.UPLOAD_RETENTION_DAYS``) that no
    job still waiting, running or succeeded names among its arguments. A succeeded trial names
    the file its page links and 记入台账 reuses, a recording job the file its ledger entries were
    decided from: theirs are kept as long as the job is. A failed or interrupted job's file (a
    trial abandoned before it had a result), or a file no job names (its job never started), goes
    once it is old. Returns what it did; ``dry_run`` removes nothing."""
    from django.utils import timezone

    from gaoxin.jobs.choices import JobState
    from gaoxin.jobs.models import Job
    from gaoxin.jobs.services import interrupt_stale

    days = settings.UPLOAD_RETENTION_DAYS if days is None else days
    cutoff = (now or timezone.now()).timestamp() - days * 86400
    folder = root()
    if not folder.is_dir():
        return Expired(days=days)
    removed: list[Path] = []
    referenced = young = 0
    for entry in sorted(folder.iterdir()):
        if _newest(entry) > cutoff:
            young += 1
            continue
        naming = Job.objects.filter(arguments__icontains=entry.name)
        interrupt_stale(naming)  # a job whose worker died holds nothing
        alive = [JobState.QUEUED, JobState.RUNNING, JobState.SUCCEEDED]
        if naming.filter(state__in=alive).exists():
            referenced += 1
            continue
        removed.append(entry)
        if not dry_run:
            if entry.is_dir():
                shutil.rmtree(entry, ignore_errors=True)
            else:
                entry.unlink(missing_ok=True)
    return Expired(removed, referenced, young, days)


def _newest(entry: Path) -> float:
    """When ``entry`` (a kept upload's folder) last changed: its own or its files' time."""
    times = [entry.stat().st_mtime]
    if entry.is_dir():
        times += [p.stat().st_mtime for p in entry.iterdir()]
    return max(times)
