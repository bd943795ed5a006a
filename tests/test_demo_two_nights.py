"""The two-night demo archive as its users meet it (issue 12, items 3 and 8).

`portal-archive demo` is run twice in one directory, as `make demo` is: once with one night,
then with two (so the second run replaces a demo archive). Its packages must pass Webrecorder's
reference validator (py-wacz, `wacz validate`) for both nights, the next steps it prints must
work when pasted, and what the docs say about `verify`, `show --at`, `diff` and the replica's
dates must be what happens.
"""

from __future__ import annotations

import json
import re
import shlex
import subprocess
import zipfile
from datetime import datetime, timedelta, timezone

import pytest
from e2e import BIN, REPO, cli

pytestmark = pytest.mark.slow

ARTICLES = 15
# docs/replica.md: night K is the evening of 2026-11-20 + K days, 23:00 UTC+7.
NIGHT_0 = datetime(2026, 11, 20, 23, 0, tzinfo=timezone(timedelta(hours=7)))


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> dict:
    work = tmp_path_factory.mktemp("demo")
    first = cli("demo", "--articles", "3", "--nights", "1", "--archive", "demo-archive",
                cwd=work)
    second = cli("demo", "--articles", str(ARTICLES), "--archive", "demo-archive", cwd=work)
    archive = work / "demo-archive"
    ids = sorted(p.name for p in (archive / "snapshots").iterdir())
    return {"work": work, "archive": archive, "ids": ids, "first": first, "second": second}


def run(demo: dict, *args: str) -> subprocess.CompletedProcess:
    return cli(*args, "--archive", str(demo["archive"]), check=False, cwd=demo["work"])


# -- item 3: py-wacz's validator on both nights --------------------------------------------
def test_wacz_of_both_nights_pass_the_reference_validator(demo, tmp_path):
    previous, latest = demo["ids"]
    for ref, sid in (("previous", previous), ("latest", latest)):
        made = run(demo, "wacz", ref, "--out", str(tmp_path))
        assert made.returncode == 0, made.stderr
        package = tmp_path / f"{sid}.wacz"  # `latest` resolves to the id, as for diff
        with zipfile.ZipFile(package) as zf:
            resources = json.loads(zf.read("datapackage.json"))["resources"]
        names = [r["name"] for r in resources]
        assert all(re.fullmatch(r"[a-z0-9._/-]+", n) for n in names), names
        assert len(set(names)) == len(names)
        if ref == "latest":  # the night with revisits carries their originals
            assert any(n.startswith("originals-") for n in names), names
        check = subprocess.run([str(BIN / "wacz"), "validate", "-f", str(package)],
                               capture_output=True, text=True, timeout=300)
        assert check.returncode == 0, check.stdout + check.stderr
        assert "Validation succeeded" in check.stdout


# -- item 8: what the docs say is what happens ------------------------------------------------
def test_demo_says_it_replaces_the_previous_archive(demo):
    assert "replacing the previous demo archive" not in demo["first"].stdout
    line = next(x for x in demo["second"].stdout.splitlines() if "replacing" in x)
    assert "demo-archive" in line and "1 snapshot(s)" in line
    assert len(demo["ids"]) == 2  # the first run's snapshot is gone


def test_demo_next_steps_work_when_pasted(demo):
    out = demo["second"].stdout
    # The commands to try, up to the blank line before the last line (`browse it: … serve`).
    steps = out[out.index("== next: try"):].split("\n\n")[0].splitlines()[1:]
    commands = [line.strip() for line in steps if line.strip()]
    assert any(" diff previous latest " in c for c in commands)
    assert any(" show " in c for c in commands) and any(" history " in c for c in commands)
    for command in commands:
        assert shlex.split(command)[0] == str(BIN / "portal-archive")  # as the user ran it
        proc = subprocess.run(command, shell=True, cwd=demo["work"], capture_output=True,
                              text=True, timeout=300)
        assert proc.returncode == 0, (command, proc.stderr)


def test_clean_verify_prints_notes_then_ok_as_audit_md_says(demo):
    proc = run(demo, "verify")
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    (ok,) = [line for line in lines if line.startswith("OK: ")]
    assert ok.startswith("OK: 2 snapshot(s)")
    notes = [line for line in lines if line != ok]  # before or after it: the doc says "with"
    # The reports written after close on purpose: the diff and the quality report.
    assert notes and all(": note: reports/diff-" in line or ": note: reports/quality.json"
                         in line for line in notes)
    assert any(": note: reports/diff-" in line for line in notes)
    doc = (REPO / "docs" / "audit.md").read_text(encoding="utf-8")
    assert "note: reports/diff-" in doc and "A clean archive prints one line" not in doc


def _added_url(demo: dict) -> str:
    diff = json.loads(run(demo, "diff", "previous", "latest", "--format", "json").stdout)
    return next(item["url"] for item in diff["added"] if item["kind"] == "article")


def test_show_at_a_snapshot_that_did_not_capture_the_url(demo):
    previous, latest = demo["ids"]
    url = _added_url(demo)  # new on night 1: only the latest snapshot has it
    proc = run(demo, "show", url, "--at", previous)
    assert proc.returncode == 2
    assert proc.stdout == ""
    (line,) = proc.stderr.splitlines()
    assert f"snapshot {previous} has no capture of {url}" in line
    assert f"captured in: {latest}" in line
    shown = run(demo, "show", url, "--at", latest)
    assert shown.returncode == 0 and f"in snapshot {latest}" in shown.stderr


def test_diff_with_a_and_b_reversed_warns(demo):
    previous, latest = demo["ids"]
    forward = run(demo, "diff", "previous", "latest", "--format", "md")
    assert forward.returncode == 0 and "warning" not in forward.stderr
    # The state diff is directional: reversed, it is refused in one line.
    backward = run(demo, "diff", "latest", "previous", "--format", "md")
    assert backward.returncode == 2 and not backward.stdout
    (line,) = backward.stderr.splitlines()
    assert line.startswith("portal-archive diff: error: ") and "older snapshot first" in line
    # The capture diff (--captures) is computed, with a warning.
    backward = run(demo, "diff", "latest", "previous", "--captures", "--format", "md")
    assert backward.returncode == 0
    (line,) = backward.stderr.splitlines()
    assert line.startswith("portal-archive diff: warning: ")
    assert f"A ({latest}" in line and "is newer than B" in line


def test_articles_are_not_dated_after_the_night_that_served_them(demo):
    import duckdb

    for night, sid in enumerate(demo["ids"]):
        datasets = demo["archive"] / "snapshots" / sid / "datasets"
        query = f"select max(published_at) from '{datasets / 'articles.parquet'}'"
        newest = duckdb.sql(query).fetchall()[0][0]
        assert newest is not None
        assert newest <= NIGHT_0 + timedelta(days=night), (sid, newest)


def test_both_diffs_match_the_replica_ground_truth(demo):
    """The NukeViet pair and the upload-portal pair (where one article is refiled under a new
    URL each night: one changed article, not one removed and one added)."""
    out = demo["second"].stdout
    assert out.count("the diff matches it") == 2, out
    assert "does NOT match" not in out
    counts = re.findall(r"(\d+) added, (\d+) removed, (\d+) changed", out)
    # (Each pair prints the diff's counts, then the truth's.)
    assert len(counts) == 4 and counts[0] == counts[1] and counts[2] == counts[3], counts
    upload = demo["archive"] / "platforms" / "upload-portal"
    diff = json.loads(cli("diff", "previous", "latest", "--archive", str(upload), "--format",
                          "json").stdout)
    (moved,) = [c for c in diff["changed"] if c.get("moved_from")]
    # The reports say where the refiled article was: its A evidence is a capture of that URL.
    for fmt in ("md", "html"):
        report = cli("diff", "previous", "latest", "--archive", str(upload), "--format",
                     fmt).stdout
        assert f"(moved from {moved['moved_from']}, matched by content)" in report, fmt


def test_browser_diff_is_the_state_diff_with_the_moved_article(demo):
    """The browser's diff page says what `portal-archive diff` says (the portal's state): the
    refiled article is one changed article, headed with its old URL; `&captures=1` is the
    capture diff, as the timeline's counts (the article there is removed and added)."""
    from lxml import html as lxml_html

    from browser.app import create_app

    upload = demo["archive"] / "platforms" / "upload-portal"
    diff = json.loads(cli("diff", "previous", "latest", "--archive", str(upload), "--format",
                          "json").stdout)
    (moved,) = [c for c in diff["changed"] if c.get("moved_from")]
    app = create_app(upload, replay_base="http://127.0.0.1:9", port=8500, verify=False)
    try:
        http = app.test_client()

        def headings(query: str) -> tuple[list[str], str]:
            resp = http.get(f"/diff?a={diff['a']}&b={diff['b']}{query}",
                            base_url="http://127.0.0.1:8500",
                            headers={"Accept-Language": "en"})
            assert resp.status_code == 200
            page = lxml_html.fromstring(resp.get_data(as_text=True))
            return ([" ".join(h.text_content().split()) for h in page.cssselect(".report h2")],
                    " ".join(page.text_content().split()))

        h2, text = headings("")
        assert h2[:3] == [f"Changed ({len(diff['changed'])})",
                          f"Removed from the portal ({len(diff['removed'])})",
                          f"Added ({len(diff['added'])})"], h2
        assert f"(moved from {moved['moved_from']}, matched by content)" in text
        h2, text = headings("&captures=1")
        assert h2[0] == f"Changed ({len(diff['changed']) - 1})" and "(moved from" not in text
    finally:
        app.extensions["cleanup"]()
