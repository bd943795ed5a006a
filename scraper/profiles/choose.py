"""Which site profile a crawl uses, and how the snapshot records it.

In order: a profile file or platform named on the command line (`crawl --profile FILE.toml`,
`--platform NAME`), the registry's `profile` / `platform` keys (portal_archive.registry),
else the platform detected on the portal's home page (`scraper.parsers.detect`, fetched once
before the crawl), else NukeViet (a home page that cannot be fetched: the crawl then fails
as it always did, with NukeViet's seeds).

The snapshot's manifest says what was used (`platform`, and `site_profile`: name, platform,
how it was chosen, the detection's evidence); a profile file is copied into the snapshot as
`profile.toml`, so a resumed crawl and the fleet's workers read exactly the same rules.
"""

from __future__ import annotations

import shutil
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from scraper.profiles.site import SiteProfile
from scraper.profiles.spec import PLATFORMS, Profile, ProfileError, builtin, load_profile

DEFAULT_PLATFORM = "nukeviet"
SNAPSHOT_PROFILE = "profile.toml"
# Enough of a home page for its fingerprints (generator meta, asset paths, ids).
_MAX_BYTES = 2 * 1024 * 1024


@dataclass
class ProfileChoice:
    """A checked profile and how it was chosen (`option`, `registry`, `detected`,
    `default`)."""

    spec: Profile
    chosen_by: str
    evidence: list[str] = field(default_factory=list)

    def manifest_entry(self) -> dict[str, Any]:
        return {"name": self.spec.name, "platform": self.spec.platform,
                "chosen_by": self.chosen_by,
                "file": SNAPSHOT_PROFILE if self.spec.path and not _shipped(self.spec) else None,
                **({"evidence": self.evidence} if self.evidence else {})}


def _shipped(spec: Profile) -> bool:
    return spec.path is not None and spec.path.parent == Path(builtin("generic").path).parent


def named_profile(name: str, base: Path | None = None) -> Profile:
    """A shipped platform profile by name (`upload-portal`), or a TOML file (a path, relative
    to `base` when given and not absolute). ProfileError (one line) otherwise."""
    if name in PLATFORMS:
        return builtin(name)
    if name == "nukeviet4":  # the name snapshots and registries recorded before TOML profiles
        return builtin("nukeviet")
    path = Path(name)
    if base is not None and not path.is_absolute():
        path = Path(base) / path
    if path.suffix != ".toml" and not path.exists():
        raise ProfileError(f"unknown profile {name!r}: a platform ({', '.join(PLATFORMS)}) "
                           "or a .toml file")
    return load_profile(path)


def platform_profile(platform: str) -> Profile:
    if platform not in PLATFORMS:
        raise ProfileError(f"unknown platform {platform!r} (known: {', '.join(PLATFORMS)})")
    return builtin(platform)


def choose_profile(url: str | None, *, platform: str | None = None,
                   profile: str | None = None, chosen_by: str = "option",
                   base: Path | None = None, user_agent: str | None = None,
                   timeout: float = 15.0) -> ProfileChoice:
    """The profile for a crawl of `url`: a profile file or platform if given, else the
    platform detected on the home page, else NukeViet. Both given: the profile, which must
    be of that platform."""
    if profile:
        spec = named_profile(profile, base)
        if platform and spec.platform != platform:
            raise ProfileError(f"profile {spec.name!r} is for platform {spec.platform!r}, not "
                               f"{platform!r}")
        return ProfileChoice(spec, chosen_by)
    if platform:
        return ProfileChoice(platform_profile(platform), chosen_by)
    if url:
        found = detect_home(url, user_agent=user_agent, timeout=timeout)
        if found is not None:
            return ProfileChoice(builtin(found[0]), "detected", found[1])
    return ProfileChoice(builtin(DEFAULT_PLATFORM), "default")


def detect_home(url: str, *, user_agent: str | None = None, timeout: float = 15.0
                ) -> tuple[str, list[str]] | None:
    """(platform, evidence) of the page at `url`, or None when it cannot be fetched."""
    from scraper.parsers.detect import detect
    from scraper.parsers.text import decode_html

    request = urllib.request.Request(url, headers={"User-Agent": user_agent or "portal-archive"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
            body = response.read(_MAX_BYTES)
            ctype = response.headers.get("Content-Type")
            final = response.geturl()
    except (OSError, urllib.error.URLError, ValueError):
        return None
    text = decode_html(body, ctype)[0]
    found = detect(text, final)
    return found.platform, list(found.evidence)


def site_profile(url: str, spec: Profile) -> SiteProfile:
    """The crawl-side profile: the class the profile's `[hooks] crawl` names (NukeViet's
    hand-written rules), else `SiteProfile` reading its `[site]`, `[urls]`, `[canonical]`."""
    cls = spec.hooks.get("crawl") or SiteProfile
    return cls(url, spec=spec)


def record_choice(snapshot_dir: Path, manifest: dict, choice: ProfileChoice) -> dict:
    """The manifest with the choice recorded; a profile file is copied into the snapshot."""
    entry = choice.manifest_entry()
    if entry["file"]:
        shutil.copyfile(choice.spec.path, Path(snapshot_dir) / SNAPSHOT_PROFILE)
    return {**manifest, "platform": choice.spec.platform, "site_profile": entry}


def recorded_profile(snapshot_dir: Path, manifest: dict) -> Profile:
    """The profile a snapshot was crawled with (its manifest; NukeViet for snapshots made
    before profiles were recorded)."""
    entry = manifest.get("site_profile") or {}
    if entry.get("file"):
        return load_profile(Path(snapshot_dir) / entry["file"])
    return builtin(entry.get("platform") or manifest.get("platform") or DEFAULT_PLATFORM)
