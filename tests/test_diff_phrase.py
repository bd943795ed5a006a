"""`diff A B --phrase`: which changes add or remove a phrase, against the replica's own text.

Two replica nights (0 and 3, every item fetched both nights, tests/search_archive.py). The
expected answer comes from the replica's model (the texts it served on each night), matched
here with Python's regex on text folded with `unicodedata` (not with search.text); the diff
runs through the CLI entry point, and its HTML is read back with lxml.
"""

from __future__ import annotations

import csv
import io
import json
import re
import unicodedata

import pytest
from lxml import html as lxml_html
from search_archive import add_night, item_urls, site

from portal_archive.cli import main

NIGHTS = {0: "20261127T190000Z", 3: "20261130T190000Z"}
SITES: dict[int, object] = {}


@pytest.fixture(scope="module")
def archive(tmp_path_factory):
    root = tmp_path_factory.mktemp("phrase-archive")
    SITES.update({n: site(n) for n in NIGHTS})
    urls = {0: item_urls(SITES[0])}
    urls[3] = list(dict.fromkeys(item_urls(SITES[3]) + urls[0]))
    for night, sid in NIGHTS.items():
        add_night(root, sid, SITES[night], urls[night], night)
    return root


def fold(text: str) -> str:
    text = unicodedata.normalize("NFD", text).replace("đ", "d").replace("Đ", "D")
    return "".join(c for c in text if not unicodedata.combining(c)).lower()


def occurrences(phrase: str, text: str) -> int:
    words = re.findall(r"[^\W_]+", fold(phrase))
    rx = re.compile(r"(?<![^\W_])" + r"(?:\W|_)+".join(map(re.escape, words)) + r"(?![^\W_])")
    return len(rx.findall(fold(text)))


def served(k: int, night: int) -> dict[str, str]:
    """The replica's text fields of article k on `night` (the body: paragraphs, captions)."""
    a = SITES[3].model.article_any(k, night)
    fields = SITES[3].model.article_fields(a)
    paragraphs, captions = fields["body_text"]
    body = "\n".join([*paragraphs, *(line for lines in captions for line in lines)])
    return {"title": a.title or "", "summary": a.summary or "", "body_text": body}


def distinctive(before: str, after: str, size: int = 4) -> str:
    """A phrase of `before`'s paragraphs whose words do not occur in a row in `after`."""
    for line in before.split("\n"):
        words = re.findall(r"[^\W_]+", line)
        for i in range(len(words) - size):
            phrase = " ".join(words[i:i + size])
            if occurrences(phrase, after) == 0:
                return phrase
    raise AssertionError("no distinctive phrase")


def run(capsys, *args: str) -> tuple[int, str, str]:
    capsys.readouterr()
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def diff(capsys, archive, phrase: str, fmt: str) -> str:
    code, out, err = run(capsys, "diff", "--archive", str(archive), NIGHTS[0], NIGHTS[3],
                         "--phrase", phrase, "--format", fmt)
    assert code == 0, err
    return out


def expected_effects(phrase: str, truth: dict) -> dict[tuple[int, str], str]:
    """(article, field) → added/removed, from the replica's served texts."""
    out = {}
    for c in truth["changed"]:
        a, b = served(c["key"], 0), served(c["key"], 3)
        for name in ("title", "summary", "body_text"):
            ca, cb = occurrences(phrase, a[name]), occurrences(phrase, b[name])
            if ca != cb:
                out[(c["key"], name)] = "added" if cb > ca else "removed"
    return out


@pytest.mark.slow
def test_phrase_marks_the_changes_that_add_or_remove_it(archive, capsys):
    truth = SITES[3].changes(0, 3)
    edited = [c for c in truth["changed"] if "body_text" in c["fields"]]
    assert edited  # the test can fail
    item = edited[0]["key"]
    before, after = served(item, 0)["body_text"], served(item, 3)["body_text"]
    gone = distinctive(before, after)  # typed with its diacritics: matched exactly
    new = fold(distinctive(after, before))  # typed without: matched on folded text
    for phrase, effect in ((gone, "removed"), (new, "added")):
        want = expected_effects(phrase, truth)
        assert want.get((item, "body_text")) == effect, (phrase, want)
        got = json.loads(diff(capsys, archive, phrase, "json"))
        assert got["phrase"]["text"] == phrase
        assert got["phrase"]["match"] == ("exact" if phrase == gone else "folded")
        marked = {(i["key"], f): i["changes"][f]["phrase"]["effect"]
                  for i in got["changed"] if i["kind"] == "article" for f in i["fields"]
                  if i["changes"][f]["phrase"]["effect"]}
        assert marked == want
        assert got["phrase"][effect] == len({k for k, _ in want})
        entry = next(i for i in got["changed"] if i["key"] == item and i["kind"] == "article")
        assert entry["phrase"][effect] == ["body_text"]

        # HTML: the item is listed under its effect and the phrase is <mark>ed in the change.
        page = lxml_html.fromstring(diff(capsys, archive, phrase, "html"))
        listed = page.xpath(f'//div[@id="phrase"]//a[@href="#item-article-{item}"]')
        assert len(listed) == 1
        field = page.xpath(f'//div[@id="item-article-{item}"]/div[@class="field"]'
                           '[span[@class="name"]="body_text"]')[0]
        badge = field.xpath('span[contains(@class, "phrase")]')[0]
        assert badge.get("class") == f"phrase {effect}"
        # The side without the phrase has no mark (its occurrence may lie in unchanged words
        # that an edit joined or split: a deletion can make a phrase as well as an insertion).
        other = "ins" if effect == "removed" else "del"
        assert field.xpath(".//mark") and not field.xpath(f".//{other}//mark")
        marks = " ".join(m.text_content() for m in field.xpath(".//mark"))
        assert occurrences(phrase, marks) >= 1
        # Nothing without the phrase is marked: every mark is a run of the phrase's words.
        words = set(re.findall(r"[^\W_]+", fold(phrase)))
        assert all(set(re.findall(r"[^\W_]+", fold(m.text_content()))) <= words
                   for m in page.xpath('//div[@class="item" or @id]//mark'))

        # Markdown: the field says so and the occurrence is bold; CSV: a `phrase` column.
        md = diff(capsys, archive, phrase, "md")
        line = next(x for x in md.splitlines() if x.startswith(f"- **body_text** (phrase {effect}")
                    and x in md.split(f"### article {item}:")[1].split("###")[0])
        assert re.search(r"\*\*[^*]+\*\*", line.split(":", 1)[1])
        rows = list(csv.DictReader(io.StringIO(diff(capsys, archive, phrase, "csv"))))
        assert {(int(r["key"]), r["field"]): r["phrase"] for r in rows
                if r["change"] == "changed" and r["kind"] == "article" and r["phrase"]} == want


def test_phrase_without_words_is_one_line(archive, capsys):
    for phrase in ("", " ... "):
        code, out, err = run(capsys, "diff", "--archive", str(archive), NIGHTS[0], NIGHTS[3],
                             "--phrase", phrase)
        assert code != 0 and out == ""
        assert len(err.strip().splitlines()) == 1 and "--phrase" in err, err


def test_phrase_rule_is_search_rule():
    from search.text import phrase_spans

    text = "Quyết định 15/2020/QĐ-UBND về Bảo-vệ RỪNG; bảo vệ rừngđặc dụng, quyết định khác"

    def found(phrase):
        return [text[s:e] for s, e in phrase_spans(text, phrase)]

    # Without diacritics: any accents; with: those accents only (case aside); NFD typed alike.
    assert found("quyet dinh") == ["Quyết định", "quyết định"]
    assert found("quyết định") == ["Quyết định", "quyết định"]
    assert found("quyết đinh") == []
    assert found(unicodedata.normalize("NFD", "bảo vệ rừng")) == ["Bảo-vệ RỪNG"]
    # Whole words in a row, punctuation between them allowed; "rừngđặc" is one word.
    assert found("bao ve rung") == ["Bảo-vệ RỪNG"]
    assert found("2020 qd ubnd") == ["2020/QĐ-UBND"]
    assert found("...") == []
