"""`audit.history._index_lines` (binary search over a CDXJ file's bytes) returns exactly the
lines a full read would, for keys before, between, inside and after the file's keys."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from audit.history import _index_lines

KEYS = st.lists(st.text("abcé,)/:", min_size=1, max_size=6), min_size=0, max_size=40)


def naive(lines: list[str], key: str) -> list[str]:
    return [line for line in lines if line.split(" ", 1)[0] == key]


@settings(max_examples=150, deadline=None)
@given(keys=KEYS, probes=st.lists(st.text("abcé,)/:", min_size=1, max_size=6), max_size=5))
def test_binary_search_equals_a_full_read(tmp_path_factory, keys, probes):
    lines = sorted(f"{k} 2026112{i % 10}000000 {{\"url\": \"http://x/{i}\"}}\n"
                   for i, k in enumerate(keys))
    path = tmp_path_factory.mktemp("cdxj") / "index.cdxj"
    path.write_text("".join(lines), encoding="utf-8")
    for key in {*keys, *probes}:
        assert _index_lines(path, key) == naive(lines, key)
