"""Decode steps replayed from CUDA graphs: one capture per (rows, table width) bucket, then one launch a step.

A decode step of a small model is bound by the host: layers of Python, PyTorch dispatch and kernel launches (a step
of 256 rows of SmolLM2-135M took ~66 ms on an H200, CPU time equal to wall time; the bytes it moves take ~0.2 ms
there). A CUDA graph records the step's kernels once and replays them with one launch, so what a step costs the
host is the metadata it copies in.

A graph needs fixed shapes and fixed addresses. Rows are padded to a bucket (a power of two up to ``max_rows``) and
block tables to a width bucket (a power of two of blocks); a step's inputs are copied into static buffers the graph
reads; padding rows write their K/V into the runner's scratch block and attend to it alone. Attention is the paged
decode with its key range fixed by the width bucket (key splits past a row's length do nothing); the cascade plan,
whose grids depend on the step's groups, is not used under a graph. Mixtures of experts (they route tokens with
data-dependent shapes) are refused up front, and anything else a capture cannot take turns graphs off with a
warning: the step then runs eagerly. The first replay of each graph is checked against the eager step on the same
inputs (captured on padding rows alone, so a graph that kept a capture-time tensor instead of its buffer shows).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Callable

import numpy as np
import torch

from ptsfast.engine.hf_adapter import AttentionMetadata, HFAdapter
from ptsfast.kernels._launch import next_power_of_2

log = logging.getLogger(__name__)

MIN_WIDTH = 4
"""Smallest table-width bucket, in blocks."""
CHECK_TOLERANCE = {torch.float32: 1e-3, torch.float16: 0.05, torch.bfloat16: 0.05}
"""Relative error of a first replay against the eager step above which the graph is not trusted. Both compute the
same function in a different order (the eager step may attend through the cascade), so they differ by rounding
through every layer; a graph reading a stale tensor is off by O(1)."""
_EXPERT_KEYS = ("num_experts", "num_local_experts", "n_routed_experts", "moe_num_experts")


def unsupported(adapter: HFAdapter) -> str | None:
    """Why decode steps of this model cannot be replayed from a CUDA graph, or None when they can."""
    text = adapter.text_config
    kind = getattr(text, "model_type", type(adapter.model).__name__)
    if any(getattr(text, key, None) for key in _EXPERT_KEYS):
        return f"{kind}: a mixture of experts routes tokens with data-dependent shapes"
    if adapter.device.type != "cuda":
        return f"CUDA graphs need a CUDA device; the model is on {adapter.device}"
    return None


def bucket_rows(rows: int, max_rows: int) -> int:
    """The row bucket of a step: a power of two, or ``max_rows`` above the largest power of two below it."""
    return min(next_power_of_2(rows), max_rows)


def bucket_width(blocks: int) -> int:
    """The block-table width bucket of a step whose longest table holds ``blocks`` blocks."""
    return max(MIN_WIDTH, next_power_of_2(blocks))


@dataclass
class _Static:
    """One bucket's static inputs on the device (``ints``: token ids, positions, cache slots, context lengths) and,
    once captured, its graph and output."""

    ints: torch.Tensor  # [4, rows] int64
    tables: torch.Tensor  # [rows, width] int32
    graph: "torch.cuda.CUDAGraph | None" = None
    out: torch.Tensor | None = None
    checked: bool = False


class DecodeGraphs:
    """Decode steps of one ``ModelRunner`` through per-bucket CUDA graphs.

    ``capture=False`` runs the padded static step eagerly instead (the graphs' own inputs and attention path without
    a graph: what tests on a CPU can check).
    """

    def __init__(self, runner, max_rows: int, *, capture: bool = True):
        self.runner = runner
        self.max_rows = max_rows
        self.capture = capture
        self.enabled = True
        self.replays = 0
        """Steps served from a graph (or, with ``capture=False``, by the static step)."""
        self._buckets: dict[tuple[int, int], _Static] = {}
        self._pool = None

    def decode(self, tokens: list[int], positions: list[int], tables: list[list[int]],
               eager: Callable[[], torch.Tensor]) -> torch.Tensor | None:
        """Hidden states ``[B, d]`` of the step, or None when it must run eagerly (graphs off, too many rows)."""
        rows = len(tokens)
        if not self.enabled or not 0 < rows <= self.max_rows:
            return None
        key = (bucket_rows(rows, self.max_rows), bucket_width(max(len(t) for t in tables)))
        static = self._buckets.get(key)
        if static is None:
            static = self._buckets[key] = self._static(*key)
        if not self.capture:
            self._fill(static, tokens, positions, tables)
            self.replays += 1
            return self._forward(static)[:rows].clone()
        try:
            if static.graph is None:
                self._capture(static)
            self._fill(static, tokens, positions, tables)
            static.graph.replay()
        except Exception as e:  # noqa: BLE001 - any failure: this engine decodes eagerly from now on
            return self._off(f"capturing a decode step failed ({type(e).__name__}: {e})")
        hidden = static.out[:rows].clone()
        if not static.checked:
            expected = eager()
            err = float((hidden.float() - expected.float()).norm() / expected.float().norm().clamp_min(1e-30))
            if not err <= CHECK_TOLERANCE.get(hidden.dtype, 0.05):
                self._off(f"a replayed decode step differs from the eager one (relative error {err:.3g})")
                return expected
            static.checked = True
        self.replays += 1
        return hidden

    def _off(self, why: str) -> None:
        log.warning("ptsfast: CUDA graphs off for this engine, decode steps run eagerly: %s", why)
        self.enabled = False
        self._buckets.clear()
        return None

    def _static(self, rows: int, width: int) -> _Static:
        dev = self.runner.device
        return _Static(torch.zeros(4, rows, dtype=torch.long, device=dev),
                       torch.zeros(rows, width, dtype=torch.int32, device=dev))

    def _meta(self, static: _Static) -> AttentionMetadata:
        slots, lens = static.ints[2], static.ints[3]
        return AttentionMetadata(self.runner.kv_cache, slots, block_tables=static.tables, context_lens=lens,
                                 max_len=static.tables.shape[1] * self.runner.block_size)

    def _forward(self, static: _Static) -> torch.Tensor:
        ids, positions = static.ints[0], static.ints[1]
        return self.runner.adapter.hidden_states(ids, positions, self._meta(static))

    def _fill(self, static: _Static, tokens: list[int], positions: list[int], tables: list[list[int]]) -> None:
        """Copies a step into the bucket's buffers; the rows past ``len(tokens)`` are padding."""
        rows, width = static.tables.shape
        n, bs, scratch = len(tokens), self.runner.block_size, self.runner.scratch_block
        ints = np.zeros((4, rows), dtype=np.int64)
        ints[0, :n] = tokens
        ints[1, :n] = positions
        ints[2, :n] = self.runner.decode_slots(tables, positions)
        ints[2, n:] = scratch * bs
        ints[3, :n] = positions
        ints[3] += 1  # context length: the positions before the new token and itself (padding: the scratch slot)
        table = np.zeros((rows, width), dtype=np.int32)
        for r, t in enumerate(tables):
            table[r, :len(t)] = t
        table[n:, 0] = scratch
        static.ints.copy_(torch.from_numpy(ints))
        static.tables.copy_(torch.from_numpy(table))

    def _capture(self, static: _Static) -> None:
        """Warms the step up on a side stream and captures it, on padding rows only (every slot written is the
        scratch block's); the pool of intermediates is shared by every bucket's graph."""
        self._fill(static, [], [], [])
        side = torch.cuda.Stream()
        side.wait_stream(torch.cuda.current_stream())
        with torch.cuda.stream(side):
            for _ in range(2):
                self._forward(static)
        torch.cuda.current_stream().wait_stream(side)
        graph = torch.cuda.CUDAGraph()
        if self._pool is None:
            self._pool = torch.cuda.graph_pool_handle()
        with torch.cuda.graph(graph, pool=self._pool):
            out = self._forward(static)
        static.graph, static.out = graph, out
