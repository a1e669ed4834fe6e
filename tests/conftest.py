"""Test-wide setup: the shared helpers (tiny models, run scripts) import by name from tests/helpers, and the
saved tiny mining model that the CLI and run tests load by path."""

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent / "helpers"))


@pytest.fixture(scope="module")
def model_dir(tmp_path_factory):
    """A tiny Llama and its word-level tokenizer saved as a model folder, once per test module."""
    from tiny_models import save_mining_model

    d = tmp_path_factory.mktemp("tiny-llama")
    save_mining_model(d)
    return d
