"""Paged KV block pool: allocation, reference counts and mid-block forking. No torch.

A registered sequence owns the blocks holding its prefill. A rollout forked at position ``pos``
shares the parent's *full* blocks ``[0, pos // block_size)`` (ref count +1) and gets a private copy
of the boundary block when ``pos`` falls inside one; it writes only into private blocks, so children
never see each other's tokens. The copies are returned as ``(src, dst)`` pairs for one batched
``copy_blocks`` launch.
"""

from __future__ import annotations


class OutOfBlocks(RuntimeError):
    """The pool cannot satisfy an allocation (callers reserve first, so this signals a bug or a full pool)."""


class BlockManager:
    def __init__(self, num_blocks: int, block_size: int):
        if num_blocks < 1 or block_size < 1:
            raise ValueError(f"need num_blocks >= 1 and block_size >= 1, got {num_blocks}, {block_size}")
        self.num_blocks = num_blocks
        self.block_size = block_size
        self._free = list(range(num_blocks - 1, -1, -1))  # pop() hands out low ids first
        self._refs = [0] * num_blocks

    @property
    def num_free(self) -> int:
        return len(self._free)

    def ref_count(self, block: int) -> int:
        return self._refs[block]

    def blocks_for(self, num_tokens: int) -> int:
        return -(-num_tokens // self.block_size)

    def allocate(self, n: int) -> list[int]:
        if n > len(self._free):
            raise OutOfBlocks(f"asked for {n} KV blocks, {len(self._free)} free of {self.num_blocks}")
        blocks = [self._free.pop() for _ in range(n)]
        for b in blocks:
            self._refs[b] = 1
        return blocks

    def free(self, blocks: list[int]) -> None:
        """Drops one reference to each block; a block returns to the pool at zero."""
        for b in blocks:
            if self._refs[b] <= 0:
                raise RuntimeError(f"double free of KV block {b}")
            self._refs[b] -= 1
            if self._refs[b] == 0:
                self._free.append(b)

    def fork(self, parent_table: list[int], pos: int) -> tuple[list[int], list[tuple[int, int]]]:
        """Block table for a child that keeps the parent's first ``pos`` tokens.

        Returns ``(child_table, copies)``: full blocks are shared, the partially filled boundary
        block (if any) is copied into a fresh private block.
        """
        if not 0 <= pos <= len(parent_table) * self.block_size:
            raise ValueError(f"fork position {pos} outside the parent's {len(parent_table)} blocks")
        full, partial = divmod(pos, self.block_size)
        table = list(parent_table[:full])
        copies: list[tuple[int, int]] = []
        if partial:  # allocate before touching ref counts: a full pool then leaves no trace
            (dst,) = self.allocate(1)
            copies.append((parent_table[full], dst))
        for b in table:
            self._refs[b] += 1
        if partial:
            table.append(dst)
        return table, copies

    def ensure(self, table: list[int], num_tokens: int) -> None:
        """Appends fresh blocks to ``table`` until it can hold ``num_tokens`` tokens."""
        missing = self.blocks_for(num_tokens) - len(table)
        if missing > 0:
            table.extend(self.allocate(missing))

    def check_whole(self) -> None:
        """Raises unless every block is back in the pool (the leak check tests and engines use)."""
        leaked = [b for b, r in enumerate(self._refs) if r]
        if leaked or len(self._free) != self.num_blocks:
            raise AssertionError(f"{len(leaked)} KV blocks still referenced: {leaked[:10]}")
