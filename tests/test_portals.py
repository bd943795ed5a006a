"""The portal registry (portals.toml), `portals add/list/check`, portals in snapshots, and
`nightly --all` over several portals at once (one slow e2e test)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from e2e import cli, free_port, replica_args, replica_process

from archive.snapshot import create_snapshot, latest_closed, list_snapshots, snapshot_portal
from portal_archive.registry import Portal, RegistryError, add_portal, load_registry


def test_registry_round_trip_and_atomic_file(tmp_path: Path) -> None:
    path = tmp_path / "portals.toml"
    add_portal(path, Portal("laichau", ["https://laichau.gov.vn/"], delay=2.0, concurrency=1,
                            schedule=["mon", "thu"], tags=["province=Lai Châu \"LC\""]))
    add_portal(path, Portal("sotc", ["https://sotc.laichau.gov.vn/"], robots=False))
    first, second = load_registry(path)
    assert (first.name, first.delay, first.concurrency, first.schedule) == (
        "laichau", 2.0, 1, ["mon", "thu"])
    assert first.tags == ["province=Lai Châu \"LC\""]  # escapes survive our writer + tomllib
    assert first.due(0) and not first.due(1)
    assert second.robots is False and second.profile == "nukeviet"
    assert [p.name for p in tmp_path.iterdir()] == ["portals.toml"]  # no temporary left
    with pytest.raises(RegistryError, match="already exists"):
        add_portal(path, Portal("laichau", ["https://x.gov.vn/"]))


@pytest.mark.parametrize("text, expected", [
    ('[[portal]]\nname = "a"\nseeds = [https://a.vn/]\n', r"portals\.toml: .*line 3"),
    ('[[portal]]\nname = "a"\nseeds = ["ftp://a.vn/"]\n', r"portals\.toml: portal #1.*http"),
    ('[[portal]]\nname = "a"\nseeds = ["https://a.vn/"]\nschedule = ["someday"]\n',
     "schedule day 'someday'"),
    ('[[portal]]\nname = "a"\nseeds = ["https://a.vn/"]\ndelai = 1\n', "unknown key 'delai'"),
])
def test_bad_registry_is_one_line_naming_file(tmp_path: Path, text: str, expected: str) -> None:
    (tmp_path / "portals.toml").write_text(text, encoding="utf-8")
    with pytest.raises(RegistryError, match=expected):
        load_registry(tmp_path / "portals.toml")
    proc = cli("portals", "--archive", str(tmp_path), "check", check=False)
    assert proc.returncode == 2 and proc.stdout == ""
    assert len(proc.stderr.strip().splitlines()) == 1
    assert re.search(expected, proc.stderr) and "Traceback" not in proc.stderr


def test_portals_add_and_list_cli(tmp_path: Path) -> None:
    archive = str(tmp_path / "a")
    cli("portals", "--archive", archive, "add", "laichau", "https://laichau.gov.vn/",
        "--delay", "3", "--concurrency", "1", "--profile", "nukeviet4")
    bad = cli("portals", "--archive", archive, "add", "x y", "https://x.vn/", check=False)
    assert bad.returncode == 2 and "invalid portal name" in bad.stderr
    listed = json.loads(cli("portals", "--archive", archive, "list", "--format", "json").stdout)
    assert [(p["name"], p["seeds"], p["delay"], p["concurrency"], p["profile"])
            for p in listed] == [("laichau", ["https://laichau.gov.vn/"], 3.0, 1, "nukeviet4")]
    assert "laichau  https://laichau.gov.vn/" in cli("portals", "--archive", archive).stdout


def test_legacy_archive_opens_unchanged(tmp_path: Path) -> None:
    """Snapshots written before the registry (no `portal` in their manifest) belong to a
    portal named after their seed's host; listing all of them is what it always was."""
    old = create_snapshot(tmp_path, "20260101T000000Z", seeds=["https://laichau.gov.vn/"])
    new = create_snapshot(tmp_path, "20260102T000000Z-sotc", seeds=["https://sotc.vn/"],
                          portal="sotc")
    assert "portal" not in old.manifest and snapshot_portal(old.manifest) == "laichau.gov.vn"
    assert snapshot_portal(new.manifest) == "sotc"
    assert [s.snapshot_id for s in list_snapshots(tmp_path)] == [old.snapshot_id,
                                                                  new.snapshot_id]
    assert [s.snapshot_id for s in list_snapshots(tmp_path, "laichau.gov.vn")] == [
        old.snapshot_id]
    assert latest_closed(tmp_path, portal="sotc") is None  # open snapshots are no base
    listed = json.loads(cli("portals", "--archive", str(tmp_path), "list", "--format",
                            "json").stdout)
    assert {(p["name"], p["source"]) for p in listed} == {("laichau.gov.vn", "snapshots"),
                                                          ("sotc", "snapshots")}


@pytest.mark.slow
def test_nightly_all_runs_portals_concurrently_and_names_failures(tmp_path: Path) -> None:
    archive = tmp_path / "archive"
    dead = f"http://127.0.0.1:{free_port()}/"  # nothing listens there
    with replica_process(*replica_args(articles=6, seed=1)) as one, \
            replica_process(*replica_args(articles=6, seed=2)) as two, \
            replica_process(*replica_args(articles=6, seed=3), "--unavailable-rate", "1") as down:
        for name, url in (("one", one), ("two", two), ("down", down), ("dead", dead)):
            cli("portals", "--archive", str(archive), "add", name, url, "--delay", "0",
                "--concurrency", "4")
        proc = cli("nightly", "--all", "--archive", str(archive), "--format", "json",
                   check=False, timeout=300)
    out = proc.stdout
    assert proc.returncode != 0, out
    lines = out.strip().splitlines()
    assert len(lines) == 5, out  # one line per portal and a total
    by_name = {line.split(":", 1)[0]: line for line in lines[:4]}
    assert by_name["one"].startswith("one: OK snapshot ") and "[exit" not in by_name["one"]
    assert by_name["two"].startswith("two: OK snapshot ")
    assert "FAILED" in by_name["down"] and "[exit 4]" in by_name["down"]
    assert "FAILED" in by_name["dead"] and "[exit 4]" in by_name["dead"]
    assert lines[4] == "TOTAL 4 portals: 2 ok, 2 failed (down, dead)"
    snaps = {snapshot_portal(s.manifest): s for s in list_snapshots(archive)}
    assert {n: s.status for n, s in snaps.items()} == {
        "one": "closed", "two": "closed", "down": "failed", "dead": "failed"}
    for name, snap in snaps.items():  # ids carry the portal: no collision in the same second
        assert snap.snapshot_id.endswith(f"-{name}") and snap.manifest["portal"] == name
    assert snaps["one"].manifest["seeds"] == [one]
    # Each portal's own snapshots: `snapshots --portal` and the loader select them.
    listed = json.loads(cli("snapshots", "--archive", str(archive), "--portal", "two",
                            "--json").stdout)
    assert [r["snapshot_id"] for r in listed] == [snaps["two"].snapshot_id]
    from pipelines.loader import load_table

    both = load_table("articles", archive=archive, latest=True)
    assert set(both["portal"]) == {"one", "two"}
    only = load_table("articles", archive=archive, portal="one", latest=True)
    assert len(only) and set(only["portal"]) == {"one"}
    assert set(only["snapshot_id"]) == {snaps["one"].snapshot_id}
    # The portal's state is built from its own snapshots only, not its neighbours'.
    state = load_table("articles", archive=archive, portal="one", state=True)
    assert len(state) == len(only) and all(u.startswith(one) for u in state["url"])
    assert set(state["status"]) == {"present"}
