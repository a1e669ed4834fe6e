"""Reasoning-trace markers that are special tokens (Magistral's [THINK], gpt-oss' channels) stay in the text the
oracles judge; other special tokens (EOS, pad) do not."""

from ptsfast.pipeline.probes import OracleStops, judged_texts
from ptsfast.problems.loading import Problem
from ptsfast.problems.oracles import make_judge

from helpers.tiny_models import tiny_tokenizer


def _think_tokenizer():
    tok = tiny_tokenizer(prefix="")
    tok.add_special_tokens({"additional_special_tokens": ["[THINK]", "[/THINK]", "[INST]"]})
    return tok


def _ids(tok, text: str) -> list[int]:
    return tok(text, add_special_tokens=False)["input_ids"] + [tok.eos_token_id]


def test_trace_marker_tokens_are_kept_and_other_special_tokens_dropped():
    tok = _think_tokenizer()
    ids = _ids(tok, "[THINK] 5 [/THINK] [INST] 4")
    assert tok.convert_ids_to_tokens(ids[0]) == "[THINK]"  # one special token, as in Magistral's tokenizer
    (text,) = judged_texts(tok, [ids])
    assert "[THINK]" in text and "[/THINK]" in text
    assert "</s>" not in text and "[INST]" not in text


def test_an_answer_tried_while_thinking_is_not_the_judged_answer():
    tok = _think_tokenizer()
    judge = make_judge("last_number")
    (text,) = judged_texts(tok, [_ids(tok, "[THINK] 5 [/THINK] 4")])
    assert judge(text, Problem("p", "q", answer="4"))[0] is True
    (cut,) = judged_texts(tok, [_ids(tok, "[THINK] 5 [/THINK]")])  # cut off after its thinking: no answer
    assert judge(cut, Problem("p", "q", answer="5"))[0] is False


def test_a_trace_the_prompt_opens_closes_on_its_special_token():
    tok = _think_tokenizer()
    judge = make_judge("last_number", think_open=True)
    (text,) = judged_texts(tok, [_ids(tok, "5 [/THINK] 4")])
    assert judge(text, Problem("p", "q", answer="4"))[0] is True  # every rollout failed: the close was decoded away
    stop = OracleStops((), lambda seen: "[/THINK]" in seen).stop_fn(tok, [])  # the early stop reads the same text
    assert stop(_ids(tok, "5 [/THINK] 4")[:-1]) is True


def test_tokenizers_without_marker_tokens_decode_as_before():
    tok = tiny_tokenizer(prefix="")
    ids = _ids(tok, "3 4 5")
    assert judged_texts(tok, [ids]) == tok.batch_decode([ids], skip_special_tokens=True)


def _marker_vocab_tokenizer():
    """The tiny word-level tokenizer with ids 3 and 4 written ``[THINK]`` / ``[/THINK]``, special tokens inside the
    tiny model's vocabulary (as Magistral's are inside its own)."""
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers
    from transformers import PreTrainedTokenizerFast

    from helpers.tiny_models import VOCAB

    vocab = {"<pad>": 0, "<s>": 1, "</s>": 2, "[THINK]": 3, "[/THINK]": 4, **{f"w{k}": k for k in range(5, VOCAB)}}
    tok = Tokenizer(models.WordLevel(vocab, unk_token="<pad>"))
    tok.pre_tokenizer = pre_tokenizers.WhitespaceSplit()
    tok.decoder = decoders.WordPiece(prefix="##")
    fast = PreTrainedTokenizerFast(tokenizer_object=tok, pad_token="<pad>", bos_token="<s>", eos_token="</s>")
    fast.add_special_tokens({"additional_special_tokens": ["[THINK]", "[/THINK]"]})
    return fast


def test_a_mining_run_judges_its_solutions_with_their_trace_markers():
    """The run's own solutions: judged after ``[/THINK]`` (decoded away, the thinking's w7 passed the trajectory)."""
    import torch

    from ptsfast.engine import EngineConfig, RolloutEngine
    from ptsfast.mining.types import FilterConfig, MiningConfig
    from ptsfast.pipeline import MineOptions, PreparedProblem, run_problems

    from helpers.tiny_models import tiny_model

    tok = _marker_vocab_tokenizer()
    assert tok.convert_tokens_to_ids("[THINK]") == 3 and tok.decode([3, 7], skip_special_tokens=True) == "w7"
    problem = Problem("p", "w20 w21")
    solution = tuple(tok("[THINK] w7 [/THINK] w8")["input_ids"])
    prepared = [PreparedProblem("p", tuple(tok("w20 w21")["input_ids"]), problem, solution)]
    model = tiny_model("llama", seed=3)
    with torch.no_grad():
        model.lm_head.weight.mul_(0.3)
    engine = RolloutEngine(model, tok, EngineConfig(num_blocks=64, block_size=8))
    options = MineOptions(max_new_tokens=4, seed=5, mining=MiningConfig(filter=FilterConfig(enabled=False)))
    judge = make_judge(lambda text, p: "w7" in text.split())
    finished = []
    run_problems(engine, tok, prepared, judge, options, on_problem=finished.append)
    (trajectory,) = finished[0].trajectories
    assert "[/THINK]" in trajectory.text
    assert trajectory.correct is False  # its answer, after the trace, is w8
