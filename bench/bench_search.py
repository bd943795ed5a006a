"""Benchmark: the full-text index (build rate, query latency, size) and its peer, SQLite FTS5.

A synthetic archive of `--snapshots` closed snapshots × `--rows` article rows each (default
10 × 20,000 = 200,000 items): night 0 is a full crawl; each later night re-captures 40% of the
known articles unchanged, 10% edited (one paragraph) and 50% new ones, as nightly crawls do.
Rows are written with pyarrow in the datasets' schema (articles, article_authors, images,
pages), as bench_diff.py does. Measured:

- `update_index` over every snapshot (Parquet read, hashing, folding, SQLite version table,
  tantivy inserts): rows/s and new versions/s (target ≥ 2,000 items/s);
- `search.engine.search` (limit 20, snippets included) for 60 queries of every kind (words with
  and without diacritics, phrases, prefix, OR, NOT, filters): median and p95 (target p95
  ≤ 100 ms);
- index size against the datasets' size;
- peer, same round: SQLite FTS5 (what search/ used before; contentless folded and exact
  tables) given the same version texts and the same queries (top 20 by bm25, no snippets).
  Rounds take turns (order reversed every other round).

    .venv/bin/python bench/bench_search.py [--rows 20000] [--snapshots 10] [--rounds 2]
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import shutil
import statistics
import sys
import tempfile
import time
import zlib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
from results import write_section  # noqa: E402

sys.path.insert(0, str(ROOT))

import pyarrow as pa  # noqa: E402
import pyarrow.parquet as pq  # noqa: E402

from archive.snapshot import close_snapshot, create_snapshot  # noqa: E402
from pipelines.schema import schema_for  # noqa: E402
from search.engine import Filters, search  # noqa: E402
from search.index import _SEP, update_index  # noqa: E402
from search.query import parse_query  # noqa: E402
from search.text import fold  # noqa: E402

BASE = "http://127.0.0.1:8080"
_TEXT = ("tỉnh huyện xã công tác quản lý nhà nước cán bộ đảng viên hội nghị triển khai nhiệm vụ "
         "năm kế hoạch phát triển kinh tế xã hội nông thôn mới giáo dục y tế văn hóa an ninh "
         "quốc phòng đồng bào dân tộc vùng cao biên giới chính trị cơ sở chất lượng quyết định "
         "chỉ thị thông báo bảo vệ rừng phòng cháy chữa cháy cải cách hành chính du lịch cộng "
         "đồng tuyển dụng công chức biên phòng tiêm chủng mở rộng giảm nghèo bền vững lai châu "
         "sơn hồ mường tè phong thổ tam đường than uyên tân uyên nậm nhùn sìn hồ pa tần")
WORDS = _TEXT.split()
# Rare words make selective queries, as real ones are.
RARE = [f"{w}{i}" for i in range(500) for w in ("mã", "số")]


def _words(r: random.Random, n: int) -> str:
    return " ".join(r.choice(WORDS) if r.random() > 0.01 else r.choice(RARE) for _ in range(n))


def article(k: int, version: int) -> dict:
    r = random.Random(k)
    paras = [_words(r, 60).capitalize() + "." for _ in range(5)]
    if version:
        paras[2] = _words(random.Random(-k * 100 - version), 60).capitalize() + "."
    return {"article_id": k, "url": f"{BASE}/vi/news/muc-{k % 12}/bai-{k}.html",
            "title": _words(r, 12).capitalize(), "summary": _words(r, 30).capitalize() + ".",
            "body_text": "\n".join(paras),
            "published_at": f"20{10 + k % 15}-0{1 + k % 9}-1{k % 9}T09:21:00+07:00",
            "author": f"Tác giả {k % 300}", "captions": [_words(r, 10), _words(r, 10)]}


def _table(schema: pa.Schema, rows: list[dict]) -> pa.Table:
    cols = {}
    for f in schema:
        values = [row.get(f.name) for row in rows]
        if pa.types.is_list(f.type) and not f.nullable:
            values = [v or [] for v in values]
        if not f.nullable and any(v is None for v in values):
            values = [0 if v is None else v for v in values]
        cols[f.name] = pa.array(values, f.type) if not pa.types.is_timestamp(f.type) else \
            pa.array([None if v is None else _ts(v) for v in values], f.type)
    return pa.table(cols, schema=schema)


def _ts(value: str):
    from datetime import datetime
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def build_archive(root: Path, snapshots: int, rows: int) -> tuple[int, int]:
    """Write the synthetic archive; returns (item rows, datasets bytes)."""
    rng = random.Random(7)
    known: dict[int, int] = {}  # article id → version
    next_id = 1
    total = 0
    for night in range(snapshots):
        sid = f"202611{10 + night:02d}T020000Z"
        create_snapshot(root, sid)
        captured = f"2026-11-{10 + night:02d}T02:00:00Z"
        if night == 0:
            picks = [(k, 0) for k in range(1, rows + 1)]
            next_id = rows + 1
        else:
            old = rng.sample(sorted(known), min(len(known), rows // 2))
            picks = [(k, known[k] + (i % 5 == 0)) for i, k in enumerate(old)]
            picks += [(next_id + i, 0) for i in range(rows - len(picks))]
            next_id += rows - len(old)
        arts, authors, images, pages = [], [], [], []
        for i, (k, version) in enumerate(picks):
            known[k] = version
            a = article(k, version)
            lineage = {"snapshot_id": sid, "captured_at": captured,
                       "warc_file": f"portal-{sid}-{i // 5000:05d}.warc.gz",
                       "warc_offset": 1000 + 9000 * (i % 5000),
                       "warc_record_id": f"<urn:uuid:{night:08d}-0000-4000-8000-{k:012d}>",
                       "payload_digest": f"sha1:{night}{k:031d}"}
            arts.append({**lineage, **a, "page_url": a["url"], "author_count": 1,
                         "image_count": 2})
            authors.append({**lineage, "article_id": k, "position": 0, "name": a["author"]})
            images += [{**lineage, "article_id": k, "position": j, "src": f"{a['url']}.{j}.jpg",
                        "caption": c} for j, c in enumerate(a["captions"])]
            pages.append({**lineage, "url": a["url"], "status": 200, "record_type": "response",
                          "page_type": "article", "article_id": k})
        ds = root / "snapshots" / sid / "datasets"
        ds.mkdir(parents=True, exist_ok=True)
        for name, data in (("articles", arts), ("article_authors", authors),
                           ("images", images), ("pages", pages), ("documents", [])):
            pq.write_table(_table(schema_for(name), data), ds / f"{name}.parquet")
        close_snapshot(root, sid)
        total += len(picks)
    size = sum(p.stat().st_size for p in root.glob("snapshots/*/datasets/*.parquet"))
    return total, size


def queries() -> list[tuple[str, Filters]]:
    r = random.Random(3)
    out = []
    for i in range(60):
        a, b, c = r.choice(WORDS), r.choice(WORDS), r.choice(WORDS)
        kind = i % 10
        q = {0: a, 1: fold(a), 2: f'"{a} {b}"', 3: f'"{fold(a)} {fold(b)}"',
             4: f"{a[:3]}*", 5: f"{a} OR {b}", 6: f"{a} NOT {b}", 7: r.choice(RARE),
             8: f'"{a} {b} {c}"', 9: f"title:{fold(a)} {b}"}[kind]
        f = Filters(limit=20, since="2015-01-01", by="published") if i % 7 == 0 else \
            Filters(limit=20)
        out.append((q, f))
    return out


def time_queries(index: Path) -> list[float]:
    times = []
    for q, f in queries():
        t0 = time.perf_counter()
        search(index, q, f)
        times.append((time.perf_counter() - t0) * 1000)
    return times


# -- the peer --------------------------------------------------------------------------------
def fts5_build(index_db: Path, target: Path) -> tuple[float, int]:
    """The same version texts into SQLite FTS5 (folded and exact tables, as search/ held them
    before the switch); returns (seconds, documents)."""
    import sqlite3

    rows = sqlite3.connect(index_db).execute("SELECT id, text FROM versions").fetchall()
    texts = [(vid, *zlib.decompress(blob).decode().partition(_SEP)[::2]) for vid, blob in rows]
    t0 = time.perf_counter()
    db = sqlite3.connect(target)
    for table in ("fts_fold", "fts_exact"):
        db.execute(f"CREATE VIRTUAL TABLE {table} USING fts5(title, body, content='', "
                   "tokenize='unicode61 remove_diacritics 0')")
        db.execute(f"INSERT INTO {table}({table}, rank) VALUES ('rank', 'bm25(5.0, 1.0)')")
    db.executemany("INSERT INTO fts_fold(rowid, title, body) VALUES (?, ?, ?)",
                   ((v, fold(t), fold(b)) for v, t, b in texts))
    db.executemany("INSERT INTO fts_exact(rowid, title, body) VALUES (?, ?, ?)", texts)
    db.commit()
    db.close()
    return time.perf_counter() - t0, len(texts)


def fts5_queries(target: Path) -> list[float]:
    import sqlite3

    times = []
    for q, _ in queries():
        t0 = time.perf_counter()
        db = sqlite3.connect(f"file:{target}?mode=ro", uri=True)
        parsed = parse_query(q)
        if parsed.exact_wanted:
            db.execute("SELECT rowid FROM fts_exact WHERE fts_exact MATCH ? ORDER BY rank "
                       "LIMIT 20", (parsed.fts(folded=False),)).fetchall()
        db.execute("SELECT rowid FROM fts_fold WHERE fts_fold MATCH ? ORDER BY rank LIMIT 20",
                   (parsed.fts(folded=True),)).fetchall()
        db.close()
        times.append((time.perf_counter() - t0) * 1000)
    return times


def _size(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def pct(values: list[float], p: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p * (len(values) - 1))))]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=20_000, help="article rows per snapshot")
    ap.add_argument("--snapshots", type=int, default=10)
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("--no-write", action="store_true", help="do not update docs/benchmarks.md")
    args = ap.parse_args()
    load0 = os.getloadavg()[0]
    runs = []
    with tempfile.TemporaryDirectory(prefix="bench-search-") as tmp:
        root = Path(tmp) / "archive"
        t0 = time.perf_counter()
        items, ds_size = build_archive(root, args.snapshots, args.rows)
        print(f"archive: {items} rows in {args.snapshots} snapshots, datasets "
              f"{ds_size / 1e6:.1f} MB, written in {time.perf_counter() - t0:.0f} s", flush=True)
        for rnd in range(args.rounds):
            order = ["ours", "fts5"] if rnd % 2 == 0 else ["fts5", "ours"]
            run = {}
            for who in order:
                if who == "ours":
                    shutil.rmtree(root / "index", ignore_errors=True)
                    result = update_index(root, rebuild=True)
                    run["build_s"], run["versions"] = result.seconds, result.versions
                    run["index_bytes"] = _size(root / "index")
                    run["q"] = time_queries(result.path)
                else:
                    if not (root / "index" / "search.sqlite3").exists():
                        update_index(root, rebuild=True)  # the peer reads the same texts
                    target = Path(tmp) / f"fts5-{rnd}.sqlite3"
                    run["t_build_s"], run["t_docs"] = fts5_build(
                        root / "index" / "search.sqlite3", target)
                    run["t_bytes"] = target.stat().st_size
                    run["t_q"] = fts5_queries(target)
                    target.unlink()
            runs.append(run)
            print(f"round {rnd + 1} ({' then '.join(order)}): build {run['build_s']:.1f} s "
                  f"({items / run['build_s']:.0f} rows/s, {run['versions']} versions), index "
                  f"{run['index_bytes'] / 1e6:.0f} MB, query median "
                  f"{statistics.median(run['q']):.1f} ms p95 {pct(run['q'], 0.95):.1f} ms | "
                  f"FTS5 build {run['t_build_s']:.1f} s for {run['t_docs']} versions, "
                  f"{run['t_bytes'] / 1e6:.0f} MB, query median "
                  f"{statistics.median(run['t_q']):.1f} ms p95 {pct(run['t_q'], 0.95):.1f} ms",
                  flush=True)
    load1 = os.getloadavg()[0]
    if not args.no_write:
        write_section("Search", report(args, items, ds_size, runs, load0, load1))
    return 0


def report(args, items: int, ds_size: int, runs: list[dict], load0: float,
           load1: float) -> str:
    best = min(runs, key=lambda r: r["build_s"])
    p95s = [pct(r["q"], 0.95) for r in runs]
    lines = [
        f"`bench/bench_search.py` — {time.strftime('%Y-%m-%d')}: a synthetic archive of "
        f"{args.snapshots} closed snapshots × {args.rows:,} article rows = {items:,} items "
        "(night 0 a full crawl; each later night 40% of known articles re-captured unchanged, "
        "10% edited, 50% new), articles + authors + image captions, datasets "
        f"{ds_size / 1e6:.1f} MB of Parquet. {len(runs)} rounds, our index (tantivy + SQLite) "
        "and the peer (SQLite FTS5 on the same version texts, folded and exact tables, same 60 "
        "queries) taking turns; every run listed.",
        "",
        "| round | build (s) | rows/s | new versions/s | index MB (× datasets) "
        "| query median ms | p95 ms | FTS5 build (s) | versions/s | FTS5 MB "
        "| FTS5 median ms | p95 ms |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for i, r in enumerate(runs, 1):
        lines.append(
            f"| {i} | {r['build_s']:.1f} | {items / r['build_s']:,.0f} | "
            f"{r['versions'] / r['build_s']:,.0f} | {r['index_bytes'] / 1e6:.0f} "
            f"({r['index_bytes'] / ds_size:.2f}×) | {statistics.median(r['q']):.1f} | "
            f"{pct(r['q'], 0.95):.1f} | {r['t_build_s']:.1f} | "
            f"{r['t_docs'] / r['t_build_s']:,.0f} | {r['t_bytes'] / 1e6:.0f} | "
            f"{statistics.median(r['t_q']):.1f} | {pct(r['t_q'], 0.95):.1f} |")
    build_ok = items / best["build_s"] >= 2000
    ratio = statistics.median(
        [statistics.median(r["t_q"]) / statistics.median(r["q"]) for r in runs])
    lines += [
        "",
        f"Targets: build ≥ 2,000 items/s: **{items / best['build_s']:,.0f} rows/s** best run "
        f"({'met' if build_ok else 'NOT met'}; includes reading Parquet, hashing, folding, the "
        "version table with its snapshot ranges and the withdrawals; the FTS5 column times only "
        "inserting texts already in memory); query p95 ≤ 100 ms: **"
        + ", ".join(f"{p:.1f}" for p in p95s)
        + f" ms** ({'met' if max(p95s) <= 100 else 'NOT met'}; includes opening the index, "
        "exact-accent ranking, the filters, reading 20 versions and their snippets; FTS5's "
        f"only its top-20 query). Median query time, FTS5 / ours: **{ratio:.1f}×**.",
        "",
        f"Machine: {platform.machine()}, CPython {platform.python_version()}, "
        f"{os.cpu_count()} cores shared with other jobs (load average, 1 min, at the start and "
        f"the end: {load0:.1f} and {load1:.1f}).",
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
