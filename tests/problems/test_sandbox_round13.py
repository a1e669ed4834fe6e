"""Thirteenth round of attacks on the code oracle: the prompt's helpers pinned for HumanEval's tests, pytest's
stand-in fixtures, files mixing unittest and pytest, and the warm interpreter's preload of stdin/stdout runs.

Each wrong program here fails; those marked "before" passed (or, for the preload, ran the commands of the
packages' __main__ modules) before this round's fixes."""

import json

import pytest

from helpers.judging import assert_tells_apart, verdict
from ptsfast.problems import code_tests
from ptsfast.problems.sandbox import isolation_status

pytestmark = pytest.mark.skipif(not isolation_status()[0], reason="no namespace sandbox on this machine")


def humaneval(task_id: str, prompt: str, test: str, entry_point: str) -> code_tests.TestProgram:
    row = {"task_id": task_id, "prompt": prompt, "test": test, "entry_point": entry_point}
    return code_tests.test_program_from_row(row, ("test",), "entry_point", prompt)


POLY = humaneval(  # HumanEval/32's shape: the tests evaluate the returned root with the prompt's poly
    "HumanEval/32",
    'import math\n\n\ndef poly(xs: list, x: float):\n    """Evaluates polynomial with coefficients xs at x."""\n'
    "    return sum([coeff * math.pow(x, i) for i, coeff in enumerate(xs)])\n\n\n"
    'def find_zero(xs: list):\n    """xs have an even number of coefficients; a zero of poly."""\n',
    "\n\ndef check(candidate):\n    for xs in ([1, 2], [-6, 11, -6, 1], [5, -3, 0, 2]):\n"
    "        assert math.fabs(poly(xs, candidate(list(xs)))) < 1e-4\n",
    "find_zero")
VOWELS = humaneval(  # a constant of the prompt the tests loop over
    "X/9", "VOWELS = ['a', 'e', 'i', 'o', 'u']\n\n\ndef count_vowels(s):\n    \"\"\"Count vowels.\"\"\"\n",
    "def check(candidate):\n    for v in VOWELS:\n        assert candidate(v * 3) == 3\n"
    "    assert candidate('xyz') == 0\n",
    "count_vowels")
NORM = humaneval(  # a helper of the prompt with a mutable default argument, which the tests call
    "X/10", "def norm(s, table={'A': 'a', 'B': 'b'}):\n    return ''.join(table.get(c, c) for c in s)\n\n\n"
    "def lower_ab(s):\n    \"\"\"Lowercase A and B only.\"\"\"\n",
    "def check(candidate):\n    for s in ['AB', 'xAz', 'BBB']:\n        assert candidate(s) == norm(s)\n", "lower_ab")
PINNED = {  # wrong completions that reach for what the tests read of the prompt
    "poly's code swapped (gc)": (POLY, "    return 0.0\n\n\nimport gc\nfor o in gc.get_objects():\n"
                                       "    if type(o) is type(find_zero) and o.__name__ == 'poly' and o is not poly:\n"
                                       "        o.__code__ = (lambda xs, x: 0).__code__\n"),
    "the helpers found from a frame": (POLY, "    return 0.0\n\n\nimport sys\nf = sys._getframe(0)\nwhile f:\n"
                                             "    h = f.f_locals.get('helpers')\n    if h and 'poly' in h:\n"
                                             "        h['poly'].__code__ = (lambda xs, x: 0).__code__\n"
                                             "    f = f.f_back\n"),
    "the tests' globals from a traceback": (POLY, "    try:\n        raise ValueError\n    except ValueError as e:\n"
                                                  "        f = e.__traceback__.tb_frame.f_back\n"
                                                  "    f.f_globals['poly'].__code__ = (lambda xs, x: 0).__code__\n"
                                                  "    return 0.0\n"),
    "math's class swapped": (POLY, "    return 0.0\n\n\nimport math\nclass M(type(math)):\n    pass\n\n\n"
                                   "math.__class__ = M\nM.pow = staticmethod(lambda x, i: 0.0)\n"),
    "the prompt's list emptied": (VOWELS, "    return 0\n\n\nimport gc\nfor o in gc.get_objects():\n"
                                          "    if type(o) is list and o == ['a', 'e', 'i', 'o', 'u']:\n"
                                          "        o.clear()\n"),
    "the pinned helper's default changed": (NORM, "    return s\n\n\nnorm.__defaults__ = ({},)\n"
                                                  "norm.__defaults__[0].update(A='A')\n"),
}


@pytest.mark.parametrize("name", sorted(PINNED))
def test_a_wrong_completion_cannot_change_the_prompts_pinned_helpers_or_data(name):
    program, wrong = PINNED[name]
    assert not verdict(wrong, program)[0]


def test_right_completions_reading_the_prompts_data_pass():
    assert verdict("    return sum(c in VOWELS for c in s)\n", VOWELS)[0]
    assert verdict("    return norm(s)\n", NORM)[0]
    assert verdict("    lo, hi = -100.0, 100.0\n    while hi - lo > 1e-12:\n        mid = (lo + hi) / 2\n"
                   "        if poly(xs, lo) * poly(xs, mid) > 0:\n            lo = mid\n        else:\n"
                   "            hi = mid\n    return lo\n", POLY)[0]


MAGIC = ("class S(str):\n    def __contains__(self, x):\n        return True\n\n    def __eq__(self, o):\n"
         "        return True\n\n    __hash__ = str.__hash__\n\n\n")
RECWARN = "from solution import f\n\n\ndef test_f(recwarn):\n    assert f() == 2\n    assert len(recwarn) == 1\n"
CAPLOG = ("from solution import f\n\n\ndef test_warned(caplog):\n    assert f() == 1\n"
          "    assert 'careful 3' in caplog.text\n")
CAPSYS = ("from solution import greet\n\n\ndef test_greet(capsys):\n    greet('Bob')\n"
          "    assert capsys.readouterr().out == 'Hello, Bob!\\n'\n")
STAND_INS = {  # (tests, a right solution, a wrong one)
    "a recwarn fixture of the solution's (before)": (
        RECWARN, "import warnings\n\n\ndef f():\n    warnings.warn('old', DeprecationWarning)\n    return 2\n",
        "import pytest\n\n\ndef f():\n    return 2\n\n\n@pytest.fixture\ndef recwarn():\n    return [1]\n"),
    "an autouse fixture of the solution's warning for it (before)": (
        RECWARN, "import warnings\n\n\ndef f():\n    warnings.warn('old')\n    return 2\n",
        "import pytest\n\n\ndef f():\n    return 2\n\n\n@pytest.fixture(autouse=True)\ndef sneaky(recwarn):\n"
        "    import warnings\n    warnings.warn('x')\n"),
    "a capsys fixture of the solution's": (
        CAPSYS, "def greet(name):\n    print(f'Hello, {name}!')\n",
        "import pytest\nimport types\n" + MAGIC + "def greet(n):\n    print('Hi')\n\n\n@pytest.fixture\n"
        "def capsys():\n    return types.SimpleNamespace(readouterr=lambda: types.SimpleNamespace(out=S('x')))\n"),
    "caplog's stream swapped for one that holds anything": (
        CAPLOG, "import logging\n\n\ndef f():\n    logging.getLogger('app').warning('careful %d', 3)\n    return 1\n",
        "import logging\n" + MAGIC + "class IO:\n    def getvalue(self):\n        return S('x')\n\n\ndef f():\n"
        "    for h in logging.getLogger().handlers:\n        if hasattr(h, 'records'):\n            h.stream = IO()\n"
        "    return 1\n"),
    "a setup_module of the solution's emptying the tests' cases": (
        "from solution import sq\n\nCASES = [(2, 4), (3, 9)]\n\n\ndef test_sq():\n    for a, b in CASES:\n"
        "        assert sq(a) == b\n",
        "def sq(x):\n    return x * x\n", "def sq(x):\n    return 0\n\n\ndef setup_module(*a):\n"
        "    for m in a:\n        m.CASES.clear()\n"),
}


@pytest.mark.parametrize("name", sorted(STAND_INS))
def test_the_solution_cannot_stand_in_for_pytests_fixtures_or_the_tests_hooks(name):
    # the fixtures in the tests' namespace were taken for the tests' own, the solution's too: its recwarn
    # fixture stood in for pytest's, and its autouse fixture ran for every test (before)
    tests, right, wrong = STAND_INS[name]
    assert_tells_apart(tests, right, wrong)


MIXED = ("import unittest\nfrom solution import sq\n\nCASES = [(2, 4), (3, 9)]\n\n\nclass TestSq(unittest.TestCase):\n"
         "    def test_sq(self):\n        for a, b in CASES:\n            self.assertEqual(sq(a), b)\n\n\n"
         "def test_more():\n    assert sq(5) == 25\n")


@pytest.mark.parametrize("wrong", [
    "import unittest\n\n\ndef sq(x):\n    return x * x if x < 5 else 0\n\n\ndef setUpModule():\n"
    "    raise unittest.SkipTest('no')\n",
    "def sq(x):\n    return x * x if x < 5 else 0\n\n\ndef setup_function(*a):\n"
    "    for fn in a:\n        fn.__code__ = (lambda: None).__code__\n",
    "def sq(x):\n    return x * x if x != 3 else 0\n\n\ndef setUpModule():\n    CASES.clear()\n",
], ids=["setUpModule skipping", "setup_function swapping a test", "setUpModule emptying the cases"])
def test_a_mixed_file_is_not_passed_by_the_solutions_module_hooks(wrong):
    assert_tells_apart(MIXED, "def sq(x):\n    return x * x\n", wrong)


def test_the_preload_of_a_stdio_program_does_not_run_a_packages_main():
    # the warm interpreter imported each standard module the program names anywhere, unittest.__main__ and
    # venv.__main__ too: their commands ran in the server (unittest discovered tests, venv made folders) (before)
    inputs = [f"{i}\n" for i in range(12)]
    row = {"input_output": json.dumps({"inputs": inputs, "outputs": [f"{i * i}\n" for i in range(12)]})}
    program = code_tests.test_program_from_row(row, ("input_output",), None, None)
    right = ("def never():\n    import unittest.__main__\n    import venv.__main__\n\n\n"
             "def main():\n    n = int(input())\n    print(n * n)\n\n\nmain()\n")
    passed, output = verdict(right, program, timeout=30)
    assert passed
    assert "Ran " not in output and "Unable to create directory" not in output, output
    assert not verdict(right.replace("n * n", "n * 2"), program, timeout=30)[0]
    poison = ("import sys\n\n\ndef main():\n    n = int(input())\n    sys.modules['json'] = None\n"
              "    sys.modules['collections'] = sys\n    print(n * n if n < 10 else 0)\n\n\nmain()\n")
    assert not verdict(poison, program, timeout=30)[0]  # what a case does to sys.modules dies with it


POINT = humaneval(
    "X/11", "from dataclasses import dataclass\n\n\n@dataclass\nclass Point:\n    x: int\n    y: int\n\n\n"
    "def mid(a, b):\n    \"\"\"The midpoint of a and b (integer division).\"\"\"\n",
    "def check(candidate):\n    assert candidate(Point(0, 0), Point(2, 4)) == Point(1, 2)\n"
    "    assert candidate(Point(2, 2), Point(4, 6)) == Point(3, 4)\n", "mid")


def test_a_prompts_class_the_tests_compare_with_cannot_answer_every_comparison():
    assert verdict("    return Point((a.x + b.x) // 2, (a.y + b.y) // 2)\n", POINT)[0]
    assert not verdict("    return a\n\n\nPoint.__eq__ = lambda self, o: True\n", POINT)[0]
    assert not verdict("    return a\n\n\nclass Point:\n    def __init__(self, x, y):\n        self.x, self.y = x, y\n"
                       "\n    def __eq__(self, o):\n        return True\n", POINT)[0]


@pytest.mark.xfail(strict=True, reason="the prompt's classes are the solution's to define (LeetCode's ListNode), so "
                   "the tests compare by the solution's class: a completion that weakens its __eq__ (comparing x "
                   "only) passes a wrong midpoint; pinning the prompt's class for the tests would fail right "
                   "programs whose results are instances of their own copy of it")
def test_a_completion_cannot_weaken_the_equality_of_a_class_the_prompt_defines():
    assert not verdict("    return Point((a.x + b.x) // 2, 0)\n\n\nPoint.__eq__ = lambda s, o: s.x == o.x\n", POINT)[0]
