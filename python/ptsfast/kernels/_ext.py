"""Loads the compiled extension ``ptsfast._C`` if it was built, without making it mandatory.

torch must be imported first (the extension links against its libraries). When the build was
skipped or failed, everything still works through the Triton / torch backends.
"""

from __future__ import annotations

import logging

import torch  # noqa: F401  (must precede the extension import)

log = logging.getLogger(__name__)

try:
    from ptsfast import _C  # type: ignore[attr-defined]

    HAS_EXT = True
    EXT_ERROR: str | None = None
except ImportError as exc:  # pragma: no cover - depends on the build
    _C = None
    HAS_EXT = False
    EXT_ERROR = str(exc)
    log.debug("ptsfast._C not available: %s", exc)

EXT_WITH_CUDA: bool = bool(HAS_EXT and getattr(_C, "with_cuda", False))
