"""The query language: words, "phrases", prefix*, AND / OR / NOT, ( ), title: / body: fields.

A query is parsed here (not handed raw to FTS5) so that bad input gets one clear line, and so
that one query becomes two FTS5 expressions: the *folded* one (no diacritics, matches any
accents) and the *exact* one (NFC, lower case), used to rank exact matches first when the user
typed accents. Every word is quoted in the FTS5 text, so punctuation in document numbers
("15/2020/QĐ-UBND") is never FTS5 syntax.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from search.text import fold, has_diacritics, nfc

FIELDS = ("title", "body")
OPERATORS = ("AND", "OR", "NOT")
WORD = re.compile(r"[^\W_]+")
_TOKEN = re.compile(r'\s*(?:(?P<lpar>\()|(?P<rpar>\))|(?P<quote>")|(?P<bare>[^\s()"]+))')


class QueryError(ValueError):
    """A query that cannot be searched: the message is the one line shown to the user."""


@dataclass
class Term:
    words: list[str]  # NFC words of a word or a phrase
    prefix: bool = False
    phrase: bool = False
    column: str | None = None


@dataclass
class Node:
    op: str  # AND, OR, NOT (binary: left NOT right)
    parts: list = field(default_factory=list)


@dataclass
class Query:
    text: str
    tree: Node | Term
    exact_wanted: bool  # the query has diacritics: exact matches rank first

    def fts(self, folded: bool) -> str:
        return _render(self.tree, fold if folded else (lambda s: nfc(s).lower()))

    def positive_terms(self) -> list[Term]:
        """Terms that must or may match (not under NOT): what a snippet highlights."""
        return _positive(self.tree)


def _lex(text: str) -> list[tuple[str, str, int]]:
    tokens, pos = [], 0
    while pos < len(text):
        if text[pos:].strip() == "":
            break
        m = _TOKEN.match(text, pos)
        if m is None:  # pragma: no cover - the pattern matches any non-space
            raise QueryError(f"cannot read the query at position {pos + 1}")
        start = m.start(m.lastgroup)
        if m.lastgroup == "quote":
            end = text.find('"', m.end())
            if end < 0:
                raise QueryError(f"unbalanced quote at position {start + 1} in {text!r}")
            rest = text[end + 1:]
            star = rest.startswith("*")
            tokens.append(("phrase*" if star else "phrase", text[m.end():end], start))
            pos = end + 1 + (1 if star else 0)
            continue
        tokens.append((m.lastgroup, m.group(m.lastgroup), start))
        pos = m.end()
    return tokens


class _Parser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.tokens = _lex(text)
        self.i = 0

    def peek(self):
        return self.tokens[self.i] if self.i < len(self.tokens) else None

    def take(self):
        tok = self.peek()
        self.i += 1
        return tok

    def parse(self):
        if not self.tokens:
            raise QueryError("empty query: give words, a \"phrase\" or a prefix*")
        node = self.or_expr()
        tok = self.peek()
        if tok is not None:
            raise QueryError(f"unexpected {tok[1]!r} at position {tok[2] + 1} in {self.text!r}"
                             + (" (unbalanced parenthesis)" if tok[0] == "rpar" else ""))
        return node

    def _is_op(self, tok, op: str) -> bool:
        return tok is not None and tok[0] == "bare" and tok[1] == op

    def or_expr(self):
        parts = [self.and_expr()]
        while self._is_op(self.peek(), "OR"):
            self.take()
            parts.append(self.and_expr())
        return parts[0] if len(parts) == 1 else Node("OR", parts)

    def and_expr(self):
        parts = [self.not_expr()]
        while True:
            tok = self.peek()
            if tok is None or tok[0] == "rpar" or self._is_op(tok, "OR"):
                break
            if self._is_op(tok, "AND"):
                self.take()
            parts.append(self.not_expr())
        return parts[0] if len(parts) == 1 else Node("AND", parts)

    def not_expr(self):
        node = self.primary()
        while self._is_op(self.peek(), "NOT"):
            self.take()
            node = Node("NOT", [node, self.primary()])
        return node

    def primary(self, column: str | None = None):
        tok = self.take()
        if tok is None:
            raise QueryError(f"the query ends where a word was expected: {self.text!r}")
        kind, value, pos = tok
        if kind == "lpar":
            node = self.or_expr()
            close = self.take()
            if close is None or close[0] != "rpar":
                raise QueryError(f"unbalanced parenthesis at position {pos + 1} in {self.text!r}")
            return _with_column(node, column)
        if kind == "rpar":
            raise QueryError(f"unbalanced parenthesis at position {pos + 1} in {self.text!r}")
        if kind in ("phrase", "phrase*"):
            return self._term(value, pos, column, phrase=True, prefix=kind == "phrase*")
        if value in OPERATORS:
            raise QueryError(f"{value} at position {pos + 1} needs a term on each side "
                             f"(search the word itself as \"{value.lower()}\")")
        name, colon, rest = value.partition(":")
        if colon and name and not re.fullmatch(r"\d+", name):
            if column is not None:
                raise QueryError(f"a field inside a field at position {pos + 1}")
            if name.lower() not in FIELDS:
                raise QueryError(f"unknown field {name!r} at position {pos + 1}; "
                                 f"known fields: {', '.join(FIELDS)}")
            if rest:
                return self._bare(rest, pos, name.lower())
            return self.primary(column=name.lower())
        return self._bare(value, pos, column)

    def _bare(self, value: str, pos: int, column: str | None):
        prefix = value.endswith("*")
        return self._term(value.rstrip("*"), pos, column, phrase=False, prefix=prefix)

    def _term(self, value: str, pos: int, column, phrase: bool, prefix: bool) -> Term:
        words = WORD.findall(nfc(value))
        if not words:
            what = "phrase" if phrase else "term"
            raise QueryError(f"the {what} {value!r} at position {pos + 1} has no letters or "
                             "digits to search")
        return Term(words, prefix=prefix, phrase=phrase or len(words) > 1, column=column)


def _with_column(node, column):
    if column is None:
        return node
    if isinstance(node, Term):
        node.column = column
        return node
    for part in node.parts:
        _with_column(part, column)
    return node


def _render(node, transform: Callable[[str], str]) -> str:
    if isinstance(node, Term):
        words = " ".join(transform(w) for w in node.words)
        text = f'"{words}"' + ("*" if node.prefix else "")
        return f"{node.column} : {text}" if node.column else text
    inner = f" {node.op} ".join(_render(p, transform) for p in node.parts)
    return f"({inner})"


def _positive(node) -> list[Term]:
    if isinstance(node, Term):
        return [node]
    if node.op == "NOT":
        return _positive(node.parts[0])
    return [t for p in node.parts for t in _positive(p)]


def parse_query(text: str) -> Query:
    """Parse a user query; QueryError (one line) when it cannot be searched."""
    if text is None or not text.strip():
        raise QueryError("empty query: give words, a \"phrase\" or a prefix*")
    tree = _Parser(text).parse()
    return Query(text=text, tree=tree, exact_wanted=has_diacritics(text))
