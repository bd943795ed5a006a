"""`portal-archive detect URL`: which platform a portal runs, the evidence, and a starter
site profile (printed as TOML: the evidence in comments, so the output is a profile file)."""

from __future__ import annotations

import argparse
import sys
import urllib.error
import urllib.request
from urllib.parse import urljoin, urlsplit

NAME = "detect"
ARCHIVE_USE = None  # --archive is not used (portal_archive.errors)
HELP = "detect a portal's platform from its home page, robots.txt and sitemap; print a " \
       "starter site profile"

USER_AGENT = "portal-archive-detect (+https://github.com/; archival crawler)"
MAX_BYTES = 5 * 1024 * 1024


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("url", help="the portal's home page, e.g. https://soyte.laichau.gov.vn/")
    parser.add_argument("--timeout", type=float, default=20.0, metavar="S",
                        help="seconds per request (default 20)")
    parser.add_argument("--output", metavar="FILE",
                        help="write the starter profile to FILE instead of stdout")


def _get(url: str, timeout: float) -> tuple[bytes, str | None, str]:
    """(body, content type, final URL); raises OSError / urllib errors."""
    request = urllib.request.Request(url, headers={"User-Agent": USER_AGENT})
    with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310 (http only)
        return (response.read(MAX_BYTES), response.headers.get("Content-Type"),
                response.geturl())


def _optional(url: str, timeout: float) -> str | None:
    from scraper.parsers.text import decode_html

    try:
        body, ctype, _ = _get(url, timeout)
    except (OSError, urllib.error.URLError, ValueError):
        return None
    return decode_html(body, ctype)[0]


def starter_profile(url: str, platform: str, sitemaps: list[str]) -> str:
    """A site profile that extends the detected platform's profile."""
    host = urlsplit(url).hostname or ""
    seeds = [url] + [s for s in sitemaps if s != url]
    lines = [
        "[profile]",
        f'name = "{host}"',
        f'platform = "{platform}"',
        f'extends = "{platform}"',
        f'description = "Starter profile for {host}: review the rules against saved pages '
        'with `portal-archive profile check`"',
        "",
        "[site]",
        "seeds = [" + ", ".join(f'"{s}"' for s in seeds) + "]",
        f'hosts = ["{host}"]',
        "",
        "# Site-specific selectors go below; every key is optional and overrides the",
        f"# {platform} profile's value (see docs/profiles.md), e.g.:",
        "# [article]",
        '# title = ["h1.post-title"]',
        '# published = [".post-date"]',
        "",
    ]
    return "\n".join(lines)


def run(args: argparse.Namespace) -> int:
    from portal_archive.cli import CommandError
    from scraper.parsers.detect import detect
    from scraper.parsers.text import decode_html

    url = args.url
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise CommandError(f"{url!r} is not an http(s) URL")
    try:
        body, ctype, final = _get(url, args.timeout)
    except urllib.error.HTTPError as exc:
        raise CommandError(f"{url}: the portal answered HTTP {exc.code}") from None
    except (OSError, urllib.error.URLError, ValueError) as exc:
        reason = getattr(exc, "reason", exc)
        raise CommandError(f"{url}: portal unreachable ({reason})") from None
    text = decode_html(body, ctype)[0]
    robots = _optional(urljoin(final, "/robots.txt"), args.timeout)
    sitemaps = [urljoin(final, line.split(":", 1)[1].strip())
                for line in (robots or "").splitlines() if line.lower().startswith("sitemap:")]
    sitemap_url = sitemaps[0] if sitemaps else urljoin(final, "/sitemap.xml")
    sitemap = _optional(sitemap_url, args.timeout)
    found = detect(text, final, {"robots": robots or "", "sitemap": sitemap or ""})
    header = [
        f"# portal-archive detect {url}",
        f"# platform: {found.platform} (score {found.score})",
        *(f"#   evidence: {e}" for e in found.evidence),
        "# scores: " + ", ".join(f"{p} {s}" for p, s in found.scores.items()),
        f"# robots.txt: {'read' if robots is not None else 'not available'}; "
        f"sitemap {sitemap_url}: {'read' if sitemap is not None else 'not available'}",
        "",
    ]
    output = "\n".join(header) + starter_profile(
        final, found.platform, [sitemap_url] if sitemap is not None else [])
    if args.output:
        try:
            with open(args.output, "w", encoding="utf-8") as handle:
                handle.write(output)
        except OSError as exc:
            raise CommandError(f"{args.output}: cannot write ({exc.strerror or exc})") from None
        print(f"{found.platform}: starter profile written to {args.output}", file=sys.stderr)
    else:
        sys.stdout.write(output)
    return 0
