"""Helpers for tests (ours and the crawler's): fetch from a running replica with http.client.

Re-exports the public API so tests can `from replica.testing import run_replica, fetch`.
"""

from __future__ import annotations

import http.client
from urllib.parse import urlsplit

from replica import FaultConfig, ReplicaConfig, Site, run_replica, run_replica_process


def fetch(base_url: str, target: str, method: str = "GET", headers: dict[str, str] | None = None,
          body: bytes | None = None, timeout: float = 10.0
          ) -> tuple[int, dict[str, str], bytes]:
    """One request on a fresh connection: (status, headers with lower-case names, body)."""
    parts = urlsplit(base_url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=timeout)
    try:
        conn.request(method, target, body=body, headers=headers or {})
        resp = conn.getresponse()
        data = resp.read()
        return resp.status, {k.lower(): v for k, v in resp.getheaders()}, data
    finally:
        conn.close()


__all__ = ["FaultConfig", "ReplicaConfig", "Site", "fetch", "run_replica", "run_replica_process"]
