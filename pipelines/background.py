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
"""

from __future__ import annotations

import contextlib
import importlib.abc
import multiprocessing
import os
import resource
import sys
from collections import deque
from concurrent.futures import Future, ProcessPoolExecutor
from pathlib import Path
from typing import Any

# (capture_info, parsed or None, body to parse or None, url, content type)
_Entry = tuple[dict, dict | None, bytes | None, str | None, str | None]

_writer: Any = None  # the worker process's DatasetWriter
_index: Any = None  # its archive.cdxj.IncrementalCdxj, while that works
_index_error: str | None = None
_INDEX_STEP_BYTES = 4 << 20


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


def _open(out_dir: str, snapshot_id: str, warcs_dir: str | None = None) -> None:
    global _writer, _index
    from pipelines.datasets import DatasetWriter

    with contextlib.suppress(OSError, AttributeError):  # not on every platform
        os.nice(WORKER_NICENESS)
    if "pandas" not in sys.modules:
        sys.meta_path.insert(0, _NoPandas())

    _writer = DatasetWriter(out_dir, snapshot_id)
    if warcs_dir is not None:
        from archive.cdxj import IncrementalCdxj

        _index = IncrementalCdxj(warcs_dir)


def _add(batch: list[_Entry]) -> int:
    from scraper.parsers import parse_page

    ends: dict[str, int] = {}
    for info, parsed, body, url, content_type in batch:
        if body is not None:
            parsed = parse_page(body, url or info["url"], content_type)
        _writer.add(info, parsed)
        end = info.get("warc_end")
        if end is not None and end > ends.get(info["warc_file"], -1):
            ends[info["warc_file"]] = end
    for name, end in ends.items():
        # In steps of a few MB: each step costs a new warcio reader; `finish` indexes the rest.
        if _index is not None and end - _index.covered.get(name, 0) >= _INDEX_STEP_BYTES:
            _index_step(lambda idx, name=name, end=end: idx.advance(name, end))
    return len(batch)


def _index_step(step: Any) -> Any:
    global _index, _index_error
    if _index is None:
        return None
    try:
        return step(_index)
    except Exception as exc:  # noqa: BLE001 - the index is rebuilt at close instead
        _index, _index_error = None, f"{type(exc).__name__}: {exc}"
        return None


def _close(index_path: str | None = None) -> tuple[dict[str, int], int, dict | None, str | None]:
    """Row counts, this process's peak RSS in KiB (the crawl reports its memory as the
    crawler's plus the worker's), and the CDXJ written to `index_path` with the bytes of each
    WARC it covers (None if there is none) and why not."""
    counts = _writer.close()
    coverage = None
    if index_path is not None:
        coverage = _index_step(lambda idx: idx.finish(index_path))
    return counts, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, coverage, _index_error


def _abort() -> None:
    if _writer is not None:
        _writer.abort()


class BackgroundDatasetWriter:
    """`DatasetWriter`'s add / close / abort, done by a child process.

    `add(capture_info, parsed)` as with `DatasetWriter`, or `add(capture_info, body=…, url=…,
    content_type=…)` to have the page parsed by `parse_page` in the worker. With `warcs_dir`
    and `index_path`, `close()` also leaves the CDXJ of those WARCs at `index_path` and sets
    `index_coverage` to the bytes of each file it covers (None if it could not be built).
    """

    def __init__(self, out_dir: str | os.PathLike, snapshot_id: str, batch_size: int = 32,
                 max_pending: int = 16, warcs_dir: str | os.PathLike | None = None,
                 index_path: str | os.PathLike | None = None) -> None:
        Path(out_dir).mkdir(parents=True, exist_ok=True)
        indexing = warcs_dir is not None and index_path is not None
        self._index_path = str(index_path) if indexing else None
        # spawn, not fork: the crawl has Twisted's threads running (see archive.extract).
        self._pool = ProcessPoolExecutor(
            max_workers=1, mp_context=multiprocessing.get_context("spawn"),
            initializer=_open,
            initargs=(str(out_dir), snapshot_id, str(warcs_dir) if indexing else None))
        self._batch: list[_Entry] = []
        self._batch_size = batch_size
        self._pending: deque[Future] = deque()
        self._max_pending = max_pending
        self._closed = False
        self.worker_maxrss_kb: int | None = None  # known after close()
        self.index_coverage: dict[str, int] | None = None  # known after close()
        self.index_error: str | None = None

    def add(self, capture_info: dict, parsed: dict | None = None, body: bytes | None = None,
            url: str | None = None, content_type: str | None = None) -> None:
        if self._closed:
            raise RuntimeError("BackgroundDatasetWriter is closed")
        self._batch.append((capture_info, parsed, body, url, content_type))
        if len(self._batch) >= self._batch_size:
            self._send()

    def _send(self) -> None:
        if self._batch:
            self._pending.append(self._pool.submit(_add, self._batch))
            self._batch = []
        while self._pending and (self._pending[0].done()
                                 or len(self._pending) > self._max_pending):
            self._pending.popleft().result()  # waits if too far behind; raises its error

    def close(self) -> dict[str, int]:
        """Write what is left, close the tables (renamed into place), return row counts."""
        if self._closed:
            raise RuntimeError("BackgroundDatasetWriter is closed")
        self._closed = True
        try:
            self._send()
            while self._pending:
                self._pending.popleft().result()
            counts, self.worker_maxrss_kb, self.index_coverage, self.index_error = (
                self._pool.submit(_close, self._index_path).result())
            return counts
        except BaseException:
            self._abort()
            raise
        finally:
            self._pool.shutdown(wait=True, cancel_futures=True)

    def abort(self) -> None:
        """Drop everything written so far; no final file appears."""
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
