"""Exports of round 16: steering records as optillm reads them, re-estimates of records not at their point,
exports of runs sampled otherwise, and a model folder saved over since its run."""

import json
import logging

import pytest
from tiny_models import mine_tiny_pivot_run, tiny_pivot_model, tiny_tokenizer

from ptsfast.outputs.export import export


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    out = tmp_path_factory.mktemp("round16") / "run"
    mine_tiny_pivot_run(out)
    return out


def read(path) -> list[dict]:
    return [json.loads(line) for line in open(path, encoding="utf-8") if line.strip()]


def test_a_steering_export_with_lowering_pivots_says_optillm_adds_their_vectors_too(run, tmp_path, caplog):
    """optillm's autothink steering reader (the consumer codelion's steering export is for) copies no is_positive
    into the vectors it loads, so it adds every vector it matches: a lowering pivot's state pushed generation towards
    the token that lowers p, and the export said nothing. It says so now, with --direction raises as the way out."""
    pair = (tiny_pivot_model(), tiny_tokenizer())
    with caplog.at_level(logging.WARNING):
        n = export(run, tmp_path / "all.jsonl", fmt="steering", model=pair, layer=0)
    lowering = sum(r["reasoning_pattern"] == "lowers_success" for r in read(tmp_path / "all.jsonl"))
    assert 0 < lowering < n  # the run has pivots of both kinds
    assert f"{lowering} of {n} steering records are lowering pivots" in caplog.text, caplog.text
    assert "--direction raises" in caplog.text
    caplog.clear()
    with caplog.at_level(logging.WARNING):
        export(run, tmp_path / "raises.jsonl", fmt="steering", model=pair, layer=0, direction="raises")
    assert "lowering pivots" not in caplog.text
    assert {r["reasoning_pattern"] for r in read(tmp_path / "raises.jsonl")} == {"raises_success"}


def _edited(run, tmp_path, name, edit):
    """A copy of ``run`` whose ``name`` has its first record changed by ``edit`` (a hand edit that keeps it well
    formed)."""
    import shutil

    copy = tmp_path / "edited"
    shutil.copytree(run, copy)
    lines = (copy / name).read_text(encoding="utf-8").splitlines(keepends=True)
    rec = json.loads(lines[0])
    edit(rec)
    lines[0] = json.dumps(rec) + "\n"
    (copy / name).write_text("".join(lines), encoding="utf-8")
    return copy


def _recheck(run_dir):
    """recheck_run of a run :func:`mine_tiny_pivot_run` mined, with its model, problems and options."""
    from ptsfast.engine import EngineConfig, RolloutEngine
    from ptsfast.mining.types import FilterConfig, MiningConfig
    from ptsfast.pipeline import MineOptions
    from ptsfast.pipeline.recheck import recheck_run
    from ptsfast.problems.loading import Problem
    from tiny_models import first_of_w7_w9

    problems = [Problem(f"p{i}", " ".join(f"w{3 + (i * 7 + k * 13) % 90}" for k in range(6))) for i in range(3)]
    options = MineOptions(max_new_tokens=12, trajectories_per_problem=2, use_chat_template=False,
                          mining=MiningConfig(filter=FilterConfig(enabled=False)),
                          engine=EngineConfig(num_blocks=256, block_size=8))
    tok = tiny_tokenizer()
    engine = RolloutEngine(tiny_pivot_model(), tok, EngineConfig(num_blocks=256, block_size=8))
    return recheck_run(engine, tok, run_dir, problems, options, 4, oracle=first_of_w7_w9)


@pytest.mark.parametrize("name, edit", [
    ("pivots.jsonl", lambda r: r.update(position=r["position"] + 1)),  # the prefix_ids say where it is
    ("pairs.jsonl", lambda r: r.update(position=r["position"] + 1)),
    ("pairs.jsonl", lambda r: r.update(chosen_ids=r["rejected_ids"], rejected_ids=r["chosen_ids"])),  # sides swapped
])
def test_a_recheck_of_a_record_not_at_its_solutions_point_is_refused(run, tmp_path, name, edit):
    """A re-estimate draws its rollouts at a record's trajectory and position in problems.jsonl's solution, and
    forces the pair's other side: a pivot or pair whose position was edited (its prefix_ids another point), or a
    pair whose sides were swapped, was re-estimated at another point than its ids name, and its p reported as the
    record's, without a word. The record's ids are compared with the solution's now."""
    assert _recheck(run)  # the run as mined re-estimates
    with pytest.raises(ValueError, match=rf"{name}.*not the point.*restore the file"):
        _recheck(_edited(run, tmp_path, name, edit))


@pytest.mark.parametrize("fmt", ["trl", "pts", "hf"])
def test_an_export_of_another_run_sampled_otherwise_does_not_replace_this_runs_without_force(run, tmp_path, fmt):
    """Two runs of the same problems, model and seed at another temperature are two runs: the export of one went
    over the other's, without --force and without a word (its records were taken for the same run's: only the
    problems, model and seed were compared). The sampler is compared too now."""
    import shutil

    from ptsfast.outputs.source import ExportError

    other = tmp_path / "t07"
    shutil.copytree(run, other)
    for name in ("run.json", "problems.jsonl", "pivots.jsonl", "pairs.jsonl"):  # the same bytes a line
        path = other / name
        path.write_text(path.read_text(encoding="utf-8").replace('"temperature": 1.0', '"temperature": 0.7'),
                        encoding="utf-8")
    out = tmp_path / ("out" if fmt == "hf" else "out.jsonl")
    n = export(run, out, fmt=fmt)
    assert n > 0
    assert export(run, out, fmt=fmt) == n  # its own re-export replaces it
    with pytest.raises(ExportError, match="not this run's.*sampler"):
        export(other, out, fmt=fmt)
    assert export(other, out, fmt=fmt, force=True) == n


def test_a_steering_export_from_a_model_folder_saved_over_since_the_run_says_so(tmp_path, caplog):
    """The steering export loads the run's model folder by its path: a checkpoint saved there since (a fine-tuned
    model over the one that mined) gave the states of other weights as the run's steering vectors without a word,
    though run.json holds each file's fingerprint."""
    import torch

    from ptsfast.engine import EngineConfig
    from ptsfast.mining.types import FilterConfig, MiningConfig
    from ptsfast.models import load_model
    from ptsfast.pipeline import MineOptions, mine
    from ptsfast.problems.loading import Problem
    from tiny_models import first_of_w7_w9

    folder = tmp_path / "model"
    tiny_pivot_model().save_pretrained(folder)
    tiny_tokenizer().save_pretrained(folder)
    model, tok = load_model(str(folder))  # from the folder: run.json fingerprints its files
    problems = [Problem(f"p{i}", " ".join(f"w{3 + (i * 7 + k * 13) % 90}" for k in range(6))) for i in range(2)]
    options = MineOptions(max_new_tokens=12, trajectories_per_problem=2, use_chat_template=False,
                          mining=MiningConfig(filter=FilterConfig(enabled=False)),
                          engine=EngineConfig(num_blocks=256, block_size=8))
    summary = mine(model, tok, problems, tmp_path / "run", options, oracle=first_of_w7_w9, progress=False)
    assert summary["pivots"], "the tiny setup is tuned to produce pivots"
    with caplog.at_level(logging.WARNING):
        export(tmp_path / "run", tmp_path / "s1.jsonl", fmt="steering", layer=0)
    assert "holds other files" not in caplog.text
    tuned = tiny_pivot_model()
    with torch.no_grad():
        tuned.model.layers[0].mlp.down_proj.weight.mul_(1.5)
    tuned.save_pretrained(folder)  # saved over the folder the run names
    caplog.clear()
    with caplog.at_level(logging.WARNING):
        export(tmp_path / "run", tmp_path / "s2.jsonl", fmt="steering", layer=0)
    assert "holds other files than when" in caplog.text and "model.safetensors" in caplog.text, caplog.text
    assert "config.json" not in caplog.text  # the same config: only the changed file is named
