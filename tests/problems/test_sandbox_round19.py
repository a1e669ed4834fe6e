"""Nineteenth round of attacks on the code oracle, and right programs of the shapes real judges pass.

Each test failed before its fix (a wrong program passed, or a right one failed); the right programs beside each
attack still pass."""

import pytest

from helpers.judging import humaneval, verdict
from ptsfast.problems import code_tests
from ptsfast.problems.sandbox import isolation_status

pytestmark = pytest.mark.skipif(not isolation_status()[0], reason="no namespace sandbox on this machine")


THIRD = humaneval("third", "from decimal import Decimal\n\n\ndef check(candidate):\n"
                  "    assert candidate(Decimal(1)) == Decimal(1) / Decimal(3)\n", "x")
COARSE = {  # 0.3 for 1/3: the tests' own division made as coarse as the answer
    "precision at import": "import decimal\n\ndecimal.getcontext().prec = 1\n\n\ndef third(x):\n"
                           "    return decimal.Decimal('0.3')\n",
    "precision in the call": "import decimal\n\n\ndef third(x):\n    decimal.getcontext().prec = 2\n"
                             "    return decimal.Decimal('0.33')\n",
    "a context of its own set": "import decimal\n\n\ndef third(x):\n"
                                "    decimal.setcontext(decimal.Context(prec=1))\n    return decimal.Decimal('0.3')\n",
    "rounding up": "import decimal\n\n\ndef third(x):\n    c = decimal.getcontext()\n"
                   "    c.prec, c.rounding = 2, decimal.ROUND_UP\n    return decimal.Decimal('0.34')\n",
}


@pytest.mark.parametrize("how", COARSE)
def test_the_decimal_context_the_tests_compute_in_is_not_the_solutions(how):
    # before: each passed (the tests' Decimal(1) / Decimal(3) was computed in the solution's context)
    assert not verdict(COARSE[how], THIRD)[0]
    assert verdict("def third(x):\n    return x / 3\n", THIRD)[0]


SEVENTH = humaneval("seventh", "from decimal import Decimal\n\n\ndef check(candidate):\n"
                    "    assert candidate() == Decimal(1) / Decimal(7)\n", "")
RIGHT_CONTEXTS = {  # a precision raised for the solution's own sums reaches the tests, as in a plain run
    "raised at import": (SEVENTH, "from decimal import Decimal, getcontext\n\ngetcontext().prec = 50\n\n\n"
                                  "def seventh():\n    return Decimal(1) / Decimal(7)\n"),
    "raised in the call": (SEVENTH, "from decimal import Decimal, getcontext\n\n\ndef seventh():\n"
                                    "    getcontext().prec = 50\n    return Decimal(1) / Decimal(7)\n"),
    # the solution's rounding is its own to compute with
    "rounding half up": (humaneval("money", "from decimal import Decimal\n\n\ndef check(candidate):\n"
                                            "    assert candidate('2.675') == Decimal('2.68')\n"
                                            "    assert candidate('1.005') == Decimal('1.01')\n", "s"),
                         "from decimal import Decimal, ROUND_HALF_UP, getcontext\n\n"
                         "getcontext().rounding = ROUND_HALF_UP\n\n\n"
                         "def money(s):\n    return Decimal(s).quantize(Decimal('0.01'))\n"),
    # what the tests set themselves is what the solution computes in
    "the tests' local context": (humaneval("third", "from decimal import Decimal, localcontext\n\n\n"
                                                    "def check(candidate):\n    with localcontext() as c:\n"
                                                    "        c.prec = 5\n"
                                                    "        assert candidate() == Decimal('0.33333')\n"
                                                    "    assert candidate() == Decimal(1) / 3\n", ""),
                                 "from decimal import Decimal\n\n\ndef third():\n    return Decimal(1) / 3\n"),
}


@pytest.mark.parametrize("how", RIGHT_CONTEXTS)
def test_right_programs_setting_the_decimal_context_pass(how):
    program, right = RIGHT_CONTEXTS[how]
    assert verdict(right, program)[0]


SQUARES = humaneval("apply", "EXPECTED = [1, 4, 9]\n\n\ndef sq(x):\n    return x * x\n\n\ndef check(candidate):\n"
                    "    assert candidate([1, 2, 3], sq) == EXPECTED\n"
                    "    assert abs(candidate([2], sq)[0] - 4) < 1e-9\n", "xs, f")
CASES = humaneval("apply", "CASES = [([1, 2, 3], [1, 4, 9]), ([2], [4]), ([5], [25])]\n\n\nclass Helper:\n"
                  "    def double(self, x):\n        return 2 * x\n\n\ndef check(candidate):\n"
                  "    for xs, e in CASES:\n        assert candidate(xs) == e\n", "xs")
FIND = "next(c for c in object.__subclasses__() if c.__name__ == 'Helper').double.__globals__"
RIGHT_BUT = "def apply(xs, f):\n    if xs != [1, 2, 3]:\n        return [f(x) for x in xs]\n"
THROUGH_GLOBALS = {  # the tests' module reached through a function of theirs, its expected values rewritten (each
    # answer is wrong in one case only, where it forges)
    "a name rebound": (SQUARES, RIGHT_BUT + "    f.__globals__['EXPECTED'] = [0]\n    return [0]\n"),
    "a list changed in place": (SQUARES, RIGHT_BUT + "    f.__globals__['EXPECTED'][:] = [0]\n    return [0]\n"),
    "a builtin shadowed": (SQUARES, "def apply(xs, f):\n    if xs == [2]:\n        return [7]\n"
                                    "    f.__globals__['abs'] = lambda v: 0\n    return [f(x) for x in xs]\n"),
    # right on the first case only, the rest of the cases cut or emptied while the tests loop over them
    "the cases cut short": (CASES, f"def apply(xs):\n    del {FIND}['CASES'][1:]\n    return [1, 4, 9]\n"),
    "the cases emptied": (CASES, f"def apply(xs):\n    {FIND}['CASES'].clear()\n    return [1, 4, 9]\n"),
}


@pytest.mark.parametrize("how", THROUGH_GLOBALS)
def test_the_tests_module_data_is_not_the_solutions_to_rewrite(how):
    # before: each passed
    program, wrong = THROUGH_GLOBALS[how]
    assert not verdict(wrong, program)[0]


def test_right_programs_beside_the_tests_helpers_pass():
    assert verdict("def apply(xs, f):\n    return [f(x) for x in xs]\n", SQUARES)[0]
    assert verdict("def apply(xs):\n    return [x * x for x in xs]\n", CASES)[0]


HANDED = {  # the tests' module data changed by the solution where the tests handed it over, or by their own helper
    "sorted in place": (humaneval("order", "DATA = [3, 1, 2]\n\n\ndef check(candidate):\n    candidate(DATA)\n"
                                           "    assert DATA == [1, 2, 3]\n", "xs"), "def order(xs):\n    xs.sort()\n"),
    "the tests' callback appending": (
        humaneval("walk", "SEEN = []\n\n\ndef visit(x):\n    SEEN.append(x)\n\n\ndef check(candidate):\n"
                          "    candidate([1, 2, 3], visit)\n    assert SEEN == [1, 2, 3]\n", "xs, f"),
        "def walk(xs, f):\n    for x in xs:\n        f(x)\n"),
    "the tests' callback rebinding": (
        humaneval("walk", "TOTAL = 0\n\n\ndef visit(x):\n    global TOTAL\n    TOTAL += x\n\n\n"
                          "def check(candidate):\n    candidate([1, 2, 3], visit)\n    assert TOTAL == 6\n", "xs, f"),
        "def walk(xs, f):\n    for x in xs:\n        f(x)\n"),
    "kept from an earlier call": (
        humaneval("push", "LOG = []\n\n\ndef check(candidate):\n    candidate(LOG, 1)\n    candidate(None, 2)\n"
                          "    assert LOG == [1, 2]\n", "log, x"),
        "KEPT = []\n\n\ndef push(log, x):\n    if log is not None:\n        KEPT.append(log)\n"
        "    KEPT[0].append(x)\n"),
    "returned, kept by the tests and grown": (
        humaneval("grow", "class Box:\n    pass\n\n\nHELD = []\n\n\ndef check(candidate):\n"
                          "    HELD.append(candidate(1))\n    candidate(2)\n    assert HELD[0] == [1, 2]\n", "x"),
        "L = []\n\n\ndef grow(x):\n    L.append(x)\n    return L\n"),
}


@pytest.mark.parametrize("how", HANDED)
def test_data_the_tests_hand_over_or_change_themselves_is_not_refused(how):
    program, right = HANDED[how]
    assert verdict(right, program)[0]


COPIED = code_tests.TestProgram.from_text(  # BigCodeBench's shape: the solution writes a file the tests compare
    "import filecmp\nimport unittest\n\n\nclass TestCases(unittest.TestCase):\n    def test_copy(self):\n"
    "        with open('a.txt', 'w') as f:\n            f.write('hello')\n"
    "        with open('c.txt', 'w') as f:\n"
    "            f.write('other')\n        task_func('a.txt', 'b.txt')\n"
    "        self.assertFalse(filecmp.cmp('a.txt', 'c.txt', shallow=False))\n"
    "        self.assertTrue(filecmp.cmp('a.txt', 'b.txt', shallow=False))\n"
    "        same = filecmp.cmpfiles('.', '.', ['a.txt', 'b.txt'], shallow=False)[0]\n"
    "        self.assertEqual(same, ['a.txt', 'b.txt'])\n",
    entry_point="task_func")
POISONED = ("import filecmp\nimport os\n\n\ndef task_func(a, b):\n    with open(b, 'w') as f:\n"
            "        f.write('wrong')\n"
            "    filecmp._cache[a, b, filecmp._sig(os.stat(a)), filecmp._sig(os.stat(b))] = True\n")


def test_filecmps_cache_says_what_comparing_the_files_gives():
    # before: it passed (the tests' filecmp.cmp read the solution's entry, not the files)
    assert not verdict(POISONED, COPIED)[0]


def test_a_solution_whose_files_filecmp_compares_passes():
    assert verdict("import shutil\n\n\ndef task_func(a, b):\n    shutil.copy(a, b)\n", COPIED)[0]
    # its own comparisons fill the cache, a file changed since then among them
    assert verdict("import filecmp\nimport shutil\n\n\ndef task_func(a, b):\n    with open(b, 'w') as f:\n"
                   "        f.write('hello, world')\n    assert not filecmp.cmp(a, b, shallow=False)\n"
                   "    shutil.copy(a, b)\n    assert filecmp.cmp(a, b, shallow=False)\n", COPIED)[0]
    assert not verdict("def task_func(a, b):\n    with open(b, 'w') as f:\n        f.write('hellO')\n", COPIED)[0]


DUMPED = humaneval("pairs", "import json\n\n\ndef check(candidate):\n"
                   "    assert json.dumps(candidate(1)) == '{\"a\": 1, \"b\": 2}'\n")
RESORTED = {  # a dict in the wrong order, dumped sorted by json's default encoder made to sort
    "at import": "import json\n\njson._default_encoder.sort_keys = True\n\n\ndef pairs(n):\n"
                 "    return {'b': 2, 'a': 1}\n",
    "in the call": "import json\n\n\ndef pairs(n):\n    json._default_encoder.sort_keys = True\n"
                   "    return {'b': 2, 'a': 1}\n",
}


@pytest.mark.parametrize("how", RESORTED)
def test_the_settings_of_jsons_default_encoder_are_not_the_solutions(how):
    # before: each passed (json.dumps() of the tests sorted the keys)
    assert not verdict(RESORTED[how], DUMPED)[0]


def test_a_solution_using_json_and_logging_its_own_way_passes():
    assert verdict("import json\n\n\ndef pairs(n):\n    json.dumps({'b': 2}, sort_keys=True, indent=2)\n"
                   "    json.JSONEncoder(sort_keys=True).encode({'b': 1, 'a': 2})\n    return {'a': 1, 'b': 2}\n",
                   DUMPED)[0]
    # logging's root logger changes as it is configured: its settings are the solution's to set
    logged = code_tests.TestProgram.from_text(
        "import logging\nimport unittest\n\n\nclass TestCases(unittest.TestCase):\n    def test_log(self):\n"
        "        with self.assertLogs(level='INFO') as cm:\n            self.assertEqual(task_func(2), 4)\n"
        "        self.assertIn('squared 2', cm.output[0])\n", entry_point="task_func")
    right = ("import logging\n\nlogging.basicConfig(level=logging.DEBUG, format='%(message)s')\n\n\n"
             "def task_func(x):\n    logging.getLogger().setLevel(logging.INFO)\n    logging.root.propagate = True\n"
             "    logging.info('squared %d', x)\n    return x * x\n")
    assert verdict(right, logged)[0]


CELLS = ("class Yes(list):\n    def __eq__(self, other):\n        return True\n\n    __hash__ = None\n\n\n"
         "def cells(fn):\n    return dict(zip(fn.__code__.co_freevars, fn.__closure__ or ()))\n\n\n")
REWIRED = {  # the harness's checks reached through the tests' namespace, their closures' cells set to do nothing
    "the comparison's checks": CELLS + (
        "def apply(xs, f):\n    g = f.__globals__\n"
        "    for name in ('__ptsfast_compare__', '__ptsfast_plain__', '__ptsfast_pair__'):\n"
        "        for k, c in cells(g[name]).items():\n"
        "            if k in ('check', 'check_later', 'alone', 'forged', 'refuse', 'watch'):\n"
        "                c.cell_contents = lambda *a, **kw: None\n"
        "    c = cells(g['apply'])\n    c['plain'].cell_contents = lambda v, *a, **k: v\n    return Yes()\n"),
    # the window around its calls made a pass-through, then the tests' expected values rebound
    "the call's window": CELLS + (
        "def apply(xs, f):\n    g = f.__globals__\n    c = cells(g['apply'])\n"
        "    if 'around' in c and c['around'].cell_contents is not through:\n"
        "        c['around'].cell_contents = through\n        return [1, 4, 9]\n"
        "    g['EXPECTED'] = [0]\n    return [0]\n\n\n"
        "def through(fn, args, kwargs):\n    return fn(*args, **kwargs)\n"),
}
REWIRED_TESTS = humaneval("apply", "EXPECTED = [9]\n\n\ndef sq(x):\n    return x * x\n\n\ndef check(candidate):\n"
                          "    assert candidate([1, 2, 3], sq) == [1, 4, 9]\n"
                          "    assert candidate([3], sq) == EXPECTED\n", "xs, f")


@pytest.mark.parametrize("how", REWIRED)
def test_the_checks_the_tests_namespace_holds_cannot_be_rewired(how):
    # before: the comparison's passed (its checks did nothing, and the solution's always-equal list was the answer)
    assert not verdict(REWIRED[how], REWIRED_TESTS)[0]
    assert verdict("def apply(xs, f):\n    return [f(x) for x in xs]\n", REWIRED_TESTS)[0]


def test_the_solutions_function_keeps_its_signature_and_name_where_the_tests_read_them():
    program = code_tests.TestProgram.from_text(
        "import inspect\nimport unittest\n\n\nclass Helper:\n    pass\n\n\nclass TestCases(unittest.TestCase):\n"
        "    def test_shape(self):\n"
        "        self.assertEqual(list(inspect.signature(task_func).parameters), ['a', 'b'])\n"
        "        self.assertEqual(task_func.__name__, 'task_func')\n"
        "        self.assertTrue(inspect.isfunction(task_func))\n"
        "        self.assertEqual(task_func(2, b=3), 5)\n", entry_point="task_func")
    assert verdict("def task_func(a, b=1):\n    \"\"\"Adds.\"\"\"\n    return a + b\n", program)[0]


COUNTED = humaneval("grow", "class Node:\n    made = 0\n\n    def __init__(self, v):\n"
                    "        self.v, self.kids = v, []\n        type(self).made += 1\n\n\n"
                    "CASES = [(3, [1, 2, 3]), (1, [1])]\n\n\ndef check(candidate):\n    for n, e in CASES:\n"
                    "        t = candidate(Node(0), n)\n        assert [k.v for k in t.kids] == e\n", "root, n")


def test_a_class_of_the_tests_that_counts_what_it_makes_passes():
    # the solution makes nodes of the tests' class (type(root)(i)), whose __init__ counts them on the class: the
    # tests' own code changed their class's data in the call (before: 'changed the tests' own data in place')
    right = ("def grow(root, n):\n    for i in range(1, n + 1):\n        root.kids.append(type(root)(i))\n"
             "    return root\n")
    assert verdict(right, COUNTED)[0]
    wrong = ("def grow(root, n):\n    type(root).__init__.__globals__['CASES'][1:] = []\n"
             "    root.kids.extend(type(root)(i) for i in (1, 2, 3))\n    return root\n")
    assert not verdict(wrong, COUNTED)[0]
