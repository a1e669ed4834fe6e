"""TRL's own DPO code on a ptsfast export: the trainer sees exactly prompt = query ids, one chosen and one
rejected token, nothing appended; one real training step runs."""

import importlib
import json
import sys
from pathlib import Path

import pytest
import torch
from tiny_models import tiny_model, tiny_tokenizer

pytest.importorskip("trl")

from trl import DPOConfig, DPOTrainer  # noqa: E402

from ptsfast.outputs.dpo import PivotDPOTrainer, load_pairs  # noqa: E402
from ptsfast.outputs.export import export  # noqa: E402
from ptsfast.outputs.rundir import RunWriter  # noqa: E402

# The token ids of pairs as the miner writes them (prompt = query ids, chosen/rejected = one token each).
PAIRS = [([5, 17, 33, 8], 7, 9), ([5, 17, 40], 11, 7), ([6, 6, 21, 22, 23], 9, 12)]


@pytest.fixture
def exported(tmp_path):
    tok = tiny_tokenizer()
    recs = [{"prompt": tok.decode(p), "chosen": tok.decode([c]), "rejected": tok.decode([r]), "prompt_ids": p,
             "chosen_ids": [c], "rejected_ids": [r], "problem_id": f"q{i}", "trajectory": f"q{i}#0",
             "position": len(p) - 2, "direction": "raises", "delta": 0.5, "model": "tiny"}
            for i, (p, c, r) in enumerate(PAIRS)]
    with RunWriter(tmp_path / "run", {"x": 1}) as w:
        for r in recs:
            w.write_problem(r["problem_id"], [], [r], {})
    out = tmp_path / "pairs.jsonl"
    assert export(tmp_path / "run", out) == len(PAIRS)
    return out


def dpo_args(tmp_path, **kw):
    return DPOConfig(output_dir=str(tmp_path / "dpo"), max_steps=1, per_device_train_batch_size=len(PAIRS),
                     report_to=[], save_strategy="no", use_cpu=True, learning_rate=1e-2, **kw)


def test_trl_trains_exactly_the_exported_token_ids(exported, tmp_path):
    tok = tiny_tokenizer()
    model = tiny_model("llama", seed=0)
    trainer = PivotDPOTrainer(model=model, ref_model=tiny_model("llama", seed=0), args=dpo_args(tmp_path),
                              train_dataset=load_pairs(exported), processing_class=tok)
    got = [(r["prompt_ids"], r["chosen_ids"], r["rejected_ids"]) for r in trainer.train_dataset]
    assert got == [(p, [c], [r]) for p, c, r in PAIRS]
    # TRL's own collator builds the training batch: prompt + one token, the completion mask on that token only
    batch = trainer.data_collator([trainer.train_dataset[i] for i in range(len(PAIRS))])
    rows = [(p, c) for p, c, _ in PAIRS] + [(p, r) for p, _, r in PAIRS]
    for k, (p, t) in enumerate(rows):
        n = len(p) + 1
        assert batch["input_ids"][k, :n].tolist() == p + [t]
        assert batch["attention_mask"][k].sum() == n and batch["completion_mask"][k].tolist()[:n] == [0] * len(p) + [1]
        assert batch["completion_mask"][k].sum() == 1
    before = [p.detach().clone() for p in model.parameters()]
    out = trainer.train()
    assert out.global_step == 1 and torch.isfinite(torch.tensor(out.training_loss))
    assert any(not torch.equal(a, b.detach()) for a, b in zip(before, model.parameters()))


def test_trl_text_preparation_appends_eos_which_the_pivot_trainer_avoids(exported, tmp_path):
    """Why PivotDPOTrainer exists: TRL's DPOTrainer re-tokenises the text and appends EOS to every completion."""
    tok = tiny_tokenizer()
    plain = DPOTrainer(model=tiny_model("llama", seed=0), ref_model=tiny_model("llama", seed=0),
                       args=dpo_args(tmp_path), train_dataset=load_pairs(exported), processing_class=tok)
    completions = [r["chosen_ids"] for r in plain.train_dataset]
    assert all(c[-1] == tok.eos_token_id and len(c) >= 2 for c in completions)


def test_bad_inputs_are_one_clear_line(tmp_path, exported):
    text_only = tmp_path / "codelion_dpo.jsonl"
    text_only.write_text(json.dumps({"prompt": "a", "chosen": " b", "rejected": " c",
                                     "metadata": {"original_query": "q", "prob_delta": 0.3}}) + "\n")
    with pytest.raises(ValueError, match=r"text-only DPO file .* no prompt_ids/chosen_ids/rejected_ids.*export"):
        load_pairs(text_only)
    with pytest.raises(FileNotFoundError, match="ptsfast export --run"):
        load_pairs(tmp_path / "missing.jsonl")
    # pairs mined with another model's tokenizer are refused before training
    other = tiny_tokenizer(prefix="x")
    with pytest.raises(ValueError, match="another model"):
        PivotDPOTrainer(model=tiny_model("llama", seed=0), ref_model=tiny_model("llama", seed=0),
                        args=dpo_args(tmp_path), train_dataset=load_pairs(exported), processing_class=other)


def test_pairs_from_a_tokenizer_that_adds_its_own_bos_train(tmp_path):
    """The export leaves out the BOS such a tokenizer adds (TRL's text path adds it back), and the pairs' ids keep
    it: the trainer checks every pair's ids against its prompt text, the BOS apart, and trains on the ids."""
    from ptsfast.outputs.rundir import pair_record

    tok = tiny_tokenizer(add_bos=True)
    assert tok("w5 w6")["input_ids"] == [1, 5, 6]
    est = {"p": 0.5, "successes": 4, "trials": 8, "lo": 0.2, "hi": 0.8, "exact": False}
    with RunWriter(tmp_path / "run", {"x": 1}) as w:
        for i, (p, c, r) in enumerate(PAIRS):
            rec = pair_record({"key": f"q{i}#0", "problem_id": f"q{i}", "position": len(p), "prefix_ids": [1] + p,
                               "chosen_id": c, "rejected_id": r, "chosen": est, "rejected": est,
                               "direction": "raises"}, tok, {"model": "tiny"})
            assert not rec["prompt"].startswith("<s>") and rec["prompt_ids"][0] == 1
            w.write_problem(rec["problem_id"], [], [rec], {})
    export(tmp_path / "run", tmp_path / "pairs.jsonl")
    trainer = PivotDPOTrainer(model=tiny_model("llama", seed=0), ref_model=tiny_model("llama", seed=0),
                              args=dpo_args(tmp_path), train_dataset=load_pairs(tmp_path / "pairs.jsonl"),
                              processing_class=tok)
    assert [r["prompt_ids"] for r in trainer.train_dataset] == [[1] + p for p, _, _ in PAIRS]
    # a later pair from another model is refused too, not only the first one
    rows = [json.loads(line) for line in (tmp_path / "pairs.jsonl").read_text().splitlines()]
    rows[-1]["prompt"] = "x5 x6"
    (tmp_path / "mixed.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    with pytest.raises(ValueError, match="pair 'q2' .* another model"):
        PivotDPOTrainer(model=tiny_model("llama", seed=0), ref_model=tiny_model("llama", seed=0),
                        args=dpo_args(tmp_path), train_dataset=load_pairs(tmp_path / "mixed.jsonl"),
                        processing_class=tok)


def test_missing_trl_is_one_line_naming_the_fix(monkeypatch):
    monkeypatch.setitem(sys.modules, "trl", None)
    monkeypatch.delitem(sys.modules, "ptsfast.outputs.dpo", raising=False)
    with pytest.raises(ImportError) as e:
        importlib.import_module("ptsfast.outputs.dpo")
    assert "pip install 'trl>=0.29'" in str(e.value) and "\n" not in str(e.value)


def test_readme_lines_train_on_an_export(exported, tmp_path, monkeypatch):
    """The three lines README gives, run as written (model, tokenizer and DPOConfig from the user's script)."""
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    start = readme.index("from ptsfast.outputs.dpo import")
    lines = readme[start:].split("```")[0].strip().splitlines()
    assert len(lines) == 3
    monkeypatch.chdir(tmp_path)
    Path("pairs.jsonl").write_bytes(Path(exported).read_bytes())
    tiny_model("llama", seed=0).save_pretrained("model")  # TRL builds the reference model from the model's path
    from transformers import AutoModelForCausalLM

    scope = {"model": AutoModelForCausalLM.from_pretrained("model"), "tokenizer": tiny_tokenizer(),
             "DPOConfig": lambda output_dir: dpo_args(tmp_path)}
    exec("\n".join(lines), scope)
    assert scope["trainer"].state.global_step == 1


@pytest.mark.parametrize("change, named", [({"chosen_ids": []}, "chosen_ids must be a non-empty list of token ids"),
                                           ({"prompt_ids": "5 17"}, "prompt_ids must be a non-empty list"),
                                           ({"rejected_ids": [-1]}, "rejected_ids must be a non-empty list")])
def test_pairs_with_ids_that_are_no_token_ids_are_named_before_training(change, named):
    # max() of an empty list, a str compared with an int, or a negative id that failed inside the embedding
    import datasets

    from ptsfast.outputs.dpo import prepare_pairs

    tok = tiny_tokenizer()
    row = {"prompt": tok.decode([5, 17]), "prompt_ids": [5, 17], "chosen_ids": [7], "rejected_ids": [9],
           "problem_id": "a", "position": 1}
    assert len(prepare_pairs(datasets.Dataset.from_list([row]), tok)) == 1
    with pytest.raises(ValueError, match=f"pair 'a' at position 1: {named}"):
        prepare_pairs(datasets.Dataset.from_list([{**row, **change}]), tok)
    with pytest.raises(ValueError, match="has no prompt_ids/chosen_ids/rejected_ids"):  # was a bare StopIteration
        prepare_pairs([], tok)
    with pytest.raises(TypeError, match="load_pairs takes the path of an export or a run folder, got list"):
        load_pairs([row])
