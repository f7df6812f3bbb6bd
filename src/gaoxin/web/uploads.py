"""Spreadsheets users upload on pages (a data import, a trial's supplied inputs): the check made
before any reading, and where an accepted file is kept for the background job that reads it."""

from __future__ import annotations

import uuid
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


def keep(file, kind: str) -> Path:
    """Keep an accepted upload where a job reads it: a folder of its own under
    MEDIA_ROOT/uploads (``<kind>-<random>``), under the user's file name, so that the job's
    messages and pages name the user's file. Never served: MEDIA_ROOT is not public."""
    folder = Path(settings.MEDIA_ROOT) / "uploads" / f"{kind}-{uuid.uuid4().hex}"
    folder.mkdir(parents=True)
    path = folder / Path(file.name).name
    with path.open("wb") as out:
        for chunk in file.chunks():
            out.write(chunk)
    return path
