"""Benchmark: `diff_snapshots` on two synthetic snapshots of 50,000 articles (target ≤ 10 s).

Snapshot B differs from A by ~1% edited articles (title, body, authors, images, tags), 0.2%
removed (404 / soft-404 / not fetched), 0.4% added, and new view counters on every article
(volatile: must not count). Both are written through pipelines' DatasetWriter, as a crawl or
`extract` would. The timed part is `diff_snapshots` alone (reading Parquet included), plus the
HTML rendering. Results go to the "## Diff" section of docs/benchmarks.md.

    .venv/bin/python bench/bench_diff.py [--articles 50000] [--keep DIR] [--no-write]
"""

from __future__ import annotations

import argparse
import platform
import random
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
from results import write_section  # noqa: E402

sys.path.insert(0, str(ROOT))

from archive.snapshot import close_snapshot, create_snapshot  # noqa: E402
from audit.diff import diff_snapshots  # noqa: E402
from audit.diff_report import render_html  # noqa: E402
from pipelines.datasets import DatasetWriter  # noqa: E402

BASE = "http://127.0.0.1:8080"
A, B = "20261126T020000Z", "20261127T020000Z"
_TEXT = ("tỉnh huyện xã công tác quản lý nhà nước cán bộ đảng viên hội nghị triển khai nhiệm vụ "
         "năm kế hoạch phát triển kinh tế xã hội nông thôn mới giáo dục y tế văn hóa an ninh "
         "quốc phòng đồng bào dân tộc vùng cao biên giới chính trị cơ sở chất lượng")
WORDS = _TEXT.split()


def words(r: random.Random, n: int) -> str:
    return " ".join(r.choice(WORDS) for _ in range(n))


def parse_dict(k: int, edit: str | None = None, night: int = 0) -> dict:
    r = random.Random(k)
    url = f"{BASE}/vi/news/muc-{k % 12}/bai-{k}-{k}.html"
    paras = [words(r, 60).capitalize() + "." for _ in range(5)]
    art = {
        "article_id": k, "url": url, "title": words(r, 12).capitalize(),
        "published_at": f"20{10 + k % 15}-0{1 + k % 9}-1{k % 9}T09:21:00+07:00",
        "published_raw": None, "views": 100 + k % 997 + 13 * night, "comments": k % 5,
        "summary": words(r, 30).capitalize() + ".", "body_text": "\n".join(paras),
        "authors": [{"name": f"Tác giả {k % 300}", "organization": "Văn phòng UBND tỉnh"}],
        "source": None,
        "images": [{"src": f"{BASE}/uploads/news/{k}-{i}.jpg", "alt": None,
                    "caption": words(r, 10), "credit": f"PV{k % 40}"} for i in range(2)],
        "tags": [r.choice(WORDS) for _ in range(3)], "category": f"Mục {k % 12}",
        "breadcrumbs": ["Trang nhất", f"Mục {k % 12}"], "rating": {"score": 4.0, "votes": 3},
        "attachments": [], "related": [],
    }
    if edit == "title":
        art["title"] += " (cập nhật)"
    elif edit == "body_text":
        paras[2] = words(random.Random(-k), 60).capitalize() + "."
        art["body_text"] = "\n".join(paras)
    elif edit == "authors":
        art["authors"].append({"name": "Minh Anh", "organization": None})
    elif edit == "images":
        art["images"][0]["caption"] = "Hội nghị triển khai nhiệm vụ năm 2026"
    elif edit == "tags":
        art["tags"] = art["tags"][:1]
    return {"url": url, "page_type": "article", "article": art, "document": None,
            "listing": None, "sidebar_documents": []}


def build(root: Path, snapshot_id: str, n: int, night: int) -> tuple[int, int, int]:
    """Write one snapshot; returns (edited, removed, added) relative to night 0."""
    create_snapshot(root, snapshot_id)
    writer = DatasetWriter(root / "snapshots" / snapshot_id / "datasets", snapshot_id)
    edits = ("title", "body_text", "authors", "images", "tags")
    edited = removed = added = 0
    top = n + (n // 250 if night else 0)
    # B is written newest first, as a crawl walking listings would: rows are not in key order,
    # so the diff has to align them (no shortcut for identical order).
    order = range(top, 0, -1) if night else range(1, top + 1)
    for k in order:
        parsed = parse_dict(k, night=night)
        status = 200
        if night and k <= n:
            if k % 500 == 7:
                removed += 1
                if k % 1500 == 7:
                    continue  # not fetched at all: not_captured
                status, parsed = (404, None) if k % 1000 == 7 else (200, {
                    "url": parsed["url"], "page_type": "soft_404", "article": None,
                    "document": None, "listing": None, "sidebar_documents": []})
            elif k % 100 == 3:
                edited += 1
                parsed = parse_dict(k, edit=edits[(k // 100) % len(edits)], night=night)
        added += k > n
        writer.add({"captured_at": f"2026-11-2{6 + night}T02:00:00Z",
                    "warc_file": f"portal-2026112{6 + night}020000000-{k // 5000:05d}-x.warc.gz",
                    "warc_offset": 1000 + 9000 * (k % 5000),
                    "warc_record_id": f"<urn:uuid:{night:08d}-0000-4000-8000-{k:012d}>",
                    "payload_digest": f"sha1:{night}{k:031d}", "url": parsed and parsed["url"]
                    or f"{BASE}/vi/news/muc-{k % 12}/bai-{k}-{k}.html", "status": status,
                    "content_type": "text/html; charset=utf-8", "record_type": "response",
                    "length": 9000}, parsed)
    writer.close()
    close_snapshot(root, snapshot_id)
    return edited, removed, added


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--articles", type=int, default=50_000)
    ap.add_argument("--keep", type=Path, default=None, help="build the archive here, keep it")
    ap.add_argument("--no-write", action="store_true", help="do not update docs/benchmarks.md")
    args = ap.parse_args()

    with tempfile.TemporaryDirectory(prefix="bench-diff-") as tmp:
        root = args.keep or Path(tmp)
        t0 = time.perf_counter()
        build(root, A, args.articles, 0)
        edited, removed, added = build(root, B, args.articles, 1)
        built = time.perf_counter() - t0

        t0 = time.perf_counter()
        diff = diff_snapshots(root, A, B)
        elapsed = time.perf_counter() - t0
        t0 = time.perf_counter()
        html = render_html(diff)
        render_s = time.perf_counter() - t0

    s = diff["summary"]
    ok = (s["changed"], s["removed"], s["added"]) == (edited, removed, added)
    print(f"built 2 × {args.articles} articles in {built:.1f} s")
    print(f"diff: {elapsed:.2f} s; html: {render_s:.2f} s ({len(html) // 1024} KiB); "
          f"changed {s['changed']}/{edited}, removed {s['removed']}/{removed}, "
          f"added {s['added']}/{added}, unchanged {s['unchanged']}: "
          f"{'matches' if ok else 'DOES NOT MATCH'} the generated changes")
    if not args.no_write:
        path = write_section("Diff", f"""
`bench/bench_diff.py`: `diff_snapshots` on two synthetic snapshots of {args.articles:,}
articles written through `DatasetWriter` (B: {edited} edited articles, {removed} removed,
{added} added, every view counter changed, rows in reverse key order as a newest-first crawl
writes them). Timed: reading both snapshots' Parquet tables, aligning and comparing them, word
diffs of the changed rows. Target ≤ 10 s. The 2 cores are shared with other jobs: runs while
they were busy took up to about twice as long (6.2 s).

| articles | diff (s) | HTML render (s) | changed | removed | added | unchanged | matches truth |
|---:|---:|---:|---:|---:|---:|---:|:--:|
| {args.articles:,} | {elapsed:.2f} | {render_s:.2f} | {s['changed']} | {s['removed']} | \
{s['added']} | {s['unchanged']} | {'yes' if ok else 'NO'} |

Machine: {platform.machine()}, {platform.python_implementation()} {platform.python_version()},
2 cores shared; one process.
""")
        print(f"wrote {path}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
