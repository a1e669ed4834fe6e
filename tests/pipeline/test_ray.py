"""Mining on Ray workers: same records as one process, workers killed mid-problem, a problem that keeps failing,
the driver killed and rerun.

One local Ray session (2 CPUs) is shared by the whole module; the mining runs use 2 workers on the
tiny model of the end-to-end tests. The oracles below run inside the workers: killing "their own"
process is how a test kills a worker in the middle of a problem.
"""

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

ray = pytest.importorskip("ray", reason="the Ray runner needs ray: pip install ptsfast[ray]")

from mine_script import OPTIONS, PROBLEMS  # noqa: E402

from ptsfast.cli import main as cli  # noqa: E402
from ptsfast.problems.loading import Problem  # noqa: E402
from ptsfast.pipeline.ray import RayOptions, mine_ray  # noqa: E402
from ptsfast.models import load_model  # noqa: E402
from ptsfast.pipeline import mine  # noqa: E402

HERE = Path(__file__).resolve().parents[1] / "helpers"
ray.cloudpickle.register_pickle_by_value(sys.modules[__name__])  # the workers cannot import this test module


class Oracle:
    """``contains_w7``, except that judging a problem of ``kills`` for the ``after``-th time kills the worker.

    ``kills`` maps problem ids to ``"sigkill"`` (the worker's process is SIGKILLed), ``"ray.kill"`` (the
    actor is killed through Ray) or ``"raise"`` (mining raises at every judging: the oracle reports that code
    cannot run isolated, the one oracle failure that is not a verdict). With ``marker_dir`` each problem kills
    once per test (the kill leaves a marker file there); without it, every attempt kills.
    """

    def __init__(self, kills=(), marker_dir=None, after=6):
        self.kills, self.marker_dir, self.after, self.seen = dict(kills), marker_dir, after, {}

    def __call__(self, text, problem):
        how = self.kills.get(problem.id)
        if how == "raise":  # every time
            from ptsfast.problems.oracles import SandboxUnavailable

            raise SandboxUnavailable("no isolation on this node (test)")
        if how is not None:
            self.seen[problem.id] = self.seen.get(problem.id, 0) + 1
            marker = Path(self.marker_dir) / problem.id if self.marker_dir else None
            if self.seen[problem.id] == self.after and not (marker and marker.exists()):
                if marker:
                    marker.write_text(str(os.getpid()))
                if how == "sigkill":
                    os.kill(os.getpid(), signal.SIGKILL)
                ray.kill(ray.get_runtime_context().current_actor, no_restart=False)
                time.sleep(60)
        return "w7" in text.split()  # mine_script.contains_w7 (the workers cannot import mine_script)


@pytest.fixture(scope="module")
def ray_session():
    ray.init(address="local", num_cpus=2, include_dashboard=False)
    yield
    ray.shutdown()


@pytest.fixture(scope="module")
def single(model_dir, tmp_path_factory):
    """The single-process run, problems batched 4 at a time (the Ray workers take them one by one)."""
    out = tmp_path_factory.mktemp("single")
    model, tokenizer = load_model(model_dir)
    opts = OPTIONS.__class__(**{**OPTIONS.__dict__, "problems_per_batch": 4})
    summary = mine(model, tokenizer, PROBLEMS, out, opts, model_name="tiny", oracle=Oracle(), progress=False)
    return out, opts, summary


def records(out):
    """Every output record, keyed by file; sorted, since Ray writes problems in the order they finish."""
    return {name: sorted((Path(out) / name).read_text().splitlines()) for name in
            ("pivots.jsonl", "pairs.jsonl", "problems.jsonl")}


def done_ids_if_any(out):
    return done_ids(out) if (Path(out) / "done.jsonl").exists() else []


def done_ids(out):
    return [json.loads(line)["problem_id"] for line in (Path(out) / "done.jsonl").read_text().splitlines()]


def test_workers_killed_mid_problem_lose_nothing_and_records_equal_one_process(ray_session, model_dir, single,
                                                                               tmp_path, caplog):
    ref, opts, ref_summary = single
    assert ref_summary["pivots"] > 0, "the tiny setup is tuned to produce pivots"
    markers = tmp_path / "kills"
    markers.mkdir()
    oracle = Oracle({"p1": "sigkill", "p2": "ray.kill"}, markers)
    out = tmp_path / "ray"
    with caplog.at_level("WARNING", logger="ptsfast.pipeline.ray"):
        summary = mine_ray(model_dir, PROBLEMS, out, opts, RayOptions(workers=2), model_name="tiny", oracle=oracle,
                           progress=False)
    print("\n".join(r.getMessage() for r in caplog.records))
    assert sorted(p.name for p in markers.iterdir()) == ["p1", "p2"], "both workers were killed mid-problem"
    retried = [r.getMessage() for r in caplog.records if "goes back to the queue" in r.getMessage()]
    assert len(retried) == 2 and all("worker process died" in m for m in retried), retried
    assert sorted(done_ids(out)) == sorted(p.id for p in PROBLEMS)  # each exactly once
    assert records(out) == records(ref)
    for k in ("problems", "pivots", "pairs", "rollouts", "tokens", "kept"):
        assert summary[k] == ref_summary[k], k
    assert summary["problems_failed"] == 0 and summary["workers"] == 2


def test_problems_that_keep_failing_are_recorded_failed_with_the_reason(ray_session, model_dir, single, tmp_path,
                                                                        capsys):
    """p1 kills its worker every time; "bad" makes mining raise."""
    _, opts, _ = single
    out = tmp_path / "ray"
    problems = [*PROBLEMS[:2], Problem("bad", "w5 w9 w11")]
    run = lambda: mine_ray(model_dir, problems, out, opts, RayOptions(workers=2, max_attempts=2),  # noqa: E731
                           model_name="tiny", oracle=Oracle({"p1": "sigkill", "bad": "raise"}, after=1),
                           progress=False)
    summary = run()
    assert summary["problems_failed"] == 2 and summary["problems"] == 1
    rows = {r["problem_id"]: r for r in map(json.loads, (out / "problems.jsonl").read_text().splitlines())}
    # mining raised each time: recorded failed; a worker died each time: not written, listed, tried by a rerun
    assert rows["bad"]["failed"].startswith("2 attempts failed; last: "), rows["bad"]["failed"]
    assert "p1" not in rows
    (died,) = [s for s in summary["skipped"] if s["id"] == "p1"]
    assert died["reason"] == "worker died" and "worker process died" in died["message"], died
    assert "failed" not in rows["p0"] and rows["p0"]["trajectories"]
    again = run()  # a rerun resumes: what is done is not redone or duplicated; p1 is tried again
    assert again["problems_already_done"] == 2 and sorted(done_ids(out)) == ["bad", "p0"]
    assert again["problems_failed"] == 1 and [s["id"] for s in again["skipped"]] == ["p1"]
    assert cli(["report", "--run", str(out)]) == 0


def test_a_ray_resume_refuses_another_dtype_and_records_the_dataset(ray_session, model_dir, single, tmp_path,
                                                                     capsys):
    _, opts, _ = single
    out = tmp_path / "ray"
    mine_ray(model_dir, PROBLEMS[:1], out, opts, RayOptions(workers=1, dtype="float32"), model_name="tiny",
             oracle=Oracle(), progress=False, dataset_id="problems.jsonl")
    run_json = json.loads((out / "run.json").read_text())
    assert run_json["inputs"]["dtype"] == "float32" and run_json["dataset"] == "problems.jsonl"
    with pytest.raises(Exception,
                       match=r"other inputs \(the weights' dtype \(--dtype\): was 'float32', now 'bfloat16'\)"):
        mine_ray(model_dir, PROBLEMS, out, opts, RayOptions(workers=1, dtype="bf16"), model_name="tiny",
                 oracle=Oracle(), progress=False)


def test_without_ray_the_error_says_what_to_install(monkeypatch, tmp_path, capsys):
    import ptsfast

    assert ptsfast.mine_ray is mine_ray and ptsfast.RayOptions is RayOptions
    monkeypatch.setitem(sys.modules, "ray", None)  # as if Ray were not installed
    problems = tmp_path / "problems.jsonl"
    problems.write_text(json.dumps({"id": "a", "question": "w5 w9", "answer": "7"}) + "\n")
    assert cli(["mine", "--model", str(tmp_path), "--problems", str(problems), "--out", str(tmp_path / "o"),
                "--ray", "--quiet"]) == 2
    assert capsys.readouterr().err.strip() == "ptsfast: error: Ray is not installed: pip install 'ptsfast[ray]'"


def test_cli_missing_model_on_a_node_is_one_clear_line(ray_session, tmp_path, capsys):
    problems = tmp_path / "problems.jsonl"
    problems.write_text(json.dumps({"id": "a", "question": "w5 w9", "answer": "7"}) + "\n")
    code = cli(["mine", "--model", str(tmp_path / "nowhere"), "--problems", str(problems), "--out",
                str(tmp_path / "out"), "--ray", "--workers", "1", "--quiet"])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2
    line = [e for e in err if e.startswith("ptsfast: error:")]
    assert len(line) == 1 and "model path" in line[0] and "nowhere" in line[0] and "every node" in line[0], err


@pytest.mark.slow
def test_driver_killed_mid_run_then_rerun_resumes_to_the_same_records(ray_session, model_dir, single, tmp_path):
    ref, opts, _ = single
    out = tmp_path / "ray"
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(HERE), os.environ.get("PYTHONPATH", "")])}
    driver = subprocess.Popen([sys.executable, str(HERE / "ray_driver_script.py"), str(model_dir), str(out),
                               ray.get_runtime_context().gcs_address], env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.time() + 300
    while time.time() < deadline and driver.poll() is None and not done_ids_if_any(out):
        time.sleep(0.05)
    assert driver.poll() is None, "the driver finished before it could be killed"
    driver.send_signal(signal.SIGKILL)
    driver.wait()
    assert 1 <= len(done_ids(out)) < len(PROBLEMS)
    summary = mine_ray(model_dir, PROBLEMS, out, opts, RayOptions(workers=2), model_name="tiny", oracle=Oracle(),
                       progress=False)
    assert summary["problems_already_done"] >= 1
    assert sorted(done_ids(out)) == sorted(p.id for p in PROBLEMS)
    assert records(out) == records(ref)
