"""Which program the code oracle takes out of a model's answer, and when a code rollout may stop early."""

import pytest

from ptsfast.pipeline.probes import OracleStops
from ptsfast.problems.oracles import answer_complete, extract_code, stop_strings

F = "def f(x):\n    return x + 1\n"

ANSWERS = {  # hostile but real answers -> the program judged
    "draft then fix": ("```python\ndef f(x):\n    return x - 1\n```\nWait, fixed:\n```python\n" + F + "```\n",
                       "def f(x):\n    return x - 1\n"),  # the first block: the stop decides there too
    "usage block after": ("```python\n" + F + "```\nExample usage:\n```python\nprint(f(2))\n```\n", F),
    "bash block first": ("Install:\n```bash\npip install numpy\n```\nNow the code:\n```python\n" + F + "```\n", F),
    "sample input first": ("Input:\n```\n3\n1 2 3\n```\nCode:\n```\nn = int(input())\nprint(n)\n```\n",
                           "n = int(input())\nprint(n)\n"),
    "data that parses first": ("For\n```\nnums = [2, 7], target = 9\n```\n```\n" + F + "```\n", F),
    "text block first": ("```text\n3\n```\n```\n" + F + "```\n", F),
    "cpp then python": ("```cpp\nint f(int x) { return x + 1; }\n```\n```python\n" + F + "```\n", F),
    "doctest session first": ("```pycon\n>>> f(2)\n3\n```\n```py\n" + F + "```\n", F),
    "windows line endings": ("Sure:\r\n```python\r\n" + F.replace("\n", "\r\n") + "```\r\nIt adds one.", F),
    "fence in a list item": ("1. The code:\n   ```python\n   def f(x):\n       return x + 1\n   ```\n", F),
    "tabs": ("```python\ndef f(x):\n\treturn x + 1\n```\n", "def f(x):\n\treturn x + 1\n"),
    "closing fence then prose": ("```python\n" + F + "``` (a one-liner)\nMore text.", F),
    "fence mark in a string": ("```python\ns = '```'\n" + F + "```\n", "s = '```'\n" + F),
    "unclosed (budget cut)": ("Here:\n```python\n" + F, F),
    "leading code, closing fence": (F + "```\nThis adds one.", F),
    "tilde fence": ("Here:\n~~~python\n" + F + "~~~\nUsage:\n```python\nprint(f(1))\n```\n", F),
    "tilde block holding backticks": ("~~~python\ns = '```'\n" + F + "~~~\n", "s = '```'\n" + F),
    "label on the line after the fence": ("```\npython\n" + F + "```\n", F),
    "one-line fence": ("Use:\n```python print(f(1))```\nThat prints 2.", "print(f(1))\n"),
    "one-line bash fence first": ("```bash pip install numpy```\n```python\n" + F + "```\n", F),
    "main block": ("```python\n" + F + 'if __name__ == "__main__":\n    print(f(2))\n```\n',
                   F + 'if __name__ == "__main__":\n    print(f(2))\n'),
}


@pytest.mark.parametrize("name", ANSWERS)
def test_the_program_is_taken_from_where_users_expect(name):
    text, code = ANSWERS[name]
    assert extract_code(text) == code


@pytest.mark.parametrize("name", ANSWERS)
def test_a_stopped_rollout_is_judged_on_the_program_of_the_whole_answer(name):
    """The stop fires once the program is written, never mid-program, and never on a block it would pass over:
    every prefix the stop accepts yields the program of the whole answer."""
    text, code = ANSWERS[name]
    stops = [k for k in range(1, len(text) + 1) if answer_complete("code", text[:k])]
    for k in stops:
        assert extract_code(text[:k]) == code, (k, text[:k])
    complete = not name.startswith("unclosed")
    assert bool(stops) is complete
    if complete:  # at the end of the line that closes the program's block
        assert text[stops[0] - 1] == "\n"


UNFENCED = {  # answers without a fence -> the program judged (the prose around it left out)
    "prose around a function": ("Here is the function:\n" + F + "\nThis returns x + 1.", F),
    "words that parse": ("Sure.\nimport math\n\n" + F + "Explanation\nIt adds one.\nOutput: 6\n42\n",
                         "import math\n" + F),
    "else at column 0": ("n = int(input())\nif n > 0:\n    print(n)\nelse:\n    print(-n)\nThat prints |n|.",
                         "n = int(input())\nif n > 0:\n    print(n)\nelse:\n    print(-n)\n"),
    "bracket over lines": ("x = [\n1,\n2,\n]\nprint(sum(x))\nDone.", "x = [\n1,\n2,\n]\nprint(sum(x))\n"),
    "decorator": ("Code:\n@lru_cache\ndef g():\n    pass\nok then", "@lru_cache\ndef g():\n    pass\n"),
    "string over lines": ("s = \'\'\'\nabc\n\'\'\'\nprint(s)\nThis prints.", "s = \'\'\'\nabc\n\'\'\'\nprint(s)\n"),
    "all code": (F + "print(f(2))\n", F + "print(f(2))\n"),
    "no code at all": ("The answer is 42.", "The answer is 42."),
    "a function body (HumanEval)": ("    return x + 1\n\nprint(f(2))\nIt adds one.",
                                    "    return x + 1\n\nprint(f(2))\nIt adds one."),  # the prompt holds its def
}


@pytest.mark.parametrize("name", UNFENCED)
def test_an_answer_without_a_fence_is_judged_without_its_prose(name):
    text, code = UNFENCED[name]
    assert extract_code(text) == code
    assert not any(answer_complete("code", text[:k]) for k in range(1, len(text) + 1))  # no fence: no early stop


def test_prose_around_an_unfenced_program_does_not_fail_it():
    from ptsfast.problems.code_tests import test_program_from_row
    from ptsfast.problems.oracles import judge_code

    tests = test_program_from_row({"test": "assert f(2) == 3\nassert f(-1) == 0\n"}, ("test",), None, None)
    assert judge_code(extract_code("Here is f:\n" + F + "It adds one, e.g. f(2) is 3."), tests, unsafe=True).passed
    assert not judge_code(extract_code("Here is f:\ndef f(x):\n    return x\nIt adds one."), tests,
                          unsafe=True).passed
    prompt = 'def f(x):\n    """x plus one"""\n'  # HumanEval: the answer continues the prompt's function
    body = test_program_from_row({"test": "def check(candidate):\n    assert candidate(2) == 3\n", "entry_point": "f"},
                                 ("test",), "entry_point", prompt)
    assert judge_code(extract_code("    return x + 1\n\nprint(f(2))\n"), body, unsafe=True).passed


def test_the_stop_waits_for_the_closing_fence_line_to_end():
    assert not answer_complete("code", "```python\nx = 1\n```")  # "```python" may follow: no closing fence yet
    assert answer_complete("code", "```python\nx = 1\n```\n")
    assert not answer_complete("code", "Input:\n```\n3\n```\n")  # sample input, not the program
    assert not answer_complete("code", "```bash\npip install x\n```\nThen:\n```python\n")


def test_engine_stop_fn_fires_on_the_token_that_ends_the_programs_block():
    """Synthetic token stream through OracleStops: one token a character, after a solution prefix."""

    class CharTokenizer:
        def decode(self, ids, skip_special_tokens=True):
            return "".join(map(chr, ids))

    head = "Sure.\n```bash\npip install x\n```\n"
    rest = "```python\n" + F + "```\nThis adds one.\n```python\nprint(f(1))\n```\n"
    stop = OracleStops.of("code").stop_fn(CharTokenizer(), [ord(c) for c in head])
    ids = [ord(c) for c in rest]
    first = next(k for k in range(1, len(ids) + 1) if stop(ids[:k]))
    assert rest[:first].endswith(F + "```\n")


def test_a_closed_command_or_data_block_ends_no_rollout_before_the_program():
    # the code oracle's stop string was a closing fence and two blank lines: it ended this answer before its code
    text = "Run it with:\n```bash\npython main.py\n```\n\n\n"
    assert not answer_complete("code", text)
    assert not any(s in text for s in stop_strings("code"))
