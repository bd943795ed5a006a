"""Photo captions typed by editors: split the credit off, and tell captions from residue."""

from __future__ import annotations

import re
from functools import lru_cache

from scraper.parsers.text import normalize_text

# `(ảnh: X)`, `(Ảnh: X)`, `(ảnh X)`, `(Ảnh - X)` at the end; `Ảnh: X` after a separator at the
# end; the same forms on their own. "Ảnh minh họa" (illustration) is not a credit.
_CREDIT_PAREN = re.compile(r"\(\s*ảnh\s*(?::|-|–|—)?\s*(?P<credit>[^()]+?)\s*\)\s*\.?$", re.I)
_CREDIT_BARE = re.compile(
    r"(?:^|(?<=[\s.,;–—-]))ảnh\s*:\s*(?P<credit>[^():]+?)\s*\.?$", re.I
)
_NOT_CREDIT = re.compile(r"^(?:minh h[oọ]ạ?|minh họa|tư liệu|internet)$", re.I)
_RESIDUE = re.compile(
    r"""^(?:
        \d{1,4}(?:[\s._-]+\d{1,4}){1,3}        # 4 3 15, 4-3-15, 2015_03_25
      | (?:img|dsc|dscn|dscf|p|pic|image|anh)[\s_-]*\d+[\w\s_-]*   # IMG_1234, DSC0001
      | [\w\s.-]+\.(?:jpe?g|png|gif|bmp|webp|tiff?)  # file names
      | [\W\d_]*                               # punctuation or digits only
    )$""",
    re.I | re.X,
)


# The caption search tests a candidate for a credit, then the chosen caption is split.
@lru_cache(maxsize=4096)
def split_caption_credit(text: str | None) -> tuple[str | None, str | None]:
    """`Caption (ảnh: TP)` → (`Caption`, `TP`); no credit → (caption, None)."""
    text = normalize_text(text)
    if not text:
        return None, None
    for pattern in (_CREDIT_PAREN, _CREDIT_BARE):
        m = pattern.search(text)
        if m and not _NOT_CREDIT.match(m.group("credit")):
            caption = text[: m.start()].rstrip(" -–—.,;:")
            return (caption or None), normalize_text(m.group("credit")) or None
    return text, None


def has_credit(text: str | None) -> bool:
    return split_caption_credit(text)[1] is not None


def is_residue(text: str | None) -> bool:
    """File-name or date leftovers such as `4 3 15`, `IMG_1234.jpg`: never a caption."""
    text = normalize_text(text)
    return not text or bool(_RESIDUE.match(text))


def same_caption(a: str | None, b: str | None) -> bool:
    """Alt text that repeats the caption (with or without its credit)."""
    if not a or not b:
        return False
    na, nb = normalize_text(a).casefold(), normalize_text(b).casefold()
    if na == nb:
        return True
    return (split_caption_credit(na)[0] or "") == (split_caption_credit(nb)[0] or "")
