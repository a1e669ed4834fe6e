"""Progress of a mining run moves while the engine works, not only when a problem finishes."""

import torch
from tiny_models import tiny_model, tiny_tokenizer

from ptsfast.data import Problem
from ptsfast.engine import EngineConfig, RolloutEngine
from ptsfast.mining.run import PreparedProblem, RunConfig, mine
from ptsfast.mining.sampler import RolloutSettings
from ptsfast.mining.types import FilterConfig, MiningConfig
from ptsfast.oracles import make_judge
from ptsfast.pipeline import MineOptions
from ptsfast.pipeline import mine as pipeline_mine


def contains_w7(text, problem):
    return "w7" in text.split()


def flat_model():
    model = tiny_model("llama", seed=3)
    with torch.no_grad():
        model.lm_head.weight.mul_(0.3)
    return model


PROBLEMS = [Problem(f"p{i}", " ".join(f"w{3 + (i * 7 + k * 13) % 90}" for k in range(6))) for i in range(4)]


def test_progress_is_reported_during_engine_calls():
    tok = tiny_tokenizer()
    engine = RolloutEngine(flat_model(), tok, EngineConfig(num_blocks=512, block_size=8))
    prepared = [PreparedProblem(p.id, tuple(tok(p.question)["input_ids"]), p) for p in PROBLEMS]
    config = RunConfig(mining=MiningConfig(filter=FilterConfig(enabled=False)),
                       rollout=RolloutSettings(max_new_tokens=16), problems_per_batch=4)
    events = []
    stats = mine(engine, tok, prepared, make_judge(contains_w7), config,
                 on_problem=lambda r: events.append(("problem", r.problem.id)),
                 on_progress=lambda s, pr: events.append(("progress", s.decoded_tokens, s.running, pr)),
                 progress_interval=0.0)
    first_problem = next(i for i, e in enumerate(events) if e[0] == "problem")
    live = [e for e in events[:first_problem] if e[0] == "progress" and e[3] is None]
    assert len(live) >= 10, "the engine's decode steps report before any problem is done"
    assert [e[1] for e in live] == sorted(e[1] for e in live) and live[-1][1] > live[0][1] > 0
    assert all(e[2] > 0 for e in live)
    assert stats.decoded_tokens >= stats.tokens > 0
    assert "running" not in stats.as_dict() and "pivots_found" not in stats.as_dict()


def test_progress_bar_shows_rollouts_speed_and_pivots_before_a_problem_finishes(tmp_path, capsys):
    pipeline_mine(flat_model(), tiny_tokenizer(), PROBLEMS, tmp_path / "run",
                  MineOptions(max_new_tokens=16, use_chat_template=False, problems_per_batch=4,
                              mining=MiningConfig(filter=FilterConfig(enabled=False)),
                              engine=EngineConfig(num_blocks=512, block_size=8)),
                  oracle=contains_w7, progress=True)
    frames = capsys.readouterr().err.replace("\r", "\n").splitlines()
    early = [f for f in frames if " 0/4 " in f and "rollouts=" in f]
    assert any("tok/s=" in f and "running=" in f and "pivots=" in f for f in early), frames[:5]
    assert any(int(f.split("rollouts=")[1].split()[0]) > 0 for f in early), "rollouts count up before problem 1"
