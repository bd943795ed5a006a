"""A diff (audit.diff.diff_snapshots) as pandas tables an auditor reads in a notebook.

`changes_frame` gives one row per changed field (item, field, before, after, evidence);
`added_frame` and `removed_frame` one row per item. Values are plain strings: list fields
one entry per line, long texts cut to the words around each change, with the removed words
marked `[-…-]` and the added ones `{+…+}` (wdiff's notation), so a 3,000-word body with one
edited sentence reads as that sentence. Evidence names the WARC file and offset of each
version (`portal-archive show URL --at <captured_at>` replays it).
"""

from __future__ import annotations

from typing import Any

import pandas as pd

# A value up to this many characters is shown whole; longer texts only around their changes.
SHORT_VALUE = 160
# Words of unchanged text kept on each side of a change in a long text.
CONTEXT_WORDS = 8


def _item(entry: dict[str, Any]) -> str:
    title = entry.get("title") or ""
    return f"{entry['kind']} {entry['key']}: {title}".rstrip(": ")


def _evidence(ev: dict[str, Any] | None) -> str:
    """`<snapshot>/<warc file>@<offset> (<captured_at>)`, or '' when there is none."""
    if not ev or not ev.get("warc_file"):
        return ""
    return (f"{ev.get('snapshot_id')}/{ev['warc_file']}@{ev.get('warc_offset')} "
            f"({ev.get('captured_at')})")


def _plain(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list | tuple):
        return "\n".join(str(v) for v in value)
    return str(value)


def _trim(words: list[str], keep_start: bool, keep_end: bool) -> str:
    """Unchanged words: only CONTEXT_WORDS next to a change (before and/or after) survive."""
    n = CONTEXT_WORDS
    if not (keep_start or keep_end) or len(words) <= n * (keep_start + keep_end):
        return " ".join(words)
    head = words[:n] if keep_start else []
    tail = words[-n:] if keep_end else []
    return " ".join([*head, "…", *tail])


def _excerpt(ops: list[list[str]], side: str) -> str:
    """One side of a word diff, around its changes: side 'a' (before) or 'b' (after)."""
    mine, mark = ("-", ("[-", "-]")) if side == "a" else ("+", ("{+", "+}"))
    parts: list[str] = []
    for i, (op, text) in enumerate(ops):
        if op == "=":
            # Context after a previous change and before a following one.
            parts.append(_trim(text.split(), keep_start=i > 0, keep_end=i < len(ops) - 1))
        elif op == mine:
            parts.append(f"{mark[0]}{text}{mark[1]}")
    return " ".join(p for p in parts if p)


def _sides(field: str, change: dict[str, Any]) -> tuple[str, str]:
    before, after = _plain(change.get("a")), _plain(change.get("b"))
    ops = change.get("diff") or []
    if len(before) <= SHORT_VALUE and len(after) <= SHORT_VALUE or not ops:
        return before, after
    if isinstance(change.get("a"), list) or isinstance(change.get("b"), list):
        # Lists: the entries that differ, one per line.
        gone = [f"[-{t}-]" for op, t in ops if op == "-"]
        new = [f"{{+{t}+}}" for op, t in ops if op == "+"]
        return "\n".join(gone), "\n".join(new)
    return _excerpt(ops, "a"), _excerpt(ops, "b")


def changes_frame(diff: dict[str, Any]) -> pd.DataFrame:
    """One row per changed field: item, field, before, after, evidence (A → B)."""
    rows = []
    for entry in diff.get("changed", []):
        evidence = f"{_evidence(entry.get('a'))} → {_evidence(entry.get('b'))}"
        for field in entry.get("fields", []):
            before, after = _sides(field, entry.get("changes", {}).get(field, {}))
            rows.append({"item": _item(entry), "field": field, "before": before,
                         "after": after, "evidence": evidence})
    return pd.DataFrame(rows, columns=["item", "field", "before", "after", "evidence"])


def added_frame(diff: dict[str, Any]) -> pd.DataFrame:
    """One row per added item: item, url, evidence (B's capture)."""
    rows = [{"item": _item(e), "url": e.get("url"), "evidence": _evidence(e.get("b"))}
            for e in diff.get("added", [])]
    return pd.DataFrame(rows, columns=["item", "url", "evidence"])


def removed_frame(diff: dict[str, Any]) -> pd.DataFrame:
    """One row per removed item: item, reason, deleted, why, evidence (A's capture, B's page)."""
    rows = []
    for e in diff.get("removed", []):
        b = e.get("b") or {}
        evidence = _evidence(e.get("a"))
        if b.get("warc_file"):
            evidence += f" → {_evidence(b)} (HTTP {b.get('status')})"
        rows.append({"item": _item(e), "url": e.get("url"), "reason": e.get("reason"),
                     "deleted": bool(e.get("deleted")), "why": e.get("explanation"),
                     "evidence": evidence})
    return pd.DataFrame(rows, columns=["item", "url", "reason", "deleted", "why", "evidence"])
