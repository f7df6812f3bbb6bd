#!/bin/bash
# Whole analytics builds of several trees, in turn, on one prepared source: the A/B runs of
# docs/benchmarks.md (written there as /work/bench/tools/pair.sh).
#
#   benchmarks/pair_builds.sh TREE WORK [TREE WORK ...]
#
# For each pair: WORK/source is linked to $SOURCE (default /work/bench/s70/source, written by
# `bench_analytics.py --step prepare --scale 70 --work /work/bench/s70`), WORK/full removed, then
# `bench_analytics.py --step build --scale 70 --work WORK` run with TREE's src first on
# PYTHONPATH (this checkout's venv and benchmark script), under the benchmark lock
# (/tmp/gx-bench.lock), with /usr/bin/time's CPU, wall and peak. Alternate the trees
# (A B A B ...): the machine's load moves between runs.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
source=${SOURCE:-/work/bench/s70/source}
while [ $# -ge 2 ]; do
  tree=$1; work=$2; shift 2
  mkdir -p "$work"; [ -e "$work/source" ] || ln -s "$source" "$work/source"
  rm -rf "$work/full"
  echo "== $tree ($(git -C "$tree" rev-parse --short HEAD)) $(date +%T) load $(cut -d' ' -f1 /proc/loadavg)"
  PYTHONPATH=$tree/src flock /tmp/gx-bench.lock /usr/bin/time -f '%U user %S sys %e wall %M KiB' \
    "$here/.venv/bin/python" "$here/benchmarks/bench_analytics.py" --step build --scale 70 \
    --work "$work" 2>&1 | tail -2
done
