"""Twelfth round on the code oracle: right programs judged wrong, and rows refused that their own graders run.

Each test failed before its fix (a right program failed, a row was refused, or a fast program's row ran out of
time); the wrong programs beside each still fail."""

import json

import pytest

from helpers.judging import assert_tells_apart, verdict
from ptsfast.problems import code_tests
from ptsfast.problems.sandbox import isolation_status

pytestmark = pytest.mark.skipif(not isolation_status()[0], reason="no namespace sandbox on this machine")

LIB = ("class Lib:\n    def __init__(self):\n        self.books = []\n\n    def add(self, x):\n"
       "        self.books.append(x)\n        return len(self.books)\n")
PYTEST_ROWS = {  # KodCode-style tests pytest runs: (tests, right solution, wrong solution)
    "an autouse fixture method of the test class": (
        "import pytest\nfrom solution import Lib\n\n\nclass TestLib:\n    @pytest.fixture(autouse=True)\n"
        "    def setup(self):\n        self.lib = Lib()\n\n    def test_add(self):\n"
        "        assert self.lib.add('a') == 1\n\n    def test_fresh(self):\n        assert self.lib.add('b') == 1\n",
        LIB, LIB.replace("len(self.books)", "len(self.books) + 1")),
    "a fixture method the test asks for": (
        "import pytest\nfrom solution import Lib\n\n\nclass TestLib:\n    @pytest.fixture\n    def lib(self):\n"
        "        return Lib()\n\n    def test_add(self, lib):\n        assert lib.add('a') == 1\n",
        LIB, LIB.replace("len(self.books)", "0")),
    "an indirect parametrization": (
        "import pytest\nfrom solution import sq\n\n\n@pytest.fixture\ndef n(request):\n    return request.param * 2\n"
        "\n\n@pytest.mark.parametrize('n', [1, 2], indirect=True)\ndef test_sq(n):\n    assert n in (2, 4)\n"
        "    assert sq(n) == n * n\n",
        "def sq(x):\n    return x * x\n", "def sq(x):\n    return 16\n"),
    "request.addfinalizer and getfixturevalue": (
        "import pytest\nfrom solution import inc\n\n\n@pytest.fixture\ndef one(request):\n"
        "    request.addfinalizer(lambda: None)\n    return 1\n\n\ndef test_inc(request):\n"
        "    assert inc(request.getfixturevalue('one')) == 2\n    assert request.node.name == 'test_inc'\n",
        "def inc(x):\n    return x + 1\n", "def inc(x):\n    return x\n"),
    "capfd": (
        "import os\nfrom solution import hello\n\n\ndef test_hello(capfd):\n    hello()\n"
        "    out, err = capfd.readouterr()\n    assert out == 'hi\\nthere\\n'\n    assert err == 'bad\\n'\n",
        "import os, sys\ndef hello():\n    print('hi', flush=True)\n    os.write(1, b'there\\n')\n"
        "    sys.stderr.write('bad\\n')\n",
        "import sys\ndef hello():\n    print('hi')\n    sys.stderr.write('bad\\n')\n"),
    "caplog": (
        "import logging\nfrom solution import f\n\n\ndef test_warned(caplog):\n    assert f() == 1\n"
        "    assert 'careful 3' in caplog.text\n    assert caplog.records[0].levelname == 'WARNING'\n\n\n"
        "def test_info(caplog):\n    caplog.set_level(logging.INFO)\n    f()\n"
        "    assert caplog.record_tuples[0] == ('app', logging.INFO, 'started')\n\n\n"
        "def test_at_level(caplog):\n    with caplog.at_level(logging.INFO, logger='app'):\n        f()\n"
        "    assert caplog.messages == ['started', 'careful 3']\n",
        "import logging\nlog = logging.getLogger('app')\ndef f():\n    log.info('started')\n"
        "    log.warning('careful %d', 3)\n    return 1\n",
        "import logging\nlog = logging.getLogger('app')\ndef f():\n    log.info('started')\n    return 1\n"),
    "recwarn": (
        "from solution import f\n\n\ndef test_f(recwarn):\n    assert f() == 2\n    assert len(recwarn) == 1\n"
        "    assert 'old' in str(recwarn.pop(DeprecationWarning).message)\n",
        "import warnings\ndef f():\n    warnings.warn('old', DeprecationWarning)\n    return 2\n",
        "def f():\n    return 2\n"),
    "tmp_path_factory": (
        "from solution import save\n\n\ndef test_save(tmp_path_factory):\n    d = tmp_path_factory.mktemp('data')\n"
        "    assert d.name == 'data0'\n    save(d / 'a.txt')\n    assert (d / 'a.txt').read_text() == 'x'\n",
        "def save(p):\n    open(p, 'w').write('x')\n", "def save(p):\n    open(p, 'w').write('y')\n"),
    "a dict parametrized": (  # its .values method was taken for a pytest.param's values
        "import pytest\nfrom solution import total\n\n\n@pytest.mark.parametrize('d', [{'a': 1, 'b': 2}, {}])\n"
        "def test_total(d):\n    assert total(d) == sum(d.values())\n",
        "def total(d):\n    return sum(d.values())\n", "def total(d):\n    return len(d)\n"),
    "capsys.disabled()": (
        "from solution import f\n\n\ndef test_f(capsys):\n    with capsys.disabled():\n        pass\n    f()\n"
        "    assert capsys.readouterr().out == 'x\\n'\n",
        "def f():\n    print('x')\n", "def f():\n    print('y')\n"),
}


@pytest.mark.parametrize("name", sorted(PYTEST_ROWS))
def test_pytests_fixtures_run_as_pytest_runs_them(name):
    # a Test class's fixture methods were never made (its autouse setup left self.lib unset: a right program failed)
    # or refused, and so were indirect parametrizations, request, capfd, caplog, recwarn and tmp_path_factory; capsys
    # had no disabled(), and a dict parametrized was its own .values method (before)
    tests, right, wrong = PYTEST_ROWS[name]
    assert_tells_apart(tests, right, wrong)


def test_a_fixture_asking_for_what_is_not_given_is_still_refused():
    with pytest.raises(code_tests.TestFormatError, match="conn"):  # it asks for db, which nothing gives
        code_tests.TestProgram.from_text("import pytest\nfrom solution import f\n\n\nclass TestF:\n"
                                         "    @pytest.fixture\n    def conn(self, db):\n        return db\n\n"
                                         "    def test_f(self, conn):\n        assert f(conn)\n")


def test_a_many_case_apps_row_of_a_fast_program_is_judged_well_within_the_time():
    # APPS' prelude imports numpy inside a try: the warm interpreter did not preload it and each of the cases
    # imported it anew, ~45 ms a case (300 cases: ~14 s, over this limit; now about 1 s)
    inputs = [f"{i}\n{' '.join(map(str, range(i)))}\n" for i in range(300)]
    outputs = [f"{sum(range(i))}\n" for i in range(300)]
    row = {"input_output": json.dumps({"inputs": inputs, "outputs": outputs})}
    program = code_tests.test_program_from_row(row, ("input_output",), None, None)
    fast = "import sys\nd = sys.stdin.buffer.read().split()\nprint(sum(map(int, d[1:1 + int(d[0])])))\n"
    assert verdict(fast, program, timeout=8)[0]
    assert not verdict(fast.replace("1 + int", "int"), program, timeout=8)[0]


def test_a_fast_program_importing_numpy_inside_its_main_is_judged_well_within_the_time():
    # only the imports at the program's top were loaded once: one inside main() (or under the __main__ guard) was
    # made anew in each case, ~45 ms a case (300 cases: ~14 s, over this limit)
    inputs = [f"{i}\n" for i in range(300)]
    row = {"public_tests": {"input": inputs, "output": [f"{i * i}\n" for i in range(300)]}}
    program = code_tests.test_program_from_row(row, ("public_tests",), None, None)
    right = "def main():\n    import numpy as np\n    n = int(input())\n    print(int(np.int64(n) ** 2))\n\n\nmain()\n"
    assert verdict(right, program, timeout=8)[0]
    assert not verdict(right.replace("** 2", "* 2"), program, timeout=8)[0]


def test_pytest_style_tests_beside_testcases_run_too():
    # pytest runs a file's plain test functions and Test classes beside its TestCase classes: read as a unittest file,
    # they were never run, and a program failing only them passed (before)
    tests = ("import unittest\nimport pytest\nfrom solution import inc\n\n\nclass TestInc(unittest.TestCase):\n"
             "    def test_one(self):\n        self.assertEqual(inc(1), 2)\n\n\ndef test_five():\n"
             "    assert inc(5) == 6\n\n\nclass TestMore:\n    def test_nine(self, capsys):\n"
             "        assert inc(9) == 10\n\n\n@pytest.mark.skip\ndef test_never():\n    assert False\n")
    program = code_tests.TestProgram.from_text(tests)
    assert verdict("def inc(x):\n    return x + 1\n", program)[0]
    assert not verdict("def inc(x):\n    return 2\n", program)[0]
    assert not verdict("def inc(x):\n    return x + 1 if x < 9 else 0\n", program)[0]


ORDER = '''import pytest
from solution import inc

LOG = []


@pytest.fixture(autouse=True)
def mod_auto():
    LOG.append("mod_auto")


def setup_function(f):
    LOG.append("setup_function")


def test_f():
    LOG.append("test_f")


class TestC:
    def setup_method(self, m):
        self.v = inc(1)
        LOG.append("setup_method")

    @pytest.fixture(autouse=True)
    def cls_auto(self):
        LOG.append("cls_auto")

    @pytest.fixture
    def three(self):
        LOG.append("three")
        return self.v + 1

    def test_c(self, three):
        assert inc(three) == 4
        LOG.append("test_c")


def test_order():
    assert LOG == ["setup_function", "mod_auto", "test_f", "mod_auto", "setup_method", "cls_auto", "three", "test_c",
                   "setup_function", "mod_auto"]
'''


def test_xunit_setups_and_fixtures_run_in_pytests_order():
    # pytest runs setup_method before the class's fixtures (one reading what it set): it ran after them, and a right
    # program failed (before)
    program = code_tests.TestProgram.from_text(ORDER)
    assert verdict("def inc(x):\n    return x + 1\n", program)[0]
    assert not verdict("def inc(x):\n    return x + 2\n", program)[0]


def test_a_parametrize_mark_on_a_test_class_gives_its_methods_their_arguments():
    # pytest applies a class's marks to each of its tests: the arguments were taken for fixtures not given and the
    # row refused (before)
    program = code_tests.TestProgram.from_text(
        "import pytest\nfrom solution import inc\n\n\n@pytest.mark.parametrize('a, b', [(1, 2), (2, 3)])\n"
        "class TestInc:\n    def test_inc(self, a, b):\n        assert inc(a) == b\n\n    def test_twice(self, a, b):\n"
        "        assert inc(inc(a)) == b + 1\n")
    assert verdict("def inc(x):\n    return x + 1\n", program)[0]
    assert not verdict("def inc(x):\n    return 2\n", program)[0]
