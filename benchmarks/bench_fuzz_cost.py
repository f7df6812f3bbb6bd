"""CPU per fuzz file of tests/engine/tabular/test_fuzz.py, split into drawing the file (hypothesis
and the CSV/XLSX writers) and reading it (``read_observations``).

    .venv/bin/python benchmarks/bench_fuzz_cost.py 400

Results in docs/benchmarks.md ("Import fuzz: cost per file")."""

import datetime as dt
import resource
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from hypothesis import HealthCheck, given, settings
from tests.engine.tabular.fuzzfiles import files

from gaoxin.engine.tabular import read_observations
from gaoxin.engine.variables import default_catalogue

CAT = default_catalogue()
N = int(sys.argv[1])
read_cpu = [0.0]
sizes = []


def cpu():
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


# warm-up imports
read_observations(b"a,b\n1,2\n", CAT, name="x.csv", today=dt.date(2026, 1, 20))


@settings(
    max_examples=N,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
)
@given(files())
def run(named):
    name, data = named
    sizes.append(len(data))
    t = cpu()
    read_observations(data, CAT, name=name, today=dt.date(2026, 1, 20))
    read_cpu[0] += cpu() - t


t0 = cpu()
w0 = time.time()
run()
total = cpu() - t0
print(
    f"{N} files: total CPU {total:.1f} s ({1000 * total / N:.0f} ms/file), reading {read_cpu[0]:.1f} s ({1000 * read_cpu[0] / N:.0f} ms/file), generation+hypothesis {total - read_cpu[0]:.1f} s ({1000 * (total - read_cpu[0]) / N:.0f} ms/file); median size {sorted(sizes)[len(sizes) // 2]} B; wall {time.time() - w0:.0f} s"
)
