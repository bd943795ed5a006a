"""Did a crawl archive the portal? `ok`, `degraded` or `failed`, with the reason in one line.

A crawl that reached its end is not necessarily a snapshot of the portal: against a host that
cannot be resolved, refuses connections, times out or answers 5xx to everything, Scrapy
finishes normally with nothing but errors. Such a snapshot is `failed`: kept with its log and
WARCs as evidence of the outage, but never a dedup source, diff base or freshness source
(archive.snapshot.close_snapshot gives it that status). A crawl where pages answered but more
than `PORTAL_DEGRADED_ERROR_RATIO` of the requested URLs failed is `degraded`: a closed,
usable snapshot whose counts say what is missing.

What counts, per URL of the portal (robots.txt aside: it is the crawler's, not the portal's
content): *answered* if any capture of it has a status below 500 (404 is an answer), *failed*
if every capture is 5xx (after the retries), and every request that ended without a response
(the spider's errback) is one failure of its kind. Requests refused by robots.txt are not
failures.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from archive.cdxj import read_cdxj

# The stats the spider's errback counts failures under: portal/fetch_errors/<kind>.
ERROR_STAT_PREFIX = "portal/fetch_errors/"
# Default share of failed URLs above which a snapshot is degraded (Scrapy setting).
DEFAULT_DEGRADED_ERROR_RATIO = 0.5
# Kinds of request failure, in the words of the one-line summary.
KIND_TEXT = {
    "dns": "DNS lookup failed",
    "refused": "connection refused",
    "timeout": "timed out",
    "reset": "connection lost",
    "tls": "TLS handshake failed",
}
IGNORED = "ignored"


def failure_kind(exc: BaseException) -> str:
    """The kind of a request failure: dns, refused, timeout, reset, tls, ignored, or its class.

    Scrapy 2.13+ raises its own exceptions (CannotResolveHostError…) from Twisted's; older
    versions let Twisted's through. Both are recognised, and a generic one by its cause.
    """
    from scrapy import exceptions as sx
    from twisted.internet import error
    from twisted.web.client import ResponseFailed

    def scrapy_error(name: str) -> tuple[type, ...]:
        found = getattr(sx, name, None)  # absent before Scrapy 2.13
        return (found,) if found else ()

    kinds: list[tuple[str, tuple[type, ...]]] = [
        (IGNORED, (sx.IgnoreRequest,)),
        ("dns", (error.DNSLookupError, *scrapy_error("CannotResolveHostError"))),
        ("refused", (error.ConnectionRefusedError,
                     *scrapy_error("DownloadConnectionRefusedError"))),
        ("timeout", (error.TimeoutError, error.TCPTimedOutError,
                     *scrapy_error("DownloadTimeoutError"))),
    ]
    for kind, types in kinds:
        if isinstance(exc, types):
            return kind
    if type(exc).__module__.startswith("OpenSSL") or "SSL" in type(exc).__name__:
        return "tls"
    # Generic wrappers: the real reason is their cause, or (Twisted) a list of failures.
    causes = [exc.__cause__] if exc.__cause__ is not None else []
    if isinstance(exc, ResponseFailed):
        causes += [r.value for r in getattr(exc, "reasons", None) or []]
    for cause in causes:
        kind = failure_kind(cause)
        if kind in KIND_TEXT:
            return kind
    lost = (ResponseFailed, error.ConnectionLost, error.ConnectionDone, ConnectionResetError,
            *scrapy_error("ResponseDataLossError"), *scrapy_error("DownloadFailedError"))
    if isinstance(exc, lost):
        return "reset"
    return type(exc).__name__


def degraded_ratio(value: Any) -> float:
    """The PORTAL_DEGRADED_ERROR_RATIO setting, checked: a number in (0, 1]."""
    try:
        ratio = float(value)
    except (TypeError, ValueError):
        raise ValueError(f"PORTAL_DEGRADED_ERROR_RATIO must be a number between 0 and 1, "
                         f"not {value!r}") from None
    if not 0 < ratio <= 1:
        raise ValueError(f"PORTAL_DEGRADED_ERROR_RATIO must be above 0 and at most 1, "
                         f"not {ratio}")
    return ratio


def _is_robots(url: str) -> bool:
    return urlsplit(url).path == "/robots.txt"


def assess(index_path: Path, crawl_stats: dict[str, Any], host: str,
           threshold: float = DEFAULT_DEGRADED_ERROR_RATIO) -> dict[str, Any]:
    """The health of a finished crawl, from its CDXJ index and its Scrapy stats.

    Returns `{status, reason, urls, answered, failed, error_ratio, threshold, errors}` where
    `errors` counts failures by what happened (`answered 503`, `connection refused`…) and
    `reason` is the one-line summary (`<host>: unreachable: connection refused`), '' when ok.
    """
    best: dict[str, int] = {}  # url → lowest status captured
    for line in read_cdxj(index_path):
        url, status = line.fields.get("url"), str(line.fields.get("status") or "")
        if not url or not status.isdigit() or _is_robots(url):
            continue
        best[url] = min(best.get(url, 999), int(status))
    answered = sum(1 for s in best.values() if s < 500)
    errors: Counter[str] = Counter()
    for status in best.values():
        if status >= 500:
            errors[f"answered {status}"] += 1
    for key, count in crawl_stats.items():
        if key.startswith(ERROR_STAT_PREFIX) and count:
            kind = key[len(ERROR_STAT_PREFIX):]
            if kind != IGNORED:
                errors[KIND_TEXT.get(kind, kind)] += int(count)
    failed = sum(errors.values())
    urls = answered + failed
    ratio = failed / urls if urls else 1.0
    health: dict[str, Any] = {
        "status": "ok", "reason": "", "urls": urls, "answered": answered, "failed": failed,
        "error_ratio": round(ratio, 4), "threshold": threshold,
        "errors": dict(errors.most_common()),
    }
    if answered == 0:
        health.update(status="failed", reason=f"{host}: unreachable: {_why_nothing(errors)}")
    elif ratio > threshold:
        detail = ", ".join(f"{n} {what}" for what, n in errors.most_common())
        health.update(status="degraded",
                      reason=(f"{host}: degraded: {failed} of {urls} URLs failed "
                              f"({ratio:.0%}, threshold {threshold:.0%}): {detail}"))
    return health


def _why_nothing(errors: Counter[str]) -> str:
    """Why no URL answered, in a few words (the most common failure first)."""
    if not errors:
        return "no request was made"
    statuses = sorted({k.split()[1] for k in errors if k.startswith("answered ")})
    if len(statuses) == len(errors):  # only 5xx answers
        if len(statuses) == 1:
            return f"every request answered {statuses[0]}"
        return f"every request answered 5xx ({', '.join(statuses)})"
    if len(errors) == 1:
        (what,) = errors
        return "every request timed out" if what == "timed out" else what
    return ", ".join(f"{n} {what}" for what, n in errors.most_common())
