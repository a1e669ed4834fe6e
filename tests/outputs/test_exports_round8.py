"""The DPO exports of real (tiny) mining runs, chat-templated as instruct models are, loaded as users load them
(``datasets`` from the JSONL file or the ``hf`` folder) and prepared by TRL's own code: TRL's text path
(``DPOTrainer``'s tokenisation: the prompt once, no chat template applied again, one BOS) gives the mined
prompt ids and the one mined token (then the EOS it appends) wherever a pair says its text is exact, and
``PivotDPOTrainer`` with TRL's ``DataCollatorForPreference`` trains exactly prompt + the single pivot /
alternative token."""

import copy
import json

import pytest
import torch
from tiny_models import byte_level_bpe, tiny_model

pytest.importorskip("trl")

import datasets  # noqa: E402
from trl import DPOConfig, DPOTrainer  # noqa: E402
from trl.data_utils import is_conversational, maybe_apply_chat_template  # noqa: E402

from ptsfast.cli import main as cli  # noqa: E402
from ptsfast.engine import EngineConfig  # noqa: E402
from ptsfast.mining.types import EstimatorConfig, FilterConfig, MiningConfig, PairConfig  # noqa: E402
from ptsfast.outputs.dpo import PivotDPOTrainer, load_pairs  # noqa: E402
from ptsfast.pipeline import MineOptions, mine  # noqa: E402
from ptsfast.problems.loading import Problem  # noqa: E402

CORPUS = ["Tom has 3 apples and buys 5 more, so he has 8 apples.", "What is 2+3? The answer is 5.",
          "Think step by step. First add the numbers, then check."] * 20
INST = "{% for m in messages %}[INST] {{ m['content'] }} [/INST]{% endfor %}"


def sentencepiece_like(template: str):
    """A Llama 2 / Mistral-style BPE: Metaspace words (a text's first token loses its leading space when decoded
    alone) and a BOS the tokenizer adds itself."""
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, processors, trainers
    from transformers import PreTrainedTokenizerFast

    tk = Tokenizer(models.BPE(unk_token="<unk>", fuse_unk=True))
    tk.pre_tokenizer = pre_tokenizers.Metaspace(replacement="\u2581", prepend_scheme="first")
    tk.decoder = decoders.Metaspace(replacement="\u2581", prepend_scheme="first")
    tk.train_from_iterator(CORPUS, trainers.BpeTrainer(vocab_size=200,
                                                       special_tokens=["<unk>", "<s>", "</s>", "[INST]", "[/INST]"]))
    tk.post_processor = processors.TemplateProcessing(single="<s> $A", special_tokens=[("<s>", 1)])
    tok = PreTrainedTokenizerFast(tokenizer_object=tk, bos_token="<s>", eos_token="</s>", unk_token="<unk>",
                                  pad_token="<unk>")
    tok.chat_template = template
    return tok


def chatml():
    """A Qwen-style byte-level BPE with a ChatML template and no BOS."""
    tok = byte_level_bpe()
    tok.add_special_tokens({"eos_token": "<|im_end|>", "pad_token": "<|im_end|>"})
    tok.chat_template = ("{% for m in messages %}<|im_start|>{{ m['role'] }}\n{{ m['content'] }}<|im_end|>\n"
                         "{% endfor %}"
                         "{% if add_generation_prompt %}<|im_start|>assistant\n{% endif %}")
    return tok


TOKENIZERS = {
    # the template writes the BOS, as Llama 2's and Mistral's do; the tokenizer adds one too
    "llama2-style": lambda: sentencepiece_like("{{ bos_token }}" + INST),
    "chatml": chatml,
    # a template without the BOS (a user's --chat-template) on a tokenizer that adds one: TRL's text path adds
    # a BOS the miner never saw
    "bos-added-by-tokenizer-only": lambda: sentencepiece_like(INST),
}


def tiny_run(root, tok, seed=3):
    """A run mined through a chat template by a tiny Llama over ``tok``'s vocabulary, tuned so that its first
    token 7 or 9 decides success (pivots and pairs); never ends early."""
    vocab, (a, b) = len(tok), (7, 9)
    model = tiny_model("llama", seed=seed, mlp_bias=True, vocab_size=vocab, eos_token_id=tok.eos_token_id,
                       bos_token_id=tok.bos_token_id or 0, pad_token_id=tok.pad_token_id)
    with torch.no_grad():
        model.lm_head.weight.mul_(0.3)
        model.model.layers[-1].mlp.down_proj.bias[0] = 10.0
        model.lm_head.weight[[a, b], 0] += 0.55
        model.lm_head.weight[tok.all_special_ids, 0] -= 100.0

    def oracle(text, problem):
        first = [t for t in tok(text, add_special_tokens=False)["input_ids"] if t in (a, b)]
        return bool(first) and first[0] == a

    small = dict(max_rollouts=8, key_max_rollouts=8, long_max_rollouts=8, confirm_rollouts=8, confirm_max_rollouts=8,
                 confirm_report_rollouts=8)
    options = MineOptions(max_new_tokens=12, trajectories_per_problem=2, problems_per_batch=6,
                          mining=MiningConfig(filter=FilterConfig(enabled=False), estimator=EstimatorConfig(**small),
                                              pairs=PairConfig(fresh_rollouts=8, fresh_max_rollouts=8)),
                          engine=EngineConfig(num_blocks=256, block_size=8))
    problems = [Problem(f"p{i}", f"What is {i}+3?") for i in range(6)]
    summary = mine(model, tok, problems, root / "run", options, oracle=oracle, progress=False, model_name="tiny")
    assert summary["pairs"] >= 1, "the tiny setup is tuned to produce pairs"
    return root / "run", model


@pytest.fixture(scope="module", params=sorted(TOKENIZERS))
def mined(request, tmp_path_factory):
    tok = TOKENIZERS[request.param]()
    run, model = tiny_run(tmp_path_factory.mktemp(request.param), tok)
    return request.param, tok, run, model


def exported(run, tmp_path, fmt="trl"):
    out = tmp_path / ("pairs" if fmt == "hf" else "pairs.jsonl")
    assert cli(["export", "--run", str(run), "--format", fmt, "--out", str(out), "--quiet"]) == 0
    if fmt == "hf":
        return datasets.load_from_disk(str(out))
    return datasets.load_dataset("json", data_files=str(out), split="train")


def dpo_args(tmp_path, n):
    return DPOConfig(output_dir=str(tmp_path / "dpo"), max_steps=1, per_device_train_batch_size=n, report_to=[],
                     save_strategy="no", use_cpu=True, learning_rate=1e-2)


@pytest.mark.parametrize("fmt", ["trl", "hf"])
def test_trl_text_preparation_gives_the_mined_ids_wherever_a_pair_says_its_text_is_exact(mined, tmp_path, fmt):
    name, tok, run, model = mined
    ds = exported(run, tmp_path, fmt)
    rows = ds.to_list()
    assert rows and not is_conversational(rows[0])  # standard format: TRL applies no chat template to it
    assert all(maybe_apply_chat_template(r, tok) == r for r in rows)  # ... not even once more
    text = ds.select_columns(["prompt", "chosen", "rejected"])
    prepared = DPOTrainer(model=model, ref_model=copy.deepcopy(model), args=dpo_args(tmp_path, len(rows)),
                          train_dataset=text, processing_class=tok).train_dataset
    eos = [tok.eos_token_id]
    for r, p in zip(rows, prepared):
        got = (p["prompt_ids"], p["chosen_ids"], p["rejected_ids"])
        want = (r["prompt_ids"], r["chosen_ids"] + eos, r["rejected_ids"] + eos)
        assert r["text_exact"] is (got == want), (name, r["problem_id"], r["position"], got, want)
        if r["text_exact"]:
            assert p["prompt_ids"].count(tok.bos_token_id) == (tok.bos_token_id is not None), "one BOS"


def test_pivot_trainer_trains_prompt_plus_the_single_mined_token(mined, tmp_path):
    name, tok, run, model = mined
    rows = [json.loads(line) for line in (run / "pairs.jsonl").read_text(encoding="utf-8").splitlines()]
    trainer = PivotDPOTrainer(model=model, ref_model=copy.deepcopy(model), args=dpo_args(tmp_path, len(rows)),
                              processing_class=tok, train_dataset=load_pairs(run))
    batch = trainer.data_collator([trainer.train_dataset[i] for i in range(len(rows))])
    sides = [(r["prompt_ids"], r["chosen_ids"]) for r in rows] + [(r["prompt_ids"], r["rejected_ids"]) for r in rows]
    for k, (prompt, token) in enumerate(sides):
        assert len(token) == 1
        n = len(prompt) + 1
        assert batch["input_ids"][k, :n].tolist() == prompt + token
        assert batch["attention_mask"][k].sum() == n and batch["completion_mask"][k].sum() == 1
        assert batch["completion_mask"][k, n - 1] == 1
        if tok.bos_token_id is not None:
            assert batch["input_ids"][k, :n].tolist().count(tok.bos_token_id) <= 1
    for r in rows:  # the exported text is what each token adds after its prompt, leading space kept
        assert tok.decode(r["prompt_ids"] + r["chosen_ids"]).endswith(r["chosen"].lstrip()) or not r["text_exact"]
