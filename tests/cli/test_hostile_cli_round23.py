"""Hostile command lines and API calls, round 23: a model without its weights (on the meta device) given to the
Python API; an out_dir through a loop of links, a link to nothing or a file, a device, an unknown user's ~ or a NUL;
a command whose process something keeps alive after its summary; a tokenizer that is not the model's; problems given
as the load result or as one problem."""

import json
import os
import re
import sys

import pytest
import torch

import ptsfast
from helpers.cli_errors import FAST, MINE, write_problems


def _rows():
    return ptsfast.load_problems([{"id": "a", "question": "w5 w9 w11", "answer": "1"}]).problems


def _options():
    return ptsfast.MineOptions(oracle="exact", max_new_tokens=4, use_chat_template=False)


def _meta_llama():
    from transformers import AutoConfig, AutoModelForCausalLM

    from tiny_models import _COMMON

    with torch.device("meta"):  # what init_empty_weights leaves: shapes, no values
        return AutoModelForCausalLM.from_config(AutoConfig.for_model("llama", **_COMMON)).eval()


@pytest.mark.parametrize("call", ["mine", "find_anchors"])
def test_a_model_without_weights_is_refused_before_the_run_folder(call, tmp_path):
    """A model built under init_empty_weights / torch.device('meta') made the run folder, then failed at the first
    prefill in torch ('Tensor.item() cannot be called on meta tensors', a traceback through transformers)."""
    from tiny_models import tiny_tokenizer

    out = tmp_path / "run"
    options = _options() if call == "mine" else ptsfast.AnchorOptions(run=_options())
    with pytest.raises(ValueError) as e:
        getattr(ptsfast, call)(_meta_llama(), tiny_tokenizer(), _rows(), out, options)
    assert all(w in str(e.value) for w in ("meta device", "init_empty_weights", "load_model(path)")), e.value
    assert not out.exists()


def test_an_offloaded_model_is_refused_naming_the_offload(tmp_path):
    """accelerate's cpu_offload (as device_map with offloading) leaves the weights on the meta device behind hooks:
    the first prefill failed in accelerate ('Cannot copy out of meta tensor')."""
    accelerate = pytest.importorskip("accelerate")
    from tiny_models import tiny_model, tiny_tokenizer

    model = tiny_model("llama")
    accelerate.cpu_offload(model, execution_device=torch.device("cpu"))
    out = tmp_path / "run"
    with pytest.raises(ValueError, match="offloaded.*meta device.*one device"):
        ptsfast.mine(model, tiny_tokenizer(), _rows(), out, _options())
    assert not out.exists()


def test_a_model_with_its_weights_still_mines(tmp_path):
    from tiny_models import tiny_model, tiny_tokenizer

    summary = ptsfast.mine(tiny_model("llama"), tiny_tokenizer(), _rows(), tmp_path / "run", _options(),
                           progress=False)
    assert (tmp_path / "run" / "summary.json").exists() and summary


@pytest.mark.parametrize("make, words", [
    (lambda d: (os.symlink(d / "b", d / "a"), os.symlink(d / "a", d / "b"), d / "a")[2], ["loop of symbolic links"]),
    (lambda d: (os.symlink(d / "b", d / "a"), os.symlink(d / "a", d / "b"), d / "a" / "run")[2],
     ["loop of symbolic links"]),
    (lambda d: (os.symlink(d / "gone", d / "dead"), d / "dead")[1], ["link to", "does not exist"]),
    (lambda d: ((d / "f.txt").write_text("x"), d / "f.txt" / "sub" / "run")[1], ["f.txt is a file", "another path"]),
    (lambda d: "/dev/null", ["device, pipe or socket", "folder"]),
    (lambda d: "~no-such-user-here/run", ["~no-such-user-here names no user", "full path"]),
    (lambda d: str(d / "a\0b"), ["NUL character"]),
])
def test_an_out_dir_no_folder_can_be_made_at_is_named(make, words, tmp_path):
    """`ptsfast.mine(..., out_dir)` through a loop of links, at a link to nothing or under a file failed in its first
    mkdir with a bare '[Errno 17] File exists' / '[Errno 20] Not a directory' naming no argument (the CLI's --out was
    checked; the API's out_dir was not); '~user/run' of an unknown user in 'RuntimeError: Could not determine home
    directory', and a NUL in 'embedded null byte'."""
    from tiny_models import tiny_model, tiny_tokenizer

    out = make(tmp_path)
    with pytest.raises(ValueError) as e:
        ptsfast.mine(tiny_model("llama"), tiny_tokenizer(), _rows(), out, _options(), progress=False)
    assert str(e.value).startswith("out_dir") and all(w in str(e.value) for w in words), e.value


_KEPT_ALIVE = """
import sys, threading
threading.Thread(target=threading.Event().wait, name="held-at-exit").start()  # joined at exit, for ever
from ptsfast.cli import main
sys.exit(main())
"""


@pytest.mark.parametrize("signame, at", [("SIGTERM", "  out_dir"), ("SIGINT", "  out_dir"),
                                         ("SIGHUP", "ptsfast summary")])
def test_an_ending_signal_after_the_summary_ends_a_process_something_keeps_alive(signame, at, model_dir, tmp_path):
    """Once the summary was printed the ending signals were ignored (a complete run must not read as failed), so a
    process that something kept alive at exit (a thread the interpreter joins: a judge still running a verdict, a
    library's worker) ignored SIGTERM and Ctrl-C, and only SIGKILL ended it. Now such a signal then ends it at once,
    with the command's own status."""
    import signal
    import subprocess

    script = tmp_path / "bin" / "ptsfast"  # the command's own process, as its console script starts it
    script.parent.mkdir()
    script.write_text(_KEPT_ALIVE)
    out = tmp_path / "run"
    argv = ["mine", "--model", str(model_dir), "--problems", str(write_problems(tmp_path, 2)), "--out", str(out),
            "--device", "cpu", *FAST, *MINE]
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    proc = subprocess.Popen([sys.executable, str(script), *argv], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, env=env)
    try:
        lines = []
        for line in proc.stdout:
            lines.append(line)
            if line.startswith(at):  # the summary's first line (the command still says it) or its last
                break
        proc.send_signal(getattr(signal, signame))
        rest, err = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    assert proc.returncode == 0, (proc.returncode, err)
    assert json.loads((out / "summary.json").read_text())["problems"] == 2
    assert "Traceback" not in err and "interrupted" not in err, err


def test_a_tokenizer_that_is_not_the_models_is_refused_before_the_first_rollout(tmp_path):
    """A tokenizer with more tokens than the model embeds (another model's, or one whose added tokens the model was
    never resized for) failed only at the problem whose prompt held such a token, mid-run, in 'sequence 0, token 2:
    61 is not a token id in [0, 40)', naming neither the problem nor the tokenizer."""
    from tiny_models import tiny_model, tiny_tokenizer

    rows = ptsfast.load_problems([{"id": "fits", "question": "w5 w9 w12", "answer": "1"},
                                  {"id": "past", "question": "w5 w9 w61", "answer": "1"}]).problems
    out = tmp_path / "run"
    with pytest.raises(ValueError) as e:
        ptsfast.mine(tiny_model("llama", vocab_size=40), tiny_tokenizer(), rows, out, _options(), progress=False)
    assert all(w in str(e.value) for w in ("problem past", "61", "40", "not this model's")), e.value
    assert not (out / "done.jsonl").exists() or not (out / "done.jsonl").read_text().strip()


@pytest.mark.parametrize("given, words", [(lambda rows: ptsfast.load_problems(rows), ".problems"),
                                          (lambda rows: ptsfast.load_problems(rows).problems[0], "[problem]")])
def test_problems_given_as_the_load_result_or_one_problem_name_the_fix(given, words, tmp_path):
    """`mine(model, tok, ptsfast.load_problems(f), ...)` (the LoadResult, not its .problems) or one Problem was
    'problems must be a list of ptsfast.Problem, got LoadResult', not saying how to get the list from it."""
    from tiny_models import tiny_model, tiny_tokenizer

    problems = given([{"id": "a", "question": "w5 w9 w11", "answer": "1"}])
    with pytest.raises(TypeError, match=re.escape(words)):
        ptsfast.mine(tiny_model("llama"), tiny_tokenizer(), problems, tmp_path / "run", _options(), progress=False)
    assert not (tmp_path / "run").exists()


def test_find_anchors_refuses_a_tokenizer_that_is_not_the_models_before_the_first_rollout(tmp_path):
    """find_anchors took the same foreign tokenizer that mine now refuses, and failed deep in the engine at the
    problem whose prompt held a token past the model's embedding."""
    from tiny_models import tiny_model, tiny_tokenizer

    rows = ptsfast.load_problems([{"id": "fits", "question": "w5 w9 w12", "answer": "1"},
                                  {"id": "past", "question": "w5 w9 w61", "answer": "1"}]).problems
    with pytest.raises(ValueError) as e:
        ptsfast.find_anchors(tiny_model("llama", vocab_size=40), tiny_tokenizer(), rows, tmp_path / "anchors",
                             ptsfast.AnchorOptions(run=_options()), progress=False)
    assert all(w in str(e.value) for w in ("problem past", "61", "40", "not this model's")), e.value


def test_a_run_whose_every_problem_failed_encoding_names_the_template_flags(capsys):
    """Every problem skipped as 'encoding failed' (a template failing past the first prompts tried) ended with 'check
    the chat template', naming neither flag that changes it."""
    from ptsfast.cli import _nothing_mined

    summary = {"problems": 0, "trajectories": 0, "problems_skipped": 12, "out_dir": "runs/x",
               "skipped_by_reason": {"encoding failed": 12}}
    assert _nothing_mined(summary) == 1
    line = capsys.readouterr().err
    assert "--chat-template" in line and "--no-chat-template" in line, line


def test_a_run_folders_refusal_names_the_callers_own_words(tmp_path, model_dir):
    """A run folder's refusals said '(--out DIR-2), or pass --overwrite' to Python callers, who wrote out_dir= and
    overwrite=True; the command line, which calls the same mine(), keeps its flags."""
    import subprocess

    from tiny_models import tiny_model, tiny_tokenizer

    from ptsfast.outputs.rundir import RunDirError

    rows = ptsfast.load_problems([{"id": "a", "question": "w5 w9 w11", "answer": "1"}]).problems
    out = tmp_path / "api"
    ptsfast.mine(tiny_model("llama"), tiny_tokenizer(), rows, out, _options(), progress=False)
    other = ptsfast.MineOptions(oracle="exact", max_new_tokens=5, use_chat_template=False)
    for again in (lambda: ptsfast.mine(tiny_model("llama"), tiny_tokenizer(), rows, out, other, progress=False),
                  lambda: ptsfast.find_anchors(tiny_model("llama"), tiny_tokenizer(), rows, out,
                                               ptsfast.AnchorOptions(run=other), progress=False)):
        with pytest.raises(RunDirError) as e:
            again()
        assert "out_dir=" in str(e.value) or "overwrite=True" in str(e.value), e.value
        assert "--out" not in str(e.value) and "--overwrite" not in str(e.value), e.value

    problems = str(write_problems(tmp_path, 1))
    argv = ["mine", "--model", str(model_dir), "--problems", problems, "--out", str(tmp_path / "cli"), "--device",
            "cpu", *FAST, *MINE]
    command = [sys.executable, "-c", "import sys; from ptsfast.cli import main; sys.exit(main())"]
    assert subprocess.run([*command, *argv], capture_output=True).returncode == 0
    again = [*argv[:argv.index("--max-new-tokens") + 1], "5", *argv[argv.index("--max-new-tokens") + 2:]]
    err = subprocess.run([*command, *again], capture_output=True, text=True).stderr
    assert "--overwrite" in err and "overwrite=True" not in err, err
