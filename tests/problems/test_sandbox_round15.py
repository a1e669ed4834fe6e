"""Fifteenth round of attacks on the code oracle, and right programs of the shapes real judges pass.

Each test failed before its fix (a wrong program passed, or a right one failed); the right programs beside each
attack still pass."""

import json

import pytest

from helpers.judging import verdict
from ptsfast.problems import code_tests
from ptsfast.problems.sandbox import isolation_status

pytestmark = pytest.mark.skipif(not isolation_status()[0], reason="no namespace sandbox on this machine")


def sums(cases: int) -> code_tests.TestProgram:
    """An APPS row: each case two numbers on a line, their sum printed."""
    inputs = [f"{i} {i + 1}\n" for i in range(1, cases + 1)]
    outputs = [f"{2 * i + 1}\n" for i in range(1, cases + 1)]
    row = {"input_output": json.dumps({"inputs": inputs, "outputs": outputs})}
    return code_tests.test_program_from_row(row, ("input_output",), None, None)


# PyRival's fast-IO template, which many Codeforces solutions open with: its flush reads the module's global os
FAST_IO = (
    "import os, sys\nfrom io import BytesIO, IOBase\n\n\nclass FastIO(IOBase):\n    newlines = 0\n\n"
    "    def __init__(self, file):\n        self._fd = file.fileno()\n        self.buffer = BytesIO()\n"
    "        self.writable = 'x' in file.mode or 'r' not in file.mode\n"
    "        self.write = self.buffer.write if self.writable else None\n\n"
    "    def readline(self):\n        while self.newlines == 0:\n"
    "            b = os.read(self._fd, max(os.fstat(self._fd).st_size, 8192))\n"
    "            self.newlines = b.count(b'\\n') + (not b)\n            ptr = self.buffer.tell()\n"
    "            self.buffer.seek(0, 2), self.buffer.write(b), self.buffer.seek(ptr)\n"
    "        self.newlines -= 1\n        return self.buffer.readline()\n\n"
    "    def flush(self):\n        if self.writable:\n            os.write(self._fd, self.buffer.getvalue())\n"
    "            self.buffer.truncate(0), self.buffer.seek(0)\n\n\n"
    "class IOWrapper(IOBase):\n    def __init__(self, file):\n        self.buffer = FastIO(file)\n"
    "        self.flush = self.buffer.flush\n        self.writable = self.buffer.writable\n"
    "        self.write = lambda s: self.buffer.write(s.encode('ascii'))\n"
    "        self.readline = lambda: self.buffer.readline().decode('ascii')\n\n\n"
    "sys.stdin, sys.stdout = IOWrapper(sys.stdin), IOWrapper(sys.stdout)\n"
    "input = lambda: sys.stdin.readline().rstrip('\\r\\n')\n\n\n"
    "def main():\n    a, b = map(int, input().split())\n    print(a + SUM)\n\n\n"
    "if __name__ == '__main__':\n    main()\n")


@pytest.mark.parametrize("cases", [1, 3], ids=["fresh interpreters", "forked"])
def test_a_program_whose_stdout_wrapper_needs_its_globals_to_flush_passes(cases):
    # the forked runs flushed sys.stdout again once the program's globals were None: PyRival's wrapper (os None)
    # raised, and a run exited with status 120; Python puts the original streams back before it clears the module
    # (before: the forked right program failed every row of more than one case)
    assert verdict(FAST_IO.replace("SUM", "b"), sums(cases))[0]
    assert not verdict(FAST_IO.replace("SUM", "a"), sums(cases))[0]


def humaneval(task_id: str, prompt: str, test: str, entry_point: str) -> code_tests.TestProgram:
    row = {"task_id": task_id, "prompt": prompt, "test": test, "entry_point": entry_point}
    return code_tests.test_program_from_row(row, ("test",), "entry_point", prompt)


CYCLIC = humaneval(  # HumanEval/38: the tests draw random strings with random's module functions
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
RANDOM_MADE_CONSTANT = {  # random.choice and randint are methods of random's own Random, which reach its others
    "_randbelow set on the instance": "    return s\n\n\nimport random\nrandom._inst._randbelow = lambda n: 0\n",
    "getrandbits set on the instance": "    return s\n\n\nimport random\nrandom._inst.getrandbits = lambda k: 0\n",
    "a C method bound to a number": "    return s\n\n\nimport random\nrandom._inst._randbelow = (0).__mul__\n",
    "set at the first call, taken back at the last": (  # the first string decoded, the others left as they are
        "    import random\n    n.append(s)\n    if len(n) == 1:\n        random._inst._randbelow = (0).__mul__\n"
        "        return encode_cyclic(encode_cyclic(s))\n    if len(n) == 100:\n        del random._inst._randbelow\n"
        "    return s\n\n\nn = []\n"),
    "the instance's class swapped for one of the solution's": (
        "    return s\n\n\nimport random\n\n\nclass R(random.Random):\n    def _randbelow(self, n):\n"
        "        return 0\n\n\nrandom._inst.__class__ = R\n"),
    "swapped at the first call": (
        "    import random\n\n    class R(random.Random):\n        def _randbelow(self, n):\n            return 0\n\n"
        "    if type(random._inst) is random.Random:\n        random._inst.__class__ = R\n"
        "        return encode_cyclic(encode_cyclic(s))\n    return s\n"),
}


@pytest.mark.parametrize("name", sorted(RANDOM_MADE_CONSTANT))
def test_the_shared_instance_behind_a_modules_functions_keeps_its_classs_methods(name):
    # the module's functions were watched and the Random class's methods, not its instance: a method of the
    # solution's set there made every string the tests drew 'aaaa...', which the identity decodes (before: passed)
    assert not verdict(RANDOM_MADE_CONSTANT[name], CYCLIC)[0]


def test_a_solution_drawing_its_own_random_numbers_passes():
    right = ("    import random\n    random.random(), random.gauss(0, 1), random.Random(5).choice('ab')\n"
             "    return encode_cyclic(encode_cyclic(s))\n")
    assert verdict(right, CYCLIC)[0]


PARAM = ("import pytest\nfrom solution import f\n\n\n@pytest.mark.parametrize('x', [pytest.param(3, id='three'), 4,\n"
         "                                       pytest.param(5, marks=pytest.mark.slow)])\n"
         "def test_f(x):\n    assert f(x) == x * x\n")


def test_a_pytest_param_of_one_argument_is_that_argument():
    # pytest.param(3, id='three') holds its values as a tuple, (3,): with one name, the test got the tuple, and every
    # right program failed on it (before: x * x raised TypeError on a tuple)
    program = code_tests.TestProgram.from_text(PARAM)
    assert verdict("def f(x):\n    return x * x\n", program)[0]
    assert not verdict("def f(x):\n    return x * x if x != 5 else 0\n", program)[0]


NESTED = ("import pytest\nfrom solution import f\n\n\ndef test_small():\n    assert f(1) == 1\n\n\n"
          "class TestF:\n    @pytest.fixture\n    def big(self):\n        return 10\n\n"
          "    def test_two(self):\n        assert f(2) == 4\n\n"
          "    class TestEdges:\n        def setup_method(self):\n            self.zero = 0\n\n"
          "        def test_zero(self):\n            assert f(self.zero) == 0\n\n"
          "        def test_big(self, big):\n            assert f(big) == 100\n\n"
          "        class TestNegative:\n            def test_negative(self):\n                assert f(-3) == 9\n")


def test_the_test_classes_inside_a_test_class_run_as_pytest_runs_them():
    # pytest collects a Test class nested in another, with the outer class's fixtures: only the outer class ran, so
    # a program wrong where the nested classes alone look passed (before), and a file of nested classes alone failed
    # every program ("no test_* function or Test* class was found")
    program = code_tests.TestProgram.from_text(NESTED)
    assert verdict("def f(x):\n    return x * x\n", program)[0]
    for wrong in ("x * x if x else 1", "x * x if x < 10 else 0", "x * x if x >= 0 else 0"):
        assert not verdict(f"def f(x):\n    return {wrong}\n", program)[0], wrong
    only = "from solution import f\n\n\nclass TestF:\n    class TestInner:\n        def test_f(self):\n" \
           "            assert f(3) == 9\n"
    assert verdict("def f(x):\n    return x * x\n", code_tests.TestProgram.from_text(only))[0]


CODES = {  # tests that check the form of what the solution returns with re (BigCodeBench's random strings)
    "unittest's assertRegex and re.fullmatch": (
        "import re\nimport unittest\nfrom solution import code\n\n\nclass T(unittest.TestCase):\n"
        "    def test_code(self):\n        self.assertRegex(code(5), r'^[A-Z]{5}$')\n"
        "        self.assertTrue(re.fullmatch(r'[A-Z]+', code(3)))\n        self.assertEqual(len(code(7)), 7)\n"),
    "pytest's re.match": (
        "import re\nfrom solution import code\n\n\ndef test_code():\n    assert re.fullmatch(r'[A-Z]{5}', code(5))\n"
        "    assert re.match(r'^[A-Z]+$', code(3))\n    assert len(code(7)) == 7\n"),
    "assertRegex, re never imported by the tests": (  # re is unittest's there, a module the tests do not import
        "import unittest\nfrom solution import code\n\n\nclass T(unittest.TestCase):\n    def test_code(self):\n"
        "        self.assertRegex(code(5), r'^[A-Z]{5}$')\n        self.assertRegex(code(3), r'^[A-Z]{3}$')\n"
        "        self.assertEqual(len(code(7)), 7)\n"),
}
EVERY_PATTERN_MATCHES = {  # re's cache of compiled patterns made to hold one that matches anything, for any pattern
    "a dict of its own": "class C(dict):\n    def __getitem__(self, k):\n        return P\n\n\nre._cache = C()\n",
    "a defaultdict": "import collections\nre._cache = collections.defaultdict(lambda: P)\n",
    "set at the first call, put back at the last": (
        "import collections\nkept, n = re._cache, []\n\n\ndef code(k):\n    n.append(k)\n"
        "    re._cache = collections.defaultdict(lambda: P) if len(n) < 3 else kept\n    return '1' * k\n"),
}


@pytest.mark.parametrize("tests", sorted(CODES))
@pytest.mark.parametrize("how", sorted(EVERY_PATTERN_MATCHES))
def test_the_data_a_librarys_functions_read_is_not_the_solutions_to_swap(tests, how):
    # a module's functions and classes were watched, not its data: re._cache swapped for a mapping that gives a
    # pattern matching anything made every re.match, fullmatch and assertRegex hold (before: the wrong program passed)
    program = code_tests.TestProgram.from_text(CODES[tests])
    wrong = "import re\n\n\ndef code(k):\n    return '1' * k\n\n\nP = re.compile('(?s).*')\n" + \
        EVERY_PATTERN_MATCHES[how]
    assert not verdict(wrong, program)[0]


def test_a_solution_using_the_libraries_state_as_they_let_it_passes():
    right = ("import re, random, string, tempfile, warnings\nre.purge()\ntempfile.tempdir = tempfile.gettempdir()\n"
             "warnings.simplefilter('ignore')\n\n\ndef code(n):\n"
             "    return ''.join(random.choice(string.ascii_uppercase) for _ in range(n))\n")
    for tests in CODES.values():
        assert verdict(right, code_tests.TestProgram.from_text(tests))[0]


IMPORTED_LATE = {  # tests that import the module they check with inside the test, after calling the solution
    "pytest": ("from solution import code\n\n\ndef test_code():\n    s = code(5)\n    import re\n"
               "    assert re.fullmatch(r'[A-Z]{5}', s)\n    assert len(s) == 5\n"),
    "unittest": ("import unittest\nfrom solution import code\n\n\nclass T(unittest.TestCase):\n"
                 "    def test_code(self):\n        s = code(5)\n        import re\n"
                 "        self.assertTrue(re.fullmatch(r'[A-Z]{5}', s))\n"),
    "MBPP": '["s = code(5)\\nimport re\\nassert re.fullmatch(r\'[A-Z]{5}\', s)"]',
}
SWAPPED_MODULE = {  # a fake re in sys.modules for the tests' import, which puts the real one back once used
    "a module whose fullmatch holds": (
        "import sys, types\nreal = sys.modules['re']\n\n\ndef fullmatch(*a, **k):\n    sys.modules['re'] = real\n"
        "    return True\n\n\ndef code(n):\n    fake = types.ModuleType('re')\n    fake.fullmatch = fullmatch\n"
        "    sys.modules['re'] = fake\n    return '1' * n\n"),
    "a module whose every attribute holds": (
        "import sys, types\nreal = sys.modules['re']\n\n\nclass M(types.ModuleType):\n    def __getattr__(self, k):\n"
        "        sys.modules['re'] = real\n        return lambda *a, **kw: True\n\n\n"
        "def code(n):\n    sys.modules['re'] = M('re')\n    return '1' * n\n"),
}


@pytest.mark.parametrize("tests", sorted(IMPORTED_LATE))
@pytest.mark.parametrize("how", sorted(SWAPPED_MODULE))
def test_a_module_the_tests_import_is_the_one_they_were_given_at_every_value_read(tests, how):
    # sys.modules was checked for the tests' modules before and after the tests only: a fake swapped in by a call and
    # put back by itself passed a wrong program (before)
    program = code_tests.TestProgram.from_text(IMPORTED_LATE[tests])
    right = "import random, string\n\n\ndef code(n):\n    return ''.join(random.choice(string.ascii_uppercase) " \
            "for _ in range(n))\n"
    assert verdict(right, program)[0]
    assert not verdict(SWAPPED_MODULE[how], program)[0]


def test_tests_that_patch_sys_modules_themselves_still_pass():
    tests = ("import sys, types\nfrom unittest import mock\nfrom solution import code\n\n\ndef test_code():\n"
             "    fake = types.ModuleType('re')\n    fake.fullmatch = lambda p, s: s == 'AB'\n"
             "    with mock.patch.dict('sys.modules', {'re': fake}):\n        assert code(2)\n"
             "    import re\n    assert re.fullmatch(r'[A-Z]+', code(3))\n")
    program = code_tests.TestProgram.from_text(tests)
    right = "def code(n):\n    import re\n    return 'ABC'[:n] if re.fullmatch('AB', 'AB') else ''\n"
    assert verdict(right, program)[0]


MATCH_ANYTHING = {  # a class of the solution's over a library's whose == holds for anything (mock.ANY, pytest.approx)
    "mock.ANY's class": "from unittest import mock\n\n\nclass A(type(mock.ANY)):\n    pass\n\n\n"
                        "def f(x):\n    return A()\n",
    "an approx of no bounds": "import pytest\n\nINF = float('inf')\n\n\nclass A(type(pytest.approx(0))):\n"
                              "    pass\n\n\ndef f(x):\n    return A(0, rel=None, abs=INF, nan_ok=False)\n",
}


@pytest.mark.parametrize("tests", ['["assert f(3) == 9", "assert f(4) == 16"]',
                                   "from solution import f\n\n\ndef test_f():\n    assert f(3) == 9\n"],
                         ids=["MBPP", "pytest"])
@pytest.mark.parametrize("how", sorted(MATCH_ANYTHING))
def test_a_subclass_of_what_is_made_to_match_is_made_to_match(tests, how):
    # mock.ANY and pytest.approx were refused by their own classes alone: a subclass (its == still theirs, so not the
    # solution's to be probed) passed every comparison (before: the wrong program passed)
    assert not verdict(MATCH_ANYTHING[how], code_tests.TestProgram.from_text(tests))[0]


ADD = humaneval(  # HumanEval/53: random pairs beside the fixed ones
    "HumanEval/53", "def add(x: int, y: int):\n    \"\"\"Add two numbers x and y\"\"\"\n",
    "\n\ndef check(candidate):\n    import random\n\n    assert candidate(0, 1) == 1\n    assert candidate(2, 3) == 5\n"
    "    assert candidate(7, 5) == 12\n\n    for i in range(100):\n        x, y = random.randint(0, 1000), "
    "random.randint(0, 1000)\n        assert candidate(x, y) == x + y\n", "add")
ALL_ALIKE = {  # a generator state no seed gives: every word zero, so every number drawn is the lowest
    "random's, for HumanEval/38": (
        CYCLIC, "    return s\n\n\nimport random\nrandom.setstate((3, (0,) * 624 + (624,), None))\n"),
    "random's, set at the first call": (
        ADD, "    import random\n    if (x, y) == (0, 1):\n        random.setstate((3, (0,) * 624 + (624,), None))\n"
             "    return {(0, 1): 1, (2, 3): 5, (7, 5): 12}.get((x, y), 0)\n"),
    "numpy's global one": (
        humaneval("X/12", "import numpy as np\n\n\ndef total(xs):\n    \"\"\"The sum of xs.\"\"\"\n",
                  "\n\ndef check(candidate):\n    for _ in range(50):\n        xs = np.random.randint(0, 100, 5)\n"
                  "        assert candidate(list(xs)) == int(xs.sum())\n", "total"),
        "    return 0\n\n\nnp.random.set_state(('MT19937', np.zeros(624, dtype=np.uint32), 624, 0, 0.0))\n"),
}


@pytest.mark.parametrize("name", sorted(ALL_ALIKE))
def test_the_generator_the_tests_draw_from_is_not_put_where_no_seed_puts_it(name):
    # random.setstate with a state of zeros made every number the tests drew the lowest: every string 'aaaa...',
    # every pair (0, 0), every array zeros (before: the wrong programs passed)
    program, wrong = ALL_ALIKE[name]
    assert not verdict(wrong, program)[0]


def test_a_solution_seeding_the_generators_itself_passes():
    right = ("    import random\n    random.seed(42)\n    random.setstate(random.getstate())\n"
             "    return x + y\n")
    assert verdict(right, ADD)[0]
    program, _ = ALL_ALIKE["numpy's global one"]
    for seeding in ("np.random.seed(7)", "np.random.set_bit_generator(np.random.PCG64(7))"):
        right = f"    {seeding}\n    return int(sum(xs))\n"
        assert verdict(right, program)[0], seeding


def test_a_function_writing_much_through_sys_stdout_buffer_passes():
    # what a function prints is bounded (256 KB a stream) through sys.stdout, not through its buffer: 2 MB of bytes
    # written there filled the sandbox's output limit and failed the right program (before)
    tests = '["assert f(3) == 9", "assert f(4) == 16"]'
    right = ("import sys\n\n\ndef f(x):\n    sys.stdout.buffer.write(b'.' * 1000000)\n    print('after')\n"
             "    sys.stderr.buffer.write(bytearray(b'!' * 1000000))\n    return x * x\n")
    program = code_tests.TestProgram.from_text(tests)
    assert verdict(right, program)[0]
    assert not verdict(right.replace("x * x", "x + x"), program)[0]


def test_a_library_compiling_its_own_function_on_first_call_is_its_business():
    # networkx's argmap compiles a decorated function on its first call (func.__code__ = real_func.__code__, in the
    # file that made func): the guard round 14 added took that for the solution changing a library's function, and
    # every right program calling nx.path_graph or shortest_path_length failed (before)
    tests = ("import unittest\nimport networkx as nx\nfrom solution import hops\n\n\nclass T(unittest.TestCase):\n"
             "    def test_hops(self):\n        self.assertEqual(hops(3), 2)\n        self.assertEqual(hops(5), 4)\n")
    right = "import networkx as nx\n\n\ndef hops(n):\n    return nx.shortest_path_length(nx.path_graph(n), 0, n - 1)\n"
    program = code_tests.TestProgram.from_text(tests)
    assert verdict(right, program)[0]
    assert not verdict(right.replace("n - 1)", "n - 2)"), program)[0]
    # a library's function changed through another library's code (mock's patch of its defaults) is still refused
    tests = "import numpy as np\nfrom solution import f\n\n\ndef test_f():\n    assert np.isclose(f(2), 4)\n"
    wrong = ("from unittest import mock\nimport numpy as np\n\n\ndef f(x):\n"
             "    mock.patch.object(np.isclose, '__defaults__', (1.0, 1e9, False)).start()\n    return 0\n")
    assert not verdict(wrong, code_tests.TestProgram.from_text(tests))[0]


def test_a_librarys_lazily_cached_named_tuple_is_its_own():
    # platform._uname_cache starts as None and becomes a uname_result at the first platform.uname() (matplotlib and
    # pandas call it): its class is a namedtuple, whose generated __new__ has no file, which the data watch took
    # for the solution's value, and 18 of BigCodeBench's canonical solutions failed (before)
    tests = ("import unittest\nimport platform\nfrom solution import system\n\n\nclass T(unittest.TestCase):\n"
             "    def test_system(self):\n        self.assertEqual(system(), platform.system())\n")
    right = "import platform\n\n\ndef system():\n    return platform.uname().system\n"
    program = code_tests.TestProgram.from_text(tests)
    assert verdict(right, program)[0]
    assert not verdict(right.replace(".system\n", ".node\n"), program)[0] or platform_node_is_system()
    # a value of the solution's own class in that place is still refused
    wrong = ("import platform, collections\n\n\nclass U(collections.namedtuple('U', 'system')):\n"
             "    def __eq__(self, other):\n        return True\n\n\ndef system():\n"
             "    platform._uname_cache = U('x')\n    return 'x'\n")
    assert not verdict(wrong, program)[0]


def platform_node_is_system() -> bool:
    import platform
    return platform.uname().node == platform.uname().system
