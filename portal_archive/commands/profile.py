"""`portal-archive profile check PROFILE [--pages DIR]`: validate a site profile and show what
it extracts from saved pages (docs/profiles.md)."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

NAME = "profile"
ARCHIVE_USE = None  # --archive is not used (portal_archive.errors)
HELP = "check a site profile (TOML) and show what it extracts from saved pages"

# The fields `check` shows per page (the full record is `--json`).
_SHOWN = {
    "article": ("title", "published_at", "authors", "source", "body_text", "images", "tags",
                "category"),
    "document": ("number", "title", "issued_on", "effective_on", "issuer", "signer",
                 "doc_type", "attachments"),
}


def add_arguments(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    check = sub.add_parser("check", help="validate a profile; with --pages, parse saved pages "
                                         "with it", description="Validate a profile file "
                           "(or a shipped one by platform name) and, with --pages, show what "
                           "it extracts from each saved page.")
    check.add_argument("profile", help="profile file (.toml) or a shipped platform name "
                                       "(nukeviet, wordpress, ...)")
    check.add_argument("--pages", type=Path, metavar="DIR",
                       help="saved pages: *.html files, or <page>/page.html with a meta.json "
                            "giving its url")
    check.add_argument("--json", action="store_true", help="print the full parse of each page "
                                                          "as JSON lines")
    # Every command takes --archive, also after the action; SUPPRESS keeps a value given before it.
    check.add_argument("--archive", type=Path, default=argparse.SUPPRESS, metavar="DIR",
                       help="not used by this command (accepted like every command's)")


def _load(spec: str):
    from portal_archive.cli import CommandError
    from scraper.profiles.spec import PLATFORMS, ProfileError, builtin, load_profile

    try:
        if spec in PLATFORMS and not Path(spec).exists():
            return builtin(spec)
        return load_profile(spec)
    except ProfileError as exc:
        raise CommandError(str(exc)) from None


def _pages(directory: Path) -> list[tuple[Path, str, str | None]]:
    """(file, url, content type) of every saved page under DIR, in path order."""
    from portal_archive.cli import CommandError

    if not directory.is_dir():
        raise CommandError(f"{directory}: no such directory")
    found = []
    for path in sorted(directory.rglob("*")):
        if path.suffix.lower() not in (".html", ".htm") or not path.is_file():
            continue
        url, ctype = path.resolve().as_uri(), None
        meta = path.parent / "meta.json"
        if path.name == "page.html" and meta.is_file():
            try:
                info = json.loads(meta.read_text(encoding="utf-8"))
                url, ctype = info.get("url") or url, info.get("content_type")
            except (ValueError, OSError) as exc:
                raise CommandError(f"{meta}: not a readable meta.json ({exc})") from None
        found.append((path, url, ctype))
    if not found:
        raise CommandError(f"{directory}: no saved pages (*.html) found")
    return found


def _summary(profile) -> list[str]:
    raw = profile.raw
    lines = [f"profile {profile.name}: platform {profile.platform}"
             + (f", extends {raw['profile']['extends']}" if raw["profile"].get("extends")
                else "")
             + (f" ({profile.path})" if profile.path else "")]
    lines.append(f"  fingerprints: {len(profile.fingerprints)} (threshold {profile.threshold})")
    roles = ", ".join(f"{role} {len(p)}" for role, p in profile.urls.items() if p)
    lines.append(f"  url roles: {roles or 'none'}")
    for table in ("article", "document", "listing"):
        rules = getattr(profile, table)
        if rules:
            lines.append(f"  {table} rules: " + ", ".join(
                f"{field} {len(r)}" for field, r in rules.items()))
    lines.append(f"  document labels: {len(profile.labels)}; date formats: "
                 f"{len(profile.date_formats)}; machine dates trusted: "
                 f"{'yes' if profile.machine_dates else 'no'} ({', '.join(profile.metadata)})")
    if profile.hook_names:
        lines.append("  hooks: " + ", ".join(f"{k} = {v}" for k, v in
                                             profile.hook_names.items()))
    lines.append("  ok")
    return lines


def _short(value) -> str:
    if isinstance(value, list):
        if value and isinstance(value[0], dict):
            if "name" in value[0] and "organization" in value[0]:
                return "; ".join(a["name"] + (f" ({a['organization']})" if a["organization"]
                                              else "") for a in value)
            if "caption" in value[0]:
                return f"{len(value)} ({sum(1 for i in value if i['caption'])} captioned)"
            return str(len(value))
        return ", ".join(map(str, value))
    text = str(value)
    return text if len(text) <= 90 else text[:87].replace("\n", " ") + "…"


def run(args: argparse.Namespace) -> int:
    from portal_archive.cli import CommandError
    from scraper.parsers import parse_page
    from scraper.parsers.page import looks_binary

    profile = _load(args.profile)
    out = sys.stdout
    if not args.pages:
        out.write("\n".join(_summary(profile)) + "\n")
        return 0
    pages = _pages(args.pages)
    if not args.json:
        out.write("\n".join(_summary(profile)) + "\n")
    counts: dict[str, int] = {}
    for path, url, ctype in pages:
        try:
            body = path.read_bytes()
        except OSError as exc:
            raise CommandError(f"{path}: cannot read ({exc.strerror or exc})") from None
        if looks_binary(body):
            raise CommandError(f"{path} is binary data, not an HTML page")
        result = parse_page(body, url, ctype, profile=profile)
        counts[result["page_type"]] = counts.get(result["page_type"], 0) + 1
        if args.json:
            out.write(json.dumps({"file": str(path), **result}, ensure_ascii=False) + "\n")
            continue
        out.write(f"\n{path}: {result['page_type']}\n")
        record = result.get("article") or result.get("document")
        kind = "article" if result.get("article") else "document"
        if record:
            for field in _SHOWN[kind]:
                value = record.get(field)
                source = result["sources"].get(field, "-")
                shown = _short(value) if value not in (None, [], "") else "(none)"
                out.write(f"  {field:13} {shown}  [{source}]\n")
        elif result.get("listing"):
            listing = result["listing"]
            out.write(f"  items         {len(listing['items'])}; next page: "
                      f"{listing['next_page'] or '(none)'}\n")
        for d in result["disagreements"]:
            out.write(f"  disagreement  {d['field']}: {d}\n")
    if not args.json:
        out.write("\n" + ", ".join(f"{n} {t}" for t, n in sorted(counts.items())) + "\n")
    return 0
