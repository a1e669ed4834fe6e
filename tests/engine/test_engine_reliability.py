"""The engine is all-or-nothing per call: bad inputs are refused before anything runs, a failure at any
point of a call releases everything the call held, and admission can never stall."""

import math
import random

import pytest
import torch
from tiny_models import VOCAB, random_tokens, tiny_model, tiny_tokenizer

import ptsfast.engine.engine as engine_module
from ptsfast.engine import EngineConfig, FinishReason, RolloutEngine, RolloutRequest, SamplingParams

SAMPLED = SamplingParams(temperature=1.0, seed=3)


@pytest.fixture(scope="module")
def engine():
    return RolloutEngine(tiny_model("llama"), tiny_tokenizer(),
                         EngineConfig(num_blocks=64, block_size=4, max_running=5))


@pytest.fixture(scope="module")
def seqs(engine):
    prefilled = engine.prefill([random_tokens(23, seed=1), random_tokens(14, seed=2)])
    yield prefilled
    engine.release([p.seq_id for p in prefilled])
    engine.check_no_leaks()


@pytest.fixture(scope="module")
def reference(engine, seqs):
    """What ``good_requests`` give on an engine nothing has gone wrong in (rollouts are deterministic)."""
    return tokens_of(engine.rollout(good_requests(seqs)))


def good_requests(seqs):
    a, b = seqs
    return [RolloutRequest(a.seq_id, 10, 3, 6, SAMPLED, stop_token_ids=()),  # mid-block: boundary copies
            RolloutRequest(b.seq_id, 14, 2, 5, SamplingParams(temperature=0.0), stop_token_ids=()),
            RolloutRequest(a.seq_id, 21, 2, 4, SamplingParams(temperature=0.7, top_k=5, seed=9), forced=(7,),
                           stop_token_ids=())]


def tokens_of(results):
    return [[(r.tokens, r.finish_reason) for r in rollouts] for rollouts in results]


def assert_clean(engine, free_before):
    assert engine.scheduler.idle() and engine._busy is None
    assert engine.blocks.num_free == free_before


def forged(cls, **changes):
    """A frozen dataclass instance with fields its constructor would refuse (as a buggy caller might build)."""
    obj = cls.__new__(cls)
    base = cls.__dataclass_fields__
    for name, f in base.items():
        object.__setattr__(obj, name, changes.get(name, f.default))
    return obj


# ------------------------------------------------------------------------------------ validation

@pytest.mark.parametrize("make_bad,match", [
    (lambda a: RolloutRequest(a + 99, 3, 1, 4), "not registered"),
    (lambda a: RolloutRequest(a, 0, 1, 4), "position 0 outside"),
    (lambda a: RolloutRequest(a, 24, 1, 4), "position 24 outside"),
    (lambda a: RolloutRequest(a, 3.0, 1, 4), "position 3.0 outside"),
    (lambda a: RolloutRequest(a, 3, 0, 4), "n must be an int >= 1"),
    (lambda a: RolloutRequest(a, 3, -2, 4), "n must be an int >= 1"),
    (lambda a: RolloutRequest(a, 3, 1.5, 4), "n must be"),
    (lambda a: RolloutRequest(a, 3, 1, 0), "max_new_tokens must be"),
    (lambda a: RolloutRequest(a, 3, 1, 4, forged(SamplingParams, temperature=math.nan)), "temperature must be"),
    (lambda a: RolloutRequest(a, 3, 1, 4, forged(SamplingParams, temperature=-1.0)), "temperature must be"),
    (lambda a: RolloutRequest(a, 3, 1, 4, forged(SamplingParams, top_p=0.0)), "top_p must"),
    (lambda a: RolloutRequest(a, 3, 1, 4, forged(SamplingParams, top_p=math.nan)), "top_p must"),
    (lambda a: RolloutRequest(a, 3, 1, 4, forged(SamplingParams, top_k=2.5)), "top_k must"),
    (lambda a: RolloutRequest(a, 3, 1, 4, sampling={"temperature": 1}), "sampling must be a SamplingParams"),
    (lambda a: RolloutRequest(a, 3, 1, 4, forced=(VOCAB,)), "forced must be token ids"),
    (lambda a: RolloutRequest(a, 3, 1, 4, forced=(-1,)), "forced must be token ids"),
    (lambda a: RolloutRequest(a, 3, 1, 4, stop_token_ids=(1.5,)), "stop_token_ids"),
    (lambda a: RolloutRequest(a, 3, 1, 4, stop_strings="5"), "stop_strings must be a tuple"),
    (lambda a: RolloutRequest(a, 3, 1, 4, stop_strings=("",)), "non-empty"),
    (lambda a: RolloutRequest(a, 3, 1, 4, stop_fn="yes"), "stop_fn must be callable"),
    (lambda a: (a, 3, 1, 4), "must be a RolloutRequest"),
    (lambda a: RolloutRequest(a, 3, 1, 10_000), "needs .* KV blocks"),
], ids=lambda x: x if isinstance(x, str) else "")
def test_a_bad_request_among_good_ones_is_refused_before_anything_runs(engine, seqs, reference, make_bad, match):
    free = engine.blocks.num_free
    requests = good_requests(seqs)
    requests.insert(1, make_bad(seqs[0].seq_id))
    calls = []
    with pytest.raises((ValueError, TypeError, KeyError), match=match):
        engine.rollout(requests, progress=calls.append)
    assert calls == []  # nothing decoded
    assert_clean(engine, free)
    assert tokens_of(engine.rollout(good_requests(seqs)[1:2])) == reference[1:2]


def test_sampling_params_refuse_nan_and_wrong_types():
    for kwargs, match in [({"temperature": math.nan}, "temperature"), ({"temperature": math.inf}, "temperature"),
                          ({"temperature": -0.5}, "temperature"), ({"top_p": math.nan}, "top_p"),
                          ({"top_p": 1.5}, "top_p"), ({"top_k": 1.5}, "top_k"), ({"seed": 1.5}, "seed"),
                          ({"temperature": True}, "temperature")]:
        with pytest.raises((ValueError, TypeError), match=match):
            SamplingParams(**kwargs)


@pytest.mark.parametrize("bad,match", [
    ([5, VOCAB], f"token 1: {VOCAB} is not a token id"),
    ([5, -1, 6], "token 1: -1 is not a token id"),
    ([5, 6.0, 7], "token 1: 6.0 is not a token id"),
    ([5, True], "token 1: True is not a token id"),
    ("hello", "sequence 1 must be a list of token ids"),
    ([5], "at least 2"),
    ([5 + k % 90 for k in range(513)], "context"),
])
def test_prefill_refuses_bad_sequences_and_leaks_nothing(engine, bad, match):
    free, registered = engine.blocks.num_free, dict(engine._seqs)
    with pytest.raises((ValueError, TypeError), match=match):
        engine.prefill([random_tokens(9, seed=3), bad])
    assert engine.blocks.num_free == free and engine._seqs == registered


def test_prefill_failing_in_a_later_batch_unregisters_the_whole_call(monkeypatch):
    engine = RolloutEngine(tiny_model("llama"), config=EngineConfig(num_blocks=64, block_size=4,
                                                                    max_prefill_tokens=20))
    calls = {"n": 0}
    original = engine.runner.prefill

    def failing(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 2:
            raise RuntimeError("injected prefill failure")
        return original(*args, **kwargs)

    monkeypatch.setattr(engine.runner, "prefill", failing)
    with pytest.raises(RuntimeError, match="injected"):
        engine.prefill([random_tokens(15, seed=s) for s in range(3)])  # three batches of one
    engine.check_no_leaks()
    seqs = engine.prefill([random_tokens(15, seed=0)])
    engine.release([seqs[0].seq_id])
    engine.check_no_leaks()


def test_release_is_all_or_nothing(engine):
    before = len(engine._seqs)
    a, b = engine.prefill([random_tokens(9, seed=4), random_tokens(9, seed=5)])
    with pytest.raises(KeyError, match="not registered"):
        engine.release([a.seq_id, 10_000])
    with pytest.raises(KeyError, match="repeated"):
        engine.release([a.seq_id, a.seq_id])
    assert len(engine._seqs) == before + 2
    engine.release([a.seq_id, b.seq_id])
    assert len(engine._seqs) == before


# ------------------------------------------------------------------------------ failure injection

def _fail_on(n, original, exc):
    count = {"n": 0}

    def wrapper(*args, **kwargs):
        count["n"] += 1
        if count["n"] == n:
            raise exc
        return original(*args, **kwargs)

    return wrapper


ERROR, CTRL_C = RuntimeError("injected failure"), KeyboardInterrupt()
POINTS = [
    ("scheduler", "admit", 2, ERROR), ("scheduler", "fork", 4, CTRL_C), ("scheduler", "grow", 5, ERROR),
    ("scheduler", "finish", 3, ERROR), ("runner", "copy_blocks", 1, ERROR), ("runner", "decode", 3, CTRL_C),
    ("adapter", "logits", 2, ERROR), ("module", "sample", 4, ERROR), ("engine", "_advance", 7, CTRL_C),
]


@pytest.mark.parametrize("owner,name,at,exc", POINTS, ids=[f"{o}.{n}-{type(e).__name__}" for o, n, _, e in POINTS])
def test_a_failure_anywhere_in_a_call_releases_it_and_the_engine_stays_usable(engine, seqs, reference, monkeypatch,
                                                                               owner, name, at, exc):
    free = engine.blocks.num_free
    target = {"scheduler": engine.scheduler, "runner": engine.runner, "adapter": engine.adapter,
              "module": engine_module, "engine": engine}[owner]
    with monkeypatch.context() as m:
        m.setattr(target, name, _fail_on(at, getattr(target, name), exc))
        with pytest.raises(type(exc)):
            engine.rollout(good_requests(seqs))
    assert_clean(engine, free)
    assert tokens_of(engine.rollout(good_requests(seqs))) == reference


@pytest.mark.parametrize("where", ["stop_fn", "progress", "tokenizer"])
def test_failing_callbacks_release_the_call(engine, seqs, reference, monkeypatch, where):
    free = engine.blocks.num_free
    requests = good_requests(seqs)
    progress = None
    if where == "stop_fn":
        def stop_fn(tokens):
            if len(tokens) == 3:
                raise ValueError("oracle exploded")
            return False
        requests[0] = RolloutRequest(**{**requests[0].__dict__, "stop_fn": stop_fn})
        exc = ValueError
    elif where == "progress":
        progress = _fail_on(2, lambda k: None, KeyboardInterrupt())
        exc = KeyboardInterrupt
    else:
        requests[1] = RolloutRequest(**{**requests[1].__dict__, "stop_strings": ("never there",)})
        monkeypatch.setattr(engine.tokenizer, "decode", _fail_on(3, engine.tokenizer.decode, UnicodeError("bad")))
        exc = UnicodeError
    with pytest.raises(exc):
        engine.rollout(requests, progress=progress)
    monkeypatch.undo()
    assert_clean(engine, free)
    assert tokens_of(engine.rollout(good_requests(seqs))) == reference


def test_callbacks_cannot_reenter_the_engine(engine, seqs):
    free = engine.blocks.num_free
    requests = good_requests(seqs)
    requests[0] = RolloutRequest(**{**requests[0].__dict__, "stop_fn": lambda t: engine.prefill([[5, 6, 7]])})
    with pytest.raises(RuntimeError, match="not re-entrant"):
        engine.rollout(requests)
    assert_clean(engine, free)


# ------------------------------------------------------------------------------------- admission

def test_admission_counts_blocks_held_by_registered_sequences():
    engine = RolloutEngine(tiny_model("llama"), config=EngineConfig(num_blocks=12, block_size=4))
    held = engine.prefill([random_tokens(16, seed=s) for s in range(2)])  # 8 of the 12 blocks
    (seq,) = engine.prefill([random_tokens(8, seed=9)])  # 2 more: 2 free
    # 8 tokens + 12 new ones need 3 private blocks: fits the pool, not what registered sequences leave
    with pytest.raises(ValueError, match="held by registered sequences"):
        engine.rollout([RolloutRequest(seq.seq_id, 8, 1, 12, stop_token_ids=())])
    assert engine.scheduler.idle()
    engine.release([h.seq_id for h in held])
    (out,) = engine.rollout([RolloutRequest(seq.seq_id, 8, 2, 12, stop_token_ids=())])
    assert [len(r.tokens) for r in out] == [12, 12]
    engine.release([seq.seq_id])
    engine.check_no_leaks()


@pytest.mark.parametrize("seed", range(5))
def test_random_pools_sizes_and_orders_never_stall_or_leak(seed):
    rng = random.Random(seed)
    block_size = rng.choice([2, 4, 8])
    engine = RolloutEngine(tiny_model("llama"), config=EngineConfig(
        num_blocks=rng.randint(6, 30), block_size=block_size, max_running=rng.randint(2, 6)))
    registered = {}
    for _ in range(3):
        # register what fits, run a random mix of requests, release a random subset
        for _ in range(rng.randint(0, 3)):
            n = rng.randint(2, 20)
            if engine.blocks.blocks_for(n) <= engine.blocks.num_free:
                (p,) = engine.prefill([random_tokens(n, seed=rng.randrange(1000))])
                registered[p.seq_id] = n
        if not registered:
            continue
        requests = []
        for _ in range(rng.randint(1, 5)):
            sid = rng.choice(list(registered))
            pos = rng.randint(1, registered[sid])
            requests.append(RolloutRequest(sid, pos, rng.randint(1, 4), rng.randint(1, 6),
                                           SamplingParams(temperature=1.0, seed=rng.randrange(100)),
                                           forced=tuple(random_tokens(rng.randint(0, 2), seed=pos)),
                                           stop_token_ids=()))
        rng.shuffle(requests)
        free = engine.blocks.num_free
        try:
            results = engine.rollout(requests)
        except ValueError as e:  # only ever: a rollout that cannot fit next to the registered sequences
            assert "held by registered sequences" in str(e)
        else:
            assert [len(r) for r in results] == [q.n for q in requests]
            for q, rollouts in zip(requests, results):
                assert all(1 <= len(r.tokens) <= q.max_new_tokens and r.finish_reason is FinishReason.LENGTH
                           for r in rollouts)
        assert engine.scheduler.idle() and engine.blocks.num_free == free
        for sid in rng.sample(list(registered), rng.randint(0, len(registered))):
            engine.release([sid])
            del registered[sid]
    engine.release(list(registered))
    engine.check_no_leaks()


def test_rollouts_end_at_the_models_context():
    engine = RolloutEngine(tiny_model("llama", max_position_embeddings=32), config=EngineConfig(num_blocks=32,
                                                                                                 block_size=4))
    (seq,) = engine.prefill([random_tokens(30, seed=1)])
    (out,) = engine.rollout([RolloutRequest(seq.seq_id, 28, 2, 50, forced=(5,), stop_token_ids=())])
    assert [len(r.tokens) for r in out] == [3, 3] and out[0].finish_reason is FinishReason.LENGTH  # 28 + 1 + 3
    with pytest.raises(ValueError, match="no room"):
        engine.rollout([RolloutRequest(seq.seq_id, 30, 1, 5, forced=(1, 2), stop_token_ids=())])
    engine.release([seq.seq_id])
    engine.check_no_leaks()


# ---------------------------------------------------------------------------------- stop strings

class ConcatTokenizer:
    """decode = concatenation of per-token pieces (as byte-level BPE decoders behave)."""

    def __init__(self, pieces: dict[int, str]):
        self.pieces = pieces

    def decode(self, ids, skip_special_tokens=False):
        return "".join(self.pieces.get(int(i), f"<{int(i)}>") for i in ids)


def reference_stop(tok, context, generated, stops, window=16):
    """First k such that a stop string ends in generated[:k] (it may start in the last `window` tokens of
    the context), following the documented rule; None if none."""
    for k in range(1, len(generated) + 1):
        if k <= window and context:
            head = tok.decode(context[-window:])
            text, boundary = head + tok.decode(generated[:k]), len(head)
        else:
            text, boundary = tok.decode(generated[max(0, k - window):k]), 0
        if any(text.find(s, max(0, boundary - len(s) + 1)) >= 0 for s in stops):
            return k
    return None


@pytest.fixture(scope="module")
def stop_setup():
    model = tiny_model("qwen2", seed=5)
    prefix = random_tokens(40, seed=21)
    free = RolloutEngine(model, config=EngineConfig(num_blocks=64, block_size=4))
    (seq,) = free.prefill([prefix])
    greedy = SamplingParams(temperature=0.0)
    runs = {p: free.rollout([RolloutRequest(seq.seq_id, p, 1, 14, greedy, stop_token_ids=())])[0][0].tokens
            for p in (20, 33)}
    free.release([seq.seq_id])
    return model, prefix, runs


def test_a_stop_string_spanning_the_fork_point_is_caught(stop_setup):
    model, prefix, runs = stop_setup
    p = next(q for q, g in runs.items() if len({prefix[q - 1], g[0], g[1]}) == 3)
    g = runs[p]
    tok = ConcatTokenizer({prefix[p - 1]: "\n\n", g[0]: "Question", g[1]: ":"})
    engine = RolloutEngine(model, tok, EngineConfig(num_blocks=64, block_size=4))
    (seq,) = engine.prefill([prefix])
    greedy = SamplingParams(temperature=0.0)
    req = dict(seq_id=seq.seq_id, n=1, max_new_tokens=14, sampling=greedy, stop_token_ids=(),
               stop_strings=("\n\nQuestion:",))
    (out,) = engine.rollout([RolloutRequest(position=p, **req)])
    assert out[0].tokens == g[:2] and out[0].finish_reason is FinishReason.STOP  # "\n\n" | "Question:"
    # the same context through a forced token: the forced token is context too
    (forced,) = engine.rollout([RolloutRequest(position=p - 1, forced=(prefix[p - 1],), **req)])
    assert forced[0].tokens == g[:2] and forced[0].finish_reason is FinishReason.STOP
    engine.release([seq.seq_id])
    engine.check_no_leaks()


def test_a_stop_string_inside_the_prefix_does_not_stop_the_rollout(stop_setup):
    model, prefix, runs = stop_setup
    p = 33
    tok = ConcatTokenizer({})
    inside = tok.decode(prefix[p - 3:p])  # the prefix ends with it
    assert reference_stop(tok, prefix[:p], list(runs[p]), (inside,)) is None
    engine = RolloutEngine(model, tok, EngineConfig(num_blocks=64, block_size=4))
    (seq,) = engine.prefill([prefix])
    (out,) = engine.rollout([RolloutRequest(seq.seq_id, p, 1, 14, SamplingParams(temperature=0.0),
                                            stop_token_ids=(), stop_strings=(inside,))])
    assert out[0].tokens == runs[p] and out[0].finish_reason is FinishReason.LENGTH
    engine.release([seq.seq_id])
    engine.check_no_leaks()


@pytest.mark.parametrize("seed", range(4))
def test_stop_strings_match_the_reference_rule(stop_setup, seed):
    """Random stop strings cut from the text around the fork point: engine == brute-force rule."""
    model, prefix, runs = stop_setup
    rng = random.Random(seed)
    p = rng.choice(list(runs))
    g = list(runs[p])
    tok = ConcatTokenizer({t: rng.choice(["a", "b", "ab", "\n", " "]) for t in set(prefix) | set(g)})
    text = tok.decode(prefix[:p][-16:] + g)
    stops = tuple(text[i:i + rng.randint(2, 6)] for i in (rng.randrange(len(text) - 1) for _ in range(2)))
    expected = reference_stop(tok, prefix[:p], g, stops)
    engine = RolloutEngine(model, tok, EngineConfig(num_blocks=64, block_size=4))
    (seq,) = engine.prefill([prefix])
    (out,) = engine.rollout([RolloutRequest(seq.seq_id, p, 1, 14, SamplingParams(temperature=0.0),
                                            stop_token_ids=(), stop_strings=stops)])
    if expected is None:
        assert out[0].tokens == runs[p] and out[0].finish_reason is FinishReason.LENGTH
    else:
        assert out[0].tokens == tuple(g[:expected]) and out[0].finish_reason is FinishReason.STOP
    engine.release([seq.seq_id])


# ------------------------------------------------------------------------------------------ LongRoPE

def longrope_phi3():
    half = 8  # head_dim 16 / 2
    return tiny_model("phi3", rope_scaling={"rope_type": "longrope",
                                            "short_factor": [1.0 + 0.2 * i for i in range(half)],
                                            "long_factor": [3.0 + 1.5 * i for i in range(half)]},
                      original_max_position_embeddings=64)


def hf_logprobs(model, tokens):
    with torch.no_grad():
        logits = model(torch.tensor([tokens])).logits[0].float()
    return torch.log_softmax(logits, -1)[:-1].gather(1, torch.tensor(tokens[1:])[:, None]).squeeze(1)


def test_longrope_runs_within_its_original_context_and_matches_hf_per_sequence():
    import copy

    model = longrope_phi3()
    reference = copy.deepcopy(model)
    # the hazard: HF's own LongRoPE rotates a 30-token prefix differently inside a 100-token forward
    short, long = random_tokens(30, seed=1), random_tokens(100, seed=1)
    assert long[:30] == short
    drift = (hf_logprobs(reference, short) - hf_logprobs(reference, long)[:29]).abs().max()
    assert drift > 1e-3, "the test model must actually switch factors"

    engine = RolloutEngine(model, config=EngineConfig(num_blocks=64, block_size=8))
    assert engine.max_positions == 64
    seqs = [short, random_tokens(64, seed=2), random_tokens(9, seed=3)]
    prefilled = engine.prefill(seqs)  # one packed forward
    for tokens, p in zip(seqs, prefilled):
        torch.testing.assert_close(torch.tensor(p.logprobs), hf_logprobs(reference, tokens), atol=1e-4, rtol=0)
    (out,) = engine.rollout([RolloutRequest(prefilled[1].seq_id, 40, 1, 50, SamplingParams(temperature=0.0),
                                            stop_token_ids=())])
    assert len(out[0].tokens) == 24 and out[0].finish_reason is FinishReason.LENGTH  # 40 + 24 = 64
    with torch.no_grad():
        hf = reference.generate(torch.tensor([seqs[1][:40]]), do_sample=False, max_new_tokens=24,
                                eos_token_id=None, pad_token_id=0)
    assert list(out[0].tokens) == hf[0, 40:].tolist()
    with pytest.raises(ValueError, match="original_max_position_embeddings=64"):
        engine.prefill([random_tokens(65, seed=4)])
    engine.release([p.seq_id for p in prefilled])
    engine.check_no_leaks()


def test_a_kv_pool_larger_than_the_memory_available_is_refused_before_it_is_allocated(monkeypatch):
    """``--kv-cache-gb 1e30`` (or a pool of blocks the host cannot hold) is one error naming the setting and what
    the device has, before the zero-filled pool is allocated (which overflows in torch or, on a host that
    overcommits, gets the process killed); the default pool on a machine with little memory left takes half of it."""
    model = tiny_model("llama")
    available = engine_module.available_memory(torch.device("cpu"))
    assert available is not None and 0 < available < 1 << 50  # this machine's MemAvailable (a Linux CI)
    zeros = []
    monkeypatch.setattr(engine_module.ModelRunner, "__init__", lambda *a, **k: zeros.append(a))
    with pytest.raises(ValueError, match=r"--kv-cache-gb 1e\+30 \(EngineConfig.kv_cache_gb\) asks for a KV cache "
                                         r"of 1e\+30 GB, more than the .* GB of memory available on cpu; lower it"):
        RolloutEngine(model, config=EngineConfig(kv_cache_gb=1e30))
    with pytest.raises(ValueError, match=r"EngineConfig.num_blocks=1000000000000 asks for a KV cache"):
        RolloutEngine(model, config=EngineConfig(num_blocks=10 ** 12))
    # one block past the memory (a block size of 10^12 tokens): its one block was a TypeError formatting an unset
    # --kv-cache-gb, after the run's run.json was written
    with pytest.raises(ValueError, match=r"--engine-block-size / EngineConfig.block_size=1000000000000 asks for a KV "
                                         r"cache of .* GB, more than the"):
        RolloutEngine(model, config=EngineConfig(block_size=10 ** 12))
    assert not zeros  # refused before the pool was made
    monkeypatch.undo()
    monkeypatch.setattr(engine_module, "available_memory", lambda device: 1e8)
    small = RolloutEngine(model)
    g = small.adapter.geometry
    block_bytes = g.num_layers * 2 * small.config.block_size * g.num_kv_heads * g.head_dim * 4
    assert small.blocks.num_blocks == int(0.5e8 // block_bytes)  # half of what is left, not 2 GB


def test_the_cli_names_a_kv_cache_too_large_for_the_machine_in_one_line(model_dir, tmp_path, capsys):
    from ptsfast.cli import main as cli

    problems = tmp_path / "p.jsonl"
    problems.write_text('{"id": "a", "question": "w5 w9 w11", "answer": "1"}\n')
    assert cli(["mine", "--model", str(model_dir), "--problems", str(problems), "--out", str(tmp_path / "o"),
                "--no-chat-template", "--oracle", "exact", "--quiet", "--kv-cache-gb", "1e30"]) == 2
    err = [line for line in capsys.readouterr().err.splitlines() if line.startswith("ptsfast:")]
    assert len(err) == 1 and "--kv-cache-gb 1e+30" in err[0] and "available on cpu" in err[0], err


def test_a_stop_fn_must_answer_a_bool(engine, seqs, reference):
    # its answer was read by truthiness: a stop_fn returning "no" (or a list of matches) ended every rollout
    import numpy as np

    free = engine.blocks.num_free
    requests = good_requests(seqs)
    requests[0] = RolloutRequest(**{**requests[0].__dict__, "stop_fn": lambda t: "no"})
    with pytest.raises(TypeError, match=r"request 0: stop_fn returned 'no' \(str\), not a bool"):
        engine.rollout(requests)
    assert_clean(engine, free)
    requests[0] = RolloutRequest(**{**requests[0].__dict__, "stop_fn": lambda t: np.bool_(len(t) == 2)})
    assert [r.tokens for r in engine.rollout(requests)[0]] == [toks[:2] for toks, _ in reference[0]]
