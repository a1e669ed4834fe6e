"""Continuous batching under a KV block budget. No torch.

A rollout is admitted only when the pool can hold its worst case (boundary copy + every token it may
write), so admitted rollouts always finish and nothing deadlocks; the rest wait in FIFO order and
are admitted as soon as finished rollouts return their blocks.
"""

from __future__ import annotations

from collections import deque

from ptsfast.engine.block_manager import BlockManager
from ptsfast.engine.sequence import RolloutState


class Scheduler:
    def __init__(self, blocks: BlockManager, max_running: int):
        if max_running < 1:
            raise ValueError(f"max_running must be >= 1, got {max_running}")
        self.blocks = blocks
        self.max_running = max_running
        self.waiting: deque[RolloutState] = deque()
        self.running: list[RolloutState] = []
        self._outstanding = 0  # reserved but not yet allocated blocks of running rollouts

    def worst_case_blocks(self, s: RolloutState) -> int:
        """Private blocks ``s`` may need: it writes K/V for positions ``[position, position + F + M - 1)``."""
        bs = self.blocks.block_size
        shared = s.position // bs
        last_len = s.position + len(s.forced) + s.max_new_tokens - 1
        return max(self.blocks.blocks_for(last_len), shared + (1 if s.position % bs else 0)) - shared

    def add(self, states: list[RolloutState]) -> None:
        for s in states:
            need = self.worst_case_blocks(s)
            if need > self.blocks.num_blocks:
                raise ValueError(
                    f"a rollout from position {s.position} with {s.max_new_tokens} new tokens needs {need} KV "
                    f"blocks but the pool has {self.blocks.num_blocks}; raise num_blocks or lower max_new_tokens"
                )
            self.waiting.append(s)

    @property
    def available(self) -> int:
        return self.blocks.num_free - self._outstanding

    def admit(self) -> list[RolloutState]:
        """Moves waiting rollouts to running while the budget allows; returns the newly admitted ones."""
        admitted = []
        while self.waiting and len(self.running) < self.max_running:
            need = self.worst_case_blocks(self.waiting[0])
            if need > self.available:
                break
            s = self.waiting.popleft()
            s.reserved_blocks = need
            self._outstanding += need
            self.running.append(s)
            admitted.append(s)
        return admitted

    def fork(self, s: RolloutState, parent_table: list[int]) -> list[tuple[int, int]]:
        """Builds ``s``'s block table from its parent's; returns the boundary copies to perform."""
        s.block_table, copies = self.blocks.fork(parent_table, s.position)
        self._consume(s, len(copies))
        s.num_cached = s.position
        return copies

    def grow(self, s: RolloutState, num_tokens: int) -> None:
        """Makes room in ``s``'s table for ``num_tokens`` cached tokens, out of its reservation."""
        before = len(s.block_table)
        self.blocks.ensure(s.block_table, num_tokens)
        self._consume(s, len(s.block_table) - before)

    def _consume(self, s: RolloutState, n: int) -> None:
        if n > s.reserved_blocks:
            raise RuntimeError(f"rollout exceeded its block reservation ({n} > {s.reserved_blocks})")
        s.reserved_blocks -= n
        self._outstanding -= n

    def finish(self, s: RolloutState) -> None:
        """Returns a finished rollout's blocks and the unused part of its reservation."""
        self.running.remove(s)
        self.blocks.free(s.block_table)
        s.block_table = []
        self._outstanding -= s.reserved_blocks
        s.reserved_blocks = 0

    def idle(self) -> bool:
        return not self.waiting and not self.running
