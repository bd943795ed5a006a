"""Which fault, if any, hits one request: a pure function of (seed, method, target, attempt).

`attempt` counts how many times this server process has seen the same method and target
(1 for the first fetch). Each fault kind draws its own number
`unit(seed, "fault", kind, method, target, attempt)` in [0, 1) and fires when the number is
below its rate, checked in a fixed order (reset, 503, 500, truncate, slow drip, wrong
charset). So a given URL fails the same way on the same attempt in every run, and a retry
(the next attempt) draws fresh numbers and can succeed.
"""

from __future__ import annotations

from replica.config import FaultConfig
from replica.determinism import unit

ORDER = ("reset", "unavailable", "error", "truncate", "slow_drip", "wrong_charset")


def rates(faults: FaultConfig) -> dict[str, float]:
    return {"reset": faults.reset_rate, "unavailable": faults.unavailable_rate,
            "error": faults.error_rate, "truncate": faults.truncate_rate,
            "slow_drip": faults.slow_drip_rate, "wrong_charset": faults.wrong_charset_rate}


def pick(seed: int, faults: FaultConfig, method: str, target: str, attempt: int) -> str | None:
    """The fault for this request, or None."""
    for kind, rate in rates(faults).items():
        if rate > 0 and unit(seed, "fault", kind, method, target, attempt) < rate:
            return kind
    return None
