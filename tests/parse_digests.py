"""Digests of `parse_page` on every fixture page and every replica page (all platforms).

A speed change to the parsers must not change a single output field. This module renders
every canonical URL of a small replica of each platform (seed 1, NFD and windows-1258 pages
on), parses every fixture page under tests/pages/, and keeps one SHA-256 of the canonical
JSON per page. tests/test_parse_digests.py compares against tests/data/parse_digests.json;
after an intended output change, rewrite it with

    .venv/bin/python tests/parse_digests.py --write
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from test_parsers_fixtures import all_fixtures  # noqa: E402 - tests/ is this script's folder

from replica import PLATFORMS, ReplicaConfig, Site  # noqa: E402
from scraper.parsers import parse_page  # noqa: E402

STORED = ROOT / "tests" / "data" / "parse_digests.json"
BASE = "http://127.0.0.1:8080"


def _digest(result: dict) -> str:
    data = json.dumps(result, sort_keys=True, ensure_ascii=False).encode("utf-8")
    return hashlib.sha256(data).hexdigest()[:16]


def fixture_pages() -> list[tuple[str, bytes, str, str | None]]:
    return [(f"pages/{f.name}", f.body, f.url, f.content_type) for f in all_fixtures()]


def replica_pages(platform: str) -> list[tuple[str, bytes, str, str | None]]:
    site = Site(ReplicaConfig(platform=platform, articles=24, seed=1, nfd_rate=0.2,
                              cp1258_rate=0.1))
    pages = []
    for url in site.canonical_urls():
        status, headers, body = site.render(url, base=BASE)
        if status == 200 and "html" in headers.get("Content-Type", ""):
            pages.append((f"{platform}{url}", body, BASE + url, headers["Content-Type"]))
    return pages


def digests() -> dict[str, str]:
    out = {}
    pages = fixture_pages()
    for platform in PLATFORMS:
        pages += replica_pages(platform)
    for name, body, url, ctype in pages:
        out[name] = _digest(parse_page(body, url, ctype))
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--write", action="store_true", help="rewrite the stored digests")
    args = ap.parse_args()
    now = digests()
    if args.write:
        STORED.write_text(json.dumps(now, indent=0, sort_keys=True) + "\n", encoding="utf-8")
        print(f"wrote {len(now)} digests to {STORED.relative_to(ROOT)}")
        return 0
    stored = json.loads(STORED.read_text(encoding="utf-8"))
    changed = sorted(k for k in set(now) | set(stored) if now.get(k) != stored.get(k))
    print(f"{len(now)} pages, {len(changed)} changed", *changed[:20], sep="\n")
    return 1 if changed else 0


if __name__ == "__main__":
    sys.exit(main())
