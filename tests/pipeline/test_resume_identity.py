"""A resume compares exactly what changes results: settings that do not (--problems-per-batch, --oracle-timeout,
the model's path) are accepted and logged; the weights are compared by content (also when --out is the model
folder), the dtype is compared; a real difference names the setting and offers a new --out first."""

import json
import shutil

import pytest

from ptsfast.cli import main as cli

FAST = ["--no-chat-template", "--oracle", "exact", "--max-new-tokens", "4", "--max-rollouts", "8",
        "--key-max-rollouts", "8", "--quiet"]


def problems_file(tmp_path):
    f = tmp_path / "p.jsonl"
    f.write_text("".join(json.dumps({"id": f"p{i}", "question": f"w{5 + i} w9 w{11 + i}", "answer": "1"}) + "\n"
                         for i in range(2)))
    return f


def done(out):
    return len((out / "done.jsonl").read_text().splitlines())


def error_line(capsys):
    return [line for line in capsys.readouterr().err.splitlines() if line.startswith("ptsfast: error:")]


def test_settings_that_do_not_change_results_resume_and_are_logged(model_dir, tmp_path, caplog):
    problems, out = problems_file(tmp_path), tmp_path / "run"
    mine = ["mine", "--problems", str(problems), "--out", str(out), *FAST]
    assert cli([*mine, "--model", str(model_dir)]) == 0 and done(out) == 2
    moved = tmp_path / "elsewhere" / "model"
    shutil.copytree(model_dir, moved)  # the same weights at another path
    assert cli([*mine, "--model", str(moved), "--problems-per-batch", "3", "--oracle-timeout", "5"]) == 0
    assert "--problems-per-batch 3 (was 8): it does not change results" in caplog.text
    assert "--oracle-timeout 5.0 (was 30.0)" in caplog.text
    assert done(out) == 2  # nothing redone


def test_a_setting_that_changes_results_is_named_and_a_new_out_offered_first(model_dir, tmp_path, capsys):
    problems, out = problems_file(tmp_path), tmp_path / "run"
    mine = ["mine", "--model", str(model_dir), "--problems", str(problems), "--out", str(out), *FAST]
    assert cli(mine) == 0
    capsys.readouterr()
    assert cli([*mine, "--gap", "0.3", "--estimator-growth", "3"]) == 2
    (line,) = error_line(capsys)
    assert "--gap was 0.2, now 0.3" in line and "--estimator-growth" in line
    assert line.index(f"--out {out}-2") < line.index("--overwrite")
    assert cli([*mine, "--dtype", "bfloat16"]) == 2  # the same weights in another precision
    (line,) = error_line(capsys)
    assert "dtype" in line and "'float32'" in line and "'bfloat16'" in line


def test_out_as_the_model_folder_resumes(model_dir, tmp_path):
    model = tmp_path / "model"
    shutil.copytree(model_dir, model)
    problems = problems_file(tmp_path)
    mine = ["mine", "--model", str(model), "--problems", str(problems), *FAST]
    assert cli([*mine, "--out", str(model), "--limit", "1"]) == 0
    assert cli([*mine, "--out", str(model)]) == 0 and done(model) == 2  # its own files are not the weights


def test_min_p_is_part_of_a_run_and_off_is_the_run_recorded_before_it_existed(model_dir, tmp_path, capsys):
    problems, out = problems_file(tmp_path), tmp_path / "run"
    mine = ["mine", "--model", str(model_dir), "--problems", str(problems), "--out", str(out), *FAST]
    assert cli([*mine, "--min-p", "0.1"]) == 0
    record = json.loads((out / "problems.jsonl").read_text().splitlines()[0])
    assert record["sampler"]["min_p"] == 0.1
    capsys.readouterr()
    assert cli(mine) == 2  # min-p off samples other rollouts
    (line,) = error_line(capsys)
    assert "--min-p was 0.1, now" in line
    # a run without min-p records no min_p (as runs from before the flag), so those resume with it off
    plain = tmp_path / "plain"
    assert cli(["mine", "--model", str(model_dir), "--problems", str(problems), "--out", str(plain), *FAST]) == 0
    config = json.loads((plain / "run.json").read_text())["config"]
    assert "min_p" not in config and config["top_p"] == 1.0
    assert cli(["mine", "--model", str(model_dir), "--problems", str(problems), "--out", str(plain), *FAST,
                "--min-p", "0"]) == 0
