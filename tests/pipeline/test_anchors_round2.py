"""Thought anchors, second red-team round: resamples cut by the budget inside their first sentence, prompts that
open a trace for some rows only."""

import json
from pathlib import Path

import torch
from test_anchors_run import PERIOD, contains_w7, sentence_tokenizer
from tiny_models import tiny_model

from ptsfast.mining.anchors import first_sentence, first_sentence_ended


def lines(path):
    return [json.loads(x) for x in Path(path).read_text().splitlines()]


def test_a_resample_cut_inside_its_first_sentence_is_neither_similar_nor_different(tmp_path):
    """With 3 new tokens and no "." ever sampled, no resample finishes its first sentence: each is a cut piece of
    one, which read as different (and failed), so p(different) was made of cut text alone."""
    from ptsfast import AnchorConfig, AnchorOptions, find_anchors
    from ptsfast.engine import EngineConfig
    from ptsfast.pipeline import MineOptions
    from ptsfast.problems.loading import Problem

    model = tiny_model("llama", seed=3)
    with torch.no_grad():  # no rollout writes "." or ends
        model.lm_head.bias = torch.nn.Parameter(torch.zeros(model.config.vocab_size))
        model.lm_head.bias[[PERIOD, 2]] = -1e4
    solution = "w10 w11 w12 w13 w14 . w15 w16 w17 w18 w19 ."
    opts = AnchorOptions(MineOptions(max_new_tokens=3, use_chat_template=False,
                                     engine=EngineConfig(num_blocks=256, block_size=8)), AnchorConfig(max_rollouts=8))
    find_anchors(model, sentence_tokenizer(), [Problem("cut", "w20", solution=solution)], tmp_path / "run", opts,
                 oracle=contains_w7, progress=False)
    recs = lines(tmp_path / "run" / "sentences.jsonl")
    assert len(recs) == 2 and all(r["cut_resamples"] == r["p_resampled"]["trials"] > 0 for r in recs)
    for r in recs:
        assert r["p_different"]["trials"] == r["p_similar"]["trials"] == 0
        assert r["unfinished_resamples"] == r["p_resampled"]["trials"]
        assert r["counterfactual_importance"] is None and not r["is_anchor"] and r["alternatives"] == []


def test_each_problem_is_judged_as_its_own_prompt_opens_a_trace(tmp_path):
    """A template that opens a ``<think>`` trace for some rows only: the run judged every problem as the first one's
    prompt said, so a plain problem after a thinking one had its answers read only after a ``</think>`` that never
    comes (every rollout failed)."""
    from test_bad_inputs import think_tokenizer

    from ptsfast import AnchorConfig, AnchorOptions, find_anchors
    from ptsfast.engine import EngineConfig
    from ptsfast.pipeline import MineOptions
    from ptsfast.problems.loading import Problem

    template = ("{% for m in messages %}{{ m.content }} {% endfor %}{% if add_generation_prompt %}"
                "{% if 'w8' in messages[-1].content %}w9 <think> {% else %}w9 {% endif %}{% endif %}")
    model = tiny_model("llama", seed=1)
    with torch.no_grad():  # no rollout writes </think> (token 4)
        model.lm_head.bias = torch.nn.Parameter(torch.zeros(model.config.vocab_size))
        model.lm_head.bias[4] = -1e4
    problems = [Problem("thinking", "w8 w6", solution="w10 w11 w12"), Problem("plain", "w5 w6", solution="w13 w14")]
    opts = AnchorOptions(MineOptions(max_new_tokens=3, chat_template=template,
                                     engine=EngineConfig(num_blocks=128, block_size=8)), AnchorConfig(max_rollouts=8))
    find_anchors(model, think_tokenizer(), problems, tmp_path / "run", opts, oracle=lambda text, p: True,
                 progress=False)
    recs = {r["problem_id"]: r for r in lines(tmp_path / "run" / "sentences.jsonl")}
    assert recs["thinking"]["p_resampled"]["p"] == 0.0  # its trace never closes
    assert recs["plain"]["p_resampled"]["p"] == 1.0 and recs["plain"]["p_with"]["p"] == 1.0


def test_a_first_sentence_ends_at_a_terminator_a_newline_or_the_next_sentence():
    before = "We add them."
    for text in [" The total is 15.", " The total is 1", " The total is 15. Then", " Total\n", " 所以是5。", "",
                 "  "]:
        ended = first_sentence_ended(text, before)
        assert ended == (text in (" The total is 15.", " The total is 15. Then", " Total\n", " 所以是5。")), text
    # the piece a cut resample holds shares the original's words but not its numbers: read whole, it was different
    assert first_sentence(" The total is 5 * 3 = 1", before) == "The total is 5 * 3 = 1"
    assert not first_sentence_ended(" The total is 5 * 3 = 1", before)
    # a list marker at the fork is no sentence end (split after the solution's text, as the solution was)
    assert not first_sentence_ended(" 1. Add", "Steps:\n")
    assert first_sentence_ended(" 1. Add 3. Then", "Steps:\n")
