"""Every mining flag and API option is checked before a model loads or anything is written: one line naming the
flag (or field) and the fix."""

import json
import os

import pytest
import torch

from ptsfast.cli import main as cli
from ptsfast.engine import EngineConfig
from ptsfast.mining.types import FilterConfig, MiningConfig
from ptsfast.pipeline import MineOptions


@pytest.fixture()
def problems(tmp_path):
    f = tmp_path / "p.jsonl"
    f.write_text(json.dumps({"id": "a", "question": "what is 2+3?", "answer": "5"}) + "\n")
    return f


BAD_FLAGS = [
    (["--gap", "0"], "--gap"), (["--gap", "-0.1"], "--gap"), (["--gap", "1"], "--gap"),
    (["--trajectories", "0"], "--trajectories"),
    (["--p-min", "0.9", "--p-max", "0.1"], "p_min (--p-min)=0.9 > p_max (--p-max)=0.1"),
    (["--p-max", "nan"], "p_max (--p-max)=nan: use a probability"),
    (["--max-new-tokens", "0"], "--max-new-tokens"), (["--problems-per-batch", "0"], "--problems-per-batch"),
    (["--kv-cache-gb", "0"], "--kv-cache-gb"), (["--kv-cache-gb", "-2"], "--kv-cache-gb"),
    (["--seed", str(2 ** 64)], "--seed"), (["--oracle", "gsm8kk"], "unknown oracle 'gsm8kk'"),
    (["--top-p", "0"], "--top-p"), (["--min-p", "1.5"], "--min-p"), (["--min-p", "-0.01"], "--min-p"),
    (["--oracle-timeout", "0"], "--oracle-timeout"),
    (["--limit", "0"], "--limit"), (["--workers", "0"], "--workers"),
    # the search's configs check their own fields; the error names the flags, not the fields
    (["--max-rollouts", "-3"], "max_rollouts (--max-rollouts)"), (["--confirm", "-2"], "(--confirm)"),
    (["--key-max-rollouts", "0"], "(--key-max-rollouts)"), (["--estimator-growth", "0"], "--estimator-growth"),
    (["--estimator-final-split-margin", "nan"], "--estimator-final-split-margin"),
    (["--filter-confidence", "7"], "--filter-confidence"), (["--filter-max-rollouts", "0"], "--filter-max-rollouts"),
    (["--pairs-confidence", "2"], "confidence (--pairs-confidence)=2.0: use a confidence in (0, 1)"),
    # a mistyped path was every problem's whole prompt; '' was the current folder
    (["--chat-template", "no/such/template.jinja"], "--chat-template 'no/such/template.jinja' is no file"),
    (["--out", ""], "--out is empty"), (["--problems", ""], "--problems is empty"), (["--dtype", ""], "--dtype ''"),
    # an empty column name was dropped without a word, or skipped every row as "field None is empty"
    (["--answer-field", ""], "--answer-field is empty"), (["--question-field", " "], "--question-field is empty"),
    (["--solution-field", ""], "--solution-field is empty"), (["--tests-field", ","], "--tests-field is empty"),
    (["--entry-point-field", ""], "--entry-point-field is empty"),
]


@pytest.mark.parametrize("flags,named", BAD_FLAGS, ids=[" ".join(f) for f, _ in BAD_FLAGS])
def test_bad_flags_fail_before_the_model_loads_or_anything_is_written(flags, named, problems, tmp_path, capsys):
    out = tmp_path / "out"
    # the model folder does not exist: an error about the model would mean the flag was checked too late
    assert cli(["mine", "--model", str(tmp_path / "no-model"), "--problems", str(problems), "--out", str(out),
                *flags]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and named in err[0] and "no-model" not in err[0], err
    assert not out.exists()


@pytest.mark.skipif(torch.cuda.is_available(), reason="needs a torch without CUDA")
def test_device_cuda_without_cuda_and_an_unwritable_out(problems, tmp_path, capsys):
    base = ["mine", "--model", str(tmp_path / "no-model"), "--problems", str(problems)]
    assert cli(base + ["--out", str(tmp_path / "o"), "--device", "cuda"]) == 2
    err = capsys.readouterr().err
    assert "--device cuda: this torch build has no CUDA" in err and "--device cpu" in err
    blocker = tmp_path / "file"
    blocker.write_text("x")
    assert cli(base + ["--out", str(blocker / "sub")]) == 2
    assert "--out" in capsys.readouterr().err and not (tmp_path / "o").exists()


@pytest.mark.parametrize("command", ["mine", "anchors"])
def test_an_out_link_to_a_missing_folder_is_named_before_the_model_loads(command, problems, tmp_path, capsys):
    link = tmp_path / "run"
    link.symlink_to(tmp_path / "gone")  # a folder cannot be made through it: the run's mkdir failed with EEXIST
    assert cli([command, "--model", str(tmp_path / "no-model"), "--problems", str(problems), "--out", str(link)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and f"--out {link}: a link to {tmp_path / 'gone'}, which does not exist" in err[0], err
    assert "no-model" not in err[0] and os.path.islink(link) and not (tmp_path / "gone").exists()


@pytest.mark.parametrize("kw,exc,named", [
    (dict(seed=2 ** 63), ValueError, "seed (--seed)"), (dict(seed=1.0), TypeError, "seed (--seed)"),
    (dict(seed=True), TypeError, "seed"), (dict(max_new_tokens=8.0), TypeError, "max_new_tokens"),
    (dict(trajectories_per_problem="2"), TypeError, "trajectories_per_problem"),
    (dict(system_prompt=5), TypeError, "system_prompt"), (dict(oracle=print), TypeError, "oracle"),
    (dict(temperature=float("nan")), ValueError, "temperature"),
])
def test_api_options_are_type_checked_naming_the_field(kw, exc, named):
    with pytest.raises(exc, match=named.replace("(", r"\(").replace(")", r"\)")):
        MineOptions(**kw)


@pytest.mark.parametrize("gap,exc", [(0.0, ValueError), (1.0, ValueError), (-0.1, ValueError), (2, ValueError),
                                     (float("nan"), ValueError), (float("inf"), ValueError), (True, TypeError),
                                     ("0.2", TypeError), (None, TypeError)])
def test_a_gap_outside_0_1_is_refused_wherever_it_is_given(gap, exc):
    """The library's entry points refuse it as the CLI does: a gap of 2 or NaN used to mine silently (no segment
    reaches it) and spend the whole budget on nothing."""
    from ptsfast import search

    with pytest.raises(exc, match=r"gap=.*\(0, 1\)"):
        MiningConfig(gap=gap)
    with pytest.raises(exc, match=r"gap=.*\(0, 1\)"):
        search([1, 2, 3], lambda prefix: 0.5, gap=gap)
    with pytest.raises(ValueError, match="split='halves'"):
        MiningConfig(split="halves")
    with pytest.raises(ValueError, match=r"p_min=0.9 > p_max=0.1"):
        FilterConfig(p_min=0.9, p_max=0.1)
    with pytest.raises(ValueError, match=r"p_max=1.5: use a probability"):
        FilterConfig(p_max=1.5)
    assert MiningConfig(gap=0.05).gap == 0.05
    assert search([1, 2], lambda prefix: 0.1 * len(prefix), gap=0.05).pivots == [(0, 1), (1, 2)]


def test_engine_config_refuses_zero_blocks():
    with pytest.raises(ValueError, match=r"num_blocks must be an int >= 1, got 0"):
        EngineConfig(num_blocks=0)
    with pytest.raises(ValueError, match=r"kv_cache_gb must be a number of GB > 0"):
        EngineConfig(kv_cache_gb=0)
    MineOptions()  # the defaults are valid


def test_sampling_seeds_outside_64_bits_are_refused():
    from ptsfast.engine import SamplingParams

    SamplingParams(seed=2 ** 64 - 1)
    for seed in (2 ** 64, -1):
        with pytest.raises(ValueError, match=r"SamplingParams.seed must be an int in \[0, 2\*\*64\)"):
            SamplingParams(seed=seed)


def test_a_missing_model_folder_is_named_as_a_folder(problems, tmp_path, capsys):
    assert cli(["mine", "--model", str(tmp_path / "nope"), "--problems", str(problems), "--out",
                str(tmp_path / "o")]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "model folder" in err[0] and "does not exist" in err[0]
    assert "huggingface-cli download" not in err[0] and not (tmp_path / "o").exists()


def test_mine_names_a_problem_of_the_wrong_type(tmp_path):
    from tiny_models import tiny_model, tiny_tokenizer

    from ptsfast.problems.loading import Problem
    from ptsfast.pipeline import mine

    model, tok = tiny_model("llama"), tiny_tokenizer()
    with pytest.raises(TypeError, match=r"problems\[1\] must be a ptsfast.Problem.*got dict"):
        mine(model, tok, [Problem("a", "q"), {"id": "b"}], tmp_path / "o", progress=False)
    with pytest.raises(TypeError, match=r"problem ids must be str, got int 3"):
        mine(model, tok, [Problem(3, "q")], tmp_path / "o", progress=False)
    assert not (tmp_path / "o").exists()


def test_the_demo_mines_with_demo_sized_confirmation_and_pairs_unless_told_otherwise():
    from ptsfast.cli import _options, build_parser
    from ptsfast.demo import (DEMO_CONFIRM_MAX_ROLLOUTS, DEMO_KEY_MAX_ROLLOUTS, DEMO_PAIR_CANDIDATES,
                              DEMO_PAIR_FRESH_MAX_ROLLOUTS, DEMO_PAIR_MAX_ALTERNATIVES)
    from ptsfast.mining.estimator import GapTest
    from ptsfast.mining.types import EstimatorConfig, PairConfig

    parser = build_parser()
    m = _options(parser.parse_args(["demo"])).mining
    assert (m.estimator.confirm_max_rollouts, m.pairs.fresh_max_rollouts, m.pairs.max_alternatives,
            m.pairs.candidates) == (DEMO_CONFIRM_MAX_ROLLOUTS, DEMO_PAIR_FRESH_MAX_ROLLOUTS,
                                    DEMO_PAIR_MAX_ALTERNATIVES, DEMO_PAIR_CANDIDATES)
    # the demo's search caps hold for every segment, the long ones of a longer --max-new-tokens too
    assert {GapTest(m.estimator, m.gap).cap_for(level) for level in (0, 1, 2)} == {DEMO_KEY_MAX_ROLLOUTS}
    m = _options(parser.parse_args(["demo", "--estimator-confirm-max-rollouts", "64",
                                    "--pairs-candidates", "2"])).mining
    assert m.estimator.confirm_max_rollouts == 64 and m.pairs.candidates == 2
    m = _options(parser.parse_args(["mine", "--model", "m", "--problems", "p", "--out", "o"])).mining
    assert m.estimator == EstimatorConfig() and m.pairs == PairConfig()  # mine keeps the configs' defaults
    demo = next(a for a in parser._subparsers._group_actions[0].choices["demo"]._actions
                if a.dest == "pairs__candidates")
    assert demo.help.endswith(f"(demo default {DEMO_PAIR_CANDIDATES})")
    helps = {a.dest: a.help for a in parser._subparsers._group_actions[0].choices["demo"]._actions}
    # the flags it shares with mine showed mine's defaults (gsm8k, 1 trajectory, 8 problems a batch)
    assert helps["oracle"].endswith("(demo default last_number)") and "gsm8k)" not in helps["oracle"]
    assert helps["trajectories"].endswith("(demo default 2)") and helps["problems_per_batch"].endswith("default 16)")


def test_the_demo_takes_limit_0_as_all_its_problems_and_refuses_a_negative_limit(tmp_path):
    from ptsfast.cli import _validate, build_parser

    parser = build_parser()
    a = parser.parse_args(["demo", "--out", str(tmp_path / "o"), "--limit", "0"])
    _validate(a)  # "0 = all", as its help says (mine's --limit 0 stays refused, above)
    assert a.limit == 0
    with pytest.raises(ValueError, match="--limit -1"):
        _validate(parser.parse_args(["demo", "--out", str(tmp_path / "o"), "--limit", "-1"]))


@pytest.mark.parametrize("argv,named", [
    (["bench", "--prefix", "-5"], "--prefix -5: use a whole number >= 1"), (["bench", "--n", "0"], "--n 0"),
    (["bench", "--new-tokens", "0"], "--new-tokens 0"), (["bench", "--repeat", "0"], "--repeat 0"),
    (["simulate", "--seeds"], "--seeds: give at least one seed"),
    (["simulate", "--seeds", "0", "1", "0"], "--seeds 0 1 0: a seed given twice"),
])
def test_bench_and_simulate_name_the_bad_flag_before_any_work(argv, named, capsys):
    """``bench --prefix -5`` ended in a traceback from torch; ``simulate --seeds 0 0`` counted seed 0 twice."""
    assert cli(argv) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and named in err[0], err


def test_a_resume_names_negated_flags_the_right_way_and_top_k_off_is_one_setting():
    from ptsfast.pipeline.options import run_settings, setting_flag
    # a refused resume said "--no-filter was True, now False"
    assert setting_flag("mining.filter.enabled") == "the problem filter (on unless --no-filter)"
    assert run_settings(MineOptions(top_k=-1), "m") == run_settings(MineOptions(top_k=0), "m")


def test_a_resume_with_another_seed_names_the_flag_once(tmp_path):
    """It said "mining.seed was 0, now 3; --seed was 0, now 3": the seed is recorded twice, under a key no flag has."""
    from ptsfast.outputs.rundir import RunDirError, RunWriter
    from ptsfast.pipeline.options import RESULT_NEUTRAL, run_settings, setting_flag

    def open_(seed):
        return RunWriter(tmp_path, run_settings(MineOptions(seed=seed), "m"), neutral=RESULT_NEUTRAL,
                         name_of=setting_flag)

    open_(0).close()
    with pytest.raises(RunDirError) as e:
        open_(3)
    assert "(--seed was 0, now 3)" in str(e.value) and "mining.seed" not in str(e.value)


def test_anchors_name_their_own_flags_in_a_refused_resume_and_a_bad_kv_cache(problems, tmp_path, capsys):
    from ptsfast.pipeline.options import setting_flag
    # a refused resume said "anchors.threshold was 0.2, now 0.3"
    for field, flag in (("threshold", "--threshold"), ("batch_size", "--batch-rollouts"),
                        ("max_rollouts", "--max-rollouts"), ("confidence", "--confidence"),
                        ("similarity_threshold", "--similarity-threshold"), ("numbers_must_match", "--any-numbers"),
                        ("facts_must_match", "--any-claims")):
        assert flag in setting_flag(f"anchors.{field}")
    assert "--embedding-model" in setting_flag("similarity")
    assert cli(["anchors", "--model", str(tmp_path / "no-model"), "--problems", str(problems), "--out",
                str(tmp_path / "o"), "--kv-cache-gb", "nan"]) == 2
    err = capsys.readouterr().err
    assert "(--kv-cache-gb)" in err and "no-model" not in err and not (tmp_path / "o").exists()


def test_top_k_below_minus_one_is_a_typo_not_the_full_vocabulary():
    from ptsfast.engine import SamplingParams
    with pytest.raises(ValueError, match=r"--top-k.* must be >= 1, or 0 or -1 to disable it, got -3"):
        MineOptions(top_k=-3)
    with pytest.raises(ValueError, match=r"SamplingParams.top_k must be >= 1, or 0 or -1"):
        SamplingParams(top_k=-2)
    assert SamplingParams(top_k=-1).top_k == -1  # vLLM's "off"


def test_simulate_json_into_a_device_is_never_read(tmp_path):
    from pathlib import Path

    from ptsfast.cli import _check_simulate_json
    _check_simulate_json(Path("/dev/zero"))  # read whole, it filled the memory
    (tmp_path / "notes.json").write_text('{"mine": 1}')
    with pytest.raises(ValueError, match="not an earlier `ptsfast simulate --json` file"):
        _check_simulate_json(tmp_path / "notes.json")


def test_simulate_json_into_a_new_folder_is_written(tmp_path, capsys):
    # the folder was checked writable, then the benchmark ran for minutes and the scores failed to save
    out = tmp_path / "new" / "scores.json"
    assert cli(["simulate", "--json", str(out), "--scale", "0.01", "--seeds", "0", "--populations", "hard",
                "--quiet"]) == 0
    assert json.loads(out.read_text())[0]["population"] == "hard"


def test_simulate_json_into_a_pipe_is_written_into_never_replaced(tmp_path):
    import stat
    import threading

    # a device or pipe (/dev/full, /dev/stdout) was replaced by a regular file renamed over it: as root, the device
    # node itself; a pipe here stands for it
    pipe = tmp_path / "scores.pipe"
    os.mkfifo(pipe)
    got = {}
    reader = threading.Thread(target=lambda: got.setdefault("text", pipe.read_text()), daemon=True)
    reader.start()
    assert cli(["simulate", "--json", str(pipe), "--scale", "0.01", "--seeds", "0", "--populations", "hard",
                "--quiet"]) == 0
    reader.join(30)
    assert stat.S_ISFIFO(os.lstat(pipe).st_mode), "the pipe was replaced by a file"
    assert json.loads(got["text"])[0]["population"] == "hard"


def test_simulate_json_on_a_full_disk_names_the_file_and_its_flag(tmp_path, capsys, monkeypatch):
    import errno

    from ptsfast.outputs import rundir

    def full(path, text):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(rundir, "write_atomic", full)
    out = tmp_path / "scores.json"
    assert cli(["simulate", "--json", str(out), "--scale", "0.01", "--seeds", "0", "--populations", "hard",
                "--quiet"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and f"(writing {out}) - free some space (or choose another --json)" in err[0], err


def test_a_chat_template_that_does_not_compile_is_refused_before_the_model_loads(problems, tmp_path, capsys):
    t = tmp_path / "t.jinja"
    t.write_text("{% for m in messages %}{{ m.content }")
    assert cli(["mine", "--model", str(tmp_path / "no-model"), "--problems", str(problems), "--out",
                str(tmp_path / "o"), "--chat-template", str(t)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "--chat-template does not compile (line 1: unexpected '}')" in err[0], err


def test_export_names_a_missing_run_as_its_input_and_checks_the_steering_device(tmp_path, capsys):
    assert cli(["export", "--run", str(tmp_path / "nope"), "--out", str(tmp_path / "p.jsonl")]) == 2
    err = capsys.readouterr().err
    assert "nope" in err and "(writing" not in err, err
    if not torch.cuda.is_available():
        assert cli(["export", "--run", str(tmp_path / "nope"), "--out", str(tmp_path / "s.jsonl"), "--format",
                    "steering", "--device", "cuda"]) == 2
        assert "--device cuda: this torch build has no CUDA" in capsys.readouterr().err


FAST = ["--no-chat-template", "--oracle", "exact", "--max-new-tokens", "4", "--max-rollouts", "8",
        "--key-max-rollouts", "8", "--quiet"]


def test_a_folder_where_the_run_writes_a_file_is_one_line_before_the_model_loads(model_dir, tmp_path, capsys):
    """A folder at summary.json was found after every problem was mined again, as a bare '[Errno 21] Is a
    directory'; now it is named before the model loads, finished work kept, and the run resumes once it is moved."""
    problems = tmp_path / "p.jsonl"
    problems.write_text("".join(json.dumps({"id": f"q{i}", "question": f"w{3 + i} w9 w11", "answer": "1"}) + "\n"
                                for i in range(2)))
    out = tmp_path / "my run"
    assert cli(["mine", "--model", str(model_dir), "--problems", str(problems), "--out", str(out), "--limit", "1",
                *FAST]) == 0
    (out / "summary.json").rename(tmp_path / "summary.json")
    (out / "summary.json").mkdir()
    before = {p.name: p.read_bytes() for p in out.iterdir() if p.is_file()}
    capsys.readouterr()
    for extra in ([], ["--overwrite"]):
        assert cli(["mine", "--model", str(tmp_path / "no-model"), "--problems", str(problems), "--out", str(out),
                    *FAST, *extra]) == 2
        err = capsys.readouterr().err.strip().splitlines()
        assert len(err) == 1 and f"{out / 'summary.json'} is a folder, where the run writes its summary.json" in err[0]
        assert "move it out of the run folder" in err[0] and "no-model" not in err[0], err
        assert {p.name: p.read_bytes() for p in out.iterdir() if p.is_file()} == before
    (out / "summary.json").rmdir()
    assert cli(["mine", "--model", str(model_dir), "--problems", str(problems), "--out", str(out), *FAST]) == 0
    assert json.loads((out / "summary.json").read_text())["problems_already_done"] == 1


@pytest.mark.parametrize("flags,numbers,facts", [([], True, True), (["--any-numbers"], False, True),
                                                 (["--any-claims"], True, False)])
def test_anchors_rule_flags_reach_the_anchor_config(flags, numbers, facts):
    """--any-claims turns off the claim rule (a resample stating another choice, negation, comparison or unit in the
    same words is different), as --any-numbers turns off the number rule."""
    from ptsfast.cli import _anchor_options, build_parser

    a = build_parser().parse_args(["anchors", "--model", "m", "--problems", "p.jsonl", "--out", "o", *flags])
    config = _anchor_options(a).anchors
    assert (config.numbers_must_match, config.facts_must_match) == (numbers, facts)
