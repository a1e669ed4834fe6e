"""Answer shapes (round 14) where the code oracle took the wrong program out of a model's answer, or broke on it."""

import pytest

from helpers.judging import judged
from ptsfast.problems.oracles import extract_code

F = "def f(x):\n    return x + 1\n"


@pytest.mark.parametrize("quotes", ["'''", '"""'])
@pytest.mark.parametrize("label", ["", "python", "py"])
def test_a_program_wrapped_in_triple_quotes_as_a_fence_is_the_program(quotes, label):
    """An answer that is only its program in triple quotes (``'''python`` ... ``'''``, as models asked to "wrap the
    code" write it) parsed as one string, which defines nothing: a right function failed its tests."""
    text = f"{quotes}{label}\n{F}{quotes}"
    assert extract_code(text) == F
    assert judged(text, "assert f(2) == 3\n")
    assert not judged(text.replace("x + 1", "x + 2"), "assert f(2) == 3\n")


@pytest.mark.parametrize("text", ['"""Adds one."""\n' + F, F + '\n"""Adds one."""\n', '"""just text"""\n'])
def test_a_program_with_a_string_of_its_own_is_kept_whole(text):
    assert extract_code(text) == text
