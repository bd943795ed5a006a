"""Attachment text: OCR seconds per page, and `extract` on a one-file snapshot with 1 and 2 jobs.

1. OCR: the replica's scanned pages (Pillow-drawn Vietnamese text, one page each) read by
   `pipelines.attachment_text.read_attachment` with one OCR thread, against the same texts as
   text-layer PDFs (the peer, measured in the same run); runs take turns, every run listed.
2. Extract: crawls a replica (default 1500 articles; 300 hold 46 documents, 3 of them scans)
   into one
   WARC file, then times `extract_warcs` over that one file with jobs=1 and jobs=2 (the file is
   shared out by its CDXJ offsets), taking turns, `--repeat` runs each; reports the best and
   every run. Target (issue 16): 2 jobs >= 1.6x one job.

Results go to the "## Attachment text" section of docs/benchmarks.md.

    .venv/bin/python bench/bench_attachments.py [--articles 1500] [--repeat 3] [--no-write]
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT / "bench"))

from e2e import crawl, replica_args, replica_process, snapshot_ids, warc_paths  # noqa: E402
from results import write_section  # noqa: E402

from pipelines.attachment_text import TextOptions, read_attachment  # noqa: E402
from pipelines.extract import extract_warcs  # noqa: E402
from replica import ReplicaConfig, Site  # noqa: E402
from replica import attachments as files  # noqa: E402
from replica.routes import document_text  # noqa: E402


def ocr_runs(pages: int, repeat: int) -> tuple[list[float], list[float]]:
    """Seconds per page: OCR of scans, and the text layer of the same texts, taking turns."""
    model = Site(ReplicaConfig(articles=pages * 112)).model
    texts = [document_text(model.document(k))[:2] for k in range(1, pages + 1)]
    scans = [files.scan_pdf(t, lines) for t, lines in texts]
    layers = [files.text_pdf(t, lines) for t, lines in texts]
    one = TextOptions(ocr_jobs=1)
    read_attachment(layers[0], "http://x/a.pdf", "application/pdf")  # warm-up (imports)
    ocr, layer = [], []
    for _ in range(repeat):
        t0 = time.perf_counter()
        for body in scans:
            assert read_attachment(body, "http://x/a.pdf", "application/pdf", one)["ocr_pages"]
        ocr.append((time.perf_counter() - t0) / pages)
        t0 = time.perf_counter()
        for body in layers:
            read_attachment(body, "http://x/a.pdf", "application/pdf", one)
        layer.append((time.perf_counter() - t0) / pages)
    return ocr, layer


def extract_runs(articles: int, repeat: int, work: Path) -> tuple[dict, list[float], list[float]]:
    archive = work / "archive"
    with replica_process(*replica_args(articles=articles, seed=3)) as base:
        t0 = time.perf_counter()
        crawl(base, archive)
        crawl_s = time.perf_counter() - t0
    (sid,) = snapshot_ids(archive)
    warcs = warc_paths(archive, sid)
    assert len(warcs) == 1, warcs
    info = {"crawl_s": crawl_s, "warc_mb": warcs[0].stat().st_size / 1e6}
    one, two = [], []
    for _ in range(repeat):
        for jobs, runs in ((1, one), (2, two)):
            out = work / f"out-{jobs}"
            shutil.rmtree(out, ignore_errors=True)
            t0 = time.perf_counter()
            result = extract_warcs(warcs, sid, archive_root=archive, out_dir=out, jobs=jobs,
                                   progress=False)
            runs.append(time.perf_counter() - t0)
            info["captures"] = result.captures
            info["attachment_texts"] = result.counts["attachment_texts"]
    return info, one, two


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--articles", type=int, default=1500)
    ap.add_argument("--pages", type=int, default=4, help="scanned pages for the OCR timing")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--no-write", action="store_true")
    args = ap.parse_args()

    load0 = os.getloadavg()[0]
    ocr, layer = ocr_runs(args.pages, args.repeat)
    with tempfile.TemporaryDirectory(prefix="bench-attachments-") as tmp:
        info, one, two = extract_runs(args.articles, args.repeat, Path(tmp))
    load1 = os.getloadavg()[0]

    def fmt(xs: list[float]) -> str:
        return ", ".join(f"{x:.2f}" for x in xs)

    ratio = min(one) / min(two)
    body = f"""`bench/bench_attachments.py`, {time.strftime('%Y-%m-%d')}.

OCR (`pipelines.attachment_text.read_attachment`, Tesseract `-l vie` at 300 dpi, one OCR
thread) on {args.pages} scanned one-page PDFs of the replica (about 15 lines of Vietnamese
each), against the text layer of PDFs with the same texts, taking turns, {args.repeat} runs:

| read | best s/page | runs (s/page) |
|---|---:|---|
| OCR of a scanned page | {min(ocr):.2f} | {fmt(ocr)} |
| text layer (pypdfium2) | {min(layer):.3f} | {', '.join(f'{x:.3f}' for x in layer)} |

`extract` on a one-file snapshot: a replica of {args.articles} articles crawled into one WARC
({info['warc_mb']:.1f} MB, {info['captures']} captures, {info['attachment_texts']} attachment
texts, OCR included), `extract_warcs` with jobs=1 and jobs=2 taking turns, {args.repeat} runs
each (jobs=2 cuts the file by its CDXJ offsets):

| jobs | best s | runs (s) |
|---:|---:|---|
| 1 | {min(one):.2f} | {fmt(one)} |
| 2 | {min(two):.2f} | {fmt(two)} |

2 jobs / 1 job: **{ratio:.2f}x** (target >= 1.6x).

Machine: {platform.machine()}, CPython {platform.python_version()}, {os.cpu_count()} cores
shared with other jobs (load average, 1 min, at the start and end: {load0:.1f} and {load1:.1f}).
"""
    print(body)
    if not args.no_write:
        write_section("Attachment text", body)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
