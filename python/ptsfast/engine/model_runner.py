"""Owns the paged KV cache and runs the model on it: packed prefill and batched one-token decode."""

from __future__ import annotations

import logging

import torch

from ptsfast.engine.decode_graphs import DecodeGraphs, unsupported
from ptsfast.engine.hf_adapter import AttentionMetadata, HFAdapter
from ptsfast.kernels import copy_blocks
from ptsfast.kernels.cascade_attention import CascadePlan, should_use_cascade
from ptsfast.kernels.paged_attention import gather_slots, paged_decode_backend

log = logging.getLogger(__name__)


class ModelRunner:
    """The only engine layer that touches torch: metadata is built once per forward and shared by all layers."""

    def __init__(self, adapter: HFAdapter, num_blocks: int, block_size: int, cascade: str = "auto",
                 cuda_graphs: bool = False, max_rows: int = 256):
        if cascade not in ("auto", "always", "never"):
            raise ValueError(f"cascade must be 'auto', 'always' or 'never', got {cascade!r}")
        self.cascade = cascade
        g = adapter.geometry
        self.adapter = adapter
        self.block_size = block_size
        self.num_blocks = num_blocks
        self.device = adapter.device
        self.scratch_block = num_blocks
        """A block past the pool's, never handed out: the padding rows of a CUDA graph's step write there."""
        self.kv_cache = torch.zeros(g.num_layers, 2, num_blocks + 1, block_size, g.num_kv_heads, g.head_dim,
                                    dtype=adapter.dtype, device=self.device)
        self.graphs: DecodeGraphs | None = None
        if cuda_graphs:
            why = unsupported(adapter)
            if why:
                log.warning("ptsfast: CUDA graphs off, decode steps run eagerly: %s", why)
            else:
                self.graphs = DecodeGraphs(self, max_rows)

    def _slots(self, table: list[int], start: int, end: int) -> list[int]:
        bs = self.block_size
        return [table[p // bs] * bs + p % bs for p in range(start, end)]

    def decode_slots(self, tables: list[list[int]], positions: list[int]) -> list[int]:
        """The cache slot of each row's new token (row b writes position ``positions[b]`` of ``tables[b]``)."""
        bs = self.block_size
        return [t[p // bs] * bs + p % bs for t, p in zip(tables, positions)]

    def _long(self, values: list[int]) -> torch.Tensor:
        return torch.tensor(values, dtype=torch.long, device=self.device)

    def prefill(self, sequences: list[list[int]], tables: list[list[int]],
                max_tokens: int | None = None) -> torch.Tensor:
        """Writes the K/V of whole sequences into their blocks; returns packed hidden states ``[sum L, d]``.

        A lone sequence longer than ``max_tokens`` runs in chunks of at most that many tokens, each attending to
        the K/V the chunks before it wrote: the activations of a forward (MLP intermediates, attention's keys and
        mask) are bounded by the chunk, not by the sequence."""
        if max_tokens is not None and len(sequences) == 1 and len(sequences[0]) > max_tokens:
            return self.extend(sequences[0], tables[0], 0, max_tokens)
        ids, positions, slots, cu = [], [], [], [0]
        for tokens, table in zip(sequences, tables):
            ids += tokens
            positions += range(len(tokens))
            slots += self._slots(table, 0, len(tokens))
            cu.append(cu[-1] + len(tokens))
        meta = AttentionMetadata(self.kv_cache, self._long(slots), cu_seqlens=cu)
        return self.adapter.hidden_states(self._long(ids), self._long(positions), meta)

    def extend(self, tokens: list[int], table: list[int], start: int, chunk: int) -> torch.Tensor:
        """Writes the K/V of ``tokens`` at positions ``[start, start + len)`` of the sequence ``table`` holds, in
        chunks of at most ``chunk`` tokens, each attending to everything cached before it; returns their hidden
        states. A long prefill and a preempted rollout's return both come through here."""
        past_table = self._long(table)
        hidden = []
        end_all = start + len(tokens)
        for lo in range(start, end_all, chunk):
            hi = min(lo + chunk, end_all)
            meta = AttentionMetadata(self.kv_cache, self._long(self._slots(table, lo, hi)), cu_seqlens=[0, hi - lo],
                                     past_len=lo, past_table=past_table)
            hidden.append(self.adapter.hidden_states(self._long(tokens[lo - start:hi - start]),
                                                     self._long(list(range(lo, hi))), meta))
        return torch.cat(hidden)

    def decode(self, tokens: list[int], positions: list[int], tables: list[list[int]],
               shared: list[tuple[int, int]] | None = None) -> torch.Tensor:
        """Feeds one token per row at ``positions[b]`` (its K/V go to that slot); returns hidden ``[B, d]``.

        ``shared[b] = (sequence id, n)`` says row b's first ``n`` blocks are its parent's; rows with the same
        key form a cascade group when that pays off (``should_use_cascade``). With CUDA graphs on, the step is
        replayed from its bucket's graph (``decode_graphs``) where it can be.
        """
        if self.graphs is not None:
            eager = lambda: self._decode(tokens, positions, tables, shared)  # noqa: E731 - the first replay's check
            hidden = self.graphs.decode(tokens, positions, tables, eager)
            if hidden is not None:
                return hidden
        return self._decode(tokens, positions, tables, shared)

    def _decode(self, tokens: list[int], positions: list[int], tables: list[list[int]],
                shared: list[tuple[int, int]] | None) -> torch.Tensor:
        """The step run eagerly (the cascade where it pays)."""
        width = max(len(t) for t in tables)
        block_tables = torch.tensor([t + [0] * (width - len(t)) for t in tables], dtype=torch.int32, device=self.device)
        context_lens = self._long([p + 1 for p in positions])
        slot_mapping = self._long(self.decode_slots(tables, positions))
        cascade = self._cascade_plan(positions, tables, shared) if shared and self.cascade != "never" else None
        slots = None  # the gather index of the torch path, built once per step for all layers; C++ and Triton need none
        if cascade is None and paged_decode_backend(self.device) == "torch":
            slots = gather_slots(block_tables, max(positions) + 1, self.block_size)
        meta = AttentionMetadata(self.kv_cache, slot_mapping, block_tables=block_tables, context_lens=context_lens,
                                 slots=slots, cascade=cascade, max_len=max(positions) + 1)
        return self.adapter.hidden_states(self._long(tokens), self._long(positions), meta)

    def _cascade_plan(self, positions, tables, shared) -> CascadePlan | None:
        """Groups rows by shared prefix; groups too small to pay off become single rows with no prefix."""
        bs = self.block_size
        members: dict[tuple[int, int], list[int]] = {}
        for row, key in enumerate(shared):
            members.setdefault(key, []).append(row)
        g = self.adapter.geometry
        kv_bytes = 2 * g.num_kv_heads * g.head_dim * self.kv_cache.element_size()
        group_of, prefix_tables, prefix_lens, prefix_blocks = [0] * len(tables), [], [], [0] * len(tables)
        for (_, n_blocks), rows in members.items():
            mean_suffix = sum(positions[r] + 1 for r in rows) / len(rows) - n_blocks * bs
            if n_blocks and (self.cascade == "always" or should_use_cascade(
                    n_blocks * bs, len(rows), int(mean_suffix), self.device, kv_bytes_per_token=kv_bytes)):
                for r in rows:
                    group_of[r], prefix_blocks[r] = len(prefix_tables), n_blocks
                prefix_tables.append(tables[rows[0]][:n_blocks])
                prefix_lens.append(n_blocks * bs)
            else:
                for r in rows:
                    group_of[r] = len(prefix_tables)
                    prefix_tables.append([])
                    prefix_lens.append(0)
        if all(n == 0 for n in prefix_lens):
            return None
        suffix_tables = [t[n:] for t, n in zip(tables, prefix_blocks)]
        as_tensor = lambda rows: torch.tensor(  # noqa: E731
            [r + [0] * (max(map(len, rows), default=0) - len(r)) for r in rows], dtype=torch.int32,
            device=self.device).reshape(len(rows), -1)
        return CascadePlan(
            prefix_block_tables=as_tensor(prefix_tables),
            prefix_lens=torch.tensor(prefix_lens, dtype=torch.int32, device=self.device),
            query_group=torch.tensor(group_of, dtype=torch.int32, device=self.device),
            suffix_block_tables=as_tensor(suffix_tables),
            suffix_lens=torch.tensor([p + 1 - n * bs for p, n in zip(positions, prefix_blocks)],
                                     dtype=torch.int32, device=self.device),
        )

    def copy_blocks(self, pairs: list[tuple[int, int]]) -> None:
        if pairs:
            src, dst = zip(*pairs)
            # ids come from the block manager; checked here on the host so the copy needs no device sync
            if not all(0 <= b < self.num_blocks for b in src + dst):
                raise RuntimeError(f"block manager produced block ids outside [0, {self.num_blocks}): {pairs}")
            copy_blocks(self.kv_cache, self._long(list(src)), self._long(list(dst)), block_dim=2, check_bounds=False)
