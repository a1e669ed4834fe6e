"""ptsfast kernels: one public function per kernel, dispatching cuda -> triton -> torch.

``backends()`` reports what is active on this machine.
"""

from __future__ import annotations

import os

import torch

from ptsfast.kernels._ext import EXT_ERROR, EXT_WITH_CUDA, HAS_EXT
from ptsfast.kernels._dispatch import backend_available, triton_importable
from ptsfast.kernels.copy_blocks import copy_blocks
from ptsfast.kernels.logprobs import TokenLogprobs, fused_logprobs
from ptsfast.kernels.sampling import sample

__all__ = ["backends", "copy_blocks", "fused_logprobs", "sample", "TokenLogprobs"]


def backends() -> dict[str, object]:
    """What this build and machine can run, e.g. for bug reports and the CLI's ``--version``."""
    devices = [torch.device("cpu")] + ([torch.device("cuda")] if torch.cuda.is_available() else [])
    return {
        "extension": HAS_EXT,
        "extension_error": EXT_ERROR,
        "extension_cuda": EXT_WITH_CUDA,
        "triton": triton_importable(),
        "triton_interpret": os.environ.get("TRITON_INTERPRET", "0") == "1",
        "cuda_device": torch.cuda.get_device_name() if torch.cuda.is_available() else None,
        "available": {
            str(d): [b for b in ("cuda", "cpp", "triton", "torch") if backend_available(b, d)] for d in devices
        },
    }
