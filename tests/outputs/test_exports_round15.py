"""Exports of round 15: codelion's readers of thought anchors from several trajectories of a problem, ..."""

import json
import logging
import shutil

from ptsfast.outputs.export import export


def read(path) -> list[dict]:
    return [json.loads(line) for line in open(path, encoding="utf-8") if line.strip()]


def test_a_thought_anchors_export_of_two_trajectories_of_a_problem_says_codelions_ids_take_them_for_one(tmp_path,
                                                                                                      caplog):
    """codelion/pts's inference export names an anchor '<dataset_id>_<dataset_item_id>_<sentence_id>' and its
    visualizer draws one node per query and sentence_id: a problem mined with --trajectories 2 gave two records of
    each place whatever their sentences, and the export warned only where the sentences were the same too."""
    from tiny_models import tiny_anchors_run

    run = tiny_anchors_run(tmp_path / "run")
    loose = tmp_path / "copy"
    loose.mkdir()
    shutil.copy(run / "problems.jsonl", loose / "problems.jsonl")
    recs = read(run / "sentences.jsonl")
    # another trajectory's first sentence (its contexts written out: problems.jsonl here holds no such trajectory)
    other = {**recs[0], "trajectory": "a0#1", "sentence": "w12 w13", "prefix_context": "", "suffix_context": " w14"}
    (loose / "sentences.jsonl").write_text("".join(json.dumps(r) + "\n" for r in [*recs, other]), encoding="utf-8")
    with caplog.at_level(logging.WARNING):
        assert export(loose / "sentences.jsonl", tmp_path / "ta.jsonl", fmt="thought_anchors",
                      kind="sentences") == len(recs) + 1
    assert "1 thought anchors share dataset_id, dataset_item_id and sentence_id" in caplog.text, caplog.text
    # the sentences differ: codelion's readers do not take the two for one anchor measured twice
    assert "share model_id" not in caplog.text
    out = read(tmp_path / "ta.jsonl")
    assert {r["dataset_item_id"] for r in out} == {"a0"}  # the item id keeps its meaning: the dataset's item
    caplog.clear()
    with caplog.at_level(logging.WARNING):
        export(run, tmp_path / "ta2.jsonl", fmt="thought_anchors", kind="sentences")
    assert "share dataset_id" not in caplog.text


def _token_run(d, tokens, problem_id="q1"):
    from ptsfast.outputs.rundir import RunWriter

    est = [{"position": 0, "p": 0.5, "successes": 8, "trials": 16, "lo": 0.3, "hi": 0.7, "exact": False}]
    traj = {"key": [problem_id, 0], "kept": True, "correct": True, "solution_ids": list(range(len(tokens))),
            "tokens": tokens, "p0": est[0], "estimates": est, "rollouts": 16, "n_pivots": 0}
    with RunWriter(d, {"x": 1}) as w:
        w.write_problem(problem_id, [], [], {"question": "Q", "answer": "1", "trajectories": [traj]})
    return d


def test_a_report_confines_a_right_to_left_override_in_a_token_to_that_token(tmp_path):
    """A token holding U+202E (right-to-left override: model output, or a hostile solution) reversed every token
    after it in the page's solution line (the override runs to the end of the block): the tokens read in another
    order, a pivot shown elsewhere than it is. Its span is isolated now; Hebrew without controls flows as before."""
    import re

    from ptsfast.outputs.report import write_report

    page = write_report(_token_run(tmp_path / "run", ["a", " \u202e", " gnp.exe", " \u05e9\u05dc", "\u05d5\u05dd"]),
                        max_plots=0)[0].read_text(encoding="utf-8")
    css = re.search(r"<style>(.*?)</style>", page, re.S).group(1)
    assert re.search(r"\.bidi\{unicode-bidi:isolate\}", css), css
    spans = dict((text, cls) for cls, text in re.findall(r"<span class='([^']*)'[^>]*>([^<]*)</span>", page))
    assert "bidi" in spans[" \u202e"].split(), spans
    assert not any("bidi" in spans[t].split() for t in ("a", " gnp.exe", " \u05e9\u05dc", "\u05d5\u05dd")), spans


def test_a_recheck_given_another_oracle_function_than_the_runs_says_so(tmp_path, caplog):
    """run.json fingerprints a callable oracle (its name, code, defaults, closure) and a resume refuses another; a
    re-estimate took any function given as the caller's word and judged every fresh rollout by it without a word."""
    from tiny_models import first_of_w7_w9, mine_tiny_pivot_run, tiny_pivot_model, tiny_tokenizer

    from ptsfast.engine import EngineConfig, RolloutEngine
    from ptsfast.mining.types import FilterConfig, MiningConfig
    from ptsfast.pipeline import MineOptions
    from ptsfast.pipeline.recheck import recheck_run
    from ptsfast.problems.loading import Problem

    run = tmp_path / "run"
    mine_tiny_pivot_run(run, problems=1, max_new_tokens=6)
    options = MineOptions(max_new_tokens=6, trajectories_per_problem=2, use_chat_template=False,
                          mining=MiningConfig(filter=FilterConfig(enabled=False)),
                          engine=EngineConfig(num_blocks=256, block_size=8))
    engine = RolloutEngine(tiny_pivot_model(), tiny_tokenizer(), EngineConfig(num_blocks=256, block_size=8))
    problems = [Problem("p0", " ".join(f"w{3 + k * 13 % 90}" for k in range(6)))]  # as the run mined it

    def first_of_w9_w7(text, problem):  # another rule: w9 first
        return not first_of_w7_w9(text, problem)

    with caplog.at_level(logging.WARNING):
        recheck_run(engine, tiny_tokenizer(), run, problems, options, 2, oracle=first_of_w7_w9)
    assert "not by the function" not in caplog.text, caplog.text
    caplog.clear()
    with caplog.at_level(logging.WARNING):
        recheck_run(engine, tiny_tokenizer(), run, problems, options, 2, oracle=first_of_w9_w7)
    assert "judged by the function tiny_models.first_of_w7_w9 (as it was then), not by the function" in caplog.text
    assert "first_of_w9_w7 given" in caplog.text, caplog.text
    info = json.loads((run / "run.json").read_text(encoding="utf-8"))
    info["inputs"]["oracle"] = "boxed"  # as a run judged by a named oracle records it
    (run / "run.json").write_text(json.dumps(info), encoding="utf-8")
    caplog.clear()
    with caplog.at_level(logging.WARNING):
        recheck_run(engine, tiny_tokenizer(), run, problems, options, 2, oracle=first_of_w7_w9)
    assert "judged by the oracle 'boxed', not by the function tiny_models.first_of_w7_w9 given" in caplog.text
