"""`portal-archive replica`: serve the local NukeViet portal, list its URLs, or print the
ground truth of what changed between two nights."""

from __future__ import annotations

import argparse
import json
import sys

NAME = "replica"
ARCHIVE_USE = None  # --archive is not used (portal_archive.errors)
HELP = "serve the local NukeViet 4.x portal replica on 127.0.0.1 (or list URLs / changes)"


def _rate(text: str) -> float:
    value = float(text)
    if not 0.0 <= value <= 1.0:
        raise argparse.ArgumentTypeError("a rate must be between 0 and 1")
    return value


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--port", type=int, default=8080, help="TCP port (0: any free port)")
    parser.add_argument("--articles", type=int, default=200, help="articles at night 0")
    parser.add_argument("--documents", type=int, default=None,
                        help="legal documents at night 0 (default: articles//7 + 4)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--night", type=int, default=0, help="time travel: night K >= 0")
    parser.add_argument("--theme", default="custom2015",
                        choices=["custom2015", "default40", "egov45"])
    parser.add_argument("--platform", default="nukeviet", metavar="NAME",
                        help="the CMS to imitate: nukeviet (default), upload-portal, wordpress, "
                             "custom, liferay, sharepoint, dotnetnuke (--theme: nukeviet only)")
    parser.add_argument("--nfd-rate", type=_rate, default=0.1,
                        help="share of HTML pages served NFD-decomposed (default 0.1)")
    parser.add_argument("--cp1258-rate", type=_rate, default=0.0,
                        help="share of HTML pages served as windows-1258 (default 0)")
    parser.add_argument("--verbose", action="store_true", help="log every request")
    g = parser.add_argument_group("faults (off by default; deterministic per seed, URL, attempt)")
    g.add_argument("--latency-ms", type=int, default=0, metavar="N")
    g.add_argument("--error-rate", type=_rate, default=0.0, metavar="P", help="HTTP 500")
    g.add_argument("--unavailable-rate", type=_rate, default=0.0, metavar="P",
                   help="HTTP 503 with Retry-After")
    g.add_argument("--reset-rate", type=_rate, default=0.0, metavar="P",
                   help="connection reset")
    g.add_argument("--truncate-rate", type=_rate, default=0.0, metavar="P",
                   help="Content-Length larger than the body, then close")
    g.add_argument("--slow-drip-rate", type=_rate, default=0.0, metavar="P",
                   help="body sent in small chunks with pauses")
    g.add_argument("--wrong-charset-rate", type=_rate, default=0.0, metavar="P",
                   help="charset header says iso-8859-1 while the body is UTF-8")
    g.add_argument("--redirect-loop", action="store_true", help="serve /vi/loop/ ↔ /vi/loop-b/")
    g.add_argument("--oversize", action="store_true", help="serve a 50 MB /vi/oversize/")
    out = parser.add_mutually_exclusive_group()
    out.add_argument("--list-urls", action="store_true",
                     help="print every canonical URL (absolute, for --port) and exit")
    out.add_argument("--changes", nargs=2, type=int, metavar=("A", "B"),
                     help="print the ground truth of changes from night A to night B as JSON")
    out.add_argument("--attachments", action="store_true",
                     help="print the ground truth of the attachments (text, key sentences of "
                          "scans, why broken ones cannot be read) as JSON")


def run(args: argparse.Namespace) -> int:
    from portal_archive.cli import CommandError
    from replica import FaultConfig, ReplicaConfig, Site
    from replica.server import make_server

    try:
        faults = FaultConfig(
            latency_ms=args.latency_ms, error_rate=args.error_rate,
            unavailable_rate=args.unavailable_rate, reset_rate=args.reset_rate,
            truncate_rate=args.truncate_rate, slow_drip_rate=args.slow_drip_rate,
            wrong_charset_rate=args.wrong_charset_rate, redirect_loop=args.redirect_loop,
            oversize=args.oversize)
        config = ReplicaConfig(articles=args.articles, documents=args.documents, seed=args.seed,
                               night=args.night, theme=args.theme, faults=faults,
                               nfd_rate=args.nfd_rate, cp1258_rate=args.cp1258_rate,
                               platform=args.platform)
    except ValueError as exc:
        raise CommandError(str(exc)) from exc
    if args.latency_ms < 0:
        raise CommandError("--latency-ms must be >= 0")
    base = f"http://127.0.0.1:{args.port}"
    if args.list_urls:
        for url in Site(config).canonical_urls(base):
            print(url)
        return 0
    if args.changes:
        a, b = args.changes
        if a < 0 or b < 0 or a > b:
            raise CommandError("--changes A B needs 0 <= A <= B")
        json.dump(Site(config).changes(a, b, base), sys.stdout, ensure_ascii=False, indent=1)
        print()
        return 0
    if args.attachments:
        json.dump(Site(config).attachments(base), sys.stdout, ensure_ascii=False, indent=1)
        print()
        return 0
    try:
        server = make_server(config, args.port, verbose=args.verbose)
    except OSError as exc:
        raise CommandError(f"cannot listen on 127.0.0.1:{args.port}: {exc.strerror}") from exc
    print(f"replica serving {server.base_url}/ (articles={args.articles}, seed={args.seed}, "
          f"night={args.night}, platform={args.platform}, theme={args.theme}); Ctrl-C to stop",
          flush=True)
    try:
        server.serve_forever(poll_interval=0.2)
    finally:
        server.server_close()
    return 0
