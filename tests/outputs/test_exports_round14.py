"""Exports of round 14: codelion's event-schema readers, empty exports, reports that cannot be written whole."""

import json
import os

import pytest
from test_exports_round9 import hand_run

from ptsfast.outputs.export import export

_V1_RESERVED = {"query", "pivot_context", "pivot_token", "pivot_token_id", "prob_before", "prob_after", "prob_delta",
                "is_positive", "model_id", "task_type", "dataset_id", "dataset_item_id", "timestamp"}


def read(path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def codelion_event_dpo(rec: dict):
    """The pair codelion/pts's event-schema `pts export --format dpo` makes of a pivotal_tokens.jsonl record (its
    reader moves every field it does not reserve into the event's metadata): a positive event is chosen against its
    metadata's rejected_token, a negative one rejected against its chosen_token; counterpart_verified says both
    sides' p were measured. None where it finds no counterpart (it skips the event)."""
    meta = {k: v for k, v in rec.items() if k not in _V1_RESERVED}
    if rec["is_positive"]:
        if meta.get("rejected_token") is None:
            return None
        return (rec["pivot_context"], rec["pivot_token"], meta["rejected_token"],
                rec["prob_after"] is not None and meta.get("rejected_prob") is not None)
    if meta.get("chosen_token") is None:
        return None
    return (rec["pivot_context"], meta["chosen_token"], rec["pivot_token"],
            meta.get("chosen_prob") is not None and rec["prob_after"] is not None)


def test_codelions_event_schema_dpo_export_makes_every_mined_pair_of_a_pts_record_measured(tmp_path):
    """codelion/pts now reads a pivotal_tokens.jsonl record as an event and pairs a negative pivot with its metadata's
    chosen_token (a positive one with rejected_token), each with its measured p: a lowering pivot's pair, written as
    rejected_token alone, was skipped ('no verified counterpart'), and a raising one's was marked
    counterpart_verified false, though ptsfast measured both sides."""
    run = hand_run(tmp_path, [(7, "raises", "confirmed", 0.3, 0.8), (9, "lowers", "confirmed", 0.7, 0.2),
                              (9, "lowers", "undecided", 0.4, 0.5)])
    assert export(run, tmp_path / "pts.jsonl", fmt="pts") == 3
    assert export(run, tmp_path / "pairs.jsonl") == 3
    mined = {(r["prompt"], r["chosen"], r["rejected"]) for r in read(tmp_path / "pairs.jsonl")}
    pts = read(tmp_path / "pts.jsonl")
    made = [codelion_event_dpo(r) for r in pts]
    assert made[0] is not None and made[0][:3] in mined and made[0][3], made[0]
    assert made[1] is not None and made[1][:3] in mined and made[1][3], made[1]
    assert made[2] is None  # its report moved against its direction: no pair handed over the other way round
    pairs = {(r["problem_id"], r["position"]): r for r in read(tmp_path / "pairs.jsonl")}
    for r in pts[:2]:
        pair = pairs[(r["problem_id"], r["position"])]
        if r["is_positive"]:
            assert r["rejected_prob"] == pair["p_rejected"] and "chosen_token" not in r
        else:
            assert (r["chosen_token_id"], r["chosen_prob"]) == (pair["chosen_ids"][0], pair["p_chosen"])
            assert r["rejected_token"] == r["chosen_token"]  # the older reader's field, kept


@pytest.mark.parametrize("kind", ["pairs", "pivots"])
def test_an_hf_export_of_no_records_loads_back(tmp_path, kind):
    """A run without pairs (or pivots) exported as hf wrote a folder with no data file: datasets' load_from_disk
    failed on it with 'list index out of range', and load_pairs called it 'neither a ptsfast run folder nor a
    datasets folder'."""
    import datasets

    from ptsfast.outputs.dpo import load_pairs
    from ptsfast.outputs.rundir import RunWriter

    with RunWriter(tmp_path / "run", {"model": "tiny"}) as w:
        w.write_problem("p", [], [], {"question": "What is w3?"})
    assert export(tmp_path / "run", tmp_path / "hf", fmt="hf", kind=kind) == 0
    ds = datasets.load_from_disk(str(tmp_path / "hf"))
    assert len(ds) == 0 and {"problem_id", "position", "prompt_ids" if kind == "pairs" else "prefix_ids"} <= \
        set(ds.column_names)
    if kind == "pairs":
        with pytest.raises(ValueError, match="holds no pairs"):
            load_pairs(tmp_path / "hf")
    assert export(tmp_path / "run", tmp_path / "hf", fmt="hf", kind=kind) == 0  # a re-export replaces it


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    from tiny_models import mine_tiny_pivot_run

    out = tmp_path_factory.mktemp("round14") / "run"
    mine_tiny_pivot_run(out)
    return out


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="needs /dev/full")
@pytest.mark.parametrize("failing", ["report.html", "report.png"])
def test_a_report_whose_page_or_plot_cannot_be_written_replaces_neither(run, tmp_path, monkeypatch, failing):
    """A disk that fills up while a report is written: the plot was written (replacing the old one) before the
    page, whose write then failed with the system's bare 'No space left on device', naming no file - the old page
    stayed beside the new plot. Now neither is replaced, and the error names the file."""
    import errno
    import tempfile

    from ptsfast.outputs import rundir
    from ptsfast.outputs.report import write_report

    page, plot = write_report(run, tmp_path / "report.html")
    before = {p: os.stat(p).st_ino for p in (page, plot)}
    real = tempfile.mkstemp

    def full_disk(*args, **kwargs):  # the temporary file of ``failing`` is written on a full disk
        fd, name = real(*args, **kwargs)
        if os.path.basename(name).startswith(f".{failing}."):
            os.close(fd)
            fd = os.open("/dev/full", os.O_WRONLY)
        return fd, name

    monkeypatch.setattr(rundir.tempfile, "mkstemp", full_disk)
    with pytest.raises(OSError) as e:
        write_report(run, tmp_path / "report.html")
    assert e.value.errno == errno.ENOSPC and e.value.filename == str(tmp_path / failing)
    assert {p: os.stat(p).st_ino for p in (page, plot)} == before, "one of them was replaced"
    assert sorted(os.listdir(tmp_path)) == ["report.html", "report.png"]  # no temporary file left


def test_a_recheck_refusing_a_tokenizer_whose_chat_template_alone_changed_says_why(tmp_path):
    """A tokenizer_config.json whose chat template was updated since the run (the same vocabulary) is refused by a
    re-estimate, which reads its prompt ids from problems.jsonl and uses no template: run.json keeps one fingerprint
    of vocabulary, special tokens and template. The message named the three as if the template changed the
    prompts."""
    from tiny_models import first_of_w7_w9, tiny_pivot_model, tiny_tokenizer

    from ptsfast.engine import EngineConfig, RolloutEngine
    from ptsfast.mining.types import FilterConfig, MiningConfig
    from ptsfast.pipeline import MineOptions, mine
    from ptsfast.pipeline.recheck import recheck_run
    from ptsfast.problems.loading import Problem

    problems = [Problem("p0", "w3 w16 w29")]
    options = MineOptions(max_new_tokens=6, use_chat_template=False,
                          mining=MiningConfig(filter=FilterConfig(enabled=False)),
                          engine=EngineConfig(num_blocks=128, block_size=8))
    mine(tiny_pivot_model(), tiny_tokenizer(), problems, tmp_path / "run", options, oracle=first_of_w7_w9,
         progress=False)
    tok = tiny_tokenizer()
    tok.chat_template = "{% for m in messages %}{{ m['content'] }}{% endfor %}"
    engine = RolloutEngine(tiny_pivot_model(), tok, EngineConfig(num_blocks=128, block_size=8))
    with pytest.raises(ValueError) as e:
        recheck_run(engine, tok, tmp_path / "run", problems, options, 2, oracle=first_of_w7_w9)
    msg = str(e.value)
    assert "chat template changed alone" in msg and "one fingerprint" in msg and "problems.jsonl" in msg, msg


@pytest.mark.skipif(not os.path.exists("/proc/locks"), reason="reads /proc/locks")
def test_reading_a_run_still_being_mined_says_it_holds_the_problems_finished_so_far(run, tmp_path, caplog):
    """An export, the pairs loaded for training and the report of a run that another process is mining into held
    the problems it had finished, without a word: a partial dataset taken for the run's."""
    import fcntl
    import shutil

    from ptsfast.outputs.dpo import load_pairs
    from ptsfast.outputs.report import write_report

    live = tmp_path / "live"
    shutil.copytree(run, live)
    said = "is still being mined (a process holds its lock)"
    with open(live / ".lock", "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # as the mining run's writer holds it
        export(live, tmp_path / "pairs.jsonl")
        load_pairs(live)
        write_report(live, tmp_path / "report.html")
    assert caplog.text.count(said) == 3 and "the 3 problems it finished so far" in caplog.text, caplog.text
    caplog.clear()
    export(live, tmp_path / "pairs.jsonl")  # the run is done: its lock is let go
    write_report(live, tmp_path / "report.html")
    assert said not in caplog.text
    assert os.path.exists(live / ".lock")  # nothing of the run was touched


def other_run(root):
    """A run of another problem, mined by another model: each pair of it names them."""
    from ptsfast.outputs.rundir import RunWriter

    pair = {"prompt": "w5", "chosen": " w7", "rejected": " w9", "prompt_ids": [5], "chosen_ids": [7],
            "rejected_ids": [9], "problem_id": "q-other", "trajectory": "q-other#0", "position": 0,
            "direction": "raises", "delta": 0.5, "p_chosen": 0.7, "p_rejected": 0.2, "model": "other-model", "seed": 0}
    with RunWriter(root, {"model": "other-model"}) as w:
        w.write_problem("q-other", [], [pair], {"question": "What is w5?"})
    return root


def test_an_hf_export_of_another_run_is_not_replaced_without_force(run, tmp_path):
    """The write rule reads the problems and model of an earlier export to tell another run's from this run's: of an
    hf folder it read none, so an hf export of one run silently replaced another run's."""
    from ptsfast.outputs.source import ExportError

    out = tmp_path / "hf"
    n = export(run, out, fmt="hf")
    assert export(run, out, fmt="hf") == n  # this run's again: replaced
    with pytest.raises(ExportError, match=r"hf pairs export with 3 problems that are not this run.s.*--force"):
        export(other_run(tmp_path / "other"), out, fmt="hf")
    import datasets

    assert len(datasets.load_from_disk(str(out))) == n
    assert export(tmp_path / "other", out, fmt="hf", force=True) == 1


def test_an_export_of_the_same_problems_by_a_run_of_another_seed_is_not_replaced_without_force(run, tmp_path):
    """Two runs over the same problems with the same model (another --seed, a run mined again with --overwrite) made
    records of the same problems and model: the earlier one's export at the path was replaced without --force."""
    from ptsfast.outputs.source import ExportError

    out = tmp_path / "pairs.jsonl"
    export(run, out)
    recs = read(out)
    out.write_text("".join(json.dumps({**r, "seed": 7}) + "\n" for r in recs), encoding="utf-8")  # seed 7's run
    with pytest.raises(ExportError, match="not this run's.*other problems, model or seed"):
        export(run, out)
    assert read(out)[0]["seed"] == 7
    assert export(run, out, force=True) == len(recs)


def test_a_text_only_trl_export_is_replaced_by_its_re_export_but_never_a_users_text_pairs(run, tmp_path):
    """The trl export with the text alone (keep_fields=False, TRL's text path) writes no problem id: a second export
    to its path was refused as data 'ptsfast did not export', with or without --force."""
    from ptsfast.outputs.source import ExportError

    out = tmp_path / "text.jsonl"
    n = export(run, out, keep_fields=False)
    assert export(run, out, keep_fields=False) == n
    with pytest.raises(ExportError, match="earlier trl text-only .* export; refusing .* --force"):
        export(run, out)  # the full records: another kind of export
    theirs = tmp_path / "theirs.jsonl"
    theirs.write_text(json.dumps({"prompt": "Q: 1+1?", "chosen": " 2", "rejected": " 3"}) + "\n", encoding="utf-8")
    for force in (False, True):
        with pytest.raises(ExportError, match="not all this run's.*never replaces it"):
            export(run, theirs, keep_fields=False, force=force)


def test_a_recheck_given_a_problem_whose_tests_or_choices_are_not_the_runs_is_refused(tmp_path):
    """The re-estimate compared a problem's question and answer with problems.jsonl, not what else the oracle reads:
    a code problem from another version of its dataset (other tests) re-judged every rollout by other tests, and the
    run's pivots were reported as not holding."""
    from tiny_models import first_of_w7_w9, tiny_pivot_model, tiny_tokenizer

    from ptsfast.engine import EngineConfig, RolloutEngine
    from ptsfast.mining.types import FilterConfig, MiningConfig
    from ptsfast.pipeline import MineOptions, mine
    from ptsfast.pipeline.recheck import recheck_run
    from ptsfast.problems.loading import Problem

    tests = "assert f(1) == 2"
    problem = Problem("c0", "w3 w16 w29", tests=tests, choices=("w7", "w9"), meta={"entry_point": "f"})
    options = MineOptions(max_new_tokens=6, use_chat_template=False,
                          mining=MiningConfig(filter=FilterConfig(enabled=False)),
                          engine=EngineConfig(num_blocks=128, block_size=8))
    mine(tiny_pivot_model(), tiny_tokenizer(), [problem], tmp_path / "run", options, oracle=first_of_w7_w9,
         progress=False)
    tok = tiny_tokenizer()
    engine = RolloutEngine(tiny_pivot_model(), tok, EngineConfig(num_blocks=128, block_size=8))
    for other, named in ((Problem("c0", problem.question, tests="assert f(1) == 3", choices=problem.choices,
                                  meta=problem.meta), "tests"),
                         (Problem("c0", problem.question, tests=tests, choices=("w9", "w7"), meta=problem.meta),
                          "choices"),
                         (Problem("c0", problem.question, tests=tests, choices=problem.choices), "entry_point")):
        with pytest.raises(ValueError, match=f"problem c0: its {named} .* not the run's"):
            recheck_run(engine, tok, tmp_path / "run", [other], options, 2, oracle=first_of_w7_w9)
    recheck_run(engine, tok, tmp_path / "run", [problem], options, 2, oracle=first_of_w7_w9)


@pytest.mark.parametrize("suffix", ["gz", "bz2", "xz"])
def test_an_export_of_a_records_file_compressed_afterwards_says_to_decompress_it(run, tmp_path, capsys, suffix):
    """A pairs.jsonl compressed after the run (load_pairs reads it so) given to the export: 'line 1 is not JSON
    ('utf-8' codec can't decode byte 0x8b ...)', naming no archive."""
    import bz2
    import gzip
    import lzma

    from ptsfast.cli import main as cli

    packed = tmp_path / f"pairs.jsonl.{suffix}"
    opener = {"gz": gzip.open, "bz2": bz2.open, "xz": lzma.open}[suffix]
    with opener(packed, "wb") as f:
        f.write((run / "pairs.jsonl").read_bytes())
    assert cli(["export", "--run", str(packed), "--out", str(tmp_path / "out.jsonl"), "--quiet"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    name = {"gz": "gzip", "bz2": "bzip2", "xz": "xz"}[suffix]
    assert len(err) == 1 and f"is {name}-compressed, not JSON lines: decompress it first" in err[0], err
    assert not (tmp_path / "out.jsonl").exists()


@pytest.mark.parametrize("name", ["chatml", "llama2-style"])
def test_text_exact_is_what_the_installed_trl_makes_of_pairs_at_token_boundaries(name, tmp_path):
    """The installed TRL's text path (DPOTrainer's tokenisation of prompt, prompt + chosen and prompt + rejected, the
    completion starting where they part) against text_exact, on pairs whose prompt ends in a space, inside a word
    or a character, or in a token that merges with the completion: wherever a pair says its text is exact, TRL
    gives back the mined prompt and the one mined token (then its EOS); nowhere else."""
    pytest.importorskip("trl")
    import random

    from test_exports_round8 import INST, chatml, sentencepiece_like
    from test_exports_round9 import trl_prepared

    from ptsfast.outputs.rundir import pair_record

    tok = chatml() if name == "chatml" else sentencepiece_like("{{ bos_token }}" + INST)
    rng, est = random.Random(0), {"p": 0.5, "successes": 4, "trials": 8, "lo": 0.2, "hi": 0.8, "exact": False}
    rows = []
    for text in ("Tom has 3 apples and buys 5 more.", "héllo wörld 日本", "a  b\n\n c \t d  "):
        ids = tok(text)["input_ids"]
        for cut in range(1, len(ids)):
            for prefix, chosen in ((ids[:cut], ids[cut]), (ids[:cut] + [rng.randrange(3, len(tok))], ids[cut])):
                rejected = rng.choice([t for t in range(3, len(tok)) if t != chosen])
                rows.append(pair_record({"key": "k", "problem_id": "q", "position": 0, "prefix_ids": prefix,
                                         "chosen_id": chosen, "rejected_id": rejected, "chosen": est,
                                         "rejected": est, "direction": "raises"}, tok, {"model": "m"}))
    eos = [tok.eos_token_id]
    got = trl_prepared(rows, tok, tmp_path)
    for r, g in zip(rows, got):
        want = (r["prompt_ids"], r["chosen_ids"] + eos, r["rejected_ids"] + eos)
        assert r["text_exact"] is (g == want), (r["prompt"][-20:], r["chosen"], r["rejected"], g, want)
    assert 0 < sum(r["text_exact"] for r in rows) < len(rows)


def test_a_thought_anchors_export_says_where_codelion_takes_two_sentences_for_one(tmp_path, caplog):
    """codelion/pts's thought anchor names no trajectory: its model, query, sentence_id and sentence are all that
    tells two apart, and its visualizer draws one node per query and sentence_id (the last record's values). The
    same sentence at the same place in two trajectories of a problem (two measurements, after other sentences)
    reads there as one anchor; the warning says so, and names no reader codelion/pts does not have."""
    import logging
    import shutil

    from tiny_models import tiny_anchors_run

    run = tiny_anchors_run(tmp_path / "run")
    loose = tmp_path / "copy"
    loose.mkdir()
    shutil.copy(run / "problems.jsonl", loose / "problems.jsonl")
    recs = read(run / "sentences.jsonl")
    twin = {**recs[-1], "trajectory": "a0#1", "prefix_context": "w10 w12 w30"}  # another trajectory's, same text
    (loose / "sentences.jsonl").write_text("".join(json.dumps(r) + "\n" for r in [*recs, twin]), encoding="utf-8")
    with caplog.at_level(logging.WARNING):
        assert export(loose / "sentences.jsonl", tmp_path / "ta.jsonl", fmt="thought_anchors",
                      kind="sentences") == len(recs) + 1
    assert "1 thought anchors share model_id, query, sentence_id and sentence" in caplog.text, caplog.text
    assert "records name no trajectory" in caplog.text and "event" not in caplog.text, caplog.text
    caplog.clear()
    with caplog.at_level(logging.WARNING):
        export(run, tmp_path / "ta2.jsonl", fmt="thought_anchors", kind="sentences")
    assert "share model_id" not in caplog.text


@pytest.mark.parametrize("kind", ["pairs", "pivots"])
def test_an_hf_export_of_a_run_resumed_across_the_three_confirmation_states_is_written(tmp_path, kind):
    """A run begun by a ptsfast that wrote a pivot's confirmation true or false, resumed by one that writes
    'confirmed' / 'refuted' / 'undecided' (a resume by another version is allowed, and said): its hf export was
    refused as 'a record another tool rewrote' (the field confirmed holding true or false and a text)."""
    import datasets

    from ptsfast.outputs.rundir import RunWriter

    old = hand_run(tmp_path / "old", [(7, "raises", "confirmed", 0.3, 0.8), (9, "lowers", "confirmed", 0.7, 0.2)])
    pivots, pairs, problem = (read(old / f"{n}.jsonl") for n in ("pivots", "pairs", "problems"))
    pivots[0]["confirmed"] = True  # as the earlier release wrote it
    with RunWriter(tmp_path / "run", {"model": "tiny"}) as w:
        w.write_problem("p", pivots[:1], pairs[:1], problem[0])
        w.write_problem("q", [{**pivots[1], "problem_id": "q"}], [{**pairs[1], "problem_id": "q"}],
                        {**problem[0], "problem_id": "q"})
    assert export(tmp_path / "run", tmp_path / "hf", fmt="hf", kind=kind) == 2
    assert datasets.load_from_disk(str(tmp_path / "hf"))["confirmed"] == ["confirmed", "confirmed"]


def test_an_hf_export_through_a_link_replaces_the_folder_it_names_and_keeps_the_link(run, tmp_path):
    """An hf export to a link to an earlier export's folder moved the link aside under a hidden name (where it
    stayed: a link is no folder rmtree removes) and put a folder in its place, the earlier one left as it was."""
    import datasets

    real, link = tmp_path / "data" / "pairs_hf", tmp_path / "pairs_hf"
    real.parent.mkdir()
    export(run, real, fmt="hf", min_delta=0.99)
    link.symlink_to(real, target_is_directory=True)
    n = export(run, link, fmt="hf")
    assert link.is_symlink() and len(datasets.load_from_disk(str(real))) == n
    assert sorted(os.listdir(tmp_path)) == ["data", "pairs_hf"] and os.listdir(real.parent) == ["pairs_hf"]


@pytest.mark.parametrize("damage, said", [
    (lambda text: text[: len(text) // 2], "is damaged"),  # a copy cut short
    (lambda text: json.dumps({**json.loads(text), "format_version": 99}), "is of run format 99"),
    (lambda text: "[]", "is not a ptsfast run's"),
])
def test_a_recheck_of_a_run_whose_run_json_is_damaged_is_refused_naming_it(run, tmp_path, damage, said):
    """The re-estimate read a run.json it could not parse as {}: the checks of the model's files, tokenizer, dtype,
    stop ids and gap against it were skipped without a word, and the fresh rollouts might be another model's."""
    import shutil

    from tiny_models import first_of_w7_w9, tiny_pivot_model, tiny_tokenizer

    from ptsfast.engine import EngineConfig, RolloutEngine
    from ptsfast.mining.types import FilterConfig, MiningConfig
    from ptsfast.pipeline import MineOptions
    from ptsfast.pipeline.recheck import recheck_run
    from ptsfast.problems.loading import Problem

    copy = tmp_path / "run"
    shutil.copytree(run, copy)
    (copy / "run.json").write_text(damage((copy / "run.json").read_text(encoding="utf-8")), encoding="utf-8")
    problems = [Problem(r["problem_id"], r["question"], r.get("answer")) for r in read(copy / "problems.jsonl")]
    options = MineOptions(max_new_tokens=12, trajectories_per_problem=2, use_chat_template=False,
                          mining=MiningConfig(filter=FilterConfig(enabled=False)),
                          engine=EngineConfig(num_blocks=256, block_size=8))
    tok = tiny_tokenizer()
    engine = RolloutEngine(tiny_pivot_model(), tok, EngineConfig(num_blocks=256, block_size=8))
    with pytest.raises(ValueError, match=f"run.json {said}"):
        recheck_run(engine, tok, copy, problems, options, 2, oracle=first_of_w7_w9)


def test_a_recheck_whose_model_cannot_be_compared_with_the_runs_says_so(run, tmp_path, caplog):
    """A run mined with a model built in memory (run.json fingerprints its parameters), re-estimated with a model
    loaded from a folder (fingerprinted by its files), or the other way round: the weights were not compared, and
    nothing said so - another model's rollouts were taken for the run's."""
    import logging

    from tiny_models import first_of_w7_w9, tiny_pivot_model, tiny_tokenizer

    from ptsfast.engine import EngineConfig, RolloutEngine
    from ptsfast.mining.types import FilterConfig, MiningConfig
    from ptsfast.models import load_model
    from ptsfast.pipeline import MineOptions
    from ptsfast.pipeline.recheck import recheck_run
    from ptsfast.problems.loading import Problem

    folder = tmp_path / "model"
    tiny_pivot_model(seed=5).save_pretrained(folder)  # another model, saved in a folder
    tiny_tokenizer().save_pretrained(folder)
    model, tok = load_model(str(folder))
    problems = [Problem(r["problem_id"], r["question"], r.get("answer")) for r in read(run / "problems.jsonl")]
    options = MineOptions(max_new_tokens=12, trajectories_per_problem=2, use_chat_template=False,
                          mining=MiningConfig(filter=FilterConfig(enabled=False)),
                          engine=EngineConfig(num_blocks=256, block_size=8))
    engine = RolloutEngine(model, tok, EngineConfig(num_blocks=256, block_size=8))
    with caplog.at_level(logging.WARNING):
        recheck_run(engine, tok, run, problems, options, 1, oracle=first_of_w7_w9)
    assert "the model's weights are not compared with the run's" in caplog.text, caplog.text
    assert "the weights in memory, this model is fingerprinted by the files of its model folder" in caplog.text


def test_a_report_without_a_plot_leaves_no_earlier_reports_plot_beside_its_page(run, tmp_path):
    """A report written again with no summary plot (max_plots=0, or no trajectory with estimates left) kept the
    earlier report's report.png beside its page: a plot of another state of the run, read as this report's."""
    from ptsfast.outputs.report import write_report

    page, plot = write_report(run, tmp_path / "report.html")
    assert plot is not None and plot.exists()
    page, plot = write_report(run, tmp_path / "report.html", max_plots=0)
    assert plot is None and not (tmp_path / "report.png").exists() and page.exists()
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "report.png").write_bytes(b"\x89PNG my own plot")  # a plot ptsfast did not write: refused, kept
    with pytest.raises(ValueError, match="not a plot ptsfast wrote"):
        write_report(run, mine / "report.html", max_plots=0)
    assert (mine / "report.png").read_bytes() == b"\x89PNG my own plot"


def test_a_recheck_with_another_oracle_timeout_says_so(run, tmp_path, caplog):
    """The oracle's timeout decides a code problem's slow programs (a timeout is a failure): a re-estimate with
    another --oracle-timeout than the run's judged them otherwise without a word."""
    import dataclasses
    import logging

    from tiny_models import first_of_w7_w9, tiny_pivot_model, tiny_tokenizer

    from ptsfast.engine import EngineConfig, RolloutEngine
    from ptsfast.mining.types import FilterConfig, MiningConfig
    from ptsfast.pipeline import MineOptions
    from ptsfast.pipeline.recheck import recheck_run
    from ptsfast.problems.loading import Problem

    problems = [Problem(r["problem_id"], r["question"], r.get("answer")) for r in read(run / "problems.jsonl")]
    options = MineOptions(max_new_tokens=12, trajectories_per_problem=2, use_chat_template=False,
                          mining=MiningConfig(filter=FilterConfig(enabled=False)),
                          engine=EngineConfig(num_blocks=256, block_size=8))
    tok = tiny_tokenizer()
    engine = RolloutEngine(tiny_pivot_model(), tok, EngineConfig(num_blocks=256, block_size=8))
    with caplog.at_level(logging.WARNING):
        recheck_run(engine, tok, run, problems, options, 1, oracle=first_of_w7_w9)
    assert "oracle_timeout" not in caplog.text
    with caplog.at_level(logging.WARNING):
        recheck_run(engine, tok, run, problems, dataclasses.replace(options, oracle_timeout=2.0), 1,
                    oracle=first_of_w7_w9)
    assert "oracle_timeout 2.0, the run's 30.0" in caplog.text, caplog.text


@pytest.mark.parametrize("fmt", ["hf", "jsonl"])
def test_an_hf_or_jsonl_export_of_pairs_says_where_the_installed_trl_reads_its_text_otherwise(run, tmp_path, caplog,
                                                                                               monkeypatch, fmt):
    """An hf folder or a jsonl file of pairs is a dataset TRL's DPOTrainer reads as text, as the trl export's file:
    with a TRL before 0.29 installed (its text path tokenises prompt and completion apart), the trl export warned,
    these not."""
    import importlib.metadata
    import logging

    real = importlib.metadata.version
    monkeypatch.setattr(importlib.metadata, "version", lambda name: "0.28.0" if name == "trl" else real(name))
    with caplog.at_level(logging.WARNING):
        export(run, tmp_path / "out", fmt=fmt)
    assert "trl 0.28.0 is installed" in caplog.text, caplog.text
    caplog.clear()
    with caplog.at_level(logging.WARNING):
        export(run, tmp_path / "pivots_out", fmt=fmt, kind="pivots")  # no pairs: no text for TRL
    assert "is installed" not in caplog.text


def test_load_pairs_of_an_hf_export_cut_short_says_it_is_damaged(run, tmp_path):
    """An hf export whose data file was cut (copied while written, a full disk) was called 'neither a ptsfast run
    folder nor a datasets folder', which it is."""
    from ptsfast.outputs.dpo import load_pairs

    out = tmp_path / "hf"
    export(run, out, fmt="hf")
    data = next(out.glob("data-*.arrow"))
    data.write_bytes(data.read_bytes()[: data.stat().st_size // 2])
    with pytest.raises(ValueError, match="is a datasets folder that does not load .* export it again"):
        load_pairs(out)


def test_load_pairs_of_a_run_that_found_no_pairs_says_so_not_to_loosen_export_filters(tmp_path):
    """A run folder whose pairs.jsonl is empty (the run found none yet) was told to 'loosen the export filters',
    though no export was made."""
    from ptsfast.outputs.dpo import load_pairs
    from ptsfast.outputs.rundir import RunWriter

    with RunWriter(tmp_path / "run", {"model": "tiny"}) as w:
        w.write_problem("p", [], [], {"question": "What is w3?"})
    with pytest.raises(ValueError) as e:
        load_pairs(tmp_path / "run")
    msg = str(e.value)
    assert "the run found none in the 1 problems it finished" in msg and "loosen" not in msg, msg


@pytest.mark.parametrize("call", ["export", "load_pairs", "write_report", "export pairs fifo"])
def test_the_python_api_refuses_a_pipe_for_a_run_at_once(call, tmp_path):
    """export(), load_pairs() and write_report() of a fifo (or of a folder whose pairs.jsonl or run.json is one)
    waited for a writer for ever; the command line refused them, the library did not."""
    import os
    import subprocess
    import sys
    import textwrap

    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    folder = tmp_path / "run"
    folder.mkdir()
    os.mkfifo(folder / ("pairs.jsonl" if call != "write_report" else "run.json"))
    src = fifo if call in ("export", "load_pairs") else folder
    line = {"export": f"export({str(src)!r}, {str(tmp_path / 'x.jsonl')!r})",
            "export pairs fifo": f"export({str(src)!r}, {str(tmp_path / 'x.jsonl')!r})",
            "load_pairs": f"load_pairs({str(src)!r})", "write_report": f"write_report({str(src)!r})"}[call]
    script = textwrap.dedent(f"""
        from ptsfast.outputs.dpo import load_pairs
        from ptsfast.outputs.export import export
        from ptsfast.outputs.report import write_report
        try:
            {line}
        except ValueError as e:
            print("refused:", e)
    """)
    res = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)
    assert "refused:" in res.stdout and "a pipe or device" in res.stdout, (res.stdout, res.stderr)


@pytest.mark.parametrize("folder", [False, True])
def test_an_output_under_a_link_to_a_removed_folder_is_named(tmp_path, folder):
    """check_writable walked up past a dangling link among the parents: the export, report or run then failed with
    a bare '[Errno 17] File exists' (from Python: the command line checked it itself)."""
    from ptsfast.outputs.rundir import check_writable

    gone = tmp_path / "gone"
    (tmp_path / "link").symlink_to(gone)
    with pytest.raises(ValueError, match=r"is a link to .*gone, which does not exist"):
        check_writable(tmp_path / "link" / "sub" / "x.jsonl", folder=folder)
    check_writable(tmp_path / "fine" / "x.jsonl", folder=folder)
