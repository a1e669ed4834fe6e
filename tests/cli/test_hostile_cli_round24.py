"""Hostile command lines and API calls, round 24: a resume's refusal and the sampling note naming Python callers'
options rather than the command line's flags; a RolloutEngine of a model without its weights."""

import logging

import pytest
import torch

import ptsfast
from helpers.cli_errors import FAST, MINE, write_problems
from ptsfast.cli import main as cli


def _rows():
    return ptsfast.load_problems([{"id": "a", "question": "w5 w9 w11", "answer": "1"}]).problems


def _options(**kw):
    return ptsfast.MineOptions(oracle="exact", max_new_tokens=4, use_chat_template=False,
                               engine=ptsfast.EngineConfig(num_blocks=64), **kw)  # a small KV pool: fast to make


def test_a_resume_refused_for_a_changed_setting_names_the_python_callers_option(tmp_path, model_dir, capsys):
    """`mine(..., MineOptions(seed=1))` into a run made with seed 0 was refused '(--seed was 0, now 1)': a flag the
    Python caller never wrote. The API names the option; the command line keeps its flag."""
    from tiny_models import tiny_model, tiny_tokenizer

    from ptsfast.outputs.rundir import RunDirError

    out = tmp_path / "api"
    ptsfast.mine(tiny_model("llama"), tiny_tokenizer(), _rows(), out, _options(), progress=False)
    with pytest.raises(RunDirError) as e:
        ptsfast.mine(tiny_model("llama"), tiny_tokenizer(), _rows(), out, _options(seed=1), progress=False)
    assert "MineOptions.seed was 0, now 1" in str(e.value) and "--seed" not in str(e.value), e.value

    argv = ["mine", "--model", str(model_dir), "--problems", str(write_problems(tmp_path, 1)), "--out",
            str(tmp_path / "cli"), "--device", "cpu", *FAST, *MINE]
    assert cli(argv) == 0
    capsys.readouterr()
    assert cli([*argv, "--seed", "1"]) != 0
    err = capsys.readouterr().err
    assert "--seed was 0, now 1" in err and "MineOptions" not in err, err


def test_the_sampling_note_names_the_python_callers_options(tmp_path, caplog):
    """A model whose generation_config samples at temperature 0.3 was mined through the API with the note 'pass
    --temperature 0.3 to mine it as it is usually sampled'."""
    from tiny_models import tiny_model, tiny_tokenizer

    model = tiny_model("llama")
    model.generation_config.do_sample, model.generation_config.temperature = True, 0.3
    model.generation_config.top_p = 0.9
    with caplog.at_level(logging.WARNING, logger="ptsfast"):
        ptsfast.mine(model, tiny_tokenizer(), _rows(), tmp_path / "run", _options(), progress=False)
    note = next(r.getMessage() for r in caplog.records if "generation_config" in r.getMessage())
    assert "MineOptions(temperature=0.3, top_p=0.9)" in note and "--" not in note, note


def _meta_llama():
    from transformers import AutoConfig, AutoModelForCausalLM

    from tiny_models import _COMMON

    with torch.device("meta"):  # what init_empty_weights leaves: shapes, no values
        return AutoModelForCausalLM.from_config(AutoConfig.for_model("llama", **_COMMON)).eval()


def test_a_rollout_engine_of_a_model_without_weights_is_refused_where_it_is_made():
    """`RolloutEngine(model)` of a model built on the meta device was made (its attention switched to ptsfast's) and
    failed only at the first prefill, in torch's 'Tensor.item() cannot be called on meta tensors'."""
    from tiny_models import tiny_tokenizer

    model = _meta_llama()
    attn = model.config._attn_implementation
    with pytest.raises(ValueError) as e:
        ptsfast.RolloutEngine(model, tiny_tokenizer(), ptsfast.EngineConfig(num_blocks=16))
    assert all(w in str(e.value) for w in ("meta device", "init_empty_weights", "load_model(path)")), e.value
    assert model.config._attn_implementation == attn


_HUNG_VERDICTS = """
import os, signal, sys, threading, time
import ptsfast
import ptsfast.pipeline.loop as loop
from tiny_models import tiny_model, tiny_tokenizer
loop.FedCall.BACKGROUND_ON_CPU = True  # verdicts judged in background threads, as on a GPU
rows = [{"id": f"a{i}", "question": f"w5 w9 w{11 + i}", "answer": "1"} for i in range(2)]
rows = ptsfast.load_problems(rows).problems
queued, calls, sent = threading.Event(), [], []
def oracle(text, problem):  # a verdict that never comes (code looping in a sandbox)
    calls.append(1)
    if len(calls) > 12:
        queued.set()
    threading.Event().wait()
def interrupt():
    queued.wait()
    sent.append(time.monotonic())
    os.kill(os.getpid(), signal.SIGINT)
threading.Thread(target=interrupt, daemon=True).start()
o = ptsfast.MineOptions(oracle="exact", max_new_tokens=4, use_chat_template=False, oracle_timeout=1.0,
                        trajectories_per_problem=8, engine=ptsfast.EngineConfig(num_blocks=256))
try:
    ptsfast.mine(tiny_model("llama"), tiny_tokenizer(), rows, sys.argv[1], o, oracle=oracle, progress=False)
except KeyboardInterrupt:
    print(f"unwound in {time.monotonic() - sent[0]:.2f}", flush=True)
"""


def test_an_interrupted_run_waits_for_the_verdicts_running_not_every_one_queued(tmp_path):
    """Ctrl-C or SIGTERM while slow verdicts were judged in the background (a GPU run's code oracle) unwound only once
    every verdict the background jobs had queued had run out its --oracle-timeout, four at a time: 6 s at a 1 s
    timeout here, minutes at the default 30 s. The verdicts running are waited for (one timeout), the rest dropped."""
    import subprocess
    import sys
    from pathlib import Path

    import tiny_models

    script = tmp_path / "hung.py"
    script.write_text(_HUNG_VERDICTS)
    env = {**__import__("os").environ, "PYTHONPATH": str(Path(tiny_models.__file__).parent)}
    done = subprocess.run([sys.executable, str(script), str(tmp_path / "run")], capture_output=True, text=True,
                          env=env, timeout=120)
    line = next((x for x in done.stdout.splitlines() if x.startswith("unwound in")), None)
    assert line is not None, done.stderr[-2000:]
    assert float(line.split()[-1]) < 3.0, line


@pytest.mark.parametrize("given, words", [
    (lambda f: str(f), "ptsfast.load_problems(path).problems"),
    (lambda f: f, "ptsfast.load_problems(path).problems"),
    (lambda f: __import__("pandas").read_json(f, lines=True), "ptsfast.load_problems(rows).problems"),
])
def test_problems_given_as_a_file_or_a_table_name_the_reading(given, words, tmp_path):
    """A DataFrame for the problems was read as its column names ('problems[0] must be a ptsfast.Problem ..., got
    str'), and a file's path as 'got str' / 'got PosixPath', neither saying that load_problems reads them."""
    from tiny_models import tiny_model, tiny_tokenizer

    problems = given(write_problems(tmp_path, 1))
    with pytest.raises(TypeError) as e:
        ptsfast.mine(tiny_model("llama"), tiny_tokenizer(), problems, tmp_path / "run", _options(), progress=False)
    assert words in str(e.value) and "problems[0]" not in str(e.value), e.value
    assert not (tmp_path / "run").exists()


def test_a_generator_of_problems_read_before_is_refused_not_mined_as_none(tmp_path):
    """The same generator given to a second mine() (or read by the caller first) yielded nothing: an empty run folder
    and a summary of 0 problems, said nowhere."""
    from tiny_models import tiny_model, tiny_tokenizer

    problems = (p for p in _rows())
    ptsfast.mine(tiny_model("llama"), tiny_tokenizer(), problems, tmp_path / "first", _options(), progress=False)
    with pytest.raises(ValueError, match="yielded no problem.*read before.*pass a list"):
        ptsfast.mine(tiny_model("llama"), tiny_tokenizer(), problems, tmp_path / "again", _options(), progress=False)
    assert not (tmp_path / "again").exists()


def test_a_model_and_tokenizer_given_the_other_way_round_are_named_so():
    """`mine(tokenizer, model, ...)` and `RolloutEngine(tokenizer, model)` said 'tokenizer must be the model's
    Hugging Face tokenizer, got LlamaForCausalLM' / 'model must be a loaded Hugging Face causal LM, got
    TokenizersBackend', not that the two had swapped places."""
    from tiny_models import tiny_model, tiny_tokenizer

    model, tokenizer = tiny_model("llama"), tiny_tokenizer()
    for call in (lambda: ptsfast.mine(tokenizer, model, _rows(), "unused", _options(), progress=False),
                 lambda: ptsfast.RolloutEngine(tokenizer, model)):
        with pytest.raises(TypeError, match="other way round.*model comes first"):
            call()


@pytest.mark.parametrize("call, given, words", [("find_anchors", _options, "AnchorOptions(run=your_options)"),
                                                ("mine", lambda: ptsfast.AnchorOptions(run=_options()), ".run")])
def test_the_other_commands_options_name_the_way_between_them(call, given, words, tmp_path):
    """find_anchors given the MineOptions (or mine the AnchorOptions) said only 'options must be a
    ptsfast.AnchorOptions, got MineOptions'."""
    from tiny_models import tiny_model, tiny_tokenizer

    with pytest.raises(TypeError) as e:
        getattr(ptsfast, call)(tiny_model("llama"), tiny_tokenizer(), _rows(), tmp_path / "run", given(),
                               progress=False)
    assert words in str(e.value), e.value


def test_a_chat_template_file_given_as_a_path_is_read(tmp_path):
    """`MineOptions(chat_template=Path("t.jinja"))` was 'chat_template (--chat-template) must be a str or None, got
    PosixPath(...)', where a file's name as a str is read."""
    from pathlib import Path

    template = tmp_path / "t.jinja"
    template.write_text("{% for m in messages %}{{ m['content'] }}{% endfor %}")
    options = ptsfast.MineOptions(chat_template=Path(template))
    assert options.chat_template == template.read_text()


def test_a_model_name_given_as_a_folders_path_is_recorded_as_that_folder(tmp_path):
    """`mine(..., model_name=Path(folder))` (the Path load_model took) was 'model_name must be a str, got
    PosixPath'."""
    from pathlib import Path

    from tiny_models import tiny_model, tiny_tokenizer

    model_dir = tmp_path / "model"
    model_dir.mkdir()
    ptsfast.mine(tiny_model("llama"), tiny_tokenizer(), _rows(), tmp_path / "run", _options(),
                 model_name=Path(model_dir), progress=False)
    config = __import__("json").loads((tmp_path / "run" / "run.json").read_text())["config"]
    assert config["model"] == str(Path(model_dir).resolve())


@pytest.mark.parametrize("call", ["mine", "find_anchors"])
def test_an_oracle_that_cannot_take_text_and_problem_is_refused_before_the_run(call, tmp_path):
    """`oracle=lambda text: ...` raised at every verdict: each rollout counted a failure, every problem was written
    done with no pivot, and the rerun with the oracle fixed was refused as made from another oracle."""
    from tiny_models import tiny_model, tiny_tokenizer

    options = _options() if call == "mine" else ptsfast.AnchorOptions(run=_options())
    with pytest.raises(TypeError, match=r"oracle\(text, problem\)"):
        getattr(ptsfast, call)(tiny_model("llama"), tiny_tokenizer(), _rows(), tmp_path / "run", options,
                               oracle=lambda text: True, progress=False)
    assert not (tmp_path / "run").exists()

    class Checker:  # what a user's oracle may be: a function, a method, a callable object, a partial
        def __call__(self, text, problem, strict=False):
            return False

    import functools

    for fine in (Checker(), functools.partial(lambda flag, text, problem: False, True), lambda *a: False):
        from ptsfast.pipeline.run import _check_oracle_takes_two

        _check_oracle_takes_two(fine)


def test_an_ending_signal_that_comes_while_the_exit_handlers_are_swapped_ends_the_process(monkeypatch):
    """A SIGHUP or SIGTERM that came once the command had returned, while its exit handlers were being swapped in
    (signal.signal runs a pending signal's handler first: the one that only notes it), was noted after the note was
    looked at, so a process something kept alive at exit ignored it for good (1 in about 70 runs of a held thread)."""
    import signal

    import ptsfast.cli as command

    ended, swapped = [], []

    def swap(signum, handler):  # the signal arrives as the first handler is swapped: the old one runs it
        if not swapped:
            command._note_ending(signum, None)
        swapped.append(handler)

    monkeypatch.setattr(command, "_EXITING", {"signals": [signal.SIGHUP], "noted": False, "rc": 0})
    monkeypatch.setattr(command.signal, "signal", swap)
    monkeypatch.setattr(command, "_end_now", lambda *_: ended.append(command._EXITING["rc"]))
    command._end_on_signal(0)
    assert ended == [0] and swapped
