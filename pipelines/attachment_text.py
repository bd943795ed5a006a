"""The text of an attachment: bytes + URL + content type in, one record out (or a reason why not).

`read_attachment(body, url, content_type, options)` looks at the bytes first (the declared
type and the file name are often wrong on a portal: RTF served as `.doc`, an HTML error page
served as a PDF) and reads them with a maintained library or tool:

| file type | how | method |
|---|---|---|
| PDF | pypdfium2's text layer, page by page | `text-layer` |
| PDF page with no text layer (scan) | rendered by pypdfium2 at 300 dpi, read by Tesseract | `ocr` |
| DOCX | python-docx: paragraphs, then table cells | `docx` |
| DOC (Word 97–2003) | Debian's `antiword` (`catdoc` when antiword is missing) | `doc` |
| XLSX / XLS | openpyxl / xlrd: cell values, a row per line | `xlsx` / `xls` |
| ODT | odfpy: text of every paragraph and heading | `odt` |
| RTF | striprtf | `rtf` |
| TXT | UTF-8 (with or without BOM), else windows-1258 | `txt` |

A PDF that mixes both gets `text-layer+ocr`. `ocr` is `auto` (pages with no text layer),
`never` or `always` (every page, the text layer ignored). OCR pages run in parallel, one
Tesseract process per page (`OMP_THREAD_LIMIT=1`), on `ocr_jobs` threads (default: every
core), within the per-file `time_limit`.

Files that cannot be read raise `AttachmentError` with a one-line reason: encrypted or
password-protected, corrupt, truncated (a PDF without its `%%EOF` trailer), oversize, content
that is not what it says (an HTML page served as a PDF), a missing tool, the time limit.

The text is NFC, one line per line of the source (whitespace inside lines collapsed, empty
lines dropped). `guess_language` is py3langid's guess (ISO 639-1) on the first 5,000
characters, or None for under 20 letters; the row builder calls it, not `read_attachment`
(see there). Nothing here knows about WARCs, tables or the crawl.
"""

from __future__ import annotations

import io
import os
import re
import shutil
import subprocess
import tempfile
import threading
import time
import unicodedata
import zipfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from urllib.parse import urlsplit

OCR_MODES = ("auto", "never", "always")
DEFAULT_TIME_LIMIT = 300.0  # seconds per file
DEFAULT_MAX_BYTES = 100 << 20
OCR_DPI = 300
# A page whose text layer has fewer letters than this is treated as a scan (a stray page
# number or a scanner's header does not make a text layer).
MIN_LAYER_LETTERS = 20
OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


class AttachmentError(Exception):
    """An attachment whose text cannot be had; the message is the reason (one line)."""

    def __init__(self, reason: str, file_type: str | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.file_type = file_type


@dataclass(frozen=True)
class TextOptions:
    """How attachments are read: OCR mode, per-file time limit, size limit, OCR threads."""

    ocr: str = "auto"
    time_limit: float = DEFAULT_TIME_LIMIT
    max_bytes: int = DEFAULT_MAX_BYTES
    ocr_jobs: int | None = None  # None: os.cpu_count()
    ocr_language: str = "vie"

    def __post_init__(self) -> None:
        if self.ocr not in OCR_MODES:
            raise ValueError(f"ocr must be one of {', '.join(OCR_MODES)}, not {self.ocr!r}")
        if self.time_limit <= 0:
            raise ValueError("the OCR time limit must be positive")


# -- which file is it --------------------------------------------------------------------------
def declared_type(url: str, content_type: str | None) -> str | None:
    """The file type the response claims (media type, else the URL's extension)."""
    media = (content_type or "").split(";", 1)[0].strip().lower()
    by_media = {
        "application/pdf": "pdf", "application/x-pdf": "pdf",
        "application/msword": "doc",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "docx",
        "application/vnd.ms-excel": "xls",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "xlsx",
        "application/vnd.oasis.opendocument.text": "odt",
        "application/rtf": "rtf", "text/rtf": "rtf",
    }
    if media in by_media:
        return by_media[media]
    path = urlsplit(url).path.lower()
    ext = path.rsplit(".", 1)[-1] if "." in path.rsplit("/", 1)[-1] else ""
    if ext in ("pdf", "doc", "docx", "xls", "xlsx", "odt", "rtf"):
        return ext
    if ext == "txt" and media in ("", "text/plain", "application/octet-stream") \
            and not path.endswith("/robots.txt"):
        return "txt"
    return None


def sniff(body: bytes, declared: str | None) -> str:
    """The file type the bytes show; AttachmentError when they are not a document."""
    head = body[:1024]
    if b"%PDF-" in head:
        return "pdf"
    if body.startswith(OLE2_MAGIC):
        if "EncryptedPackage".encode("utf-16-le") in body[:1 << 20]:
            raise AttachmentError("encrypted (password-protected) Office document",
                                  declared)
        if "Workbook".encode("utf-16-le") in body or declared == "xls":
            return "xls"
        return "doc"
    if body.startswith(b"PK\x03\x04"):
        return _zip_type(body, declared)
    if head.lstrip().startswith(b"{\\rtf"):
        return "rtf"
    lowered = head.lstrip().lower()
    if lowered.startswith((b"<!doctype html", b"<html")) or b"<html" in lowered[:200]:
        raise AttachmentError(f"not a {(declared or 'document').upper()}: the content is an "
                              "HTML page", declared)
    if declared == "txt":
        return "txt"
    raise AttachmentError(f"not a {(declared or 'document').upper()}: unrecognised content "
                          f"(starts {body[:8]!r})", declared)


def _zip_type(body: bytes, declared: str | None) -> str:
    try:
        with zipfile.ZipFile(io.BytesIO(body)) as z:
            names = set(z.namelist())
            if "word/document.xml" in names:
                return "docx"
            if "xl/workbook.xml" in names:
                return "xlsx"
            if "mimetype" in names and z.read("mimetype").startswith(
                    b"application/vnd.oasis.opendocument.text"):
                return "odt"
    except (zipfile.BadZipFile, OSError, EOFError, KeyError) as exc:
        raise AttachmentError(f"corrupt or truncated zip container: {_one_line(exc)}",
                              declared) from None
    raise AttachmentError("a zip archive, not a document", declared)


# -- the record --------------------------------------------------------------------------------
def read_attachment(body: bytes, url: str, content_type: str | None,
                    options: TextOptions | None = None) -> dict:
    """`{"file_type", "method", "pages", "ocr_pages", "characters", "seconds", "text"}` for one
    attachment; AttachmentError (with `.reason`) when it cannot be read.

    No language guess here: loading py3langid's model costs about 0.55 s of CPU per process,
    which every `extract --jobs` worker paid again (bench_attachments.py: a third of a 2-job
    run's extra CPU); the row builder (`pipelines.rows`) guesses it in the one process that
    writes the tables."""
    options = options or TextOptions()
    start = time.monotonic()
    declared = declared_type(url, content_type)
    if len(body) > options.max_bytes:
        raise AttachmentError(f"oversize: {len(body)} bytes, the limit is {options.max_bytes}",
                              declared)
    if not body:
        raise AttachmentError("empty file", declared)
    file_type = sniff(body, declared)
    try:
        reader = _READERS[file_type]
        text, method, pages, ocr_pages = reader(body, options, start)
    except AttachmentError as exc:
        exc.file_type = exc.file_type or file_type
        raise
    except Exception as exc:  # noqa: BLE001 - every library fails its own way on bad bytes
        raise AttachmentError(f"corrupt {file_type.upper()}: {_one_line(exc)}",
                              file_type) from None
    text = clean_text(text)
    return {"file_type": file_type, "method": method, "pages": pages, "ocr_pages": ocr_pages,
            "characters": len(text), "seconds": round(time.monotonic() - start, 3), "text": text}


def clean_text(text: str) -> str:
    """NFC, one line per source line, whitespace inside lines collapsed, no empty lines."""
    text = unicodedata.normalize("NFC", text.replace("\x00", ""))
    lines = (" ".join(line.split()) for line in re.split(r"[\r\n\f\v\u2028\u2029]+", text))
    return "\n".join(line for line in lines if line)


_langid_lock = threading.Lock()


def guess_language(text: str) -> str | None:
    """py3langid's best guess on the first 5,000 characters (None for under 20 letters)."""
    sample = text[:5000]
    if sum(ch.isalpha() for ch in sample) < 20:
        return None
    with _langid_lock:  # its model loads on first use
        import py3langid

        return py3langid.classify(sample)[0]


# -- PDF ---------------------------------------------------------------------------------------
def _read_pdf(body: bytes, options: TextOptions, start: float) -> tuple[str, str, int, int]:
    import pypdfium2 as pdfium

    if b"%%EOF" not in body[-2048:]:
        # PDFium would rebuild what it can of a cut file without a word; an archive should
        # say the copy is incomplete rather than index half a decision as the decision.
        raise AttachmentError("truncated PDF: no %%EOF trailer at the end", "pdf")
    try:
        pdf = pdfium.PdfDocument(body)
    except pdfium.PdfiumError as exc:
        message = str(exc)
        if "password" in message.lower():
            raise AttachmentError("encrypted PDF: a password is needed to open it",
                                  "pdf") from None
        raise AttachmentError(f"corrupt PDF: {_one_line(exc)}", "pdf") from None
    try:
        n = len(pdf)
        texts: list[str | None] = []
        scans: list[int] = []
        for i in range(n):
            page = pdf[i]
            layer = ""
            if options.ocr != "always":
                textpage = page.get_textpage()
                layer = textpage.get_text_bounded()
                textpage.close()
            if options.ocr != "never" and sum(c.isalpha() for c in layer) < MIN_LAYER_LETTERS:
                scans.append(i)
                texts.append(None)
            else:
                texts.append(layer)
            page.close()
        if scans:
            for i, text in _ocr_pages(pdf, scans, options, start).items():
                texts[i] = text
    finally:
        pdf.close()
    if not scans:
        method = "text-layer"
    elif len(scans) == n:
        method = "ocr"
    else:
        method = "text-layer+ocr"
    return "\n".join(t or "" for t in texts), method, n, len(scans)


def _ocr_pages(pdf, pages: list[int], options: TextOptions, start: float) -> dict[int, str]:
    """Tesseract on the rendered pages, `ocr_jobs` at a time; PDFium renders one page at a
    time in this thread (it is not thread-safe), Tesseract runs in its own processes."""
    tesseract = shutil.which("tesseract")
    if tesseract is None:
        raise AttachmentError("OCR needed but Tesseract is not installed (Debian: "
                              "tesseract-ocr, tesseract-ocr-vie)", "pdf")
    jobs = max(1, options.ocr_jobs or os.cpu_count() or 1)
    deadline = start + options.time_limit
    out: dict[int, str] = {}
    with ThreadPoolExecutor(max_workers=jobs) as pool:
        pending = []
        try:
            for i in pages:
                if time.monotonic() >= deadline:
                    raise _OcrTimeout
                page = pdf[i]
                image = page.render(scale=OCR_DPI / 72, grayscale=True).to_pil()
                page.close()
                png = io.BytesIO()
                image.save(png, "PNG", compress_level=1)
                pending.append((i, pool.submit(_tesseract, tesseract, png.getvalue(),
                                               options.ocr_language, deadline)))
                while len(pending) > 2 * jobs:  # bounded: rendered pages are MBs each
                    j, future = pending.pop(0)
                    out[j] = future.result()
            for j, future in pending:
                out[j] = future.result()
        except _OcrTimeout:
            for _, future in pending:
                future.cancel()
            raise AttachmentError(f"OCR time limit of {options.time_limit:g} s reached after "
                                  f"{len(out)} of {len(pages)} scanned pages", "pdf") from None
    return out


class _OcrTimeout(Exception):
    pass


def _tesseract(tesseract: str, image: bytes, language: str, deadline: float) -> str:
    remaining = deadline - time.monotonic()
    if remaining <= 0:
        raise _OcrTimeout
    env = dict(os.environ, OMP_THREAD_LIMIT="1")  # one core per page: pages run in parallel
    try:
        done = subprocess.run([tesseract, "stdin", "stdout", "-l", language, "--dpi",
                               str(OCR_DPI), "--psm", "3"], input=image, capture_output=True,
                              timeout=remaining, env=env, check=False)
    except subprocess.TimeoutExpired:
        raise _OcrTimeout from None
    if done.returncode != 0:
        detail = done.stderr.decode("utf-8", "replace").strip().splitlines()
        raise AttachmentError(f"Tesseract failed ({done.returncode}): "
                              f"{detail[-1] if detail else 'no message'}", "pdf")
    return done.stdout.decode("utf-8", "replace")


# -- Office and the rest -----------------------------------------------------------------------
def _read_docx(body: bytes, options: TextOptions, start: float) -> tuple[str, str, None, int]:
    import docx

    document = docx.Document(io.BytesIO(body))
    lines = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            lines.append(" ".join(cell.text for cell in row.cells))
    return "\n".join(lines), "docx", None, 0


def _read_doc(body: bytes, options: TextOptions, start: float) -> tuple[str, str, None, int]:
    antiword, catdoc = shutil.which("antiword"), shutil.which("catdoc")
    if antiword is None and catdoc is None:
        raise AttachmentError("no DOC reader installed (Debian: antiword or catdoc)", "doc")
    with tempfile.NamedTemporaryFile(suffix=".doc") as fh:  # both read from a path
        fh.write(body)
        fh.flush()
        cmd = ([antiword, "-m", "UTF-8.txt", "-w", "0", fh.name] if antiword
               else [catdoc, "-d", "utf-8", "-w", fh.name])
        remaining = max(1.0, start + options.time_limit - time.monotonic())
        try:
            done = subprocess.run(cmd, capture_output=True, timeout=remaining, check=False)
        except subprocess.TimeoutExpired:
            raise AttachmentError("DOC reader time limit reached", "doc") from None
    message = done.stderr.decode("utf-8", "replace").strip()
    if done.returncode != 0 or (not done.stdout.strip() and message):
        lowered = message.lower()
        if "encrypt" in lowered or "password" in lowered:
            raise AttachmentError("encrypted DOC: a password is needed to open it", "doc")
        line = message.splitlines()[-1] if message else f"exit status {done.returncode}"
        raise AttachmentError(f"corrupt DOC: {_one_line(line)}", "doc")
    return done.stdout.decode("utf-8", "replace"), "doc", None, 0


def _read_xlsx(body: bytes, options: TextOptions, start: float) -> tuple[str, str, int, int]:
    import openpyxl

    book = openpyxl.load_workbook(io.BytesIO(body), read_only=True, data_only=True)
    lines = []
    try:
        for sheet in book.worksheets:
            for row in sheet.iter_rows(values_only=True):
                cells = [str(v) for v in row if v is not None and str(v).strip()]
                if cells:
                    lines.append(" ".join(cells))
        sheets = len(book.worksheets)
    finally:
        book.close()
    return "\n".join(lines), "xlsx", sheets, 0


def _read_xls(body: bytes, options: TextOptions, start: float) -> tuple[str, str, int, int]:
    import xlrd

    book = xlrd.open_workbook(file_contents=body, on_demand=True)
    lines = []
    for sheet in book.sheets():
        for r in range(sheet.nrows):
            cells = [str(v) for v in sheet.row_values(r) if str(v).strip()]
            if cells:
                lines.append(" ".join(cells))
    return "\n".join(lines), "xls", book.nsheets, 0


def _read_odt(body: bytes, options: TextOptions, start: float) -> tuple[str, str, None, int]:
    from odf import teletype, text
    from odf.opendocument import load

    document = load(io.BytesIO(body))
    lines = [teletype.extractText(el) for el in
             document.getElementsByType(text.H) + document.getElementsByType(text.P)]
    return "\n".join(lines), "odt", None, 0


def _read_rtf(body: bytes, options: TextOptions, start: float) -> tuple[str, str, None, int]:
    from striprtf.striprtf import rtf_to_text

    return rtf_to_text(body.decode("latin-1"), errors="ignore"), "rtf", None, 0


def _read_txt(body: bytes, options: TextOptions, start: float) -> tuple[str, str, None, int]:
    try:
        text = body.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = body.decode("cp1258", errors="replace")
    return text, "txt", None, 0


_READERS = {"pdf": _read_pdf, "docx": _read_docx, "doc": _read_doc, "xlsx": _read_xlsx,
            "xls": _read_xls, "odt": _read_odt, "rtf": _read_rtf, "txt": _read_txt}


def _one_line(exc: object, limit: int = 160) -> str:
    text = " ".join(str(exc).split()) or type(exc).__name__
    text = "".join(c if c.isprintable() else "?" for c in text)
    return text if len(text) <= limit else text[: limit - 1] + "…"

