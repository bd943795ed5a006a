"""`nightly --all` and `crawl --portal A --portal B`: several portals in one run, concurrently.

One child process per portal runs the single-portal command (`nightly --portal NAME`,
`crawl --portal NAME`), each with its own politeness, lock, snapshot and log, so a slow portal
delays only itself and a failing one (unreachable, crashing) breaks only its own line of the
summary. Processes rather than threads: a Scrapy crawl owns its process's Twisted reactor,
which cannot be started twice. At most `jobs` children run at once (`default_jobs`); the next
portal starts as soon as one finishes.
"""

from __future__ import annotations

import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from portal_archive.registry import Portal

# Exit statuses shared with the single-portal commands (portal_archive.commands.crawl).
EXIT_FAILED = 4
EXIT_DEGRADED = 5
# Children per core by default. A polite crawl mostly waits on its portal (a delay between
# requests, the portal's latency), so several share a core well (bench/bench_portals.py,
# docs/benchmarks.md). Each child is a Python process of ~150 MB at most; past a few per
# core they compete for the CPU (parsing, WARC writing) and for memory.
JOBS_PER_CORE = 4
MAX_DEFAULT_JOBS = 32


def default_jobs() -> int:
    """How many portals run at once unless `--jobs` says: 4 per core, at most 32."""
    return max(1, min(MAX_DEFAULT_JOBS, JOBS_PER_CORE * (os.cpu_count() or 1)))


@dataclass
class PortalOutcome:
    name: str
    exit_code: int
    line: str  # the child's summary line (or its last error line)

    @property
    def ok(self) -> bool:
        return self.exit_code == 0


def child_command(portal: Portal, archive: Path, registry: Path, extra: list[str],
                  command: str = "nightly") -> list[str]:
    return [sys.executable, "-m", "portal_archive", command, "--archive", str(archive),
            "--portals", str(registry), "--portal", portal.name, *extra]


def _summary_line(stdout: str, stderr: str) -> str:
    for line in stdout.splitlines():
        if line.split(" ", 1)[0] in ("OK", "FAILED", "DEGRADED") or line.startswith(
                ("crawl of", "snapshot ")):
            return line
    lines = [x for x in stderr.splitlines() if x.strip()] or [x for x in stdout.splitlines()
                                                               if x.strip()]
    return lines[-1].strip() if lines else "no output"


def _run_one(portal: Portal, argv: list[str]) -> PortalOutcome:
    proc = subprocess.run(argv, capture_output=True, text=True, stdin=subprocess.DEVNULL)
    line = _summary_line(proc.stdout, proc.stderr)
    if proc.returncode == EXIT_DEGRADED and "degraded" not in line:
        # A degraded crawl prints "closed" on stdout and its reason on stderr: keep both.
        reason = [x for x in proc.stderr.splitlines() if "degraded" in x]
        line += f"; {reason[-1].strip()}" if reason else ""
    return PortalOutcome(portal.name, proc.returncode, line)


def run_all(portals: list[Portal], archive: Path, registry: Path, extra: list[str],
            jobs: int | None = None, command: str = "nightly") -> list[PortalOutcome]:
    """Run one child per portal, at most `jobs` at once; one outcome each, in registry order."""
    jobs = max(1, jobs or default_jobs())
    argvs = [child_command(p, archive, registry, extra, command) for p in portals]
    # Threads only wait on the children (and drain their pipes): the work is in the children.
    with ThreadPoolExecutor(max_workers=min(jobs, len(portals)) or 1) as pool:
        return list(pool.map(_run_one, portals, argvs))


def combined_exit(outcomes: list[PortalOutcome]) -> int:
    """The run's exit status: 0 when every portal is OK; 4 when some portal failed (could not
    be reached) and the others are OK or degraded; 5 when some are degraded and the rest OK;
    1 for anything else (interrupted, verify problems, a held lock, a crash)."""
    codes = {o.exit_code for o in outcomes}
    if codes <= {0}:
        return 0
    if codes <= {0, EXIT_FAILED, EXIT_DEGRADED}:
        return EXIT_FAILED if EXIT_FAILED in codes else EXIT_DEGRADED
    return 1


def total_line(outcomes: list[PortalOutcome]) -> str:
    failed = [o.name for o in outcomes if not o.ok]
    text = f"TOTAL {len(outcomes)} portals: {len(outcomes) - len(failed)} ok, {len(failed)} failed"
    return text + (f" ({', '.join(failed)})" if failed else "")


def _absolute(profile: str | None) -> str | None:
    """A profile file's path as the children see it (a platform name stays as given)."""
    if profile is None or not Path(profile).suffix:
        return profile
    return str(Path(profile).resolve())


def crawl_several(args) -> int:
    """`crawl --portal A --portal B …`: each registered portal crawled into its own snapshot
    by a child `crawl --portal NAME`, at most `--jobs` at once; one line per portal and a
    total; the exit status of `combined_exit`. Options given apply to every portal."""
    from portal_archive.cli import CommandError
    from portal_archive.registry import (
        RegistryError,
        find_portal,
        load_registry,
        registry_path,
        validate_name,
    )

    if args.url or args.snapshot or args.resume:
        raise CommandError("with several --portal, give no URL, --snapshot or --resume: each "
                           "portal is crawled from its registered seed into its own snapshot")
    if args.jobs is not None and args.jobs < 1:
        raise CommandError(f"--jobs {args.jobs}: give at least 1")
    names = list(dict.fromkeys(args.portal))  # a portal named twice is crawled once
    path = registry_path(args.archive, args.portals)
    try:
        for name in names:
            validate_name(name)
        registered = load_registry(path)
        portals = [find_portal(registered, name, path) for name in names]
    except RegistryError as exc:
        raise CommandError(str(exc)) from exc
    extra = ["--no-progress"]
    for flag, value in (("--max-pages", args.max_pages), ("--concurrency", args.concurrency),
                        ("--delay", args.delay), ("--max-warc-size", args.max_warc_size),
                        ("--operator", args.operator), ("--redis", args.redis),
                        ("--ocr", args.ocr), ("--ocr-time-limit", args.ocr_time_limit),
                        ("--platform", args.platform),
                        ("--profile", _absolute(args.profile))):
        if value is not None:
            extra += [flag, str(value)]
    if args.ignore_robots:
        extra.append("--ignore-robots")
    for key, value in args.settings:
        extra += ["--set", f"{key}={value}"]
    outcomes = run_all(portals, Path(args.archive), path, extra, jobs=args.jobs,
                       command="crawl")
    for outcome in outcomes:
        status = "" if outcome.ok else f" [exit {outcome.exit_code}]"
        print(f"{outcome.name}: {outcome.line}{status}")
    print(total_line(outcomes))
    return combined_exit(outcomes)
