"""Exports of round 9: each record a user would train on is the pair that was mined. TRL's own dataset
preparation (``DPOTrainer``'s tokenisation of ``prompt``, ``prompt + chosen`` and ``prompt + rejected``) is the
judge of a pair's text: ``text_exact`` says whether it gives back the mined ids."""

import copy

import pytest
from tiny_models import tiny_model

pytest.importorskip("trl")

from trl import DPOConfig, DPOTrainer  # noqa: E402

from ptsfast.mining.types import EstimateSummary, PairRecord  # noqa: E402
from ptsfast.outputs.rundir import pair_record  # noqa: E402

STEPS = ["Step 1: add 3 and 5.\n\nStep 2: so the answer is 8.\n\n"] * 20


def gpt2_like():
    """A byte-level BPE with GPT-2's pre-tokenizer (GPT-2, Pythia, Phi-2, OPT), trained in memory: a run of
    whitespace before a word splits off its last character ("\n" "\n" "Step"), a run at the end does not."""
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
    from transformers import PreTrainedTokenizerFast

    tk = Tokenizer(models.BPE())
    tk.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tk.decoder = decoders.ByteLevel()
    tk.train_from_iterator(STEPS, trainers.BpeTrainer(vocab_size=300, special_tokens=["<|endoftext|>"],
                                                      initial_alphabet=pre_tokenizers.ByteLevel.alphabet()))
    return PreTrainedTokenizerFast(tokenizer_object=tk, eos_token="<|endoftext|>", pad_token="<|endoftext|>")


def est(p, s, n):
    return EstimateSummary(p, s, n, max(0.0, p - 0.3), min(1.0, p + 0.3), False)


def record(tok, prefix, chosen, rejected):
    pr = PairRecord(("p", 0), "p", len(prefix), tuple(prefix), chosen, rejected, est(0.9, 9, 10), est(0.1, 1, 10),
                    "raises")
    return pair_record(pr, tok, {"model": "tiny"})


def trl_prepared(rows, tok, tmp_path):
    """What TRL's DPOTrainer trains on for text pairs: (prompt_ids, chosen_ids, rejected_ids) of each row."""
    model = tiny_model("llama", seed=0, vocab_size=len(tok), eos_token_id=tok.eos_token_id,
                       pad_token_id=tok.pad_token_id)
    args = DPOConfig(output_dir=str(tmp_path / "dpo"), max_steps=1, per_device_train_batch_size=1, report_to=[],
                     save_strategy="no", use_cpu=True)
    import datasets

    text = datasets.Dataset.from_list([{k: r[k] for k in ("prompt", "chosen", "rejected")} for r in rows])
    ds = DPOTrainer(model=model, ref_model=copy.deepcopy(model), args=args, train_dataset=text,
                    processing_class=tok).train_dataset
    return [(p["prompt_ids"], p["chosen_ids"], p["rejected_ids"]) for p in ds]


def mined(r, tok):
    eos = [tok.eos_token_id]
    return r["prompt_ids"], r["chosen_ids"] + eos, r["rejected_ids"] + eos


def test_a_pair_after_a_paragraph_break_is_exact_only_if_trl_gives_its_prompt_back(tmp_path):
    """A new step's first token after "\n\n": the model writes "\n" "\n" "Step", which re-tokenises the same with
    the prompt, but the prompt alone ends in "\n\n" (one token), so TRL's prompt stops before the break and the
    completion is "\n" "\n" "Step": another pair. text_exact said True for it."""
    tok = gpt2_like()
    ids = tok("Step 1: add 3 and 5.\n\nStep 2")["input_ids"]
    k = [tok.decode([t]) for t in ids].index("Step", 1)
    assert [tok.decode([t]) for t in ids[k - 2:k]] == ["\n", "\n"]
    assert tok(tok.decode(ids[:k]))["input_ids"] != ids[:k]  # alone, the break is one token
    other = tok.convert_tokens_to_ids("a")  # "\n" "\n" "a" as well
    rows = [record(tok, ids[:k], ids[k], other), record(tok, ids[:3], ids[3], ids[4])]
    got = trl_prepared(rows, tok, tmp_path)
    for r, g in zip(rows, got):
        assert r["text_exact"] is (g == mined(r, tok)), (r["prompt"], r["chosen"], g, mined(r, tok))
    assert not rows[0]["text_exact"] and rows[1]["text_exact"]
