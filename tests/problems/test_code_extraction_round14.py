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


@pytest.mark.parametrize("text", [
    "<code>def f(x):\n    return x + 1 if x &gt; 0 and x &lt; 10 else 0\n</code>",
    "<pre><code class=\"language-python\">def f(x):\n    s = {x} &amp; {x}\n    return x + len(s)\n</code></pre>",
    "Here it is:\n<pre><code>def f(x):\n    return x + (1 if x &gt;= 0 else 1)\n</code></pre>\nIt adds one.",
])
def test_a_program_in_html_code_tags_is_read_unescaped(text):
    """A program in ``<code>`` tags as an HTML page writes it (``x &gt; 0``) was judged with its escapes, a syntax
    error: a right function failed. The tags' escapes are read as the characters they stand for."""
    assert judged(text, "assert f(2) == 3\n")
    assert not judged(text.replace("x + 1", "x + 2").replace("x + len(s)", "x + 2").replace("x + (1", "x + (2"),
                      "assert f(2) == 3\n")


def test_a_program_that_parses_keeps_its_own_escapes():
    text = "def f(x):\n    return '&lt;' * x\n"
    assert extract_code(text) == text
