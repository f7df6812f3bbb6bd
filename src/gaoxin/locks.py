"""Named locks for writes that row locks cannot serialise: two transactions that both *add*
a row (a new ledger entry, the next case number) lock no existing row between them."""

from __future__ import annotations

import hashlib

from django.db import connection


def serialise(name: str) -> None:
    """Hold the lock ``name`` until the current transaction ends. On PostgreSQL a
    transaction-scoped advisory lock; SQLite already serialises writers (transactions begin
    IMMEDIATE, see settings.DATABASES), so there it does nothing. Call inside ``atomic``."""
    if connection.vendor != "postgresql":
        return
    key = int.from_bytes(hashlib.sha256(name.encode()).digest()[:8], "big")
    with connection.cursor() as cur:
        cur.execute("SELECT pg_advisory_xact_lock(%s)", [key - (1 << 63)])
