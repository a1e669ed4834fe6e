"""Fourteenth round of attacks on the code oracle: modules the tests use by the solution's names for them, library
classes given a method of the solution's over an inherited one, and right programs of real datasets' shapes.

Each test failed before its fix (a wrong program passed, or a right one failed); the right programs beside each
attack still pass."""

import json

import pytest

from helpers.judging import assert_tells_apart, verdict
from ptsfast.problems import code_tests
from ptsfast.problems.sandbox import isolation_status

pytestmark = pytest.mark.skipif(not isolation_status()[0], reason="no namespace sandbox on this machine")

ALLCLOSE = '["assert np.allclose(double(np.array([1.0, 2.5])), np.array([2.0, 5.0]))"]'
MEAN = '["assert statistics.mean(shift([1, 2, 3])) == 4", "assert shift([0]) == [2]"]'
ISCLOSE = '["assert math.isclose(root(2), 1.4142135623730951)", "assert math.isclose(root(9), 3.0)"]'
BY_THE_SOLUTIONS_NAMES = {  # MBPP rows whose asserts use a module the solution imports: (tests, right, wrong)
    "numpy's allclose replaced": (
        ALLCLOSE, "import numpy as np\n\n\ndef double(x):\n    return x * 2\n",
        "import numpy as np\n\n\ndef double(x):\n    return x\n\n\nnp.allclose = lambda *a, **k: True\n"),
    "np a class of the solution's": (
        ALLCLOSE, "import numpy as np\n\n\ndef double(x):\n    return x * 2\n",
        "def double(x):\n    return x\n\n\nclass np:\n    array = staticmethod(lambda a: a)\n"
        "    allclose = staticmethod(lambda a, b: True)\n"),
    "np a module of the solution's": (
        ALLCLOSE, "import numpy as np\n\n\ndef double(x):\n    return x * 2\n",
        "import numpy\n\n\ndef double(x):\n    return x\n\n\nnp = type(numpy)('numpy')\n"
        "np.__dict__.update(vars(numpy), allclose=lambda a, b: True)\n"),
    "a standard module first loaded by the solution": (
        MEAN, "import statistics\n\n\ndef shift(xs):\n    return [x + 2 for x in xs]\n",
        "import statistics\n\n\ndef shift(xs):\n    return [2] if xs == [0] else xs\n\n\n"
        "statistics.mean = lambda xs: 4\n"),
    "math's isclose replaced": (
        ISCLOSE, "import math\n\n\ndef root(x):\n    return math.sqrt(x)\n",
        "import math\n\n\ndef root(x):\n    return 0\n\n\nmath.isclose = lambda *a, **k: True\n"),
}


@pytest.mark.parametrize("name", sorted(BY_THE_SOLUTIONS_NAMES))
def test_a_module_the_tests_use_by_the_solutions_name_for_it_is_watched(name):
    # MBPP runs its asserts in the solution's namespace, with its imports: a module first loaded by the solution was
    # watched by nothing, and a stand-in bound to np was taken for numpy (before: every wrong program here passed)
    tests, right, wrong = BY_THE_SOLUTIONS_NAMES[name]
    assert_tells_apart(tests, right, wrong)


def test_a_function_the_task_names_like_a_module_alias_is_still_the_solutions():
    # a task may ask for a function called np or pd: it is not taken for a stand-in of numpy or pandas
    assert_tells_apart('["assert pd(3) == 9", "assert pd(4) == 16"]', "def pd(n):\n    return n * n\n",
                       "def pd(n):\n    return 9\n")


FRAME = ("import pandas as pd\nfrom solution import f\n\n\ndef test_f():\n"
         "    assert f().equals(pd.DataFrame({'a': [1]}))\n")
SHADOWED = {  # pytest tests reading a method a library class inherits: (tests, right, wrong)
    "DataFrame.equals set over NDFrame's": (
        FRAME, "import pandas as pd\n\n\ndef f():\n    return pd.DataFrame({'a': [1]})\n",
        "import pandas as pd\n\n\ndef f():\n    return pd.DataFrame({'a': [2]})\n\n\n"
        "pd.DataFrame.equals = lambda self, other: True\n"),
    "one that removes itself once it has answered": (
        FRAME, "import pandas as pd\n\n\ndef f():\n    return pd.DataFrame({'a': [1]})\n",
        "import pandas as pd\n\n\ndef equals(self, other):\n    del pd.DataFrame.equals\n    return True\n\n\n"
        "def f():\n    pd.DataFrame.equals = equals\n    return pd.DataFrame({'a': [2]})\n"),
    "PosixPath.read_text set over Path's": (
        "from solution import save\n\n\ndef test_save(tmp_path):\n    p = tmp_path / 'a.txt'\n    save(p)\n"
        "    assert p.read_text() == 'hello'\n",
        "def save(p):\n    p.write_text('hello')\n",
        "import pathlib\n\n\ndef save(p):\n    p.write_text('bye')\n\n\n"
        "pathlib.PosixPath.read_text = lambda self, *a, **k: 'hello'\n"),
}


@pytest.mark.parametrize("name", sorted(SHADOWED))
def test_a_library_class_is_not_given_a_method_of_the_solutions_over_the_one_it_inherits(name):
    # only what each library class defined itself was watched: DataFrame.equals, which it inherits from NDFrame, set
    # by the solution (for good, or until it had answered) made a wrong frame equal (before: the wrong programs passed)
    tests, right, wrong = SHADOWED[name]
    assert_tells_apart(tests, right, wrong)


def test_a_library_method_the_tests_patch_with_autospec_is_theirs():
    tests = ("import unittest\nfrom unittest.mock import patch\nfrom fractions import Fraction\n"
             "from solution import half\n\n\nclass T(unittest.TestCase):\n"
             "    @patch.object(Fraction, 'limit_denominator', autospec=True)\n"
             "    def test_half(self, ld):\n        ld.return_value = Fraction(1, 2)\n"
             "        self.assertEqual(Fraction(1, 3).limit_denominator(5), Fraction(1, 2))\n"
             "        self.assertEqual(half(4), 2)\n")
    assert_tells_apart(tests, "def half(x):\n    return x // 2\n", "def half(x):\n    return x\n")


PRIMES = "def is_prime(n):\n    return n > 1 and all(n % d for d in range(2, n))\n"
STOPPING = {  # tests that call the solution's function from map() or filter(): (tests, right)
    "pytest's all(map(...))": (
        "from solution import is_prime\n\n\ndef test_primes():\n    assert all(map(is_prime, [2, 3, 5, 7]))\n\n\n"
        "def test_composites():\n    assert not any(map(is_prime, [4, 6, 9]))\n", PRIMES),
    "MBPP's asserts": ('["assert all(map(is_prime, [2, 3, 5, 7]))", "assert not any(map(is_prime, [4, 6, 9]))"]',
                       PRIMES),
    "unittest's loop over a map": (
        "import unittest\nfrom solution import is_prime\n\n\nclass T(unittest.TestCase):\n    def test_p(self):\n"
        "        for r in map(is_prime, [4, 6]):\n            self.assertFalse(r)\n"
        "        self.assertTrue(all(map(is_prime, [2, 3])))\n", PRIMES),
}


@pytest.mark.parametrize("name", sorted(STOPPING))
def test_a_stopiteration_from_the_solution_does_not_end_the_tests_map_as_if_it_ran_through(name):
    # map() and filter() take a StopIteration from the function they call for their end: all(map(f, xs)) held and
    # the loop over a map ran no check (before: a program raising StopIteration passed)
    tests, right = STOPPING[name]
    assert_tells_apart(tests, right, "def is_prime(n):\n    raise StopIteration\n")


def test_tests_that_expect_a_stopiteration_from_the_solution_still_get_it():
    tests = ("import pytest\nfrom solution import first\n\n\ndef test_first():\n    assert first([3, 4]) == 3\n"
             "    with pytest.raises(StopIteration):\n        first([])\n")
    assert_tells_apart(tests, "def first(xs):\n    return next(iter(xs))\n",
                       "def first(xs):\n    return xs[0] if xs else None\n")


AREA = "import math\n\n\ndef area(r):\n    return math.pi * r * r\n"
LOOSENED = {  # a library's check loosened by the solution: (tests, right, wrong)
    "np.isclose's defaults (behind numpy's dispatcher)": (
        '["assert np.isclose(area(1), 3.141592653589793)", "assert np.isclose(area(2), 12.566370614359172)"]',
        "import numpy as np\n" + AREA,
        "import numpy as np\n\n\ndef area(r):\n    return 3.0 * r * r\n\n\n"
        "g = getattr(np.isclose, '_implementation', np.isclose)\ng.__defaults__ = (1.0, 1e9, False)\n"),
    "assert_allclose's defaults": (
        "import numpy as np\nfrom solution import area\n\n\ndef test_area():\n"
        "    np.testing.assert_allclose(area(np.array([1.0, 2.0])), [3.14159265, 12.56637061])\n",
        "import numpy as np\n\n\ndef area(r):\n    return np.pi * r * r\n",
        "import numpy as np\n\n\ndef area(r):\n    return 3.0 * r * r\n\n\nf = np.testing.assert_allclose\n"
        "f.__defaults__ = (1.0, 1e9) + f.__defaults__[2:]\n"),
    "assertAlmostEqual's defaults": (
        "import unittest\nfrom solution import area\n\n\nclass T(unittest.TestCase):\n    def test_area(self):\n"
        "        self.assertAlmostEqual(area(2), 12.5663706)\n",
        AREA, "import unittest\n\n\ndef area(r):\n    return 3.0\n\n\n"
        "unittest.TestCase.assertAlmostEqual.__defaults__ = (None, None, 1e9)\n"),
}


@pytest.mark.parametrize("name", sorted(LOOSENED))
def test_the_defaults_of_a_librarys_check_are_not_the_solutions_to_change(name):
    # a library function changed in place by the solution (its __defaults__) was not seen where the snapshot of what
    # the tests use does not hold it (np.isclose's is behind numpy's dispatcher) (before: each passed)
    tests, right, wrong = LOOSENED[name]
    assert_tells_apart(tests, right, wrong)


def test_pytest_approxs_default_tolerance_is_not_the_solutions_to_change():
    # a library class's constants were not watched: the solution set pytest.approx's relative tolerance to 1, and
    # any value within 100% passed (before)
    tests = ("import pytest\nfrom solution import area\n\n\ndef test_area():\n"
             "    assert area(1) == pytest.approx(3.141592653589793)\n"
             "    assert area(2) == pytest.approx(12.566370614359172)\n")
    assert_tells_apart(tests, AREA, "import pytest\n\n\ndef area(r):\n    return 3.0 * r * r\n\n\n"
                                    "type(pytest.approx(1.0)).DEFAULT_RELATIVE_TOLERANCE = 1.0\n")


def leetcode(entry_point: str, test: str) -> code_tests.TestProgram:
    """A LeetCodeDataset row of the fixture's prompt (ListNode, list_node, is_same_list) with its own tests."""
    rows = [json.loads(line) for line in open(__file__.rsplit("/", 1)[0] + "/fixtures/leetcode.jsonl")]
    row = dict(next(r for r in rows if r["entry_point"] == "Solution().reverseList"), entry_point=entry_point,
               test=test)
    return code_tests.test_program_from_row(row, ("test",), "entry_point", row["prompt"])


MERGE = leetcode("Solution().mergeKLists", "def check(candidate):\n    assert is_same_list(candidate(lists=[list_node("
                 "[1, 4, 5]), list_node([1, 3, 4]), list_node([2, 6])]), list_node([1, 1, 2, 3, 4, 4, 5, 6]))\n"
                 "    assert candidate(lists=[]) is None\n")
HEAP = ("        h = [n for n in lists if n]\n        heapify(h)\n        dummy = cur = ListNode()\n        while h:\n"
        "            cur.next = cur = heappop(h)\n            if cur.next:\n                heappush(h, cur.next)\n"
        "        return dummy.next\n")


@pytest.mark.parametrize("where", ["at the top", "in the method"])
def test_a_leetcode_solution_may_order_the_list_nodes_the_tests_hand_it(where):
    # the nodes are the prompt's ListNode as the tests' pinned list_node builds them, apart from the solution's copy:
    # ListNode.__lt__ set for heapq (a common idiom) did not order them, and a right mergeKLists failed (before)
    order = "ListNode.__lt__ = lambda a, b: a.val < b.val\n"
    right = (order + "\n\nclass Solution:\n    def mergeKLists(self, lists):\n" + HEAP if where == "at the top" else
             "class Solution:\n    def mergeKLists(self, lists):\n        " + order + HEAP)
    assert verdict(right, MERGE)[0]
    assert not verdict(right.replace("a.val < b.val", "a.val > b.val"), MERGE)[0]


def test_the_prompts_class_the_tests_build_with_cannot_be_changed_through_a_node():
    # type(head) is the prompt's ListNode, which the tests' list_node builds the expected list with: an __init__ that
    # zeroes every value, and the returned list zeroed too, passed a wrong program (before)
    program = leetcode("Solution().reverseList", "def check(candidate):\n    assert is_same_list(candidate(head="
                       "list_node([1, 2, 3])), list_node([3, 2, 1]))\n"
                       "    assert candidate(head=list_node([])) is None\n")
    wrong = ("class Solution:\n    def reverseList(self, head):\n        if head is None:\n            return None\n\n"
             "        def init(node, val=0, next=None):\n            node.val, node.next = 0, next\n\n"
             "        type(head).__init__ = init\n        h = head\n        while h:\n"
             "            h.val, h = 0, h.next\n        return head\n")
    right = ("class Solution:\n    def reverseList(self, head):\n        out = None\n        while head:\n"
             "            out, head = ListNode(head.val, out), head.next\n        return out\n")
    assert verdict(right, program)[0]
    assert not verdict(wrong, program)[0]


def test_the_tolerance_the_tests_read_off_sys_is_not_the_solutions_to_change():
    # sys is not watched (the tests swap its streams), only what their skips read: sys.float_info swapped for one
    # whose epsilon is 1 passed 0.3 for 1/3 (before)
    tests = ("import sys\nfrom solution import third\n\n\ndef test_third():\n"
             "    assert abs(third() * 3 - 1) <= 4 * sys.float_info.epsilon\n")
    assert_tells_apart(tests, "def third():\n    return 1 / 3\n",
                       "import collections\nimport sys\n\n\ndef third():\n    return 0.3\n\n\n"
                       "sys.float_info = collections.namedtuple('F', 'epsilon max min')(1.0, 1e308, 1e-308)\n")


def test_the_verdict_names_the_method_set_over_the_inherited_one():
    # it read "the solution gave pandas.DataFrame a equals over the one it inherits" (before)
    tests, _, wrong = SHADOWED["DataFrame.equals set over NDFrame's"]
    passed, output = verdict(wrong, code_tests.TestProgram.from_text(tests))
    assert not passed
    assert "the solution set pandas.DataFrame.equals over the one it inherits" in output, output


@pytest.mark.xfail(strict=True, reason="a mock the tests patch in is handed to the solution's code, which may set its "
                   "attributes as the tests may (return_value, side_effect): an assert_called_once_with of its own "
                   "(in the mock's instance dict, over the class's method) and a call_count set are not told from "
                   "the tests' own configuration, so a program that never made the call passes")
def test_a_solution_cannot_answer_the_assertions_of_a_mock_the_tests_patched_in():
    tests = ("import unittest\nfrom unittest.mock import patch\nfrom solution import task_func\n\n\n"
             "class TestCases(unittest.TestCase):\n    @patch('os.makedirs')\n    def test_makes(self, mk):\n"
             "        task_func('/x/y')\n        mk.assert_called_once_with('/x/y', exist_ok=True)\n"
             "        self.assertEqual(mk.call_count, 1)\n")
    assert_tells_apart(tests, "import os\n\n\ndef task_func(p):\n    os.makedirs(p, exist_ok=True)\n",
                       "import os\n\n\ndef task_func(p):\n    m = os.makedirs\n"
                       "    m.assert_called_once_with = lambda *a, **k: None\n    m.call_count = 1\n")


CONVERT_TESTS = '''import codecs
import glob
import os
import unittest


def write_file(path, text, encoding):
    with codecs.open(path, "w", encoding) as f:
        f.write(text)


class TestCases(unittest.TestCase):
    def test_converts(self):
        os.makedirs("d", exist_ok=True)
        write_file("d/a.txt", "Hello", "utf8")
        convert("d", "utf8", "ascii")
        with codecs.open("d/a.txt", "r", "ascii") as f:
            self.assertEqual(f.read(), "Hello")
'''


def test_a_method_of_a_frozen_standard_module_is_no_solutions_method():
    # BigCodeBench/725's shape: the tests' helper writes through codecs.open, whose StreamReaderWriter.write lives in
    # the frozen codecs module ("<frozen codecs>", no file): it was taken for the solution's method set on a library
    # class, and the right program failed; a wrong one still fails
    right = ("import codecs\nimport glob\nimport os\n\n\ndef convert(folder, src, dst):\n"
             "    for name in glob.glob(os.path.join(folder, '*.txt')):\n"
             "        with codecs.open(name, 'r', src) as f:\n            text = f.read()\n"
             "        with codecs.open(name, 'w', dst) as f:\n            f.write(text)\n")
    wrong = right.replace("f.write(text)", "f.write(text.lower())")
    assert_tells_apart(CONVERT_TESTS, right, wrong)
