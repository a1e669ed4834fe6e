"""Eighteenth round of attacks on the code oracle, and right programs of the shapes real judges pass.

Each test failed before its fix (a wrong program passed, or a right one failed); the right programs beside each
attack still pass."""

import resource

import pytest

from helpers.judging import humaneval, verdict
from ptsfast.problems import code_tests
from ptsfast.problems.sandbox import isolation_status

pytestmark = pytest.mark.skipif(not isolation_status()[0], reason="no namespace sandbox on this machine")


UNCHANGED = humaneval(  # the input must be left as it was: the tests keep a deep copy of it to compare with
    "ordered", "import copy\n\n\ndef check(candidate):\n    for xs in ([3, 1, 2], [2, 1], [5, 4, 3]):\n"
    "        data = list(xs)\n        kept = copy.deepcopy(data)\n        assert candidate(data) == sorted(xs)\n"
    "        assert data == kept\n", "xs")
IN_PLACE = "    xs.sort()\n    return xs\n"
TABLES = {  # a sort in place, with a table of copy's or copyreg's made to hand the tests' list back as their copy
    "copy's dispatch, at import": ("import copy\ncopy._deepcopy_dispatch[list] = lambda x, memo, deepcopy=None: x\n\n\n"
                                   "def ordered(xs):\n" + IN_PLACE),
    # set in the first call, which sorts a copy, for the next ones (the final check alone would see the last two)
    "copy's dispatch, in the call": ("import copy\n\n\ndef ordered(xs):\n"
                                     "    if list not in SET:\n        SET.append(list)\n"
                                     "        copy._deepcopy_dispatch[list] = lambda x, memo, deepcopy=None: x\n"
                                     "        return sorted(xs)\n" + IN_PLACE + "\n\nSET = []\n"),
    "copy's dispatch, taken back once used": (
        "import copy\n\nkept = copy._deepcopy_dispatch[list]\n\n\ndef same(x, memo, deepcopy=None):\n"
        "    copy._deepcopy_dispatch[list] = kept\n    return x\n\n\ndef ordered(xs):\n"
        "    if copy._deepcopy_dispatch[list] is kept and not SET:\n        SET.append(1)\n"
        "        copy._deepcopy_dispatch[list] = same\n        return sorted(xs)\n"
        "    copy._deepcopy_dispatch[list] = same\n" + IN_PLACE + "\n\nSET = []\n"),
    "copyreg's dispatch_table": ("import copy\nimport copyreg\n\n\nclass Same:\n    def __init__(self, x):\n"
                                 "        self.x = x\n\n    def __call__(self, memo):\n        return self.x\n\n\n"
                                 "del copy._deepcopy_dispatch[list]\n"
                                 "copyreg.dispatch_table[list] = lambda x: (Same(x), (None,))\n\n\n"
                                 "def ordered(xs):\n" + IN_PLACE),
}
RIGHT_TABLES = {  # right programs that put functions in libraries' tables for classes of their own
    "sorted": "def ordered(xs):\n    return sorted(xs)\n",
    "copyreg.pickle of its own class": (
        "import copy\nimport copyreg\n\n\nclass Box:\n    def __init__(self, v):\n        self.v = v\n\n\n"
        "copyreg.pickle(Box, lambda b: (Box, (b.v,)))\n\n\ndef ordered(xs):\n"
        "    return [b.v for b in sorted(copy.deepcopy([Box(x) for x in xs]), key=lambda b: b.v)]\n"),
    "a deepcopy of its own class": (
        "import copy\n\n\nclass Box:\n    def __init__(self, v):\n        self.v = v\n\n\n"
        "copy._deepcopy_dispatch[Box] = lambda b, memo: Box(b.v)\n\n\ndef ordered(xs):\n"
        "    return sorted(b.v for b in copy.deepcopy([Box(x) for x in xs]))\n"),
    "numpy's print options without a function": (
        "import numpy as np\n\nnp.set_printoptions(precision=3, formatter={'float': '{:.2f}'.format})\n\n\n"
        "def ordered(xs):\n    return sorted(xs)\n"),
}


@pytest.mark.parametrize("how", TABLES)
def test_the_tables_a_library_dispatches_on_are_not_the_solutions_to_fill(how):
    # before: each passed (the tests' deep copy of their input was the input itself, sorted in place with it)
    assert not verdict(TABLES[how], UNCHANGED)[0]


@pytest.mark.parametrize("how", RIGHT_TABLES)
def test_a_solution_registering_functions_for_its_own_classes_passes(how):
    assert verdict(RIGHT_TABLES[how], UNCHANGED)[0]


SHOWN = humaneval("counted",
                  "import numpy as np\n\n\ndef check(candidate):\n    assert str(candidate(3)) == '[1 2 3]'\n")


def test_numpys_print_options_do_not_print_the_tests_arrays_by_the_solutions_code():
    # a formatter of the solution's printed [2 3 4] as '[1 2 3]' for the tests' str() (before: it passed)
    wrong = ("import numpy as np\n\nnp.set_printoptions(formatter={'int': lambda x: str(x - 1)})\n\n\n"
             "def counted(n):\n    return np.arange(2, n + 2)\n")
    assert not verdict(wrong, SHOWN)[0]
    assert verdict("import numpy as np\n\n\ndef counted(n):\n    return np.arange(1, n + 1)\n", SHOWN)[0]


PLOTTED = code_tests.TestProgram.from_text(  # BigCodeBench's shape: a frame and its plot, read value by value
    "import unittest\nimport matplotlib\nmatplotlib.use('Agg')\nimport pandas as pd\n\n\n"
    "class TestCases(unittest.TestCase):\n    def test_values(self):\n        df, ax = task_func(5)\n"
    "        self.assertEqual(ax.get_title(), 't')\n        for _ in range(1500):\n            for i in range(5):\n"
    "                self.assertEqual(df['a'].iloc[i], 2 * i)\n", entry_point="task_func")


def test_a_plotting_test_reading_thousands_of_values_runs_in_time():
    # 7,500 values read off a pandas Series: ~3 ms of checks each (walking a Series' ~400 methods and its classes'
    # operators, stat'ing the libraries' files, the audit hook called for each id() the checks take), ~25 s of CPU
    # where a plain run takes ~2 s: a right program timed out at the oracle's 30 s on a busy machine. CPU time, which
    # a busy machine does not stretch as it does wall time (before: ~25 s; now ~7 s)
    right = ("import pandas as pd\n\n\ndef task_func(n):\n    df = pd.DataFrame({'a': [2 * i for i in range(n)]})\n"
             "    return df, df.plot(title='t')\n")
    used = resource.getrusage(resource.RUSAGE_CHILDREN)  # the sandbox's processes, each waited for by its parent
    assert verdict(right, PLOTTED, timeout=120.0)[0]
    now = resource.getrusage(resource.RUSAGE_CHILDREN)
    assert now.ru_utime + now.ru_stime - used.ru_utime - used.ru_stime < 14.0
    assert not verdict(right.replace("2 * i", "i"), PLOTTED, timeout=120.0)[0]

WRITTEN = code_tests.TestProgram.from_text(  # BigCodeBench's shape: the solution writes a CSV file, the tests read it
    "import csv\nimport unittest\n\n\nclass TestCases(unittest.TestCase):\n    def test_rows(self):\n"
    "        path = task_func([('alice', 3), ('bob', 4)])\n        with open(path, newline='') as f:\n"
    "            rows = list(csv.DictReader(f))\n"
    "        self.assertEqual(rows, [{'name': 'alice', 'score': '3'}, {'name': 'bob', 'score': '4'}])\n",
    entry_point="task_func")
WRITER = ("import csv\n\n\ndef task_func(rows):\n{before}    with open('out.csv', 'w', newline='') as f:\n"
          "        w = csv.writer(f{how})\n        w.writerow(['name', 'score'])\n        w.writerows(rows)\n"
          "    return 'out.csv'\n")
SEMICOLONS = {  # a file written with ';', and excel (what DictReader reads by) re-registered to read it as ','
    "at import": "import csv\n\ncsv.register_dialect('excel', delimiter=';')\n" + WRITER.format(before="",
                                                                                            how=", delimiter=';'"),
    "in the call": WRITER.format(before="    csv.register_dialect('excel', delimiter=';')\n", how=", delimiter=';'"),
}


@pytest.mark.parametrize("how", SEMICOLONS)
def test_csvs_own_dialects_are_not_the_solutions_to_change(how):
    # before: each passed (the tests' DictReader read the file by the solution's excel)
    assert not verdict(SEMICOLONS[how], WRITTEN)[0]
    assert not verdict(WRITER.format(before="", how=", delimiter=';'"), WRITTEN)[0]


def test_a_solution_writing_by_a_dialect_of_its_own_passes():
    assert verdict(WRITER.format(before="", how=""), WRITTEN)[0]
    mine = "    csv.register_dialect('mine', delimiter=',', lineterminator='\\n')\n"
    assert verdict(WRITER.format(before=mine, how=", dialect='mine'"), WRITTEN)[0]


NODES = humaneval(  # LeetCode's shape: the tests' own node class, handed to the solution and compared by its ==
    "reverse", "class Node:\n    def __init__(self, v, nxt=None):\n        self.v, self.nxt = v, nxt\n\n"
    "    def __eq__(self, other):\n"
    "        return isinstance(other, Node) and (self.v, self.nxt) == (other.v, other.nxt)\n\n"
    "    def values(self):\n        return [self.v] + (self.nxt.values() if self.nxt else [])\n\n\n"
    "def walk(n):\n    return [n.v] + walk(n.nxt) if n else []\n\n\n"
    "def check(candidate):\n    assert candidate(Node(1, Node(2, Node(3)))) == Node(3, Node(2, Node(1)))\n"
    "    assert candidate(Node(4, Node(5))).values() == [5, 4]\n"
    "    assert walk(candidate(Node(6, Node(7)))) == [7, 6]\n",
    "head")
REVERSED = "    prev = None\n    while head:\n        head.nxt, prev, head = prev, head, head.nxt\n    return prev\n"
SHOWN_REVERSED = (  # each node of the list it was handed shows the value of its mirror (a descriptor over .v)
    "SEEN = {}\n\n\ndef reverse(head):\n    N = type(head)\n    if 'v' not in vars(N):\n"
    "        N.v = property(lambda a: SEEN.get(id(a), vars(a)['v']), lambda a, x: vars(a).__setitem__('v', x))\n{more}"
    "    nodes = []\n    while head:\n        nodes.append(head)\n        head = head.nxt\n"
    "    for node, mirror in zip(nodes, nodes[::-1]):\n        SEEN[id(node)] = vars(mirror)['v']\n"
    "    return nodes[0]\n")
HELPERS = {  # the list handed back as it came, the tests' class made to say it is reversed
    "a descriptor over what its objects hold": SHOWN_REVERSED.replace("{more}", ""),
    "its == and a method replaced": SHOWN_REVERSED.replace(
        "{more}", "        N.__eq__ = lambda a, b: True\n"
        "        N.values = lambda a: [a.v] + (a.nxt.values() if a.nxt else [])\n"),
}


@pytest.mark.parametrize("how", HELPERS)
def test_the_tests_own_classes_are_not_the_solutions_to_change(how):
    # before: each passed (== held, or read the mirrored values; values() and walk() read them too)
    assert not verdict(HELPERS[how], NODES)[0]


def test_a_solution_adding_its_own_methods_to_the_tests_class_passes():
    assert verdict("def reverse(head):\n" + REVERSED, NODES)[0]
    adds = ("    N = type(head)\n    if '__lt__' not in vars(N):  # for heapq, say\n"
            "        N.__lt__ = lambda a, b: a.v < b.v\n        N.__repr__ = lambda a: 'Node(%r)' % a.v\n")
    assert verdict("def reverse(head):\n" + adds + REVERSED, NODES)[0]


def test_a_solution_setting_its_operator_on_the_tests_class_at_each_call_passes():
    # LeetCode's mergeKLists: ListNode.__lt__ set for heapq in the function, so at each call (before: the second
    # call failed, 'the solution took back an operator the check guards')
    lt = "    type(head).__lt__ = lambda a, b: a.v < b.v\n"
    assert verdict("def reverse(head):\n" + lt + REVERSED, NODES)[0]
    assert verdict("def less(a, b):\n    return a.v < b.v\n\n\ndef reverse(head):\n    type(head).__lt__ = less\n"
                   + REVERSED, NODES)[0]
    assert not verdict("def reverse(head):\n" + lt + "    return head\n", NODES)[0]


def test_the_print_options_of_numpy_loaded_by_the_solution_are_watched_too():
    # tests that never import numpy still print the array a function returns (str(candidate(3))): numpy, loaded by
    # the solution after the tables were read, printed it by a formatter of the solution's (before: it passed)
    shown = humaneval("counted", "def check(candidate):\n    assert str(candidate(3)) == '[1 2 3]'\n")
    wrong = ("import numpy as np\n\nnp.set_printoptions(formatter={'int': lambda x: str(x - 1)})\n\n\n"
             "def counted(n):\n    return np.arange(2, n + 2)\n")
    assert not verdict(wrong, shown)[0]
    assert verdict("import numpy as np\n\n\ndef counted(n):\n    return np.arange(1, n + 1)\n", shown)[0]
    assert verdict("import numpy as np\n\nnp.set_printoptions(precision=2)\n\n\n"
                   "def counted(n):\n    return np.arange(1, n + 1)\n", shown)[0]


def test_a_function_compiled_under_a_frozen_modules_name_is_still_the_solutions():
    """The frozen standard modules' functions (importlib's loaders, whose ``get_source`` asyncio's lazy linecache
    entries hold) are the library's by identity: one the solution compiles under their file name is its own."""
    forged = ("import copy\n\nsame = {}\nexec(compile('def same(x, memo, deepcopy=None):\\n    return x\\n',\n"
              "             '<frozen importlib._bootstrap_external>', 'exec'), same)\n"
              "copy._deepcopy_dispatch[list] = same['same']\n\n\ndef ordered(xs):\n" + IN_PLACE)
    assert not verdict(forged, UNCHANGED)[0]


ASYNC_CASES = code_tests.TestProgram.from_text(  # asyncio puts lazy linecache entries of its frozen loaders' making
    "import unittest\n\n\nclass TestFetch(unittest.IsolatedAsyncioTestCase):\n    async def test_fetch(self):\n"
    "        self.assertEqual(await fetch(2), 4)\n", entry_point="fetch")


def test_an_isolated_asyncio_test_case_passes_a_right_coroutine():
    # before: 'running the tests put a function of its own in linecache.cache[...asyncio/events.py]'
    right = "import asyncio\n\n\nasync def fetch(x):\n    await asyncio.sleep(0)\n    return x * x\n"
    assert verdict(right, ASYNC_CASES)[0]
    assert not verdict("async def fetch(x):\n    return x\n", ASYNC_CASES)[0]
