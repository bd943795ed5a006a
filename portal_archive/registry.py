"""The portal registry: `portals.toml` in the archive, one `[[portal]]` table per portal.

Pure: reads with the standard library's `tomllib`, writes a small TOML subset of our own
(strings, numbers, booleans, lists of strings), atomically (temporary file, then rename), so
an interrupted `portals add` never leaves half a registry. An archive without `portals.toml`
is a registry of the portals its snapshots name (see `snapshot_portal`): a single-portal
archive opens unchanged, its portal named after its seed host (docs/portals.md).
"""

from __future__ import annotations

import json
import os
import re
import tempfile
import tomllib
from dataclasses import asdict, dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

REGISTRY_NAME = "portals.toml"
DEFAULT_PROFILE = "nukeviet"
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_NAME_RX = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")


class RegistryError(ValueError):
    """A registry that cannot be used, as one line naming the file (and line)."""


@dataclass
class Portal:
    name: str
    seeds: list[str]
    profile: str = DEFAULT_PROFILE
    delay: float | None = None  # seconds between requests (None: the crawl's polite default)
    concurrency: int | None = None  # requests at a time per host (None: default 2)
    robots: bool = True
    # Freshness policy of its nightly runs (scraper.freshness.FreshnessPolicy).
    max_age_days: float = 7.0
    recent_days: float = 30.0
    recent_interval_days: float = 1.0
    schedule: list[str] = field(default_factory=lambda: list(WEEKDAYS))  # which nights
    tags: list[str] = field(default_factory=list)
    # The portal's platform (`upload-portal`, …): its shipped profile, unless `profile` names
    # another (a platform name or a .toml file, relative to the registry's folder).
    platform: str | None = None

    def profile_options(self) -> tuple[str | None, str | None]:
        """(platform, profile) a crawl of this portal is given (scraper.profiles.choose)."""
        if self.platform and self.profile == DEFAULT_PROFILE:
            return self.platform, None
        return self.platform, self.profile

    def due(self, weekday: int) -> bool:
        """Is a nightly run due on this weekday (0 = Monday)?"""
        return WEEKDAYS[weekday] in self.schedule


def registry_path(archive: Path, override: Path | None = None) -> Path:
    return Path(override) if override else Path(archive) / REGISTRY_NAME


def validate_name(name: str) -> str:
    if not _NAME_RX.match(name or ""):
        raise RegistryError(f"invalid portal name {name!r}: use letters, digits, '.', '_' or "
                            "'-' (at most 64)")
    return name


def host_name(url: str) -> str:
    """The portal name of a legacy snapshot: its seed's host (`laichau.gov.vn`)."""
    return urlsplit(url).hostname or "unknown"


def _check_url(url: str, where: str) -> str:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise RegistryError(f"{where}: seed {url!r} is not an http(s) URL")
    return url


def _portal(raw: dict, where: str) -> Portal:
    known = {f for f in Portal.__dataclass_fields__}
    unknown = sorted(set(raw) - known)
    if unknown:
        raise RegistryError(f"{where}: unknown key {unknown[0]!r} (known: {', '.join(known)})")
    if "name" not in raw or "seeds" not in raw:
        raise RegistryError(f"{where}: a portal needs `name` and `seeds`")
    try:
        portal = Portal(**raw)
    except TypeError as exc:
        raise RegistryError(f"{where}: {exc}") from None
    try:
        validate_name(str(portal.name))
    except RegistryError as exc:
        raise RegistryError(f"{where}: {exc}") from None
    if isinstance(portal.seeds, str):
        portal.seeds = [portal.seeds]
    if not portal.seeds:
        raise RegistryError(f"{where}: portal {portal.name}: no seeds")
    for url in portal.seeds:
        _check_url(str(url), f"{where}: portal {portal.name}")
    for number, label in ((portal.delay, "delay"), (portal.concurrency, "concurrency")):
        if number is not None and (isinstance(number, bool) or not isinstance(number, int | float)
                                   or number < 0):
            raise RegistryError(f"{where}: portal {portal.name}: {label} must be a number >= 0")
    if portal.concurrency is not None and portal.concurrency < 1:
        raise RegistryError(f"{where}: portal {portal.name}: concurrency must be at least 1")
    bad = [d for d in portal.schedule if d not in WEEKDAYS]
    if bad:
        raise RegistryError(f"{where}: portal {portal.name}: schedule day {bad[0]!r} is not one "
                            f"of {', '.join(WEEKDAYS)}")
    return portal


def load_registry(path: Path) -> list[Portal]:
    """The portals of `path` ([] when the file does not exist); RegistryError on bad input."""
    path = Path(path)
    if not path.exists():
        return []
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        # tomllib says "... (at line N, column M)": keep it, and name the file.
        raise RegistryError(f"{path}: {exc}") from None
    except UnicodeDecodeError as exc:
        raise RegistryError(f"{path}: not UTF-8 text ({exc.reason})") from None
    tables = data.get("portal", [])
    if not isinstance(tables, list):
        raise RegistryError(f"{path}: `portal` must be an array of tables ([[portal]])")
    portals, seen = [], set()
    for i, raw in enumerate(tables, 1):
        portal = _portal(raw, f"{path}: portal #{i}")
        if portal.name in seen:
            raise RegistryError(f"{path}: portal #{i}: duplicate name {portal.name!r}")
        seen.add(portal.name)
        portals.append(portal)
    return portals


def _value(value: object) -> str:
    # JSON strings are valid TOML basic strings for everything we store (escapes included).
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, list):
        return "[" + ", ".join(_value(v) for v in value) + "]"
    return json.dumps(str(value), ensure_ascii=False)


def dumps(portals: list[Portal]) -> str:
    out = ["# Portal registry of this archive (docs/portals.md).", ""]
    for portal in portals:
        out.append("[[portal]]")
        for key, value in asdict(portal).items():
            if value is not None:
                out.append(f"{key} = {_value(value)}")
        out.append("")
    return "\n".join(out)


def save_registry(path: Path, portals: list[Portal]) -> None:
    """Write atomically: a reader sees the old registry or the new one, never a mix."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".portals-", suffix=".toml", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(dumps(portals))
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def add_portal(path: Path, portal: Portal) -> Portal:
    portals = load_registry(path)
    portal = _portal(asdict(portal), str(path))
    if any(p.name == portal.name for p in portals):
        raise RegistryError(f"{path}: portal {portal.name!r} already exists")
    save_registry(path, [*portals, portal])
    return portal


def find_portal(portals: list[Portal], name: str, path: Path) -> Portal:
    for portal in portals:
        if portal.name == name:
            return portal
    known = ", ".join(p.name for p in portals) or "none"
    raise RegistryError(f"{path}: no portal {name!r} (registered: {known})")
