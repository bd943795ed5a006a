"""Full-text search and the phrase timeline against the replica's own text and ground truth.

Three snapshots of a 40-article replica (tests/search_archive.py): night 0 (every item), night 1
fetching every other item only (the others are *not re-checked*), night 3 (every item of
nights 0 and 3, so withdrawn articles are seen as 404 / soft-404). The expected hits are
computed here from the datasets with pandas and Python's own regex on text folded with
`unicodedata` (not with the index or search.text); the search runs through the CLI entry point.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import unicodedata

import pandas as pd
import pytest
from e2e import CLI
from search_archive import add_night, item_urls, site
from test_readonly_archive import read_only_view

from portal_archive.cli import main

NIGHTS = {0: "20261127T190000Z", 1: "20261128T190000Z", 3: "20261130T190000Z"}
NIGHT_INPUTS: dict[str, tuple[dict, dict]] = {}  # archive → (replica sites, URLs fetched)


@pytest.fixture(scope="module")
def archive(tmp_path_factory):
    root = tmp_path_factory.mktemp("search-archive")
    sites = {n: site(n) for n in NIGHTS}
    urls = {0: item_urls(sites[0]), 1: item_urls(sites[1])[::2]}
    urls[3] = list(dict.fromkeys(item_urls(sites[3]) + urls[0]))
    for night, sid in NIGHTS.items():
        add_night(root, sid, sites[night], urls[night], night)
    NIGHT_INPUTS[str(root)] = (sites, urls)
    return root


def run_cli(capsys, *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out = capsys.readouterr()
    return code, out.out, out.err


def search_json(capsys, archive, *args: str) -> dict:
    code, out, err = run_cli(capsys, "search", "--archive", str(archive), "--format", "json",
                             *args)
    assert code == 0, err
    return json.loads(out)


# -- an independent ground truth ---------------------------------------------------------------
FIELD_BREAK = "\u2029"  # between the title and the rest of an item's text


def fold(text: str) -> str:
    text = unicodedata.normalize("NFD", text).replace("đ", "d").replace("Đ", "D")
    return "".join(c for c in text if not unicodedata.combining(c)).lower()


def phrase_rx(phrase: str) -> re.Pattern:
    words = re.findall(r"[^\W_]+", phrase)
    # Title and body are two index columns: a phrase never spans them (FIELD_BREAK).
    sep = r"(?:[^\w\u2029]|_)+"
    return re.compile(r"(?<![^\W_])" + sep.join(map(re.escape, words)) + r"(?![^\W_])")


def rows(archive) -> pd.DataFrame:
    """Every article and document row of every snapshot with the text the index covers."""
    frames = []
    for sid in NIGHTS.values():
        ds = archive / "snapshots" / sid / "datasets"
        arts = pd.read_parquet(ds / "articles.parquet")
        authors = pd.read_parquet(ds / "article_authors.parquet")
        images = pd.read_parquet(ds / "images.parquet")
        extra = {}
        for df, cols in ((authors, ["name", "organization"]), (images, ["caption"])):
            for _, r in df.iterrows():
                key = (r.article_id, r.warc_record_id)
                extra.setdefault(key, []).extend(str(r[c]) for c in cols if pd.notna(r[c]))
        arts["text"] = [
            f"{r.title or ''}{FIELD_BREAK}"
            + "\n".join(str(x) for x in (r.summary, r.body_text) if pd.notna(x))
            + "\n" + "\n".join(extra.get((r.article_id, r.warc_record_id), []))
            for r in arts.itertuples()]
        arts["type"], arts["key"] = "article", arts.article_id.astype(str)
        docs = pd.read_parquet(ds / "documents.parquet")
        docs["text"] = [f"{r.number or ''}\n{r.title or ''}{FIELD_BREAK}"
                        + "\n".join(str(x) for x in (r.summary, r.body_text) if pd.notna(x))
                        for r in docs.itertuples()]
        docs["type"], docs["key"] = "document", docs.document_id.astype(str)
        for df in (arts, docs):
            frames.append(df[["snapshot_id", "warc_file", "warc_offset", "type", "key", "url",
                              "text"]])
    out = pd.concat(frames, ignore_index=True)
    out["folded"] = out.text.map(fold)
    out["exact"] = out.text.map(lambda t: unicodedata.normalize("NFC", t).lower())
    return out


def choose_phrases(table: pd.DataFrame, n: int = 20) -> list[str]:
    """n phrases of 2-4 words taken from titles and bodies spread over the rows."""
    phrases: list[str] = []
    texts = table.drop_duplicates("key").text.tolist()
    step = max(1, len(texts) // n)
    for i, text in enumerate(texts[::step]):
        words = re.findall(r"[^\W_]+", text)
        size = 2 + i % 3
        start = (7 * i) % max(1, len(words) - size)
        phrase = " ".join(words[start:start + size])
        if phrase and phrase not in phrases:
            phrases.append(phrase)
    return phrases[:n]


# -- tests -------------------------------------------------------------------------------------
@pytest.mark.slow
def test_search_finds_every_occurrence_and_nothing_else(archive, capsys):
    table = rows(archive)
    phrases = choose_phrases(table)
    assert len(phrases) == 20
    assert sum(fold(p) != p.lower() for p in phrases) >= 10  # most carry diacritics
    order = {sid: i for i, sid in enumerate(NIGHTS.values())}
    located = table.set_index(["snapshot_id", "warc_file", "warc_offset"])
    for phrase in phrases:
        for query, column, target in ((fold(phrase), "folded", fold(phrase)),
                                      (phrase, "exact", phrase.lower())):
            rx = phrase_rx(target)
            expected = table[table[column].str.contains(rx)]
            assert len(expected), phrase  # the test can fail: every phrase is in the replica
            hits = search_json(capsys, archive, f'"{query}"', "--limit", "0")["hits"]
            # Every row holding the phrase is covered by a hit of its item: same item, and the
            # snapshot inside the hit's range (a hit is a version, not a row).
            for r in expected.itertuples():
                assert any(h["type"] == r.type and h["url"] == r.url
                           and order[h["first_snapshot"]] <= order[r.snapshot_id]
                           <= order[h["last_snapshot"]] for h in hits), (query, r.url)
            # No hit lacks the phrase (folded), checked on the captured row it points to.
            in_exact = []
            for h in hits:
                row = located.loc[(h["snapshot_id"], h["warc_file"], h["warc_offset"])]
                row = row.iloc[0] if isinstance(row, pd.DataFrame) else row
                assert phrase_rx(fold(phrase)).search(row.folded), (query, h["url"])
                in_exact.append(bool(phrase_rx(phrase.lower()).search(row.exact)))
                assert "«" in h["snippet"], h
            # Accented query: the exact matches rank first.
            if column == "exact":
                assert in_exact == sorted(in_exact, reverse=True), (query, in_exact)
            # Versions are not repeated: one hit per (item, text) range, ranges disjoint.
            spans = {}
            for h in hits:
                spans.setdefault((h["type"], h["url"]), []).append(
                    (order[h["first_snapshot"]], order[h["last_snapshot"]]))
            for ranges in spans.values():
                ranges.sort()
                assert all(a[1] < b[0] for a, b in zip(ranges, ranges[1:], strict=False))


def test_nfd_and_windows_1258_queries_match_alike(archive, capsys):
    base = search_json(capsys, archive, '"cải cách hành chính"', "--limit", "0")["hits"]
    assert base
    nfd = unicodedata.normalize("NFD", '"cải cách hành chính"')
    # windows-1258 keeps tone marks as combining characters: decode a real cp1258 byte string.
    cp1258 = "\"ca\u0309i ca\u0301ch ha\u0300nh chi\u0301nh\"".encode("cp1258").decode("cp1258")
    for query in (nfd, cp1258, '"CẢI CÁCH hành chính"'):
        assert search_json(capsys, archive, query, "--limit", "0")["hits"] == base


def test_query_language(archive, capsys):
    def urls(*args):
        return {h["url"] for h in search_json(capsys, archive, *args, "--limit", "0")["hits"]}

    a, b = urls('"cai cach"'), urls('"phong chong"')
    assert a and b and a != b
    assert urls('"cai cach" OR "phong chong"') == a | b
    assert urls('"cai cach" AND "phong chong"') == a & b
    assert urls('"cai cach" NOT "phong chong"') == a - b
    assert urls("cai* cach") >= a
    # A prefix finds every item with a word starting so (ground truth: regex on folded text).
    table = rows(archive)
    for prefix in ("quy", "chín", "phat"):
        rx = re.compile(r"(?<![^\W_])" + re.escape(fold(prefix)) + r"[^\W_]*")
        want = set(table[table.folded.str.contains(rx)].url)
        got = urls(f"{prefix}*")
        assert want and got == want, (prefix, len(want), len(got))
    assert urls("title:thong") and urls("title:thong") <= urls("thong")
    docs = search_json(capsys, archive, "ubnd", "--type", "document")["hits"]
    assert docs and {h["type"] for h in docs} == {"document"}
    assert len(search_json(capsys, archive, "tinh", "--limit", "3")["hits"]) == 3
    old = urls("tinh", "--by", "published", "--until", "2016-12-31")
    assert old and old < urls("tinh")
    only_first = urls("tinh", "--snapshot", NIGHTS[0])
    assert only_first and only_first <= urls("tinh")


@pytest.mark.parametrize("args, words", [
    (("",), "empty query"),
    (('"quyết định',), "unbalanced quote"),
    (("foo:bar",), "unknown field 'foo'"),
    (("(a OR b",), "unbalanced parenthesis"),
    (("NOT a",), "needs a term"),
    (("x", "--since", "2020-13-01"), "--since '2020-13-01'"),
    (("x", "--snapshot", "nope"), "unknown snapshot 'nope'"),
])
def test_bad_input_one_line(archive, capsys, args, words):
    code, out, err = run_cli(capsys, "search", "--archive", str(archive), *args)
    assert code != 0 and not out
    assert len(err.strip().splitlines()) == 1 and words in err, err


def expected_timeline(archive, kind_key, night_gone, reason):
    return {"first_seen": NIGHTS[0], "gone_at": NIGHTS[night_gone], "gone_reason": reason}


def distinctive(before: str, after: str, size: int = 4) -> str:
    """A phrase of `before` whose words do not appear in `after` in that order."""
    for line in re.split(f"[\n{FIELD_BREAK}]", before):
        words = re.findall(r"[^\W_]+", line)
        for i in range(len(words) - size):
            phrase = " ".join(words[i:i + size])
            if not phrase_rx(fold(phrase)).search(fold(after)):
                return phrase
    raise AssertionError("no distinctive phrase")


@pytest.mark.slow
def test_timeline_equals_replica_ground_truth(archive, capsys):
    sites, urls = NIGHT_INPUTS[str(archive)]
    fetched1 = set(urls[1])
    truth03 = sites[3].changes(0, 3)
    truth01 = sites[1].changes(0, 1)
    table = rows(archive)
    first, last = NIGHTS[0], NIGHTS[3]

    def text(sid, key):
        got = table[(table.snapshot_id == sid) & (table.type == "article") & (table.key == key)]
        return got.text.iloc[0]

    changed01 = {c["key"] for c in truth01["changed"]}
    edited = [c for c in truth03["changed"] if c["kind"] == "article"
              and {"title", "body_text"} & set(c["fields"]) and c["key"] not in changed01]
    assert edited
    # Prefer one night 1 did not re-check: that night must not count as "gone".
    edited.sort(key=lambda c: c["url"] in fetched1)
    item = edited[0]
    phrase = distinctive(text(first, str(item["key"])), text(last, str(item["key"])))
    result = search_json(capsys, archive, "--timeline", phrase)
    assert result["phrase"] == phrase
    got = {(i["type"], i["url"].removeprefix("http://127.0.0.1:8080")): i
           for i in result["items"]}
    assert ("article", item["url"]) in got, (phrase, result)
    entry = got[("article", item["url"])]
    assert (entry["first_seen"], entry["gone_at"], entry["gone_reason"]) == (first, last,
                                                                           "edited")
    roles = [e["role"] for e in entry["evidence"]]
    assert roles == ["first_with_phrase", "last_with_phrase", "without_phrase"]
    assert entry["evidence"][-1]["snapshot_id"] == last
    assert all(e["warc_file"].endswith(".warc.gz") and e["warc_offset"] >= 0
               for e in entry["evidence"])
    # The same phrase typed without diacritics follows the same item.
    folded = search_json(capsys, archive, "--timeline", fold(phrase))["items"]
    assert any(i["url"] == entry["url"] and i["gone_at"] == last for i in folded)

    removed = truth03["removed"]
    assert removed
    for gone in removed:
        key = str(gone["key"])
        phrase = " ".join(re.findall(r"[^\W_]+", text(first, key))[:5])
        items = search_json(capsys, archive, "--timeline", phrase)["items"]
        entry = next(i for i in items if i["url"].endswith(gone["url"]))
        early = (gone["key"] in {r["key"] for r in truth01["removed"]}
                 and gone["url"] in fetched1)
        assert entry["first_seen"] == first
        assert entry["gone_at"] == (NIGHTS[1] if early else last), gone
        assert entry["gone_reason"] == gone["reason"]
        assert entry["evidence"][-1]["role"] == "withdrawn"
    # An item never changed keeps its phrase: no gone_at, though night 1 skipped half of them.
    unchanged = {str(c["key"]) for c in truth03["changed"] + truth03["removed"]}
    steady = next(k for k in table[table.type == "article"].key if k not in unchanged
                  and table[(table.key == k) & (table.type == "article")].snapshot_id.nunique()
                  == 2)
    phrase = " ".join(re.findall(r"[^\W_]+", text(first, steady))[:5])
    entry = next(i for i in search_json(capsys, archive, "--timeline", phrase)["items"]
                 if i["url"].endswith(f"-{steady}.html"))
    assert entry["gone_at"] is None and entry["first_seen"] == first


def test_damaged_index_is_rebuilt(archive, capsys, tmp_path):
    copy = tmp_path / "copy"
    shutil.copytree(archive, copy, ignore=shutil.ignore_patterns("index"))
    want = search_json(capsys, copy, '"cai cach"', "--limit", "0")
    db = copy / "index" / "search.sqlite3"
    with open(db, "r+b") as fh:
        fh.truncate(db.stat().st_size // 2)
    code, out, err = run_cli(capsys, "search", "--archive", str(copy), "--format", "json",
                             '"cai cach"', "--limit", "0")
    assert code == 0 and "damaged" in err and len(err.strip().splitlines()) == 1
    assert json.loads(out) == want
    # Garbage in place of the file: the same.
    db.write_bytes(b"not an index" * 100)
    (copy / "index" / "search.json").write_text(json.dumps(
        {"format": 1, "size": db.stat().st_size}))
    code, out, err = run_cli(capsys, "search", "--archive", str(copy), "--format", "json",
                             '"cai cach"', "--limit", "0")
    assert code == 0 and "damaged" in err and json.loads(out) == want
    # The full-text folder: a segment file truncated, then one missing.
    segment = max((copy / "index" / "fulltext").glob("*.idx"), key=lambda p: p.stat().st_size)
    # A new file renamed over it: a mapping tantivy may still hold in this process keeps the
    # old inode (truncating a mapped file in place would be a SIGBUS, not a damaged index).
    (copy / "short").write_bytes(segment.read_bytes()[:10])
    os.replace(copy / "short", segment)
    code, out, err = run_cli(capsys, "search", "--archive", str(copy), "--format", "json",
                             '"cai cach"', "--limit", "0")
    assert code == 0 and "damaged" in err and json.loads(out) == want
    segment = next((copy / "index" / "fulltext").glob("*.term"))
    segment.unlink()
    code, out, err = run_cli(capsys, "search", "--archive", str(copy), "--format", "json",
                             '"cai cach"', "--limit", "0")
    assert code == 0 and "damaged" in err and json.loads(out) == want


def test_incremental_and_read_only(archive, capsys, tmp_path, monkeypatch):
    copy = tmp_path / "copy"
    shutil.copytree(archive, copy, ignore=shutil.ignore_patterns("index"))
    night3 = copy / "snapshots" / NIGHTS[3]
    hidden = tmp_path / "held-back"
    shutil.move(night3, hidden)
    code, out, _ = run_cli(capsys, "index", "--archive", str(copy))
    assert code == 0 and "2 snapshot(s) added" in out
    shutil.move(hidden, night3)
    code, out, _ = run_cli(capsys, "index", "--archive", str(copy))
    assert code == 0 and "updated" in out and "1 snapshot(s) added" in out
    want = search_json(capsys, archive, '"cai cach"', "--limit", "0")
    assert search_json(capsys, copy, '"cai cach"', "--limit", "0") == want
    # Read-only archive without an index: built in the user's cache, said in one line.
    shutil.rmtree(copy / "index")
    cache = tmp_path / "cache"
    cache.mkdir()
    with read_only_view(copy, tmp_path) as (view, prefix):
        done = subprocess.run([*prefix, *CLI, "search", "--archive", str(view), "--format",
                               "json", '"cai cach"', "--limit", "0"], capture_output=True,
                              text=True, env={**os.environ, "XDG_CACHE_HOME": str(cache)},
                              timeout=120)
        assert done.returncode == 0, done.stderr
        assert "read-only" in done.stderr and len(done.stderr.strip().splitlines()) == 1
        assert json.loads(done.stdout) == want
        assert not (view / "index").exists()


def test_notebook_helpers(archive, capsys):
    from search.frames import search, timeline

    df = search("cai cach", archive=archive, limit=0)
    want = search_json(capsys, archive, "cai cach", "--limit", "0")["hits"]
    assert list(df.columns)[:3] == ["type", "url", "title"]
    assert df.url.tolist() == [h["url"] for h in want] and len(df) > 3
    assert isinstance(df.captured_at.dtype, pd.DatetimeTZDtype)
    tl = timeline("cải cách hành chính", archive=archive)
    assert len(tl) and set(tl.first_seen) <= set(NIGHTS.values())


def test_crawl_hook_never_fails(archive, tmp_path):
    from search.hook import index_after_close

    copy = tmp_path / "copy"
    shutil.copytree(archive, copy, ignore=shutil.ignore_patterns("index"))
    lines: list[str] = []
    index_after_close(copy, warn=lines.append)
    assert not lines and (copy / "index" / "search.sqlite3").is_file()
    shutil.rmtree(copy / "index")
    (copy / "index").write_text("a file where the index folder should be")
    index_after_close(copy, warn=lines.append)
    assert len(lines) == 1 and lines[0].startswith("warning: search index not updated")
    assert "portal-archive index --archive" in lines[0]


def test_attachment_texts_when_the_table_exists(archive, capsys, tmp_path):
    """Snapshots from issue 16 items 1-2 on have `attachment_texts`; older ones do not."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    copy = tmp_path / "copy"
    shutil.copytree(archive, copy, ignore=shutil.ignore_patterns("index"))
    url = "http://127.0.0.1:8080/uploads/laws/qd-15-2020.pdf"
    for night, offset in ((1, 500), (3, 900)):
        sid = NIGHTS[night]
        pq.write_table(pa.table({
            "snapshot_id": [sid], "captured_at": pa.array(
                [pd.Timestamp(f"2026-11-{27 + night}T19:30:00Z")], pa.timestamp("us", "UTC")),
            "warc_file": [f"portal-{sid}.warc.gz"], "warc_offset": [offset],
            "warc_record_id": [f"<urn:uuid:{night}>"], "payload_digest": [None],
            "url": [url], "name": ["QĐ 15/2020"], "linked_from": [None],
            "text": ["Biên bản nghiệm thu công trình thủy lợi Nậm Nhùn"],
        }), copy / "snapshots" / sid / "datasets" / "attachment_texts.parquet")
    hits = search_json(capsys, copy, '"bien ban nghiem thu"', "--type", "attachment")["hits"]
    assert [(h["type"], h["url"], h["first_snapshot"], h["last_snapshot"], h["warc_offset"])
            for h in hits] == [("attachment", url, NIGHTS[1], NIGHTS[3], 500)]
    assert "«Biên bản nghiệm thu»" in hits[0]["snippet"]
    assert not search_json(capsys, copy, '"bien ban nghiem thu"', "--type", "article")["hits"]
