"""Exports of round 17: exports of runs mined with other settings (gap, oracle) at one path, and pairs whose
prompts are longer than TRL's DPOConfig keeps."""

import json
import logging
import shutil

import pytest
from tiny_models import mine_tiny_pivot_run

from ptsfast.outputs.export import export
from ptsfast.outputs.source import ExportError


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    out = tmp_path_factory.mktemp("round17") / "run"
    mine_tiny_pivot_run(out)
    return out


def read(path) -> list[dict]:
    return [json.loads(line) for line in open(path, encoding="utf-8") if line.strip()]


def _mined_otherwise(run, folder, change):
    """A copy of ``run`` as a run mined with another gap (run.json alone says so: its records are the same bytes)
    or another oracle function (named in run.json and in every record; the same length, so the done markers'
    sizes hold)."""
    shutil.copytree(run, folder)
    if change == "gap":
        info = json.loads((folder / "run.json").read_text(encoding="utf-8"))
        info["config"]["mining"]["gap"] = 0.3
        (folder / "run.json").write_text(json.dumps(info, indent=1, sort_keys=True) + "\n", encoding="utf-8")
        return folder
    for name in ("run.json", "problems.jsonl", "pivots.jsonl", "pairs.jsonl"):
        path = folder / name
        text = path.read_text(encoding="utf-8")
        assert name == "problems.jsonl" or "first_of_w7_w9" in text
        path.write_text(text.replace("first_of_w7_w9", "first_of_w9_w7"), encoding="utf-8")
    return folder


@pytest.mark.parametrize("change", ["gap", "oracle"])
@pytest.mark.parametrize("fmt", ["trl", "jsonl", "pts", "hf"])
def test_an_export_of_a_run_mined_with_another_gap_or_oracle_does_not_replace_this_runs_without_force(
        run, tmp_path, fmt, change):
    """Two runs of the same problems, model, seed and sampler with another --gap (or another oracle) are two runs,
    but their records name neither setting the same way (the gap in none): the export of one went over the
    other's at the same path, without --force and without a word. Each exported record names its run now (a
    fingerprint of run.json's settings and inputs), and an export of another run is refused without --force."""
    other = _mined_otherwise(run, tmp_path / "other", change)
    out = tmp_path / ("out" if fmt == "hf" else "out.jsonl")
    n = export(run, out, fmt=fmt)
    assert n > 0
    assert export(run, out, fmt=fmt) == n  # its own re-export replaces it
    with pytest.raises(ExportError, match="not this run's.*other settings.*--force"):
        export(other, out, fmt=fmt)
    assert export(other, out, fmt=fmt, force=True) == n


def test_an_export_names_its_run_and_one_without_a_run_name_is_compared_as_before(run, tmp_path):
    """The run's name is the same for every record of a run and a resume of it (run.json is kept), and another for
    a run mined with another gap; an export an earlier ptsfast wrote, whose records name no run, is compared by its
    problems, model, seed and sampler as before (replaced by a run of the same ones)."""
    other = _mined_otherwise(run, tmp_path / "other", "gap")
    export(run, tmp_path / "a.jsonl")
    export(other, tmp_path / "b.jsonl")
    ids_a = {r["run_id"] for r in read(tmp_path / "a.jsonl")}
    ids_b = {r["run_id"] for r in read(tmp_path / "b.jsonl")}
    assert len(ids_a) == 1 and len(ids_b) == 1 and ids_a != ids_b
    earlier = [{k: v for k, v in r.items() if k != "run_id"} for r in read(tmp_path / "a.jsonl")]
    (tmp_path / "a.jsonl").write_text("".join(json.dumps(r) + "\n" for r in earlier), encoding="utf-8")
    assert export(other, tmp_path / "a.jsonl") == len(earlier)


def test_the_settings_left_out_of_a_runs_name_are_those_a_resume_may_change():
    """An export names its run by the settings that change results: the outputs layer cannot import the pipeline's
    list, so it keeps its own, held equal here."""
    from ptsfast.outputs.source import RUN_NEUTRAL
    from ptsfast.pipeline.options import RESULT_NEUTRAL

    assert set(RUN_NEUTRAL) == set(RESULT_NEUTRAL)


def _trainer(pairs, tmp_path, max_length):
    from tiny_models import tiny_pivot_model, tiny_tokenizer
    from trl import DPOConfig

    from ptsfast.outputs.dpo import PivotDPOTrainer, load_pairs

    args = DPOConfig(output_dir=str(tmp_path / "dpo"), max_steps=1, report_to=[], save_strategy="no", use_cpu=True,
                     max_length=max_length)
    return PivotDPOTrainer(model=tiny_pivot_model(), ref_model=tiny_pivot_model(), args=args,
                           train_dataset=load_pairs(pairs), processing_class=tiny_tokenizer())


def test_pairs_whose_prompts_fill_trls_max_length_name_the_max_length_that_keeps_them(run, tmp_path, caplog):
    """TRL drops a pair whose prompt fills DPOConfig's max_length (1024 by default; a pivot in a reasoning trace has
    a prompt of thousands of tokens). With every pair dropped the trainer was built and train() failed in torch's
    words ('num_samples should be a positive integer value, but got num_samples=0'); with some dropped the warning
    said to raise max_length, not to what. Both name the max_length that keeps every pair now."""
    export(run, tmp_path / "pairs.jsonl")
    pairs = read(tmp_path / "pairs.jsonl")
    longest = max(len(r["prompt_ids"]) + 1 for r in pairs)
    with pytest.raises(ValueError, match=rf"all \d+ pairs.*max_length=4.*DPOConfig\(max_length={longest}\)"):
        _trainer(tmp_path / "pairs.jsonl", tmp_path, 4)
    with caplog.at_level(logging.WARNING):
        trainer = _trainer(tmp_path / "pairs.jsonl", tmp_path, longest - 1)
    assert 0 < len(trainer.train_dataset) < len(pairs)
    assert f"DPOConfig(max_length={longest})" in caplog.text, caplog.text
    assert len(_trainer(tmp_path / "pairs.jsonl", tmp_path, longest).train_dataset) == len(pairs)


def test_an_export_of_pairs_longer_than_trls_default_max_length_says_what_to_set(run, tmp_path, caplog):
    """TRL's DPOConfig keeps max_length=1024 tokens by default and its DPOTrainer drops a pair whose prompt fills it
    without a word (a filter with a progress bar): a run over reasoning traces, whose pivots sit after thousands of
    tokens, trained on its early pivots alone and nothing said so. The export of pairs says how many are that long
    and the max_length that keeps them."""
    from tiny_models import tiny_tokenizer
    from trl import DPOConfig

    from ptsfast.outputs.rundir import RunWriter
    from ptsfast.outputs.trl_pairs import TRL_MAX_LENGTH

    assert DPOConfig(output_dir=str(tmp_path / "dpo"), use_cpu=True).max_length == TRL_MAX_LENGTH  # TRL's default
    tok = tiny_tokenizer()
    prompts = [[5, 6, 7], [3 + k % 90 for k in range(TRL_MAX_LENGTH + 40)]]
    with RunWriter(tmp_path / "run", {"x": 1}) as w:
        for i, p in enumerate(prompts):
            w.write_problem(f"q{i}", [], [{"prompt": tok.decode(p), "chosen": " w7", "rejected": " w9",
                                           "prompt_ids": p, "chosen_ids": [7], "rejected_ids": [9],
                                           "problem_id": f"q{i}", "trajectory": f"q{i}#0", "position": len(p) - 2,
                                           "direction": "raises", "delta": 0.5, "model": "tiny"}], {})
    for fmt, out in (("trl", "pairs.jsonl"), ("hf", "pairs_hf")):
        caplog.clear()
        with caplog.at_level(logging.WARNING):
            assert export(tmp_path / "run", tmp_path / out, fmt=fmt) == 2
        assert f"1 of 2 pairs have a prompt of at least {TRL_MAX_LENGTH} tokens" in caplog.text, caplog.text
        assert f"DPOConfig(max_length={TRL_MAX_LENGTH + 41})" in caplog.text
    caplog.clear()
    with caplog.at_level(logging.WARNING):
        export(run, tmp_path / "short.jsonl")  # pairs of short prompts: nothing to say
    assert "max_length" not in caplog.text


@pytest.mark.parametrize("field", ["run_id", "model"])
def test_an_earlier_export_edited_to_hold_a_list_where_a_name_was_is_refused_not_a_type_error(run, tmp_path, field):
    """The write rule keys each record of an earlier export by its problem, model, seed, sampler and run: a record
    edited by hand to hold a list there (["a", "b"] for a model) ended the export in "TypeError: unhashable type:
    'list'". Such a file is not wholly what ptsfast exported: it is the user's now, never replaced."""
    out = tmp_path / "pairs.jsonl"
    export(run, out)
    rows = read(out)
    rows[0][field] = ["edited", "by hand"]
    text = "".join(json.dumps(r) + "\n" for r in rows)
    out.write_text(text, encoding="utf-8")
    for force in (False, True):
        with pytest.raises(ExportError, match="ptsfast did not export.*choose a new path"):
            export(run, out, force=force)
    assert out.read_text(encoding="utf-8") == text


def test_a_run_whose_records_were_rewritten_with_a_list_for_a_model_exports_over_its_earlier_export(run, tmp_path):
    """A run's pairs.jsonl another tool rewrote with a list for one record's model exported to a new path, but over
    the run's earlier export it ended in "TypeError: unhashable type: 'list'" (the write rule gathers the run's
    model names in a set); such a name is compared as its JSON text now."""
    edited = tmp_path / "edited"
    shutil.copytree(run, edited)
    rows = read(edited / "pairs.jsonl")
    out = tmp_path / "pairs.jsonl"
    n = export(edited, out)
    rows[1]["model"] = ["rewritten", "by a tool"]
    (edited / "pairs.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    assert export(edited, tmp_path / "fresh.jsonl") == n
    assert export(edited, out) == n


def test_an_export_read_back_whose_run_id_was_rewritten_as_a_list_exports_over_its_earlier_export(run, tmp_path):
    """An export given as the input of another export keeps the run names its records carry, and the write rule
    gathers them in a set: one another tool rewrote as a list ended the export over an earlier one in "TypeError:
    unhashable type: 'list'"; it is compared as its JSON text now, which names no run."""
    loose = tmp_path / "loose"
    loose.mkdir()
    export(run, loose / "pairs.jsonl", fmt="jsonl")
    rows = read(loose / "pairs.jsonl")
    out = tmp_path / "out.jsonl"
    assert export(loose / "pairs.jsonl", out, fmt="jsonl") == len(rows)
    rows[0]["run_id"] = ["rewritten"]
    (loose / "pairs.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    assert export(loose / "pairs.jsonl", out, fmt="jsonl") == len(rows)


def test_a_recheck_of_a_thought_anchors_run_is_refused_not_an_empty_result(tmp_path, caplog):
    """recheck_run re-estimates a `ptsfast mine` run's pivots and pairs: given a `ptsfast anchors` run it returned no
    rows (as of a run that found no pivot), with a warning about "its pivots", and a check that reports how many
    rows hold read nothing wrong. It names the run's kind now."""
    from tiny_models import tiny_anchors_run, tiny_model, tiny_tokenizer

    from ptsfast.engine import EngineConfig, RolloutEngine
    from ptsfast.pipeline import MineOptions
    from ptsfast.pipeline.recheck import recheck_run
    from ptsfast.problems.loading import Problem

    import torch

    run = tiny_anchors_run(tmp_path / "anchors")
    model = tiny_model("llama", seed=3)
    with torch.no_grad():
        model.lm_head.weight.mul_(0.3)  # the run's model
    options = MineOptions(max_new_tokens=6, use_chat_template=False, engine=EngineConfig(num_blocks=128, block_size=8))
    engine = RolloutEngine(model, tiny_tokenizer(), EngineConfig(num_blocks=128, block_size=8))
    with pytest.raises(ValueError, match="ptsfast anchors.*sentences.*not pivots.*ptsfast mine"):
        recheck_run(engine, tiny_tokenizer(), run, [Problem("a0", "w20 w40", solution="w10 w11 w30 w31")], options, 4,
                    oracle=lambda text, problem: "w7" in text.split())


@pytest.mark.parametrize("kind", ["pairs", "pivots"])
def test_the_hf_and_jsonl_exports_of_a_run_hold_the_same_records_in_the_same_order(run, tmp_path, kind):
    """A check, not a fix: the hf export (datasets) and the jsonl export of one run hold the same records, field by
    field (the hf format writes a confirmation state as its text, and null where a record has no such field), in
    the same order, and load_pairs gives the same dataset of either."""
    import datasets

    export(run, tmp_path / "x.jsonl", fmt="jsonl", kind=kind)
    export(run, tmp_path / "x_hf", fmt="hf", kind=kind)
    lines, rows = read(tmp_path / "x.jsonl"), datasets.load_from_disk(str(tmp_path / "x_hf")).to_list()
    assert len(lines) == len(rows) > 0
    for line, row in zip(lines, rows):
        assert {k: v for k, v in row.items() if v is not None or k in line} == line
    if kind == "pairs":
        from ptsfast.outputs.dpo import load_pairs

        assert load_pairs(tmp_path / "x.jsonl").to_list() == load_pairs(tmp_path / "x_hf").to_list()
