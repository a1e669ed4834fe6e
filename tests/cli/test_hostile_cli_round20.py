"""Hostile command lines, round 20: a model named by its Hugging Face cache name in one run and by the cache's
snapshot folder on its resume."""

import json

import pytest

from ptsfast.cli import main as cli
from helpers.cli_errors import FAST, MINE, one_line_error, write_problems


@pytest.fixture()
def hub(tmp_path, monkeypatch):
    """A local Hugging Face cache holding the tiny model as ``org/tiny``: ``(its snapshot folder, the cache)``."""
    import huggingface_hub.constants
    from tiny_models import save_mining_model

    cache = tmp_path / "hub"
    repo = cache / "models--org--tiny"
    snapshot = repo / "snapshots" / ("a" * 40)
    snapshot.mkdir(parents=True)
    save_mining_model(snapshot)
    (repo / "refs").mkdir()
    (repo / "refs" / "main").write_text("a" * 40)
    monkeypatch.setattr(huggingface_hub.constants, "HF_HUB_CACHE", str(cache))
    return snapshot


def _mine(model, tmp_path, *extra):
    return cli(["mine", "--model", str(model), "--problems", str(write_problems(tmp_path, 3)), "--out",
                str(tmp_path / "run"), "--device", "cpu", *FAST, *MINE, *extra])


def _done(tmp_path):
    return [json.loads(line)["problem_id"] for line in (tmp_path / "run" / "done.jsonl").read_text().splitlines()]


@pytest.mark.parametrize("first, then", [("name", "folder"), ("folder", "name")])
def test_a_model_named_by_its_cache_name_and_by_its_snapshot_folder_resumes(first, then, hub, tmp_path, capsys):
    """`--model org/tiny`, then `--model ~/.cache/huggingface/hub/models--org--tiny/snapshots/<sha>` (or the other
    way round): the one model, fingerprinted by its parameters under the name and by its files under the folder, so
    the resume was refused as 'made from other inputs', advising --overwrite, which discards the finished problem.
    The same weights resume: the finished problem is kept, the others are mined."""
    spell = {"name": "org/tiny", "folder": hub}
    assert _mine(spell[first], tmp_path, "--limit", "1") == 0
    assert _mine(spell[then], tmp_path) == 0, capsys.readouterr().err
    assert _done(tmp_path) == ["q0", "q1", "q2"]
    summary = json.loads((tmp_path / "run" / "summary.json").read_text())
    assert summary["problems_already_done"] == 1


@pytest.mark.parametrize("first", ["name", "folder"])
def test_other_weights_under_the_other_spelling_are_still_refused(first, hub, tmp_path, capsys):
    """The fingerprint of the other kind is compared, not skipped: another model (the cache's snapshot replaced by
    other weights after a run by name, or another model's folder after a run by the snapshot's) is refused, and
    nothing of the finished problem is lost."""
    import torch
    from transformers import AutoModelForCausalLM

    other = tmp_path / "other"
    model = AutoModelForCausalLM.from_pretrained(hub)
    with torch.no_grad():
        model.lm_head.weight.mul_(2.0)
    model.save_pretrained(other)
    for f in hub.iterdir():
        if "token" in f.name:
            (other / f.name).write_bytes(f.read_bytes())
    assert _mine("org/tiny" if first == "name" else hub, tmp_path, "--limit", "1") == 0
    capsys.readouterr()
    before = (tmp_path / "run" / "pivots.jsonl").read_bytes()
    if first == "name":  # a folder of other weights after the run by name
        assert _mine(other, tmp_path) == 2
    else:  # the name, whose snapshot holds other weights now, after the run by the snapshot's folder
        for f in other.iterdir():
            (hub / f.name).write_bytes(f.read_bytes())
        assert _mine("org/tiny", tmp_path) == 2
    one_line_error(capsys, "made from other inputs", "model weights")
    assert _done(tmp_path) == ["q0"] and (tmp_path / "run" / "pivots.jsonl").read_bytes() == before


def test_progress_written_to_a_log_file_is_plain_lines(model_dir, tmp_path, monkeypatch, capsys):
    """`ptsfast mine ... 2> mine.log` (or a CI job's log): tqdm's frames, each ended by a carriage return and redrawn
    twice a second with the speed and ETA, filled the file with frames no reader shows as lines. Where standard
    error is a file and no terminal, the progress is plain lines: one at the start, one every half minute, one at
    the end, each with the problems done, tokens a second and the ETA."""
    import sys

    log = tmp_path / "mine.log"
    with open(log, "w", encoding="utf-8") as f:
        monkeypatch.setattr(sys, "stderr", f)
        fast = [a for a in FAST if a != "--quiet"]
        assert cli(["mine", "--model", str(model_dir), "--problems", str(write_problems(tmp_path, 3)), "--out",
                    str(tmp_path / "run"), "--device", "cpu", *fast, *MINE]) == 0
    text = log.read_text(encoding="utf-8")
    ours = [line for line in text.splitlines() if line.startswith("problems ")]
    assert "problems:" not in text and not any("\r" in line for line in ours), text  # no tqdm frame of ours
    assert ours[0].startswith("problems 0/3 ") and ours[-1].startswith("problems 3/3 "), ours
    assert all("tok/s=" in line and "ETA " in line for line in ours) and len(ours) <= 3, ours


@pytest.mark.parametrize("given", ["repo", "snapshots"])
def test_the_caches_folder_of_a_model_given_as_the_model_names_the_model(given, hub, tmp_path, capsys, monkeypatch):
    """`--model ~/.cache/huggingface/hub/models--org--tiny` (or its snapshots folder): the load failed in
    transformers' words ('Should have a `model_type` key in its config.json') and said to re-save the model with
    save_pretrained(), of a model whole in the cache. Refused before the model loads, naming the model and the
    snapshot folder to give; as told, `--model org/tiny` mines."""
    from helpers.cli_errors import no_model_load

    folder = hub.parent.parent if given == "repo" else hub.parent
    with monkeypatch.context() as m:
        no_model_load(m)
        assert _mine(folder, tmp_path) == 2
    err = one_line_error(capsys, f"--model {folder}: is the Hugging Face cache's folder of the model org/tiny",
                         "give --model org/tiny, or its snapshot folder", str(hub))
    assert "save_pretrained" not in err and not (tmp_path / "run").exists()
    assert _mine("org/tiny", tmp_path) == 0


def test_the_folder_of_a_model_in_another_cache_names_its_snapshot_only(hub, tmp_path, capsys, monkeypatch):
    """A cache other than the one the name is looked up in (a copy, another user's): `--model org/tiny` would not
    find it, so only its snapshot folder is named."""
    import shutil

    import huggingface_hub.constants

    other = tmp_path / "elsewhere"
    shutil.copytree(hub.parent.parent.parent, other)
    monkeypatch.setattr(huggingface_hub.constants, "HF_HUB_CACHE", str(tmp_path / "empty"))
    assert _mine(other / "models--org--tiny", tmp_path) == 2
    err = one_line_error(capsys, "is the Hugging Face cache's folder of the model org/tiny",
                         f"give its snapshot folder {other / 'models--org--tiny' / 'snapshots' / hub.name}")
    assert "--model org/tiny" not in err


def test_the_progress_lines_take_the_bars_calls_as_tqdm_does(tmp_path, monkeypatch):
    """The Ray driver's `set_postfix(pivots=..., rollouts=..., refresh=False)` (tqdm's keyword) is shown as its
    counts, not with a 'refresh=False' among them."""
    import sys

    from ptsfast.pipeline.run import progress_bar

    log = tmp_path / "ray.log"
    with open(log, "w", encoding="utf-8") as f:
        monkeypatch.setattr(sys, "stderr", f)
        bar = progress_bar(2, True)
        bar.update(1)
        bar.set_postfix(pivots=3, rollouts=40, refresh=False)
        bar.update(1)
        bar.close()
    lines = log.read_text(encoding="utf-8").splitlines()
    assert lines[-1].startswith("problems 2/2 ") and lines[-1].endswith(" pivots=3 rollouts=40"), lines
    assert "refresh" not in log.read_text(encoding="utf-8")


def test_a_run_whose_every_problem_is_too_long_for_the_context_says_so_not_to_raise_the_kv_cache(model_dir, tmp_path,
                                                                                                  capsys):
    """A given solution of 600 tokens for a model of 512: every problem skipped as too long for the context, and the
    run's last line said 'e.g. raise --kv-cache-gb', which gives no context. It names the ways that do."""
    words = " ".join(f"w{5 + i % 80}" for i in range(600))
    problems = tmp_path / "long.jsonl"
    problems.write_text(json.dumps({"id": "long", "question": "w5 w9", "answer": "1", "sol": words}) + "\n")
    assert cli(["mine", "--model", str(model_dir), "--problems", str(problems), "--out", str(tmp_path / "run"),
                "--solution-field", "sol", *FAST, *MINE]) == 1
    err = [line for line in capsys.readouterr().err.splitlines() if line.startswith("ptsfast: every problem")]
    assert len(err) == 1 and "(1 too long for the context)" in err[0], err
    assert "lower --max-new-tokens or use a model with a longer context" in err[0] and "kv-cache" not in err[0], err
