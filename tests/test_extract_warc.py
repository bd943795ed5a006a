"""`extract` rebuilds from WARC files the very datasets the crawl wrote, with lineage that leads
back to the record; damaged WARCs fail loudly but keep every good record before the damage.

The WARCs here are written with warcio as the crawl writes them (WARC/1.1, one gzip member per
record, request + response|revisit + metadata, gzip-encoded bodies), and parsed with the real
`parse_page`.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from archive.records import read_record_at
from pipelines.datasets import DatasetWriter
from pipelines.extract import extract_warcs
from pipelines.rows import build_rows
from pipelines.schema import SCHEMAS, TABLES
from pipelines.selection import wants_parse
from portal_archive.cli import main as cli_main

parsers = pytest.importorskip("scraper.parsers")
parse_page = parsers.parse_page

SNAP = "20261127T192512Z"
BASE = "http://127.0.0.1:8080"
T0 = datetime(2026, 11, 27, 19, 25, 12, 123456, tzinfo=UTC)

ARTICLE = """<!DOCTYPE html>
<html lang="vi"><head><meta charset="utf-8"><title>{title} - Cổng thông tin điện tử</title>
<meta property="article:published_time" content="2015-03-25+0709:21:00"></head>
<body><div id="timeoutsess" class="chromeframe">Bạn đã không sử dụng Site, <a href="#">Bấm vào
đây để duy trì trạng thái đăng nhập</a>. Thời gian chờ: <span id="secField"> 60 </span> giây</div>
<nav class="third-nav"><ul class="temp-breadcrumbs hidden">
<li><a href="/vi/" title="Trang nhất"><span>Trang nhất</span></a></li>
<li><a href="/vi/news/tin-tuc-su-kien/" title="Tin tức - Sự kiện"><span>Tin tức - Sự kiện</span>
</a></li></ul><ul class="breadcrumbs list-none"></ul></nav>
<div class="col-md-18"><div class="news_column panel panel-default"><div class="panel-body">
<h1 class="title margin-bottom-lg">{title}</h1>
<div class="row"><div class="col-md-12"><span class="h5">{dateline}</span></div></div>
<div class="hometext m-bottom">Tóm tắt bài viết số {id} về hệ thống chính trị cơ sở.</div>
<div id="news-bodyhtml" class="bodytext margin-bottom-lg">
<p>Trong những năm qua, thực hiện Nghị quyết Trung ương 6 (khóa X), hoạt động của hệ thống
chính trị cơ sở có bước chuyển biến tích cực.</p>
<p style="text-align:center"><img alt="Lớp bồi dưỡng nghiệp vụ QLNN năm 2014 (ảnh: TP)"
 src="/uploads/news/2015_03/anh-{id}.jpg" width="500"></p>
<p style="text-align:center"><em>Lớp bồi dưỡng nghiệp vụ QLNN năm 2014 (ảnh: TP)</em></p>
<p>Đoạn cuối của bài viết số {id}.</p></div>
<p class="h5 text-right"><strong>Tác giả bài viết: </strong>Thúy Vân - Văn phòng Tỉnh ủy</p>
</div></div>
<div class="news_column panel panel-default"><div class="panel-body"><form id="form3B"><div
 class="h5 clearfix"><p>Tổng số điểm của bài viết là: 0 trong 0 đánh giá</p></div></form>
</div></div></div>
<div class="col-md-6"><div class="block-law"><div class="item"><a class="law-code"
 href="/vi/laws/detail/chi-thi-17-ct-ubnd-87/">Số: 17/CT-UBND</a><p class="law-title">Chỉ thị
về tăng cường công tác quản lý</p><em class="law-view">lượt xem: {sideviews} | lượt tải:9</em>
</div></div></div></body></html>"""

DOCUMENT = """<!DOCTYPE html><html lang="vi"><head><meta charset="utf-8">
<title>17/CT-UBND - Văn bản</title></head><body><div class="col-md-18"><div class="panel-body">
<h1 class="lawh3">Chỉ thị về tăng cường công tác quản lý nhà nước</h1>
<p>Về việc tăng cường công tác quản lý.</p>
<table class="table"><tbody>
<tr class="hoatim"><td>Số kí hiệu</td><td>17/CT-UBND</td></tr>
<tr class="hoatim"><td>Ngày ban hành</td><td>20/03/2015</td></tr>
<tr class="hoatim"><td>Ngày bắt đầu hiệu lực</td><td>20/03/2015</td></tr>
<tr class="hoatim"><td>Ngày hết hiệu lực</td><td>...</td></tr>
<tr class="hoatim"><td>Thể loại</td><td>Chỉ thị</td></tr>
<tr class="hoatim"><td>Cơ quan ban hành</td><td>UBND tỉnh Lai Châu</td></tr>
<tr class="hoatim"><td>Người ký</td><td>Nguyễn Khắc Chử</td></tr></tbody></table>
<h2 class="lawh3">Nội dung</h2><div>Nội dung của chỉ thị số 17/CT-UBND.</div>
<h2 class="lawh3">File đính kèm</h2><div class="laws-download-file"><div class="list-group">
<div class="list-group-item"><a href="{url}?download=1&amp;id=0">Tải tập tin 1:
<strong>chi-thi-17.pdf</strong></a></div></div></div></div></div></body></html>"""

SOFT_404 = """<!DOCTYPE html><html lang="vi"><head><meta charset="utf-8">
<title>Lỗi không có chủ đề</title></head><body><div class="col-md-18"><div
 class="alert alert-danger">Lỗi không có chủ đề</div></div></body></html>"""


def article(i: int, sideviews: int = 424) -> tuple[str, bytes]:
    url = f"{BASE}/vi/news/tin-tuc-su-kien/bai-viet-so-{i}-{1000 + i}.html"
    html = ARTICLE.format(id=1000 + i, title=f"Củng cố hệ thống chính trị cơ sở ({i})",
                          dateline=f"Thứ tư - 25/03/2015 09:{i % 60:02d}", sideviews=sideviews)
    return url, html.encode("utf-8")


def document() -> tuple[str, bytes]:
    url = f"{BASE}/vi/laws/detail/chi-thi-17-ct-ubnd-87/"
    return url, DOCUMENT.format(url=url).encode("utf-8")


HTML = "text/html; charset=utf-8"


class FakeCrawl:
    """Writes WARCs as the crawl does and feeds the same captures to a DatasetWriter.

    capture_info follows contract 5: offset and length of the response/revisit record's gzip
    member, WARC-Date as ISO UTC with 'Z', the payload digest warcio wrote.
    """

    def __init__(self, root: Path) -> None:
        self.warcs = root / "warcs"
        self.warcs.mkdir(parents=True)
        self.datasets = DatasetWriter(root / "crawl-datasets", SNAP)
        self.files: list[Path] = []
        self.when = T0
        self.digests: dict[str, tuple[str, str]] = {}  # digest → (uri, WARC-Date)

    def open(self, serial: int) -> None:
        path = self.warcs / f"portal-20261127192512123-{serial:05d}-127.0.0.1-8080.warc.gz"
        self.fh = open(path, "wb")  # noqa: SIM115 - closed in close_file
        self.writer = WARCWriter(self.fh, gzip=True, warc_version="1.1")
        self.writer.write_record(self.writer.create_warcinfo_record(
            path.name, {"software": "test", "isPartOf": SNAP}))
        self.files.append(path)

    def close_file(self) -> None:
        self.fh.close()

    def fetch(self, url: str, body: bytes, status: int = 200, ctype: str | None = HTML,
              encode: bool = False, revisit: bool = False, extra=()) -> dict:
        """One exchange; `revisit` writes a revisit of the earlier identical payload."""
        self.when += timedelta(seconds=1)
        date = self.when.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
        wire = gzip.compress(body, mtime=0) if encode else body
        headers = [("Content-Length", str(len(wire)))] + list(extra)
        if ctype:
            headers.insert(0, ("Content-Type", ctype))
        if encode:
            headers.append(("Content-Encoding", "gzip"))
        reason = {200: "OK", 301: "Moved Permanently", 404: "Not Found"}[status]
        http = StatusAndHeaders(f"{status} {reason}", headers, protocol="HTTP/1.1")
        w = self.writer
        if revisit:
            from warcio.utils import Digester

            d = Digester("sha1")
            d.update(wire)
            digest = str(d)
            ref_uri, ref_date = self.digests[digest]
            record = w.create_revisit_record(url, digest, ref_uri, ref_date, http_headers=http,
                                             warc_headers_dict={"WARC-Date": date})
        else:
            record = w.create_warc_record(url, "response", payload=io.BytesIO(wire),
                                          length=len(wire), http_headers=http,
                                          warc_headers_dict={"WARC-Date": date})
        offset = self.fh.tell()
        w.write_record(record)
        length = self.fh.tell() - offset
        rid = record.rec_headers.get_header("WARC-Record-ID")
        digest = record.rec_headers.get_header("WARC-Payload-Digest")
        self.digests.setdefault(digest, (url, date))
        req = w.create_warc_record(
            url, "request", payload=io.BytesIO(b""), length=0,
            http_headers=StatusAndHeaders(f"GET {url[len(BASE):]} HTTP/1.1",
                                          [("Host", "127.0.0.1:8080")], is_http_request=True),
            warc_headers_dict={"WARC-Date": date, "WARC-Concurrent-To": rid})
        w.write_record(req)
        meta = w.create_warc_record(url, "metadata", payload=io.BytesIO(b"hopsFromSeed: L\r\n"),
                                    length=17, warc_content_type="application/warc-fields",
                                    warc_headers_dict={"WARC-Date": date,
                                                       "WARC-Concurrent-To": rid})
        w.write_record(meta)
        info = {"snapshot_id": SNAP, "captured_at": date, "warc_file": self.files[-1].name,
                "warc_offset": offset, "warc_record_id": rid, "payload_digest": digest,
                "url": url, "status": status, "content_type": ctype,
                "record_type": "revisit" if revisit else "response", "length": length,
                "location": dict(extra).get("Location")}  # (a redirect's target, issue 14)
        if revisit:
            info.update(refers_to_uri=ref_uri, refers_to_date=ref_date)
        # The crawl parses the body Scrapy hands it: decoded, whatever the record type.
        parsed = parse_page(body, url, ctype) if wants_parse(info) else None
        self.datasets.add(info, parsed)
        return info


def crawl_two_files(root: Path) -> FakeCrawl:
    c = FakeCrawl(root)
    c.open(0)
    for i in range(6):
        c.fetch(*article(i), encode=i % 2 == 0)
    c.fetch(*document())
    c.fetch(f"{BASE}/uploads/news/2015_03/anh-1000.jpg", b"\xff\xd8\xff\xe0JFIF\x00" * 20,
            ctype="image/jpeg")
    c.fetch(f"{BASE}/vi/news/khong-co/", SOFT_404.encode())
    c.fetch(f"{BASE}/vi/news/trang-cu/", b"<html><body>Not found</body></html>", 404)
    c.fetch(f"{BASE}/index.php?nv=news&op=tin-tuc-su-kien/bai-viet-so-1-1001", b"", 301,
            ctype=None, extra=[("Location", article(1)[0])])
    c.fetch(f"{BASE}/vi/news/print/bai-viet-so-2-1002.html", article(2)[1], encode=True,
            revisit=True)  # same payload as article 2, same file
    c.close_file()
    c.open(1)
    for i in range(6, 9):
        c.fetch(*article(i, sideviews=425))
    url, body = article(3)
    c.fetch(url + "?utm=x", body, revisit=True)  # original is in the first file
    c.close_file()
    return c


@pytest.fixture(scope="module")
def crawl(tmp_path_factory) -> tuple[FakeCrawl, dict[str, int]]:
    c = crawl_two_files(tmp_path_factory.mktemp("crawl"))
    counts = c.datasets.close()
    return c, counts


def table(dir_: Path, name: str) -> pa.Table:
    return pq.read_table(dir_ / f"{name}.parquet")


# Time spent reading each attachment: the one column two runs never agree on.
TIMING_COLUMNS = {"attachment_texts": ("seconds",)}


def assert_same_datasets(a: Path, b: Path) -> None:
    for name in TABLES:
        ta, tb = table(a, name), table(b, name)
        assert ta.schema.equals(SCHEMAS[name]) and tb.schema.equals(SCHEMAS[name])
        timing = TIMING_COLUMNS.get(name, ())
        rows_a = ta.drop_columns(list(timing)).to_pylist()
        rows_b = tb.drop_columns(list(timing)).to_pylist()
        diff = [(i, k, ra[k], rb[k]) for i, (ra, rb) in enumerate(zip(rows_a, rows_b, strict=False))
                for k in ra if ra[k] != rb[k]]
        assert rows_a == rows_b, (name, len(rows_a), len(rows_b), diff[:3])
        if timing:  # the CSVs hold the same rows, timing aside
            assert _csv_rows(a / f"{name}.csv", timing) == _csv_rows(b / f"{name}.csv", timing)
        else:  # CSVs too, byte for byte
            assert (a / f"{name}.csv").read_bytes() == (b / f"{name}.csv").read_bytes(), name


def _csv_rows(path: Path, drop: tuple[str, ...]) -> list[dict]:
    with open(path, encoding="utf-8-sig", newline="") as fh:
        return [{k: v for k, v in row.items() if k not in drop} for row in csv.DictReader(fh)]


def test_the_fake_crawl_is_realistic(crawl):
    c, counts = crawl
    assert counts["pages"] == 16 and counts["articles"] == 11  # 9 + 2 revisits
    assert counts["documents"] == 1 and counts["document_files"] == 1
    pages = table(c.datasets.out_dir, "pages").to_pylist()
    assert {p["record_type"] for p in pages} == {"response", "revisit"}
    assert {p["page_type"] for p in pages} >= {"article", "document_detail", "soft_404", None}
    assert counts["rejects"] == 0, table(c.datasets.out_dir, "rejects").to_pylist()


def test_extract_equals_what_the_crawl_wrote(crawl, tmp_path):
    c, _ = crawl
    result = extract_warcs(c.files, SNAP, out_dir=tmp_path, jobs=1, progress=False)
    assert result.errors == [] and result.warnings == []
    assert result.captures == 16
    assert_same_datasets(c.datasets.out_dir, tmp_path)


def test_parallel_extract_is_deterministic(crawl, tmp_path):
    c, _ = crawl
    result = extract_warcs(c.files, SNAP, out_dir=tmp_path, jobs=2, progress=False)
    assert result.errors == []
    assert_same_datasets(c.datasets.out_dir, tmp_path)


def test_revisits_resolve_to_their_original_content(crawl, tmp_path):
    c, _ = crawl
    extract_warcs(c.files, SNAP, out_dir=tmp_path, jobs=1, progress=False)
    articles = table(tmp_path, "articles").to_pylist()
    revisits = [a for a in articles if a["page_url"].endswith("?utm=x")]
    assert len(revisits) == 1 and revisits[0]["article_id"] == 1003
    assert revisits[0]["warc_file"] == c.files[1].name  # lineage names the revisit record
    original = next(a for a in articles if a["page_url"] == article(3)[0])
    assert revisits[0]["body_text"] == original["body_text"]
    assert revisits[0]["payload_digest"] == original["payload_digest"]


def test_unresolvable_revisit_is_reported_not_dropped(crawl, tmp_path):
    c, _ = crawl
    result = extract_warcs(c.files[1:], SNAP, out_dir=tmp_path, jobs=1, progress=False)
    assert len(result.warnings) == 1 and "not found" in result.warnings[0]
    rejects = table(tmp_path, "rejects").to_pylist()
    assert [r["reason"] for r in rejects] == ["revisit original not found"]
    assert table(tmp_path, "pages").num_rows == 4


def test_lineage_leads_back_to_the_record(crawl):
    """Read the record at (warc_file, warc_offset), parse it, and get the same row."""
    c, _ = crawl
    out = c.datasets.out_dir
    for name, key in (("articles", "article_id"), ("documents", "document_id"),
                      ("images", "src"), ("pages", "url")):
        rows = table(out, name).to_pylist()
        assert rows
        for row in rows:
            info, body = read_record_at(c.warcs / row["warc_file"], row["warc_offset"], SNAP)
            assert info["warc_record_id"] == row["warc_record_id"]
            assert info["payload_digest"] == row["payload_digest"]
            if info["record_type"] == "revisit":
                continue  # content lives in the original; covered by the revisit test
            parsed = parse_page(body, info["url"], info["content_type"]) \
                if wants_parse(info) else None
            again = [r for r in build_rows(info, parsed, SNAP)[name] if r[key] == row[key]]
            typed = pa.Table.from_pylist(again, schema=SCHEMAS[name]).to_pylist()
            assert row in typed, (name, row[key])


def truncated_copy(c: FakeCrawl, dest: Path, keep_records: int, cut_into: int) -> tuple[Path, int]:
    """A copy of the first WARC cut `cut_into` bytes into its response number `keep_records`."""
    src = c.files[0]
    offsets = [r["warc_offset"] for r in table(c.datasets.out_dir, "pages").to_pylist()
               if r["warc_file"] == src.name]
    cut_at = offsets[keep_records]
    dest.write_bytes(src.read_bytes()[: cut_at + cut_into])
    return dest, cut_at


@pytest.mark.parametrize("cut_into", [40, 900])  # inside the gzip header / inside the body
def test_truncated_warc_names_file_and_offset_and_keeps_earlier_records(crawl, tmp_path,
                                                                         cut_into):
    c, _ = crawl
    bad, cut_at = truncated_copy(c, tmp_path / "cut.warc.gz", keep_records=4,
                                 cut_into=cut_into)
    result = extract_warcs([bad, c.files[1]], SNAP, out_dir=tmp_path / "ds", jobs=1,
                           progress=False)
    assert len(result.errors) == 1
    assert result.errors[0].startswith("cut.warc.gz: ")
    assert f"offset {cut_at}" in result.errors[0]
    assert "\n" not in result.errors[0]
    pages = table(tmp_path / "ds", "pages").to_pylist()
    from_bad = [p for p in pages if p["warc_file"] == "cut.warc.gz"]
    assert [p["url"] for p in from_bad] == [article(i)[0] for i in range(4)]
    assert len([p for p in pages if p["warc_file"] == c.files[1].name]) == 4  # next file too


def test_cli_extract_creates_snapshot_and_exits_nonzero_on_damage(crawl, tmp_path, capsys):
    c, _ = crawl
    archive = tmp_path / "archive"
    code = cli_main(["extract", *map(str, c.files), "--snapshot", "foreign", "--archive",
                     str(archive), "--jobs", "1"])
    assert code == 0
    snap = archive / "snapshots" / "foreign"
    manifest = json.loads((snap / "manifest.json").read_text())
    assert manifest["status"] == "closed" and manifest["note"] == "extracted"
    assert table(snap / "datasets", "articles").column("snapshot_id").unique().to_pylist() == [
        "foreign"]
    assert "16 captures" in capsys.readouterr().out

    bad, cut_at = truncated_copy(c, tmp_path / "cut.warc.gz", keep_records=2, cut_into=900)
    code = cli_main(["extract", str(bad), "--snapshot", "foreign", "--archive", str(archive),
                     "--jobs", "1"])
    assert code == 2  # a closed snapshot is immutable (tests/test_extract_immutable.py)
    assert "immutable" in capsys.readouterr().err
    assert table(snap / "datasets", "pages").num_rows == 16

    code = cli_main(["extract", str(bad), "--snapshot", "cut", "--archive", str(archive),
                     "--jobs", "1"])
    err = capsys.readouterr().err
    assert code == 1
    assert f"error: cut.warc.gz: unreadable WARC record at offset {cut_at}" in err
    cut = archive / "snapshots" / "cut"
    assert json.loads((cut / "manifest.json").read_text())["status"] == "aborted"
    assert table(cut / "datasets", "pages").num_rows == 2  # the good part, kept as evidence


def test_cli_extract_missing_file(tmp_path, capsys):
    code = cli_main(["extract", str(tmp_path / "nope.warc.gz"), "--snapshot", "x",
                     "--archive", str(tmp_path)])
    assert code == 2
    assert "no such WARC file" in capsys.readouterr().err


def test_extract_of_a_real_writer_snapshot_resolves_revisits_through_the_dedup_index(tmp_path):
    """Two snapshots written by archive.warc.SnapshotWarcWriter: the second one's unchanged
    pages are revisits whose originals live only in the first snapshot."""
    from archive.dedup import DedupIndex
    from archive.warc import Capture, SnapshotWarcWriter

    archive = tmp_path / "archive"
    dedup = DedupIndex(archive / "dedup.sqlite3")
    out = {}
    for n, snap in enumerate(("20261126T020000Z", "20261127T020000Z")):
        snap_dir = archive / "snapshots" / snap
        writer = SnapshotWarcWriter(snap_dir, snap, "127.0.0.1:8080", dedup=dedup)
        datasets = DatasetWriter(tmp_path / f"crawl-{snap}", snap)
        pages = [article(i) for i in range(4)] + [document()]
        if n == 1:
            pages[1] = article(1, sideviews=999)  # changed page: a new response
        for j, (url, body) in enumerate(pages):
            wire = gzip.compress(body, mtime=0) if j % 2 else body
            headers = [("Content-Type", HTML), ("Content-Length", str(len(wire)))]
            if j % 2:
                headers.append(("Content-Encoding", "gzip"))
            info = writer.write_capture(Capture(
                url=url, status=200, reason="OK", response_headers=headers, body=wire,
                request_headers=[("User-Agent", "portal-archive-test")],
                fetched_at=T0 + timedelta(days=n, seconds=j)))
            datasets.add(info, parse_page(body, url, HTML) if wants_parse(info) else None)
        writer.close()
        dedup.commit_snapshot(snap)
        out[snap] = (snap_dir, datasets.close())
    dedup.close()

    snap_dir, counts = out["20261127T020000Z"]
    crawl_pages = table(tmp_path / "crawl-20261127T020000Z", "pages").to_pylist()
    assert sorted(p["record_type"] for p in crawl_pages) == ["response"] + ["revisit"] * 4
    warcs = sorted((snap_dir / "warcs").glob("*.warc.gz"))
    result = extract_warcs(warcs, "20261127T020000Z", archive_root=archive, jobs=1,
                           progress=False)
    assert result.errors == [] and result.warnings == []
    assert_same_datasets(tmp_path / "crawl-20261127T020000Z", snap_dir / "datasets")
    assert counts["articles"] == 4 and counts["documents"] == 1


def plain_warc(path: Path, count: int) -> list[int]:
    """An uncompressed WARC (as some foreign tools write) with `count` article responses."""
    offsets = []
    with open(path, "wb") as fh:
        w = WARCWriter(fh, gzip=False, warc_version="1.1")
        for i in range(count):
            url, body = article(i)
            http = StatusAndHeaders("200 OK", [("Content-Type", HTML)], protocol="HTTP/1.1")
            offsets.append(fh.tell())
            w.write_record(w.create_warc_record(url, "response", payload=io.BytesIO(body),
                                                length=len(body), http_headers=http))
    return offsets


def test_uncompressed_warc_cut_short_or_damaged(tmp_path):
    good = tmp_path / "plain.warc"
    offsets = plain_warc(good, 3)
    result = extract_warcs([good], SNAP, out_dir=tmp_path / "ok", jobs=1, progress=False)
    assert result.errors == [] and result.counts["articles"] == 3
    assert table(tmp_path / "ok", "pages").column("warc_offset").to_pylist() == offsets

    data = good.read_bytes()
    cut = tmp_path / "cut.warc"
    cut.write_bytes(data[:-300])
    result = extract_warcs([cut], SNAP, out_dir=tmp_path / "cut", jobs=1, progress=False)
    (error,) = result.errors
    assert error.startswith(f"cut.warc: unreadable WARC record at offset {offsets[2]}: "
                            "EOFError: record cut short: 296 of ")
    assert result.counts["articles"] == 2

    flipped = bytearray(data)
    at = data.index("Đoạn cuối của bài viết số 1001".encode())
    flipped[at + 30] ^= 0x01
    bad = tmp_path / "flip.warc"
    bad.write_bytes(bytes(flipped))
    result = extract_warcs([bad], SNAP, out_dir=tmp_path / "flip", jobs=1, progress=False)
    assert len(result.errors) == 1 and "digest failed" in result.errors[0]
    assert f"offset {offsets[1]}" in result.errors[0]
    assert result.counts["articles"] == 1


def test_progress_bar_on_request(crawl, tmp_path, capsys):
    c, _ = crawl
    extract_warcs(c.files, SNAP, out_dir=tmp_path, jobs=1, progress=True)
    assert "extract" in capsys.readouterr().err
    extract_warcs(c.files, SNAP, out_dir=tmp_path, jobs=1, progress=False)
    assert capsys.readouterr().err == ""


def test_cli_extract_rejects_a_bad_snapshot_id(crawl, tmp_path, capsys):
    c, _ = crawl
    code = cli_main(["extract", str(c.files[0]), "--snapshot", "../x", "--archive",
                     str(tmp_path)])
    assert code == 2 and "invalid snapshot id" in capsys.readouterr().err
    assert not (tmp_path / "x").exists()
