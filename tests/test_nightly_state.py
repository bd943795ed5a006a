"""Eight nights of `portal-archive nightly` on the replica: the state, its diffs and freshness.

The nights run on a clock faked with libfaketime (`faketime`, a Debian package), so the crawler,
its WARC dates, snapshot ids and the freshness policy all live in the same simulated week and
the default policy (recent items re-checked within a day) decides what each night fetches.
Nights come every 18 hours, so an incremental night re-checks about half the known items; night
4 is `--full`; night 7 comes after a day and a half (a night skipped), so everything is due.

For every night, with the replica's ground truth (`Site.changes`) and the night's WARCs read
with warcio:
- the diff equals the ground truth for the items the night re-checked, each compared from the
  night it was last verified (which makes the full night's diff the truth since each item was
  last verified); the not-re-checked items are exactly the known items the night did not fetch;
- nothing an earlier snapshot holds is `added`;
- every known item whose last verification is a day old or more is re-checked (the policy's
  interval), so every edit and withdrawal is reported on the first night it was due.
After the 8 nights, the state (load_table(..., latest=True, state=True)) is exactly the
replica's live items plus its withdrawn ones flagged `withdrawn`.
"""

from __future__ import annotations

import functools
import json
import os
import shutil
import subprocess
from datetime import UTC, datetime, timedelta

import pytest
from e2e import CLI, captured_uris, free_port, snapshot_ids, warc_paths
from test_nightly import Replica

from audit.state import build_state
from pipelines.loader import load_table
from replica import ReplicaConfig, Site

pytestmark = pytest.mark.slow

FAKETIME = shutil.which("faketime")
ARTICLES, SEED, THEME = 12, 4, "egov45"
START = datetime(2026, 12, 1, 3, 15, tzinfo=UTC)
HOURS = [0, 18, 36, 54, 72, 90, 108, 144]  # when each night runs
FULL_NIGHT = 4
RECENT_INTERVAL = timedelta(days=1)  # the default --recent-interval-days


def run_night(base: str, archive, night: int) -> str:
    when = START + timedelta(hours=HOURS[night])
    args = ["nightly", base, "--archive", str(archive), "--delay", "0", "--concurrency", "8",
            "--format", "json", *(["--full"] if night == FULL_NIGHT else [])]
    env = {**os.environ, "FAKETIME_DONT_FAKE_MONOTONIC": "1"}
    proc = subprocess.run([FAKETIME, when.strftime("%Y-%m-%d %H:%M:%S"), *CLI, *args],
                          capture_output=True, text=True, env=env, timeout=300)
    assert proc.returncode == 0, (night, proc.stdout[-2000:], proc.stderr[-2000:])
    return proc.stdout


def items(state) -> dict[tuple[str, int], dict]:
    out = {}
    for kind, table in (("article", state.articles), ("document", state.documents)):
        for row in table.select([f"{kind}_id", "url", "page_url", "status",
                                 "last_verified_at", "last_verified_snapshot"]).to_pylist():
            out[(kind, row[f"{kind}_id"])] = row
    return out


def test_eight_nights_state_diff_and_freshness_match_ground_truth(tmp_path):
    if FAKETIME is None:
        if os.environ.get("CI") == "true":
            pytest.fail("faketime is not installed (apt-get install faketime; .ci/run does)")
        pytest.skip("faketime is not installed (apt-get install faketime)")
    archive = tmp_path / "archive"
    port = free_port()
    stdout = []
    for night in range(len(HOURS)):
        with Replica(port, night=night, articles=ARTICLES, seed=SEED) as base:
            stdout.append(run_night(base, archive, night))
    snaps = snapshot_ids(archive)
    assert len(snaps) == len(HOURS)
    assert snaps[1].startswith("20261201T2115")  # the faked clock names the snapshots
    night_of = {sid: n for n, sid in enumerate(snaps)}
    site = Site(ReplicaConfig(articles=ARTICLES, seed=SEED, theme=THEME))
    changes = functools.cache(site.changes)
    key = lambda i: (i["kind"], int(i["key"]))  # noqa: E731
    reported = {"removed": 0, "changed": 0}
    checked_on: dict[int, set] = {}  # night → known items it re-checked
    reported_on: dict[tuple[str, int], list[int]] = {}  # item → nights it was reported on

    partial_nights = 0
    for k in range(1, len(HOURS)):
        prev, cur = build_state(archive, snaps[k - 1]), build_state(archive, snaps[k])
        known = items(prev)
        report = json.loads((archive / "snapshots" / snaps[k] / "reports"
                             / f"diff-{snaps[k - 1]}-{snaps[k]}.json").read_text("utf-8"))
        fetched = set(captured_uris(warc_paths(archive, snaps[k])))
        rechecked = {i for i, row in known.items() if {row["url"], row["page_url"]} & fetched}

        # Not re-checked = the known items the night's WARCs have no fetch of.
        assert {key(i) for i in report["not_rechecked"]} == set(known) - rechecked, k
        assert report["summary"]["not_rechecked"] == len(known) - len(rechecked)
        if k == FULL_NIGHT:
            assert report["not_rechecked"] == []
        elif known.keys() - rechecked:
            partial_nights += 1

        # Freshness: no known item is left unchecked a day or more after its last check.
        now = START + timedelta(hours=HOURS[k])
        overdue = {i for i, row in known.items()
                   if now - row["last_verified_at"] >= RECENT_INTERVAL}
        assert overdue <= rechecked, (k, sorted(overdue - rechecked))

        # The diff is the ground truth for what was re-checked, from its last verification.
        want_removed, want_changed, want_unchanged = set(), {}, 0
        for item in sorted(rechecked):
            row = known[item]
            truth = changes(night_of[row["last_verified_snapshot"]], k)
            removed = {key(r): r["reason"] for r in truth["removed"]}
            changed = {key(c): sorted(c["fields"]) for c in truth["changed"]}
            if item in removed:
                want_removed.add((*item, removed[item]))
            elif item in changed:
                want_changed[item] = changed[item]
            elif row["status"] != "withdrawn":
                want_unchanged += 1
        added = {key(a) for a in changes(k - 1, k)["added"]}
        assert {key(i) for i in report["added"]} == added, k
        assert not added & set(known), k  # nothing an earlier snapshot holds is "added"
        assert {(*key(i), i["reason"]) for i in report["removed"]} == want_removed, k
        assert {key(i): sorted(i["fields"]) for i in report["changed"]} == want_changed, k
        assert report["unchanged"] == want_unchanged, k
        reported["removed"] += len(want_removed)
        reported["changed"] += len(want_changed)
        checked_on[k] = rechecked
        for i in report["removed"] + report["changed"]:
            reported_on.setdefault(key(i), []).append(k)
        # nightly's one-line summary says the same
        s = report["summary"]
        assert (f"{s['added']} added, {s['removed']} removed, {s['changed']} changed, "
                f"{s['unchanged']} unchanged (re-checked), {s['not_rechecked']} not re-checked"
                ) in stdout[k], stdout[k]
        # Each item's state agrees with the truth as of the night it was last verified.
        for item, row in items(cur).items():
            seen = night_of[row["last_verified_snapshot"]]
            gone = item[0] == "article" and not site.model.article_exists(item[1], seen)
            assert (row["status"] == "withdrawn") == gone, (k, item, row["status"])
    assert partial_nights >= 3  # the incremental nights really were incremental
    assert reported["removed"] >= 5 and reported["changed"] >= 10, reported
    # Every edit and withdrawal of the ground truth is reported, on the first night that
    # re-checked the item (which the freshness check above bounds by the policy interval).
    for m in range(1, len(HOURS)):
        truth = changes(m - 1, m)
        for item in [key(i) for i in truth["changed"] + truth["removed"]]:
            first = min(k for k in range(m, len(HOURS)) if item in checked_on[k])
            assert first in reported_on.get(item, []), (m, item, first, reported_on.get(item))

    # After the 8 nights: exactly the live items, plus the withdrawn ones flagged.
    last = site.model.state(len(HOURS) - 1)
    arts = load_table("articles", archive, latest=True, state=True)
    docs = load_table("documents", archive, latest=True, state=True)
    live = {k for k in range(1, last.max_article + 1) if k not in last.removed}
    assert set(arts.article_id[arts.status != "withdrawn"]) == live
    assert set(arts.status[arts.status != "withdrawn"]) == {"present"}
    gone = arts[arts.status == "withdrawn"]
    assert dict(zip(gone.article_id, gone.withdrawn_reason, strict=True)) == {
        k: reason for k, (_, reason) in last.removed.items()}
    assert gone.withdrawn_at.notna().all()
    assert set(docs.document_id) == set(range(1, last.max_document + 1))
    assert set(docs.status) == {"present"}
