"""Capture quality is computed when a crawl closes a snapshot (`crawl` and `nightly` call
`audit.quality.write_quality`); when it cannot be, the crawl says so in one line and goes on.
The end-to-end half (a real crawl keeps reports/quality.json, `qa` on a read-only archive) is
in tests/test_readonly_archive.py."""

from __future__ import annotations

import pytest

from archive.snapshot import close_snapshot, create_snapshot
from audit.quality import QualityError, read_quality, write_quality
from portal_archive.commands.crawl import _quality


def test_a_snapshot_that_cannot_be_checked_is_one_line_of_warning(tmp_path, capsys):
    create_snapshot(tmp_path, "S1", profile="nukeviet4", seeds=["http://127.0.0.1:8080/"])
    close_snapshot(tmp_path, "S1")  # closed, but without datasets
    with pytest.raises(QualityError):
        write_quality(tmp_path, "S1")
    _quality(tmp_path, "S1")  # what `crawl` does after closing: never raises
    out, err = capsys.readouterr()
    assert out == ""
    assert err.count("\n") == 1 and "warning: quality of S1 not computed: " in err
    assert "no datasets" in err
    assert read_quality(tmp_path, "S1") is None
    assert not (tmp_path / "snapshots" / "S1" / "reports" / "quality.json").exists()
