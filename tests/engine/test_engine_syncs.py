"""Outside the model's forward, a decode step waits for the device once: the engine moves the chosen
tokens and their log-probs to the host in one copy, and nothing else in the step (admission, block
copies, sampler, candidate filtering, forced tokens, bookkeeping) reads a tensor's value on the host.
Counted on CPU with a TorchFunctionMode, so the check runs without a GPU; the sampler's backend is
forced to each Python path that a GPU runs. (The forward itself is the attention backend's and the
model's business: Hugging Face's mask preparation reads one value per forward.)"""

from __future__ import annotations

import pytest
import torch
from tiny_models import random_tokens, tiny_model
from torch.overrides import TorchFunctionMode

import ptsfast.kernels.sampling as sampling
from ptsfast.engine import EngineConfig, RolloutEngine, RolloutRequest, SamplingParams
from ptsfast.kernels._dispatch import backend_available

T = torch.Tensor
# reading a value on the host (waits for the device) or a shape that depends on values (also waits)
HOST_READS = {T.item, T.tolist, T.__bool__, T.__int__, T.__float__, T.__index__, T.cpu, T.numpy,
              T.nonzero, torch.nonzero, torch.argwhere, T.masked_select, torch.masked_select,
              torch.unique, T.unique, torch.unique_consecutive}


class HostReads(TorchFunctionMode):
    """Records every torch call that makes the host wait for a tensor's value."""

    def __init__(self):
        super().__init__()
        self.calls: list[str] = []
        self.paused = False

    def __torch_function__(self, func, types, args=(), kwargs=None):
        kwargs = kwargs or {}
        name = getattr(func, "__name__", repr(func))
        if self.paused:
            pass
        elif func in HOST_READS:
            self.calls.append(name)
        elif func is T.to and "cpu" in (*args[1:], kwargs.get("device")):  # .to(x.device) is a no-op here
            self.calls.append("to('cpu')")
        elif func in (T.__getitem__, T.__setitem__) and _has_bool_index(args[1]):
            self.calls.append(f"{name} with a boolean mask")
        return func(*args, **kwargs)


def _has_bool_index(index) -> bool:
    parts = index if isinstance(index, tuple) else (index,)
    return any(isinstance(p, torch.Tensor) and p.dtype == torch.bool for p in parts)


@pytest.fixture(scope="module")
def engine():
    model = tiny_model("llama", seed=3)
    eng = RolloutEngine(model, config=EngineConfig(num_blocks=64, block_size=8, max_running=64))
    (seq,) = eng.prefill([random_tokens(20, seed=5)])
    return eng, seq


GPU_PATHS = ["cuda", "triton"] if backend_available("triton", torch.device("cpu")) else ["cuda"]


@pytest.mark.parametrize("path", GPU_PATHS + ["cpp"])
def test_one_host_copy_per_decode_step(engine, path, monkeypatch):
    """Mixed rows (greedy, top-k with top-p, top-p alone, a forced token): each step of the rollout
    reads the device once. 'cuda' runs the CUDA backend's Python side (filter_candidates, then
    sample_filtered, here on its CPU kernel); 'triton' the Triton backend under the interpreter."""
    if path in ("cuda", "cpp") and not backend_available("cpp", torch.device("cpu")):
        pytest.skip("C++ extension not built")  # sample_filtered, the CUDA branch's op, has a CPU kernel
    monkeypatch.setattr(sampling, "choose_backend", lambda *a, **k: path)
    eng, seq = engine
    requests = [RolloutRequest(seq.seq_id, 20, 3, 3, SamplingParams(0.8, 5, 0.9, seed=1), forced=(7,)),
                RolloutRequest(seq.seq_id, 12, 2, 3, SamplingParams(0.0, seed=2)),
                RolloutRequest(seq.seq_id, 16, 2, 3, SamplingParams(1.1, 0, 0.7, seed=3))]
    unwatched = eng.rollout(requests)

    reads_per_step = []
    real_step, real_decode = eng._step, eng.runner.decode
    mode = HostReads()

    def watched(*args, **kwargs):  # a whole step: admission, block copies, the forward, sampling, bookkeeping
        mode.calls = []
        with mode:
            real_step(*args, **kwargs)
        reads_per_step.append(mode.calls)

    def forward(*args, **kwargs):
        mode.paused = True
        try:
            return real_decode(*args, **kwargs)
        finally:
            mode.paused = False

    monkeypatch.setattr(eng, "_step", watched)
    monkeypatch.setattr(eng.runner, "decode", forward)
    again = eng.rollout(requests)
    assert reads_per_step and all(calls == ["tolist"] for calls in reads_per_step), reads_per_step
    for a, b in zip(unwatched, again):  # the counting changes nothing
        assert [(r.tokens, r.logprobs) for r in a] == [(r.tokens, r.logprobs) for r in b]
