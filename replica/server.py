"""The loopback HTTP/1.1 server: keep-alive, Content-Length, gzip, cookies and faults.

Built on the standard library's ThreadingHTTPServer (no extra dependency; measured in
bench/bench_replica.py). `run_replica()` serves in a background thread on an ephemeral
port; `run_replica_process()` serves from a child process, so a benchmark's client does not
share the server's GIL.
"""

from __future__ import annotations

import contextlib
import gzip
import json
import socket
import struct
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import asdict
from http.cookies import SimpleCookie
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from replica import faults as faultmod
from replica.config import FaultConfig, ReplicaConfig
from replica.routes import Request
from replica.site import Site

COMPRESSIBLE = ("text/", "application/xml", "application/rss+xml", "application/javascript")
STATS_PATH = "/__replica/stats"
FILLER = (b"<p>" + "Dữ liệu lặp lại để kiểm tra phản hồi quá lớn. ".encode() * 40 + b"</p>\n")


class ReplicaServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128

    def __init__(self, address: tuple[str, int], site: Site, verbose: bool = False) -> None:
        super().__init__(address, ReplicaHandler)
        self.site = site
        self.verbose = verbose
        self._attempts: dict[tuple[str, str], int] = {}
        self._lock = threading.Lock()
        # Requests being answered now and the most at once (`GET /__replica/stats`): what the
        # server saw, so a test can measure a crawler's politeness from the server's side.
        self.in_flight = 0
        self.max_in_flight = 0
        self.served = 0

    def enter(self) -> None:
        with self._lock:
            self.in_flight += 1
            self.served += 1
            self.max_in_flight = max(self.max_in_flight, self.in_flight)

    def leave(self) -> None:
        with self._lock:
            self.in_flight -= 1

    def stats(self) -> dict[str, int]:
        with self._lock:
            return {"in_flight": self.in_flight, "max_in_flight": self.max_in_flight,
                    "served": self.served}

    def attempt(self, method: str, target: str) -> int:
        with self._lock:
            n = self._attempts.get((method, target), 0) + 1
            self._attempts[(method, target)] = n
            return n

    @property
    def base_url(self) -> str:
        host, port = self.server_address[:2]
        return f"http://{host}:{port}"


class ReplicaHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # headers and body are separate writes: avoid 40 ms stalls
    server: ReplicaServer

    def version_string(self) -> str:
        return "Apache"

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        if self.server.verbose:
            super().log_message(format, *args)

    def do_GET(self) -> None:  # noqa: N802
        self.handle_any("GET")

    def do_HEAD(self) -> None:  # noqa: N802
        self.handle_any("HEAD")

    def do_POST(self) -> None:  # noqa: N802
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        self.handle_any("POST", body)

    def handle_any(self, method: str, body: bytes = b"") -> None:
        if self.path == STATS_PATH:  # not a page of the portal, and not counted
            payload = json.dumps(self.server.stats()).encode()
            self.send(200, [("Content-Type", "application/json")], payload, method)
            return
        self.server.enter()
        self._answered = False
        try:
            self._handle(method, body)
        finally:
            self.answered()

    def answered(self) -> None:
        """The request stops counting as in flight (once): called just before the response's
        last bytes go to the socket. Counting until after that write let the GIL hand the CPU
        to the next request's thread first, so a client that had its whole answer (and sent
        its next request) still showed as in flight: 5 for a fleet held to 4, seen once in 4
        CI runs."""
        if not getattr(self, "_answered", True):  # True: not counted (the stats path)
            self._answered = True
            self.server.leave()

    def _handle(self, method: str, body: bytes) -> None:
        site = self.server.site
        cfg = site.config.faults
        attempt = self.server.attempt(method, self.path)
        if cfg.latency_ms:
            time.sleep(cfg.latency_ms / 1000)
        fault = faultmod.pick(site.config.seed, cfg, method, self.path, attempt) \
            if cfg.any else None
        if fault == "reset":
            self.reset_connection()
            return
        if fault in ("unavailable", "error"):
            status = 503 if fault == "unavailable" else 500
            text = ("<html><body><h1>Service Unavailable</h1></body></html>" if status == 503
                    else "<html><body><h1>Internal Server Error</h1></body></html>").encode()
            extra = [("Retry-After", str(cfg.retry_after))] if status == 503 else []
            self.send(status, [("Content-Type", "text/html; charset=utf-8"), *extra], text,
                      method)
            return

        cookie = SimpleCookie(self.headers.get("Cookie") or "")
        name = site.platform.session_cookie  # None: the platform sets no cookie (WordPress)
        sid = cookie[name].value if name and name in cookie else None
        known = site.session_known(sid)
        host = self.headers.get("Host") or "{}:{}".format(*self.server.server_address[:2])
        resp = site.route(Request(method, self.path, known, body), f"http://{host}")
        headers = list(site.platform.server_headers)
        if not known and name:
            headers.append(("Set-Cookie", f"{name}={site.new_session()}; path=/; HttpOnly"))
        headers += resp.headers
        if resp.stream_size:
            self.stream_oversize(resp.stream_size, headers, method)
            return
        payload, ctype = site.encode(resp)
        if fault == "wrong_charset" and "charset=" in ctype:
            ctype = ctype.split(";")[0] + "; charset=iso-8859-1"  # body stays as it was
        headers.append(("Content-Type", ctype))
        if ctype.startswith(COMPRESSIBLE):
            headers.append(("Vary", "Accept-Encoding"))
            if "gzip" in (self.headers.get("Accept-Encoding") or "") and len(payload) > 200:
                payload = gzip.compress(payload, compresslevel=5, mtime=0)
                headers.append(("Content-Encoding", "gzip"))
        if fault == "truncate":
            self.send_truncated(resp.status, headers, payload, method)
        elif fault == "slow_drip":
            self.send(resp.status, headers, payload, method, drip=True)
        else:
            self.send(resp.status, headers, payload, method)

    # ---- writers --------------------------------------------------------------------------
    def start(self, status: int, headers: list[tuple[str, str]], length: int) -> None:
        self.send_response(status)
        for k, v in headers:
            self.send_header(k, v)
        self.send_header("Content-Length", str(length))
        self.end_headers()

    def send(self, status: int, headers: list[tuple[str, str]], payload: bytes, method: str,
             drip: bool = False) -> None:
        if method == "HEAD" or not payload:
            self.answered()
        self.start(status, headers, len(payload))
        if method == "HEAD":
            return
        if not drip:
            self.answered()
            self.wfile.write(payload)
            return
        cfg = self.server.site.config.faults
        for i in range(0, len(payload), cfg.drip_chunk):
            self.wfile.write(payload[i:i + cfg.drip_chunk])
            self.wfile.flush()
            time.sleep(cfg.drip_pause_s)

    def send_truncated(self, status: int, headers: list[tuple[str, str]], payload: bytes,
                       method: str) -> None:
        # Announce more than we send, then close: the client sees a short body.
        self.start(status, headers, len(payload) + 1000)
        if method != "HEAD":
            self.wfile.write(payload[: len(payload) // 2])
            self.wfile.flush()
        self.close_connection = True

    def stream_oversize(self, size: int, headers: list[tuple[str, str]], method: str) -> None:
        headers = [*headers, ("Content-Type", "text/html; charset=utf-8")]
        self.start(200, headers, size)
        if method == "HEAD":
            return
        sent = 0
        block = FILLER * max(1, 65536 // len(FILLER))
        try:
            while sent < size:
                chunk = block[: size - sent]
                self.wfile.write(chunk)
                sent += len(chunk)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True

    def reset_connection(self) -> None:
        # SO_LINGER with a zero timeout makes close() send RST instead of FIN.
        with contextlib.suppress(OSError):
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                                       struct.pack("ii", 1, 0))
        self.close_connection = True
        with contextlib.suppress(OSError):
            self.connection.close()


def make_server(config: ReplicaConfig, port: int = 0, verbose: bool = False) -> ReplicaServer:
    return ReplicaServer(("127.0.0.1", port), Site(config), verbose=verbose)


@contextlib.contextmanager
def run_replica(config: ReplicaConfig) -> Iterator[str]:
    """Serve `config` in a background thread on an ephemeral 127.0.0.1 port; yield its URL."""
    server = make_server(config)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05},
                              daemon=True)
    thread.start()
    try:
        yield server.base_url
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def config_to_json(config: ReplicaConfig) -> str:
    return json.dumps(asdict(config))


def config_from_json(text: str) -> ReplicaConfig:
    data = json.loads(text)
    data["faults"] = FaultConfig(**data.get("faults", {}))
    return ReplicaConfig(**data)


@contextlib.contextmanager
def run_replica_process(config: ReplicaConfig, timeout: float = 60.0) -> Iterator[str]:
    """Serve `config` from a child Python process (own GIL); yield its base URL."""
    proc = subprocess.Popen([sys.executable, "-m", "replica", config_to_json(config)],
                            stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline().strip()
        if not line.startswith("http://"):
            raise RuntimeError(f"replica process did not start (got {line!r})")
        yield line
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def serve_forever(config: ReplicaConfig, port: int, verbose: bool = False) -> None:
    server = make_server(config, port, verbose)
    print(server.base_url, flush=True)
    try:
        server.serve_forever(poll_interval=0.1)
    finally:
        server.server_close()

