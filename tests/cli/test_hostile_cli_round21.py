"""Hostile command lines, round 21: a run by the model's cache name resumed on Ray by its snapshot folder."""

import json

import pytest

from ptsfast.cli import main as cli
from helpers.cli_errors import FAST, MINE, one_line_error, write_problems
from test_hostile_cli_round20 import hub  # noqa: F401 - the fixture: the tiny model in a local Hugging Face cache


class _Ray:
    """A Ray session already joined, of one CPU node: enough for a resume with nothing left to mine."""

    def is_initialized(self):
        return True

    def cluster_resources(self):
        return {"CPU": 2.0}

    def nodes(self):
        return []


@pytest.fixture()
def fake_ray(monkeypatch):
    import ptsfast.pipeline.ray as pray

    monkeypatch.setattr(pray, "_ray", lambda: _Ray())


def _mine(model, tmp_path, *extra):
    return cli(["mine", "--model", str(model), "--problems", str(write_problems(tmp_path, 3)), "--out",
                str(tmp_path / "run"), "--device", "cpu", *FAST, *MINE, *extra])


def test_a_run_by_the_cache_name_resumes_on_ray_by_its_snapshot_folder(hub, fake_ray, tmp_path, capsys):
    """`--model org/tiny`, then `--ray --model <its snapshot folder>` (Ray loads a folder, never a name): the run
    fingerprinted the weights in memory, the Ray driver the folder's files, so the resume was refused as 'made from
    other inputs', advising --overwrite. The run records the snapshot's files too, and the same weights resume."""
    assert _mine("org/tiny", tmp_path) == 0
    capsys.readouterr()
    before = (tmp_path / "run" / "pivots.jsonl").read_bytes()
    assert _mine(hub, tmp_path, "--ray", "auto") == 0, capsys.readouterr().err
    summary = json.loads((tmp_path / "run" / "summary.json").read_text())
    assert summary["problems_already_done"] == 3
    assert (tmp_path / "run" / "pivots.jsonl").read_bytes() == before


def test_other_weights_in_the_snapshot_are_refused_on_ray(hub, fake_ray, tmp_path, capsys):
    """The snapshot's files are compared, not trusted: weights saved anew there since the run by name are refused."""
    assert _mine("org/tiny", tmp_path, "--limit", "1") == 0
    capsys.readouterr()
    weights = next(f for f in hub.iterdir() if f.suffix == ".safetensors")
    data = bytearray(weights.read_bytes())
    data[-64:] = bytes(64)
    weights.write_bytes(bytes(data))
    assert _mine(hub, tmp_path, "--ray", "auto") == 2
    one_line_error(capsys, "made from other inputs")
    assert [json.loads(s)["problem_id"] for s in (tmp_path / "run" / "done.jsonl").read_text().splitlines()] == ["q0"]


def test_a_run_without_the_snapshots_fingerprint_is_told_to_resume_without_ray(hub, fake_ray, tmp_path, capsys,
                                                                               monkeypatch):
    """A run by the cache name from an earlier ptsfast (no snapshot fingerprint in its run.json) has nothing a folder
    can be compared with: refused before Ray starts, saying to resume it without --ray by its name (not to discard it
    with --overwrite); as told, it resumes."""
    import ptsfast.pipeline.ray as pray

    assert _mine("org/tiny", tmp_path, "--limit", "1") == 0
    info = json.loads((tmp_path / "run" / "run.json").read_text())
    del info["model_snapshot_weights"]
    (tmp_path / "run" / "run.json").write_text(json.dumps(info))
    capsys.readouterr()
    monkeypatch.setattr(pray, "_ray", lambda: pytest.fail("Ray started"))
    assert _mine(hub, tmp_path, "--ray", "auto") == 2
    err = one_line_error(capsys, "resume it without --ray, with --model org/tiny", "fingerprinted the weights")
    assert "--overwrite" not in err
    assert _mine("org/tiny", tmp_path) == 0


def _script(argv, patch: str) -> str:
    import textwrap

    return (textwrap.dedent("""
        import os, signal, sys
        import ptsfast.cli as cli
        def term():
            os.kill(os.getpid(), signal.SIGTERM)
    """) + textwrap.dedent(patch) + f"sys.exit(cli.main({argv!r}))\n")


def test_a_sigterm_a_library_swallows_and_fails_on_is_said_as_the_interruption(model_dir, tmp_path):
    """SIGTERM as transformers imported its modules for the model's load: an import that catches every exception
    (and so the interruption) left numpy half imported, and the load then failed in a ModuleNotFoundError traceback
    of 'AttentionInterface' (exit 1), of no cause but the signal. An error after an interruption is said as the
    interruption (exit 130, the run resumable), not as a fault to report."""
    import subprocess
    import sys

    out = tmp_path / "run"
    argv = ["mine", "--model", str(model_dir), "--problems", str(write_problems(tmp_path, 3)), "--out", str(out),
            "--device", "cpu", *FAST, *MINE]
    patch = """
        import time
        import ptsfast.models as models
        def load(*a, **k):
            try:  # a library's import that catches everything, the interruption too
                term()
                time.sleep(5)
            except BaseException:
                pass
            raise ModuleNotFoundError("Could not import module 'AttentionInterface'")
        models.load_model = load
    """
    res = subprocess.run([sys.executable, "-c", _script(argv, patch)], capture_output=True, text=True, timeout=120)
    assert res.returncode == 130 and "Traceback" not in res.stderr, res.stderr
    assert res.stderr.strip().splitlines()[-1] == ("ptsfast: interrupted; the run had not started, nothing was "
                                                   "written - rerun the command"), res.stderr
    assert cli([*argv]) == 0


@pytest.mark.parametrize("flag, words", [("--populations", "hard cancel cap alike long"),
                                         ("--rows", "'ptsfast defaults' 'fixed N=64'")])
def test_simulate_with_a_flag_given_no_names_is_refused_not_run_on_the_defaults(flag, words, monkeypatch, capsys):
    """`ptsfast simulate --populations $POPS` of an unset variable: the flag with no names ran the default populations
    (minutes of CPU, not what was asked), where `--seeds` with none is refused. Refused alike, naming the default."""
    import ptsfast.mining.simulate as simulate

    monkeypatch.setattr(simulate, "benchmark", lambda *a, **k: pytest.fail("the benchmark ran"))
    assert cli(["simulate", flag]) == 2
    one_line_error(capsys, f"{flag}: give at least one name", words)


@pytest.mark.parametrize("address", ["", " "])
def test_an_empty_ray_address_is_refused_naming_the_flag(address, model_dir, tmp_path, monkeypatch, capsys):
    """`--ray $ADDRESS` of an unset variable: Ray was started and said only 'Invalid address format: '. Refused before
    Ray starts, naming the flag and the addresses it takes."""
    import ptsfast.pipeline.ray as pray

    monkeypatch.setattr(pray, "_ray", lambda: pytest.fail("Ray started"))
    assert cli(["mine", "--model", str(model_dir), "--problems", str(write_problems(tmp_path)), "--out",
                str(tmp_path / "run"), "--device", "cpu", *FAST, *MINE, "--ray", address]) == 2
    one_line_error(capsys, f"--ray {address!r}: no cluster address", "HOST:6379")
    assert not (tmp_path / "run").exists()


def test_a_schedulers_sigterm_from_outside_mid_run_resumes_to_the_records_of_one_run(model_dir, tmp_path):
    """`kill -TERM` (a job scheduler's) sent by another process once problems were written: exit 130 saying the
    finished problems are kept, the lock released, and the rerun finishes the run with the records an uninterrupted
    run writes (in the order problems finished)."""
    import signal
    import subprocess
    import sys
    import time

    problems = tmp_path / "p.jsonl"
    problems.write_text("".join(json.dumps({"id": f"q{i}", "question": f"w5 w9 w{11 + i}", "answer": "1"}) + "\n"
                                for i in range(24)))
    flags = ["--model", str(model_dir), "--problems", str(problems), "--device", "cpu", *FAST, *MINE,
             "--problems-per-batch", "1"]
    assert cli(["mine", *flags, "--out", str(tmp_path / "clean")]) == 0
    out = tmp_path / "run"
    proc = subprocess.Popen([sys.executable, "-m", "ptsfast.cli", "mine", *flags, "--out", str(out)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    done = out / "done.jsonl"
    deadline = time.monotonic() + 120
    while proc.poll() is None and time.monotonic() < deadline and not (done.exists() and done.read_text().count("\n")):
        time.sleep(0.05)
    proc.send_signal(signal.SIGTERM)
    err = proc.communicate(timeout=120)[1]
    if proc.returncode == 0:
        pytest.skip("the run finished before the signal")
    assert proc.returncode == 130 and "Traceback" not in err, err
    assert err.strip().splitlines()[-1].startswith("ptsfast: interrupted; finished problems are saved"), err
    assert 0 < done.read_text().count("\n") < 24
    assert cli(["mine", *flags, "--out", str(out)]) == 0
    for name in ("problems.jsonl", "pivots.jsonl", "pairs.jsonl"):
        def rows(run):
            return sorted((run / name).read_text().splitlines())
        assert rows(out) == rows(tmp_path / "clean"), name
