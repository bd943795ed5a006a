"""`portal-archive snapshots`: list the archive's snapshots with status, times, counts, size."""

from __future__ import annotations

import argparse
import json

NAME = "snapshots"
ARCHIVE_USE = "read"  # the archive must exist (portal_archive.errors)
HELP = ("list the snapshots in the archive (id, status, portal, start, end, captures, revisits, "
        "size), "
        "then why any crawl failed or was degraded")

COLUMNS = ("ID", "STATUS", "PORTAL", "STARTED", "ENDED", "CAPTURES", "REVISITS", "SIZE")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--json", action="store_true", help="print a JSON list instead of a table")
    parser.add_argument("--portal", metavar="NAME",
                        help="only this portal's snapshots (docs/portals.md)")


def human_size(size: int) -> str:
    value = float(size)
    for unit in ("B", "KB", "MB", "GB", "TB"):
        if value < 1024 or unit == "TB":
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{size} B"  # pragma: no cover - loop always returns


def rows(archive, portal: str | None = None) -> list[dict]:
    from archive.snapshot import list_snapshots, snapshot_portal, snapshot_size

    out = []
    for snap in list_snapshots(archive, portal):
        stats = snap.manifest.get("stats") or {}
        out.append(
            {
                "snapshot_id": snap.snapshot_id,
                "status": snap.status,
                "started_at": snap.manifest.get("started_at"),
                "ended_at": snap.manifest.get("ended_at"),
                "captures": stats.get("captures"),
                "revisits": stats.get("revisits"),
                "size": snapshot_size(snap),
                "path": str(snap.path),
                # scraper.health: ok, degraded or failed with the reason (None before it).
                "health": snap.manifest.get("health"),
                "portal": snapshot_portal(snap.manifest),
            }
        )
    return out


def run(args: argparse.Namespace) -> int:
    found = rows(args.archive, args.portal)
    if args.json:
        print(json.dumps(found, indent=2, ensure_ascii=False))
        return 0
    if not found:
        print(f"no snapshots in {args.archive}")
        return 0
    table = [COLUMNS] + [
        (
            r["snapshot_id"],
            r["status"],
            r["portal"],
            r["started_at"] or "-",
            r["ended_at"] or "-",
            "-" if r["captures"] is None else str(r["captures"]),
            "-" if r["revisits"] is None else str(r["revisits"]),
            human_size(r["size"]),
        )
        for r in found
    ]
    widths = [max(len(row[i]) for row in table) for i in range(len(COLUMNS))]
    numeric = {5, 6, 7}
    for row in table:
        cells = [
            cell.rjust(widths[i]) if i in numeric else cell.ljust(widths[i])
            for i, cell in enumerate(row)
        ]
        print("  ".join(cells).rstrip())
    # Why a crawl failed or lost pages, under the table (its columns stay the same).
    notes = [(r["snapshot_id"], r["health"]) for r in found
             if (r["health"] or {}).get("status") in ("failed", "degraded")]
    if notes:
        print()
    for snapshot_id, health in notes:
        print(f"{snapshot_id} {health['status']}: {health.get('reason')}")
    return 0
