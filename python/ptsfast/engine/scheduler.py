"""Continuous batching under a KV block budget. No torch.

A rollout is admitted only when the pool can hold its worst case (boundary copy + every token it may
write), so admitted rollouts always finish and nothing deadlocks; the rest wait in FIFO order and
are admitted as soon as finished rollouts return their blocks. ``add`` refuses a rollout whose worst
case exceeds what the pool holds once everything queued has finished (:meth:`Scheduler.capacity`:
free blocks plus those running rollouts will return, never blocks of registered sequences), so the
head of the queue always becomes admissible and the scheduler cannot stall.
"""

from __future__ import annotations

from collections import Counter, deque

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

    def capacity(self) -> int:
        """Blocks free once every running rollout has finished: free now + those only running rollouts hold."""
        held = Counter(b for s in self.running for b in s.block_table)
        return self.blocks.num_free + sum(1 for b, k in held.items() if self.blocks.ref_count(b) == k)

    def add(self, states: list[RolloutState]) -> None:
        """Queues ``states``; all or nothing: raises (queueing none) if one could never be admitted."""
        cap = self.capacity()
        for s in states:
            need = self.worst_case_blocks(s)
            if need > cap:
                held = self.blocks.num_blocks - cap
                raise ValueError(
                    f"a rollout from position {s.position} with {s.max_new_tokens} new tokens needs {need} KV "
                    f"blocks but the pool has {self.blocks.num_blocks}, {held} of them held by registered "
                    f"sequences; release sequences, raise num_blocks (kv_cache_gb) or lower max_new_tokens"
                )
        self.waiting.extend(states)

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

    def abort(self) -> None:
        """Drops every waiting and running rollout and returns their blocks (after a failed step)."""
        self.waiting.clear()
        for s in list(self.running):
            self.finish(s)
        if self._outstanding != 0:
            raise RuntimeError(f"block reservations out of balance after abort ({self._outstanding}); a ptsfast bug")

    def idle(self) -> bool:
        return not self.waiting and not self.running
