"""`portal-archive demo`: the main job on the embedded replica, end to end, in one command.

Serves the replica for night 0, crawls it, serves night 1 (new, edited and withdrawn articles
and documents) on the same address, crawls again (unchanged pages become revisits), then diffs
the two snapshots as `diff` does by default (the portal's state: an article refiled under a
new URL is one changed article), checks the diff against the replica's ground truth, verifies
fixity and prints where everything is.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import threading
from pathlib import Path
from urllib.parse import urlsplit

NAME = "demo"
HELP = "crawl two nights of the embedded replica, build datasets, diff them and report"
MARKER = ".portal-archive-demo"
# The demo never writes into the real archive unless asked to.
DEFAULT_ARCHIVE = Path("demo-archive")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--articles", type=int, default=120, help="replica size (default 120)")
    parser.add_argument("--seed", type=int, default=1, help="replica seed (default 1)")
    parser.add_argument("--theme", default="custom2015",
                        choices=["custom2015", "default40", "egov45"])
    parser.add_argument("--nights", type=int, default=2, help="nights to crawl (default 2)")
    parser.add_argument("--no-platforms", dest="platforms", action="store_false",
                        help="skip the night pair of the upload-portal replica")


def _prepare(archive: Path) -> None:
    from portal_archive.cli import CommandError

    if archive.exists() and any(archive.iterdir()):
        if not (archive / MARKER).exists():
            raise CommandError(f"{archive} is not empty and not a demo archive; "
                               "give another --archive")
        old = sorted(p.name for p in (archive / "snapshots").glob("*"))
        print(f"== replacing the previous demo archive {archive} "
              f"({len(old)} snapshot(s){': ' + ', '.join(old) if old else ''})", flush=True)
        shutil.rmtree(archive)
    archive.mkdir(parents=True, exist_ok=True)
    (archive / MARKER).write_text("created by `portal-archive demo`; safe to delete\n")


def _crawl(url: str, archive: Path) -> None:
    from portal_archive.cli import CommandError

    cmd = [sys.executable, "-m", "portal_archive", "crawl", url, "--archive", str(archive),
           "--delay", "0", "--concurrency", "8"]
    # A new process per crawl: Twisted's reactor cannot be restarted within one process.
    proc = subprocess.run(cmd)
    if proc.returncode != 0:
        raise CommandError(f"crawl of {url} failed (exit {proc.returncode}); "
                           f"see {archive}/snapshots/*/logs/crawl.log")


def run(args: argparse.Namespace) -> int:
    from archive.snapshot import list_snapshots
    from archive.verify import verify_snapshot
    from audit.diff_report import write_report
    from audit.state_diff import diff_states
    from pipelines.loader import load_table
    from pipelines.schema import TABLES
    from replica import ReplicaConfig, Site
    from replica.server import make_server

    archive: Path = args.archive
    _prepare(archive)

    port = 0
    base = ""
    for night in range(args.nights):
        config = ReplicaConfig(articles=args.articles, seed=args.seed, night=night,
                               theme=args.theme)
        server = make_server(config, port)
        port = server.server_address[1]
        base = server.base_url
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        print(f"== night {night}: replica ({args.articles} articles, theme {args.theme}) "
              f"at {base}", flush=True)
        try:
            _crawl(base, archive)
        finally:
            server.shutdown()
            server.server_close()

    snaps = [s for s in list_snapshots(archive) if s.status == "closed"]
    print("\n== snapshots")
    for snap in snaps:
        stats = snap.manifest.get("stats", {})
        problems = verify_snapshot(archive, snap.snapshot_id).problems
        print(f"  {snap.snapshot_id}: {stats.get('captures', 0)} captures "
              f"({stats.get('revisits', 0)} revisits), verify: "
              f"{'OK' if not problems else f'{len(problems)} problems'}")
    last = snaps[-1]
    print(f"\n== datasets of {last.snapshot_id} ({last.path / 'datasets'})")
    for table in TABLES:  # every table the datasets hold, attachment texts included
        rows = len(load_table(table, archive=archive, snapshot=last.snapshot_id))
        print(f"  {table:<18} {rows:>6} rows  (.parquet and .csv)")

    changed_url, matches = None, True
    if len(snaps) >= 2:
        a, b = snaps[-2], snaps[-1]
        diff = diff_states(archive, a.snapshot_id, b.snapshot_id)
        name = f"diff-{a.snapshot_id}-{b.snapshot_id}.html"
        report = write_report(diff, b.path / "reports" / name)
        write_report(diff, report.with_suffix(".json"))
        truth = Site(ReplicaConfig(articles=args.articles, seed=args.seed, night=0,
                                   theme=args.theme)).changes(args.nights - 2, args.nights - 1)
        print(f"\n== diff {a.snapshot_id} -> {b.snapshot_id}: {len(diff['added'])} added, "
              f"{len(diff['removed'])} removed, {len(diff['changed'])} changed, "
              f"{diff['unchanged']} unchanged")
        wrong = _wrong(diff, truth)
        print(f"   replica ground truth:     {len(truth['added'])} added, "
              f"{len(truth['removed'])} removed, {len(truth['changed'])} changed: "
              f"{_verdict(wrong)}")
        matches = not wrong
        print(f"\nreport: {report}")
        changed_url = next((c["url"] for c in diff["changed"] if c.get("url")), None)
    if args.platforms:
        matches = _platform_pair(archive / "platforms" / PLATFORM_DEMO, PLATFORM_DEMO,
                                 args.seed) and matches
    print(next_steps(archive, snaps, changed_url or base + "/"))
    if not matches:
        print("portal-archive demo: error: a diff does not match the replica's ground truth "
              "(see the lines above)", file=sys.stderr)
        return 1
    return 0


# Issue 14: the same content on today's laichau.gov.vn platform, where articles have no ids.
PLATFORM_DEMO = "upload-portal"
PLATFORM_ARTICLES = 12  # a few seconds: two small crawls


def _platform_pair(archive: Path, platform: str, seed: int) -> bool:
    """Two nights of the `platform` replica in an archive of their own (another portal),
    crawled with the platform detected on the home page, diffed against the ground truth."""
    from archive.snapshot import list_snapshots
    from audit.diff_report import write_report
    from audit.state_diff import diff_states
    from replica import ReplicaConfig, Site
    from replica.server import make_server

    archive.mkdir(parents=True, exist_ok=True)
    port, base = 0, ""
    for night in (0, 1):
        config = ReplicaConfig(articles=PLATFORM_ARTICLES, seed=seed, night=night,
                               platform=platform)
        server = make_server(config, port)
        port, base = server.server_address[1], server.base_url
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        print(f"\n== {platform} night {night}: replica ({PLATFORM_ARTICLES} articles, no "
              f"article ids: items keyed by URL) at {base}", flush=True)
        try:
            _crawl(base, archive)
        finally:
            server.shutdown()
            server.server_close()
    a, b = [s for s in list_snapshots(archive) if s.status == "closed"][-2:]
    diff = diff_states(archive, a.snapshot_id, b.snapshot_id)
    report = write_report(diff, b.path / "reports" / f"diff-{a.snapshot_id}-{b.snapshot_id}.html")
    truth = Site(ReplicaConfig(articles=PLATFORM_ARTICLES, seed=seed, night=1,
                               platform=platform)).changes(0, 1)
    wrong = _wrong(diff, truth)
    print(f"== {platform} diff (platform {b.manifest.get('platform')}, detected): "
          f"{len(diff['added'])} added, {len(diff['removed'])} removed, "
          f"{len(diff['changed'])} changed; replica ground truth: {len(truth['added'])} "
          f"added, {len(truth['removed'])} removed, {len(truth['changed'])} changed: "
          f"{_verdict(wrong)}")
    print(f"   archive: {archive}   report: {report}")
    return not wrong


def _items(group: list[dict]) -> set[tuple[str, str]]:
    return {(item["kind"], urlsplit(item["url"]).path) for item in group}


def _wrong(diff: dict, truth: dict) -> list[str]:
    """The groups in which the diff and the replica's changes name different items (kind
    and URL path)."""
    return [group for group in ("added", "removed", "changed")
            if _items(diff[group]) != _items(truth[group])]


def _verdict(wrong: list[str]) -> str:
    return ("the diff matches it" if not wrong else
            f"the diff does NOT match it ({', '.join(wrong)} differ)")


def next_steps(archive: Path, snaps: list, url: str) -> str:
    """Commands to try on the demo archive, ready to paste (`url`: a page that changed)."""
    import shlex

    from portal_archive.invocation import program

    where = shlex.quote(str(archive))
    prog = program()
    lines = ["", "== next: try"]
    if len(snaps) >= 2:
        lines.append(f"  {prog} diff previous latest --archive {where} --format md")
    lines += [
        f"  {prog} snapshots --archive {where}",
        f"  {prog} history {shlex.quote(url)} --archive {where}",
        f"  {prog} show {shlex.quote(url)} --at {snaps[0].snapshot_id} "
        f"--archive {where}",
        f"  {prog} wacz latest --archive {where}",
        f"  {prog} verify --archive {where}",
        "",
        f"browse it: {prog} serve --archive {where}   (then open http://127.0.0.1:8500/)",
    ]
    return "\n".join(lines)
