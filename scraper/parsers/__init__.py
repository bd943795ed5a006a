"""Pure parsers for government portal pages: HTML bytes + URL in, plain records out.

The platform is detected from the fingerprints of the profiles in scraper/profiles/; NukeViet
pages go through its hand-tuned parse (the hook nukeviet.toml names), other platforms through
their profile's rules with generic fallbacks (`profiled.py`, `generic.py`).

No Scrapy imports here: the crawl, `extract` and `portal-archive parse` all call
`parse_page`, and the small field parsers are exported for property tests.
"""

from scraper.parsers.authors import parse_author_line, parse_source_line
from scraper.parsers.captions import is_residue, split_caption_credit
from scraper.parsers.dates import parse_date, parse_date_line, parse_datetime
from scraper.parsers.numbers import parse_counters, parse_document_number
from scraper.parsers.page import PAGE_TYPES, parse_page
from scraper.parsers.text import decode_html, normalize_text


def clear_caches() -> None:
    """Forget memoised field parses (benchmarks measure cold runs with this)."""
    from scraper.parsers import captions, dates, documents, dom, numbers, text, vndates

    documents._SIDEBAR_CACHE.clear()
    for cached in (dates._parse_date_line, dates.parse_date, numbers._parse_document_number,
                   numbers._parse_counters, dom._absolute, captions.split_caption_credit,
                   text.fold, vndates.parse_visible, vndates.parse_machine):
        cached.cache_clear()


__all__ = [
    "clear_caches",
    "PAGE_TYPES",
    "decode_html",
    "is_residue",
    "normalize_text",
    "parse_author_line",
    "parse_counters",
    "parse_date",
    "parse_date_line",
    "parse_datetime",
    "parse_document_number",
    "parse_page",
    "parse_source_line",
    "split_caption_credit",
]
