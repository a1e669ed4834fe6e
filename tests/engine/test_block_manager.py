"""Paged KV bookkeeping: forking, reference counts, blocks on demand with preemption, leak freedom (no model)."""

import random

import pytest

from ptsfast.engine.block_manager import BlockManager, OutOfBlocks
from ptsfast.engine.scheduler import Scheduler
from ptsfast.engine.sequence import RolloutState


def test_fork_shares_full_blocks_and_copies_only_the_boundary():
    bm = BlockManager(num_blocks=10, block_size=4)
    parent = bm.allocate(3)  # 12 tokens
    table, copies = bm.fork(parent, 6)  # 1 full block shared, boundary block 1 copied
    assert table[0] == parent[0] and table[1] not in parent
    assert copies == [(parent[1], table[1])]
    assert bm.ref_count(parent[0]) == 2 and bm.ref_count(parent[1]) == 1
    aligned, none = bm.fork(parent, 8)  # on a block boundary: nothing to copy
    assert aligned == parent[:2] and none == []
    bm.free(table)
    bm.free(aligned)
    bm.free(parent)
    bm.check_whole()


def test_errors():
    bm = BlockManager(num_blocks=2, block_size=4)
    with pytest.raises(OutOfBlocks):
        bm.allocate(3)
    (b,) = bm.allocate(1)
    bm.free([b])
    with pytest.raises(RuntimeError, match="double free"):
        bm.free([b])
    with pytest.raises(ValueError, match="outside"):
        bm.fork([0], 5)


def _state(pos, max_new, forced=()):
    return RolloutState(0, 0, 0, pos, max_new, frozenset(), 0, tuple(forced))


def _start(sched, s, parent_table):
    """What the engine does at admission: fork, and a preempted rollout's chosen tokens are cached again; the
    first token is chosen (from the parent's hidden state, or it was pending)."""
    copies = sched.fork(s, parent_table)
    s.num_cached = s.position + max(s.step - 1, 0)
    s.step = max(s.step, 1)
    return copies


def _write(sched, s) -> bool:
    """One decode step's cache write (the pending token's K/V) and the next choice; False if preempted."""
    if not sched.grow(s, s.num_cached + 1):
        return False
    s.num_cached += 1
    s.step += 1
    return True


@pytest.mark.parametrize("seed", range(20))
def test_random_workload_never_leaks_or_overcommits(seed):
    """Random forks / growth / finishes / releases in any order: refcounts stay exact, pool whole at the end."""
    rng = random.Random(seed)
    bm = BlockManager(num_blocks=40, block_size=4)
    sched = Scheduler(bm, max_running=6)
    parents = [bm.allocate(bm.blocks_for(n)) for n in (9, 16, 3)]
    lengths = [9, 16, 3]
    states = []
    for _ in range(30):
        p = rng.randrange(3)
        s = _state(rng.randint(1, lengths[p]), rng.randint(1, 9), forced=[1] * rng.randint(0, 2))
        s.seq_id = p
        states.append(s)
    sched.add(states)
    released = set()
    done = 0
    while not sched.idle():
        for s in sched.admit():
            _start(sched, s, parents[s.seq_id])
        assert sched.available >= 0
        for s in list(sched.running):
            if s not in sched.running:  # preempted by an older rollout's growth this step
                continue
            # each step: write one token (within the worst case), sometimes finish early
            limit = s.position + len(s.forced) + s.max_new_tokens - 1
            if s.num_cached < limit and not _write(sched, s):
                continue
            if s.num_cached >= limit or rng.random() < 0.2:
                sched.finish(s)
                done += 1
        # a parent may be released while its forked children still run (they keep the shared blocks alive)
        idle_parents = [p for p in range(3) if p not in released and all(w.seq_id != p for w in sched.waiting)]
        if idle_parents and rng.random() < 0.3:
            p = rng.choice(idle_parents)
            released.add(p)
            bm.free(parents[p])
    for p in range(3):
        if p not in released:
            bm.free(parents[p])
    assert done == 30
    bm.check_whole()


def test_blocks_on_demand_admit_past_worst_cases_and_preempt_the_newest():
    bm = BlockManager(num_blocks=6, block_size=4)
    sched = Scheduler(bm, max_running=100)
    parent = bm.allocate(2)
    states = [_state(6, 11) for _ in range(4)]  # each may write [6, 16): up to 3 private blocks
    sched.add(states)
    first = sched.admit()  # worst cases would admit one; first blocks and a block of headroom admit three
    assert first == states[:3] and list(sched.waiting) == states[3:]
    for s in first:
        assert sched.fork(s, parent)  # the boundary copy: their first block
    assert bm.num_free == 1 and sched.admit() == []
    for s in first:  # positions 6, 7 fit the copied block
        assert sched.grow(s, 8)
        s.num_cached = 8
    old, mid, new = first
    new.tokens, new.step, new.pending = [5, 6], 2, 6  # progress that the preemption keeps (its K/V it drops)
    assert sched.grow(old, 9) and bm.num_free == 0  # the last free block
    assert sched.grow(mid, 9)  # none left: the newest is preempted, its block serves mid
    assert sched.preemptions == 1 and sched.running == [old, mid] and list(sched.waiting) == [new, states[3]]
    assert new.block_table == [] and (new.tokens, new.step, new.pending, new.num_cached) == ([5, 6], 2, 6, 0)
    assert sched.first_blocks(new) == 1 and sched.first_blocks(states[3]) == 1  # positions 6-7: the copied block
    mid.num_cached = 12
    assert not sched.grow(mid, 13)  # mid is the newest now: with the pool dry it preempts itself
    assert sched.running == [old] and list(sched.waiting) == [mid, new, states[3]] and sched.preemptions == 2
    assert bm.num_free == 2  # mid's copy and its fresh block came back (the shared one stays the parent's)
    while not sched.idle():  # the rest run to the end, nothing stalls or leaks
        for s in sched.admit():
            _start(sched, s, parent)
        for s in list(sched.running):
            if s in sched.running and _write(sched, s):
                if s.num_cached == s.position + s.max_new_tokens - 1:
                    sched.finish(s)
    bm.free(parent)
    bm.check_whole()
    with pytest.raises(ValueError, match="raise num_blocks"):
        sched.add([_state(1, 100)])


@pytest.mark.parametrize("seed", range(60))
def test_admission_next_to_registered_sequences_never_stalls(seed):
    """Random pools, registered sequences holding blocks, random rollouts in random order: ``add`` refuses
    exactly the rollouts that could never fit beside the registered sequences, and the rest always run."""
    rng = random.Random(seed)
    bm = BlockManager(num_blocks=rng.randint(3, 40), block_size=rng.choice([1, 2, 4, 8]))
    sched = Scheduler(bm, max_running=rng.randint(1, 6))
    parents = []
    for _ in range(rng.randint(1, 6)):
        n = rng.randint(1, 30)
        if bm.blocks_for(n) <= bm.num_free:
            parents.append((bm.allocate(bm.blocks_for(n)), n))
    if not parents:
        return
    states = []
    for _ in range(rng.randint(1, 12)):
        p = rng.randrange(len(parents))
        s = _state(rng.randint(1, parents[p][1]), rng.randint(1, 12), forced=[1] * rng.randint(0, 2))
        s.seq_id = p
        states.append(s)
    rng.shuffle(states)
    fits = all(sched.worst_case_blocks(s) <= bm.num_free for s in states)
    if not fits:
        with pytest.raises(ValueError, match="held by registered sequences"):
            sched.add(states)
        assert sched.idle()
    else:
        sched.add(states)
        while not sched.idle():
            new = sched.admit()
            assert new or sched.running, "stalled"
            for s in new:
                _start(sched, s, parents[s.seq_id][0])
            for s in list(sched.running):
                if s not in sched.running:  # preempted by an older rollout's growth this step
                    continue
                limit = s.position + len(s.forced) + s.max_new_tokens - 1
                if s.num_cached < limit and not _write(sched, s):
                    continue
                if s.num_cached >= limit or rng.random() < 0.1:
                    sched.finish(s)
    for table, _ in parents:
        bm.free(table)
    bm.check_whole()


def test_abort_returns_every_block():
    bm = BlockManager(num_blocks=20, block_size=4)
    sched = Scheduler(bm, max_running=3)
    parent = bm.allocate(3)
    sched.add([_state(6, 9) for _ in range(5)])
    for s in sched.admit():
        sched.fork(s, parent)
        sched.grow(s, s.num_cached + 1)
    assert sched.running and sched.waiting
    sched.abort()
    assert sched.idle() and sched.available == bm.num_free == 17
    bm.free(parent)
    bm.check_whole()
