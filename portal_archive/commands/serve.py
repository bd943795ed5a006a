"""`portal-archive serve`: the archive browser (`browser/`) and its replay (pywb), read-only.

The app binds 127.0.0.1 unless told otherwise; on any other address it requires a token
(`--token`, `$PORTAL_ARCHIVE_TOKEN`, else one is generated and printed in the address to open).
pywb runs as its own process on a free loopback port over the archive's closed snapshots; with
a non-loopback `--host` it is also served on that address, on a port of its own, behind the
same token (browser/replay_proxy.py).
"""

from __future__ import annotations

import argparse
import os
import secrets
import signal
import socket
import sys

NAME = "serve"
ARCHIVE_USE = "read"  # the archive must exist (portal_archive.errors)
HELP = "browse the archive in a web browser: snapshots, items, URL histories, diffs, replay"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--host", default="127.0.0.1",
                        help="address to bind (default 127.0.0.1; any other requires a token)")
    parser.add_argument("--port", type=int, default=8500, help="port (default 8500)")
    parser.add_argument("--token", default=None,
                        help="access token for a non-loopback bind (default: "
                             "$PORTAL_ARCHIVE_TOKEN, else a random one, printed)")
    parser.add_argument("--no-replay", action="store_true",
                        help="do not start pywb (archived pages are then not replayed)")
    parser.add_argument("--replay-port", type=int, default=0, metavar="N",
                        help="with a non-loopback --host: the port replay is served on, on the "
                             "same address, behind the same token (default: a free one, "
                             "printed)")
    parser.add_argument("--no-verify", action="store_true",
                        help="do not run the fixity check of each snapshot in the background")
    parser.add_argument("--portal", metavar="NAME",
                        help="open at this portal's page (its snapshots night by night); the "
                             "rest of the archive stays browsable (docs/portals.md)")


def run(args: argparse.Namespace) -> int:
    from werkzeug.serving import make_server

    from browser.app import create_app, is_loopback
    from browser.replay import ReplayError, ReplayServer
    from portal_archive.cli import CommandError

    if not (args.archive / "snapshots").is_dir():
        raise CommandError(f"{args.archive} holds no snapshots (give the archive with "
                           f"--archive DIR)")
    start_path = _portal_page(args.archive, args.portal) if args.portal else ""
    if not 0 <= args.port <= 65535:
        raise CommandError(f"--port {args.port}: not a port number")
    token = None
    if not is_loopback(args.host):
        token = args.token or os.environ.get("PORTAL_ARCHIVE_TOKEN") or secrets.token_urlsafe(24)
    # Werkzeug reports a busy port on stderr in two lines and exits; ask the socket first.
    try:
        family = socket.getaddrinfo(args.host, args.port)[0][0]
        with socket.socket(family) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            probe.bind((args.host, args.port))
    except OSError as exc:
        raise CommandError(f"cannot listen on {args.host}:{args.port}: "
                           f"{exc.strerror or exc}") from None
    if not 0 <= args.replay_port <= 65535:
        raise CommandError(f"--replay-port {args.replay_port}: not a port number")
    server = make_server(args.host, args.port, None, threaded=True)
    port = server.server_port
    replay = None if args.no_replay else ReplayServer(args.archive)
    public = None  # pywb served on --host for other machines (browser/replay_proxy.py)
    signal.signal(signal.SIGTERM, _interrupt)  # stop pywb too when asked to terminate
    try:
        if replay is not None:
            try:
                replay.start()
            except ReplayError as exc:
                raise CommandError(str(exc)) from None
            if token is not None:
                from browser.replay_proxy import ReplayProxyServer

                try:  # Werkzeug's server would print two lines and exit on a busy port
                    _probe(args.host, args.replay_port)
                except OSError as exc:
                    raise CommandError(f"cannot listen on {args.host}:{args.replay_port} for "
                                       f"replay: {exc.strerror or exc}") from None
                public = ReplayProxyServer(args.host, args.replay_port, replay.base_url, token)
                public.start()
        app = create_app(args.archive, replay_base=replay.base_url if replay else None,
                         host=args.host, port=port, token=token, verify=not args.no_verify,
                         replay_port=public.port if public else None)
        server.app = app
        shown = f"[{args.host}]" if ":" in args.host else args.host
        address = f"http://{shown}:{port}/{start_path}" + (f"?token={token}" if token else "")
        print(f"archive browser on {address}", flush=True)
        if public is not None:
            print(f"replay (pywb) on http://{shown}:{public.port}/archive/ (the same token; "
                  f"pywb itself on {replay.base_url})", flush=True)
        elif replay is not None:
            print(f"replay (pywb) on {replay.base_url}/archive/", flush=True)
        print("press Ctrl-C to stop", file=sys.stderr, flush=True)
        try:
            server.serve_forever()
        except KeyboardInterrupt:
            pass
        finally:
            server.server_close()
            app.extensions["cleanup"]()
    finally:
        if public is not None:
            public.stop()
        if replay is not None:
            replay.stop()
    return 0


def _portal_page(archive, portal: str) -> str:
    """The browser's path of a registry portal's page, or one line naming the portals there
    are."""
    from urllib.parse import quote

    from archive.snapshot import list_snapshots, snapshot_portal
    from portal_archive.cli import CommandError

    snaps = list_snapshots(archive, portal)
    if not snaps:
        known = sorted({snapshot_portal(s.manifest) for s in list_snapshots(archive)})
        raise CommandError(f"no snapshots of portal {portal!r} in {archive} (portals: "
                           f"{', '.join(known) or 'none'})")
    return f"portal/{quote(portal, safe='')}"


def _probe(host: str, port: int) -> None:
    """OSError if (host, port) cannot be bound."""
    family = socket.getaddrinfo(host, port)[0][0]
    with socket.socket(family) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        probe.bind((host, port))


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt
