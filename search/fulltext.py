"""The full-text part of the index: a tantivy index of every item version's words.

One document per version (its `id` in the SQLite `versions` table), four text fields: `title`
and `body` (NFC, lower-cased by tantivy's default tokenizer: the exact words) and `ftitle` /
`fbody` (the same text through an ASCII-folding analyzer: no diacritics, đ → d). Nothing but
the id is stored: the text for snippets lives in SQLite, compressed.

Why tantivy and not SQLite FTS5: measured by bench/bench_search.py (docs/benchmarks.md,
docs/search.md): on 200,000 rows over 10 snapshots FTS5 took 451 ms median / 1.6 s p95 per
query (it scores every match before taking the top N) and built at 808 rows/s; tantivy answered
in 1.7 ms median / 20 ms p95 (block-max top-k), indexed the same texts 5× faster, and its
index was 3.3× smaller. Its one drawback: it cannot open an index on read-only storage (it
takes a lock file), so a read-only archive's index is copied to the user's cache first.
"""

from __future__ import annotations

import re
from pathlib import Path

import tantivy
from tantivy import Occur, Query

from search.query import Query as UserQuery
from search.query import Term
from search.text import nfc

TITLE_BOOST = 5.0
_HEAP = 100_000_000


FOLDING = "vn_fold"


def folding_analyzer() -> tantivy.TextAnalyzer:
    """tantivy's default tokenizer plus ASCII folding (Lucene's table: every Vietnamese letter
    to its base letter, đ → d), so folding costs nothing in Python at build time (folding in
    Python with str.translate was 30% of the build). Not stored in the index: registered each
    time it is opened."""
    return (tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.simple())
            .filter(tantivy.Filter.remove_long(40)).filter(tantivy.Filter.lowercase())
            .filter(tantivy.Filter.ascii_fold()).build())


_FOLDER = folding_analyzer()


def schema() -> tantivy.Schema:
    sb = tantivy.SchemaBuilder()
    sb.add_integer_field("id", stored=True, indexed=True, fast=True)
    for name in ("title", "body"):
        sb.add_text_field(name, stored=False, tokenizer_name="default", index_option="position")
        sb.add_text_field(f"f{name}", stored=False, tokenizer_name=FOLDING,
                          index_option="position")
    return sb.build()


class FullText:
    """A tantivy index folder: `add` versions, `commit`, `search`."""

    def __init__(self, folder: Path, create: bool = False) -> None:
        self.folder = Path(folder)
        if create:
            self.folder.mkdir(parents=True, exist_ok=True)
            self.index = tantivy.Index(schema(), path=str(self.folder), reuse=False)
        else:
            self.index = tantivy.Index.open(str(self.folder))
        self.index.register_tokenizer(FOLDING, folding_analyzer())
        self._writer = None

    def add(self, vid: int, title: str, body: str) -> None:
        """One version's NFC text; the folded fields get the same text (folded by tantivy)."""
        if self._writer is None:
            self._writer = self.index.writer(heap_size=_HEAP, num_threads=1)
        self._writer.add_document(tantivy.Document(id=vid, title=title, body=body,
                                                   ftitle=title, fbody=body))

    def commit(self) -> None:
        if self._writer is not None:
            self._writer.commit()
            self._writer.wait_merging_threads()
            self._writer = None

    def num_docs(self) -> int:
        self.index.reload()
        return self.index.searcher().num_docs

    def search(self, q: UserQuery, folded: bool, limit: int) -> list[tuple[int, float]]:
        """(version id, score) best first; `limit` 0 for every match."""
        self.index.reload()
        searcher = self.index.searcher()
        query = self.build(q.tree, folded)
        n = limit or max(1, searcher.num_docs)
        result = searcher.search(query, n)
        return [(searcher.doc(addr)["id"][0], score) for score, addr in result.hits]


    def build(self, node, folded: bool) -> tantivy.Query:
        """The query as tantivy Query objects (its query-string parser has no single-word
        prefix: `quy*` there is the term `quy`)."""
        if isinstance(node, Term):
            names = ["title", "body"] if node.column is None else [node.column]
            parts = []
            for name in names:
                field = f"f{name}" if folded else name
                q = self._term(node, field, folded)
                parts.append((Occur.Should, Query.boost_query(q, TITLE_BOOST)
                              if name == "title" else q))
            return parts[0][1] if len(parts) == 1 else Query.boolean_query(parts)
        subs = [self.build(p, folded) for p in node.parts]
        if node.op == "NOT":
            return Query.boolean_query([(Occur.Must, subs[0]), (Occur.MustNot, subs[1])])
        occur = Occur.Must if node.op == "AND" else Occur.Should
        return Query.boolean_query([(occur, q) for q in subs])

    def _term(self, node: Term, field: str, folded: bool) -> tantivy.Query:
        schema_ = self.index.schema
        # Folded words through the index's own analyzer, so query and text fold alike.
        words = ([t for w in node.words for t in _FOLDER.analyze(nfc(w))] if folded
                 else [nfc(w).lower() for w in node.words])
        if not words:
            return Query.empty_query()
        if node.prefix and len(words) == 1:
            return Query.regex_query(schema_, field, re.escape(words[0]) + ".*")
        if node.prefix:  # phrase prefix: only the query-string syntax has it
            return self.index.parse_query(f'{field}:"{" ".join(words)}"*')
        if len(words) == 1:
            return Query.term_query(schema_, field, words[0])
        return Query.phrase_query(schema_, field, words)
