"""Hostile command lines, round 9: flags that were validated and then dropped, sizes past what the command can run,
and environment variables read only once the model had loaded; each one line naming the problem and the way out,
before any expensive work, and no finished work lost."""

import json

import pytest

from ptsfast.cli import main as cli
from helpers.cli_errors import one_line_error, write_problems

FAST = ["--no-chat-template", "--oracle", "exact", "--max-new-tokens", "4", "--max-rollouts", "8",
        "--key-max-rollouts", "8", "--no-filter", "--quiet"]


@pytest.fixture()
def problems(tmp_path):
    return write_problems(tmp_path)


def test_bench_runs_its_model_in_the_dtype_given(capsys, monkeypatch):
    """`bench --dtype float16` was checked and then dropped: the random Llama ran in float32, and the scores did not
    say in which dtype they were measured."""
    import ptsfast.engine.bench as bench

    made = {}
    real = bench.random_llama

    def spy(device, **kw):
        made.update(kw)
        return real(device, **kw, layers=1, hidden=64, heads=2, kv_heads=1, intermediate=64, vocab=128)

    monkeypatch.setattr(bench, "random_llama", spy)
    assert cli(["bench", "--device", "cpu", "--dtype", "bf16", "--prefix", "4", "--n", "2", "--new-tokens", "2",
                "--repeat", "1"]) == 0
    import torch

    assert made.get("dtype") is torch.bfloat16
    assert json.loads(capsys.readouterr().out)["dtype"] == "bfloat16"


@pytest.mark.parametrize("flags", [["--prefix", "100000000"], ["--prefix", "8000", "--new-tokens", "500"]])
def test_bench_past_its_models_context_is_refused_before_the_benchmark(flags, capsys, monkeypatch):
    """`bench --prefix 100000000` drew a hundred million prefix tokens and prefilled them, running until killed, on a
    model of 8,192 positions."""
    import ptsfast.engine.bench as bench

    monkeypatch.setattr(bench.RolloutComparison, "__init__", lambda *a, **k: pytest.fail("the benchmark ran"))
    assert cli(["bench", "--device", "cpu", "--n", "2", "--repeat", "1", *flags]) == 2
    one_line_error(capsys, "8192", "--prefix", "--new-tokens")


@pytest.mark.parametrize("var, value, words", [
    ("PTSFAST_BACKEND", "cuda", ["PTSFAST_BACKEND=cuda", "prefill_attention", "unset it"]),
    ("PTSFAST_BACKEND_SAMPLE", "cuda", ["PTSFAST_BACKEND_SAMPLE=cuda", "cannot run on cpu", "unset it"]),
    ("PTSFAST_BACKEND", "Torch", ["PTSFAST_BACKEND=Torch", "no such backend", "torch"]),
    ("PTSFAST_BACKEND_SAMPLER", "torch", ["PTSFAST_BACKEND_SAMPLER", "no kernel", "PTSFAST_BACKEND_SAMPLE"]),
])
@pytest.mark.parametrize("command", ["mine", "anchors", "bench"])
def test_a_kernel_backend_variable_that_cannot_run_is_named_before_the_model_loads(command, var, value, words,
                                                                                  problems, tmp_path, capsys,
                                                                                  monkeypatch):
    """A backend the engine's kernels lack, or cannot run here, failed the first prefill once the model had loaded
    and the run's folder was made: 'prefill_attention: backend 'cuda' not implemented' naming no variable, or a
    traceback; a misspelt kernel's variable was ignored without a word."""
    import ptsfast.engine.bench as bench

    monkeypatch.setenv(var, value)
    monkeypatch.setattr(bench, "random_llama", lambda *a, **k: pytest.fail("the model was built"))
    out = tmp_path / "out"
    argv = ["bench", "--device", "cpu"] if command == "bench" else \
        [command, "--model", str(tmp_path / "no-model"), "--problems", str(problems), "--out", str(out), "--device",
         "cpu"]
    assert cli(argv) == 2
    assert "no-model" not in one_line_error(capsys, "environment variable", *words)
    assert not out.exists()


def test_a_kernel_backend_variable_does_not_refuse_the_steering_export_which_runs_no_kernel(tmp_path, capsys,
                                                                                             monkeypatch):
    monkeypatch.setenv("PTSFAST_BACKEND", "cuda")
    assert cli(["export", "--run", str(tmp_path / "no-run"), "--format", "steering", "--device", "cpu", "--out",
                str(tmp_path / "x.jsonl")]) == 2
    assert "PTSFAST_BACKEND" not in one_line_error(capsys, "no-run")


def test_a_kernel_backend_variable_that_runs_here_mines(model_dir, problems, tmp_path, monkeypatch):
    monkeypatch.setenv("PTSFAST_BACKEND", "torch")
    monkeypatch.setenv("PTSFAST_BACKEND_SAMPLE", "auto")
    assert cli(["mine", "--model", str(model_dir), "--problems", str(problems), "--out", str(tmp_path / "run"),
                *FAST]) == 0


@pytest.mark.parametrize("model", ["no-model", "p.jsonl"])
def test_a_ray_run_of_a_model_that_is_no_folder_is_refused_before_ray_starts(model, problems, tmp_path, capsys,
                                                                              monkeypatch):
    """A missing --model started a local Ray cluster (10 s) and made the run's folder; then each worker failed on it
    with a traceback."""
    import ptsfast.pipeline.ray as ray_run

    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(ray_run, "mine_ray", lambda *a, **k: pytest.fail("Ray was started"))
    out = tmp_path / "out"
    assert cli(["mine", "--model", model, "--problems", str(problems), "--out", str(out), "--ray", "local"]) == 2
    one_line_error(capsys, f"--model {model}", "--ray", "folder")
    assert not out.exists()


def test_a_ray_run_of_the_demo_model_gives_the_workers_its_name_not_a_folder_named_demo(problems, tmp_path,
                                                                                        monkeypatch):
    """`--model demo --ray` (the help offers 'demo') was resolved as the folder ./demo, which no worker had."""
    import ptsfast.pipeline.ray as ray_run
    from ptsfast.models import is_demo_model

    given = []
    monkeypatch.setattr(ray_run, "mine_ray", lambda model, *a, **k: given.append(model) or {"problems": 0})
    assert cli(["mine", "--model", "demo", "--problems", str(problems), "--out", str(tmp_path / "out"), "--ray",
                "local", "--quiet"]) == 0
    assert len(given) == 1 and is_demo_model(given[0]) and given[0] != "demo"


def test_overwrite_with_an_engine_the_device_refuses_keeps_the_finished_run(model_dir, problems, tmp_path, capsys):
    """`--overwrite --kv-cache-gb 10000` emptied the finished run, then the engine refused the KV cache: the finished
    problems were lost for a run that never started."""
    out = tmp_path / "run"
    argv = ["mine", "--model", str(model_dir), "--problems", str(problems), "--out", str(out), *FAST]
    assert cli(argv) == 0
    before = {p.name: p.read_bytes() for p in out.iterdir() if p.name != "summary.json"}
    capsys.readouterr()
    assert cli([*argv, "--overwrite", "--seed", "3", "--kv-cache-gb", "10000"]) == 2
    one_line_error(capsys, "--kv-cache-gb 10000")
    assert {p.name: p.read_bytes() for p in out.iterdir() if p.name != "summary.json"} == before
    assert cli(argv) == 0 and "problems_already_done  2" in capsys.readouterr().out


def test_simulate_json_of_dash_is_refused_not_written_as_a_file_named_dash(tmp_path, capsys, monkeypatch):
    """`simulate --json -` ran the benchmark and wrote its scores into a file named '-' in the current folder (the
    table went to standard output, as ever)."""
    import ptsfast.mining.simulate as simulate

    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(simulate, "benchmark", lambda *a, **k: pytest.fail("the benchmark ran"))
    assert cli(["simulate", "--json", "-"]) == 2
    one_line_error(capsys, "--json -", "file path")
    assert list(tmp_path.iterdir()) == []


def _eos_model(bias: float):
    """The tiny Llama with its end-of-sequence token (id 2) favoured first by ``bias``."""
    import torch
    from tiny_models import tiny_model

    model = tiny_model("llama", seed=1)
    with torch.no_grad():
        model.lm_head.bias = torch.nn.Parameter(torch.zeros(model.config.vocab_size))
        model.lm_head.bias[2] = bias
    return model


def _mine_eos(tmp_path, bias: float, trajectories: int):
    from tiny_models import tiny_tokenizer

    from ptsfast.engine import EngineConfig
    from ptsfast.mining.types import FilterConfig, MiningConfig
    from ptsfast.pipeline import MineOptions, mine
    from ptsfast.problems.loading import Problem

    options = MineOptions(trajectories_per_problem=trajectories, use_chat_template=False, max_new_tokens=4,
                          mining=MiningConfig(filter=FilterConfig(enabled=False)), engine=EngineConfig(num_blocks=64))
    summary = mine(_eos_model(bias), tiny_tokenizer(), [Problem(f"e{i}", f"w{5 + i} w9") for i in range(3)],
                   tmp_path / "run", options, oracle=lambda text, p: False, progress=False)
    return summary, [json.loads(line) for line in (tmp_path / "run" / "problems.jsonl").read_text().splitlines()]


def test_problems_whose_every_solution_is_empty_are_counted_as_skipped(tmp_path):
    """A model that stops at once (a chat template it was not trained on) mined nothing, and summary.json said no
    problem was skipped: problems_skipped 0, each problem's reason only in problems.jsonl."""
    summary, records = _mine_eos(tmp_path, 1e4, 2)
    assert summary["problems_skipped"] == 3 and summary["skipped_by_reason"] == {"empty solution": 3}
    assert all("every trajectory is empty" in r["skipped"] for r in records)


def test_a_problem_searched_beside_an_empty_trajectory_is_not_recorded_as_skipped(tmp_path):
    """One empty trajectory of several marked the whole problem skipped in problems.jsonl, though its other
    trajectories were searched."""
    summary, records = _mine_eos(tmp_path, 3.0, 6)
    mixed = [r for r in records if {t["text"] == "" for t in r["trajectories"]} == {True, False}]
    assert mixed, "the EOS bias is tuned to give problems with empty and non-empty solutions"
    assert all(r["skipped"] is None for r in mixed) and summary["problems_skipped"] == 0


def test_a_run_whose_model_ends_every_solution_at_once_exits_1_naming_why(model_dir, problems, tmp_path, capsys):
    """Every problem's solutions empty (each first token ends the sequence): the run exited 0 with problems_skipped
    0, as if done, where the README promises 1 for a run that skipped every problem it met."""
    import shutil

    model = tmp_path / "model"
    shutil.copytree(model_dir, model)
    gen = json.loads((model / "generation_config.json").read_text())
    (model / "generation_config.json").write_text(json.dumps({**gen, "eos_token_id": list(range(97))}))
    assert cli(["mine", "--model", str(model), "--problems", str(problems), "--out", str(tmp_path / "run"),
                *FAST]) == 1
    err = capsys.readouterr().err
    assert "every problem was skipped (2 empty solution)" in err and "chat template" in err


@pytest.mark.parametrize("command", ["demo", "mine"])
def test_a_cache_variable_naming_a_file_is_refused_before_the_demo_model_loads(command, problems, tmp_path, capsys,
                                                                               monkeypatch):
    """PTSFAST_CACHE set to a file: the demo's GGUF was converted, then '[Errno 17] File exists' named the file but
    neither the variable nor what to do."""
    import ptsfast.models as models

    monkeypatch.setenv("PTSFAST_CACHE", str(problems / "sub") if command == "mine" else str(problems))
    monkeypatch.setattr(models, "load_demo_model", lambda *a, **k: pytest.fail("the demo model loaded"))
    monkeypatch.setattr(models, "load_model", lambda *a, **k: pytest.fail("the model loaded"))
    out = tmp_path / "out"
    argv = ["demo", "--out", str(out)] if command == "demo" else \
        ["mine", "--model", "demo", "--problems", str(problems), "--out", str(out)]
    assert cli(argv) == 2
    one_line_error(capsys, "PTSFAST_CACHE", f"{problems} is a file", "unset it")
    assert not out.exists()


@pytest.mark.parametrize("command", ["mine", "anchors"])
def test_a_tokenizer_without_a_chat_template_is_refused_before_the_model_loads(command, model_dir, problems,
                                                                               tmp_path, capsys, monkeypatch):
    """A base model's tokenizer (no chat template) without --no-chat-template was refused once the model had loaded:
    minutes for a large one, to learn a flag was missing."""
    import ptsfast.models as models

    monkeypatch.setattr(models, "load_model", lambda *a, **k: pytest.fail("the model loaded"))
    out = tmp_path / "out"
    assert cli([command, "--model", str(model_dir), "--problems", str(problems), "--out", str(out), "--oracle",
                "exact", "--quiet"]) == 2
    one_line_error(capsys, "has no chat template", "--chat-template", "--no-chat-template")
    assert not out.exists()


def test_max_new_tokens_past_the_models_context_is_refused_before_the_model_loads(model_dir, problems, tmp_path,
                                                                                  capsys, monkeypatch):
    """`--max-new-tokens 100000` on a model of 512 positions was refused, naming the largest that fits, only once the
    model had loaded."""
    import ptsfast.models as models

    monkeypatch.setattr(models, "load_model", lambda *a, **k: pytest.fail("the model loaded"))
    out = tmp_path / "out"
    flags = [f for f in FAST if f not in ("--max-new-tokens", "4")]
    assert cli(["mine", "--model", str(model_dir), "--problems", str(problems), "--out", str(out), *flags,
                "--max-new-tokens", "100000"]) == 2
    one_line_error(capsys, "--max-new-tokens 100000", "context of 512", "or less")
    assert not out.exists()


def test_every_flag_of_every_command_says_what_it_does():
    """`--help` listed --top-k, --seed, --split, --system-prompt, report's --run, simulate's --seeds and --gap with no
    word on them (what --top-k 0 or --split tokens means was nowhere on the command line)."""
    from ptsfast.cli import build_parser

    parser = build_parser()
    commands = {"ptsfast": parser, **parser._subparsers._group_actions[0].choices}
    bare = [f"{name} {a.option_strings[-1]}" for name, p in commands.items() for a in p._actions
            if a.option_strings and not a.help]
    assert bare == []
    text = " ".join(commands["mine"].format_help().split())
    assert "(default 0: off; -1 is off too)" in text and "(default logprob)" in text


def test_a_ray_run_that_skipped_every_problem_exits_1_as_one_process_does(problems, tmp_path, capsys, monkeypatch):
    """With --ray a run whose every problem was skipped (too long for the context) exited 0, where the same run in
    one process exits 1 naming why."""
    import ptsfast.pipeline.ray as ray_run

    summary = {"problems": 2, "trajectories": 0, "problems_skipped": 2, "problems_failed": 0,
               "skipped_by_reason": {"too long for the context": 2}, "out_dir": str(tmp_path / "out")}
    monkeypatch.setattr(ray_run, "mine_ray", lambda *a, **k: summary)
    (tmp_path / "model").mkdir()
    assert cli(["mine", "--model", str(tmp_path / "model"), "--problems", str(problems), "--out",
                str(tmp_path / "out"), "--ray", "local", *FAST]) == 1
    assert "every problem was skipped (2 too long for the context)" in capsys.readouterr().err


def test_a_chat_template_that_fails_on_every_problem_exits_non_zero_naming_why(model_dir, problems, tmp_path, capsys):
    """A template that compiles but fails on every prompt (an unknown filter, its own raise_exception) skipped every
    problem before sampling, and the run exited 0 as if done (it is refused before the model loads since round 12)."""
    flags = [f for f in FAST if f != "--no-chat-template"]
    assert cli(["mine", "--model", str(model_dir), "--problems", str(problems), "--out", str(tmp_path / "run"), *flags,
                "--chat-template", "{{ messages[0].content | nosuchfilter }}"]) == 2
    err = capsys.readouterr().err
    assert "the chat template failed on every problem's prompt, so every problem would be skipped" in err, err
    assert not (tmp_path / "run").exists()


@pytest.mark.parametrize("flag, value", [("--estimator-confirm-report-rollouts", "64"),
                                         ("--estimator-confirm-max-rollouts", "64"),
                                         ("--estimator-confirm-confidence", "0.99"),
                                         ("--estimator-confirm-pooled-confidence", "0.9"),
                                         ("--estimator-confirm-margin", "0.05")])
def test_a_confirmation_flag_with_confirm_0_is_refused_not_dropped(flag, value, problems, tmp_path, capsys):
    """--confirm 0 turns the confirmation off: its report batch, cap, confidence and margin were dropped without a
    word (and recorded in run.json as if they had been used)."""
    out = tmp_path / "out"
    assert cli(["mine", "--model", str(tmp_path / "no-model"), "--problems", str(problems), "--out", str(out),
                "--confirm", "0", flag, value]) == 2
    assert "no-model" not in one_line_error(capsys, flag, "--confirm 0", "drop one")
    assert not out.exists()


def test_the_demo_with_confirm_0_is_not_refused_for_its_own_confirmation_cap(tmp_path, capsys, monkeypatch):
    import ptsfast.models as models

    def reached(*a, **k):
        raise models.ModelLoadError("the demo model was reached")

    monkeypatch.setattr(models, "load_demo_model", reached)
    assert cli(["demo", "--out", str(tmp_path / "out"), "--confirm", "0"]) == 2  # past the checks, to the model
    one_line_error(capsys, "the demo model was reached")


@pytest.mark.parametrize("flag, words", [("--gpus-per-worker", ["GPU", "waits for ever"]),
                                         ("--cpus-per-worker", ["CPUs", "waits for ever"])])
def test_a_local_ray_worker_asking_for_more_than_this_machine_has_is_refused(flag, words, problems, tmp_path, capsys,
                                                                            monkeypatch):
    """`--ray local --gpus-per-worker 1` on a machine without a GPU (or more CPUs a worker than it has) started Ray,
    made the run's folder and waited for the resources for ever."""
    import os

    import torch

    import ptsfast.pipeline.ray as ray_run

    monkeypatch.setattr(ray_run, "mine_ray", lambda *a, **k: pytest.fail("Ray was started"))
    too_many = (torch.cuda.device_count() if torch.cuda.is_available() else 0) + 1 if flag.startswith("--gpus") \
        else (os.cpu_count() or 1) + 1
    (tmp_path / "model").mkdir()
    out = tmp_path / "out"
    assert cli(["mine", "--model", str(tmp_path / "model"), "--problems", str(problems), "--out", str(out), *FAST,
                "--ray", "local", flag, str(too_many)]) == 2
    one_line_error(capsys, f"{flag} {too_many}", "--ray local", *words)
    assert not out.exists()
