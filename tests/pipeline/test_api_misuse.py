"""The library used carelessly, as other training repos call it: a generator of problems, a template file, a
tokenizer without a chat template, two kinds of run in one folder, an oracle that always raises, wrong types."""

import logging

import pytest
from tiny_models import tiny_model, tiny_tokenizer

from ptsfast import MineOptions, Problem, mine
from ptsfast.mining.anchors import AnchorConfig
from ptsfast.mining.types import RolloutOutcome
from ptsfast.outputs.rundir import RunDirError
from ptsfast.pipeline.anchors import AnchorOptions, find_anchors
from ptsfast.problems.loading import ChatTemplateError

PROBLEMS = [Problem("a", "w20 w21 w22", "1", solution="w10 w11 w12"), Problem("b", "w30 w31", "1", solution="w13 w14")]
FAST = dict(max_new_tokens=4, use_chat_template=False)


def never(text, problem):
    return False


def test_a_generator_of_problems_is_read_once_by_every_entry_point(tmp_path):
    anchors = AnchorOptions(run=MineOptions(**FAST), anchors=AnchorConfig(batch_size=2, max_rollouts=2))
    summary = find_anchors(tiny_model("llama"), tiny_tokenizer(), (p for p in PROBLEMS), tmp_path / "anchors",
                           anchors, oracle=never, progress=False)
    assert summary["problems"] == 2
    with pytest.raises(TypeError, match="options must be a ptsfast.AnchorOptions, got MineOptions"):
        find_anchors(tiny_model("llama"), tiny_tokenizer(), PROBLEMS, tmp_path / "x", MineOptions(), oracle=never)
    assert not (tmp_path / "x").exists()


def test_a_chat_template_file_is_read_and_a_missing_template_fails_before_the_folder_is_made(tmp_path):
    template = tmp_path / "chat.jinja"
    template.write_text("{% for m in messages %}{{ m['content'] }}{% endfor %}")
    options = MineOptions(max_new_tokens=4, chat_template=str(template), trajectories_per_problem=1)
    mine(tiny_model("llama"), tiny_tokenizer(), PROBLEMS[:1], tmp_path / "run", options, oracle=never, progress=False)
    import json
    rec = json.loads((tmp_path / "run" / "problems.jsonl").read_text().splitlines()[0])
    assert tiny_tokenizer().decode(rec["prompt_ids"]).endswith("w20 w21 w22")  # the question, not the path
    # the template itself is recorded (the file is read once): a resume after the file changed is refused
    assert json.loads((tmp_path / "run" / "run.json").read_text())["config"]["chat_template"] == template.read_text()
    template.write_text("{% for m in messages %}Q: {{ m['content'] }}{% endfor %}")
    with pytest.raises(RunDirError, match="MineOptions.chat_template"):
        mine(tiny_model("llama"), tiny_tokenizer(), PROBLEMS[:1], tmp_path / "run",
             MineOptions(max_new_tokens=4, chat_template=str(template), trajectories_per_problem=1), oracle=never,
             progress=False)
    with pytest.raises(ChatTemplateError, match="use_chat_template=False"):  # the tokenizer has none
        mine(tiny_model("llama"), tiny_tokenizer(), PROBLEMS, tmp_path / "none", MineOptions(max_new_tokens=4),
             oracle=never, progress=False)
    assert not (tmp_path / "none").exists()  # so the fixed rerun is not refused as another run's folder
    with pytest.raises(ValueError, match="is no file"):
        mine(tiny_model("llama"), tiny_tokenizer(), PROBLEMS, tmp_path / "typo",
             MineOptions(max_new_tokens=4, chat_template=str(tmp_path / "chat.jinj")), oracle=never, progress=False)


def test_a_folder_of_another_kind_of_run_is_named_once(tmp_path):
    mine(tiny_model("llama"), tiny_tokenizer(), PROBLEMS, tmp_path, MineOptions(**FAST), oracle=never, progress=False)
    anchors = AnchorOptions(run=MineOptions(**FAST), anchors=AnchorConfig(batch_size=2, max_rollouts=2))
    with pytest.raises(RunDirError, match=r"holds a run of pivots \(ptsfast mine\), not of thought anchors"):
        find_anchors(tiny_model("llama"), tiny_tokenizer(), PROBLEMS, tmp_path, anchors, oracle=never, progress=False)


def test_an_oracle_that_always_raises_is_said(tmp_path, caplog):
    def broken(text, problem):
        raise KeyError("answer")

    from ptsfast.pipeline.probes import OracleFailed

    for run in ("a", "b"):  # the second run in this process is warned too (the counts were per process)
        caplog.clear()
        with caplog.at_level(logging.WARNING), pytest.raises(OracleFailed) as e:  # no verdict at all: the run stops
            mine(tiny_model("llama"), tiny_tokenizer(), PROBLEMS, tmp_path / run, MineOptions(**FAST),
                 oracle=broken, progress=False)
        assert "raised KeyError" in str(e.value) and "fix the oracle" in str(e.value)
        assert "raised KeyError" in caplog.text and "fix the oracle" in caplog.text


def test_ctrl_c_raised_by_an_oracle_stops_the_run_keeping_its_finished_problems(tmp_path):
    # it killed the judge's thread: every later verdict was counted as an oracle hung for the whole timeout
    import json

    def interrupted_on_b(text, problem):
        if problem.id == "b":
            raise KeyboardInterrupt
        return False

    with pytest.raises(KeyboardInterrupt):
        mine(tiny_model("llama"), tiny_tokenizer(), PROBLEMS, tmp_path, MineOptions(**FAST, problems_per_batch=1),
             oracle=interrupted_on_b, progress=False)
    assert [json.loads(line)["problem_id"] for line in (tmp_path / "done.jsonl").read_text().splitlines()] == ["a"]


def test_greedy_sampling_is_said_once(tmp_path, caplog):
    """At temperature 0 every rollout from a prefix is the same: the counts are copies of one rollout, which the
    search's confidence tests read as independent draws."""
    with caplog.at_level(logging.WARNING):
        mine(tiny_model("llama"), tiny_tokenizer(), PROBLEMS[:1], tmp_path / "greedy",
             MineOptions(temperature=0, **FAST), oracle=never, progress=False)
    assert caplog.text.count("temperature 0 is greedy") == 1


@pytest.mark.parametrize("field, value", [("threshold", "0.2"), ("threshold", None), ("confidence", "0.9"),
                                          ("similarity_threshold", None), ("batch_size", True),
                                          ("numbers_must_match", "no")])
def test_anchor_config_names_a_wrong_type(field, value):
    with pytest.raises(ValueError, match=f"AnchorConfig.{field}"):
        AnchorConfig(**{field: value})


def test_a_verdict_must_be_a_bool():
    with pytest.raises(TypeError, match="success must be a bool"):
        RolloutOutcome((1, 2), "yes")
    import numpy as np
    assert RolloutOutcome((1,), np.bool_(True)).success


def test_mine_gives_the_model_back_as_it_was(tmp_path):
    # the engine set ptsfast attention and eval mode for good: the caller's model no longer ran on its own, and
    # training it after mining in one process ran without dropout
    import torch

    model = tiny_model("llama")
    model.train()
    attn = model.config._attn_implementation
    mine(model, tiny_tokenizer(), PROBLEMS[:1], tmp_path, MineOptions(**FAST), oracle=never, progress=False)
    assert model.training and model.config._attn_implementation == attn
    model(torch.tensor([[1, 2, 3]]))


@pytest.mark.parametrize("kw", [{"batch_size": 8.5}, {"confirm_rollouts": 4.5}, {"rollout_budget": 10.5},
                                {"method": "agresti"}, {"reuse": "no"}])
def test_config_fields_of_the_wrong_type_are_refused_when_the_config_is_made(kw):
    # they failed deep inside mine(), after its folder was written (and a corrected rerun was refused), or were
    # read wrongly: FilterConfig(enabled="no") kept the filter on
    from ptsfast.mining.types import EstimatorConfig, FilterConfig, MiningConfig, PairConfig

    with pytest.raises(TypeError, match=f"EstimatorConfig.{next(iter(kw))}="):
        EstimatorConfig(**kw)
    for make, bad in ((FilterConfig, {"enabled": "no"}), (PairConfig, {"min_count": 2.5}),
                      (MiningConfig, {"seed": 1.5}), (MiningConfig, {"estimator": {}})):
        with pytest.raises(TypeError, match=f"{make.__name__}.{next(iter(bad))}="):
            make(**bad)


def test_search_and_find_pivots_refuse_inputs_they_misread():
    from ptsfast import search
    from ptsfast.mining.types import Trajectory
    from ptsfast.mining.driver import SearchPool
    from ptsfast.mining.types import MiningConfig

    sol = list(range(16))

    def p(prefix):
        return 0.2 if len(prefix) <= 2 else 0.8
    assert search(sol, p, p_final=True).pivots == [(2, 3), (15, 16)]
    for bad, named in (({"p_final": float("nan")}, "p_final=nan"), ({"p_final": "1"}, "p_final='1'"),
                       ({"logprobs": [-0.1] * 17}, "17 log-probs for 16"), ({"confidence": 95}, "confidence=95")):
        with pytest.raises(ValueError, match=named):
            search(sol, p, **bad)
    with pytest.raises(ValueError, match="whole numbers"):
        search(sol, lambda prefix: (2.5, 4))
    with pytest.raises(TypeError, match="correct must be a bool"):
        Trajectory("k", "q", (1, 2), correct="False")
    assert Trajectory("k", "q", (1, 2), correct=1).correct is True
    pool = SearchPool(MiningConfig())
    a = Trajectory("a", "same", (5, 6), prompt_ids=(1, 2), correct=True, max_new_tokens=8)
    b = Trajectory("b", "same", (5, 6), prompt_ids=(9, 9), correct=True, max_new_tokens=8)
    pool.add([a])
    with pytest.raises(ValueError, match="problem 'same' already has trajectories with another prompt"):
        pool.add([b])


def test_numpy_seeds_ray_options_and_a_loaded_steering_model_are_checked():
    import numpy as np

    from ptsfast.engine import SamplingParams
    from ptsfast.outputs.source import ExportError
    from ptsfast.outputs.steering import model_for

    assert type(SamplingParams(seed=np.int64(7)).seed) is int  # a numpy seed overflowed the engine's C long
    ray = pytest.importorskip("ptsfast.pipeline.ray")
    with pytest.raises(ValueError, match="RayOptions.workers=2.5"):
        ray.RayOptions(workers=2.5)
    loaded = (object(), object())
    with pytest.raises(ExportError, match="with a loaded"):  # ignored before: the model ran as it was
        model_for(None, loaded, None, "bfloat16", None)
    with pytest.raises(ExportError, match="layer .* must be an int"):  # 1.7 was read as 1
        model_for(None, loaded, None, None, 1.7)


@pytest.mark.parametrize("kw, named", [({"overwrite": "no"}, "overwrite must be True or False, got 'no'"),
                                       ({"progress": "no"}, "progress must be True or False"),
                                       ({"skipped": "row 3"}, "skipped must be a list of str"),
                                       ({"dataset_id": 5}, "dataset_id must be a str")])
def test_flags_given_as_strings_are_refused_before_the_folder_is_touched(tmp_path, kw, named):
    # overwrite="no" read as True and discarded the finished problems of the folder; skipped="row 3" was recorded
    # as three skips, one per character
    mine(tiny_model("llama"), tiny_tokenizer(), PROBLEMS[:1], tmp_path, MineOptions(**FAST), oracle=never,
         progress=False)
    done = (tmp_path / "done.jsonl").read_text()
    with pytest.raises(TypeError, match=named):
        mine(tiny_model("llama"), tiny_tokenizer(), PROBLEMS[:1], tmp_path, MineOptions(max_new_tokens=5,
             use_chat_template=False), oracle=never, **{"progress": False, **kw})
    assert (tmp_path / "done.jsonl").read_text() == done
    with pytest.raises(TypeError, match="unsafe_code_oracle .* must be a bool, got 'no'"):  # code run unisolated
        MineOptions(oracle="code", unsafe_code_oracle="no")
    with pytest.raises(ValueError, match="is a file; pass the folder"):  # was FileExistsError: [Errno 17]
        mine(tiny_model("llama"), tiny_tokenizer(), PROBLEMS[:1], tmp_path / "done.jsonl", MineOptions(**FAST),
             oracle=never, progress=False)


def test_mine_options_take_numpy_and_tensor_scalars_as_sampling_params_does():
    # MineOptions(seed=np.int64(3)) was refused ("must be an int") while SamplingParams took it
    import json

    import numpy as np
    import torch

    from ptsfast.pipeline.options import run_settings

    o = MineOptions(seed=np.int64(3), top_k=torch.tensor(5), max_new_tokens=np.int32(64), trajectories_per_problem=
                    np.uint8(2), temperature=np.float32(0.5), use_chat_template=np.bool_(True))
    assert (o.seed, o.top_k, o.max_new_tokens, o.trajectories_per_problem, o.temperature) == (3, 5, 64, 2, 0.5)
    assert type(o.seed) is int and type(o.use_chat_template) is bool
    assert json.loads(json.dumps(run_settings(o, "m")))["seed"] == 3  # run.json can write them
    for bad in ({"seed": torch.tensor(2.5)}, {"max_new_tokens": np.float64(3.0)}, {"seed": np.array([1, 2])}):
        with pytest.raises(TypeError, match="must be an int"):
            MineOptions(**bad)
