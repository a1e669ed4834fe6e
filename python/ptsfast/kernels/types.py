"""Types shared by the kernel dispatchers and their Triton backends (a leaf: imports only ``_dispatch``).

``TokenLogprobs`` is what every ``fused_logprobs`` backend returns. ``CascadePlan`` is the per-step plan
of cascade decode attention; its host-side metadata (``CascadeHost``) and the Triton work tiles
(``CascadeTiles``) are derived from it once, here, and only read by the backends.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field

import torch

from ptsfast.kernels._dispatch import check

_CASCADE = "cascade_decode_attention"
FLOAT_DTYPES = (torch.float16, torch.bfloat16, torch.float32)
"""The dtypes the attention kernels take."""


@dataclass(frozen=True)
class TokenLogprobs:
    """Per row: log p(target) and, when asked, the top-k tokens with their log-probs (fp32)."""

    logprobs: torch.Tensor  # [N]
    topk_ids: torch.Tensor | None = None  # [N, k] int64
    topk_logprobs: torch.Tensor | None = None  # [N, k]


@dataclass(frozen=True)
class CascadeHost:
    """Host (CPU, int64) copies of a ``CascadePlan`` and what is derived from them; one device sync per plan.

    ``rows_by_group`` lists the query rows sorted by group (stable); group g's rows are
    ``rows_by_group[group_starts[g] : group_starts[g] + group_counts[g]]``.
    """

    num_groups: int
    num_rows: int
    prefix_lens: torch.Tensor  # [G]
    suffix_lens: torch.Tensor  # [B]
    groups: torch.Tensor  # [B]
    rows_by_group: torch.Tensor  # [B]
    group_counts: torch.Tensor  # [G]
    group_starts: torch.Tensor  # [G]
    max_prefix: int
    max_suffix: int

    @property
    def max_group_rows(self) -> int:
        return int(self.group_counts.max()) if self.num_groups else 0


@dataclass(frozen=True)
class CascadeTiles:
    """Device int32 work tiles of the Triton cascade launches, for one (device, GQA ratio, tile heights).

    A tile is (item, first (row, q-head) pair): prefix items are groups (``rows_by_group`` /
    ``group_starts`` / ``group_counts`` say which rows), suffix items are single rows (``identity`` /
    ``ones``).
    """

    rows_by_group: torch.Tensor
    group_starts: torch.Tensor
    group_counts: torch.Tensor
    prefix_item: torch.Tensor
    prefix_m0: torch.Tensor
    suffix_item: torch.Tensor
    suffix_m0: torch.Tensor
    identity: torch.Tensor
    ones: torch.Tensor


def work_tiles(counts: torch.Tensor, rep: int, block_m: int) -> tuple[torch.Tensor, torch.Tensor]:
    """Tiles of ``block_m`` over items with ``counts[i] * rep`` (row, q-head) pairs: int32 (item, first pair)."""
    per = -(-(counts * rep) // block_m)  # ceil
    item = torch.repeat_interleave(torch.arange(counts.numel(), device=counts.device), per)
    first = torch.cumsum(per, 0) - per
    m0 = (torch.arange(item.numel(), device=counts.device) - first[item]) * block_m
    return item.int(), m0.int()


@dataclass(frozen=True)
class CascadePlan:
    """Which query rows share which prefix, for one decode step (reused by every layer).

    prefix_block_tables ``[G, max_prefix_blocks]`` int32: blocks holding group g's shared prefix.
    prefix_lens ``[G]`` int32: tokens of that prefix (>= 0, any length, need not fill whole blocks).
    query_group ``[B]`` int32: the group of each query row.
    suffix_block_tables ``[B, max_suffix_blocks]`` int32: the row's own blocks, holding its logical
    positions ``prefix_lens[g]..`` (position ``prefix_lens[g] + j`` is slot ``j`` of this table).
    suffix_lens ``[B]`` int32 (>= 0), including the row's current token; ``prefix + suffix >= 1``.
    Table entries past a length are never read (may be padding, even -1).

    Everything derived from the plan is computed by the plan and cached on it (``host``,
    ``validate_for``, ``work_tiles``): the layers of a step pay for it once.
    """

    prefix_block_tables: torch.Tensor
    prefix_lens: torch.Tensor
    query_group: torch.Tensor
    suffix_block_tables: torch.Tensor
    suffix_lens: torch.Tensor
    _memo: dict = field(default_factory=dict, init=False, repr=False, compare=False)

    @functools.cached_property
    def host(self) -> CascadeHost:
        """Checked host copies and derived metadata, computed once (one device sync per plan)."""
        check(self.prefix_block_tables.dim() == 2 and self.suffix_block_tables.dim() == 2, _CASCADE,
              "prefix_block_tables must be [G, max_prefix_blocks] and suffix_block_tables [B, max_suffix_blocks]")
        G, B = self.prefix_block_tables.shape[0], self.suffix_block_tables.shape[0]
        check(self.prefix_lens.shape == (G,), _CASCADE,
              f"prefix_lens must be [G={G}], got {tuple(self.prefix_lens.shape)}")
        check(self.query_group.shape == (B,) and self.suffix_lens.shape == (B,), _CASCADE,
              f"query_group and suffix_lens must be [B={B}], got {tuple(self.query_group.shape)} "
              f"and {tuple(self.suffix_lens.shape)}")
        for label, t in (("prefix_block_tables", self.prefix_block_tables), ("prefix_lens", self.prefix_lens),
                         ("query_group", self.query_group), ("suffix_block_tables", self.suffix_block_tables),
                         ("suffix_lens", self.suffix_lens)):
            check(t.dtype in (torch.int32, torch.int64), _CASCADE, f"{label} must be int32 (or int64), got {t.dtype}")
            check(t.device == self.query_group.device, _CASCADE, f"{label} is on {t.device}, query_group on "
                  f"{self.query_group.device}: build the plan on one device")
        p_lens = self.prefix_lens.long().cpu()
        s_lens = self.suffix_lens.long().cpu()
        groups = self.query_group.long().cpu()
        check(bool((p_lens >= 0).all()) and bool((s_lens >= 0).all()), _CASCADE, "lengths must be >= 0")
        if B:
            check(bool((groups >= 0).all()) and bool((groups < G).all()), _CASCADE,
                  f"query_group entries must lie in [0, {G})")
            check(bool((p_lens[groups] + s_lens >= 1).all()), _CASCADE,
                  "every row must attend to at least one token (prefix_len + suffix_len >= 1)")
        counts = torch.bincount(groups, minlength=G)
        return CascadeHost(
            num_groups=G, num_rows=B, prefix_lens=p_lens, suffix_lens=s_lens, groups=groups,
            rows_by_group=torch.sort(groups, stable=True).indices, group_counts=counts,
            group_starts=torch.cumsum(counts, 0) - counts,
            max_prefix=int(p_lens.max()) if G else 0, max_suffix=int(s_lens.max()) if B else 0,
        )

    def validate_for(self, block_size: int, num_blocks: int) -> CascadeHost:
        """Checks that tables are wide enough and used block ids exist; cached per cache geometry."""
        h = self.host
        key = ("valid", block_size, num_blocks)
        if key in self._memo:
            return h
        for label, table, lens in (("prefix", self.prefix_block_tables, h.prefix_lens),
                                   ("suffix", self.suffix_block_tables, h.suffix_lens)):
            need = -(-int(lens.max()) // block_size) if lens.numel() else 0
            check(table.shape[1] >= need, _CASCADE, f"{label}_block_tables has {table.shape[1]} columns but a "
                  f"{label} of {int(lens.max())} tokens needs {need} blocks of {block_size}")
            if need:
                t = table[:, :need].long().cpu()
                used = torch.arange(need)[None, :] < (-(-lens // block_size))[:, None]
                ids = t[used]
                check(bool((ids >= 0).all()) and bool((ids < num_blocks).all()), _CASCADE,
                      f"{label}_block_tables reference blocks outside [0, {num_blocks})")
        self._memo[key] = True
        return h

    def work_tiles(self, device: torch.device, rep: int, block_m_prefix: int, block_m_suffix: int) -> CascadeTiles:
        """The Triton launches' work tiles on ``device`` (``rep`` = q heads per KV head); cached per arguments."""
        key = ("tiles", str(device), rep, block_m_prefix, block_m_suffix)
        tiles = self._memo.get(key)
        if tiles is None:
            h = self.host
            p_item, p_m0 = work_tiles(h.group_counts, rep, block_m_prefix)
            s_item, s_m0 = work_tiles(torch.ones(h.num_rows, dtype=torch.long), rep, block_m_suffix)
            tiles = CascadeTiles(
                rows_by_group=h.rows_by_group.int().to(device), group_starts=h.group_starts.int().to(device),
                group_counts=h.group_counts.int().to(device),
                prefix_item=p_item.to(device), prefix_m0=p_m0.to(device),
                suffix_item=s_item.to(device), suffix_m0=s_m0.to(device),
                identity=torch.arange(h.num_rows, dtype=torch.int32, device=device),
                ones=torch.ones(h.num_rows, dtype=torch.int32, device=device),
            )
            self._memo[key] = tiles
        return tiles
