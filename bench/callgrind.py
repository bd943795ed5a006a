"""Instruction counts of a Python child process under valgrind's callgrind, for the benches
that report instructions (bench_platforms_instructions.py, bench_generic_instructions.py,
bench_parse_ceiling.py --instructions): CPU time on the shared 2-core machine moves by a third
from run to run, instruction counts do not."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def available(bench: str) -> bool:
    """Whether valgrind is installed; if not, says so in one line for `bench`."""
    if shutil.which("valgrind") is None:
        print(f"{bench}: error: valgrind is not installed", file=sys.stderr)
        return False
    return True


def count(args: list[str], hash_seed: str | None = "0") -> tuple[int, int]:
    """(instructions of `python ARGS` from start to exit, the integer it printed last: the
    number of pages it read). `hash_seed`: the child's PYTHONHASHSEED (a fixed seed removes
    one cause of run-to-run variation, dict and set layouts), None to leave it random."""
    env = {**os.environ, "PYTHONHASHSEED": hash_seed} if hash_seed is not None else None
    with tempfile.TemporaryDirectory() as tmp:
        out = subprocess.run(
            ["valgrind", "--tool=callgrind", f"--callgrind-out-file={tmp}/cg.out",
             sys.executable, *args],
            capture_output=True, text=True, check=True, cwd=ROOT, env=env)
    collected = re.search(r"Collected\s*:\s*(\d+)", out.stderr)
    return int(collected.group(1)), int(out.stdout.strip().splitlines()[-1])
