"""A `DatasetWriter` in a child process, so a crawl's parsing and table writing leave its loop.

The crawler is one Python process whose event loop is busy with downloads, WARC records and
link extraction; parsing each page and writing its rows took about a fifth of that loop's CPU.
`BackgroundDatasetWriter` ships captures (with the body still to parse) in batches to one
worker process from `concurrent.futures`, which runs `parse_page` and the ordinary
`DatasetWriter`: the same code as in-process, so the tables are the same, on the other core.

One worker and batches handed over in order keep the rows in capture order. The number of
batches in flight is bounded, so a worker that falls behind slows the crawl down instead of
holding every page in memory. An error in the worker is raised by the next `add` or by `close`.

Given the snapshot's `warcs_dir`, the worker also builds the CDXJ index as the WARCs grow
(`archive.cdxj.IncrementalCdxj`, fed by each capture's `warc_end`), so closing the snapshot
need not read every WARC again. The index is an optimisation: if building it fails, the
datasets carry on and `close()` reports no coverage, and the snapshot is indexed at close.

Given `warc` (the arguments of an `archive.warc.SnapshotWarcWriter`), the worker writes the
WARC records too: `write_capture(capture)` queues the exchange and returns at once with a
pending capture info (`{"seq": n, …}`) that rows added later may stand on. Writing records,
with their digests and gzip members, was the largest single share of the crawler's event
loop (a fifth of its CPU). One process, one ordered queue: a capture's records are written
before any row that refers to it, and the records of a crawl come in the order it fetched
them. A capture still in the queue when the crawler is killed was never archived, so a
resumed crawl fetches it again; every record written is complete and flushed as before.
"""

from __future__ import annotations

import contextlib
import importlib.abc
import multiprocessing
import os
import resource
import sys
from collections import deque
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor
from pathlib import Path
from typing import Any

# ("row", capture info or the seq of a capture queued before, parsed or None, body to parse
# or None, url, content type), or ("warc", seq, archive.warc.Capture)
_Entry = tuple

_writer: Any = None  # the worker process's DatasetWriter
_index: Any = None  # its archive.cdxj.IncrementalCdxj, while that works
_index_error: str | None = None
_INDEX_STEP_BYTES = 4 << 20
_warc: Any = None  # its archive.warc.SnapshotWarcWriter, when it writes the WARCs
_warc_dedup: Any = None  # that writer's archive.dedup.DedupIndex
_captured: dict[int, dict] = {}  # seq → capture info, until its row comes
_crawler_pid: int | None = None  # the process this worker writes WARC records for
_text_options: Any = None  # pipelines.attachment_text.TextOptions for attachments' text


class WarcWriteError(Exception):
    """The worker could not write a capture's WARC records (a full disk, bad input).

    The records written before it stay readable (the writer cuts a half-written one off), and
    the rows of the captures the failed batch did not get to are dropped with them: a crawl
    stops at this error and leaves its snapshot open, and `crawl --resume` fetches what is
    missing.
    """


def _die_with_crawler(crawler_pid: int) -> None:
    """End this worker with the crawler, and never write a WARC record once it is gone.

    A crawler killed with SIGKILL left its worker running for ever (ProcessPoolExecutor's
    workers only wait for the next task, holding the crawl's stdout open), and a worker that
    went on writing its backlog would race the repair of a `crawl --resume` started right
    after. On Linux the kernel kills the worker with its parent (PR_SET_PDEATHSIG);
    everywhere, `_add` checks its parent before every record.
    """
    global _crawler_pid
    _crawler_pid = crawler_pid
    if sys.platform.startswith("linux"):
        with contextlib.suppress(Exception):
            import ctypes
            import signal

            ctypes.CDLL(None, use_errno=True).prctl(1, int(signal.SIGKILL))  # PR_SET_PDEATHSIG
    _check_crawler()


def _check_crawler() -> None:
    if _crawler_pid is not None and os.getppid() != _crawler_pid:
        os._exit(70)  # the crawler is gone: stop before writing anything more


# The worker's scheduling priority below the crawler's (nice(2) increment): the crawler's
# event loop is the critical path, and on a busy machine an equal share for the worker only
# slows every fetch. The worker still gets all CPU time the crawler leaves, and when it falls
# behind, the bounded backlog makes the crawler wait for it anyway.
WORKER_NICENESS = 10


class _NoPandas(importlib.abc.MetaPathFinder):
    """Makes `import pandas` fail in the worker process.

    pyarrow imports pandas the first time it builds an array, only to ask whether its input is
    a pandas object (and carries on without pandas if the import fails): 42 MB of the worker's
    memory and half a second of its CPU, for a process that never holds a pandas object.
    """

    def find_spec(self, name: str, path: Any = None, target: Any = None) -> None:
        if name == "pandas" or name.startswith("pandas."):
            raise ImportError("pandas is not used in the dataset worker")
        return None


def _open(out_dir: str, snapshot_id: str, warcs_dir: str | None = None,
          warc: dict | None = None, crawler_pid: int | None = None,
          text_options: Any = None) -> None:
    global _writer, _index, _warc, _warc_dedup, _text_options
    from pipelines.datasets import DatasetWriter

    _text_options = text_options
    if crawler_pid is not None:
        _die_with_crawler(crawler_pid)

    with contextlib.suppress(OSError, AttributeError):  # not on every platform
        os.nice(WORKER_NICENESS)
    if "pandas" not in sys.modules:
        sys.meta_path.insert(0, _NoPandas())

    _writer = DatasetWriter(out_dir, snapshot_id)
    if warcs_dir is not None:
        from archive.cdxj import IncrementalCdxj

        _index = IncrementalCdxj(warcs_dir)
    if warc is not None:
        from archive.dedup import DedupIndex
        from archive.warc import SnapshotWarcWriter

        warc = dict(warc)
        dedup_path = warc.pop("dedup_path", None)
        _warc_dedup = DedupIndex(dedup_path) if dedup_path else None
        _warc = SnapshotWarcWriter(**warc, dedup=_warc_dedup)


def _add(batch: list[_Entry]) -> dict[str, int]:
    """Write and parse one batch; returns how many captures became responses and revisits."""
    from pipelines.reading import read_capture
    from pipelines.selection import wants_parse
    from scraper.parsers import parse_page

    ends: dict[str, int] = {}
    written: dict[str, int] = {}
    for entry in batch:
        if entry[0] == "warc":
            _, seq, capture = entry
            _check_crawler()
            try:
                info = _captured[seq] = _warc.write_capture(capture)
            except Exception as exc:  # noqa: BLE001 - whatever it was, the capture is lost
                raise WarcWriteError(f"could not write the WARC records of {capture.url}: "
                                     f"{type(exc).__name__}: {exc}") from None
            written[info["record_type"]] = written.get(info["record_type"], 0) + 1
        else:
            _, info, parsed, body, url, content_type = entry
            if isinstance(info, int):
                info = _captured.pop(info, None)
                if info is None:
                    continue  # its records were never written (see WarcWriteError): no row
            if body is not None and wants_parse(info):
                parsed = parse_page(body, url or info["url"], content_type,
                                    **_writer.parse_kwargs)
            elif body is not None:  # an attachment: its text (OCR runs on every core)
                parsed = read_capture(info, body, text=_text_options)
            _writer.add(info, parsed)
        end = info.get("warc_end")
        if end is not None and end > ends.get(info["warc_file"], -1):
            ends[info["warc_file"]] = end
    for name, end in ends.items():
        # In steps of a few MB: each step costs a new warcio reader; `finish` indexes the rest.
        if _index is not None and end - _index.covered.get(name, 0) >= _INDEX_STEP_BYTES:
            _index_step(lambda idx, name=name, end=end: idx.advance(name, end))
    return written


def _index_step(step: Any) -> Any:
    global _index, _index_error
    if _index is None:
        return None
    try:
        return step(_index)
    except Exception as exc:  # noqa: BLE001 - the index is rebuilt at close instead
        _index, _index_error = None, f"{type(exc).__name__}: {exc}"
        return None


def _close_warc() -> dict | None:
    """Finish the WARC file being written (renamed from `.open`) and put the pending dedup
    entries in the index; the writer's stats, or None if this worker writes no WARCs."""
    global _warc, _warc_dedup
    if _warc is None:
        return None
    try:
        _warc.close()
        return dict(_warc.stats, files=list(_warc.files))
    finally:
        if _warc_dedup is not None:
            _warc_dedup.close()
        _warc = _warc_dedup = None


def _close(index_path: str | None = None) -> dict[str, Any]:
    """Row counts (`counts`), this process's peak RSS in KiB (`maxrss_kb`: the crawl reports
    its memory as the crawler's plus the worker's), the CDXJ written to `index_path` with the
    bytes of each WARC it covers (`coverage`, None if there is none) and why not
    (`index_error`), and the WARC writer's stats (`warc`, None if it wrote none)."""
    warc = _close_warc()  # first: the index covers every file to its end
    counts = _writer.close()
    coverage = None
    if index_path is not None:
        coverage = _index_step(lambda idx: idx.finish(index_path))
    return {"counts": counts, "maxrss_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
            "coverage": coverage, "index_error": _index_error, "warc": warc}


def _abort() -> None:
    try:
        _close_warc()  # every record written stays readable, as after a crawler crash
    finally:
        if _writer is not None:
            _writer.abort()


class PendingCapture(dict):
    """The capture info of an exchange queued for the worker's WARC writer: `seq`, `url`,
    `status` and `content_type` (enough for `pipelines.selection.wants_parse`); the rest
    (WARC file, offset, digest, record type) exists only once the worker has written it."""


class BackgroundDatasetWriter:
    """`DatasetWriter`'s add / close / abort, done by a child process.

    `add(capture_info, parsed)` as with `DatasetWriter`, or `add(capture_info, body=…, url=…,
    content_type=…)` to have the page parsed by `parse_page` in the worker, or an attachment's
    text read (`pipelines.reading.read_capture`, with `text_options`). With `warcs_dir`
    and `index_path`, `close()` also leaves the CDXJ of those WARCs at `index_path` and sets
    `index_coverage` to the bytes of each file it covers (None if it could not be built).

    With `warc` (keyword arguments of `SnapshotWarcWriter`, plus `dedup_path` for its
    `DedupIndex`), `write_capture(capture)` has the worker write the capture's records and
    returns a `PendingCapture` at once; `add` takes that in place of the capture info.
    `on_written(record_type, n)` hears how many captures became responses and revisits, as
    batches finish; after `close()`, `warc_stats` holds the writer's stats and file names.
    """

    def __init__(self, out_dir: str | os.PathLike, snapshot_id: str, batch_size: int = 32,
                 max_pending: int = 16, warcs_dir: str | os.PathLike | None = None,
                 index_path: str | os.PathLike | None = None, warc: dict | None = None,
                 on_written: Callable[[str, int], None] | None = None,
                 text_options: Any = None) -> None:
        Path(out_dir).mkdir(parents=True, exist_ok=True)
        indexing = warcs_dir is not None and index_path is not None
        self._index_path = str(index_path) if indexing else None
        # spawn, not fork: the crawl has Twisted's threads running (see pipelines.extract).
        self._pool = ProcessPoolExecutor(
            max_workers=1, mp_context=multiprocessing.get_context("spawn"),
            initializer=_open,
            initargs=(str(out_dir), snapshot_id, str(warcs_dir) if indexing else None, warc,
                      os.getpid(), text_options))
        self._writes_warc = warc is not None
        self._seq = 0
        self._on_written = on_written
        self._batch: list[_Entry] = []
        self._batch_size = batch_size
        self._pending: deque[Future] = deque()
        self._max_pending = max_pending
        self._closed = False
        self.worker_maxrss_kb: int | None = None  # known after close()
        self.index_coverage: dict[str, int] | None = None  # known after close()
        self.index_error: str | None = None
        self.warc_stats: dict | None = None  # known after close()

    def write_capture(self, capture: Any) -> PendingCapture:
        """Queue `capture` (an `archive.warc.Capture`) for the worker's WARC writer."""
        from archive.warc import capture_content_type

        if not self._writes_warc:
            raise RuntimeError("this BackgroundDatasetWriter was not given a WARC writer")
        if self._closed:
            raise RuntimeError("BackgroundDatasetWriter is closed")
        self._seq += 1
        self._queue(("warc", self._seq, capture))
        return PendingCapture(seq=self._seq, url=capture.url, status=capture.status,
                              content_type=capture_content_type(capture))

    def add(self, capture_info: dict, parsed: dict | None = None, body: bytes | None = None,
            url: str | None = None, content_type: str | None = None) -> None:
        if self._closed:
            raise RuntimeError("BackgroundDatasetWriter is closed")
        info: dict | int = (capture_info["seq"] if isinstance(capture_info, PendingCapture)
                            else capture_info)
        self._queue(("row", info, parsed, body, url, content_type))

    def _queue(self, entry: _Entry) -> None:
        self._batch.append(entry)
        if len(self._batch) >= self._batch_size:
            self._send()

    def _send(self) -> None:
        if self._batch:
            self._pending.append(self._pool.submit(_add, self._batch))
            self._batch = []
        while self._pending and (self._pending[0].done()
                                 or len(self._pending) > self._max_pending):
            self._written(self._pending.popleft().result())  # waits if too far behind

    def _written(self, counts: dict[str, int]) -> None:
        if self._on_written is not None:
            for record_type, n in counts.items():
                self._on_written(record_type, n)

    def close(self) -> dict[str, int]:
        """Write what is left, close the tables (renamed into place), return row counts."""
        if self._closed:
            raise RuntimeError("BackgroundDatasetWriter is closed")
        self._closed = True
        try:
            self._send()
            while self._pending:
                self._written(self._pending.popleft().result())
            result = self._pool.submit(_close, self._index_path).result()
            self.worker_maxrss_kb = result["maxrss_kb"]
            self.index_coverage = result["coverage"]
            self.index_error = result["index_error"]
            self.warc_stats = result["warc"]
            return result["counts"]
        except BaseException:
            self._abort()
            raise
        finally:
            self._pool.shutdown(wait=True, cancel_futures=True)

    def abort(self) -> None:
        """Drop the tables written so far (no final file appears); WARC records already
        written stay, and the file being written is finished."""
        if not self._closed:
            self._closed = True
            self._abort()
            self._pool.shutdown(wait=True, cancel_futures=True)

    def _abort(self) -> None:
        for future in self._pending:
            future.cancel()
        self._pending.clear()
        # If the worker is gone, its `*.tmp` files stay behind, never renamed into place.
        with contextlib.suppress(Exception):
            self._pool.submit(_abort).result()
