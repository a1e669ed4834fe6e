"""Continuous batching under a KV block budget: blocks on demand, the newest rollouts preempted when it runs dry.
No torch.

A rollout is admitted when the pool has the one block its first write needs (its boundary copy or a fresh block)
plus a little headroom for the running rollouts' growth, and takes further blocks as it writes. Reserving each
rollout's worst case instead (every token of ``max_new_tokens``) would cap concurrency at what the longest possible
rollouts need, while rollouts stop early (EOS, stop strings, the oracle deciding): with a budget of thousands of
tokens a pool that runs hundreds of rollouts would run a handful. When a running rollout needs a block and none is
free, the most recently admitted rollouts are preempted: their blocks return to the pool and they go back to the
front of the queue keeping the tokens they chose; re-admitted, they take the blocks those tokens fill at once and
the engine writes their K/V again in one prefill (thousands of tokens of a long rollout are one forward, not as
many decode steps). The oldest rollout is never preempted for a newer one, so it always progresses.

``add`` refuses a rollout whose worst case exceeds what the pool holds once everything queued has finished
(:meth:`Scheduler.capacity`: free blocks plus those only running rollouts hold, never blocks of registered
sequences), so every rollout can finish once it is the oldest and the scheduler cannot stall.
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
        self.running: list[RolloutState] = []  # in admission order: the last is the first to preempt
        self.preemptions = 0  # rollouts sent back to the queue for lack of blocks (their K/V were recomputed)

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
        """Blocks free now (running rollouts take more as they write)."""
        return self.blocks.num_free

    def first_blocks(self, s: RolloutState) -> int:
        """Blocks ``s`` needs to start: the block of its first write (0 for a rollout that never writes), or, for
        a preempted rollout, the blocks of the tokens it had chosen (K/V for ``[position, position + step)``)."""
        if not s.step:
            return min(1, self.worst_case_blocks(s))
        return self.blocks.blocks_for(s.position + s.step) - s.position // self.blocks.block_size

    def headroom(self) -> int:
        """Free blocks kept back at admission: about what the running rollouts take in one step (each crosses
        into a new block once per ``block_size`` tokens), so a new rollout does not preempt another at once."""
        return -(-len(self.running) // self.blocks.block_size)

    def admit(self) -> list[RolloutState]:
        """Moves waiting rollouts to running while the pool has room for their first block; returns them."""
        admitted, taken = [], 0  # first blocks of this call's admissions (allocated by fork() afterwards)
        while self.waiting and len(self.running) < self.max_running:
            # with nothing running the head fits: add() checked its worst case against the whole pool
            need = self.first_blocks(self.waiting[0])
            if need > self.blocks.num_free - taken - (self.headroom() if self.running else 0):
                break
            taken += need
            s = self.waiting.popleft()
            self.running.append(s)
            admitted.append(s)
        return admitted

    def fork(self, s: RolloutState, parent_table: list[int]) -> list[tuple[int, int]]:
        """Builds ``s``'s block table from its parent's (with the blocks a preempted rollout's chosen tokens fill);
        returns the boundary copies to perform."""
        s.block_table, copies = self.blocks.fork(parent_table, s.position)
        s.num_cached = s.position
        if s.step:
            self.blocks.ensure(s.block_table, s.position + s.step)
        return copies

    def grow(self, s: RolloutState, num_tokens: int) -> bool:
        """Makes room in ``s``'s table for ``num_tokens`` cached tokens, preempting the newest running rollouts
        (``s`` itself when it is the newest) while the pool is dry. Returns whether ``s`` is still running."""
        missing = self.blocks.blocks_for(num_tokens) - len(s.block_table)
        while missing > self.blocks.num_free:
            victim = self.running[-1]
            self.preempt(victim)
            if victim is s:
                return False
        self.blocks.ensure(s.block_table, num_tokens)
        return True

    def preempt(self, s: RolloutState) -> None:
        """Returns a running rollout's blocks and puts it back at the front of the queue, its tokens kept."""
        self.running.remove(s)
        self.blocks.free(s.block_table)
        s.evict()
        self.waiting.appendleft(s)
        self.preemptions += 1

    def finish(self, s: RolloutState) -> None:
        """Returns a finished rollout's blocks."""
        self.running.remove(s)
        self.blocks.free(s.block_table)
        s.block_table = []

    def abort(self) -> None:
        """Drops every waiting and running rollout and returns their blocks (after a failed step)."""
        self.waiting.clear()
        for s in list(self.running):
            self.finish(s)

    def idle(self) -> bool:
        return not self.waiting and not self.running
