"""`nightly --all`: every due portal of the registry in one run, concurrently.

One child process per portal runs the single-portal nightly (`nightly --portal NAME`), each with
its own politeness, lock, snapshot and log, so a slow portal delays only itself and a failing
one (unreachable, crashing) breaks only its own line of the summary. Processes rather than
threads: a Scrapy crawl owns its process's Twisted reactor, which cannot be started twice.
"""

from __future__ import annotations

import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from portal_archive.registry import Portal


@dataclass
class PortalOutcome:
    name: str
    exit_code: int
    line: str  # the child's summary line (or its last error line)

    @property
    def ok(self) -> bool:
        return self.exit_code == 0


def child_command(portal: Portal, archive: Path, registry: Path, extra: list[str]) -> list[str]:
    return [sys.executable, "-m", "portal_archive", "nightly", "--archive", str(archive),
            "--portals", str(registry), "--portal", portal.name, *extra]


def _summary_line(stdout: str, stderr: str) -> str:
    for line in stdout.splitlines():
        if line.split(" ", 1)[0] in ("OK", "FAILED", "DEGRADED") or line.startswith("crawl of"):
            return line
    lines = [x for x in stderr.splitlines() if x.strip()] or [x for x in stdout.splitlines()
                                                               if x.strip()]
    return lines[-1].strip() if lines else "no output"


def run_all(portals: list[Portal], archive: Path, registry: Path,
            extra: list[str]) -> list[PortalOutcome]:
    """Start one nightly per portal at once; wait for all; one outcome each, in registry order."""
    children = []
    for portal in portals:
        children.append((portal, subprocess.Popen(
            child_command(portal, archive, registry, extra), stdout=subprocess.PIPE,
            stderr=subprocess.PIPE, text=True)))
    outcomes = []
    for portal, proc in children:
        stdout, stderr = proc.communicate()
        outcomes.append(PortalOutcome(portal.name, proc.returncode,
                                      _summary_line(stdout, stderr)))
    return outcomes


def total_line(outcomes: list[PortalOutcome]) -> str:
    failed = [o.name for o in outcomes if not o.ok]
    text = f"TOTAL {len(outcomes)} portals: {len(outcomes) - len(failed)} ok, {len(failed)} failed"
    return text + (f" ({', '.join(failed)})" if failed else "")
