"""`search --timeline` says an item is withdrawn exactly when the portal state does.

Night B captures an article (still served) and, later the same night, gets HTTP 404, 410 or a
soft-404 page for its URL (the replica's later night, where the article is withdrawn): by the
state's rule (audit.state: the item's last event that night is the gone fetch) the article is
withdrawn as of B. The timeline must say the same (it once let any capture of a night outrank
a gone fetch of that night), and an article captured after such a fetch the same night is
present.
"""

from __future__ import annotations

import json
import re

from search_archive import add_fetches, item_urls, site

from audit.state import portal_state
from portal_archive.cli import main

A, B = "20261127T190000Z", "20261130T190000Z"


def timeline(capsys, root, phrase: str) -> list[dict]:
    capsys.readouterr()
    code = main(["search", "--archive", str(root), "--format", "json", "--timeline", phrase])
    out, err = capsys.readouterr()
    assert code == 0, err
    return json.loads(out)["items"]


def test_a_capture_then_a_404_the_same_night_is_a_withdrawal(tmp_path, capsys):
    s0, s3 = site(0), site(3)
    removed = s3.changes(0, 3)["removed"]  # 404, 410 or a soft-404 page on night 3
    assert len(removed) >= 2  # the test can fail
    late, early = removed[0], removed[1]
    urls = item_urls(s0)
    add_fetches(tmp_path, A, [(s0, u) for u in urls], 0)
    # B: `late` served (night 0's page), then 404; `early` 404 first, then served.
    others = [(s0, u) for u in urls if u not in (late["url"], early["url"])]
    add_fetches(tmp_path, B, [(s0, late["url"]), (s3, early["url"]), *others, (s3, late["url"]),
                        (s0, early["url"])], 3)

    state = portal_state(tmp_path, B).to_pylist()
    status = {r["article_id"]: r for r in state}
    assert status[late["key"]]["status"] == "withdrawn"
    assert status[late["key"]]["withdrawn_snapshot"] == B
    assert status[early["key"]]["status"] == "present"

    for entry, withdrawn in ((late, True), (early, False)):
        row = status[entry["key"]]
        words = re.findall(r"[^\W_]+", row["body_text"])[:6]
        got = [i for i in timeline(capsys, tmp_path, " ".join(words))
               if i["url"].endswith(entry["url"])]
        assert len(got) == 1, got
        item = got[0]
        assert item["first_seen"] == A
        if withdrawn:
            assert (item["gone_at"], item["gone_reason"]) == (B, row["withdrawn_reason"])
            assert item["evidence"][-1]["role"] == "withdrawn"
            assert item["evidence"][-1]["snapshot_id"] == B
        else:
            assert item["gone_at"] is None and item["gone_reason"] is None
