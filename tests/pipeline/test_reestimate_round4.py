"""Re-estimates of round 4: what ptsfast's own re-estimate (pipeline/recheck.py) reads of a run's records."""

import pytest
from tiny_models import first_of_w7_w9, mine_tiny_pivot_run, tiny_pivot_model, tiny_tokenizer

from ptsfast.engine import EngineConfig, RolloutEngine
from ptsfast.mining.types import FilterConfig, MiningConfig
from ptsfast.pipeline import MineOptions
from ptsfast.pipeline.recheck import recheck_run
from ptsfast.problems.loading import Problem

# mine_tiny_pivot_run's problems and options
PROBLEMS = [Problem(f"p{i}", " ".join(f"w{3 + (i * 7 + k * 13) % 90}" for k in range(6))) for i in range(3)]
OPTIONS = MineOptions(max_new_tokens=12, trajectories_per_problem=2, use_chat_template=False,
                      mining=MiningConfig(filter=FilterConfig(enabled=False)),
                      engine=EngineConfig(num_blocks=256, block_size=8))


@pytest.fixture(scope="module")
def mined(tmp_path_factory):
    out = tmp_path_factory.mktemp("reestimate4") / "run"
    mine_tiny_pivot_run(out)
    return out


def test_recheck_of_a_run_killed_while_writing_a_problem_re_estimates_its_committed_records(mined, tmp_path):
    """A run killed after a problem's pivots and pairs were written, before its problems.jsonl line and its done
    marker (or a run still being mined): those records are no part of the run (a resume truncates and redoes
    them, exports leave them out), but recheck_run read them and failed with a KeyError, no solution for them."""
    import json

    run = tmp_path / "run"
    run.mkdir()
    for f in mined.iterdir():
        (run / f.name).write_bytes(f.read_bytes())
    done = (run / "done.jsonl").read_text(encoding="utf-8").splitlines(keepends=True)
    last = json.loads(done[-1])["problem_id"]
    (run / "done.jsonl").write_text("".join(done[:-1]), encoding="utf-8")
    problems = (run / "problems.jsonl").read_text(encoding="utf-8").splitlines(keepends=True)
    (run / "problems.jsonl").write_text("".join(problems[:-1]), encoding="utf-8")

    def ids(name):
        return [json.loads(line)["problem_id"] for line in (run / name).read_text(encoding="utf-8").splitlines()]

    assert last in ids("pivots.jsonl") and last in ids("pairs.jsonl"), "the cut problem has pivots and pairs"
    tok = tiny_tokenizer()
    engine = RolloutEngine(tiny_pivot_model(), tok, EngineConfig(num_blocks=512, block_size=8))
    rows = recheck_run(engine, tok, run, PROBLEMS, OPTIONS, 4, oracle=first_of_w7_w9)
    want = [(k, p) for k, name in (("pivot", "pivots.jsonl"), ("pair", "pairs.jsonl")) for p in ids(name)
            if p != last]
    assert sorted((r.kind, r.problem_id) for r in rows) == sorted(want)
    assert all(r.fresh for r in rows)
    engine.check_no_leaks()


def test_the_thought_anchors_export_says_where_the_prompt_ends_and_whether_it_opened_a_think_trace(tmp_path):
    """An anchors run's sentences.jsonl says where the prompt ends (``prompt_len``: the oracle judges the text
    after it) and whether the prompt opened a ``<think>`` trace (``think_open``), as the pts export of a pivot
    does; its thought_anchors export left both out, so a user re-estimating p(with) and p(resampled) from the
    exported ``prefix_ids`` and ``sentence_ids`` judged the prompt's words too, and a thinking row's rollouts on
    the whole text."""
    import json

    import torch
    from test_bad_inputs import think_tokenizer
    from tiny_models import tiny_model

    from ptsfast import AnchorConfig, AnchorOptions, find_anchors
    from ptsfast.outputs.export import export

    template = ("{% for m in messages %}{{ m.content }} {% endfor %}{% if add_generation_prompt %}"
                "{% if 'w8' in messages[-1].content %}w9 <think> {% else %}w9 {% endif %}{% endif %}")
    model = tiny_model("llama", seed=1)
    with torch.no_grad():
        model.lm_head.weight.mul_(0.3)
    problems = [Problem("thinking", "w8 w6", solution="w10 w11 w12 . w13 w14 ."),
                Problem("plain", "w5 w6", solution="w13 w14 . w15 w16 .")]
    opts = AnchorOptions(MineOptions(max_new_tokens=3, chat_template=template,
                                     engine=EngineConfig(num_blocks=128, block_size=8)), AnchorConfig(max_rollouts=8))
    find_anchors(model, think_tokenizer(), problems, tmp_path / "run", opts, oracle=lambda t, p: True,
                 progress=False)
    out = tmp_path / "thought_anchors.jsonl"
    assert export(tmp_path / "run", out, fmt="thought_anchors", kind="sentences") >= 2
    prompts = {r["problem_id"]: r["prompt_ids"]
               for r in map(json.loads, (tmp_path / "run" / "problems.jsonl").read_text().splitlines())}
    recs = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert {r["problem_id"] for r in recs} == {"thinking", "plain"}
    for r in recs:
        assert r["think_open"] is (r["problem_id"] == "thinking")
        assert r["prefix_ids"][:r["prompt_len"]] == prompts[r["problem_id"]]
        assert r["prompt_len"] < len(r["prefix_ids"]) or r["sentence_id"] == 0
