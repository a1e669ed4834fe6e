"""Backend choice shared by every kernel: cuda (csrc, pybind11) -> triton -> torch.

Order of precedence: the ``backend=`` argument, then ``PTSFAST_BACKEND_<KERNEL>``, then
``PTSFAST_BACKEND``, then the first available backend for the tensor's device. On CPU the automatic
choice never picks Triton (its interpreter is a testing tool, not a fast path); ask for it explicitly.
"""

from __future__ import annotations

import functools
import importlib
import os
from types import ModuleType

import torch

from ptsfast.kernels._ext import EXT_WITH_CUDA, HAS_EXT

BACKENDS = ("cuda", "cpp", "triton", "torch")


@functools.cache
def triton_importable() -> bool:
    try:
        import triton  # noqa: F401
        import triton.language  # noqa: F401
    except Exception:  # pragma: no cover - depends on the environment
        return False
    return True


def triton_module(kernel: str) -> ModuleType:
    """The Triton backend ``ptsfast.kernels.triton.<kernel>``, imported on first use.

    Triton is optional, so dispatchers never import their Triton modules at module level; they call
    this when ``choose_backend`` picked ``triton``. Triton modules import only leaves (``_dispatch``,
    ``_launch``, ``types``, other modules of ``kernels/triton/``), never a dispatcher.
    """
    return importlib.import_module(f"ptsfast.kernels.triton.{kernel}")


def triton_interpreted() -> bool:
    return os.environ.get("TRITON_INTERPRET", "0") == "1"


def backend_available(backend: str, device: torch.device) -> bool:
    """Whether ``backend`` can run on tensors living on ``device``."""
    if backend == "torch":
        return True
    if backend == "cpp":
        return HAS_EXT and device.type == "cpu"
    if backend == "cuda":
        return EXT_WITH_CUDA and device.type == "cuda"
    if backend == "triton":
        return triton_importable() and (device.type == "cuda" or (device.type == "cpu" and triton_interpreted()))
    raise ValueError(f"unknown backend {backend!r}; choose one of {BACKENDS}")


def choose_backend(kernel: str, device: torch.device, implemented: tuple[str, ...], backend: str | None = None) -> str:
    """Returns the backend that will run ``kernel`` on ``device``.

    ``implemented`` lists the backends this kernel has, fastest first. A requested backend that the
    kernel lacks or that cannot run here is an error, never a silent fallback.
    """
    requested = backend or os.environ.get(f"PTSFAST_BACKEND_{kernel.upper()}") or os.environ.get("PTSFAST_BACKEND")
    if requested and requested != "auto":
        if requested not in implemented:
            raise ValueError(f"{kernel}: backend {requested!r} not implemented; it has {implemented}")
        if not backend_available(requested, device):
            raise RuntimeError(
                f"{kernel}: backend {requested!r} cannot run on {device} here "
                f"(extension built: {HAS_EXT}, with CUDA: {EXT_WITH_CUDA}, triton: {triton_importable()}, "
                f"TRITON_INTERPRET={os.environ.get('TRITON_INTERPRET', '0')}); unset PTSFAST_BACKEND or pick another"
            )
        return requested
    for name in implemented:
        if name == "triton" and device.type == "cpu":
            continue
        if backend_available(name, device):
            return name
    return "torch"


def check(condition: bool, kernel: str, message: str) -> None:
    """Raises a ValueError naming the kernel when an input check fails."""
    if not condition:
        raise ValueError(f"{kernel}: {message}")
