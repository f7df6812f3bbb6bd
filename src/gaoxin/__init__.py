"""gaoxin (高新): the working platform for high-tech zones."""

import os

__version__ = "0.1.0"

#: Polars' allocator (jemalloc, read from ``_RJEM_MALLOC_CONF`` when Polars loads, so set here,
#: before any module of gaoxin imports Polars): memory freed is kept 10 s before it goes back to
#: the system, jemalloc's own default, where Polars' build returns it after 0.5 s and the
#: analytics build touches fresh pages again a moment later (2 M page faults, a quarter of its
#: CPU in the kernel; decision 088). A value set by the deployment is kept.
ALLOCATOR = "dirty_decay_ms:10000,muzzy_decay_ms:10000"
os.environ.setdefault("_RJEM_MALLOC_CONF", ALLOCATOR)
