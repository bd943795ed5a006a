"""Capture quality of one snapshot: what an auditor should doubt before trusting it.

`snapshot_quality(archive_root, snapshot_id)` returns, for each check, a count, the number of
things checked and the worst examples (each with the URL and capture time, so a reader can open
its replay):

- `missing_requisites`: HTML pages whose images, style sheets or scripts (as linked by the
  captured HTML) were captured neither in this snapshot nor in an earlier one, so replay shows
  them broken;
- `soft_404`: HTML pages the parser recognised as a "not found" page served with a 2xx status;
- `status_regressions`: URLs that answered 200 in the previous closed snapshot and 404 / 410 /
  5xx in this one;
- `parsed_to_nothing`: HTML pages captured with status 200 that the parser recognised as
  nothing (`other`; the seeds, i.e. the home page, excepted), or as an article or document
  page that gave no row;
- `truncated`: responses with `WARC-Truncated` (cut by size, time or a dropped connection);
- `oversized`: responses whose record exceeds the crawl's DOWNLOAD_WARNSIZE (default 32 MiB);
- `lineage`: a sample of article and document rows re-parsed from the WARC record their lineage
  names; a row whose title, text, summary or number differ is a mismatch.

It reads the snapshot's CDXJ, its `pages`, `articles` and `documents` tables, and the WARC
records those name; it writes nothing. `write_quality` is the one writer: it keeps the report as
the snapshot's `reports/quality.json` when a crawl closes it (`crawl`, `nightly`); `qa` and the
browser only read, so they work on read-only archives.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from urllib.parse import urldefrag, urljoin

import pyarrow.parquet as pq
from lxml import html as lhtml

from archive.cdxj import read_cdxj
from archive.records import read_head
from archive.snapshot import SnapshotError, list_snapshots, open_snapshot
from audit.diff import normalize_text
from audit.history import CaptureRef, HistoryError, load_capture

EXAMPLES = 10
LINEAGE_SAMPLE = 20  # rows per table re-parsed from their WARC record
WARNSIZE = 32 * 1024 * 1024  # Scrapy's default DOWNLOAD_WARNSIZE
ARTICLE_CHECKED = ("title", "body_text", "summary")
DOCUMENT_CHECKED = ("number", "title", "summary")


class QualityError(Exception):
    """A snapshot that cannot be checked (unknown, not closed, no datasets); one line."""


def _check(count: int, checked: int, examples: list[dict[str, Any]]) -> dict[str, Any]:
    return {"count": count, "checked": checked, "examples": examples[:EXAMPLES]}


def _captured_urls(archive_root: Path, snapshot_id: str) -> set[str]:
    """URLs with a capture in this snapshot or an earlier closed one (what replay can show)."""
    urls: set[str] = set()
    for snap in list_snapshots(archive_root):
        if snap.snapshot_id != snapshot_id and snap.status != "closed":
            continue
        if snap.index_path.is_file():
            urls.update(line.fields.get("url") for line in read_cdxj(snap.index_path))
        if snap.snapshot_id == snapshot_id:
            break
    return urls


def _requisites(body: bytes, base: str) -> list[str]:
    """Absolute URLs of the images, style sheets and scripts an HTML page loads."""
    try:
        doc = lhtml.fromstring(body)
    except (ValueError, lhtml.etree.ParserError):
        return []
    found = []
    for el in doc.iter("img", "script", "link"):
        if el.tag == "link":
            rel = (el.get("rel") or "").lower().split()
            url = el.get("href") if ("stylesheet" in rel or "icon" in rel) else None
        else:
            url = el.get("src")
        if url and not url.strip().lower().startswith(("data:", "javascript:", "about:")):
            absolute = urldefrag(urljoin(base, url.strip()))[0]
            if absolute.startswith(("http://", "https://")) and absolute not in found:
                found.append(absolute)
    return found


def _capture_ref(row: dict[str, Any]) -> CaptureRef:
    return CaptureRef(snapshot_id=row["snapshot_id"], snapshot_status="closed",
                      timestamp=row["captured_at"].strftime("%Y%m%d%H%M%S"), url=row["url"],
                      status=row.get("status"), mime=row.get("content_type"),
                      digest=row.get("payload_digest"),
                      record_type=row.get("record_type") or "response",
                      warc_file=row["warc_file"], offset=row["warc_offset"], length=0)


def _example(row: dict[str, Any], **extra: Any) -> dict[str, Any]:
    when = row.get("captured_at")
    return {"url": row.get("url"), "captured_at": when.isoformat() if hasattr(when, "isoformat")
            else when, "status": row.get("status"), **extra}


def _html_pages(pages: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [p for p in pages if (p.get("content_type") or "").startswith("text/html")]


def _missing_requisites(root: Path, snapshot_id: str,
                        pages: list[dict[str, Any]]) -> dict[str, Any]:
    captured = _captured_urls(root, snapshot_id)
    html = [p for p in _html_pages(pages) if p.get("status") == 200]
    bad = []
    for page in html:
        try:
            body = load_capture(root, _capture_ref(page)).body
        except HistoryError:
            continue  # unreadable records are verify's business
        missing = [u for u in _requisites(body, page["url"]) if u not in captured]
        if missing:
            bad.append(_example(page, missing=missing[:5], missing_count=len(missing)))
    bad.sort(key=lambda e: -e["missing_count"])
    return _check(len(bad), len(html), bad)


def _status_regressions(root: Path, snapshot_id: str,
                        pages: list[dict[str, Any]]) -> dict[str, Any]:
    previous = None
    for snap in list_snapshots(root):
        if snap.snapshot_id == snapshot_id:
            break
        if snap.status == "closed":
            previous = snap
    if previous is None:
        return {**_check(0, 0, []), "previous": None}
    path = previous.path / "datasets" / "pages.parquet"
    if not path.is_file():
        return {**_check(0, 0, []), "previous": previous.snapshot_id}
    before = {r["url"]: r["status"] for r in
              pq.read_table(path, columns=["url", "status"]).to_pylist()}
    bad = [_example(p, before=200) for p in pages if before.get(p["url"]) == 200
           and p.get("status") is not None and (p["status"] in (404, 410) or p["status"] >= 500)]
    checked = sum(1 for p in pages if before.get(p["url"]) == 200)
    return {**_check(len(bad), checked, bad), "previous": previous.snapshot_id}


def _lineage(root: Path, snap_dir: Path, table: str, key: str,
             checked_fields: tuple[str, ...]) -> tuple[int, int, list[dict[str, Any]]]:
    from scraper.parsers import parse_page

    path = snap_dir / "datasets" / f"{table}.parquet"
    if not path.is_file():
        return 0, 0, []
    rows = pq.read_table(path, columns=[key, "page_url", "snapshot_id", "captured_at",
                                        "warc_file", "warc_offset", "payload_digest",
                                        *checked_fields])
    n = rows.num_rows
    if n == 0:
        return 0, 0, []
    step = max(1, n // LINEAGE_SAMPLE)
    sample = rows.take(list(range(0, n, step))[:LINEAGE_SAMPLE]).to_pylist()
    kind = "article" if table == "articles" else "document"
    bad = []
    for row in sample:
        ref = _capture_ref({**row, "url": row["page_url"]})
        try:
            loaded = load_capture(root, ref)
        except HistoryError as exc:
            bad.append(_example({**row, "url": row["page_url"]}, key=row[key], error=str(exc)))
            continue
        mime = next((v for k, v in loaded.headers if k.lower() == "content-type"), None)
        parsed = (parse_page(loaded.body, row["page_url"], mime) or {}).get(kind) or {}
        differs = [f for f in checked_fields
                   if normalize_text(_text(parsed.get(f))) != normalize_text(_text(row.get(f)))]
        if differs:
            bad.append(_example({**row, "url": row["page_url"]}, key=row[key], fields=differs))
    return len(bad), len(sample), bad


def _text(value: Any) -> str | None:
    return None if value is None else str(value)


def snapshot_quality(archive_root: Path | str, snapshot_id: str) -> dict[str, Any]:
    """The quality report of one closed snapshot (see the module docstring)."""
    root = Path(archive_root)
    try:
        snap = open_snapshot(root, snapshot_id)
    except SnapshotError as exc:
        raise QualityError(str(exc)) from None
    if snap.status != "closed":
        raise QualityError(f"snapshot {snapshot_id} is {snap.status}; only closed snapshots "
                           f"are checked")
    pages_path = snap.path / "datasets" / "pages.parquet"
    if not pages_path.is_file():
        raise QualityError(f"snapshot {snapshot_id} has no datasets; build them with "
                           f"`portal-archive extract`")
    pages_table = pq.read_table(pages_path)
    pages = pages_table.drop_columns(
        [c for c in ("next_page",) if c in pages_table.column_names]).to_pylist()
    html = _html_pages(pages)

    soft = [p for p in html if p.get("page_type") == "soft_404"]
    # The seeds (the home page) are the portal's entry, not items: `other` is right for them.
    seeds = {u.rstrip("/") for u in snap.manifest.get("seeds") or []}
    nothing = [p for p in html if p.get("status") == 200 and p["url"].rstrip("/") not in seeds
               and (p.get("page_type") in (None, "other")
        or (p.get("page_type") == "article" and p.get("article_id") is None)
        or (p.get("page_type") == "document_detail" and p.get("document_id") is None))]

    truncated, oversized = [], []
    warnsize = int((snap.manifest.get("settings") or {}).get("DOWNLOAD_WARNSIZE") or WARNSIZE)
    by_file: dict[str, list[Any]] = {}
    for line in read_cdxj(snap.index_path):
        by_file.setdefault(line.fields["filename"], []).append(line)
    for name, lines in by_file.items():
        with open(snap.warcs_dir / name, "rb") as fh:
            for line in lines:
                if line.length > warnsize:
                    oversized.append({"url": line.fields.get("url"),
                                      "captured_at": line.timestamp, "bytes": line.length})
                head = read_head(fh, line.offset, min(line.length, 65536))
                if head is not None and head.rec_headers.get_header("WARC-Truncated"):
                    truncated.append({"url": line.fields.get("url"),
                                      "captured_at": line.timestamp,
                                      "reason": head.rec_headers.get_header("WARC-Truncated")})
    captures = sum(len(v) for v in by_file.values())

    bad_a, n_a, ex_a = _lineage(root, snap.path, "articles", "article_id", ARTICLE_CHECKED)
    bad_d, n_d, ex_d = _lineage(root, snap.path, "documents", "document_id", DOCUMENT_CHECKED)
    return {
        "snapshot_id": snapshot_id,
        "missing_requisites": _missing_requisites(root, snapshot_id, pages),
        "soft_404": {**_check(len(soft), len(html), [_example(p) for p in soft]),
                     "rate": round(len(soft) / len(html), 4) if html else 0.0},
        "status_regressions": _status_regressions(root, snapshot_id, pages),
        "parsed_to_nothing": _check(len(nothing), len(html),
                                    [_example(p, page_type=p.get("page_type")) for p in nothing]),
        "truncated": _check(len(truncated), captures, truncated),
        "oversized": {**_check(len(oversized), captures, oversized), "limit": warnsize},
        "lineage": _check(bad_a + bad_d, n_a + n_d, ex_a + ex_d),
    }


QUALITY_REPORT = Path("reports") / "quality.json"  # inside the snapshot's directory


def write_quality(archive_root: Path | str, snapshot_id: str) -> dict[str, Any]:
    """Compute the snapshot's quality report and keep it as its reports/quality.json.

    Called when a crawl closes a snapshot (`crawl`, `nightly`). Raises `QualityError` (the
    snapshot cannot be checked) or `OSError` (the report cannot be written); the callers turn
    either into a one-line warning, since the archive itself is sound."""
    report = snapshot_quality(archive_root, snapshot_id)
    path = Path(archive_root) / "snapshots" / snapshot_id / QUALITY_REPORT
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(report, ensure_ascii=False, indent=2, default=str) + "\n",
                   encoding="utf-8")
    tmp.replace(path)  # a reader never sees half a report
    return report


def read_quality(archive_root: Path | str, snapshot_id: str) -> dict[str, Any] | None:
    """The report `write_quality` kept for this snapshot, or None (none kept, or unreadable)."""
    path = Path(archive_root) / "snapshots" / snapshot_id / QUALITY_REPORT
    try:
        report = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return report if isinstance(report, dict) and report.get("snapshot_id") == snapshot_id \
        else None


CHECKS = ("missing_requisites", "soft_404", "status_regressions", "parsed_to_nothing",
          "truncated", "oversized", "lineage")


def summary_line(report: dict[str, Any]) -> str:
    """`ID: requisites missing on N/M pages, soft-404 N/M, …` for a terminal."""
    r = report
    return (f"{r['snapshot_id']}: missing requisites on {r['missing_requisites']['count']}/"
            f"{r['missing_requisites']['checked']} pages, soft-404 {r['soft_404']['count']}/"
            f"{r['soft_404']['checked']}, status regressions "
            f"{r['status_regressions']['count']}, parsed to nothing "
            f"{r['parsed_to_nothing']['count']}, truncated {r['truncated']['count']}, "
            f"oversized {r['oversized']['count']}, lineage mismatches "
            f"{r['lineage']['count']}/{r['lineage']['checked']}")
