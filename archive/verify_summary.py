"""What `portal-archive verify` prints: problems grouped by snapshot, file and kind.

One damaged WARC can explain hundreds of problems (every record from the damage on, and every
revisit in later snapshots whose original was in the lost part): listed one by one, the cause
drowns in its consequences. Grouped, it is one line per cause:

    N0: warc: warcs/x.warc.gz: truncated or corrupt at offset 824803: … (3 problems)
    N3: revisit: revisits whose original is in a damaged file (N0/warcs/x.warc.gz): 33 (first: …)

A group of one problem prints the problem's own line (`Problem.line`); `--verbose` prints every
problem that way, and `--json` keeps every field of every problem.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from archive.verify import Problem, SnapshotReport

# Parts of a message that differ from one problem of a kind to the next.
_VARIABLE = re.compile(r"<urn:[^>]*>|\b[a-z]+://\S+|'[^']*'|\b(?:sha1|sha256):\w+|\d+")

_LOST = {
    "original-in-damaged-file": "revisits whose original is in a damaged file",
    "original-in-missing-file": "revisits whose original is in a missing file",
}


@dataclass
class _Group:
    snapshot_id: str
    check: str
    file: str
    label: str
    problems: list[Problem] = field(default_factory=list)


def display_file(problem: Problem) -> str:
    """The problem's file relative to its snapshot (a bare WARC name gets its `warcs/`)."""
    name = problem.file or "-"
    if problem.check in ("warc", "revisit", "dedup", "cdxj") and "/" not in name and (
            ".warc" in name):
        return f"warcs/{name}"
    return name


def _kind(problem: Problem) -> str:
    return problem.kind or _VARIABLE.sub("…", problem.message)


def group_problems(reports: Iterable[SnapshotReport]) -> list[_Group]:
    """Groups in report order; within a snapshot, by file, then in order of appearance."""
    groups: list[_Group] = []
    for report in reports:
        mine: dict[tuple, _Group] = {}
        # Damage from an offset on explains the record and index problems found there.
        cut = {p.file: p.offset for p in report.problems
               if p.kind == "unreadable" and p.offset is not None}
        for p in report.problems:
            if p.kind in _LOST:
                key: tuple = (p.kind, p.about)
                label = f"{_LOST[p.kind]} ({p.about})"
                file = ""
            elif (p.check in ("warc", "cdxj") and p.file in cut and p.offset is not None
                  and p.offset >= cut[p.file]):
                key, label, file = ("unreadable", p.file), "", display_file(p)
            else:
                key, label, file = (p.check, p.file, _kind(p)), _kind(p), display_file(p)
            if key not in mine:
                mine[key] = _Group(report.snapshot_id, p.check, file, label)
            mine[key].problems.append(p)
        groups.extend(sorted(mine.values(), key=lambda g: (g.file == "", g.file)))
    return groups


def _where(p: Problem) -> str:
    where = display_file(p)
    if p.offset is not None:
        where += f" @ {p.offset}"
    if p.record_id:
        where += f" {p.record_id}"
    return where


def group_line(group: _Group) -> str:
    probs = group.problems
    n = len(probs)
    first = probs[0]
    head = f"{group.snapshot_id}: {group.check}: "
    cause = next((p for p in probs if p.kind == "unreadable"), None)
    if cause is not None:
        message = cause.message.removeprefix("unreadable from this offset on (truncated or "
                                             "corrupt): ")
        return (f"{head}{group.file}: truncated or corrupt at offset {cause.offset}: "
                f"{message} ({n} problem{'s' if n > 1 else ''})")
    if first.kind in _LOST:
        return f"{head}{group.label}: {n} (first: {_where(first)})"
    if n == 1:
        return first.line()
    return f"{head}{group.file}: {group.label} ({n} problems; first: {_where(first)}: " \
           f"{first.message})"


def summary_lines(reports: list[SnapshotReport], verbose: bool = False) -> list[str]:
    """The problem lines `verify` prints after its summary line."""
    if verbose:
        return [p.line() for r in reports for p in r.problems]
    return [group_line(g) for g in group_problems(reports)]
