"""Times as users read them.

Timestamps are computed and stored in UTC (the fact frame's ``built_at``, the database's
``created_at`` / ``recorded_at``). gaoxin serves Chinese administrations, so every timestamp a
user reads — in the terminal, in a printed workbook — is shown in 北京时间 (Asia/Shanghai), the
zone Django's ``TIME_ZONE`` is also set from. A naive datetime is taken to be UTC.
"""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

DISPLAY_ZONE_NAME = "Asia/Shanghai"
DISPLAY_ZONE = ZoneInfo(DISPLAY_ZONE_NAME)


def local_time(moment: datetime | str) -> datetime:
    """``moment`` (a datetime or an ISO 8601 text) in 北京时间."""
    dt = datetime.fromisoformat(moment) if isinstance(moment, str) else moment
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=UTC)
    return dt.astimezone(DISPLAY_ZONE)


def local_text(moment: datetime | str, *, seconds: bool = True) -> str:
    """``2026-11-23T22:05:09+00:00`` → ``2026-11-24 06:05:09`` (北京时间)."""
    return local_time(moment).strftime("%Y-%m-%d %H:%M:%S" if seconds else "%Y-%m-%d %H:%M")
