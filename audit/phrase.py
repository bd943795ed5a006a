"""Which changes of a diff add or remove a phrase (`portal-archive diff A B --phrase "…"`).

`mark_phrase(diff, phrase)` annotates a diff of `audit.diff` or `audit.state_diff` in place:
each changed field gets `phrase: {a, b, effect}` (the phrase's occurrences in A's and B's
value, and `added` when B has more of them, `removed` when fewer, null when as many); each
changed item with such a field gets `phrase: {added: [fields], removed: [fields]}`; the diff
gets `phrase: {text, match, added, removed}` (the number of changed items that add or remove
it). The phrase is matched as `search` matches it (`search.text.phrase_spans`: its words in a
row; exact NFC case-insensitive with diacritics, diacritic-blind without), so the report and
`search --timeline` agree on what holds the phrase.

`op_marks` gives the renderers (audit.diff_report) the phrase's occurrences within each
word-diff segment, to highlight them.
"""

from __future__ import annotations

from typing import Any

from search.text import has_diacritics, phrase_spans

Span = tuple[int, int]


class PhraseError(ValueError):
    """A phrase that cannot be looked for (no word in it); one line for the user."""


def _texts(value: Any) -> list[str]:
    """The strings of a field's display value (a list's items one by one)."""
    if value is None:
        return []
    if isinstance(value, list):
        return [str(v) for v in value if v is not None]
    return [str(value)]


def count(value: Any, phrase: str) -> int:
    """Occurrences of `phrase` in a field's display value."""
    return sum(len(phrase_spans(t, phrase)) for t in _texts(value))


def check_phrase(phrase: str) -> str:
    """`phrase` if it has a word to look for; PhraseError otherwise."""
    if not phrase_spans(phrase, phrase):
        raise PhraseError(f"--phrase {phrase!r} has no word to look for")
    return phrase


def mark_phrase(diff: dict[str, Any], phrase: str) -> dict[str, Any]:
    """Annotate `diff` (see the module docstring) and return it."""
    check_phrase(phrase)
    adding = removing = 0
    for item in diff["changed"]:
        added, removed = [], []
        for name in item["fields"]:
            change = item.get("changes", {}).get(name)
            if change is None:
                continue
            ca, cb = count(change.get("a"), phrase), count(change.get("b"), phrase)
            effect = "added" if cb > ca else "removed" if cb < ca else None
            change["phrase"] = {"a": ca, "b": cb, "effect": effect}
            if effect == "added":
                added.append(name)
            elif effect == "removed":
                removed.append(name)
        if added or removed:
            item["phrase"] = {"added": added, "removed": removed}
            adding += bool(added)
            removing += bool(removed)
    diff["phrase"] = {"text": phrase, "match": "exact" if has_diacritics(phrase) else "folded",
                      "added": adding, "removed": removing}
    return diff


def _clip(spans: list[Span], start: int, end: int) -> list[Span]:
    """The parts of `spans` inside [start, end), relative to start."""
    return [(max(s, start) - start, min(e, end) - start) for s, e in spans
            if s < end and e > start]


def op_marks(change: dict[str, Any], phrase: str) -> list[list[Span]]:
    """Per segment of `change["diff"]`, the character ranges of its text that are part of an
    occurrence of the phrase on its side (A for `-`, B for `+`, either for `=`).

    Text segments are words joined by single spaces (audit.diff.word_diff), so each side's
    text is its segments joined by spaces and an occurrence may span several segments (an
    edit that completes a phrase marks its unchanged words too). List segments are one item
    each and matched alone.
    """
    ops = change.get("diff") or []
    if isinstance(change.get("a"), list) or isinstance(change.get("b"), list):
        return [phrase_spans(text, phrase) for _, text in ops]
    sides: dict[str, list[tuple[int, int]]] = {"a": [], "b": []}  # per op: start on side
    texts: dict[str, list[str]] = {"a": [], "b": []}
    length = {"a": 0, "b": 0}
    for op, text in ops:
        for side in ("a", "b"):
            if op == "=" or (op == "-") == (side == "a"):
                if texts[side]:
                    length[side] += 1  # the space between segments
                sides[side].append((length[side], len(text)))
                texts[side].append(text)
                length[side] += len(text)
            else:
                sides[side].append((-1, 0))
    found = {side: phrase_spans(" ".join(texts[side]), phrase) for side in ("a", "b")}
    out = []
    for i, (_op, _text) in enumerate(ops):
        marks: list[Span] = []
        for side in ("a", "b"):
            start, size = sides[side][i]
            if start >= 0:
                marks += _clip(found[side], start, start + size)
        out.append(_merge(marks))
    return out


def _merge(spans: list[Span]) -> list[Span]:
    out: list[Span] = []
    for s, e in sorted(spans):
        if out and s <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], e))
        else:
            out.append((s, e))
    return out


def split_marks(text: str, marks: list[Span]) -> list[tuple[str, bool]]:
    """`text` cut into (piece, is part of the phrase) pieces."""
    pieces, pos = [], 0
    for s, e in marks:
        if s > pos:
            pieces.append((text[pos:s], False))
        pieces.append((text[s:e], True))
        pos = e
    if pos < len(text):
        pieces.append((text[pos:], False))
    return pieces
