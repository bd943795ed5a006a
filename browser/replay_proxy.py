"""Replay for a browser on another machine: pywb stays on 127.0.0.1, and a token-checking proxy
serves it on the app's address (`serve --host H`), on a port of its own.

Its own port, so its own origin: archived scripts still run apart from the app's pages (the
reason replay is never proxied through the app itself). The token is the app's: the browser
holds it as the app's cookie (HttpOnly, SameSite=Strict), which it also sends to another port
of the same host (cookies are per host, not per port), so the replay frame and every archived
requisite carry it; a request without it is 401, and only GET and HEAD go through.

The forwarding is Werkzeug's `ProxyMiddleware` (Flask's own HTTP library). The Host header is
passed on unchanged, so the links pywb writes into a replayed page name the address the browser
used, not pywb's loopback one; the path is passed on as the browser sent it (still
percent-encoded), so a URL with non-ASCII or escaped characters reaches pywb unchanged.
"""

from __future__ import annotations

import hmac
import threading
from collections.abc import Callable, Iterable
from typing import Any

from werkzeug.http import parse_cookie
from werkzeug.middleware.http_proxy import ProxyMiddleware
from werkzeug.serving import make_server
from werkzeug.wrappers import Response

TOKEN_COOKIE = "pa_token"  # the app's cookie (browser.app.TOKEN_COOKIE)


def _given_token(environ: dict[str, Any]) -> str | None:
    auth = environ.get("HTTP_AUTHORIZATION") or ""
    if auth.lower().startswith("bearer "):
        return auth[7:].strip()
    return parse_cookie(environ.get("HTTP_COOKIE", "")).get(TOKEN_COOKIE)


def replay_proxy(pywb_base: str, token: str) -> Callable:
    """A WSGI app: the token check, then pywb at `pywb_base` (http://127.0.0.1:PORT)."""
    forward = ProxyMiddleware(
        lambda environ, start: Response("not found", 404)(environ, start),
        {prefix: {"target": pywb_base, "host": None, "remove_prefix": False}
         for prefix in ("/archive", "/static")})  # the collection and pywb's own scripts

    def app(environ: dict[str, Any], start_response: Callable) -> Iterable[bytes]:
        if environ["REQUEST_METHOD"] not in ("GET", "HEAD"):
            return Response("method not allowed", 405)(environ, start_response)
        given = _given_token(environ)
        if not given or not hmac.compare_digest(given.encode(), token.encode()):
            return Response("a token is required (open the archive browser's address with "
                            "?token= first)", 401)(environ, start_response)
        # The path as the browser sent it (Werkzeug's server keeps it in REQUEST_URI): the
        # middleware re-quotes PATH_INFO, which WSGI has already decoded.
        raw = environ.get("REQUEST_URI") or environ.get("RAW_URI")
        if raw and raw.startswith("/"):
            environ = {**environ, "PATH_INFO": raw.split("?", 1)[0]}
        return forward(environ, start_response)

    return app


class ReplayProxyServer:
    """`replay_proxy` served threaded on (host, port) in a background thread."""

    def __init__(self, host: str, port: int, pywb_base: str, token: str) -> None:
        self.server = make_server(host, port, replay_proxy(pywb_base, token), threaded=True)
        self.port = self.server.server_port
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        self._thread = threading.Thread(target=self.server.serve_forever, name="replay-proxy",
                                        daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        if self._thread is not None:
            self._thread.join(10)
