"""Snapshot diff: matching, what counts as a change, removal reasons, JSON shape, CLI formats.

Fixtures are two closed snapshots whose datasets are written by the real DatasetWriter from
parse dicts shaped as `parse_page` returns them (issue 3), with page captures for B's `pages`.
"""

from __future__ import annotations

import copy
import csv
import io
import json
import shutil
import subprocess
import unicodedata

import pytest

from archive.snapshot import close_snapshot, create_snapshot
from audit.diff import DiffError, diff_snapshots, word_diff
from audit.diff_report import render
from pipelines.datasets import DatasetWriter
from portal_archive.cli import main

BASE = "http://127.0.0.1:8080"
A, B = "20261126T020000Z", "20261127T020000Z"


def article_url(aid: int) -> str:
    return f"{BASE}/vi/news/tin-tuc-su-kien/bai-viet-so-{aid}-{aid}.html"


def document_url(did: int) -> str:
    return f"{BASE}/vi/laws/detail/chi-thi-{did}-ct-ubnd-{did}/"


def article(aid: int, **over) -> dict:
    """A parse dict for an article page (the shape of issue 3, item 8)."""
    url = article_url(aid)
    art = {
        "article_id": aid, "url": url,
        "title": f"Tiếp tục quan tâm củng cố hệ thống chính trị cơ sở số {aid}",
        "published_at": "2015-03-25T09:21:00+07:00", "published_raw": "Thứ tư - 25/03/2015 09:21",
        "views": 349, "comments": 0,
        "summary": "Trong những năm qua, thực hiện Nghị quyết Trung ương 6 (khóa X).",
        "body_text": "Trong những năm qua, thực hiện Nghị quyết.\nChất lượng học tập được "
                     "nâng lên rõ rệt ở các xã vùng cao.",
        "authors": [{"name": "Thúy Vân", "organization": "Văn phòng Tỉnh ủy"}],
        "source": None,
        "images": [{"src": f"{BASE}/uploads/news/2015_03/anh-{aid}.jpg", "alt": "Lớp bồi dưỡng",
                    "caption": "Lớp bồi dưỡng nghiệp vụ QLNN tại huyện Than Uyên",
                    "credit": "TP"}],
        "tags": ["hệ thống chính trị", "cơ sở"], "category": "Tin tức - Sự kiện",
        "breadcrumbs": ["Trang nhất", "Tin tức - Sự kiện"],
        "rating": {"score": 4.5, "votes": 2}, "attachments": [], "related": [],
    }
    art.update(over)
    return {"url": url, "page_type": "article", "article": art, "document": None,
            "listing": None, "sidebar_documents": []}


def document(did: int, **over) -> dict:
    url = document_url(did)
    doc = {
        "document_id": did, "url": url, "number": f"{did}/CT-UBND", "serial": did,
        "type_code": "CT", "issuer_code": "UBND",
        "title": "Chỉ thị về tăng cường công tác quản lý", "summary": "Về việc quản lý.",
        "issued_on": "2015-03-20", "effective_on": "2015-03-20", "expires_on": None,
        "doc_type": "Chỉ thị", "field": "Hành chính", "issuer": "UBND tỉnh",
        "signer": "Nguyễn Văn A", "attachments": [{"url": url + "?download=1", "name": "a.pdf"}],
        "body_text": "Nội dung chỉ thị.",
    }
    doc.update(over)
    return {"url": url, "page_type": "document_detail", "article": None, "document": doc,
            "listing": None, "sidebar_documents": []}


def page(url: str, parsed: dict | None, status: int = 200) -> tuple[str, dict | None, int]:
    return url, parsed, status


def build_snapshot(root, snapshot_id: str, pages: list[tuple[str, dict | None, int]]) -> None:
    """A closed snapshot whose datasets hold `pages` (url, parse dict or None, status)."""
    create_snapshot(root, snapshot_id, profile="nukeviet4", seeds=[BASE + "/"])
    writer = DatasetWriter(root / "snapshots" / snapshot_id / "datasets", snapshot_id)
    for i, (url, parsed, status) in enumerate(pages):
        writer.add({
            "snapshot_id": snapshot_id,
            "captured_at": f"{snapshot_id[:4]}-{snapshot_id[4:6]}-{snapshot_id[6:8]}T02:"
                           f"{i // 60 % 60:02d}:{i % 60:02d}Z",
            "warc_file": f"portal-{snapshot_id[:8]}020000000-00000-127.0.0.1-8080.warc.gz",
            "warc_offset": 1000 + 4000 * i,
            "warc_record_id": f"<urn:uuid:{snapshot_id[6:8]}000000-0000-4000-8000-{i:012d}>",
            "payload_digest": f"sha1:{snapshot_id[6:8]}{i:030d}",
            "url": url, "status": status, "content_type": "text/html; charset=utf-8",
            "record_type": "response", "length": 4000,
        }, parsed)
    writer.close()
    close_snapshot(root, snapshot_id)


# Archived text that would run script if a report did not escape it.
PAYLOAD_TITLE = "Bài mới <script>document.title='PWNED'</script>"
PAYLOAD_SIGNER = "Trần Văn B <img src=x onerror=\"document.body.setAttribute('data-pwned','1')\">"
CHROMIUM = next((p for p in (shutil.which(n) for n in ("chromium", "chromium-browser",
                                                        "google-chrome")) if p), None)


def nfd(text: str) -> str:
    return unicodedata.normalize("NFD", text)


@pytest.fixture
def archive(tmp_path):
    """A and B of a small portal with one change of every kind the diff knows."""
    a_pages = [page(article_url(k), article(k)) for k in range(1, 11)]
    a_pages += [page(document_url(k), document(k)) for k in (101, 102, 103, 104)]
    b_by_id = {k: article(k) for k in range(1, 11)}
    # 1: only volatile counters, NFD text and whitespace differ: unchanged.
    b_by_id[1] = article(1, views=900, comments=7, rating={"score": 1.0, "votes": 40},
                         title=nfd("Tiếp tục  quan tâm củng cố hệ thống chính trị cơ sở số 1 "),
                         body_text=nfd(article(1)["article"]["body_text"].replace(" ", "\u00a0")))
    b_by_id[2] = article(2, title="Tiếp tục quan tâm củng cố hệ thống chính trị cơ sở số 2 "
                                  "(cập nhật)")
    b_by_id[3] = article(3, body_text="Trong những năm qua, thực hiện Nghị quyết.\nChất lượng "
                                      "học tập được nâng lên ở các xã vùng cao và biên giới.")
    b_by_id[4] = article(4, authors=[{"name": "Thúy Vân", "organization": "Văn phòng Tỉnh ủy"},
                                     {"name": "Minh Anh", "organization": None}])
    img = copy.deepcopy(article(5)["article"]["images"])
    img[0]["caption"] = "Hội nghị triển khai nhiệm vụ năm 2015"
    b_by_id[5] = article(5, images=img)
    b_by_id[6] = article(6, tags=["hệ thống chính trị"], category="Thời sự",
                         published_at="2015-03-25T10:21:00+07:00",
                         attachments=[{"url": f"{BASE}/uploads/a.pdf", "name": "Kế hoạch"}])
    # 7: the same image served over https from another host name: unchanged.
    moved = copy.deepcopy(article(7)["article"]["images"])
    moved[0]["src"] = moved[0]["src"].replace("http://127.0.0.1:8080", "https://localhost")
    b_by_id[7] = article(7, images=moved)
    b_pages = [page(article_url(k), b_by_id[k]) for k in (1, 2, 3, 4, 5, 6, 7)]
    b_pages.append(page(article_url(8), None, 404))
    b_pages.append(page(article_url(9), None, 410))
    b_pages.append(page(article_url(10), {"url": article_url(10), "page_type": "soft_404",
                                          "article": None, "document": None, "listing": None,
                                          "sidebar_documents": []}))
    b_pages.append(page(article_url(11), article(11, title=PAYLOAD_TITLE)))
    b_pages += [
        page(document_url(101), document(101)),
        page(document_url(102), document(102, issued_on="2015-03-21", signer=PAYLOAD_SIGNER)),
        # 103 is not fetched in B at all; 104 got a server error: neither is a deletion.
        page(document_url(104), None, 503),
        page(document_url(105), document(105)),
    ]
    build_snapshot(tmp_path, A, a_pages)
    build_snapshot(tmp_path, B, b_pages)
    return tmp_path


@pytest.fixture
def result(archive):
    return diff_snapshots(archive, A, B)


def by_key(items, kind="article"):
    return {i["key"]: i for i in items if i["kind"] == kind}


def test_json_shape(result):
    assert {"a", "b", "added", "removed", "changed", "unchanged"} <= set(result)
    assert (result["a"], result["b"]) == (A, B)
    assert all({"kind", "key", "url", "title"} <= set(i) for i in result["added"])
    assert all({"kind", "key", "url", "title", "reason"} <= set(i) for i in result["removed"])
    assert all({"kind", "key", "url", "title", "fields"} <= set(i) for i in result["changed"])
    json.dumps(result)  # JSON-ready as is


def test_volatile_counters_nfd_and_whitespace_are_not_changes(result):
    assert 1 not in by_key(result["changed"])
    assert 7 not in by_key(result["changed"])
    # 1, 7 articles and document 101 unchanged
    assert result["unchanged"] == 3


def test_changed_fields_are_named_as_in_parse_json(result):
    changed = by_key(result["changed"])
    assert sorted(changed) == [2, 3, 4, 5, 6]
    assert changed[2]["fields"] == ["title"]
    assert changed[3]["fields"] == ["body_text"]
    assert changed[4]["fields"] == ["authors"]
    assert changed[5]["fields"] == ["images"]
    assert changed[6]["fields"] == ["published_at", "tags", "category", "attachments"]
    docs = by_key(result["changed"], "document")
    assert list(docs) == [102] and docs[102]["fields"] == ["issued_on", "signer"]


def test_word_level_diff_of_changed_text(result):
    changed = by_key(result["changed"])
    title = changed[2]["changes"]["title"]
    assert ["+", "(cập nhật)"] in title["diff"]
    assert not any(op == "-" for op, _ in title["diff"])
    body = changed[3]["changes"]["body_text"]["diff"]
    assert ["-", "rõ rệt"] in body
    assert body[-2:] == [["-", "cao."], ["+", "cao và biên giới."]]
    authors = changed[4]["changes"]["authors"]
    assert authors["a"] == ["Thúy Vân (Văn phòng Tỉnh ủy)"]
    assert ["+", "Minh Anh"] in authors["diff"]
    images = changed[5]["changes"]["images"]["diff"]
    assert any(op == "-" and "Than Uyên" in text for op, text in images)
    assert any(op == "+" and "Hội nghị triển khai" in text for op, text in images)
    assert changed[6]["changes"]["published_at"]["b"] == "2015-03-25T10:21:00+07:00"


def test_word_diff_ignores_normalisation():
    assert word_diff(nfd("Hội  nghị\ntỉnh"), "Hội nghị tỉnh") == [["=", "Hội nghị tỉnh"]]


def test_warc_locations_of_both_versions(result):
    item = by_key(result["changed"])[2]
    assert item["a"]["snapshot_id"] == A and item["b"]["snapshot_id"] == B
    for side in ("a", "b"):
        assert item[side]["warc_file"].endswith(".warc.gz")
        assert isinstance(item[side]["warc_offset"], int)
        assert item[side]["warc_record_id"].startswith("<urn:uuid:")
    assert item["a"]["warc_record_id"] != item["b"]["warc_record_id"]


def test_removed_reasons(result):
    arts = by_key(result["removed"])
    assert {k: v["reason"] for k, v in arts.items()} == {
        8: "http_404", 9: "http_410", 10: "soft_404"}
    assert all(v["deleted"] for v in arts.values())
    assert arts[8]["b"]["status"] == 404
    docs = by_key(result["removed"], "document")
    assert {k: v["reason"] for k, v in docs.items()} == {103: "not_captured",
                                                         104: "not_captured"}
    assert not any(v["deleted"] for v in docs.values())
    assert "did not fetch" in docs[103]["explanation"]
    assert "503" in docs[104]["explanation"]
    assert result["summary"]["deleted"] == 3 and result["summary"]["not_captured"] == 2


def test_added(result):
    assert [(i["kind"], i["key"]) for i in result["added"]] == [("article", 11),
                                                                ("document", 105)]
    assert result["added"][0]["b"]["snapshot_id"] == B


def test_document_renumbered_id_is_matched_by_number(tmp_path):
    build_snapshot(tmp_path, A, [page(document_url(7), document(7))])
    moved = document(70, number="7/CT-UBND", title="Chỉ thị về quản lý (sửa đổi)")
    build_snapshot(tmp_path, B, [page(document_url(70), moved)])
    out = diff_snapshots(tmp_path, A, B)
    assert out["added"] == [] and out["removed"] == []
    (item,) = out["changed"]
    assert (item["key"], item["key_a"], item["matched_by"]) == (70, 7, "number")
    assert item["fields"] == ["title"]


def test_latest_and_previous_shorthands(archive):
    out = diff_snapshots(archive, "previous", "latest")
    assert (out["a"], out["b"]) == (A, B)


def test_clear_errors(archive, tmp_path):
    with pytest.raises(DiffError, match="no snapshot 'nope'"):
        diff_snapshots(archive, "nope", B)
    (archive / "snapshots" / B / "datasets" / "articles.parquet").unlink()
    with pytest.raises(DiffError, match="portal-archive extract"):
        diff_snapshots(archive, A, B)
    create_snapshot(archive, "20261128T020000Z")
    with pytest.raises(DiffError, match="open"):
        diff_snapshots(archive, A, "20261128T020000Z")


# -- reports and CLI -------------------------------------------------------------------------
def test_cli_json_to_stdout(archive, capsys):
    assert main(["diff", A, B, "--archive", str(archive), "--format", "json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["summary"]["changed"] == 6


def test_cli_error_is_one_line(archive, capsys):
    assert main(["diff", A, "nope", "--archive", str(archive)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "no snapshot 'nope'" in err


def test_csv_one_row_per_changed_field_added_and_removed(result):
    rows = list(csv.DictReader(io.StringIO(render(result, "csv"))))
    changed = [r for r in rows if r["change"] == "changed"]
    assert len(changed) == sum(len(i["fields"]) for i in result["changed"])
    assert sum(r["change"] == "added" for r in rows) == 2
    removed = {r["key"]: r for r in rows if r["change"] == "removed" and r["kind"] == "article"}
    assert removed["8"]["reason"] == "http_404" and removed["8"]["a_warc_file"]
    title = next(r for r in changed if r["key"] == "2")
    assert title["field"] == "title" and title["b_value"].endswith("(cập nhật)")


def test_csv_file_has_a_bom_for_spreadsheets(archive, tmp_path):
    out = tmp_path / "diff.csv"
    assert main(["diff", A, B, "--archive", str(archive), "--out", str(out)]) == 0
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbfchange,kind,key,") and b"\r\n" in raw
    assert "cập nhật" in raw.decode("utf-8-sig")


def test_write_report_picks_the_format_from_the_extension(result, tmp_path):
    from audit.diff_report import write_report

    for ext in ("html", "md", "json", "csv"):
        path = write_report(result, tmp_path / "reports" / f"diff.{ext}")
        assert path.read_bytes().decode("utf-8-sig") == render(result, ext)
    assert not list((tmp_path / "reports").glob("*.tmp"))


def test_markdown_report(result):
    md = render(result, "md")
    assert md.startswith(f"# Snapshot diff {A} → {B}")
    assert "{+(cập nhật)+}" in md
    assert "Not captured in B: not deletions (2)" in md
    assert "<script>" not in md


def test_html_report_escapes_archived_content(archive, tmp_path):
    from lxml import html as lxml_html

    out = tmp_path / "report.html"
    assert main(["diff", A, B, "--archive", str(archive), "--out", str(out)]) == 0
    text = out.read_text(encoding="utf-8")
    doc = lxml_html.fromstring(text)
    assert doc.xpath("//script") == []
    assert "&lt;script&gt;document.title=&#x27;PWNED&#x27;&lt;/script&gt;" in text
    assert "Bài mới <script>document.title='PWNED'</script>" in doc.text_content()
    # self-contained: no external stylesheet, image or script reference
    assert doc.xpath("//link|//img|//iframe|//@src") == []
    summary = doc.get_element_by_id("summary").text_content()
    assert "6changed" in summary.replace(" ", "") and "3unchanged" in summary.replace(" ", "")
    assert doc.xpath("//ins[contains(., '(cập nhật)')]")
    assert doc.xpath("//del[contains(., 'rõ rệt')]")


def dump_dom(path, tmp_path) -> str:
    """The DOM after Chromium loaded the page and ran whatever script it could."""
    done = subprocess.run(
        [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
         f"--user-data-dir={tmp_path / 'chromium-profile'}", "--dump-dom", path.as_uri()],
        capture_output=True, text=True, timeout=120, check=True)
    return done.stdout


@pytest.mark.skipif(CHROMIUM is None, reason="headless Chromium is not installed "
                    "(apt-get install chromium); the lxml test above still checks escaping")
def test_html_report_in_headless_chromium(archive, tmp_path):
    # The harness itself: the same payloads, unescaped, do run in this Chromium.
    control = tmp_path / "control.html"
    control.write_text(f"<html><head><title>x</title></head><body><p>{PAYLOAD_TITLE}</p>"
                       f"<p>{PAYLOAD_SIGNER}</p></body></html>", encoding="utf-8")
    dom = dump_dom(control, tmp_path)
    assert "<title>PWNED</title>" in dom and 'data-pwned="1"' in dom

    report = tmp_path / "report.html"
    assert main(["diff", A, B, "--archive", str(archive), "--out", str(report)]) == 0
    dom = dump_dom(report, tmp_path)
    assert "PWNED</title>" not in dom and "data-pwned" not in dom.split("<body", 1)[1][:200]
    assert f"<title>Snapshot diff {A} → {B}</title>" in dom
    # rendered as text, with the highlighted changes and the summary at the top
    assert "Bài mới &lt;script&gt;document.title='PWNED'&lt;/script&gt;" in dom
    assert "<ins>(cập nhật)</ins>" in dom
    assert dom.index('id="summary"') < dom.index("Changed (6)")
