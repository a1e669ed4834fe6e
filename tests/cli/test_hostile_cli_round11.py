"""Hostile command lines, round 11: a run folder another run holds, paths through loops of links, a resume in
another precision, and flags spelt the Python way; each refused in one line naming the problem and the way out,
before the model loads, and no finished work lost."""

import fcntl

import pytest

from ptsfast.cli import main as cli
from helpers.cli_errors import ANCHORS, FAST, MINE, no_model_load, one_line_error, write_problems

@pytest.fixture()
def problems(tmp_path):
    return write_problems(tmp_path)


@pytest.mark.parametrize("command, flags", [("mine", MINE), ("anchors", ANCHORS), ("mine", [*MINE, "--overwrite"])])
def test_a_folder_another_run_is_writing_is_refused_before_the_model_loads(command, flags, model_dir, problems,
                                                                           tmp_path, capsys, monkeypatch):
    """A second `ptsfast mine` into the folder a first one was mining loaded the model (minutes for a large one), and
    only then found the first run's lock."""
    out = tmp_path / "run"
    argv = [command, "--model", str(model_dir), "--problems", str(problems), "--out", str(out), *FAST, *flags]
    assert cli(argv) == 0
    before = {p.name: p.read_bytes() for p in out.iterdir() if p.name != "summary.json"}
    capsys.readouterr()
    no_model_load(monkeypatch)
    with open(out / ".lock", "a") as held:  # the first run, still mining
        fcntl.flock(held, fcntl.LOCK_EX)
        assert cli(argv) == 2
    one_line_error(capsys, "another ptsfast run is writing to", "wait for it or use another --out")
    assert {p.name: p.read_bytes() for p in out.iterdir() if p.name != "summary.json"} == before


def test_a_folder_no_run_holds_any_more_resumes(model_dir, problems, tmp_path, capsys):
    """The lock a finished (or killed) run leaves behind is no run's: the same command resumes."""
    out = tmp_path / "run"
    argv = ["mine", "--model", str(model_dir), "--problems", str(problems), "--out", str(out), *FAST, *MINE]
    assert cli(argv) == 0
    assert (out / ".lock").exists()
    assert cli(argv) == 0
    assert "problems_already_done" in capsys.readouterr().out


@pytest.fixture()
def finished(model_dir, problems, tmp_path):
    """A finished mining run's folder."""
    out = tmp_path / "run"
    assert cli(["mine", "--model", str(model_dir), "--problems", str(problems), "--out", str(out), *FAST, *MINE]) == 0
    return out


@pytest.mark.parametrize("argv, flag", [
    (["mine", "--model", "{nomodel}", "--problems", "{problems}", "--out", "{loop}", *FAST, *MINE], "--out"),
    (["mine", "--model", "{nomodel}", "--problems", "{problems}", "--out", "{loop}/sub", *FAST, *MINE], "--out"),
    (["anchors", "--model", "{nomodel}", "--problems", "{problems}", "--out", "{loop}", *FAST, *ANCHORS], "--out"),
    (["export", "--run", "{run}", "--out", "{loop}"], "--out"),
    (["export", "--run", "{run}", "--out", "{loop}/pairs.jsonl"], "--out"),
    (["export", "--run", "{loop}", "--out", "{tmp}/pairs.jsonl"], "--run"),
    (["report", "--run", "{run}", "--out", "{loop}"], "--out"),
    (["report", "--run", "{loop}"], "--run"),
    (["simulate", "--json", "{loop}"], "--json"),
])
def test_a_path_through_a_loop_of_links_names_the_link_and_its_flag(argv, flag, finished, problems, tmp_path,
                                                                    capsys, monkeypatch):
    """`export --out loop` (a link to a link to itself) ended in a RuntimeError traceback ("Symlink loop"); `mine
    --out loop` called the link one to a folder that does not exist, `report --out loop` and `mine --out loop/sub`
    were a bare "[Errno 40] Too many levels of symbolic links", and `report --run loop` said loop/problems.jsonl was
    not found."""
    import ptsfast.mining.simulate as simulate

    monkeypatch.setattr(simulate, "benchmark", lambda *a, **k: pytest.fail("the benchmark ran"))
    loop, other = tmp_path / "loop", tmp_path / "other"
    loop.symlink_to(other)
    other.symlink_to(loop)
    names = {"nomodel": tmp_path / "no-model", "problems": problems, "loop": loop, "run": finished, "tmp": tmp_path}
    capsys.readouterr()
    assert cli([a.format(**names) for a in argv]) == 2
    one_line_error(capsys, f"{flag} {loop}", "a loop of symbolic links", "pass another path")
    assert not (tmp_path / "no-model").exists() and finished.is_dir()


@pytest.mark.parametrize("command, given, means", [
    ("mine", ["--max_new_tokens", "8"], "did you mean --max-new-tokens?"),
    ("mine", ["--key_max_rollouts=8"], "did you mean --key-max-rollouts?"),
    ("mine", ["--max-rolouts", "8"], "did you mean --max-rollouts?"),
    ("anchors", ["--similarity_threshold", "0.5"], "did you mean --similarity-threshold?"),
    ("mine", ["--threshold", "0.3"], "a flag of `ptsfast anchors`"),
])
def test_a_flag_spelt_the_python_way_or_mistyped_names_the_flag_meant(command, given, means, problems, tmp_path,
                                                                      capsys):
    """`--max_new_tokens 8` (as TRL's and transformers' scripts spell their flags) or `--max-rolouts` said only
    "unrecognized arguments", and `mine --threshold` did not say that anchors has it."""
    argv = [command, "--model", str(tmp_path / "m"), "--problems", str(problems), "--out", str(tmp_path / "o"), *given]
    with pytest.raises(SystemExit) as e:
        cli(argv)
    assert e.value.code == 2
    err = capsys.readouterr().err.strip().splitlines()[-1]
    assert err.startswith(f"ptsfast {command}: error: unrecognized arguments: {given[0]}") and means in err, err
    assert not (tmp_path / "o").exists()


@pytest.mark.parametrize("code", ["ENOSYS", "ENOLCK", "EOPNOTSUPP"])
def test_a_file_system_without_locks_mines_and_warns(code, model_dir, problems, tmp_path, capsys, caplog,
                                                    monkeypatch):
    """On a file system without flock (Lustre mounted without it: ENOSYS; NFS without a lock daemon: ENOLCK) every
    run failed once the model had loaded, with a bare '[Errno 38] Function not implemented'; now it mines, warning
    that a second run into the folder would not be noticed, and resumes."""
    import errno
    import logging

    import ptsfast.outputs.rundir as rundir

    def no_locks(fd, op):
        raise OSError(getattr(errno, code), f"no locks ({code})")

    monkeypatch.setattr(rundir.fcntl, "flock", no_locks)
    out = tmp_path / "run"
    argv = ["mine", "--model", str(model_dir), "--problems", str(problems), "--out", str(out), *FAST, *MINE]
    with caplog.at_level(logging.WARNING, logger="ptsfast"):
        assert cli(argv) == 0
    assert "cannot lock files" in caplog.text and "one run at a time" in caplog.text
    assert len((out / "done.jsonl").read_text().splitlines()) == 2
    assert cli(argv) == 0
    assert "problems_already_done  2" in capsys.readouterr().out


def test_a_resume_in_another_dtype_names_the_flag(model_dir, problems, tmp_path, capsys):
    """`--dtype bfloat16` on a float32 run was refused as "other inputs (dtype: was 'float32', now 'bfloat16')",
    naming no flag: the way out is to drop --dtype (or mine into a new --out)."""
    out = tmp_path / "run"
    argv = ["mine", "--model", str(model_dir), "--problems", str(problems), "--out", str(out), *FAST, *MINE]
    assert cli(argv) == 0
    capsys.readouterr()
    assert cli([*argv, "--dtype", "bfloat16"]) == 2
    one_line_error(capsys, "(--dtype): was 'float32', now 'bfloat16'", f"--out {out}-2")


@pytest.mark.skipif(not __import__("os").path.isdir("/sys/kernel"), reason="needs Linux's /sys")
@pytest.mark.parametrize("command", ["demo", "mine"])
def test_a_cache_no_one_can_write_is_refused_before_the_demo_model_loads(command, problems, tmp_path, capsys,
                                                                         monkeypatch):
    """PTSFAST_CACHE in a folder no file can be made in (/sys here; a read-only share or home elsewhere): the demo's
    GGUF was read and converted, then saving it failed with '[Errno 13] Permission denied', naming no variable."""
    import ptsfast.models as models

    monkeypatch.setenv("PTSFAST_CACHE", "/sys/kernel/ptsfast-cache")
    monkeypatch.setattr(models, "load_gguf_model", lambda *a, **k: pytest.fail("the GGUF was read"))
    monkeypatch.setattr(models, "smollm2_gguf_path", lambda: tmp_path / "smollm2.gguf")
    out = tmp_path / "out"
    argv = ["demo", "--out", str(out)] if command == "demo" else \
        ["mine", "--model", "demo", "--problems", str(problems), "--out", str(out)]
    assert cli(argv) == 2
    one_line_error(capsys, "PTSFAST_CACHE=/sys/kernel/ptsfast-cache", "cannot write in /sys/kernel",
                   "a folder you can write")
    assert not out.exists()


@pytest.mark.parametrize("command, flags, name", [("mine", MINE, "problems.jsonl"), ("mine", MINE, "summary.json"),
                                                  ("anchors", ANCHORS, "sentences.jsonl"),
                                                  ("mine", [*MINE, "--overwrite"], "pairs.jsonl")])
def test_a_folder_holding_files_no_run_wrote_is_refused_before_the_model_loads(command, flags, name, model_dir,
                                                                                problems, tmp_path, capsys,
                                                                                monkeypatch):
    """`--out data` where data/ holds a dataset's own problems.jsonl (and no run.json) was refused, rightly, but only
    once the model had loaded."""
    out = tmp_path / "data"
    out.mkdir()
    (out / name).write_text('{"question": "mine, not a run\'s"}\n')
    no_model_load(monkeypatch)
    assert cli([command, "--model", str(model_dir), "--problems", str(problems), "--out", str(out), *FAST,
                *flags]) == 2
    one_line_error(capsys, f"holds {name} but no run.json", "choose another --out")
    assert [p.name for p in out.iterdir()] == [name]


def _edit_question(run, problems):
    problems.write_text(problems.read_text().replace("w5 w9 w11", "w5 w9 w13"))


def _damage_a_marker(run, problems):
    done = run / "done.jsonl"
    lines = done.read_text().splitlines(keepends=True)
    done.write_text("{bad\n" + "".join(lines[1:]))


def _cut_a_committed_record(run, problems):
    f = run / "problems.jsonl"
    f.write_bytes(f.read_bytes()[:-10])


@pytest.mark.parametrize("command, flags", [("mine", MINE), ("anchors", ANCHORS)])
@pytest.mark.parametrize("change, words", [
    (_edit_question, ["already holds problems with the ids 'q0' but with other content"]),
    (_damage_a_marker, ["done.jsonl line 1 is damaged", "--overwrite"]),
    (_cut_a_committed_record, ["problems.jsonl is shorter", "than its committed size", "--overwrite"]),
])
def test_a_resume_its_records_or_problems_refuse_is_refused_before_the_model_loads(command, flags, change, words,
                                                                                   model_dir, problems, tmp_path,
                                                                                   capsys, monkeypatch):
    """A question fixed under its old id, a damaged done.jsonl or a committed record cut short were refused, rightly,
    but only once the model had loaded (minutes for a large one); the run's files are left as they were."""
    out = tmp_path / "run"
    argv = [command, "--model", str(model_dir), "--problems", str(problems), "--out", str(out), *FAST, *flags]
    assert cli(argv) == 0
    change(out, problems)
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    capsys.readouterr()
    no_model_load(monkeypatch)
    assert cli(argv) == 2
    one_line_error(capsys, *words)
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before


@pytest.mark.parametrize("text, words", [("garbage\n", ["run.json is damaged", "restore it"]),
                                         ('{"tool": "not ptsfast"}\n', ["is not a ptsfast run's", "never deletes"])])
def test_overwrite_of_a_folder_whose_run_json_is_not_a_runs_is_refused_before_the_model_loads(text, words, model_dir,
                                                                                            problems, tmp_path,
                                                                                            capsys, monkeypatch):
    """`--overwrite` where run.json is damaged or another tool's was refused (nothing is deleted that may not be a
    run's), but only once the model had loaded."""
    out = tmp_path / "run"
    argv = ["mine", "--model", str(model_dir), "--problems", str(problems), "--out", str(out), *FAST, *MINE]
    assert cli(argv) == 0
    (out / "run.json").write_text(text)
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    capsys.readouterr()
    no_model_load(monkeypatch)
    assert cli([*argv, "--overwrite"]) == 2
    one_line_error(capsys, *words)
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before


@pytest.mark.parametrize("name", ["report.html", "report.png"])
def test_the_demo_into_a_folder_holding_a_report_it_did_not_write_is_refused_before_it_mines(name, tmp_path, capsys,
                                                                                               monkeypatch):
    """`ptsfast demo --out .` in a folder holding the user's own report.html mined for minutes, then refused to write
    its report over that page (exit 2, the page kept, the report missing)."""
    out = tmp_path / "here"
    out.mkdir()
    (out / name).write_text("my own page\n")
    no_model_load(monkeypatch)
    assert cli(["demo", "--out", str(out), "--quiet"]) == 2
    one_line_error(capsys, f"--out {out} (the demo ends by writing", f"{out / name} exists and is not")
    assert [p.name for p in out.iterdir()] == [name]


@pytest.mark.parametrize("command, flags", [("mine", MINE), ("anchors", ANCHORS)])
@pytest.mark.parametrize("stop, words", [
    (KeyboardInterrupt, ["interrupted; finished problems are saved - rerun it without --overwrite to resume"]),
    (OSError(28, "No space left on device"), ["free some space", "then rerun it without --overwrite to resume"]),
])
def test_a_run_with_overwrite_stopped_midway_says_to_resume_without_it(command, flags, stop, words, model_dir,
                                                                      problems, tmp_path, capsys, monkeypatch):
    """`mine --overwrite` stopped (Ctrl-C, SIGTERM, a full disk) after some problems said "rerun the same command to
    resume": that command, --overwrite and all, discarded the problems it had just finished."""
    from ptsfast.outputs.rundir import RunWriter

    out = tmp_path / "run"
    argv = [command, "--model", str(model_dir), "--problems", str(problems), "--out", str(out), *FAST, *flags]
    assert cli(argv) == 0
    real = RunWriter.write_records

    def stopped_at_the_second(self, problem_id, *a, **k):
        if self.done:
            raise stop
        return real(self, problem_id, *a, **k)

    monkeypatch.setattr(RunWriter, "write_records", stopped_at_the_second)
    capsys.readouterr()
    assert cli([*argv, "--overwrite", "--seed", "3"]) in (2, 130)
    err = capsys.readouterr().err
    assert all(w in err for w in words) and "the same command" not in err, err
    monkeypatch.setattr(RunWriter, "write_records", real)
    assert cli([*argv, "--seed", "3"]) == 0  # as told: it resumes the finished problem
    assert "problems_already_done  1" in capsys.readouterr().out


@pytest.mark.parametrize("device", ["cpux", "cpu0", "cpu:", "cuda:", "cuda:x"])
@pytest.mark.parametrize("command", ["mine", "anchors", "bench"])
def test_a_device_torch_cannot_read_is_one_line(command, device, problems, tmp_path, capsys, monkeypatch):
    """`--device cpux` (or cpu0, cpu:) passed the check of its prefix, then torch's RuntimeError ("Invalid device
    string") ended the command in a traceback."""
    import ptsfast.engine.bench as bench

    monkeypatch.setattr(bench, "random_llama", lambda *a, **k: pytest.fail("the benchmark's model was made"))
    no_model_load(monkeypatch)
    argv = ["bench", "--device", device] if command == "bench" else \
        [command, "--model", str(tmp_path / "m"), "--problems", str(problems), "--out", str(tmp_path / "o"),
         "--device", device]
    assert cli(argv) == 2
    one_line_error(capsys, f"--device {device!r}", "use cpu or cuda")


def test_a_gpu_this_machine_does_not_have_is_named_before_the_model_loads(problems, tmp_path, capsys, monkeypatch):
    """`--device cuda:3` on a machine of one GPU was taken, and the model's load failed on it with CUDA's "invalid
    device ordinal" traceback."""
    import torch

    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    monkeypatch.setattr(torch.cuda, "device_count", lambda: 1)
    no_model_load(monkeypatch)
    assert cli(["mine", "--model", str(tmp_path / "m"), "--problems", str(problems), "--out", str(tmp_path / "o"),
                "--device", "cuda:3"]) == 2
    one_line_error(capsys, "--device cuda:3", "1 CUDA GPU (cuda:0 to cuda:0)")


def test_anchors_max_new_tokens_past_the_models_context_is_refused_before_the_model_loads(model_dir, problems,
                                                                                          tmp_path, capsys,
                                                                                          monkeypatch):
    """`anchors --max-new-tokens 100000` on a model of 512 positions was refused, naming the largest that fits, only
    once the model had loaded (mine says it before)."""
    no_model_load(monkeypatch)
    argv = ["anchors", "--model", str(model_dir), "--problems", str(problems), "--out", str(tmp_path / "o"), *FAST,
            *ANCHORS]
    assert cli([*argv, "--max-new-tokens", "100000"]) == 2
    line = one_line_error(capsys, "--max-new-tokens 100000", "use --max-new-tokens 508 or less")
    assert "context of 512" in line and not (tmp_path / "o").exists()


def test_a_ray_run_past_the_models_context_is_refused_before_ray_starts(model_dir, problems, tmp_path, capsys,
                                                                        monkeypatch):
    """`mine --ray --max-new-tokens 100000` on a model of 512 positions started (or joined) a Ray cluster before its
    driver refused the number; one process refuses it before the model loads."""
    import ptsfast.pipeline.ray as pray

    monkeypatch.setattr(pray, "_ray", lambda: pytest.fail("Ray started"))
    assert cli(["mine", "--model", str(model_dir), "--problems", str(problems), "--out", str(tmp_path / "o"), *FAST,
                *MINE, "--ray", "auto", "--max-new-tokens", "100000"]) == 2
    one_line_error(capsys, "--max-new-tokens 100000", "context of 512")
    assert not (tmp_path / "o").exists()


@pytest.mark.parametrize("tail", [b"\0" * 4096, b'{"problem_id": "q1", "trajec' + b"\0" * 512])
def test_a_power_loss_tail_of_nul_bytes_resumes_to_the_same_records(tail, model_dir, problems, tmp_path, capsys):
    """After a power loss a file system may keep a file's new size but not its new data: the records written after
    the last marker read back as NUL bytes. The resume called them a file changed by hand and refused, so the run
    could not go on; such a tail is a crash's, truncated like a torn record."""
    out, clean = tmp_path / "run", tmp_path / "clean"
    argv = ["mine", "--model", str(model_dir), "--problems", str(problems), *FAST, *MINE]
    assert cli([*argv, "--out", str(clean)]) == 0
    assert cli([*argv, "--out", str(out), "--limit", "1"]) == 0
    with open(out / "problems.jsonl", "ab") as f:
        f.write(tail)
    assert cli([*argv, "--out", str(out)]) == 0
    for name in ("pivots.jsonl", "pairs.jsonl", "problems.jsonl"):
        assert (out / name).read_bytes() == (clean / name).read_bytes(), name


@pytest.mark.parametrize("command", ["mine", "anchors", "simulate", "export"])
def test_an_output_on_a_full_disk_is_refused_before_any_work(command, finished, problems, tmp_path, capsys,
                                                           monkeypatch):
    """A full disk passed the check that an output can be written (an empty file takes no block): a run failed at its
    run.json once the model had loaded, `simulate --json` once the benchmark had run."""
    import os

    import ptsfast.mining.simulate as simulate

    real = os.statvfs
    full = tmp_path / "full"
    full.mkdir()

    def statvfs(path):
        st = real(path)
        if str(path).startswith(str(full)):
            return os.statvfs_result((st.f_bsize, st.f_frsize, st.f_blocks, 0, 0, *tuple(st)[5:]))
        return st

    monkeypatch.setattr(os, "statvfs", statvfs)
    monkeypatch.setattr(simulate, "benchmark", lambda *a, **k: pytest.fail("the benchmark ran"))
    no_model_load(monkeypatch)
    flags = {"mine": FAST + MINE, "anchors": FAST + ANCHORS}.get(command, [])
    argv = {"simulate": ["simulate", "--json", str(full / "scores.json")],
            "export": ["export", "--run", str(finished), "--out", str(full / "pairs.jsonl")]}.get(
        command, [command, "--model", str(tmp_path / "m"), "--problems", str(problems), "--out", str(full / "run"),
                  *flags])
    capsys.readouterr()
    assert cli(argv) == 2
    one_line_error(capsys, str(full), "is full (0 bytes free)", "free some space")
    assert list(full.iterdir()) == []


@pytest.mark.parametrize("flag", ["-v", "--verbose", "--version"])
def test_ptsfasts_own_flag_after_the_command_says_where_it_goes(flag, problems, tmp_path, capsys):
    """`ptsfast mine ... -v` (the usual place for a verbose flag) said only "unrecognized arguments: -v"."""
    with pytest.raises(SystemExit) as e:
        cli(["mine", "--model", str(tmp_path / "m"), "--problems", str(problems), "--out", str(tmp_path / "o"), flag])
    assert e.value.code == 2
    err = capsys.readouterr().err.strip().splitlines()[-1]
    assert f"{flag} is ptsfast's own: put it before the command (ptsfast {flag} mine ...)" in err, err


def test_bench_rollouts_past_the_devices_memory_are_refused_before_the_benchmark(capsys, monkeypatch):
    """`bench --n 100000` ran HF generate with 100,000 copies of the prefix's KV cache (about 350 GB): the process was
    killed by the system without a word (on a GPU, CUDA's out-of-memory traceback)."""
    import ptsfast.engine.bench as bench
    import ptsfast.engine.engine as engine

    monkeypatch.setattr(bench.RolloutComparison, "__init__", lambda *a, **k: pytest.fail("the benchmark ran"))
    monkeypatch.setattr(engine, "available_memory", lambda device: 8e9)
    assert cli(["bench", "--device", "cpu", "--n", "100000"]) == 2
    one_line_error(capsys, "--n 100000", "GB available on cpu", "lower --n")


@pytest.mark.parametrize("command, flag", [("mine", "--problems"), ("mine", "--model"), ("anchors", "--model"),
                                           ("anchors", "--problems")])
def test_an_input_through_a_loop_of_links_names_the_link_and_its_flag(command, flag, model_dir, problems, tmp_path,
                                                                      capsys, monkeypatch):
    """`--problems loop` was "not a file or folder, and not a dataset in the local datasets cache"; `--model loop`
    a model "not in the local Hugging Face cache" that the Hub could not be reached for."""
    loop, other = tmp_path / "loop", tmp_path / "other"
    loop.symlink_to(other)
    other.symlink_to(loop)
    given = {"--problems": str(problems), "--model": str(model_dir), flag: str(loop)}
    no_model_load(monkeypatch)
    argv = [command, "--model", given["--model"], "--problems", given["--problems"], "--out", str(tmp_path / "o"),
            "--oracle", "exact", "--quiet"]
    assert cli(argv) == 2
    one_line_error(capsys, f"{flag} {loop}", "a loop of symbolic links")


def test_a_problems_file_whose_name_is_not_utf8_mines_and_resumes(model_dir, problems, tmp_path, capsys):
    """`--problems $'caf\\xe9.jsonl'` (a Latin-1 name) stopped at the first finished problem with "'utf-8' codec can't
    encode character '\\udce9'", once the model had loaded and on every resume: each record names its dataset."""
    import json
    import os

    named = tmp_path / os.fsdecode(b"caf\xe9.jsonl")
    named.write_bytes(problems.read_bytes())
    out = tmp_path / "run"
    argv = ["mine", "--model", str(model_dir), "--problems", str(named), "--out", str(out), *FAST, *MINE]
    assert cli(argv) == 0
    recs = [json.loads(line) for line in (out / "problems.jsonl").read_text(encoding="utf-8").splitlines()]
    assert len(recs) == 2 and all(r["dataset"].endswith("caf\\udce9.jsonl") for r in recs)
    capsys.readouterr()
    assert cli(argv) == 0
    captured = capsys.readouterr()
    assert "problems_already_done  2" in captured.out and "with problems from" not in captured.err


def test_a_file_system_that_reports_no_size_is_not_called_full(tmp_path, monkeypatch):
    """Some FUSE file systems answer statvfs with zeros (no size, no free blocks) and are writable all the same."""
    import os

    from ptsfast.outputs.rundir import check_writable

    real = os.statvfs
    monkeypatch.setattr(os, "statvfs", lambda path: os.statvfs_result((4096, 4096, 0, 0, 0, *tuple(real(path))[5:])))
    check_writable(tmp_path / "run", folder=True)


def test_a_folder_another_run_is_writing_over_nfs_is_refused_before_the_model_loads(model_dir, problems, tmp_path,
                                                                                     capsys, monkeypatch):
    """Over NFS flock is a POSIX lock, which refuses an exclusive lock on a read-only descriptor (EBADF): the early
    check of the lock, opened read-only, learnt nothing, and the second run loaded the model before it was refused."""
    import errno
    import os

    import ptsfast.outputs.rundir as rundir

    real = fcntl.flock

    def nfs_flock(f, op):
        fd = f if isinstance(f, int) else f.fileno()
        if op & fcntl.LOCK_EX and fcntl.fcntl(fd, fcntl.F_GETFL) & os.O_ACCMODE == os.O_RDONLY:
            raise OSError(errno.EBADF, "Bad file descriptor")
        return real(f, op)

    out = tmp_path / "run"
    argv = ["mine", "--model", str(model_dir), "--problems", str(problems), "--out", str(out), *FAST, *MINE]
    assert cli(argv) == 0
    capsys.readouterr()
    monkeypatch.setattr(rundir.fcntl, "flock", nfs_flock)
    no_model_load(monkeypatch)
    with open(out / ".lock", "a") as held:
        real(held, fcntl.LOCK_EX)
        assert cli(argv) == 2
    one_line_error(capsys, "another ptsfast run is writing to")


@pytest.mark.parametrize("command, flags", [("mine", MINE), ("anchors", ANCHORS)])
@pytest.mark.parametrize("given", [["--tests-field", "test_list"], ["--entry-point-field", "entry_point"]])
def test_a_code_column_without_the_code_oracle_is_refused_not_dropped(command, flags, given, problems, tmp_path,
                                                                     capsys, monkeypatch):
    """`--tests-field test_list` without `--oracle code` was dropped without a word: the code dataset was judged by
    the default oracle (gsm8k's '####' answer), which failed every solution."""
    no_model_load(monkeypatch)
    argv = [command, "--model", str(tmp_path / "m"), "--problems", str(problems), "--out", str(tmp_path / "o"),
            "--quiet", *flags, *given]
    assert cli(argv) == 2
    one_line_error(capsys, f"{given[0]} names what the code oracle runs", "--oracle gsm8k", "add --oracle code")
    assert not (tmp_path / "o").exists()


@pytest.mark.parametrize("seed", ["0", "3"])
def test_the_demo_into_another_runs_folder_is_refused_before_its_model_loads(seed, finished, tmp_path, capsys,
                                                                           monkeypatch):
    """`ptsfast demo --out` a mining run's folder (another model, other settings) loaded the demo's model (its GGUF
    converted on first use) before the writer refused the folder; mine and anchors say it first."""
    before = {p.name: p.read_bytes() for p in finished.iterdir()}
    capsys.readouterr()
    no_model_load(monkeypatch)
    assert cli(["demo", "--out", str(finished), "--quiet", "--seed", seed]) == 2
    one_line_error(capsys, f"{finished} holds a run made with other settings", "--overwrite to discard its 2 finished")
    assert {p.name: p.read_bytes() for p in finished.iterdir()} == before
