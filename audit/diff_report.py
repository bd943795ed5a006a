"""Render a snapshot diff (`audit.diff.diff_snapshots`) as JSON, Markdown, CSV or HTML.

The HTML report is one self-contained page: inline CSS, no script, no external asset. Every
archived string goes through `html.escape` (so a `<script>` in an archived title is shown as
text). Links never go to the live portal: each item links to its archived capture through the
archive browser (`portal-archive serve`, default http://127.0.0.1:8500), with the live URL beside
it as text. Insertions and deletions are `<ins>`/`<del>`.

A diff marked for a phrase (`diff --phrase`, audit.phrase) shows which changes add or remove
it: a list of those items at the top, a badge on each such field, and every occurrence of the
phrase in the changes `<mark>`ed (bold in Markdown, a `phrase` column in CSV; JSON carries the
marks of audit.phrase as they are).
"""

from __future__ import annotations

import csv
import html
import io
import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from audit.phrase import op_marks, split_marks
from search.text import phrase_spans

FORMATS = ("html", "md", "json", "csv")
# Where the HTML report's links point: the archive browser (`portal-archive serve`) at its
# default address, which replays the archived captures.
DEFAULT_BROWSER = "http://127.0.0.1:8500"
# Equal runs longer than this many words are shortened to their ends in HTML and Markdown.
CONTEXT_WORDS = 12

REASON_TEXT = {
    "http_404": "deleted: HTTP 404",
    "http_410": "deleted: HTTP 410 Gone",
    "soft_404": "deleted: soft-404 page",
    "not_captured": "not captured in B (not a deletion)",
}


def render(diff: dict[str, Any], fmt: str) -> str:
    """The report in `fmt` (one of FORMATS) as text."""
    renderers = {"html": render_html, "md": render_markdown, "json": render_json,
                 "csv": render_csv}
    if fmt not in renderers:
        raise ValueError(f"unknown format {fmt!r}; choose from {', '.join(FORMATS)}")
    return renderers[fmt](diff)


def write_report(diff: dict[str, Any], path: str | Path, fmt: str | None = None) -> Path:
    """Write the report to `path` atomically (temporary file, then rename); returns the path.

    `fmt` defaults to the file's extension. A CSV file gets a UTF-8 BOM, as the datasets' CSVs.
    """
    path = Path(path)
    fmt = fmt or {"htm": "html", "markdown": "md"}.get(path.suffix.lstrip(".").lower(),
                                                         path.suffix.lstrip(".").lower())
    text = render(diff, fmt)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    # newline="" keeps the CSV's CRLF row ends as written.
    with open(tmp, "w", encoding="utf-8-sig" if fmt == "csv" else "utf-8", newline="") as fh:
        fh.write(text)
    os.replace(tmp, path)
    return path


def render_json(diff: dict[str, Any]) -> str:
    return json.dumps(diff, ensure_ascii=False, indent=2, default=str) + "\n"


def _shorten(text: str) -> str:
    words = text.split(" ")
    if len(words) <= 2 * CONTEXT_WORDS + 1:
        return text
    return " ".join(words[:CONTEXT_WORDS]) + " … " + " ".join(words[-CONTEXT_WORDS:])


def _marked(text: str, marks: list[tuple[int, int]], esc: Callable[[str], str],
            mark: Callable[[str], str], shorten: bool = False) -> str:
    """`text` escaped by `esc`, the phrase's occurrences (`marks`, audit.phrase.op_marks)
    wrapped by `mark`; `shorten`: an equal run cut to its ends as `_shorten` does, keeping
    the words of an occurrence."""
    if not shorten:
        ranges = [(0, len(text))]
    else:
        words, pos = [], 0
        for w in text.split(" "):
            words.append((pos, pos + len(w)))
            pos += len(w) + 1
        n = len(words)
        keep = [i < CONTEXT_WORDS or i >= n - CONTEXT_WORDS or n <= 2 * CONTEXT_WORDS + 1
                or any(s < we and e > ws for s, e in marks) for i, (ws, we) in enumerate(words)]
        ranges = []
        for i, (ws, we) in enumerate(words):
            if not keep[i]:
                continue
            if ranges and keep[i - 1]:
                ranges[-1] = (ranges[-1][0], we)
            else:
                ranges.append((ws, we))
    out = []
    for start, end in ranges:
        clipped = [(max(s, start) - start, min(e, end) - start) for s, e in marks
                   if s < end and e > start]
        out.append("".join(mark(esc(piece)) if hit else esc(piece)
                           for piece, hit in split_marks(text[start:end], clipped)))
    return " … ".join(out)


def _phrase(diff: dict[str, Any]) -> str | None:
    """The phrase the diff was marked for (`diff --phrase`), or None."""
    return (diff.get("phrase") or {}).get("text")


def _effect_text(change: dict[str, Any]) -> str:
    """`phrase added` / `phrase removed` (with the counts) for a field, or ''."""
    p = change.get("phrase") or {}
    if not p.get("effect"):
        return ""
    return f"phrase {p['effect']}: {p['a']} in A, {p['b']} in B"


def summary_line(diff: dict[str, Any]) -> str:
    """One line: `A → B: N added, N removed (N deleted, N not captured), N changed, N unchanged`.

    For a diff of states (`audit.state_diff`): `A → B: N added, N removed, N changed,
    N unchanged (re-checked), N not re-checked (oldest last verified DATE)`.
    """
    s = diff["summary"]
    if "not_rechecked" in diff:
        return f"{diff['a']} → {diff['b']}: {state_counts(diff)}"
    return (f"{diff['a']} → {diff['b']}: {s['added']} added, {s['removed']} removed "
            f"({s['deleted']} deleted, {s['not_captured']} not captured), "
            f"{s['changed']} changed, {s['unchanged']} unchanged")


def state_counts(diff: dict[str, Any]) -> str:
    """`N added, N removed, N changed, N unchanged (re-checked), N not re-checked (oldest…)`."""
    s = diff["summary"]
    oldest = s.get("oldest_verified")
    since = f" (oldest last verified {oldest[:10]})" if oldest else ""
    return (f"{s['added']} added, {s['removed']} removed, {s['changed']} changed, "
            f"{s['unchanged']} unchanged (re-checked), {s['not_rechecked']} not re-checked"
            f"{since}")


def policy_sentence(diff: dict[str, Any]) -> str:
    """The freshness policy of B's crawl in one sentence (plain text)."""
    p = diff.get("policy")
    if not p:
        return ("B's crawl used no freshness policy: it fetched every item it found or knew, "
                "so an item it did not re-check was not reachable that night; such items are "
                "listed apart as of the date they were last verified.")
    return (f"B's crawl was incremental: navigation pages and new items are fetched every "
            f"night, and a known item is re-checked when due, at least every "
            f"{p.get('max_age_days'):g} days (every {p.get('recent_interval_days'):g} days if "
            f"first seen in the last {p.get('recent_days'):g} days); items not re-checked "
            f"are listed apart as of the date they were last verified, never as unchanged.")


# -- CSV -------------------------------------------------------------------------------------
CSV_COLUMNS = ("change", "kind", "key", "url", "title", "field", "reason", "a_value", "b_value",
               "a_snapshot", "a_warc_file", "a_warc_offset", "a_record_id",
               "b_snapshot", "b_warc_file", "b_warc_offset", "b_record_id")


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list | dict):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def _where(ev: dict | None, side: str) -> dict[str, Any]:
    ev = ev or {}
    return {f"{side}_snapshot": ev.get("snapshot_id"), f"{side}_warc_file": ev.get("warc_file"),
            f"{side}_warc_offset": ev.get("warc_offset"),
            f"{side}_record_id": ev.get("warc_record_id")}


def render_csv(diff: dict[str, Any]) -> str:
    """One row per changed field, per added item and per removed item (UTF-8, header row).

    A diff marked for a phrase (`--phrase`) has a last column `phrase`: `added` / `removed`
    on the changed fields that add or remove it."""
    out = io.StringIO()
    phrase = _phrase(diff) is not None
    writer = csv.DictWriter(out, CSV_COLUMNS + (("phrase",) if phrase else ()),
                            lineterminator="\r\n")
    writer.writeheader()
    for item in diff["changed"]:
        for name in item["fields"]:
            change = item.get("changes", {}).get(name, {})
            extra = {"phrase": (change.get("phrase") or {}).get("effect")} if phrase else {}
            writer.writerow({k: _cell(v) for k, v in {
                "change": "changed", "kind": item["kind"], "key": item["key"],
                "url": item["url"], "title": item["title"], "field": name,
                "a_value": change.get("a"), "b_value": change.get("b"),
                **_where(item.get("a"), "a"), **_where(item.get("b"), "b"), **extra}.items()})
    for item in diff["added"]:
        writer.writerow({k: _cell(v) for k, v in {
            "change": "added", "kind": item["kind"], "key": item["key"], "url": item["url"],
            "title": item["title"], **_where(item.get("b"), "b")}.items()})
    for item in diff["removed"]:
        writer.writerow({k: _cell(v) for k, v in {
            "change": "removed", "kind": item["kind"], "key": item["key"], "url": item["url"],
            "title": item["title"], "reason": item["reason"],
            **_where(item.get("a"), "a"), **_where(item.get("b"), "b")}.items()})
    for item in diff.get("not_rechecked", []):
        writer.writerow({k: _cell(v) for k, v in {
            "change": "not_rechecked", "kind": item["kind"], "key": item["key"],
            "url": item["url"], "title": item["title"], "reason": item.get("status"),
            "a_value": item.get("last_verified_at"), **_where(item.get("a"), "a")}.items()})
    return out.getvalue()


# -- Markdown --------------------------------------------------------------------------------
_MD_SPECIAL = str.maketrans({c: "\\" + c for c in "\\`*_[]|#"})


def _md(text: Any) -> str:
    """Archived text made inert in Markdown: markup characters escaped, HTML escaped."""
    return html.escape(" ".join(str(text if text is not None else "").split()),
                       quote=False).translate(_MD_SPECIAL)


def _md_text(text: str) -> str:
    """Normalised archived text made inert in Markdown (spaces kept, unlike _md)."""
    return html.escape(text, quote=False).translate(_MD_SPECIAL)


def _md_diff(change: dict[str, Any], phrase: str | None = None) -> str:
    """One field's change; with `phrase`, its occurrences in **bold**."""
    parts = []
    ops = change.get("diff") or []
    marks = op_marks(change, phrase) if phrase else [[] for _ in ops]
    bold = "**{}**".format
    for (op, text), m in zip(ops, marks, strict=True):
        if op == "=":
            parts.append(_marked(text, m, _md_text, bold, shorten=True) if m
                         else _md(_shorten(text)))
        elif op == "-":
            parts.append(f"[-{_marked(text, m, _md_text, bold) if m else _md(text)}-]")
        else:
            parts.append(f"{{+{_marked(text, m, _md_text, bold) if m else _md(text)}+}}")
    if not parts:
        a, b = (_md_value(change.get(side), phrase, bold) for side in ("a", "b"))
        parts = [f"[-{a}-]", f"{{+{b}+}}"]
    return " ".join(p for p in parts if p)


def _md_value(value: Any, phrase: str | None, bold: Callable[[str], str]) -> str:
    text = " ".join(str(value if value is not None else "").split())
    marks = phrase_spans(text, phrase) if phrase and text else []
    return _marked(text, marks, _md_text, bold) if marks else _md(value)


def _md_where(ev: dict | None) -> str:
    if not ev:
        return "—"
    return (f"`{ev.get('warc_file')}` @ {ev.get('warc_offset')} "
            f"(`{ev.get('warc_record_id')}`, {ev.get('captured_at')})")


def render_markdown(diff: dict[str, Any]) -> str:
    """A Markdown report: summary, changed items with word diffs ([-old-] {+new+}), lists."""
    s = diff["summary"]
    if "not_rechecked" in diff:
        return _markdown_states(diff)
    lines = [f"# Snapshot diff {diff['a']} → {diff['b']}", "",
             "| added | removed (deleted) | not captured | changed | unchanged |",
             "|---:|---:|---:|---:|---:|",
             f"| {s['added']} | {s['deleted']} | {s['not_captured']} | {s['changed']} "
             f"| {s['unchanged']} |", "",
             "Deletions are `[-…-]`, insertions `{+…+}`. Items *not captured* in B were not "
             "fetched by B's crawl: they are not deletions.", ""]
    lines += _md_changed(diff)
    deleted = [r for r in diff["removed"] if r.get("deleted", r["reason"] != "not_captured")]
    missing = [r for r in diff["removed"] if r not in deleted]
    for title, items in ((f"Removed from the portal ({len(deleted)})", deleted),
                         (f"Not captured in B: not deletions ({len(missing)})", missing),
                         (f"Added ({len(diff['added'])})", diff["added"])):
        lines += [f"## {title}", ""]
        for item in items:
            extra = f" — {REASON_TEXT.get(item['reason'], item['reason'])}" \
                if "reason" in item else ""
            where = _md_where(item.get("b") if item in diff["added"] else item.get("a"))
            lines.append(f"- {item['kind']} {item['key']}: {_md(item['title'])} "
                         f"<{_md(item['url'])}>{extra}; {where}")
        lines.append("")
    return "\n".join(lines)


def _matched_text(item: dict[str, Any]) -> str:
    """How a changed item was paired with A's when its key changed: ` (was document 12,
    matched by number)`, or ` (moved from <A's URL>, matched by content)` for an item the
    portal refiled under a new URL (the upload portal's articles have no id: the URL is the
    key); '' otherwise."""
    if item.get("moved_from"):
        return f" (moved from {item['moved_from']}, matched by content)"
    if item.get("matched_by") == "number":
        return f" (was {item['kind']} {item.get('key_a')}, matched by number)"
    return ""


def _md_changed(diff: dict[str, Any]) -> list[str]:
    phrase = _phrase(diff)
    lines = [f"## Changed ({len(diff['changed'])})", ""]
    if phrase:
        p = diff["phrase"]
        lines += [f"Phrase “{_md(phrase)}” ({_match_text(p)}, occurrences in **bold**): "
                  f"added by {p['added']} changed item(s), removed by {p['removed']}.", ""]
    for item in diff["changed"]:
        restored = " (restored after withdrawal)" if item.get("restored") else ""
        lines.append(f"### {item['kind']} {item['key']}{_md(_matched_text(item))}: "
                     f"{_md(item['title'])}{restored}{_phrase_badge(item)}")
        lines.append(f"<{_md(item['url'])}>  ")
        lines.append(f"A: {_md_where(item.get('a'))}  ")
        lines.append(f"B: {_md_where(item.get('b'))}")
        lines.append("")
        for name in item["fields"]:
            change = item.get("changes", {}).get(name, {})
            effect = _effect_text(change)
            lines.append(f"- **{name}**{f' ({effect})' if effect else ''}: "
                         f"{_md_diff(change, phrase)}")
        lines.append("")
    return lines


def _match_text(p: dict[str, Any]) -> str:
    return ("matched exactly, case aside" if p.get("match") == "exact"
            else "matched with or without diacritics")


def _phrase_badge(item: dict[str, Any]) -> str:
    """` [phrase added in body_text]`-style note of a changed item, or ''."""
    p = item.get("phrase")
    if not p:
        return ""
    parts = [f"phrase {what} in {', '.join(p[what])}" for what in ("added", "removed")
             if p[what]]
    return f" [{'; '.join(parts)}]"


def _markdown_states(diff: dict[str, Any]) -> str:
    """The Markdown report of a diff of states (audit.state_diff)."""
    s = diff["summary"]
    lines = [f"# Snapshot diff {diff['a']} → {diff['b']} (portal states)", "",
             "| added | removed | changed | unchanged (re-checked) | not re-checked |",
             "|---:|---:|---:|---:|---:|",
             f"| {s['added']} | {s['removed']} | {s['changed']} | {s['unchanged']} "
             f"| {s['not_rechecked']} |", "", _md(policy_sentence(diff)), "",
             "Deletions are `[-…-]`, insertions `{+…+}`.", ""]
    lines += _md_changed(diff)
    lines += [f"## Removed from the portal ({len(diff['removed'])})", ""]
    for item in diff["removed"]:
        lines.append(f"- {item['kind']} {item['key']}: {_md(item['title'])} "
                     f"<{_md(item['url'])}> — {REASON_TEXT.get(item['reason'], item['reason'])}"
                     f" (seen gone {item.get('withdrawn_at')}); {_md_where(item.get('a'))}")
    lines += ["", f"## Added ({len(diff['added'])})", ""]
    for item in diff["added"]:
        lines.append(f"- {item['kind']} {item['key']}: {_md(item['title'])} "
                     f"<{_md(item['url'])}>; {_md_where(item.get('b'))}")
    oldest = s.get("oldest_verified")
    lines += ["", f"## Not re-checked in B ({len(diff['not_rechecked'])}"
              + (f", oldest last verified {oldest}" if oldest else "") + ")", ""]
    for item in diff["not_rechecked"]:
        gone = " (withdrawn)" if item.get("status") == "withdrawn" else ""
        lines.append(f"- {item['kind']} {item['key']}: {_md(item['title'])}{gone} "
                     f"<{_md(item['url'])}>: not re-checked since {item['last_verified_at']}")
    lines.append("")
    return "\n".join(lines)


# -- HTML ------------------------------------------------------------------------------------
_CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,"Noto Sans",sans-serif;margin:2rem auto;
max-width:62rem;padding:0 1rem;color:#1f2328;line-height:1.5}
h1{font-size:1.5rem;margin-bottom:.25rem}h2{font-size:1.2rem;border-bottom:1px solid #d0d7de;
padding-bottom:.2rem;margin-top:2rem}h3{font-size:1rem;margin:.2rem 0}
.summary{display:flex;gap:.75rem;flex-wrap:wrap;margin:1rem 0}
.summary div{border:1px solid #d0d7de;border-radius:6px;padding:.5rem 1rem;min-width:7rem}
.summary b{display:block;font-size:1.4rem}
.item{border:1px solid #d0d7de;border-radius:6px;padding:.6rem 1rem;margin:.8rem 0}
.field{margin:.4rem 0}.field>.name{font-weight:600;font-family:ui-monospace,monospace}
del{background:#ffebe9;color:#82071e;text-decoration:line-through}
ins{background:#dafbe1;color:#116329;text-decoration:none}
mark{background:#fff3a3;color:inherit;outline:1px solid #d4a72c}
.phrase{font-size:.8rem;border-radius:4px;padding:0 .3rem;margin-left:.3rem}
.phrase.added{background:#dafbe1;color:#116329}.phrase.removed{background:#ffebe9;color:#82071e}
.live{font-family:ui-monospace,monospace;font-size:.85rem;color:#57606a;word-break:break-all}
.ev{font-size:.8rem;color:#57606a;font-family:ui-monospace,monospace;word-break:break-all}
.note{background:#fff8c5;border:1px solid #d4a72c;border-radius:6px;padding:.4rem .8rem}
ul.list{margin:.2rem 0;padding-left:1.2rem}table{border-collapse:collapse}
td,th{border:1px solid #d0d7de;padding:.2rem .5rem;text-align:left;vertical-align:top}
"""


def _e(value: Any) -> str:
    return html.escape("" if value is None else str(value), quote=True)


def replay_href(browser: str, url: str, captured_at: Any) -> str:
    """The archive browser's replay address of the capture of `url` at `captured_at` (ISO UTC
    or 14 digits): `portal-archive serve` shows it through pywb, never the live page."""
    digits = "".join(c for c in str(captured_at or "") if c.isdigit())[:14]
    return f"{browser}/replay?{urlencode({'url': url, 'ts': digits})}"


def _link(url: Any, ev: dict | None = None, browser: str = DEFAULT_BROWSER) -> str:
    """A link to the archived capture `ev` of `url`, with the live URL beside it as text only
    (an auditor cannot trust the live page: it may have changed or gone). Without a capture,
    or for a URL that is not http(s) (javascript:, data:…), the URL is text alone."""
    text = _e(url)
    live = f'<span class="live">{text}</span>'
    if (ev and ev.get("captured_at") and isinstance(url, str)
            and url.lower().startswith(("http://", "https://"))):
        href = _e(replay_href(browser, url, ev["captured_at"]))
        return f'<a href="{href}" rel="noreferrer noopener">archived capture</a> {live}'
    return live


def _mark_html(text: str) -> str:
    return f"<mark>{text}</mark>"


def _html_diff(name: str, change: dict[str, Any], phrase: str | None = None) -> str:
    """One field's change; with `phrase`, its occurrences are `<mark>`ed."""
    ops = change.get("diff") or []
    marks = op_marks(change, phrase) if phrase else [[] for _ in ops]
    if isinstance(change.get("a"), list) or isinstance(change.get("b"), list):
        rows = []
        for (op, text), m in zip(ops, marks, strict=True):
            tag = {"-": "del", "+": "ins"}.get(op)
            body = _marked(text, m, _e, _mark_html)
            rows.append(f"<li><{tag}>{body}</{tag}></li>" if tag else f"<li>{body}</li>")
        return f'<ul class="list">{"".join(rows)}</ul>'
    if not ops:
        a, b = (str(v) if v is not None else "" for v in (change.get("a"), change.get("b")))
        ma, mb = (phrase_spans(v, phrase) if phrase else [] for v in (a, b))
        return (f"<del>{_marked(a, ma, _e, _mark_html) if a else _e(None)}</del> → "
                f"<ins>{_marked(b, mb, _e, _mark_html) if b else _e(None)}</ins>")
    out = []
    for (op, text), m in zip(ops, marks, strict=True):
        if op == "=":
            out.append(_marked(text, m, _e, _mark_html, shorten=True))
        else:
            tag = "del" if op == "-" else "ins"
            out.append(f"<{tag}>{_marked(text, m, _e, _mark_html)}</{tag}>")
    return " ".join(out)


def _html_where(label: str, ev: dict | None, browser: str = DEFAULT_BROWSER) -> str:
    if not ev:
        return ""
    status = f" · HTTP {_e(ev['status'])}" if ev.get("status") is not None else ""
    replay = ""
    if ev.get("url") and ev.get("captured_at"):
        replay = (f' · <a href="{_e(replay_href(browser, ev["url"], ev["captured_at"]))}" '
                  f'rel="noreferrer noopener">replay</a>')
    return (f'<div class="ev">{label}: snapshot {_e(ev.get("snapshot_id"))} · '
            f'{_e(ev.get("warc_file"))} @ {_e(ev.get("warc_offset"))} · '
            f'{_e(ev.get("warc_record_id"))} · {_e(ev.get("captured_at"))}{status}{replay}</div>')


def _html_item_list(items: list[dict], side: str, browser: str = DEFAULT_BROWSER) -> str:
    if not items:
        return "<p>None.</p>"
    rows = []
    for item in items:
        reason = ""
        if "reason" in item:
            reason = f"<td>{_e(REASON_TEXT.get(item['reason'], item['reason']))}</td>"
        where = _html_where("A" if side == "a" else "B", item.get(side), browser)
        if side == "a" and item.get("b"):
            where += _html_where("B", item["b"], browser)
        rows.append(f"<tr><td>{_e(item['kind'])}</td><td>{_e(item['key'])}</td>"
                    f"<td>{_e(item['title'])}<br>{_link(item['url'], item.get(side), browser)}"
                    f"{where}</td>{reason}</tr>")
    head = "<th>reason</th>" if any("reason" in i for i in items) else ""
    return (f"<table><tr><th>kind</th><th>key</th><th>item</th>{head}</tr>"
            f"{''.join(rows)}</table>")


def render_html(diff: dict[str, Any], browser: str = DEFAULT_BROWSER) -> str:
    """The self-contained HTML page (see the module docstring); its links go to the archived
    captures through the archive browser at `browser`."""
    return f"""<!DOCTYPE html>
<html lang="vi"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<title>Snapshot diff {_e(diff['a'])} → {_e(diff['b'])}</title><style>{_CSS}</style></head>
<body>{render_html_body(diff, browser)}</body></html>
"""


def render_html_body(diff: dict[str, Any], browser: str = DEFAULT_BROWSER) -> str:
    """The report's content without the page around it (the archive browser embeds it)."""
    s = diff["summary"]
    states = "not_rechecked" in diff
    counts = (("added", s["added"]), ("removed from the portal", s["deleted"]),
              ("not captured in B", s["not_captured"]), ("changed", s["changed"]),
              ("unchanged", s["unchanged"]))
    if states:
        oldest = s.get("oldest_verified")
        counts = (("added", s["added"]), ("removed from the portal", s["removed"]),
                  ("changed", s["changed"]), ("unchanged (re-checked)", s["unchanged"]),
                  ("not re-checked" + (f" (oldest last verified {oldest[:10]})"
                                       if oldest else ""), s["not_rechecked"]))
    cards = "".join(f"<div><b>{_e(n)}</b>{_e(label)}</div>" for label, n in counts)
    changed = []
    phrase = _phrase(diff)
    for item in diff["changed"]:
        fields = "".join(
            f'<div class="field"><span class="name">{_e(name)}</span>'
            f'{_html_effect(item.get("changes", {}).get(name, {}))}: '
            f'{_html_diff(name, item.get("changes", {}).get(name, {}), phrase)}</div>'
            for name in item["fields"])
        matched = _e(_matched_text(item))
        if item.get("restored"):
            matched += f" (restored; seen withdrawn {_e(item.get('withdrawn_at'))})"
        anchor = f' id="{_e(_item_anchor(item))}"' if item.get("phrase") else ""
        changed.append(
            f'<div class="item"{anchor}><h3>{_e(item["kind"])} {_e(item["key"])}{matched}: '
            f'{_e(item["title"])}</h3><div>{_link(item["url"], item.get("b"), browser)}</div>'
            f'{fields}'
            f'{_html_where("A", item.get("a"), browser)}{_html_where("B", item.get("b"), browser)}'
            f'</div>')
    deleted = [r for r in diff["removed"] if r.get("deleted", r["reason"] != "not_captured")]
    missing = [r for r in diff["removed"] if r not in deleted]
    title = "Snapshot diff"
    policy = f'<p class="note" id="policy">{_e(policy_sentence(diff))}</p>' if states else ""
    if states:
        unchecked = diff["not_rechecked"]
        oldest = s.get("oldest_verified")
        tail = f"""<h2>Not re-checked in B ({len(unchecked)})</h2>
<details id="not-rechecked"><summary>{len(unchecked)} item(s) B did not re-check, shown as last
verified{_e(f' (oldest {oldest})' if oldest else '')}</summary>
{_html_unchecked(unchecked, browser)}</details>"""
    else:
        tail = f"""<h2>Not captured in B ({len(missing)})</h2>
<p class="note">B's crawl did not fetch these (or fetched them without getting the item).
They are <b>not</b> deletions: they may still be on the portal.</p>
{_html_item_list(missing, 'a', browser)}"""
    return f"""<h1>{title}</h1>
<p>A = <b>{_e(diff['a'])}</b> → B = <b>{_e(diff['b'])}</b>. Fields compared after Unicode NFC
and whitespace normalisation; view, comment, download and rating counters are ignored.</p>
<div class="summary" id="summary">{cards}</div>
{policy}{_html_phrase(diff)}
<h2>Changed ({len(diff['changed'])})</h2>
{''.join(changed) or '<p>None.</p>'}
<h2>Removed from the portal ({len(deleted)})</h2>
{_html_item_list(deleted, 'a', browser)}
<h2>Added ({len(diff['added'])})</h2>
{_html_item_list(diff['added'], 'b', browser)}
{tail}
"""


def _item_anchor(item: dict[str, Any]) -> str:
    return f"item-{item['kind']}-{item['key']}"


def _html_effect(change: dict[str, Any]) -> str:
    """The badge of a field whose change adds or removes the phrase, or ''."""
    p = change.get("phrase") or {}
    if not p.get("effect"):
        return ""
    return (f' <span class="phrase {_e(p["effect"])}">phrase {_e(p["effect"])}: '
            f'{_e(p["a"])} in A, {_e(p["b"])} in B</span>')


def _html_phrase(diff: dict[str, Any]) -> str:
    """The section listing the changed items that add or remove the phrase (`--phrase`)."""
    p = diff.get("phrase")
    if not p:
        return ""
    rows = []
    for what in ("added", "removed"):
        items = [i for i in diff["changed"] if (i.get("phrase") or {}).get(what)]
        links = "".join(
            f'<li><a href="#{_e(_item_anchor(i))}">{_e(i["kind"])} {_e(i["key"])}: '
            f'{_e(i["title"])}</a> ({_e(", ".join(i["phrase"][what]))})</li>' for i in items)
        rows.append(f'<h3>Changes that {"add" if what == "added" else "remove"} it '
                    f'({len(items)})</h3>'
                    + (f'<ul class="list">{links}</ul>' if items else "<p>None.</p>"))
    return (f'\n<div class="note" id="phrase"><p>Phrase <mark>{_e(p["text"])}</mark> '
            f'({_e(_match_text(p))}): its occurrences are marked in the changes below.</p>'
            f'{"".join(rows)}</div>')


def _html_unchecked(items: list[dict], browser: str = DEFAULT_BROWSER) -> str:
    if not items:
        return "<p>None.</p>"
    rows = "".join(
        f"<tr><td>{_e(i['kind'])}</td><td>{_e(i['key'])}</td><td>{_e(i['title'])}<br>"
        f"{_link(i['url'], i.get('a'), browser)}"
        f"{_html_where('last version', i.get('a'), browser)}</td>"
        f"<td>{_e(i.get('status'))}</td><td>{_e(i.get('last_verified_at'))}</td></tr>"
        for i in items)
    return ("<table><tr><th>kind</th><th>key</th><th>item</th><th>as last seen</th>"
            f"<th>last verified</th></tr>{rows}</table>")
