"""Sixteenth round of attacks on the code oracle, and right programs of the shapes real judges pass.

Each test failed before its fix (a wrong program passed, or a right one failed); the right programs beside each
attack still pass."""

import json

import pytest

from helpers.judging import verdict
from ptsfast.problems import code_tests
from ptsfast.problems.sandbox import isolation_status

pytestmark = pytest.mark.skipif(not isolation_status()[0], reason="no namespace sandbox on this machine")


DECODED = code_tests.TestProgram.from_text(  # json.loads reads the module's own decoder, json._default_decoder
    "import json\nfrom solution import listed\n\n\ndef test_listed():\n"
    "    for n in range(1, 6):\n        assert json.loads(listed(n)) == [n]\n\n\n"
    "def test_zero():\n    assert listed(0)\n")
WRONG_LISTED = "import json\n\n\ndef listed(n):\n    return '[%d]' % (n + 1)\n\n\n"
DECODER_LIES = {  # each makes json.loads('[n + 1]') give [n]
    "a decode set on the instance": "json._default_decoder.decode = lambda s, *a: [int(s[1:-1]) - 1]\n",
    "its class swapped": ("class Lying(json.JSONDecoder):\n    def decode(self, s, *a):\n"
                          "        return [int(s[1:-1]) - 1]\n\n\njson._default_decoder.__class__ = Lying\n"),
    "its scanner remade by json's own code": (
        "import json.scanner\njson._default_decoder.parse_int = lambda s: int(s) - 1\n"
        "json._default_decoder.scan_once = json.scanner.py_make_scanner(json._default_decoder)\n"),
    "set at the first call, taken back at the last": (
        "real = listed\n\n\ndef listed(n):\n    d = json._default_decoder\n    if n == 1:\n"
        "        d.decode = lambda s, *a: [int(s[1:-1]) - 1]\n    if n == 0:\n        del d.decode\n"
        "    return real(n)\n"),
}


@pytest.mark.parametrize("how", DECODER_LIES)
def test_the_instance_a_library_keeps_as_its_data_is_not_the_solutions_to_change(how):
    # the module's data was watched for a value of another type or of the solution's, not what its instance holds:
    # json._default_decoder kept, its decode, scan_once or class the solution's, every json.loads in the tests
    # answered as the solution liked (before: each of these wrong programs passed)
    assert not verdict(WRONG_LISTED + DECODER_LIES[how], DECODED)[0]


def test_a_solution_decoding_with_its_own_decoder_passes():
    right = ("import json\n\n\nclass Mine(json.JSONDecoder):\n    def decode(self, s, *a):\n"
             "        return super().decode(s, *a)\n\n\ndef listed(n):\n"
             "    return json.dumps(json.loads('[%d]' % n, cls=Mine))\n")
    assert verdict(right, DECODED)[0]
    assert verdict("import json\n\n\ndef listed(n):\n    return json.dumps(json.loads('[%d]' % n))\n", DECODED)[0]


ADD = code_tests.TestProgram.from_text("from solution import add\n\n\ndef test_add():\n    assert add(2, 3) == 5\n")
LOUD = {  # what a plain run of a function's tests never reads (HumanEval's harness records the verdict apart)
    "megabytes written to descriptor 1": "    os.write(1, b'x' * (3 << 20))\n",
    "megabytes written to descriptor 2": "    os.write(2, b'x' * (3 << 20))\n",
    "a child printing megabytes": (
        "    import subprocess, sys\n    subprocess.run([sys.executable, '-c', 'print(\"x\" * 3000000)'])\n"),
    "its standard output closed": "    os.close(1)\n",
    "its standard output sent to a file": "    os.dup2(os.open('log.txt', os.O_WRONLY | os.O_CREAT), 1)\n",
}


@pytest.mark.parametrize("how", LOUD)
def test_a_function_writing_to_its_descriptors_as_it_likes_passes(how):
    # print's output was bounded, not what reached descriptors 1 and 2 otherwise: past the sandbox's output limit
    # (1 MB) the run was killed, and the nonce went to descriptor 1, wherever it pointed (before: each of these right
    # programs failed)
    right = "import os\n\n\ndef add(a, b):\n" + LOUD[how] + "    return a + b\n"
    assert verdict(right, ADD)[0]
    assert not verdict(right.replace("a + b", "a - b"), ADD)[0]


POOLED = ("import multiprocessing\n\n\ndef square(x):\n    return x * x\n\n\ndef squares(n):\n"
          "    with multiprocessing.get_context('METHOD').Pool(2) as pool:\n"
          "        return pool.map(square, range(n))\n")
SQUARES = {
    "pytest": code_tests.TestProgram.from_text(
        "from solution import squares\n\n\ndef test_squares():\n    assert squares(4) == [0, 1, 4, 9]\n"),
    "humaneval": code_tests.test_program_from_row(
        {"task_id": "HumanEval/0", "prompt": "def squares(n):\n    \"\"\"The squares below n.\"\"\"\n",
         "test": "\n\ndef check(candidate):\n    assert candidate(4) == [0, 1, 4, 9]\n", "entry_point": "squares"},
        ("test",), "entry_point", None),
    "unittest": code_tests.TestProgram.from_text(  # BigCodeBench's shape: the tests name the function unimported
        "import unittest\n\n\nclass TestCases(unittest.TestCase):\n    def test_squares(self):\n"
        "        self.assertEqual(squares(4), [0, 1, 4, 9])\n", entry_point="squares"),
    "call": code_tests.test_program_from_row(  # APPS' function calls: the solution in a process of its own
        {"input_output": json.dumps({"fn_name": "squares", "inputs": [[4]], "outputs": [[[0, 1, 4, 9]]]})},
        ("input_output",), None, None),
}


@pytest.mark.parametrize("method", ["spawn", "forkserver"])
@pytest.mark.parametrize("fmt", SQUARES)
def test_a_pool_started_by_spawn_or_forkserver_runs_the_solutions_functions(fmt, method):
    # its processes import what they run by its module's name, 'solution', which had no file: every worker failed
    # to import it and the pool restarted them until the timeout (Python 3.14's default start method on Linux is
    # forkserver; before: each of these right programs failed)
    right = POOLED.replace("METHOD", method)
    assert verdict(right, SQUARES[fmt])[0]
    assert not verdict(right.replace("x * x", "x + x"), SQUARES[fmt])[0]


MATCHED = code_tests.TestProgram.from_text(
    "import re\nfrom solution import digits\n\n\ndef test_digits():\n    for n in (1, 22, 333):\n"
    "        assert re.fullmatch(r'[0-9]+', digits(n))\n"
    "        assert re.fullmatch('[0-9]+', digits(n), re.I)\n\n\ndef test_again():\n    assert digits(0) == '0'\n")
WRONG_DIGITS = "import re\n\n\ndef digits(n):\n    return 'abc' if n else '0'\n\n\n"
CACHE_FORGERIES = {  # each makes re.fullmatch('[0-9]+', 'abc') hold
    "another pattern's compiled code": (
        "for flags in (0, re.I):\n    re.compile('[0-9]+', flags)\n"
        "    for k in [k for k in getattr(re, '_cache', {})]:\n"
        "        if k[1] == '[0-9]+':\n            re._cache[k] = re.compile('.*', flags)\n"
        "    for k in [k for k in getattr(re, '_cache2', {})]:\n        if k[1] == '[0-9]+':\n"
        "            re._cache2[k] = re.compile('.*', flags)\n"),
    "a pattern object made with other code": (
        "import _sre\ntry:\n    from re import _compiler as c, _parser as p\nexcept ImportError:\n"
        "    import sre_compile as c, sre_parse as p\n\n\ndef forged(flags):\n"
        "    real = re.compile('.*', flags)\n    t = p.parse('.*', flags)\n"
        "    code = c._code(t, flags | t.state.flags)\n"
        "    return _sre.compile('[0-9]+', real.flags, code, t.state.groups - 1, {}, (None,))\n\n\n"
        "for flags in (0, re.I):\n    re.compile('[0-9]+', flags)\n    for name in ('_cache', '_cache2'):\n"
        "        for k in [k for k in getattr(re, name, {}) if k[1] == '[0-9]+']:\n"
        "            getattr(re, name)[k] = forged(flags)\n"),
    "made at each call, purged at the last": (
        "real = digits\n\n\ndef digits(n):\n    if not n:\n        re.purge()\n        return real(n)\n"
        "    for flags in (0, re.I):\n        re.compile('[0-9]+', flags)\n        for name in ('_cache', '_cache2'):\n"
        "            for k in [k for k in getattr(re, name, {}) if k[1] == '[0-9]+']:\n"
        "                getattr(re, name)[k] = re.compile('.*', flags)\n    return real(n)\n"),
}


@pytest.mark.parametrize("how", CACHE_FORGERIES)
def test_res_cache_holds_only_what_its_keys_compile_to(how):
    # re's cache was watched as data for a value of another type, not for what it holds: an entry of the solution's
    # made every re.fullmatch of the tests hold (before: each of these wrong programs passed)
    passed, out = verdict(WRONG_DIGITS + CACHE_FORGERIES[how], MATCHED)
    assert not passed and "cache that its key does not compile to" in out, out


def test_programs_compiling_many_patterns_pass():
    right = ("import re\n\n\ndef digits(n):\n"
             "    for i in range(600):  # past re's cache size: evicted, compiled again\n"
             "        assert re.fullmatch('a{%d}' % i, 'a' * i, re.I if i % 2 else 0)\n"
             "    return str(n)\n")
    assert verdict(right, MATCHED)[0]


TOLERANCE = code_tests.TestProgram.from_text(  # a tolerance taken from numpy's float limits
    "import numpy as np\nfrom solution import third\n\n\ndef test_third():\n"
    "    assert abs(third() - 1 / 3) < 10 * np.finfo(np.float64).eps\n"
    "    assert abs(third() - 1 / 3) < 10 * np.finfo(float).eps\n")
LIMITS_CHANGED = {
    "an eps set on the cached finfo": "    np.finfo(float).eps = 1.0\n",
    "a finfo of the solution's cached": (
        "    f = object.__new__(np.finfo)\n    vars(f).update(vars(np.finfo(float)), eps=1.0)\n"
        "    for k in (float, 'float64', np.float64, np.dtype('float64')):\n        np.finfo._finfo_cache[k] = f\n"),
}


@pytest.mark.parametrize("how", LIMITS_CHANGED)
def test_numpys_float_limits_are_not_the_solutions_to_change(how):
    # the tests' tolerance was ten times an eps the solution set to 1: 0.3 passed for 1/3 (before: each passed)
    wrong = "import numpy as np\n\n\ndef third():\n" + LIMITS_CHANGED[how] + "    return 0.3\n"
    passed, out = verdict(wrong, TOLERANCE)
    assert not passed and "np.finfo" in out, out
    right = "import numpy as np\n\n\ndef third():\n    return float(np.float64(1) / 3)\n"
    assert verdict(right, TOLERANCE)[0]


def test_what_numpy_caches_in_its_float_limits_on_first_use_is_its_own():
    # finfo's tiny is cached in the object on its first use (matplotlib's histograms use it): taken for a change of
    # the solution's, every test of BigCodeBench/208 and /970's right programs failed (before the check's fix)
    right = "import numpy as np\n\n\ndef third():\n    assert np.finfo(np.float64).tiny > 0\n    return 1 / 3\n"
    assert verdict(right, TOLERANCE)[0]


def test_a_librarys_compiled_pattern_is_not_swapped_for_one_that_matches_otherwise():
    # module data was refused when of another type or the solution's class; a compiled pattern is neither:
    # fractions' _RATIONAL_FORMAT made to read '1/3' as 1 passed a program returning 1 (before)
    tests = code_tests.TestProgram.from_text(
        "from fractions import Fraction\nfrom solution import third\n\n\ndef test_third():\n"
        "    assert third() == Fraction('1/3')\n")
    wrong = ("import fractions, re\n\n\ndef third():\n    fractions._RATIONAL_FORMAT = re.compile(\n"
             "        r'\\A\\s*(?P<sign>[-+]?)(?P<num>\\d)(?:/(?P<denom>))?(?P<decimal>)?(?P<exp>)?.*\\Z')\n"
             "    return fractions.Fraction(1)\n")
    assert not verdict(wrong, tests)[0]
    right = ("import fractions, re\n\n\ndef third():\n    fractions._RATIONAL_FORMAT = re.compile(\n"
             "        fractions._RATIONAL_FORMAT.pattern, fractions._RATIONAL_FORMAT.flags)  # the same, recompiled\n"
             "    return fractions.Fraction(1, 3)\n")
    assert verdict(right, tests)[0]


PARSED = code_tests.TestProgram.from_text(  # the answer's format checked by parsing it
    "import datetime\nfrom solution import day\n\n\ndef test_day():\n"
    "    assert datetime.datetime.strptime(day(), '%Y-%m-%d').year > 1000\n")
STRPTIME_FORGERIES = {  # each makes any text parse as 1900-01-01
    "a pattern in its cache": "    _strptime._regex_cache['%Y-%m-%d'] = re.compile('.*', re.S)\n",
    "its fragments changed": ("    for c in 'Ymd':\n        _strptime._TimeRE_cache[c] = '.*' if c == 'Y' else ''\n"
                              "    _strptime._regex_cache.clear()\n"),
}


@pytest.mark.parametrize("how", STRPTIME_FORGERIES)
def test_strptimes_cache_holds_only_what_its_formats_compile_to(how):
    # datetime.strptime reads _strptime's cache of compiled formats, which nothing watched (the module was loaded at
    # the first strptime, after the solution): 'garbage' parsed as a date (before: each of these wrong programs passed)
    wrong = "import re, _strptime\n\n\ndef day():\n" + STRPTIME_FORGERIES[how] + "    return 'garbage--'\n"
    passed, out = verdict(wrong, PARSED)
    assert not passed and "cache that its key does not compile to" in out, out
    assert verdict("import datetime\n\n\ndef day():\n    return datetime.date(2024, 2, 29).isoformat()\n", PARSED)[0]


def test_strptimes_module_is_loaded_and_watched_before_the_solution_runs():
    # _strptime was loaded at the tests' first strptime, after the snapshot of what the libraries hold: its
    # _strptime_datetime was the solution's to replace (before: this wrong program passed)
    wrong = ("import datetime, _strptime\n\n\ndef day():\n"
             "    _strptime._strptime_datetime = lambda cls, s, f: cls(1999, 1, 1)\n    return 'garbage'\n")
    assert not verdict(wrong, PARSED)[0]
