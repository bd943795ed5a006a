"""Run settings of one replica: size, seed, night, platform, theme and fault rates."""

from __future__ import annotations

from dataclasses import dataclass, field

THEMES = ("custom2015", "default40", "egov45")
# The CMS the replica imitates (replica/platforms/); `theme` only matters for nukeviet.
PLATFORMS = ("nukeviet", "upload-portal", "wordpress", "custom", "liferay", "sharepoint",
             "dotnetnuke")


@dataclass(frozen=True)
class FaultConfig:
    """Fault injection, all off by default. Rates are probabilities in [0, 1]."""

    latency_ms: int = 0
    error_rate: float = 0.0
    unavailable_rate: float = 0.0
    reset_rate: float = 0.0
    truncate_rate: float = 0.0
    slow_drip_rate: float = 0.0
    wrong_charset_rate: float = 0.0
    redirect_loop: bool = False
    oversize: bool = False
    oversize_bytes: int = 50 * 1024 * 1024
    retry_after: int = 1
    drip_chunk: int = 512
    drip_pause_s: float = 0.01

    @property
    def any(self) -> bool:
        return bool(self.latency_ms or self.error_rate or self.unavailable_rate
                    or self.reset_rate or self.truncate_rate or self.slow_drip_rate
                    or self.wrong_charset_rate)


@dataclass(frozen=True)
class ReplicaConfig:
    articles: int = 200
    documents: int | None = None
    seed: int = 1
    night: int = 0
    theme: str = "custom2015"
    faults: FaultConfig = field(default_factory=FaultConfig)
    nfd_rate: float = 0.1  # share of HTML pages served NFD-decomposed
    cp1258_rate: float = 0.0  # share of HTML pages served as windows-1258
    platform: str = "nukeviet"

    def __post_init__(self) -> None:
        if self.articles < 1:
            raise ValueError("articles must be >= 1")
        if self.night < 0:
            raise ValueError("night must be >= 0")
        if self.theme not in THEMES:
            raise ValueError(f"unknown theme {self.theme!r} (choose from {', '.join(THEMES)})")
        if self.platform not in PLATFORMS:
            raise ValueError(f"unknown platform {self.platform!r} "
                             f"(choose from {', '.join(PLATFORMS)})")
        if self.documents is not None and self.documents < 4:
            raise ValueError("documents must be >= 4 (the seed's four)")
