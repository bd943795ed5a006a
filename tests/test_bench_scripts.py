"""`make bench` (bench/run_all.py) runs every benchmark script of bench/, and only those."""

from __future__ import annotations

import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parents[1] / "bench"


def test_run_all_lists_every_bench_script():
    sys.path.insert(0, str(BENCH))
    try:
        import run_all
    finally:
        sys.path.remove(str(BENCH))
    on_disk = sorted(p.name for p in BENCH.glob("bench_*.py"))
    assert sorted(run_all.SCRIPTS) == on_disk
    assert len(set(run_all.SCRIPTS)) == len(run_all.SCRIPTS)
