"""Seeds derived from names, the same in every process and on every machine.

Python's ``hash`` of a str is salted per process, so it cannot seed a run that must resume, or that Ray
workers share. Every seed ptsfast derives (a problem's trajectories, each probe of the search) comes from
this one function of the run seed and what the draw is for.
"""

from __future__ import annotations

import hashlib


def stable_seed(*parts: object) -> int:
    """A 63-bit seed from any parts with a stable ``repr``."""
    digest = hashlib.blake2b(repr(parts).encode(), digest_size=8).digest()
    return int.from_bytes(digest, "little") >> 1
