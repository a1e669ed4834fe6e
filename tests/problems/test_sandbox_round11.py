"""Eleventh round of attacks on the code sandbox and its test harness.

Each test failed before its fix: a wrong program judged right, or a right one judged wrong; the right programs
beside each attack still pass."""

import json

import pytest

from helpers.judging import assert_tells_apart, verdict
from ptsfast.problems import code_tests
from ptsfast.problems.sandbox import isolation_status

pytestmark = pytest.mark.skipif(not isolation_status()[0], reason="no namespace sandbox on this machine")

FIXTURES = __file__.rsplit("/", 1)[0] + "/fixtures/"


def humaneval(task_id: str, prompt: str, test: str, entry_point: str) -> code_tests.TestProgram:
    row = {"task_id": task_id, "prompt": prompt, "test": test, "entry_point": entry_point}
    return code_tests.test_program_from_row(row, ("test",), "entry_point", prompt)


CYCLIC = humaneval(  # HumanEval/38: the tests encode with the prompt's encode_cyclic
    "HumanEval/38",
    'def encode_cyclic(s: str):\n    """returns encoded string by cycling groups of three characters."""\n'
    "    groups = [s[(3 * i):min((3 * i + 3), len(s))] for i in range((len(s) + 2) // 3)]\n"
    "    groups = [(group[1:] + group[0]) if len(group) == 3 else group for group in groups]\n"
    '    return "".join(groups)\n\n\ndef decode_cyclic(s: str):\n'
    '    """takes as input string encoded with encode_cyclic function. Returns decoded string."""\n',
    "\n\nMETADATA = {}\n\n\ndef check(candidate):\n    from random import randint, choice\n    import string\n\n"
    "    letters = string.ascii_lowercase\n    for _ in range(100):\n"
    "        str = ''.join(choice(letters) for i in range(randint(10, 20)))\n"
    "        encoded_str = encode_cyclic(str)\n        assert candidate(encoded_str) == str\n",
    "decode_cyclic")
POLY = humaneval(  # HumanEval/32: the tests evaluate the returned root with the prompt's poly
    "HumanEval/32",
    'import math\n\n\ndef poly(xs: list, x: float):\n    """Evaluates polynomial with coefficients xs at x."""\n'
    "    return sum([coeff * math.pow(x, i) for i, coeff in enumerate(xs)])\n\n\n"
    'def find_zero(xs: list):\n    """xs are coefficients of a polynomial; find_zero finds x such that poly(x) = 0."""'
    '\n',
    "\n\nMETADATA = {}\n\n\ndef check(candidate):\n    import math\n    import random\n    rng = random.Random(42)\n"
    "    import copy\n    for _ in range(20):\n        ncoeff = 2 * rng.randint(1, 4)\n        coeffs = []\n"
    "        for _ in range(ncoeff):\n            coeff = rng.randint(-10, 10)\n            if coeff == 0:\n"
    "                coeff = 1\n            coeffs.append(coeff)\n"
    "        solution = candidate(copy.deepcopy(coeffs))\n        assert math.fabs(poly(coeffs, solution)) < 1e-4\n",
    "find_zero")
FIND_ZERO = ("    begin, end = -1., 1.\n    while poly(xs, begin) * poly(xs, end) > 0:\n        begin *= 2.0\n"
             "        end *= 2.0\n    while end - begin > 1e-10:\n        center = (begin + end) / 2.0\n"
             "        if poly(xs, center) * poly(xs, begin) > 0:\n            begin = center\n        else:\n"
             "            end = center\n    return begin\n")
ARRAYS = humaneval(  # the tests compare with the np the prompt imports
    "Numeric/1", 'import numpy as np\n\n\ndef double(x):\n    """Each element of the array x doubled."""\n',
    "def check(candidate):\n    assert np.allclose(candidate(np.array([1.0, 2.5])), np.array([2.0, 5.0]))\n", "double")
PROMPT_HELPERS = {  # a wrong completion that redefines what the prompt's helper (which the tests call) does
    "encode_cyclic redefined": (CYCLIC, "    return s\n\n\ndef encode_cyclic(s):\n    return s\n"),
    "poly redefined": (POLY, "    return 0.0\n\n\ndef poly(xs, x):\n    return 0\n"),
    "a sum() of its own": (POLY, "    return 0.0\n\n\ndef sum(values):\n    return 0\n"),
    "a math of its own": (POLY, "    return 0.0\n\n\nclass math:\n    pow = staticmethod(lambda x, i: 0.0)\n"),
    "np a class of its own": (ARRAYS, "    return x\n\n\nclass np:\n    array = staticmethod(lambda a: a)\n"
                                      "    allclose = staticmethod(lambda a, b: True)\n"),
    "np a module of its own": (ARRAYS, "    return x\n\n\nimport numpy\nnp = type(numpy)('numpy')\n"
                                       "np.__dict__.update(vars(numpy), allclose=lambda a, b: True)\n"),
}


@pytest.mark.parametrize("name", sorted(PROMPT_HELPERS))
def test_a_humaneval_solution_cannot_redefine_the_prompts_helpers_its_tests_call(name):
    # HumanEval runs prompt, completion and tests in one namespace: a completion that made encode_cyclic the
    # identity (decode_cyclic returning its argument), poly zero everywhere, or np.allclose always true, passed
    # (before)
    program, wrong = PROMPT_HELPERS[name]
    assert not verdict(wrong, program)[0]


def test_right_humaneval_solutions_that_use_or_copy_the_prompts_helpers_pass():
    decode = "    return encode_cyclic(encode_cyclic(s))\n"
    assert verdict(decode, CYCLIC)[0]
    copied = CYCLIC.prompt.split("def decode_cyclic")[0] + "def decode_cyclic(s):\n" + decode  # the whole program
    assert verdict(copied, CYCLIC)[0]
    assert verdict(FIND_ZERO, POLY)[0]
    assert verdict(FIND_ZERO + "\n\ndef poly(xs, x):  # its own, equal, copy\n"
                   "    return sum(c * x ** i for i, c in enumerate(xs))\n", POLY)[0]
    assert not verdict(FIND_ZERO.replace("return begin", "return begin + 0.5"), POLY)[0]
    assert verdict("    return x * 2\n", ARRAYS)[0]
    assert verdict("    return np.asarray(x) * 2\n\n\nimport numpy as np\n", ARRAYS)[0]


def test_a_leetcode_solution_cannot_redefine_the_prompts_comparison_helper():
    rows = [json.loads(line) for line in open(FIXTURES + "leetcode.jsonl")]
    row = next(r for r in rows if r["entry_point"] == "Solution().reverseList")
    program = code_tests.test_program_from_row(row, ("test",), "entry_point", row["prompt"])
    cheat = ("class Solution:\n    def reverseList(self, head):\n        return head\n\n\n"
             "def is_same_list(a, b):\n    return True\n")
    assert not verdict(cheat, program)[0]  # before, passed
    nothing = ("class Solution:\n    def reverseList(self, head):\n        return None\n\n\n"
               "def list_node(values):\n    return None\n")
    assert not verdict(nothing, program)[0]  # every list built empty
    node = "class ListNode:\n    def __init__(self, val=0, next=None):\n        self.val, self.next = val, next\n"
    rebuilt = node + ("class Solution:\n    def reverseList(self, head):\n        out = None\n        while head:\n"
                      "            out, head = ListNode(head.val, out), head.next\n        return out\n")
    assert verdict(rebuilt, program)[0]  # a ListNode of its own, as LeetCode's starter code has it


DS1000 = '''import numpy as np
import copy


def generate_test_case(test_case_id):
    a = np.array([[1, 2], [3, 4]]) if test_case_id == 1 else np.arange(6).reshape(2, 3)
    return a, copy.deepcopy(a).sum(axis=0)


def exec_test(result, ans):
    np.testing.assert_array_equal(result, ans)
    return 1


exec_context = r"""
import numpy as np
a = test_input
[insert]
"""


def test_execution(solution: str):
    code = exec_context.replace("[insert]", solution)
    for i in range(2):
        test_input, expected_result = generate_test_case(i + 1)
        test_env = {"test_input": test_input}
        exec(code, test_env)
        assert exec_test(test_env["result"], expected_result)
'''


@pytest.mark.parametrize("snippet", ["result = np.ma.masked_all(a.shape[1:], dtype=int)\n",
                                     "result = np.ma.array(a.sum(axis=0) + 1, mask=True)\n",
                                     "result = np.ma.masked\n"],
                         ids=["masked_all", "all masked", "the masked constant"])
def test_a_ds1000_result_that_masks_its_elements_fails(snippet):
    # DS-1000's tests run the snippet themselves and read its result out of their exec's namespace: no function of
    # the solution returned it, and the masked array (equal to anything to numpy.testing) passed (before)
    program = code_tests.test_program_from_row({"code_context": DS1000}, ("code_context",), None, None)
    assert not verdict(snippet, program)[0]
    assert verdict("result = a.sum(axis=0)\n", program)[0]
    through_masks = "m = np.ma.masked_less(a, 0)\nresult = m.sum(axis=0).filled(0)\n"  # none masked
    assert verdict(through_masks, program)[0]
    about_masks = code_tests.test_program_from_row(  # a task about masked arrays: its tests name them
        {"code_context": DS1000.replace("copy.deepcopy(a).sum(axis=0)", "np.ma.masked_all(a.shape[1:], dtype=int)")},
        ("code_context",), None, None)
    assert verdict("result = np.ma.masked_all(a.shape[1:], dtype=int)\n", about_masks)[0]


COUNT_LINES = "def count_lines(path):\n    with open(path) as f:\n        return len(f.read().splitlines())\n"
SAMPLE = ("import os\nimport pytest\nfrom solution import count_lines\n\n\n@pytest.fixture\ndef sample_file():\n"
          "    with open('sample.txt', 'w') as f:\n        f.write('a\\nb\\nc\\n')\n    yield\n"
          "    os.remove('sample.txt')\n\n\n")
USEFIXTURES = {
    "on the test": "@pytest.mark.usefixtures('sample_file')\ndef test_count():\n"
                   "    assert count_lines('sample.txt') == 3\n",
    "on its class": "@pytest.mark.usefixtures('sample_file')\nclass TestCount:\n    def test_count(self):\n"
                    "        assert count_lines('sample.txt') == 3\n",
    "on the module": "pytestmark = [pytest.mark.usefixtures('sample_file')]\n\n\ndef test_count():\n"
                     "    assert count_lines('sample.txt') == 3\n",
}


@pytest.mark.parametrize("where", sorted(USEFIXTURES))
def test_a_fixture_that_usefixtures_names_is_made_for_the_test(where):
    # pytest makes the fixtures @pytest.mark.usefixtures names (KodCode's file fixtures): the mark was ignored, the
    # file never written, and a right program failed (before)
    program = code_tests.TestProgram.from_text(SAMPLE + USEFIXTURES[where])
    assert verdict(COUNT_LINES, program)[0]
    assert not verdict(COUNT_LINES.replace("len(", "1 + len("), program)[0]


def test_usefixtures_naming_a_fixture_not_given_is_refused_at_load():
    with pytest.raises(code_tests.TestFormatError, match="conftest_db"):
        code_tests.TestProgram.from_text("import pytest\nfrom solution import f\n\n\n"
                                         "@pytest.mark.usefixtures('conftest_db')\ndef test_f():\n"
                                         "    assert f(1) == 2\n")


PYTEST_FIXTURE_USES = {  # (solution, pytest tests, a wrong solution): each passes under pytest itself
    "capsys and sys.stdout.buffer": (
        "import sys\ndef main():\n    sys.stdout.buffer.write(b'1')\n    print(0, flush=True)\n"
        "    sys.stdout.buffer.write(sys.stdout.encoding.encode())\n",
        "from solution import main\n\n\ndef test_main(capsys):\n    main()\n"
        "    assert capsys.readouterr().out == '10\\nUTF-8'\n",
        "import sys\ndef main():\n    print(10)\n"),
    "monkeypatch.context()": (
        "def ask():\n    return input()\n",
        "from solution import ask\n\n\ndef test_ask(monkeypatch):\n    with monkeypatch.context() as m:\n"
        "        m.setattr('builtins.input', lambda *a: 'x')\n        assert ask() == 'x'\n",
        "def ask():\n    return input() * 2\n"),
    "a staticmethod patched, then used": (
        "class S:\n    @staticmethod\n    def helper(x):\n        return x + 1\n\n    def run(self, x):\n"
        "        return self.helper(x) * 2\n",
        "from solution import S\n\n\ndef test_patched(monkeypatch):\n"
        "    monkeypatch.setattr(S, 'helper', staticmethod(lambda x: 0))\n    assert S().run(5) == 0\n\n\n"
        "def test_after():\n    assert S().run(5) == 12\n",
        "class S:\n    @staticmethod\n    def helper(x):\n        return x + 2\n\n    def run(self, x):\n"
        "        return self.helper(x) * 2\n"),
    "an inherited method patched, then its base's": (
        "class A:\n    def v(self):\n        return 1\n\n\nclass B(A):\n    pass\n",
        "from solution import A, B\n\n\ndef test_subclass(monkeypatch):\n"
        "    monkeypatch.setattr(B, 'v', lambda self: 5)\n    assert B().v() == 5\n\n\n"
        "def test_base(monkeypatch):\n    monkeypatch.setattr(A, 'v', lambda self: 7)\n    assert B().v() == 7\n",
        "class A:\n    def v(self):\n        return 1\n\n\nclass B(A):\n    def v(self):\n        return 1\n"),
}


@pytest.mark.parametrize("name", sorted(PYTEST_FIXTURE_USES))
def test_pytests_capsys_and_monkeypatch_behave_as_pytests_own(name):
    # capsys' stdout was a StringIO (no buffer, no encoding), monkeypatch had no context(), and its undo put a
    # class's attribute back as it read it (a staticmethod's function, an inherited method as the class's own): a
    # right program failed (before)
    solution, tests, wrong = PYTEST_FIXTURE_USES[name]
    assert_tells_apart(tests, solution, wrong)


def test_a_prompt_helper_that_calls_the_function_under_test_is_the_solutions_to_complete():
    # a helper of the prompt that calls the entry point (a stub until the solution writes it) stays the one the
    # solution's source defines: taken from the prompt alone, it called the stub and a right program failed
    program = humaneval("X/2", 'def wrapped(x):\n    return double(x) + 1\n\n\ndef double(x):\n    """Twice x."""\n',
                        "def check(candidate):\n    assert candidate(2) == 4\n    assert wrapped(3) == 7\n", "double")
    assert verdict("    return 2 * x\n", program)[0]
    assert not verdict("    return 2 * x + 1\n", program)[0]
