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
    other = {**recs[0], "trajectory": "a0#1", "sentence": "w12 w13"}  # another trajectory's first sentence
    (loose / "sentences.jsonl").write_text("".join(json.dumps(r) + "\n" for r in [*recs, other]), encoding="utf-8")
    with caplog.at_level(logging.WARNING):
        assert export(loose / "sentences.jsonl", tmp_path / "ta.jsonl", fmt="thought_anchors",
                      kind="sentences") == len(recs) + 1
    assert "1 thought anchors share dataset_id, dataset_item_id and sentence_id" in caplog.text, caplog.text
    assert "share model_id" not in caplog.text  # the sentences differ: codelion's event ids do not collide
    out = read(tmp_path / "ta.jsonl")
    assert {r["dataset_item_id"] for r in out} == {"a0"}  # the item id keeps its meaning: the dataset's item
    caplog.clear()
    with caplog.at_level(logging.WARNING):
        export(run, tmp_path / "ta2.jsonl", fmt="thought_anchors", kind="sentences")
    assert "share dataset_id" not in caplog.text
