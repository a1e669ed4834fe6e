"""Hostile command lines, round 12: a KV cache past the machine's memory, --overwrite beside the user's own report,
--out inside the dataset's folder, flags pasted with typographic dashes, a full disk under standard output or under
a run, --out ., models named in the Hugging Face cache; each refused in one line naming the problem and the way out,
before the model loads, and no finished work lost."""

import pytest

from ptsfast.cli import main as cli
from helpers.cli_errors import ANCHORS, FAST, MINE, no_model_load, one_line_error, write_problems

@pytest.fixture()
def problems(tmp_path):
    return write_problems(tmp_path)


@pytest.mark.parametrize("command, flags", [("mine", MINE), ("anchors", ANCHORS), ("demo", [])])
@pytest.mark.parametrize("gb", ["1e6", "1e300"])
def test_a_kv_cache_past_the_machines_memory_is_refused_before_the_model_loads(command, flags, gb, model_dir,
                                                                              problems, tmp_path, capsys,
                                                                              monkeypatch):
    """--kv-cache-gb 1e6 was refused by the engine once the model had loaded and the run's folder was made; 1e300,
    whose bytes overflow a float, ended there in 'cannot convert float NaN to integer'."""
    no_model_load(monkeypatch)
    out = tmp_path / "run"
    given = [] if command == "demo" else ["--model", str(model_dir), "--problems", str(problems)]
    fast = ["--quiet"] if command == "demo" else FAST
    argv = [command, *given, "--out", str(out), "--device", "cpu", *fast, *flags, "--kv-cache-gb", gb]
    assert cli(argv) == 2
    one_line_error(capsys, f"--kv-cache-gb {float(gb):g}", "GB of memory available on cpu", "lower it")
    assert not out.exists()


@pytest.mark.parametrize("command, flags", [("mine", MINE), ("anchors", ANCHORS)])
def test_overwrite_keeps_a_report_of_the_users_own_and_drops_ptsfasts(command, flags, model_dir, problems, tmp_path,
                                                                      capsys):
    """`mine --overwrite` deleted every file named as a run's, a report.html the user had written there (their notes
    on the run) too; only a report ptsfast wrote is the discarded run's."""
    out = tmp_path / "run"
    argv = [command, "--model", str(model_dir), "--problems", str(problems), "--out", str(out), *FAST, *flags]
    assert cli(argv) == 0
    (out / "report.html").write_text("<html><body>my notes on this run</body></html>\n")
    (out / "report.png").write_bytes(b"\x89PNG my own plot")
    assert cli([*argv, "--overwrite", "--seed", "1"]) == 0
    assert (out / "report.html").read_text() == "<html><body>my notes on this run</body></html>\n"
    assert (out / "report.png").read_bytes() == b"\x89PNG my own plot"
    if command == "mine":  # a report ptsfast wrote is the discarded run's, and goes with it
        (out / "report.html").unlink()
        (out / "report.png").unlink()
        assert cli(["report", "--run", str(out)]) == 0
        assert cli([*argv, "--overwrite", "--seed", "2"]) == 0
        assert not (out / "report.html").exists() and not (out / "report.png").exists()


@pytest.mark.parametrize("command, flags", [("mine", MINE), ("anchors", ANCHORS)])
@pytest.mark.parametrize("sub", ["", "runs/r1"])
def test_an_out_inside_the_problems_folder_is_refused_before_the_model_loads(command, flags, sub, model_dir,
                                                                            tmp_path, capsys, monkeypatch):
    """`--problems ds --out ds` (or ds/runs/r1) mined once; the run's .jsonl files then were the dataset folder's
    data files, and every resume failed ('a dataset repository's folder that datasets could not read'), its
    finished work never resumed."""
    ds = tmp_path / "ds"
    ds.mkdir()
    write_problems(tmp_path).rename(ds / "gsm.jsonl")
    (ds / "README.md").write_text("---\n---\nA dataset.\n")
    before = sorted(p.name for p in ds.iterdir())
    no_model_load(monkeypatch)
    out = ds / sub if sub else ds
    assert cli([command, "--model", str(model_dir), "--problems", str(ds), "--out", str(out), *FAST, *flags]) == 2
    one_line_error(capsys, f"--out {out}", "the --problems folder", "choose an --out outside it")
    assert sorted(p.name for p in ds.iterdir()) == before


def test_bench_dtype_auto_is_the_random_models_own_float32(capsys):
    """`bench --dtype auto` (a dtype every other command takes: the checkpoint's own) ended in a TypeError traceback
    from torch's Module.to(dtype='auto'); the benchmark's random model has no checkpoint, and its own is float32."""
    import json

    assert cli(["bench", "--device", "cpu", "--dtype", "auto", "--prefix", "4", "--n", "2", "--new-tokens", "2",
                "--repeat", "1"]) == 0
    assert json.loads(capsys.readouterr().out)["dtype"] == "float32"


@pytest.mark.parametrize("given, meant", [
    (["\u2014out", "{out}"], "--out"),  # an em dash
    (["--out", "{out}", "\u2013overwrite"], "--overwrite"),  # an en dash
    (["--out", "{out}", "\u2212\u2212seed=3"], "--seed"),  # two minus signs
])
def test_a_flag_pasted_with_a_typographic_dash_names_the_flag(given, meant, problems, tmp_path, capsys):
    """`—out run` (an em dash, as a web page or a word processor writes `--out`) was read as a value: argparse said
    '--out is required' of the flag right there, and `–overwrite` was only an 'unrecognized argument'."""
    out = tmp_path / "o"
    argv = ["mine", "--model", str(tmp_path / "m"), "--problems", str(problems),
            *[g.replace("{out}", str(out)) for g in given]]
    with pytest.raises(SystemExit) as e:
        cli(argv)
    assert e.value.code == 2
    err = capsys.readouterr().err.strip().splitlines()[-1]
    assert err.startswith("ptsfast: error: ") and f"type it as {meant}" in err and "not the ASCII '-'" in err, err
    assert not out.exists()


def test_a_value_starting_with_a_typographic_dash_is_a_value(model_dir, problems, tmp_path, capsys):
    """Only a flag's name is refused: a system prompt that starts with a dash is the user's text."""
    out = tmp_path / "o"
    assert cli(["mine", "--model", str(model_dir), "--problems", str(problems), "--out", str(out), "--oracle", "exact",
                "--max-new-tokens", "4", "--quiet", *MINE, "--chat-template", "{{ messages[-1]['content'] }}",
                "--system-prompt", "\u2014be brief"]) == 0


class FullStdout:
    """Standard output redirected to a file on a full disk (`ptsfast mine ... > mine.log`)."""

    def write(self, text):
        import errno

        raise OSError(errno.ENOSPC, "No space left on device")

    def flush(self):
        pass


@pytest.mark.parametrize("command", ["mine", "report", "export"])
def test_a_full_standard_output_is_not_said_of_out(command, model_dir, problems, tmp_path, capsys, monkeypatch):
    """`ptsfast mine ... > log` with the log's disk full: once the run had finished, its summary could not be printed,
    and the error said '(writing RUN) - free some space (or choose another --out)': a new --out starts the finished run
    over. The export and the report, written whole, were said to have failed the same way."""
    import sys

    out = tmp_path / "run"
    argv = ["mine", "--model", str(model_dir), "--problems", str(problems), "--out", str(out), *FAST, *MINE]
    assert cli(argv) == 0
    capsys.readouterr()
    given = {"mine": argv, "report": ["report", "--run", str(out)],
             "export": ["export", "--run", str(out), "--out", str(tmp_path / "pairs.jsonl")]}[command]
    monkeypatch.setattr(sys, "stdout", FullStdout())
    assert cli(given) == 2
    err = one_line_error(capsys, "No space left on device (writing standard output)", "send it elsewhere")
    assert "another --out" not in err and f"writing {out}" not in err
    if command == "mine":
        assert f"the run in {out} keeps every finished problem" in err
    assert len((out / "done.jsonl").read_text().splitlines()) == 2


@pytest.mark.parametrize("command, flags", [("mine", MINE), ("anchors", ANCHORS)])
def test_a_disk_full_mid_run_does_not_offer_a_new_out(command, flags, model_dir, problems, tmp_path, capsys,
                                                      monkeypatch):
    """A disk that filled up after the first problem said 'free some space (or choose another --out), then rerun the
    same command to resume': rerun with another --out, the run starts over, its finished problems left behind."""
    import errno

    from ptsfast.outputs.rundir import RunWriter

    real, calls = RunWriter.write_records, []

    def full_at_the_second(self, *args, **kw):
        calls.append(1)
        if len(calls) == 2:
            raise OSError(errno.ENOSPC, "No space left on device")
        return real(self, *args, **kw)

    monkeypatch.setattr(RunWriter, "write_records", full_at_the_second)
    out = tmp_path / "run"
    argv = [command, "--model", str(model_dir), "--problems", str(problems), "--out", str(out), *FAST, *flags]
    assert cli(argv) == 2
    err = one_line_error(capsys, f"(writing {out})", "free some space on its disk", "rerun the same command to resume",
                         "a new --out would start the run over")
    assert "or choose another --out" not in err
    monkeypatch.setattr(RunWriter, "write_records", real)
    assert cli(argv) == 0
    assert "problems_already_done  1" in capsys.readouterr().out


@pytest.mark.parametrize("command, flags", [("mine", MINE), ("anchors", ANCHORS)])
def test_a_run_to_resume_on_a_full_disk_is_not_sent_to_another_disk(command, flags, model_dir, problems, tmp_path,
                                                                     capsys, monkeypatch):
    """The resume of a run whose disk had filled up was refused with 'free some space, or pass a path on another
    disk': a path elsewhere starts the run over, its finished problems left in the full one."""
    import os

    out = tmp_path / "run"
    argv = [command, "--model", str(model_dir), "--problems", str(problems), "--out", str(out), *FAST, *flags]
    assert cli([*argv, "--limit", "1"]) == 0
    capsys.readouterr()
    real = os.statvfs

    def statvfs(path):
        st = real(path)
        if str(path).startswith(str(out)):
            return os.statvfs_result((st.f_bsize, st.f_frsize, st.f_blocks, 0, 0, *tuple(st)[5:]))
        return st

    monkeypatch.setattr(os, "statvfs", statvfs)
    no_model_load(monkeypatch)
    assert cli(argv) == 2
    err = one_line_error(capsys, f"--out {out}: the disk holding {out} is full", "free some space, then rerun",
                         "keeps its finished problems", "a path on another disk starts it over")
    assert "or pass a path on another disk" not in err


def cached_model(model_dir, tmp_path, monkeypatch) -> str:
    """``model_dir`` as the model ``tiny/llama`` of a local Hugging Face cache (no folder of that name here)."""
    import shutil

    import huggingface_hub.constants as hub

    snapshot = tmp_path / "hf" / "hub" / "models--tiny--llama" / "snapshots" / "abc123"
    shutil.copytree(model_dir, snapshot)
    (snapshot.parents[1] / "refs").mkdir()
    (snapshot.parents[1] / "refs" / "main").write_text("abc123")
    monkeypatch.setenv("HF_HUB_CACHE", str(tmp_path / "hf" / "hub"))
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setattr(hub, "HF_HUB_CACHE", str(tmp_path / "hf" / "hub"))
    monkeypatch.chdir(tmp_path)
    return "tiny/llama"


@pytest.mark.parametrize("command, flags", [("mine", MINE), ("anchors", ANCHORS)])
def test_a_resume_of_a_cached_models_run_with_another_seed_is_refused_before_it_loads(command, flags, model_dir,
                                                                                     problems, tmp_path, capsys,
                                                                                     monkeypatch):
    """`--model org/name` (a model in the local Hugging Face cache, not a folder): a resume with another --seed was
    refused only once the model had loaded; a folder's was refused before."""
    cached_model(model_dir, tmp_path, monkeypatch)
    out = tmp_path / "run"
    argv = [command, "--model", "tiny/llama", "--problems", str(problems), "--out", str(out), *FAST, *flags]
    assert cli(argv) == 0
    capsys.readouterr()
    no_model_load(monkeypatch)
    assert cli([*argv, "--seed", "3"]) == 2
    one_line_error(capsys, "--seed was 0, now 3", f"--out {out}-2")


@pytest.mark.parametrize("command, flags", [("mine", MINE), ("anchors", ANCHORS)])
def test_max_new_tokens_past_a_cached_models_context_is_refused_before_it_loads(command, flags, model_dir, problems,
                                                                               tmp_path, capsys, monkeypatch):
    """`--model org/name --max-new-tokens 1000` (a context of 512) was refused only once the model had loaded, and
    the run's folder was made; a folder's was refused before, its config read from it."""
    model = cached_model(model_dir, tmp_path, monkeypatch)
    no_model_load(monkeypatch)
    out = tmp_path / "run"
    assert cli([command, "--model", model, "--problems", str(problems), "--out", str(out), *FAST, *flags,
                "--max-new-tokens", "1000"]) == 2
    one_line_error(capsys, "--max-new-tokens 1000", "over the model's context of 512")
    assert not out.exists()


@pytest.mark.parametrize("out", [".", "./"])
def test_a_refused_resume_of_out_dot_names_a_new_folder(out, model_dir, problems, tmp_path, capsys, monkeypatch):
    """`--out .` resumed with another --seed (or by the other kind of run) was refused with only "PosixPath('.') has
    an empty name": the new folder the refusal offers was made of the path's empty name."""
    run = tmp_path / "run"
    run.mkdir()
    monkeypatch.chdir(run)
    argv = ["mine", "--model", str(model_dir), "--problems", str(problems), "--out", out, *FAST, *MINE]
    assert cli(argv) == 0
    capsys.readouterr()
    assert cli([*argv, "--seed", "3"]) == 2
    one_line_error(capsys, "--seed was 0, now 3", f"--out {run}-2")
    assert cli(["anchors", "--model", str(model_dir), "--problems", str(problems), "--out", out, *FAST, *ANCHORS]) == 2
    one_line_error(capsys, "holds a run of pivots (ptsfast mine)", f"--out {run}-2")


def test_an_out_inside_a_save_to_disk_folder_resumes(model_dir, tmp_path, capsys):
    """save_to_disk's folder lists its own files (state.json): a run inside it is never read as its data, and
    resumes."""
    import datasets

    ds = tmp_path / "ds"
    datasets.Dataset.from_list([{"id": f"q{i}", "question": f"w5 w9 w{11 + i}", "answer": "1"}
                                for i in range(2)]).save_to_disk(str(ds))
    argv = ["mine", "--model", str(model_dir), "--problems", str(ds), "--out", str(ds / "run"), *FAST, *MINE]
    assert cli(argv) == 0
    assert cli(argv) == 0
    assert "problems_already_done  2" in capsys.readouterr().out


def test_a_block_size_that_leaves_one_block_names_the_block_size(model_dir, problems, tmp_path, capsys):
    """`--engine-block-size 1000000` leaves the pool one block, which no problem fits beside its rollouts: every
    problem was skipped with 'raise --kv-cache-gb', though the block size was the setting to change."""
    out = tmp_path / "run"
    assert cli(["mine", "--model", str(model_dir), "--problems", str(problems), "--out", str(out), *FAST, *MINE,
                "--engine-block-size", "1000000", "--kv-cache-gb", "1.5"]) == 1
    import json

    skipped = json.loads((out / "summary.json").read_text())["skipped"]
    assert len(skipped) == 2 and all(
        "lower --engine-block-size (1000000 tokens a block: the KV cache holds 1 block)" in s["message"]
        and "raise --kv-cache-gb" not in s["message"] for s in skipped), skipped


def test_anchors_into_its_embedding_models_folder_resumes(model_dir, problems, tmp_path, capsys):
    """`anchors --embedding-model enc --out enc` (or the model's folder, as both): the run's own files were hashed
    with the encoder's, so its first problem changed the encoder's fingerprint and every resume was refused as 'a
    run made from other inputs (embedding_model: ...)'."""
    import shutil

    enc = tmp_path / "enc"
    shutil.copytree(model_dir, enc)
    argv = ["anchors", "--model", str(model_dir), "--problems", str(problems), "--out", str(enc),
            "--embedding-model", str(enc), *FAST, *ANCHORS]
    assert cli(argv) == 0
    capsys.readouterr()
    assert cli(argv) == 0
    assert "problems_already_done  2" in capsys.readouterr().out
    (enc / "tokenizer_config.json").write_text((enc / "tokenizer_config.json").read_text().replace("{", "{ ", 1))
    assert cli(argv) == 2  # the encoder's own files still count
    one_line_error(capsys, "made from other inputs (embedding_model")


@pytest.mark.parametrize("command, flags", [("mine", MINE), ("anchors", ANCHORS)])
def test_a_file_system_that_cannot_sync_a_folder_mines_and_resumes(command, flags, model_dir, problems, tmp_path,
                                                                   capsys, monkeypatch):
    """A FUSE or network mount answering a folder's fsync with EINVAL failed every run at its run.json ('[Errno 22]
    Invalid argument (writing RUN)'), run.json renamed into place already; the files' own fsync still works."""
    import errno
    import os
    import stat

    real = os.fsync

    def fsync(fd):
        if stat.S_ISDIR(os.fstat(fd).st_mode):
            raise OSError(errno.EINVAL, "Invalid argument")
        return real(fd)

    monkeypatch.setattr(os, "fsync", fsync)
    out = tmp_path / "run"
    argv = [command, "--model", str(model_dir), "--problems", str(problems), "--out", str(out), *FAST, *flags]
    assert cli(argv) == 0
    assert cli(argv) == 0
    assert "problems_already_done  2" in capsys.readouterr().out


@pytest.mark.parametrize("command, flags", [("mine", MINE), ("anchors", ANCHORS)])
@pytest.mark.parametrize("flag", ["--system-prompt", "--chat-template"])
def test_a_prompt_flag_holding_a_byte_that_is_not_utf8_is_refused_before_the_model_loads(command, flags, flag,
                                                                                        model_dir, problems, tmp_path,
                                                                                        capsys, monkeypatch):
    """`--system-prompt $'Be brief \\xff'` (a Latin-1 byte, read as a lone surrogate): every problem was skipped as
    'invalid text' once the model had loaded, and the run's folder recorded it."""
    import os

    no_model_load(monkeypatch)
    out = tmp_path / "run"
    bad = os.fsdecode(b"Be brief \xff")
    template = "{{ messages[0]['content'] }} {{ messages[-1]['content'] }}"
    given = ["--chat-template", template, "--system-prompt", bad] if flag == "--system-prompt" else \
        ["--chat-template", template + bad]
    argv = [command, "--model", str(model_dir), "--problems", str(problems), "--out", str(out), "--oracle", "exact",
            "--max-new-tokens", "4", "--quiet", *flags, *given]
    assert cli(argv) == 2
    one_line_error(capsys, f"({flag}) must be text", "is a byte that is not UTF-8")
    assert not out.exists()


def test_a_template_file_whose_name_is_not_utf8_is_read(model_dir, problems, tmp_path):
    """The name of a template's file may hold such bytes (the rule is the text's, not the path's)."""
    import os

    path = tmp_path / os.fsdecode(b"t\xff.jinja")
    path.write_text("{{ messages[-1]['content'] }}")
    assert cli(["mine", "--model", str(model_dir), "--problems", str(problems), "--out", str(tmp_path / "run"),
                "--oracle", "exact", "--max-new-tokens", "4", "--quiet", *MINE, "--chat-template", str(path)]) == 0


@pytest.mark.parametrize("command, flags", [("mine", MINE), ("anchors", ANCHORS)])
def test_a_chat_template_that_fails_on_every_prompt_is_refused_before_the_model_loads(command, flags, model_dir,
                                                                                     problems, tmp_path, capsys,
                                                                                     monkeypatch):
    """A template that raises on every prompt (Gemma's refuses a system role: --system-prompt with it) skipped each
    problem in turn as 'encoding failed', once the model had loaded, and made the run's folder."""
    no_model_load(monkeypatch)
    out = tmp_path / "run"
    template = "{% if messages[0]['role'] == 'system' %}{{ raise_exception('System role not supported') }}" \
               "{% endif %}{{ messages[-1]['content'] }}"
    assert cli([command, "--model", str(model_dir), "--problems", str(problems), "--out", str(out), "--oracle",
                "exact", "--max-new-tokens", "4", "--quiet", *flags, "--chat-template", template,
                "--system-prompt", "Be brief."]) == 2
    one_line_error(capsys, "the chat template failed on every problem's prompt", "System role not supported")
    assert not out.exists()


def test_a_chat_template_that_fails_on_some_prompts_skips_those(model_dir, problems, tmp_path, capsys):
    """Only a template that fails on all of them is refused: one failing on a problem skips that problem."""
    import json

    out = tmp_path / "run"
    template = "{% if 'w11' in messages[-1]['content'] %}{{ raise_exception('not this one') }}{% endif %}" \
               "{{ messages[-1]['content'] }}"
    assert cli(["mine", "--model", str(model_dir), "--problems", str(problems), "--out", str(out), "--oracle",
                "exact", "--max-new-tokens", "4", "--quiet", *MINE, "--chat-template", template]) == 0
    assert json.loads((out / "summary.json").read_text())["skipped_by_reason"] == {"encoding failed": 1}


@pytest.mark.parametrize("out, meant", [("run ", "run"), (" runs/a", "runs/a"), ("runs\t/a", "runs/a")])
@pytest.mark.parametrize("command, flags", [("mine", MINE), ("anchors", ANCHORS)])
def test_a_new_out_folder_named_with_a_space_at_an_end_is_refused(out, meant, command, flags, model_dir, problems,
                                                                  tmp_path, capsys, monkeypatch):
    """`--out 'run '` (a space pasted with the path) made the folder 'run ' beside 'run': the resume typed as --out run
    started the run over in a new folder."""
    monkeypatch.chdir(tmp_path)
    no_model_load(monkeypatch)
    assert cli([command, "--model", str(model_dir), "--problems", str(problems), "--out", out, *FAST, *flags]) == 2
    one_line_error(capsys, f"--out {out!r}: the new folder", "with a space", f"give --out {meant!r}")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["p.jsonl"]


def test_an_existing_out_folder_named_with_a_space_is_used(model_dir, problems, tmp_path, capsys):
    """A folder that exists is the user's choice of name: it is mined into as it is named."""
    (tmp_path / "run ").mkdir()
    assert cli(["mine", "--model", str(model_dir), "--problems", str(problems), "--out", str(tmp_path / "run "),
                *FAST, *MINE]) == 0
