"""Tiny randomly initialised Hugging Face causal LMs of every supported architecture (fp32, CPU)."""

from __future__ import annotations

import torch
from transformers import AutoConfig, AutoModelForCausalLM

VOCAB = 97
_COMMON = dict(vocab_size=VOCAB, hidden_size=64, intermediate_size=96, num_hidden_layers=2,
               num_attention_heads=4, max_position_embeddings=512, eos_token_id=2, bos_token_id=1,
               pad_token_id=0, tie_word_embeddings=False)
_WINDOWED = dict(sliding_window=8, layer_types=["sliding_attention", "full_attention"])  # one windowed layer
_EXPERTS = dict(num_experts=4, num_experts_per_tok=2, moe_intermediate_size=32)

ARCHS = {  # name: (model_type, config fields beyond _COMMON)
    "llama": ("llama", dict(num_key_value_heads=4)),
    "llama-gqa": ("llama", dict(num_key_value_heads=2)),
    "qwen2": ("qwen2", dict(num_key_value_heads=2)),
    "qwen3": ("qwen3", dict(num_key_value_heads=1, head_dim=32)),
    "mistral": ("mistral", dict(num_key_value_heads=2, sliding_window=None)),
    "phi3": ("phi3", dict(num_key_value_heads=4)),
    "qwen2_moe": ("qwen2_moe", dict(num_key_value_heads=2, shared_expert_intermediate_size=32, **_EXPERTS)),
    "qwen3_moe": ("qwen3_moe", dict(num_key_value_heads=2, head_dim=32, **_EXPERTS)),
    "mixtral": ("mixtral", dict(num_key_value_heads=2, num_local_experts=4, num_experts_per_tok=2)),
    "phimoe": ("phimoe", dict(num_key_value_heads=2, num_local_experts=4, num_experts_per_tok=2)),
    "gemma": ("gemma", dict(num_key_value_heads=1, head_dim=16)),
    "gemma3_text": ("gemma3_text", dict(num_key_value_heads=2, head_dim=16, query_pre_attn_scalar=24, **_WINDOWED)),
    "gemma3": ("gemma3", dict(  # Gemma 3 4B-27B's checkpoints: the text model inside an image-text one
        text_config=dict(_COMMON, num_key_value_heads=2, head_dim=16, **_WINDOWED),
        vision_config=dict(hidden_size=32, intermediate_size=64, num_hidden_layers=1, num_attention_heads=2,
                           image_size=28, patch_size=14),
        mm_tokens_per_image=4, image_token_index=0, boi_token_index=1, eoi_token_index=2)),
    "olmo": ("olmo", dict(num_key_value_heads=4)),
    "olmo2": ("olmo2", dict(num_key_value_heads=2)),
    "olmo3": ("olmo3", dict(num_key_value_heads=2, **_WINDOWED)),
    "smollm3": ("smollm3", dict(num_key_value_heads=2, no_rope_layers=[1, 0])),  # the second layer without RoPE
    "exaone4": ("exaone4", dict(num_key_value_heads=2, **_WINDOWED)),
    "cohere": ("cohere", dict(num_key_value_heads=2, logit_scale=0.5)),
    "cohere2": ("cohere2", dict(num_key_value_heads=2, logit_scale=0.5, **_WINDOWED)),
    "granite": ("granite", dict(num_key_value_heads=2, logits_scaling=4.0, attention_multiplier=0.3,
                                embedding_multiplier=2.0, residual_multiplier=0.5)),
    "granitemoe": ("granitemoe", dict(num_key_value_heads=2, num_local_experts=4, num_experts_per_tok=2,
                                      logits_scaling=4.0)),
    "phi": ("phi", dict(num_key_value_heads=4, partial_rotary_factor=0.5)),  # biased lm_head
    "starcoder2": ("starcoder2", dict(num_key_value_heads=2, sliding_window=8)),
    "glm": ("glm", dict(num_key_value_heads=2)),
    "glm4": ("glm4", dict(num_key_value_heads=2)),
    "ernie4_5": ("ernie4_5", dict(num_key_value_heads=2)),
    "seed_oss": ("seed_oss", dict(num_key_value_heads=2)),
    "apertus": ("apertus", dict(num_key_value_heads=2)),
    "arcee": ("arcee", dict(num_key_value_heads=2)),
}


def known(arch: str) -> bool:
    """Whether the installed transformers has the architecture (older releases lack the newer ones)."""
    from transformers.models.auto.configuration_auto import CONFIG_MAPPING

    return ARCHS[arch][0] in CONFIG_MAPPING


def tiny_model(arch: str, seed: int = 0, **overrides) -> torch.nn.Module:
    model_type, extra = ARCHS[arch]
    torch.manual_seed(seed)
    common = {} if "text_config" in extra else _COMMON  # a composite model's text part carries the common fields
    config = AutoConfig.for_model(model_type, **{**common, **extra, **overrides})
    model = AutoModelForCausalLM.from_config(config).eval()
    # Larger-than-default weights make the next-token distributions peaked enough that greedy
    # decoding has clear argmaxes (random init otherwise gives near-uniform logits and float ties).
    with torch.no_grad():
        for p in model.parameters():
            if p.dim() == 2:
                p.normal_(0, 0.15)
    return model


def random_tokens(n: int, seed: int) -> list[int]:
    g = torch.Generator().manual_seed(seed)
    return torch.randint(3, VOCAB, (n,), generator=g).tolist()


def tiny_tokenizer(prefix: str = "w", add_bos: bool = False):
    """A word-level fast tokenizer over the tiny vocabulary: token k <-> word ``{prefix}{k}`` (ids 0-2 special).

    ``prefix=""`` makes every word a number, so the numeric oracles can judge tiny-model text; ``add_bos``:
    encoding puts ``<s>`` first, as Llama's and Mistral's tokenizers do.
    """
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, processors
    from transformers import PreTrainedTokenizerFast

    vocab = {"<pad>": 0, "<s>": 1, "</s>": 2, **{f"{prefix}{k}": k for k in range(3, VOCAB)}}
    tok = Tokenizer(models.WordLevel(vocab, unk_token="<pad>"))
    tok.pre_tokenizer = pre_tokenizers.WhitespaceSplit()
    tok.decoder = decoders.WordPiece(prefix="##")  # joins words with spaces
    if add_bos:
        tok.post_processor = processors.TemplateProcessing(single="<s> $A", special_tokens=[("<s>", 1)])
    return PreTrainedTokenizerFast(tokenizer_object=tok, pad_token="<pad>", bos_token="<s>", eos_token="</s>")


def save_mining_model(folder) -> None:
    """A tiny Llama with flat-ish logits (so p(success) varies) and its tokenizer, saved as a local HF folder:
    the model the end-to-end mining tests load by path."""
    model = tiny_model("llama", seed=3)
    with torch.no_grad():
        model.lm_head.weight.mul_(0.3)
    model.save_pretrained(folder)
    tiny_tokenizer().save_pretrained(folder)


def byte_level_bpe():
    """A real byte-level BPE tokenizer with chat special tokens, trained in memory (byte-level BPE splits UTF-8
    across tokens, and some id sequences are not what re-tokenising their text gives)."""
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
    from transformers import PreTrainedTokenizerFast

    tk = Tokenizer(models.BPE())
    tk.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tk.decoder = decoders.ByteLevel()
    corpus = ["Tom has 3 apples and buys 5 more, so he has 8 apples.", "<|im_start|>user\nWhat is 2+3?<|im_end|>"] * 20
    tk.train_from_iterator(corpus, trainers.BpeTrainer(vocab_size=300, special_tokens=["<|im_start|>", "<|im_end|>"],
                                                       initial_alphabet=pre_tokenizers.ByteLevel.alphabet()))
    return PreTrainedTokenizerFast(tokenizer_object=tk)


def first_of_w7_w9(text: str, problem) -> bool:
    """Success iff w7 comes before w9: the first of them is a pivot (raising for w7, lowering for w9)."""
    words = [w for w in text.split() if w in ("w7", "w9")]
    return bool(words) and words[0] == "w7"


def tiny_pivot_model(seed: int = 3):
    """A tiny Llama whose solutions often hold w7 or w9 and never end early (survives save_pretrained)."""
    model = tiny_model("llama", seed=seed, mlp_bias=True)
    with torch.no_grad():
        model.lm_head.weight.mul_(0.3)
        model.model.layers[-1].mlp.down_proj.bias[0] = 10.0  # a constant feature in the final hidden state...
        model.lm_head.weight[[7, 9], 0] += 0.55  # ...that makes w7 / w9 frequent
        model.lm_head.weight[2, 0] -= 100.0  # ...and EOS impossible: solutions run to max_new_tokens
    return model


def mine_tiny_pivot_run(out, problems: int = 3, max_new_tokens: int = 12) -> dict:
    """Mines ``problems`` problems of two trajectories each with :func:`tiny_pivot_model` into ``out`` (a finished
    run with pivots of both directions and pairs, under :func:`first_of_w7_w9`); returns the run's summary."""
    from ptsfast.engine import EngineConfig
    from ptsfast.mining.types import FilterConfig, MiningConfig
    from ptsfast.pipeline import MineOptions, mine
    from ptsfast.problems.loading import Problem

    questions = [Problem(f"p{i}", " ".join(f"w{3 + (i * 7 + k * 13) % 90}" for k in range(6))) for i in range(problems)]
    options = MineOptions(max_new_tokens=max_new_tokens, trajectories_per_problem=2, use_chat_template=False,
                          mining=MiningConfig(filter=FilterConfig(enabled=False)),
                          engine=EngineConfig(num_blocks=256, block_size=8))
    return mine(tiny_pivot_model(), tiny_tokenizer(), questions, out, options, oracle=first_of_w7_w9, progress=False)


def tiny_anchors_run(out, answer: str | None = None, *, tokenizer=None, solution: str = "w10 w11 w30 w31"):
    """A `ptsfast anchors` run of one given solution into ``out`` (sentences.jsonl, no pairs.jsonl), judged by
    whether w7 is written; ``answer`` is the problem's recorded reference, ``tokenizer`` the tiny one unless given.
    Returns ``out``."""
    from ptsfast import AnchorConfig, AnchorOptions, find_anchors
    from ptsfast.engine import EngineConfig
    from ptsfast.pipeline import MineOptions
    from ptsfast.problems.loading import Problem

    model = tiny_model("llama", seed=3)
    with torch.no_grad():
        model.lm_head.weight.mul_(0.3)
    opts = AnchorOptions(MineOptions(max_new_tokens=6, use_chat_template=False,
                                     engine=EngineConfig(num_blocks=128, block_size=8)),
                         AnchorConfig(max_rollouts=8, batch_size=8))
    find_anchors(model, tokenizer or tiny_tokenizer(), [Problem("a0", "w20 w40", answer, solution=solution)], out,
                 opts, oracle=lambda text, problem: "w7" in text.split(), progress=False)
    assert (out / "sentences.jsonl").is_file() and not (out / "pairs.jsonl").exists()
    return out
