"""`portal-archive search QUERY`: full-text search over every snapshot (and `--timeline`)."""

from __future__ import annotations

import argparse
import csv
import json
import re
import sys
from pathlib import Path

NAME = "search"
ARCHIVE_USE = "read"  # must exist; the index is derived (a read-only archive: in a cache)
HELP = ("full-text search of articles, documents and attachment texts over every snapshot "
        "(diacritics optional); --timeline PHRASE: when a phrase appeared and was gone")

_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
TABLE_COLUMNS = ("SCORE", "TYPE", "PUBLISHED", "SNAPSHOTS", "TITLE / URL / SNIPPET")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("query", nargs="?", metavar="QUERY",
                        help='words (all required), "a phrase", prefix*, AND / OR / NOT, '
                             "( ), title:word or body:word; see docs/search.md")
    parser.add_argument("--timeline", metavar="PHRASE", default=None,
                        help="per item, the first snapshot with PHRASE and the first where it "
                             "is gone (edited out or withdrawn), with WARC evidence")
    parser.add_argument("--type", action="append", choices=("article", "document", "attachment"),
                        help="only this kind of item (repeatable)")
    parser.add_argument("--portal", default=None, metavar="HOST",
                        help="only items of this portal (the URL's host, e.g. laichau.gov.vn)")
    parser.add_argument("--since", default=None, metavar="YYYY-MM-DD")
    parser.add_argument("--until", default=None, metavar="YYYY-MM-DD")
    parser.add_argument("--by", choices=("published", "captured"), default="published",
                        help="--since/--until compare the publication (document: issue) date "
                             "(default) or the capture dates of the version")
    parser.add_argument("--snapshot", default=None, metavar="ID",
                        help="only versions current in this snapshot (first <= ID <= last)")
    parser.add_argument("--limit", type=int, default=20, metavar="N",
                        help="at most N hits (default 20; 0 = all)")
    parser.add_argument("--format", choices=("table", "json", "csv"), default="table")
    parser.add_argument("--index-dir", type=Path, default=None, metavar="DIR",
                        help="the index folder (default <archive>/index/, built if needed)")


def _date(value: str | None, flag: str) -> str | None:
    from datetime import date

    from portal_archive.cli import CommandError

    if value is None:
        return None
    try:
        if not _DATE.match(value):
            raise ValueError
        date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"{flag} {value!r}: expected a date YYYY-MM-DD") from None
    return value


def run(args: argparse.Namespace) -> int:
    from portal_archive.cli import CommandError
    from search.engine import HIT_FIELDS, Filters, search
    from search.index import IndexError_, closed_snapshots, ensure_index, update_index
    from search.query import QueryError
    from search.timeline import timeline

    if args.query is None and args.timeline is None:
        raise CommandError("give a QUERY, or --timeline PHRASE")
    if args.query is not None and args.timeline is not None:
        raise CommandError("give either a QUERY or --timeline PHRASE, not both")
    if args.limit < 0:
        raise CommandError(f"--limit {args.limit}: expected 0 (all) or more")
    filters = Filters(types=args.type or [], portal=args.portal,
                      since=_date(args.since, "--since"), until=_date(args.until, "--until"),
                      by=args.by, snapshot=args.snapshot, limit=args.limit)
    if not (Path(args.archive) / "snapshots").is_dir():
        raise CommandError(f"no archive at {args.archive} (no snapshots/ folder)")
    if not closed_snapshots(args.archive):
        raise CommandError(f"no closed snapshot with datasets in {args.archive}")
    try:
        if args.index_dir is not None:
            path = update_index(args.archive, folder=args.index_dir).path
        else:
            path = ensure_index(args.archive)
        if args.timeline is not None:
            return _print_timeline(timeline(path, args.timeline, args.type), args.format)
        hits = search(path, args.query, filters)
    except QueryError as exc:
        raise CommandError(f"query: {exc}") from None
    except IndexError_ as exc:
        raise CommandError(str(exc)) from None
    if args.format == "json":
        out = {"query": args.query, "hits": [{k: h[k] for k in HIT_FIELDS} for h in hits]}
        print(json.dumps(out, ensure_ascii=False, indent=2))
    elif args.format == "csv":
        writer = csv.writer(sys.stdout, lineterminator="\n")
        writer.writerow(HIT_FIELDS)
        for h in hits:
            writer.writerow(["" if h[k] is None else h[k] for k in HIT_FIELDS])
    else:
        _print_table(hits)
    return 0 if hits or args.format != "table" else 1


def _print_table(hits: list[dict]) -> None:
    if not hits:
        print("no hits", file=sys.stderr)
        return
    for h in hits:
        span = h["first_snapshot"] + ("" if h["last_snapshot"] == h["first_snapshot"]
                                      else f"..{h['last_snapshot']}")
        published = (h["published_at"] or "-")[:10]
        print(f"{h['score']:7.2f}  {h['type']:<10}  {published}  {span}")
        print(f"         {h['title']}")
        print(f"         {h['url']}  ({h['warc_file']} @ {h['warc_offset']})")
        if h["snippet"]:
            print(f"         {h['snippet']}")
        print()
    print(f"{len(hits)} hit(s)", file=sys.stderr)


def _print_timeline(result: dict, fmt: str) -> int:
    items = result["items"]
    if fmt == "json":
        print(json.dumps(result, ensure_ascii=False, indent=2))
        return 0
    fields = ["type", "url", "title", "first_seen", "gone_at", "gone_reason"]
    if fmt == "csv":
        writer = csv.writer(sys.stdout, lineterminator="\n")
        writer.writerow(fields + ["evidence"])
        for i in items:
            writer.writerow([i[k] or "" for k in fields]
                            + [json.dumps(i["evidence"], ensure_ascii=False)])
        return 0
    if not items:
        print(f"no item ever held {result['phrase']!r}", file=sys.stderr)
        return 1
    for i in items:
        gone = f"gone {i['gone_at']} ({i['gone_reason']})" if i["gone_at"] else "still there"
        print(f"{i['type']:<10}  first seen {i['first_seen']}  {gone}")
        print(f"            {i['title']}")
        print(f"            {i['url']}")
        for e in i["evidence"]:
            print(f"              {e['role']:<18} {e['snapshot_id']}  {e['warc_file']} @ "
                  f"{e['warc_offset']}")
    return 0
