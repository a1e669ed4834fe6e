"""A rollout call fed while it runs: ``on_done`` hears of each finished request, may register sequences and
return more requests; the results are those of separate calls, and a failure still releases everything."""

import pytest
from tiny_models import random_tokens, tiny_model, tiny_tokenizer

from ptsfast.engine import EngineConfig, KVPoolFull, RolloutEngine, RolloutRequest, SamplingParams


def tokens_of(results):
    return [[r.tokens for r in rollouts] for rollouts in results]


@pytest.fixture()
def engine():
    return RolloutEngine(tiny_model("llama"), tiny_tokenizer(),
                         EngineConfig(num_blocks=96, block_size=4, max_running=6))


def request(seq_id, position, n, seed, max_new=7):
    return RolloutRequest(seq_id, position, n, max_new, SamplingParams(temperature=1.0, seed=seed), stop_token_ids=())


def test_follow_up_requests_and_sequences_registered_mid_call_match_separate_calls(engine):
    a, b = engine.prefill([random_tokens(21, seed=1), random_tokens(13, seed=2)])
    later = random_tokens(17, seed=3)
    # separately: three calls, the third on a sequence registered between calls
    first = tokens_of(engine.rollout([request(a.seq_id, 9, 3, 11), request(b.seq_id, 13, 2, 12)]))
    second = tokens_of(engine.rollout([request(a.seq_id, 15, 4, 13)]))
    (c,) = engine.prefill([later])
    third = tokens_of(engine.rollout([request(c.seq_id, 10, 5, 14)]))
    engine.release([c.seq_id])

    seen, registered = [], []

    def on_done(index, rollouts):
        seen.append(index)
        if index == 0:  # request 0 done: a follow-up from the same sequence
            return [request(a.seq_id, 15, 4, 13)]
        if index == 1:  # request 1 done: register a new sequence and fork from it
            (s,) = engine.prefill([later])
            registered.append(s.seq_id)
            return [request(s.seq_id, 10, 5, 14)]
        return None

    fed = tokens_of(engine.rollout([request(a.seq_id, 9, 3, 11), request(b.seq_id, 13, 2, 12)], on_done=on_done))
    assert sorted(seen) == [0, 1, 2, 3]
    assert fed == first + second + third  # new requests take the next indices, in order
    engine.release([a.seq_id, b.seq_id, *registered])
    engine.check_no_leaks()


def test_on_done_may_release_but_not_start_another_call(engine):
    a, b = engine.prefill([random_tokens(21, seed=1), random_tokens(13, seed=2)])

    def release_b(index, rollouts):
        if index == 0:
            engine.release([b.seq_id])  # its blocks stay while request 1's rollouts still use them
        return ()

    out = engine.rollout([request(a.seq_id, 9, 1, 1, max_new=2), request(b.seq_id, 13, 3, 2, max_new=9)],
                         on_done=release_b)
    assert [len(r) for r in out] == [1, 3]

    def nested(index, rollouts):
        engine.rollout([request(a.seq_id, 5, 1, 3)])

    with pytest.raises(RuntimeError, match="not re-entrant"):
        engine.rollout([request(a.seq_id, 9, 1, 4)], on_done=nested)
    engine.release([a.seq_id])
    engine.check_no_leaks()


def test_an_invalid_follow_up_fails_the_call_and_releases_everything(engine):
    (a,) = engine.prefill([random_tokens(21, seed=1)])
    with pytest.raises(KeyError, match="not registered"):
        engine.rollout([request(a.seq_id, 9, 2, 1), request(a.seq_id, 12, 2, 2, max_new=20)],
                       on_done=lambda i, r: [request(12345, 3, 1, 1)])
    engine.release([a.seq_id])
    engine.check_no_leaks()  # the running request's blocks came back too


def test_registering_mid_call_never_starves_queued_rollouts():
    # 24 blocks of 4 tokens; a 40-token sequence holds 10. Six rollouts of up to 40 tokens each may need 10
    # blocks: they take them as they write, the newest preempted when the pool runs dry, and registering 8 more
    # blocks would leave the oldest no room to finish.
    engine = RolloutEngine(tiny_model("llama"), tiny_tokenizer(), EngineConfig(num_blocks=24, block_size=4))
    (a,) = engine.prefill([random_tokens(40, seed=1)])
    tried = []

    def on_done(index, rollouts):
        if not tried:
            with pytest.raises(KVPoolFull, match="wait for running rollouts"):
                engine.prefill([random_tokens(30, seed=2)])  # 8 blocks: a queued rollout could never run
            tried.append(index)
        return ()

    out = engine.rollout([request(a.seq_id, 40, 1, s, max_new=40) for s in range(6)], on_done=on_done)
    assert tried and all(len(r) == 1 for r in out)
    engine.release([a.seq_id])
    engine.check_no_leaks()


def test_requests_polled_in_mid_call_or_waited_for_at_the_end_match_separate_calls(engine):
    """``poll`` feeds work that became ready outside ``on_done`` (a background verdict): asked after every step
    without waiting, and once nothing is left to decode with waiting, where it may block; the call ends when it
    returns nothing then. The rollouts are those of separate calls."""
    (a,) = engine.prefill([random_tokens(21, seed=1)])
    separate = [tokens_of(engine.rollout([request(a.seq_id, p, 2, s)])) for p, s in ((9, 1), (12, 2), (15, 3))]
    asked = []
    ready = [request(a.seq_id, 12, 2, 2)]  # "ready" mid-call
    later = [request(a.seq_id, 15, 2, 3)]  # "ready" only once the engine waits for it

    def poll(wait):
        asked.append(wait)
        if not wait and len(asked) == 2:
            return [ready.pop()]
        if wait and later:
            return [later.pop()]
        return None

    fed = tokens_of(engine.rollout([request(a.seq_id, 9, 2, 1)], poll=poll))
    assert fed == [x for s in separate for x in s]
    assert asked.count(True) == 2 and asked[-1] is True  # one wait that fed, one that ended the call
    with pytest.raises(KeyError, match="not registered"):  # a bad polled request fails the call, releasing it
        engine.rollout([request(a.seq_id, 9, 2, 1)], poll=lambda wait: [request(999, 3, 1, 1)])
    engine.release([a.seq_id])
    engine.check_no_leaks()
