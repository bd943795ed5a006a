"""The dataset writer of contract 6: captures + parse dicts in, Parquet and CSV tables out.

`DatasetWriter` streams rows in batches into one pyarrow ParquetWriter and one CSV file per
table, under temporary names that are renamed into place only by `close()`; so memory stays
flat however many pages a snapshot holds, and a reader never sees a half-written table.
The crawl's item pipeline and `portal-archive extract` both go through this class.

CSV conventions (docs/datasets.md): UTF-8 with a BOM, a header row, RFC 4180 quoting (every
text value quoted, CRLF line ends), null as an empty field and an empty text as `""`,
timestamps ISO 8601 with their offset (`Z` for UTC), dates `YYYY-MM-DD`, and lists/structs as
JSON text (`["a", "b"]`), never `|`-joined: tags and titles may contain `|`. The CSV is written
by pyarrow's CSV writer from the same Arrow batch as the Parquet file: the csv module spent
more time quoting the article bodies than the rest of the writer together.
"""

from __future__ import annotations

import codecs
import contextlib
import json
import os
from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pyarrow as pa
import pyarrow.csv as pa_csv
import pyarrow.parquet as pq

from pipelines.rows import build_rows, lineage, reject
from pipelines.schema import SCHEMAS, TABLES

DEFAULT_BATCH_SIZE = 500
def _formatter(dtype: pa.DataType) -> Callable[[Any], str] | None:
    """How one column's Python values are spelled in CSV; None: as pyarrow writes them.

    Arrow spells text, integers and dates as wanted; timestamps (Arrow writes a space and no
    offset) and nested values (Arrow has no CSV form for them) are formatted here.
    """
    if pa.types.is_timestamp(dtype):
        zone = UTC if dtype.tz in (None, "UTC") else ZoneInfo(dtype.tz)

        def fmt_ts(v: datetime) -> str:
            s = v.astimezone(zone).isoformat()
            return s[:-6] + "Z" if zone is UTC and s.endswith("+00:00") else s
        return fmt_ts
    if pa.types.is_list(dtype) or pa.types.is_struct(dtype):
        return lambda v: json.dumps(v, ensure_ascii=False, default=_json_default)
    return None


def _json_default(v: Any) -> str:
    if isinstance(v, date | datetime):
        return v.isoformat()
    raise TypeError(f"not JSON serializable: {type(v).__name__}")


class _TableSink:
    """One table's Parquet + CSV output, written under temporary names in batches."""

    def __init__(self, out_dir: Path, table: str, batch_size: int) -> None:
        self.table = table
        self.schema = SCHEMAS[table]
        self.batch_size = batch_size
        self.final = {ext: out_dir / f"{table}.{ext}" for ext in ("parquet", "csv")}
        tag = f".{os.getpid()}.tmp"
        self.temp = {ext: path.with_name(path.name + tag) for ext, path in self.final.items()}
        self.rows: list[dict] = []
        self.count = 0
        self.parquet = pq.ParquetWriter(self.temp["parquet"], self.schema, compression="zstd")
        self.formats = [(i, fmt) for i, f in enumerate(self.schema)
                        if (fmt := _formatter(f.type)) is not None]
        self.csv_schema = self.schema
        for i, _ in self.formats:
            field = self.schema.field(i)
            self.csv_schema = self.csv_schema.set(i, field.with_type(pa.string()))
        self.csv_file = open(self.temp["csv"], "wb")  # noqa: SIM115
        # The BOM, so spreadsheets read Vietnamese correctly; then the header row.
        self.csv_file.write(codecs.BOM_UTF8)
        self.csv = pa_csv.CSVWriter(self.csv_file, self.csv_schema,
                                    write_options=pa_csv.WriteOptions(eol="\r\n",
                                                                        quoting_header="none"))

    def add(self, rows: list[dict]) -> None:
        self.rows.extend(rows)
        if len(self.rows) >= self.batch_size:
            self.flush()

    def flush(self) -> None:
        if not self.rows:
            return
        table = pa.Table.from_pylist(self.rows, schema=self.schema)
        self.parquet.write_table(table)
        for i, fmt in self.formats:
            name = self.schema.names[i]
            texts = [None if (v := row.get(name)) is None else fmt(v) for row in self.rows]
            table = table.set_column(i, self.csv_schema.field(i), pa.array(texts, pa.string()))
        self.csv.write_table(table)
        self.count += len(self.rows)
        self.rows = []

    def close(self) -> None:
        self.flush()
        self.parquet.close()  # an empty table still gets a file carrying the schema
        self.csv.close()
        self.csv_file.close()

    def publish(self) -> None:
        for ext in ("parquet", "csv"):
            os.replace(self.temp[ext], self.final[ext])

    def discard(self) -> None:
        for closer in (self.parquet.close, self.csv.close, self.csv_file.close):
            with contextlib.suppress(Exception):  # best effort while aborting
                closer()
        for path in self.temp.values():
            path.unlink(missing_ok=True)


def _site_profile(out_dir: Path) -> tuple[Any, str | None, tuple | None]:
    """(profile, its name, reference) the snapshot owning `out_dir` (its `datasets/` or an
    `extracts/<time>/` version) was crawled with, else Nones. The reference (snapshot folder,
    profile file or platform, the file if any) lets worker processes load the same profile."""
    snapshot = out_dir.parent if out_dir.name == "datasets" else (
        out_dir.parent.parent if out_dir.parent.name == "extracts" else None)
    if snapshot is None or not (snapshot / "manifest.json").is_file():
        return None, None, None
    try:
        manifest = json.loads((snapshot / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None, None, None
    entry = manifest.get("site_profile") if isinstance(manifest, dict) else None
    if not isinstance(entry, dict):
        return None, None, None
    from scraper.profiles.choose import recorded_profile
    from scraper.profiles.spec import ProfileError

    try:
        spec = recorded_profile(snapshot, manifest)
    except ProfileError:
        return None, entry.get("name"), None
    return spec, spec.name, (str(snapshot), entry.get("file") or entry.get("platform"),
                             entry.get("file"))


class DatasetWriter:
    """Write one snapshot's tables; `add` per capture in order, then `close` (contract 6)."""

    def __init__(self, out_dir: str | os.PathLike, snapshot_id: str,
                 batch_size: int = DEFAULT_BATCH_SIZE) -> None:
        # Every batch is freed once written, but Arrow's default (mimalloc) pool keeps freed
        # pages: ~100 MB of peak RSS over a long crawl. The system allocator returns them.
        pa.set_memory_pool(pa.system_memory_pool())
        self.out_dir = Path(out_dir)
        self.out_dir.mkdir(parents=True, exist_ok=True)
        self.snapshot_id = snapshot_id
        self._sinks = {t: _TableSink(self.out_dir, t, batch_size) for t in TABLES}
        self._closed = False
        # Attachment URL → (document_id, article_id, page URL, file name, item_key) of the
        # last page written that links it: captures come in crawl order, the page first.
        self._links: dict[str, tuple[int | None, int | None, str, str | None, str | None]] = {}
        # The crawl's site profile, when the tables are a snapshot's (`<snapshot>/datasets`
        # next to a manifest that records it): the `profile` column, and the parse of pages
        # whose platform detection cannot tell (scraper.parsers.parse_page `fallback`).
        self.site_spec, self.profile_name, self.site_ref = _site_profile(self.out_dir)
        # parse_page's keyword for it: a site profile file (written for this site) parses
        # every page; a platform's shipped profile only those detection cannot tell.
        self.parse_kwargs: dict[str, Any] = {}
        if self.site_spec is not None:
            own = self.site_ref is not None and self.site_ref[2] is not None
            self.parse_kwargs = {"profile" if own else "fallback": self.site_spec}

    def add(self, capture_info: dict, parsed: dict | None) -> None:
        """Add the rows of one capture: a `pages` row always, table rows or rejects if parsed."""
        if self._closed:
            raise RuntimeError("DatasetWriter is closed")
        tables = build_rows(capture_info, parsed, self.snapshot_id, self.profile_name)
        self._link(tables)
        for table, rows in tables.items():
            if rows:
                self._sinks[table].add(rows)

    def _link(self, tables: dict[str, list[dict]]) -> None:
        """Remember which document or article links each file; name it on its text's row."""
        for item in tables["document_listings"]:  # a listing may link the files first
            if item["document_id"] is not None and item["url"]:
                for a in item["attachments"]:
                    self._links[a["url"]] = (item["document_id"], None, item["url"], a["name"],
                                             str(item["document_id"]))
        for art in tables["articles"]:
            for a in art["attachments"]:
                self._links[a["url"]] = (None, art["article_id"], art["url"], a["name"],
                                         art["item_key"])
        for doc in tables["documents"]:
            for f in tables["document_files"]:
                if f["item_key"] == doc["item_key"]:
                    self._links[f["url"]] = (doc["document_id"], None, doc["url"], f["name"],
                                             doc["item_key"])
        for row in tables["attachment_texts"]:
            link = self._links.get(row["url"])
            if link is not None:
                (row["document_id"], row["article_id"], row["linked_from"], row["name"],
                 row["item_key"]) = link

    def add_reject(self, capture_info: dict, table: str, reason: str, raw: object = None) -> None:
        """Record a capture whose content could not be read (e.g. an unresolvable revisit)."""
        lin = lineage(capture_info, self.snapshot_id)
        self._sinks["rejects"].add(
            [reject(lin, table, None, capture_info.get("url"), reason, raw)])

    def close(self) -> dict[str, int]:
        """Finish every table, rename temporaries into place, return row counts per table."""
        if self._closed:
            raise RuntimeError("DatasetWriter is closed")
        self._closed = True
        try:
            for sink in self._sinks.values():
                sink.close()
        except BaseException:
            self._discard()
            raise
        for sink in self._sinks.values():
            sink.publish()
        return {t: s.count for t, s in self._sinks.items()}

    def abort(self) -> None:
        """Drop everything written so far; no final file appears."""
        if not self._closed:
            self._closed = True
            self._discard()

    def _discard(self) -> None:
        for sink in self._sinks.values():
            sink.discard()

    def __enter__(self) -> DatasetWriter:
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        if exc_type is not None:
            self.abort()
        elif not self._closed:
            self.close()
