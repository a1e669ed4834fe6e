"""Sandbox attacks, seventh round: results made to pass that earlier checks let through where the tests import the
solution's functions (``from solution import f``, ``import solution``), and library values whose comparisons are
lax by design (numpy's masked arrays, whose masked elements numpy.testing counts as equal to anything)."""

import pytest

from helpers.judging import verdict
from ptsfast.problems.code_tests import TestProgram
from ptsfast.problems.sandbox import isolation_status

pytestmark = pytest.mark.skipif(not isolation_status()[0], reason="no namespace sandbox on this machine")


def passes(code: str, program: TestProgram) -> bool:
    return verdict(code, program)[0]


IMPORTED = {
    "from solution import": "from solution import square\n\ndef test_square():\n    assert square(3) == 9\n",
    "import solution": "import solution\n\ndef test_square():\n    assert solution.square(3) == 9\n",
    "unittest, import solution": "import unittest\nimport solution\n\nclass T(unittest.TestCase):\n"
                                 "    def test_square(self):\n        self.assertEqual(solution.square(3), 9)\n",
}


@pytest.mark.parametrize("made", ["from unittest import mock\ndef square(x):\n    return mock.ANY\n",
                                  "import pytest\ndef square(x):\n    return pytest.approx(0, abs=float('inf'))\n"],
                         ids=["mock.ANY", "pytest.approx"])
@pytest.mark.parametrize("tests", IMPORTED.values(), ids=IMPORTED.keys())
def test_a_value_made_to_match_fails_where_the_tests_import_the_function(made, tests):
    program = TestProgram.from_text(tests)
    assert not passes(made, program)
    assert passes("def square(x):\n    return x * x\n", program)


def test_the_tests_own_mock_any_still_passes_an_imported_function():
    program = TestProgram.from_text(
        "from unittest import mock\nfrom solution import square\n\ndef test_square():\n    m = mock.Mock()\n"
        "    m(square(3))\n    m.assert_called_with(mock.ANY)\n    assert square(3) == 9\n")
    assert passes("def square(x):\n    return x * x\n", program)


MASKED = {
    "pytest, from solution import": "import numpy as np\nfrom solution import squares\n\ndef test_squares():\n"
                                    "    np.testing.assert_array_equal(squares(3), np.array([0, 1, 4]))\n",
    "assert script": "import numpy as np\nnp.testing.assert_array_equal(squares(3), np.array([0, 1, 4]))\n",
    "unittest": "import unittest\nimport numpy as np\n\nclass T(unittest.TestCase):\n    def test_squares(self):\n"
                "        np.testing.assert_allclose(squares(3), [0.0, 1.0, 4.0])\n",
    "in a list": "import numpy as np\nfrom solution import squares\n\ndef test_squares():\n"
                 "    np.testing.assert_equal([squares(3)], [np.array([0, 1, 4])])\n",
}


@pytest.mark.parametrize("tests", MASKED.values(), ids=MASKED.keys())
@pytest.mark.parametrize("made", ["np.ma.masked_all(3)", "np.ma.masked_array([0, 7, 7], mask=[0, 1, 1])"])
def test_a_masked_array_hiding_the_answer_fails(made, tests):
    program = TestProgram.from_text(tests)
    assert not passes("import numpy as np\ndef squares(n):\n    return %s\n" % made, program)
    assert passes("import numpy as np\ndef squares(n):\n    return np.arange(n) ** 2\n", program)


def test_honest_masked_arrays_pass():
    # nothing masked, or tests that ask for masks themselves
    nothing = TestProgram.from_text(MASKED["pytest, from solution import"])
    assert passes("import numpy as np\ndef squares(n):\n    return np.ma.masked_less(np.arange(n) ** 2, 0)\n",
                  nothing)
    asked = TestProgram.from_text(
        "import numpy as np\nfrom solution import clip\n\ndef test_clip():\n    r = clip(np.array([1, -2, 3]))\n"
        "    assert r.mask.tolist() == [False, True, False]\n"
        "    np.testing.assert_array_equal(r, np.ma.masked_less(np.array([1, -2, 3]), 0))\n")
    assert passes("import numpy as np\ndef clip(a):\n    return np.ma.masked_less(a, 0)\n", asked)


OVERRIDDEN = {
    "(a == b).all()": "import numpy as np\nfrom solution import squares\n\ndef test_squares():\n"
                      "    assert (squares(3) == np.array([0, 1, 4])).all()\n",
    "np.all": "import numpy as np\nfrom solution import squares\n\ndef test_squares():\n"
              "    assert np.all(squares(3) == np.array([0, 1, 4]))\n",
    "assert_array_equal": "import numpy as np\nfrom solution import squares\n\ndef test_squares():\n"
                          "    np.testing.assert_array_equal(squares(3), np.array([0, 1, 4]))\n",
    "unittest assert_allclose": "import unittest\nimport numpy as np\n\nclass T(unittest.TestCase):\n"
                                "    def test_squares(self):\n"
                                "        np.testing.assert_allclose(squares(3), [0.0, 1.0, 4.0])\n",
}
ALL_TRUE = ("import numpy as np\nclass A(np.ndarray):\n    def all(self, *a, **k):\n        return True\n"
            "    def any(self, *a, **k):\n        return False\ndef squares(n):\n    return np.zeros(n).view(A)\n")


@pytest.mark.parametrize("tests", OVERRIDDEN.values(), ids=OVERRIDDEN.keys())
def test_an_array_subclass_whose_reductions_are_the_solutions_fails(tests):
    program = TestProgram.from_text(tests)
    assert not passes(ALL_TRUE, program)
    assert passes("import numpy as np\ndef squares(n):\n    return np.arange(n) ** 2\n", program)


def test_a_frame_subclass_whose_equals_is_the_solutions_fails_and_honest_subclasses_pass():
    program = TestProgram.from_text("import pandas as pd\nfrom solution import frame\n\ndef test_frame():\n"
                                    "    assert frame().equals(pd.DataFrame({'a': [1, 2]}))\n")
    assert not passes("import pandas as pd\nclass D(pd.DataFrame):\n    @property\n    def _constructor(self):\n"
                      "        return D\n    def equals(self, other):\n        return True\n"
                      "def frame():\n    return D({'a': [9, 9]})\n", program)
    assert passes("import pandas as pd\nclass D(pd.DataFrame):\n    _metadata = ['unit']\n    @property\n"
                  "    def _constructor(self):\n        return D\n"
                  "    def total(self):\n        return self.sum().sum()\n"
                  "def frame():\n    return D({'a': [1, 2]})\n", program)
    vec = ("import numpy as np\nclass Vec(np.ndarray):\n    __array_priority__ = 20\n"
           "    def __new__(cls, data, unit='m'):\n        obj = np.asarray(data).view(cls)\n        obj.unit = unit\n"
           "        return obj\n    def __array_finalize__(self, obj):\n        self.unit = getattr(obj, 'unit', 'm')\n"
           "    def __repr__(self):\n        return 'Vec(%s)' % list(self)\n    def norm(self):\n"
           "        return float(np.sqrt((self ** 2).sum()))\ndef squares(n):\n    return Vec(np.arange(n) ** 2)\n")
    for tests in OVERRIDDEN.values():
        assert passes(vec, TestProgram.from_text(tests))
