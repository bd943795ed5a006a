"""Attachment text (pipelines.attachment_text) on the replica's real files and a few more.

The acceptance bar of issue 16: text-layer PDFs, DOCX and DOC give their ground-truth text
(at least 99% of characters after NFC and whitespace normalisation), scans give at least 90%
of their key sentences through Tesseract, and every broken file is refused with a reason.
"""

from __future__ import annotations

import difflib
import io
import os
import shutil
import unicodedata

import pytest

from pipelines.attachment_text import AttachmentError, TextOptions, guess_language, read_attachment
from pipelines.reading import attachment_record
from replica import ReplicaConfig, Site
from replica import attachments as replica_files
from replica.site import to_cp1258

CI = os.environ.get("CI") == "true"


def need(tool: str) -> None:
    """Skip on a developer machine without `tool`; under CI a missing tool is a failure."""
    if shutil.which(tool) is None:
        if CI:
            pytest.fail(f"{tool} is missing (.ci/run installs it)")
        pytest.skip(f"{tool} is not installed")


def tesseract_vie() -> None:
    need("tesseract")
    import subprocess

    langs = subprocess.run(["tesseract", "--list-langs"], capture_output=True, text=True).stdout
    if "vie" not in langs.split():
        if CI:
            pytest.fail("Tesseract has no Vietnamese data (tesseract-ocr-vie)")
        pytest.skip("tesseract-ocr-vie is not installed")


def norm(text: str) -> str:
    return " ".join(unicodedata.normalize("NFC", text).split())


def char_ratio(expected: str, got: str) -> float:
    """Share of the expected characters found in order (difflib's matching blocks)."""
    a, b = norm(expected), norm(got)
    if a == b:
        return 1.0
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    return sum(block.size for block in matcher.get_matching_blocks()) / max(1, len(a))


def found_sentences(key_sentences: list[str], text: str) -> float:
    haystack = norm(text).casefold()
    return sum(norm(k).casefold() in haystack for k in key_sentences) / len(key_sentences)


@pytest.fixture(scope="module")
def served() -> list[tuple[dict, bytes, str]]:
    """Every attachment of a replica with one of each kind: (truth, bytes, content type)."""
    site = Site(ReplicaConfig(articles=40, documents=20))
    out = []
    for truth in site.attachments(base="http://127.0.0.1:8080"):
        status, headers, body = site.render(truth["url"].removeprefix("http://127.0.0.1:8080"))
        assert status == 200
        out.append((truth, body, headers["Content-Type"]))
    assert {t["kind"] for t, _, _ in out} == set(replica_files.KINDS)
    return out


@pytest.mark.parametrize("kind", ["pdf", "docx", "doc", "rtf"])
def test_text_files_give_their_ground_truth(served, kind):
    if kind == "doc":
        need("antiword")
    files = [(t, b, c) for t, b, c in served if t["kind"] == kind]
    assert files
    method = {"pdf": "text-layer"}.get(kind, kind)
    for truth, body, ctype in files:
        record = read_attachment(body, truth["url"], ctype)
        assert record["method"] == method and record["ocr_pages"] == 0
        assert char_ratio(truth["text"], record["text"]) >= 0.99, truth["url"]
        assert record["text"] == unicodedata.normalize("NFC", record["text"])
        assert record["characters"] == len(record["text"])
        assert guess_language(record["text"]) == "vi"
        assert (record["pages"] or 0) >= (1 if kind == "pdf" else 0)


def test_scans_are_read_by_ocr(served):
    tesseract_vie()
    scans = [(t, b, c) for t, b, c in served if t["kind"] == "scan"]
    assert scans
    for truth, body, ctype in scans:
        record = read_attachment(body, truth["url"], ctype, TextOptions(ocr="auto"))
        assert (record["method"], record["pages"], record["ocr_pages"]) == ("ocr", 1, 1)
        assert found_sentences(truth["key_sentences"], record["text"]) >= 0.9, record["text"]
        assert guess_language(record["text"]) == "vi"
        # --ocr never: the page has no text layer, so no text, and no OCR time spent
        never = read_attachment(body, truth["url"], ctype, TextOptions(ocr="never"))
        assert (never["method"], never["ocr_pages"], never["text"]) == ("text-layer", 0, "")


def test_broken_files_are_refused_with_their_reason(served):
    reasons = {"truncated": "truncated PDF", "encrypted": "encrypted PDF: a password",
               "notpdf": "not a PDF: the content is an HTML page"}
    broken = [(t, b, c) for t, b, c in served if t["broken"]]
    assert {t["kind"] for t, _, _ in broken} == set(reasons)
    for truth, body, ctype in broken:
        with pytest.raises(AttachmentError) as err:
            read_attachment(body, truth["url"], ctype)
        assert err.value.reason.startswith(reasons[truth["kind"]])
        assert err.value.file_type == "pdf"
        # what the tables get: a record with the reason, the run goes on
        assert attachment_record(body, truth["url"], ctype)["error"] == err.value.reason


def test_ocr_always_reads_pixels_of_a_text_pdf():
    tesseract_vie()
    title = "Quyết định phê duyệt kế hoạch bảo vệ rừng"
    lines = ("Ủy ban nhân dân tỉnh Lai Châu giao Sở Nông nghiệp chủ trì thực hiện.",)
    body = replica_files.text_pdf(title, lines)
    record = read_attachment(body, "http://x/a.pdf", "application/pdf",
                             TextOptions(ocr="always"))
    assert (record["method"], record["ocr_pages"]) == ("ocr", 1)
    assert char_ratio("\n".join((title, *lines)), record["text"]) >= 0.97


def test_limits_give_rejects():
    body = replica_files.scan_pdf("Thông báo kết quả tuyển dụng công chức", ("Nội dung.",))
    if shutil.which("tesseract"):
        with pytest.raises(AttachmentError, match="OCR time limit of 0.001 s"):
            read_attachment(body, "http://x/a.pdf", "application/pdf",
                            TextOptions(time_limit=0.001))
    with pytest.raises(AttachmentError, match=r"^oversize: \d+ bytes, the limit is 1000$"):
        read_attachment(body, "http://x/a.pdf", "application/pdf", TextOptions(max_bytes=1000))
    with pytest.raises(AttachmentError, match="^empty file$"):
        read_attachment(b"", "http://x/a.pdf", "application/pdf")
    with pytest.raises(ValueError, match="ocr must be one of"):
        TextOptions(ocr="sometimes")


def test_other_office_formats_and_plain_text():
    import openpyxl
    from odf.opendocument import OpenDocumentText
    from odf.text import P

    text = "Báo cáo tình hình phát triển kinh tế xã hội tỉnh Lai Châu năm 2025"
    book = openpyxl.Workbook()
    book.active.append(["STT", "Nội dung"])
    book.active.append([1, text])
    xlsx = io.BytesIO()
    book.save(xlsx)
    record = read_attachment(xlsx.getvalue(), "http://x/bao-cao.xlsx", None)
    assert (record["file_type"], record["method"], record["pages"]) == ("xlsx", "xlsx", 1)
    assert record["text"] == f"STT Nội dung\n1 {text}"

    odt = OpenDocumentText()
    odt.text.addElement(P(text=text))
    out = io.BytesIO()
    odt.save(out)
    record = read_attachment(out.getvalue(), "http://x/f?id=1",
                             "application/vnd.oasis.opendocument.text")
    assert (record["file_type"], record["text"]) == ("odt", text)

    # a .txt in windows-1258 (a base letter plus a combining tone mark), read back as NFC
    cp1258 = to_cp1258(text)
    assert cp1258 != text.encode("cp1258", errors="replace")  # tone marks apart
    record = read_attachment(cp1258, "http://x/thong-bao.txt", "text/plain")
    assert (record["file_type"], record["text"]) == ("txt", text)

    # a DOCX cut short is a corrupt zip; a zip of other things is not a document
    docx = replica_files.docx(text, ("Một dòng.",))
    with pytest.raises(AttachmentError, match="corrupt or truncated zip"):
        read_attachment(docx[: len(docx) // 2], "http://x/a.docx", None)
    with pytest.raises(AttachmentError, match="unrecognised content"):
        read_attachment(b"\x00\x01binary", "http://x/a.doc", "application/msword")


def test_which_captures_are_attachments():
    from pipelines.selection import wants_text

    def info(url, ctype, status=200):
        return {"url": url, "content_type": ctype, "status": status}

    assert wants_text(info("http://x/vi/laws/detail/a-1/?download=1&id=0", "application/pdf"))
    assert wants_text(info("http://x/files/ke-hoach.DOCX", "application/octet-stream"))
    assert wants_text(info("http://x/a.txt", "text/plain"))
    assert not wants_text(info("http://x/robots.txt", "text/plain"))
    assert not wants_text(info("http://x/a.pdf", "application/pdf", status=404))
    assert not wants_text(info("http://x/a.pdf", "text/html; charset=utf-8"))  # a page
    assert not wants_text(info("http://x/logo.png", "image/png"))


def test_bad_ocr_settings_are_one_line(tmp_path):
    from e2e import cli

    proc = cli("crawl", "http://127.0.0.1:9/", "--archive", str(tmp_path / "a"), "--set",
               "PORTAL_OCR=sometimes", check=False)
    assert proc.returncode != 0 and "Traceback" not in proc.stderr
    assert proc.stderr.strip().splitlines()[-1].endswith(
        "attachment text settings: ocr must be one of auto, never, always, not 'sometimes'")
    warc = tmp_path / "x.warc.gz"
    warc.write_bytes(b"")
    proc = cli("extract", str(warc), "--snapshot", "S1", "--archive", str(tmp_path / "b"),
               "--ocr-time-limit", "0", check=False)
    assert proc.returncode != 0 and "Traceback" not in proc.stderr
    assert proc.stderr.strip().endswith("--ocr-time-limit must be positive")
    assert not (tmp_path / "b").exists()  # nothing written
