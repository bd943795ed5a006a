"""The files attached to documents and articles: real PDFs, scans, DOCX, DOC, RTF, broken ones.

Each attachment is a `kind` plus the text it carries (a title and lines, from the site model):

- `pdf`: a text-layer PDF, DejaVu Sans embedded (fpdf2); `.pdf`, application/pdf.
- `scan`: a scanned PDF, one page image of the text drawn by Pillow in DejaVu Sans, no text
  layer; `.pdf`.
- `docx`: Word 2007+ (python-docx), zip entries dated 1980-01-01; `.docx`.
- `doc`: Word 97 binary, a fixed file of `replica/files/` (its README says how it was made);
  `.doc`, application/msword.
- `rtf`: RTF served as `.doc` with application/msword, as many portals do.
- `truncated`: a `pdf` cut after 55% of its bytes (an upload that never finished).
- `encrypted`: a `pdf` that needs a password to open (RC4, user password set).
- `notpdf`: the portal's HTML error page, served as the PDF.

Every output is a pure function of its arguments (fixed creation dates, RC4 rather than AES,
whose IVs are random; zip entries with a fixed date), so the same seed gives the same bytes.
The fonts come from Debian's `fonts-dejavu-core` (or matplotlib's copy of DejaVu Sans).

`truth(kind, title, lines)` is the ground truth: the text a reader should get back, the key
sentences of a scan (what OCR must find), or the reason a broken file cannot be read.
"""

from __future__ import annotations

import atexit
import contextlib
import functools
import importlib.util
import io
import os
import tempfile
import zipfile
from datetime import UTC, datetime
from pathlib import Path

KINDS = ("pdf", "scan", "docx", "doc", "rtf", "truncated", "encrypted", "notpdf")
BROKEN = {"truncated": "truncated", "encrypted": "encrypted", "notpdf": "not_pdf"}
DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
EXTENSION = {"docx": ".docx", "doc": ".doc", "rtf": ".doc"}
CONTENT_TYPE = {"docx": DOCX_TYPE, "doc": "application/msword", "rtf": "application/msword"}
FILES = Path(__file__).parent / "files"
DOC_FIXTURES = ("phu-luc-a", "phu-luc-b")  # replica/files/<name>.doc and .txt
PASSWORD = "laichau2015"  # the encrypted PDFs' user password (no reader is given it)
_EPOCH = datetime(2015, 1, 1, tzinfo=UTC)

# Where DejaVu Sans may be: Debian's fonts-dejavu-core, then matplotlib's bundled copy.
_FONT_DIRS = ("/usr/share/fonts/truetype/dejavu",)


def extension(kind: str) -> str:
    return EXTENSION.get(kind, ".pdf")


def content_type(kind: str) -> str:
    return CONTENT_TYPE.get(kind, "application/pdf")


@functools.lru_cache(maxsize=1)
def font_path() -> Path:
    """DejaVu Sans: a real font with every Vietnamese letter."""
    dirs = [Path(d) for d in _FONT_DIRS]
    spec = importlib.util.find_spec("matplotlib")
    if spec is not None and spec.origin:
        dirs.append(Path(spec.origin).parent / "mpl-data" / "fonts" / "ttf")
    for d in dirs:
        if (d / "DejaVuSans.ttf").is_file():
            return d / "DejaVuSans.ttf"
    raise FileNotFoundError("DejaVuSans.ttf not found: install Debian's fonts-dejavu-core")


# ASCII, the Vietnamese letters (precomposed, NFC), quotes and dashes: 250 glyphs of 6,000.
_VIETNAMESE = [*range(0x20, 0x7F), *map(ord, "ÀÁÂÃÈÉÊÌÍÒÓÔÕÙÚÝàáâãèéêìíòóôõùúýĂăĐđĨĩŨũƠơƯư"),
               *range(0x1EA0, 0x1EFA), *map(ord, "–—‘’“”…«»°×")]


@functools.lru_cache(maxsize=1)
def _pdf_font() -> str:
    """DejaVu Sans cut down to the Vietnamese letters, in a temporary file for fpdf2.

    fpdf2 parses the whole font (6,000 glyphs) for every PDF: 170 ms each, so a crawl of the
    default replica spent seconds of the server's CPU on its PDFs. With the subset (once per
    process, 0.9 s) a PDF takes 25 ms. fpdf2 reads fonts only from a path.
    """
    from fontTools import subset
    from fontTools.ttLib import TTFont

    options = subset.Options()
    # No layout tables and no hinting: NFC Vietnamese needs neither (every letter is one
    # precomposed glyph), and fpdf2 subsets the font again for every PDF, 5x faster without.
    options.layout_features = []
    options.hinting = False
    options.name_IDs = ["*"]
    options.notdef_outline = True
    options.drop_tables += ["FFTM", "GSUB", "GPOS", "GDEF", "kern"]
    font = TTFont(font_path(), recalcTimestamp=False)  # no "modified: now" in the PDFs
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=_VIETNAMESE)
    subsetter.subset(font)
    folder = tempfile.mkdtemp(prefix="replica-font-")
    path = os.path.join(folder, "DejaVuSans-vi.ttf")
    font.save(path)

    def _remove() -> None:
        with contextlib.suppress(OSError):
            os.remove(path)
            os.rmdir(folder)
    atexit.register(_remove)
    return path


def _fpdf(created: datetime):
    from fpdf import FPDF

    pdf = FPDF(format="A4")
    pdf.set_creation_date(created)
    pdf.set_auto_page_break(True, margin=15)
    return pdf


def _paragraph(pdf, text: str, height: float) -> None:
    """Greedy word wrap, one `cell` per line. fpdf2's multi_cell measures the text a character
    at a time: 0.2 s for a page of text, the whole cost of the replica's PDFs."""
    room = pdf.w - pdf.l_margin - pdf.r_margin
    size = pdf.font_size_pt
    space = _width(pdf, size, " ")
    line: list[str] = []
    width = 0.0
    for word in text.split():
        w = _width(pdf, size, word)
        if line and width + space + w > room:
            pdf.cell(0, height, " ".join(line), new_x="LMARGIN", new_y="NEXT")
            line, width = [], 0.0
        width += (space if line else 0.0) + w
        line.append(word)
    pdf.cell(0, height, " ".join(line), new_x="LMARGIN", new_y="NEXT")


_WIDTHS: dict[tuple[float, str], float] = {}


def _width(pdf, size: float, word: str) -> float:
    # Syllables repeat: measuring each once per process halves the cost of a PDF.
    key = (size, word)
    w = _WIDTHS.get(key)
    if w is None:
        if len(_WIDTHS) > 100_000:
            _WIDTHS.clear()
        w = _WIDTHS[key] = pdf.get_string_width(word)
    return w


def text_pdf(title: str, lines: tuple[str, ...], created: datetime = _EPOCH,
             password: str | None = None) -> bytes:
    """A PDF whose pages carry `title` and `lines` as real text (DejaVu Sans, wrapped)."""
    pdf = _fpdf(created)
    pdf.add_font("DejaVu", fname=_pdf_font())
    pdf.set_title(title)
    pdf.add_page()
    pdf.set_font("DejaVu", size=14)
    _paragraph(pdf, title, 8)
    pdf.ln(3)
    pdf.set_font("DejaVu", size=11)
    for line in lines:
        _paragraph(pdf, line, 6)
        pdf.ln(2)
    if password is not None:
        pdf.set_encryption(owner_password=password + "-owner", user_password=password)
    return bytes(pdf.output())


# A scan at 200 dpi: an A4 width in pixels, text at about 12 pt.
_SCAN_WIDTH, _SCAN_MARGIN, _SCAN_FONT_PX, _SCAN_LINE_PX = 1654, 110, 34, 50


def scan_image(title: str, lines: tuple[str, ...]):
    """The page as a scanner would give it: black text on white, 1 bit per pixel."""
    from PIL import Image, ImageDraw, ImageFont

    font = ImageFont.truetype(str(font_path()), _SCAN_FONT_PX)
    rows: list[str | None] = []
    probe = ImageDraw.Draw(Image.new("1", (1, 1)))
    for para in (title, *lines):
        current = ""
        for word in para.split():
            wider = f"{current} {word}".strip()
            if current and probe.textlength(wider, font=font) > _SCAN_WIDTH - 2 * _SCAN_MARGIN:
                rows.append(current)
                current = word
            else:
                current = wider
        rows += [current, None]  # None: the gap between paragraphs
    height = 2 * _SCAN_MARGIN + sum(_SCAN_LINE_PX if r else _SCAN_LINE_PX // 2 for r in rows)
    img = Image.new("L", (_SCAN_WIDTH, height), 255)
    draw = ImageDraw.Draw(img)
    y = _SCAN_MARGIN
    for row in rows:
        if row:
            draw.text((_SCAN_MARGIN, y), row, font=font, fill=0)
        y += _SCAN_LINE_PX if row else _SCAN_LINE_PX // 2
    return img.convert("1", dither=Image.Dither.NONE)


def scan_pdf(title: str, lines: tuple[str, ...], created: datetime = _EPOCH) -> bytes:
    """A one-page PDF holding only the scanned image (no text layer), A4 wide."""
    from fpdf import FPDF

    img = scan_image(title, lines)
    width_pt = 595.28
    height_pt = img.height * width_pt / img.width
    pdf = FPDF(unit="pt", format=(width_pt, height_pt))
    pdf.set_creation_date(created)
    pdf.set_auto_page_break(False)
    pdf.add_page()
    pdf.image(img, x=0, y=0, w=width_pt, h=height_pt)
    return bytes(pdf.output())


def docx(title: str, lines: tuple[str, ...], created: datetime = _EPOCH) -> bytes:
    """A DOCX with a heading and one paragraph per line (python-docx), fixed dates."""
    import docx as python_docx

    document = python_docx.Document()
    document.add_heading(title, level=1)
    for line in lines:
        document.add_paragraph(line)
    props = document.core_properties
    props.created = props.modified = created.replace(tzinfo=None)
    props.author = props.last_modified_by = "UBND tỉnh Lai Châu"
    out = io.BytesIO()
    document.save(out)
    return _fixed_zip_dates(out.getvalue())


def _fixed_zip_dates(data: bytes) -> bytes:
    # python-docx stamps each zip entry with the time of saving: same entries, fixed date.
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, \
            zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=(1980, 1, 1, 0, 0, 0))
            fixed.compress_type = zipfile.ZIP_DEFLATED
            dst.writestr(fixed, src.read(info))
    return out.getvalue()


def rtf(title: str, lines: tuple[str, ...]) -> bytes:
    """An RTF document in Unicode escapes (served as application/msword)."""
    def esc(s: str) -> str:
        out = []
        for ch in s:
            if ch in "\\{}":
                out.append("\\" + ch)
            elif ord(ch) < 128:
                out.append(ch)
            else:
                code = ord(ch)
                out.append(f"\\u{code if code < 32768 else code - 65536}?")
        return "".join(out)

    body = ["{\\rtf1\\ansi\\ansicpg1258\\deff0{\\fonttbl{\\f0 Times New Roman;}}",
            "\\f0\\fs28\\b " + esc(title) + "\\b0\\par"]
    body += ["\\fs24 " + esc(line) + "\\par" for line in lines]
    body.append("}")
    return "\n".join(body).encode("ascii")


def doc_fixture(key: int) -> str:
    """Which fixed Word 97 file stands for attachment `key`."""
    return DOC_FIXTURES[key % len(DOC_FIXTURES)]


def not_pdf(title: str) -> bytes:
    return ("<!DOCTYPE html><html lang=\"vi\"><head><meta charset=\"utf-8\"><title>Lỗi tải "
            "tập tin</title></head><body><h1>Không tìm thấy tập tin</h1><p>Tập tin đính kèm "
            f"của văn bản &quot;{title}&quot; đã bị xóa hoặc chưa được tải lên.</p></body>"
            "</html>").encode()


@functools.lru_cache(maxsize=256)
def body(kind: str, key: int, title: str, lines: tuple[str, ...],
         created: datetime = _EPOCH) -> bytes:
    """The bytes served for an attachment (cached: quick-view and download share them)."""
    if kind == "pdf":
        return text_pdf(title, lines, created)
    if kind == "scan":
        return scan_pdf(title, lines, created)
    if kind == "docx":
        return docx(title, lines, created)
    if kind == "doc":
        return (FILES / f"{doc_fixture(key)}.doc").read_bytes()
    if kind == "rtf":
        return rtf(title, lines)
    if kind == "truncated":
        whole = text_pdf(title, lines, created)
        return whole[: len(whole) * 55 // 100]
    if kind == "encrypted":
        return text_pdf(title, lines, created, password=PASSWORD)
    if kind == "notpdf":
        return not_pdf(title)
    raise ValueError(f"unknown attachment kind {kind!r}")


def key_sentences(title: str, lines: tuple[str, ...]) -> list[str]:
    """What a search of a scan must find: the title and the first clause of each line that
    has one of at least five words, once each (clauses end at `,` `;` `.`)."""
    out = [title]
    for line in lines:
        for clause in line.replace(";", ",").replace(".", ",").split(","):
            clause = clause.strip()
            if len(clause.split()) >= 5 and clause not in out:
                out.append(clause)
                break
    return out


def truth(kind: str, key: int, title: str, lines: tuple[str, ...]) -> dict:
    """Ground truth of one attachment: `text` (one line per paragraph; None for scans and
    broken files), `key_sentences` (scans) and `broken` (why it cannot be read, or None)."""
    if kind in BROKEN:
        return {"text": None, "key_sentences": [], "broken": BROKEN[kind]}
    if kind == "scan":
        return {"text": None, "key_sentences": key_sentences(title, lines), "broken": None}
    if kind == "doc":
        text = (FILES / f"{doc_fixture(key)}.txt").read_text(encoding="utf-8")
        return {"text": text.strip(), "key_sentences": [], "broken": None}
    return {"text": "\n".join((title, *lines)), "key_sentences": [], "broken": None}
