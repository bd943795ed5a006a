"""Deterministic randomness: every choice the replica makes is a pure function of its inputs.

`rng(seed, "article", k, night)` gives a `random.Random` seeded from a BLAKE2 hash of the
parts, so the same parts give the same stream in every process and Python version
(no reliance on `hash()`, which is salted per process).
"""

from __future__ import annotations

import hashlib
import random


def digest(*parts: object) -> bytes:
    return hashlib.blake2b(repr(parts).encode("utf-8"), digest_size=16).digest()


def unit(*parts: object) -> float:
    """A number in [0, 1) fixed by the parts."""
    return int.from_bytes(digest(*parts)[:8], "big") / 2**64


def rng(*parts: object) -> random.Random:
    return random.Random(int.from_bytes(digest(*parts), "big"))


def hexid(*parts: object, length: int = 32) -> str:
    return digest(*parts).hex()[:length]
