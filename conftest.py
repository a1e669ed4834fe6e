"""Repository-wide pytest setup.

* Without a CUDA device, Triton kernels run through Triton's interpreter (``TRITON_INTERPRET=1``);
  it must be set before any ``@triton.jit`` function is defined, hence here.
* ``benchmarks/`` is collected only under ``pytest --benchmark-only`` so the plain ``pytest`` (CI)
  stays fast; ``pytest --benchmark-only`` runs just the benchmarks.
"""

import os

try:
    import torch

    _has_cuda = torch.cuda.is_available()
except Exception:  # pragma: no cover
    _has_cuda = False
if not _has_cuda:
    os.environ.setdefault("TRITON_INTERPRET", "1")

import pytest  # noqa: E402


def pytest_collection_modifyitems(config, items):
    if config.getoption("benchmark_only", default=False):
        return
    skip = pytest.mark.skip(reason="benchmark: run with pytest --benchmark-only")
    for item in items:
        if "benchmarks" in item.nodeid.split("/")[0]:
            item.add_marker(skip)
