"""Seventeenth round of attacks on the code oracle, and right programs of the shapes real judges pass.

Each test failed before its fix (a wrong program passed, or a right one failed); the right programs beside each
attack still pass."""

import pytest

from helpers.judging import humaneval, verdict
from ptsfast.problems import code_tests
from ptsfast.problems.sandbox import isolation_status

pytestmark = pytest.mark.skipif(not isolation_status()[0], reason="no namespace sandbox on this machine")


PRIME = {  # a bool per call: what a forked child's fate tells, one fork a call
    "humaneval": humaneval("prime", "def check(candidate):\n    assert candidate(2) == True\n"
                           "    assert candidate(4) == False\n    assert candidate(7) == True\n"
                           "    assert not candidate(9)\n    assert candidate(11)\n"),
    "mbpp": code_tests.TestProgram.from_text("assert prime(2) == True\nassert prime(4) == False\nassert prime(7)\n"),
    "pytest": code_tests.TestProgram.from_text(
        "from solution import prime\n\n\ndef test_small():\n    assert prime(2) is True\n    assert prime(4) is False\n"
        "\n\ndef test_more():\n    assert prime(7) == True\n    assert not prime(9)\n"),
    "unittest": code_tests.TestProgram.from_text(
        "import unittest\nfrom solution import prime\n\n\nclass T(unittest.TestCase):\n    def test_a(self):\n"
        "        self.assertEqual(prime(2), True)\n        self.assertFalse(prime(4))\n"
        "        self.assertTrue(prime(7))\n"),
}
FORK_ORACLE = (  # each call forks: the child returns a guess and runs on into the tests; reaching the next call (or
    # the end, where the runner flushes sys.stderr) it exits 0, a failed check exits 1: the parent returns what passed
    "import os\nimport sys\n\nchild = False\n\n\nclass Done:\n    def write(self, s):\n        return len(s)\n\n"
    "    def flush(self):\n        os._exit(0)\n\n\ndef prime(n):\n    global child\n    if child:\n"
    "        os._exit(0)\n    for guess in (True, False):\n        sys.stdout.flush()\n        pid = os.fork()\n"
    "        if pid == 0:\n            child = True\n            sys.stderr = Done()\n            return guess\n"
    "        _, status = os.waitpid(pid, 0)\n        if os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0:\n"
    "            return guess\n    return False\n")
RIGHT_PRIME = "def prime(n):\n    return n > 1 and all(n % d for d in range(2, n))\n"
FORKING_PRIMES = {  # right programs that fork: their children do their work and exit, as a library's workers do
    "os.fork": ("import os\n\n\ndef prime(n):\n    r, w = os.pipe()\n    pid = os.fork()\n    if pid == 0:\n"
                "        os.write(w, b'1' if n > 1 and all(n % d for d in range(2, n)) else b'0')\n"
                "        os._exit(0)\n    os.close(w)\n    os.waitpid(pid, 0)\n    return os.read(r, 1) == b'1'\n"),
    "a fork pool": ("import multiprocessing\n\n\ndef divides(a):\n    return a[0] % a[1] == 0\n\n\ndef prime(n):\n"
                    "    with multiprocessing.get_context('fork').Pool(2) as pool:\n"
                    "        return n > 1 and not any(pool.map(divides, [(n, d) for d in range(2, n)]))\n"),
}


@pytest.mark.parametrize("fmt", PRIME)
def test_a_forked_child_running_on_into_the_tests_cannot_tell_its_parent_what_passes(fmt):
    # a child the solution forked ran the rest of the tests on the value it returned, and its exit status told the
    # parent whether that value passed: a program computing nothing passed every test of a bool, in every format
    # that runs the tests in the solution's process (before: the oracle passed each of these)
    assert not verdict(FORK_ORACLE, PRIME[fmt])[0]
    assert verdict(RIGHT_PRIME, PRIME[fmt])[0]


@pytest.mark.parametrize("how", FORKING_PRIMES)
@pytest.mark.parametrize("fmt", ["humaneval", "pytest"])
def test_a_right_program_whose_children_do_its_work_passes(fmt, how):
    assert verdict(FORKING_PRIMES[how], PRIME[fmt])[0]
    assert not verdict(FORKING_PRIMES[how].replace("range(2, n)", "range(3, n)"), PRIME[fmt])[0]


ADD = humaneval("add", "def check(candidate):\n    assert candidate(2) == 5\n")
ADD_TESTS = {"humaneval": ADD, "unittest": code_tests.TestProgram.from_text(
    "import unittest\n\n\nclass T(unittest.TestCase):\n    def test_add(self):\n        self.assertEqual(add(2), 5)\n",
    entry_point="add")}
FLOODS = {  # what a plain run of a function's tests never reads, past the sandbox's output limit (1 MB)
    "sys.__stdout__": "    sys.__stdout__.write('x' * 3000000)\n",
    "sys.__stderr__": "    for _ in range(30000):\n        print('x' * 100, file=sys.__stderr__)\n",
    "sys.__stdout__.buffer": "    sys.__stdout__.buffer.write(b'x' * 3000000)\n",
    "characters of four bytes": "    print('\\U0001F600' * 300000)\n",
    "characters of two bytes on both streams": ("    print('\\u00e9' * 300000)\n"
                                                "    print('\\u00e9' * 300000, file=sys.stderr)\n"),
}


@pytest.mark.parametrize("how", FLOODS)
@pytest.mark.parametrize("fmt", ADD_TESTS)
def test_what_a_function_prints_is_bounded_in_bytes_on_every_stream(fmt, how):
    # sys.__stdout__ and sys.__stderr__ were the unbounded copies, and print's bound counted characters per stream
    # (262,144 of four bytes each are a megabyte): the sandbox's output limit was reached and the run failed (before:
    # each of these right programs failed)
    right = "import sys\n\n\ndef add(n):\n" + FLOODS[how] + "    return n + 3\n"
    assert verdict(right, ADD_TESTS[fmt])[0]
    passed, output = verdict(right.replace("n + 3", "n + 4"), ADD_TESTS[fmt])
    assert not passed and "Error" in output[-1500:]


STREAM_USES = {  # what the interpreter's own sys.stdout and sys.stderr allow, as scripts written for any console do
    "reconfigure": "sys.stdout.reconfigure(encoding='utf-8')\nsys.stderr.reconfigure(errors='replace')\n",
    "detach and wrap again": "sys.stdout = io.TextIOWrapper(sys.stdout.detach(), encoding='utf-8')\n",
    "the raw file": "raw = sys.stdout.buffer.raw\n",
    "name and mode": "assert (sys.stdout.name, sys.stdout.mode, sys.stderr.name) == ('<stdout>', 'w', '<stderr>')\n",
}


@pytest.mark.parametrize("how", STREAM_USES)
@pytest.mark.parametrize("fmt", ADD_TESTS)
def test_a_function_using_its_standard_streams_as_the_interpreter_gives_them_passes(fmt, how):
    # they were stand-ins with write and flush, and little else: reconfigure(), detach(), buffer.raw, name, mode
    # raised AttributeError at the solution's import (before: each of these right programs failed)
    right = "import io\nimport sys\n" + STREAM_USES[how] + "\n\ndef add(n):\n    print(n)\n    return n + 3\n"
    assert verdict(right, ADD_TESTS[fmt])[0]
    assert not verdict(right.replace("n + 3", "n + 4"), ADD_TESTS[fmt])[0]


ROT13 = humaneval("rot", "import codecs\n\n\ndef check(candidate):\n"
                         "    assert candidate('hello') == codecs.encode('hello', 'rot13')\n"
                         "    assert candidate('abc') == codecs.decode('abc', 'rot_13')\n")
CODEC_LIES = {  # each makes the tests' expected value the solution's constant: rot13 answers 'x'
    "encodings' cache": "for k in ('rot13', 'rot_13'):\n    encodings._cache[k] = INFO\n",
    "a search function of its own": (
        "codecs.unregister(encodings.search_function)\ncodecs.register(lambda name: INFO)\n"),
}
COPIED = code_tests.TestProgram.from_text(  # BigCodeBench's shape: a file the solution writes, read back as text
    "import unittest\n\n\nclass T(unittest.TestCase):\n    def test_copy(self):\n"
    "        with open('a.txt', 'w') as f:\n            f.write('hello')\n        copy('a.txt', 'b.txt')\n"
    "        with open('a.txt') as f, open('b.txt') as g:\n            self.assertEqual(f.read(), g.read())\n",
    entry_point="copy")
WRONG_COPY = "def copy(a, b):\n    with open(b, 'w') as f:\n        f.write('WRONG')\n"
DECODER_LIES = {  # each makes every text file read as ''
    "utf_8's incremental decoder": ("import encodings.utf_8\nencodings.utf_8.IncrementalDecoder._buffer_decode = "
                                    "staticmethod(lambda d, e, final=False: ('', len(d)))\n"),
    "the registry's answer's decoder": (
        "import codecs\n\n\nclass Nothing(codecs.IncrementalDecoder):\n    def decode(self, data, final=False):\n"
        "        return ''\n\n\nfor name in ('utf-8', 'utf8'):\n"
        "    codecs.lookup(name).incrementaldecoder = Nothing\n"),
}


@pytest.mark.parametrize("how", CODEC_LIES)
def test_the_codecs_the_tests_name_are_not_the_solutions_to_answer(how):
    # the registry that str.encode, bytes.decode and codecs.encode ask by name was the solution's to fill: the
    # expected values the tests computed through a codec were whatever the solution liked (before: it passed)
    wrong = ("import codecs\nimport encodings\n\n\ndef lie(s, errors='strict'):\n    return 'x', len(s)\n\n\n"
             "INFO = codecs.CodecInfo(lie, lie, name='rot13')\n" + CODEC_LIES[how]
             + "\n\ndef rot(s):\n    return 'x'\n")
    assert not verdict(wrong, ROT13)[0]
    assert verdict("import codecs\n\n\ndef rot(s):\n    return codecs.encode(s, 'rot13')\n", ROT13)[0]


@pytest.mark.parametrize("how", DECODER_LIES)
def test_the_codec_the_tests_read_their_files_with_is_not_the_solutions_to_change(how):
    # open() decodes a text file with the incremental decoder the registry names for the locale's encoding: made to
    # read every file as '', a copy that wrote anything passed (before: it passed)
    assert not verdict(DECODER_LIES[how] + "\n\n" + WRONG_COPY, COPIED)[0]
    assert verdict("import shutil\n\n\ndef copy(a, b):\n    shutil.copy(a, b)\n", COPIED)[0]


LINKED = {  # values whose attributes lead back to them, read 300 times by the tests
    "an enum's members": ("import enum\n\n\nclass Parity(enum.Enum):\n    EVEN = 0\n    ODD = 1\n\n\n"
                          "def parity(n):\n    return Parity(n % 2)\n",
                          "from solution import Parity, parity\n\n\ndef test_parity():\n    for n in range(300):\n"
                          "        assert parity(n) == (Parity.ODD if n % 2 else Parity.EVEN)\n"),
    "a node and its parent": ("class Node:\n    def __init__(self, value, parent=None):\n"
                              "        self.value, self.parent, self.children = value, parent, []\n"
                              "        if parent is not None:\n            parent.children.append(self)\n\n\n"
                              "def tree(n):\n    root = Node(0)\n    for k in range(1, n):\n        Node(k, root)\n"
                              "    return root\n",
                              "from solution import tree\n\n\ndef test_tree():\n    for n in range(300):\n"
                              "        assert tree(3).children[-1].value == 2\n"),
}


@pytest.mark.parametrize("how", LINKED)
def test_values_whose_attributes_lead_back_to_them_are_checked_once_each(how):
    # the check walked what a value holds without noting what it had met: an enum member leads to its class, whose
    # members lead back, and every read walked 10,000 objects (~0.3 s): a right program returning enums timed out
    # (before: each of these right programs ran past 30 s)
    right, tests = LINKED[how]
    program = code_tests.TestProgram.from_text(tests)
    assert verdict(right, program, timeout=30)[0]
    assert not verdict(right.replace("% 2)", "% 3 % 2)").replace("Node(k, root)", "Node(k + 1, root)"), program,
                       timeout=30)[0]


MANY = ("class Base:\n    pass\n\n\n"
        + "".join(f"class C{i}(C{i - 1} if {i} else Base):\n    pass\n\n\n" for i in range(30))
        + "def items(n):\n    return [C29() for _ in range(n)]\n")


def test_a_value_holding_many_objects_of_one_class_is_checked_class_by_class():
    # every object's class was checked (and its operators armed) once per object, each a walk of its 31 classes:
    # 30 reads of 900 such objects took ~20 s, where a right program's tests run in well under a second
    program = code_tests.TestProgram.from_text("from solution import items\n\n\ndef test_items():\n"
                                               "    for _ in range(30):\n        assert len(items(900)) == 900\n")
    assert verdict(MANY, program, timeout=12)[0]
    assert not verdict(MANY.replace("range(n)", "range(n - 1)"), program, timeout=12)[0]
