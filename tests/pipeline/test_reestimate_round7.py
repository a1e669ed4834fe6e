"""Re-estimates of round 7: ptsfast's own re-estimate (pipeline/recheck.py) given a model that is not the run's."""

import pytest
import torch
from tiny_models import first_of_w7_w9, tiny_pivot_model, tiny_tokenizer

from ptsfast.engine import EngineConfig, RolloutEngine
from ptsfast.mining.types import FilterConfig, MiningConfig
from ptsfast.pipeline import MineOptions, mine
from ptsfast.pipeline.recheck import recheck_run
from ptsfast.problems.loading import Problem

PROBLEMS = [Problem(f"p{i}", " ".join(f"w{3 + (i * 7 + k * 13) % 90}" for k in range(6))) for i in range(2)]
OPTIONS = MineOptions(max_new_tokens=10, trajectories_per_problem=2, use_chat_template=False,
                      mining=MiningConfig(filter=FilterConfig(enabled=False)),
                      engine=EngineConfig(num_blocks=256, block_size=8))


def engine_of(model, tok):
    return RolloutEngine(model, tok, EngineConfig(num_blocks=512, block_size=8))


@pytest.fixture(scope="module")
def folder_run(tmp_path_factory):
    """A run mined with a model loaded from its folder (run.json fingerprints the folder's files)."""
    from ptsfast.models import load_model

    root = tmp_path_factory.mktemp("reestimate7")
    folder = root / "model"
    tiny_pivot_model().save_pretrained(folder)
    tiny_tokenizer().save_pretrained(folder)
    model, tok = load_model(str(folder))
    mine(model, tok, PROBLEMS, root / "run", OPTIONS, oracle=first_of_w7_w9, progress=False)
    return folder, root / "run"


@pytest.fixture(scope="module")
def memory_run(tmp_path_factory):
    """A run mined with a model built in memory (run.json fingerprints its parameters)."""
    out = tmp_path_factory.mktemp("reestimate7m") / "run"
    mine(tiny_pivot_model(), tiny_tokenizer(), PROBLEMS, out, OPTIONS, oracle=first_of_w7_w9, progress=False)
    return out


def test_recheck_with_the_runs_model_runs(folder_run, memory_run):
    from ptsfast.models import load_model

    folder, run = folder_run
    model, tok = load_model(str(folder))
    assert recheck_run(engine_of(model, tok), tok, run, PROBLEMS, OPTIONS, 4, oracle=first_of_w7_w9)
    tok = tiny_tokenizer()
    assert recheck_run(engine_of(tiny_pivot_model(), tok), tok, memory_run, PROBLEMS, OPTIONS, 4,
                       oracle=first_of_w7_w9)


def test_recheck_of_a_run_whose_model_folder_got_new_weights_is_refused(folder_run, tmp_path):
    """The run's model folder saved anew (fine-tuned weights in its place): the re-estimate drew its rollouts from
    the new weights and reported the run's pivots as not holding, as if the run were wrong."""
    import shutil

    from ptsfast.models import load_model

    folder, run = folder_run
    moved = tmp_path / "model"
    shutil.copytree(folder, moved)
    other = tiny_pivot_model(seed=5)
    other.save_pretrained(moved)
    model, tok = load_model(str(moved))
    with pytest.raises(ValueError) as e:
        recheck_run(engine_of(model, tok), tok, run, PROBLEMS, OPTIONS, 4, oracle=first_of_w7_w9)
    msg = str(e.value)
    assert "not the model it was mined with" in msg and "model.safetensors" in msg and str(run) in msg, msg
    shutil.rmtree(moved)
    shutil.copytree(folder, moved)  # the same files elsewhere are the same model
    model, tok = load_model(str(moved))
    assert recheck_run(engine_of(model, tok), tok, run, PROBLEMS, OPTIONS, 4, oracle=first_of_w7_w9)


def test_recheck_with_other_weights_in_memory_is_refused(memory_run):
    tok = tiny_tokenizer()
    with pytest.raises(ValueError, match="not the model it was mined with: the model's weights"):
        recheck_run(engine_of(tiny_pivot_model(seed=5), tok), tok, memory_run, PROBLEMS, OPTIONS, 4,
                    oracle=first_of_w7_w9)


def test_recheck_with_another_tokenizer_is_refused(memory_run):
    """A tokenizer of other words decodes every rollout otherwise: each was judged a failure and every pivot was
    reported as not holding."""
    tok = tiny_tokenizer("v")
    with pytest.raises(ValueError, match=r"not the model it was mined with: the tokenizer \(vocabulary"):
        recheck_run(engine_of(tiny_pivot_model(), tok), tok, memory_run, PROBLEMS, OPTIONS, 4,
                    oracle=first_of_w7_w9)


def test_recheck_with_the_weights_in_another_dtype_is_refused(memory_run):
    tok = tiny_tokenizer()
    with pytest.raises(ValueError, match="the weights' dtype bfloat16 \\(the run's float32\\)"):
        recheck_run(engine_of(tiny_pivot_model().to(torch.bfloat16), tok), tok, memory_run, PROBLEMS, OPTIONS, 4,
                    oracle=first_of_w7_w9)


def test_recheck_of_a_run_whose_problems_file_lost_a_problem_re_estimates_the_others(memory_run, tmp_path, caplog):
    """A copy of a run whose problems.jsonl was cut short (copied while the run wrote it) holds pivots of a problem
    with no solution to continue: the re-estimate ended in KeyError 'point Point(...): no solution ... among the N
    given', after the warning that those problems' records are not re-estimated."""
    import json
    import shutil

    cut = tmp_path / "cut"
    shutil.copytree(memory_run, cut)
    lines = (cut / "problems.jsonl").read_text(encoding="utf-8").splitlines(keepends=True)
    lost = json.loads(lines[-1])["problem_id"]
    (cut / "problems.jsonl").write_text("".join(lines[:-1]), encoding="utf-8")
    pivots = [json.loads(line) for line in (cut / "pivots.jsonl").read_text(encoding="utf-8").splitlines()]
    assert any(p["problem_id"] == lost for p in pivots), "the run's last problem has pivots"
    tok = tiny_tokenizer()
    rows = recheck_run(engine_of(tiny_pivot_model(), tok), tok, cut, PROBLEMS, OPTIONS, 4, oracle=first_of_w7_w9)
    assert rows and {r.problem_id for r in rows} == {p["problem_id"] for p in pivots} - {lost}
    assert "not re-estimated" in caplog.text and f"'{lost}'" in caplog.text


@pytest.mark.parametrize("n", ["8", None, 2.5, True])
def test_recheck_given_a_count_that_is_no_int_names_n(memory_run, n):
    """n="8" (read from a config) or None ended the re-estimate in TypeError: '<' not supported between str and int;
    2.5 or True in 'request 0: n must be an int', naming no argument of recheck_run."""
    import numpy as np

    tok = tiny_tokenizer()
    engine = engine_of(tiny_pivot_model(), tok)
    with pytest.raises(ValueError, match=r"^n=.*use an int >= 1"):
        recheck_run(engine, tok, memory_run, PROBLEMS, OPTIONS, n, oracle=first_of_w7_w9)
    assert recheck_run(engine, tok, memory_run, PROBLEMS, OPTIONS, np.int64(2), oracle=first_of_w7_w9)


def test_recheck_of_a_run_an_interrupted_overwrite_was_discarding_is_refused(memory_run, tmp_path):
    """A run whose run.json says an --overwrite was discarding it is half deleted: its leftovers were re-estimated
    as the run."""
    import json
    import shutil

    half = tmp_path / "half"
    shutil.copytree(memory_run, half)
    info = json.loads((half / "run.json").read_text(encoding="utf-8"))
    (half / "run.json").write_text(json.dumps({**info, "discarding": True}), encoding="utf-8")
    tok = tiny_tokenizer()
    with pytest.raises(ValueError, match="an --overwrite was discarding this run"):
        recheck_run(engine_of(tiny_pivot_model(), tok), tok, half, PROBLEMS, OPTIONS, 2, oracle=first_of_w7_w9)


def rewritten(run, tmp_path, name, edit):
    """A copy of ``run`` whose ``name`` has its first record changed by ``edit``, as another tool writes it."""
    import json
    import shutil

    copy = tmp_path / "edited"
    shutil.copytree(run, copy)
    lines = (copy / name).read_text(encoding="utf-8").splitlines(keepends=True)
    rec = json.loads(lines[0])
    edit(rec)
    lines[0] = json.dumps(rec) + "\n"
    (copy / name).write_text("".join(lines), encoding="utf-8")
    return copy


@pytest.mark.parametrize("name, edit, shown", [
    ("pairs.jsonl", lambda r: r.pop("p_chosen"), "lacks ['p_chosen']"),  # KeyError: 'p_chosen'
    ("pairs.jsonl", lambda r: r.pop("direction"), "lacks ['direction']"),  # KeyError: 'direction'
    ("pivots.jsonl", lambda r: r.pop("trajectory"), "lacks ['trajectory']"),  # read as a problem lost
    ("pairs.jsonl", lambda r: r.update(trajectory=[]), "has trajectory []"),  # unhashable type: 'list'
    ("problems.jsonl", lambda r: r.update(problem_id=[]), "has problem_id []"),
    ("problems.jsonl", lambda r: r["trajectories"][0].update(key={}), "has trajectories[0].key {}"),
])
def test_recheck_of_a_record_another_tool_rewrote_names_its_field(memory_run, tmp_path, name, edit, shown):
    """The re-estimate reads fields of a pair the exports' schema does not require (its p of each side, its
    direction) and matches records by trajectory key: one left out or rewritten as a list ended it in a KeyError
    or 'unhashable type: list' traceback."""
    copy = rewritten(memory_run, tmp_path, name, edit)
    tok = tiny_tokenizer()
    with pytest.raises(ValueError) as e:
        recheck_run(engine_of(tiny_pivot_model(), tok), tok, copy, PROBLEMS, OPTIONS, 2, oracle=first_of_w7_w9)
    msg = str(e.value)
    assert name in msg and shown in msg and "another tool" in msg, msg
