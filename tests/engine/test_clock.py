from datetime import UTC, datetime, timedelta, timezone

from gaoxin.engine.clock import DISPLAY_ZONE_NAME, local_text, local_time


def test_utc_moments_read_in_beijing_time_across_midnight():
    # 22:05 UTC is 06:05 the next morning in Beijing (UTC+8, no daylight saving)
    utc = datetime(2026, 11, 23, 22, 5, 9, tzinfo=UTC)
    assert local_text(utc) == "2026-11-24 06:05:09"
    assert local_text(utc, seconds=False) == "2026-11-24 06:05"
    assert local_text(utc.isoformat()) == "2026-11-24 06:05:09"
    # a naive datetime is UTC; a moment in another zone is converted, not relabelled
    assert local_text(datetime(2026, 11, 23, 22, 5, 9)) == "2026-11-24 06:05:09"
    tokyo = utc.astimezone(timezone(timedelta(hours=9)))
    assert local_time(tokyo) == utc and local_text(tokyo) == "2026-11-24 06:05:09"


def test_django_shows_times_in_the_same_zone():
    from django.conf import settings

    assert settings.TIME_ZONE == DISPLAY_ZONE_NAME
