"""audit.frames: a diff as the tables the audit notebook shows (no raw dicts, long texts cut)."""

from __future__ import annotations

from audit.diff import field_change
from audit.frames import CONTEXT_WORDS, added_frame, changes_frame, removed_frame


def _ev(snapshot: str, offset: int) -> dict:
    return {"snapshot_id": snapshot, "warc_file": f"portal-{snapshot}.warc.gz",
            "warc_offset": offset, "captured_at": "2026-11-27T02:00:01Z"}


def test_long_text_shows_only_the_words_around_the_change():
    words = [f"w{i}" for i in range(500)]
    a = " ".join(words)
    b = " ".join(words[:250] + ["mới"] + words[251:])
    diff = {"changed": [{
        "kind": "article", "key": 7, "title": "Tin số 7", "fields": ["body_text", "tags"],
        "changes": {"body_text": field_change("body_text", a, b),
                    "tags": field_change("tags", ["du lịch"], ["du lịch", "nông thôn"])},
        "a": _ev("A", 100), "b": _ev("B", 200)}]}
    frame = changes_frame(diff)
    assert list(frame.columns) == ["item", "field", "before", "after", "evidence"]
    body = frame[frame.field == "body_text"].iloc[0]
    assert body["item"] == "article 7: Tin số 7"
    assert "[-w250-]" in body["before"] and "{+mới+}" in body["after"]
    assert "w249" in body["before"] and f"w{250 - CONTEXT_WORDS - 1}" not in body["before"]
    assert "w0" not in body["after"] and "w499" not in body["after"]
    assert len(body["after"]) < 200
    assert body["evidence"] == ("A/portal-A.warc.gz@100 (2026-11-27T02:00:01Z) → "
                                "B/portal-B.warc.gz@200 (2026-11-27T02:00:01Z)")
    tags = frame[frame.field == "tags"].iloc[0]
    assert (tags["before"], tags["after"]) == ("du lịch", "du lịch\nnông thôn")


def test_added_and_removed_rows_are_flat():
    diff = {"added": [{"kind": "document", "key": 3, "title": "Quyết định", "url": "u3",
                       "b": _ev("B", 5)}],
            "removed": [{"kind": "article", "key": 8, "title": "Tin 8", "url": "u8",
                         "reason": "http_404", "deleted": True,
                         "explanation": "B fetched the URL and got HTTP 404",
                         "a": _ev("A", 9), "b": {**_ev("B", 11), "status": 404}}]}
    added, removed = added_frame(diff), removed_frame(diff)
    assert added.to_dict("records") == [{"item": "document 3: Quyết định", "url": "u3",
                                         "evidence": "B/portal-B.warc.gz@5 "
                                                     "(2026-11-27T02:00:01Z)"}]
    row = removed.iloc[0]
    assert row["reason"] == "http_404" and bool(row["deleted"])
    assert row["evidence"].endswith("@11 (2026-11-27T02:00:01Z) (HTTP 404)")
    assert all(isinstance(v, str | bool) for v in row.to_dict().values())
