"""Re-estimates from the records alone, round 3: what the oracle read of a problem beyond its question and answer.
A user rebuilds each problem from its problems.jsonl line (the dataset's row is not at hand, and a code problem's
tests are the normalised program ptsfast judged with, not the row's columns), so that line must carry every field
an oracle reads: ``tests``, ``choices`` and the code oracle's ``entry_point``."""

from __future__ import annotations

from dataclasses import replace

from mine_script import PROBLEMS
from test_reestimate_round2 import (BASE, N, SIGMAS, hf_p, mine_and_recheck, off, peaked_dir,  # noqa: F401
                                    points, user_judge, word_tokenizer)

from ptsfast.outputs.rundir import read_jsonl
from ptsfast.outputs.thought_anchors import read_sentences
from ptsfast.pipeline.loop import ProblemResult
from ptsfast.pipeline.records import problem_records
from ptsfast.problems.loading import PreparedProblem, Problem


def user_problem(rec: dict) -> Problem:
    """A problem as a user rebuilds it from its problems.jsonl line alone."""
    meta = {"entry_point": rec["entry_point"]} if rec.get("entry_point") is not None else {}
    return Problem(rec["problem_id"], rec["question"], rec.get("answer"), rec.get("tests"),
                   rec.get("choices"), meta=meta)


def race_to(text: str, problem) -> bool:
    """The race of round 2 whose winning last digit the problem's tests name (7 where they name none)."""
    win = int(problem.tests or 7)
    for w in text.split():
        if w[:1] == "w" and w[1:].isdigit() and int(w[1:]) % 10 in (3, 7):
            return int(w[1:]) % 10 == win
    return False


def test_an_oracle_that_reads_the_problems_tests(peaked_dir, tmp_path):
    """Half the problems are won by a 3: a user who rebuilt them without their tests judged every rollout as a
    race to 7 (p's of the other side)."""
    problems = [replace(p, tests="3" if i % 2 else "7") for i, p in enumerate(PROBLEMS)]
    out = tmp_path / "run"
    options = replace(BASE, top_k=10)
    summary, ours = mine_and_recheck(peaked_dir, word_tokenizer(), options, problems, out, race_to, N)
    assert summary["pivots"]
    rows = {r["problem_id"]: r for r in read_jsonl(out / "problems.jsonl")}
    assert {pid: user_problem(r) for pid, r in rows.items()} == {p.id: p for p in problems}
    zs = z_scores(peaked_dir, out, ours, {"callable:race_to": race_to}, user_problem)
    assert len(zs) >= 3 and not off(zs), zs
    assert off(z_scores(peaked_dir, out, ours, {"callable:race_to": race_to},
                        lambda r: replace(user_problem(r), tests=None))), "the problems' tests made no difference"


def z_scores(model_dir, out, ours, oracles, rebuild) -> list[tuple]:
    """|z| of HF's p (``generate`` on the recorded ids and sampler, the oracle on ``rebuild(problems.jsonl line)``)
    against ptsfast's fresh p at every sampled point of the run."""
    from transformers import AutoModelForCausalLM

    hf = AutoModelForCausalLM.from_pretrained(model_dir).eval()
    tok = word_tokenizer()
    problems = {r["problem_id"]: r for r in read_jsonl(out / "problems.jsonl")}
    trajectories = {t["key"]: t for r in problems.values() for t in r["trajectories"]}
    zs = []
    for k, (kind, rec, side, prefix, prompt_len) in enumerate(points(out)):
        p, traj = problems[rec["problem_id"]], trajectories[rec["trajectory"]]
        mine_p = ours[(kind, rec["trajectory"], rec["position"])][side]
        if prefix == p["prompt_ids"] + traj["solution_ids"] and traj["correct"] is not None:
            continue  # exact: the solution's own verdict
        got = hf_p(hf, tok, prefix, prompt_len, rebuild(p), rec, N, 7919 * k, user_judge(rec, oracles))
        sd = max((mine_p.p * (1 - mine_p.p) * 2 / N) ** 0.5, 1 / N)
        zs.append((abs(got - mine_p.p) / sd, kind, side, rec["position"], got, mine_p.p))
    return zs


def test_a_code_problems_tests_and_entry_point_are_recorded():
    """HumanEval's tests are a ``check(candidate)`` called on the entry point: without both in the records, a user's
    code oracle cannot judge a rollout (ptsfast judged the right program correct)."""
    from ptsfast.problems.oracles import code_oracle

    tests = "def check(candidate):\n    assert candidate(1) == 2\n    assert candidate(5) == 6\n"
    problem = Problem("c", "Write f(x) returning x + 1.", None, tests, meta={"entry_point": "f", "other": [1]})
    prepared = PreparedProblem("c", (5, 9), problem)
    _, _, rec = problem_records(ProblemResult(prepared), word_tokenizer(), {"oracle": "code"})
    rebuilt = user_problem(rec)
    assert rebuilt.tests == tests and rebuilt.meta == {"entry_point": "f"}
    right = "```python\ndef f(x):\n    return x + 1\n```"
    assert code_oracle(right, rebuilt) is True
    assert code_oracle(right.replace("+ 1", "+ 2"), rebuilt) is False


def test_a_multiple_choice_problems_choices_are_recorded():
    """A reference given as a choice's text is read as its letter through the choices (a user's oracle without
    them cannot judge: it refuses the reference)."""
    from ptsfast.problems.oracles import multiple_choice_oracle

    problem = Problem("m", "Which?", "blue", choices=("red", "blue", "green"))
    _, _, rec = problem_records(ProblemResult(PreparedProblem("m", (5,), problem)), word_tokenizer(),
                                {"oracle": "multiple_choice"})
    rebuilt = user_problem(rec)
    assert rebuilt.choices == ("red", "blue", "green")
    assert multiple_choice_oracle("The answer is B.", rebuilt) is multiple_choice_oracle(
        "The answer is B.", problem) is True


def anything(text: str, problem) -> bool:
    """Every text is a success: only where the oracle read (after a trace that never closes) fails a rollout."""
    return True


def test_an_anchors_run_says_whether_the_oracle_read_after_a_think_trace(tmp_path):
    """sentences.jsonl and an anchors run's problems.jsonl did not say which prompts opened a ``<think>`` trace, as
    pivots.jsonl does: a user judged a thinking row's resamples on the whole text (every one a success here) where
    ptsfast judged after a ``</think>`` the model never writes (every one a failure)."""
    import torch
    from test_bad_inputs import think_tokenizer
    from tiny_models import tiny_model

    from ptsfast import AnchorConfig, AnchorOptions, find_anchors
    from ptsfast.engine import EngineConfig
    from ptsfast.pipeline import MineOptions

    template = ("{% for m in messages %}{{ m.content }} {% endfor %}{% if add_generation_prompt %}"
                "{% if 'w8' in messages[-1].content %}w9 <think> {% else %}w9 {% endif %}{% endif %}")
    model = tiny_model("llama", seed=1)
    with torch.no_grad():  # no rollout writes </think> (token 4)
        model.lm_head.bias = torch.nn.Parameter(torch.zeros(model.config.vocab_size))
        model.lm_head.bias[4] = -1e4
    problems = [Problem("thinking", "w8 w6", solution="w10 w11 w12 . w13 w14 ."),
                Problem("plain", "w5 w6", solution="w13 w14 . w15 w16 .")]
    opts = AnchorOptions(MineOptions(max_new_tokens=3, chat_template=template,
                                     engine=EngineConfig(num_blocks=128, block_size=8)), AnchorConfig(max_rollouts=8))
    tok = think_tokenizer()
    find_anchors(model, tok, problems, tmp_path / "run", opts, oracle=anything, progress=False)
    rows = {r["problem_id"]: r for r in read_jsonl(tmp_path / "run" / "problems.jsonl")}
    assert rows["thinking"]["think_open"] is True and rows["plain"]["think_open"] is False
    hf = model.eval()  # an HF model: the user's (saved, its bias would not load back)
    recs = list(read_sentences(tmp_path / "run"))
    assert {r["problem_id"] for r in recs} == {"thinking", "plain"}
    for k, rec in enumerate(recs):  # p(resampled): rollouts from the sentence's start, as a user draws them
        assert rec["think_open"] is rows[rec["problem_id"]]["think_open"]
        p = user_problem(rows[rec["problem_id"]])
        got = hf_p(hf, tok, rec["prefix_ids"], rec["prompt_len"], p, rec, 16, k,
                   user_judge(rec, {"callable:anything": anything}))
        assert got == rec["p_resampled"]["p"] == (0.0 if rec["think_open"] else 1.0), rec["problem_id"]


def test_anchors_p_with_and_p_resampled_re_estimated_from_the_records(tmp_path):
    """Every sentence's p(resampled) (rollouts from ``prefix_ids``) and p(with) (from ``prefix_ids +
    sentence_ids``), drawn with HF ``generate`` under the record's sampler and judged by the recorded oracle, agree
    with the run's counts."""
    import torch
    from test_anchors_run import contains_w7, sentence_tokenizer
    from tiny_models import tiny_model

    from ptsfast import AnchorConfig, AnchorOptions, find_anchors
    from ptsfast.engine import EngineConfig
    from ptsfast.pipeline import MineOptions

    model = tiny_model("llama", seed=3)
    with torch.no_grad():
        model.lm_head.weight.mul_(0.3)
        model.lm_head.weight[[k for k in range(model.config.vocab_size) if k % 10 == 7]] *= 3
    tok = sentence_tokenizer()
    problems = [Problem(f"a{i}", f"w{20 + i} w{40 + i}", solution=f"w{10 + i} w11 . w{30 + i} w31 w32 . w{50 + i} .")
                for i in range(3)]
    opts = AnchorOptions(MineOptions(max_new_tokens=6, use_chat_template=False, top_k=20,
                                     engine=EngineConfig(num_blocks=256, block_size=8)),
                         AnchorConfig(max_rollouts=32, batch_size=16))
    find_anchors(model, tok, problems, tmp_path / "run", opts, oracle=contains_w7, progress=False)
    rows = {r["problem_id"]: r for r in read_jsonl(tmp_path / "run" / "problems.jsonl")}
    zs, hf, n = [], model.eval(), 96
    for k, rec in enumerate(read_sentences(tmp_path / "run")):
        assert rec["sampler"]["top_k"] == 20 and rec["think_open"] is False
        p = user_problem(rows[rec["problem_id"]])
        judge = user_judge(rec, {"callable:contains_w7": contains_w7})
        for name, ctx in (("p_resampled", rec["prefix_ids"]), ("p_with", rec["prefix_ids"] + rec["sentence_ids"])):
            est = rec[name]
            if est["exact"] or not est["trials"]:
                continue
            got = hf_p(hf, tok, ctx, rec["prompt_len"], p, rec, n, 31 * k + (name == "p_with"), judge)
            q = (got * n + est["successes"]) / (n + est["trials"])
            sd = max((q * (1 - q) * (1 / n + 1 / est["trials"])) ** 0.5, 1 / est["trials"])
            zs.append((abs(got - est["p"]) / sd, rec["problem_id"], rec["sentence_id"], name, got, est["p"]))
    assert len(zs) >= 6 and not off(zs), zs
