"""Shared helpers for the kernel tests: backends to compare, relative error, poisoned allocations."""

from __future__ import annotations

import pytest
import torch

from ptsfast.kernels._dispatch import backend_available

CPU = torch.device("cpu")
HAS_CUDA = torch.cuda.is_available()
gpu = pytest.mark.skipif(not HAS_CUDA, reason="needs a CUDA device")


def cpu_backends(implemented: tuple[str, ...]) -> list[str]:
    """The backends of a kernel that can run on this machine's CPU (triton only under the interpreter)."""
    return [b for b in implemented if b != "cuda" and backend_available(b, CPU)]


def rel_err(out: torch.Tensor, ref: torch.Tensor) -> float:
    """||out - ref|| / ||ref|| in float64; NaN/inf in ``out`` make it inf so that NaN never passes."""
    out64 = out.double()
    if not torch.isfinite(out64).all():
        return float("inf")
    return float((out64 - ref.double()).norm() / ref.double().norm().clamp_min(1e-30))


# Triton dots too: IEEE fp32 (docs/design.md §3)
TOL = {torch.float32: 1e-5, torch.bfloat16: 1e-2, torch.float16: 1e-2}


@pytest.fixture
def poison(monkeypatch):
    """Makes every ``torch.empty`` during the test return NaN (floats) or a huge sentinel (ints), so an
    output or partial buffer that a kernel forgets to write shows up as NaN / an invalid index."""
    real_empty = torch.empty

    def poisoned(*args, **kwargs):
        t = real_empty(*args, **kwargs)
        if t.is_floating_point():
            t.fill_(float("nan"))
        elif t.dtype in (torch.int64, torch.int32):
            t.fill_(-(2**30))
        return t

    monkeypatch.setattr(torch, "empty", poisoned)
    yield
