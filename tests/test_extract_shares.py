"""How `extract --jobs N` shares one indexed WARC out between its workers (pipelines.extract).

A crawl's attachments (its documents' files) come last in its WARC, and reading one may take
seconds (OCR) whatever its size: shares cut by bytes alone put them all in the last share,
which one worker then read alone while the others had finished.
"""

from __future__ import annotations

from pathlib import Path

from pipelines.extract import _FileJob, _share_out


def test_attachments_are_spread_over_the_shares(tmp_path):
    warc = tmp_path / "one.warc.gz"
    pages = [(i * 30_000, 30_000, f"http://p/{i}.html", True, f"sha1:{i}", False)
             for i in range(600)]
    start = 600 * 30_000
    files = [(start + i * 50_000, 50_000, f"http://p/f{i}.pdf", False, f"sha1:f{i}", True)
             for i in range(40)]
    job = _FileJob(warc, "S", None, Path(tmp_path), None, pages + files)
    shares = _share_out([job], 2)
    per_share = [sum(line[5] for line in s.records) for s in shares]
    assert sum(per_share) == 40 and len(shares) >= 4
    assert max(per_share) <= 40 // 3, per_share  # no share holds them all (or most)
    # Consecutive runs that cover the file exactly once, in order.
    assert [line for s in shares for line in s.records] == pages + files
    assert shares[0].span[0] == 0 and shares[-1].span[1] is None
    assert all(a.span[1] == b.span[0] == b.records[0][0]
               for a, b in zip(shares, shares[1:], strict=False))
