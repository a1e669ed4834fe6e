"""Rows in public code datasets' shapes and answers as models write them, judged as each dataset's judge does: a
right program passes, a wrong one fails, and a row that cannot be judged is refused saying why."""

import pytest

from ptsfast.problems import code_tests
from ptsfast.problems.code_tests import test_program_from_row as from_row
from ptsfast.problems.oracles import extract_code, isolation_status
from tests.helpers.judging import verdict

sandboxed = pytest.mark.skipif(not isolation_status()[0], reason="no namespace sandbox on this machine")


def answer(code: str) -> str:
    return f"```python\n{code}```\n"


def judged(text: str, program) -> bool:
    return verdict(extract_code(text), program)[0]


@sandboxed
@pytest.mark.parametrize("cases", [1, 2], ids=["one-case", "forked-cases"])
def test_a_codeforces_program_reads_and_prints_integers_of_over_4300_digits(cases):
    # Python 3.11 refuses int <-> text past 4300 digits; Codeforces' Python and open-r1's judge (which lifts it) do
    # not, and "1 <= n <= 10^(10^5)" read with int(input()) is a common Codeforces idiom
    tests = [{"input": "1" * 5000 + "\n", "output": "1" * 4999 + "2\n"},
             {"input": "9" * 4400 + "\n", "output": "1" + "0" * 4400 + "\n"}][:cases]
    row = {"official_tests": tests, "official_tests_complete": True, "input_mode": "stdio", "generated_checker": None}
    program = from_row(row, ("official_tests",), None, "")
    assert judged(answer("n = int(input())\nprint(n + 1)\n"), program)
    assert not judged(answer("print(input())\n"), program)


CODE_CONTESTS_FILES = {"name": "120_A. Elevator or not", "description": "Read input.txt, write output.txt.",
                       "public_tests": {"input": ["front\n1\n"], "output": ["L\n"]},
                       "private_tests": {"input": ["back\n1\n", "front\n2\n"], "output": ["R\n", "R\n"]},
                       "generated_tests": {"input": [], "output": []}, "input_file": "input.txt",
                       "output_file": "output.txt"}


@sandboxed
def test_a_code_contests_row_with_input_and_output_files_gives_and_reads_them():
    # CodeContests' input_file / output_file: Codeforces' file problems, whose right programs read input.txt and
    # write output.txt (before, they failed with FileNotFoundError)
    program = from_row(CODE_CONTESTS_FILES, ("public_tests", "private_tests", "generated_tests"), None, "")
    right = ("with open('input.txt') as f:\n    door, rail = f.readline().strip(), int(f.readline())\n"
             "with open('output.txt', 'w') as f:\n    f.write('L' if (door == 'front') == (rail == 1) else 'R')\n")
    assert judged(answer(right), program)
    assert not judged(answer("with open('output.txt', 'w') as f:\n    f.write('L')\n"), program)
    other = {**CODE_CONTESTS_FILES, "input_file": "lift.in"}
    with pytest.raises(code_tests.TestFormatError, match="lift.in"):
        from_row(other, ("public_tests",), None, "")


def test_a_codeelo_row_with_only_the_statements_examples_is_refused_naming_why():
    # Qwen/CodeElo: its judge submits to Codeforces; 'examples' ([input, output] pairs) are the statement's samples
    row = {"problem_id": "2000A", "title": "Sum", "description": "Print a + b.", "input": "Two integers.",
           "output": "Their sum.", "interaction": None, "examples": [["1 2\n", "3\n"]], "time_limit_ms": 1000}
    with pytest.raises(code_tests.TestFormatError, match="CodeElo.*Codeforces"):
        from_row(row, ("tests",), None, row["description"])


def test_rows_with_integers_of_over_4300_digits_are_skipped_naming_them_not_a_crash_of_the_whole_load(tmp_path):
    # an APPS call row whose expected value is a big factorial: Python 3.11 reads no int of over 4300 digits, and its
    # ValueError (no JSONDecodeError) crashed load_problems for every row; now that row alone is skipped, saying why
    from ptsfast.cli import build_parser, field_map
    from ptsfast.problems.loading import load_problems

    big = "1" * 5000
    rows = ['{"question": "q1", "input_output": "{\\"fn_name\\": \\"f\\", \\"inputs\\": [[1]], \\"outputs\\": [[%s]]}"}'
            % big, '{"question": "q2", "input_output": {"fn_name": "f", "inputs": [[1]], "outputs": [[%s]]}}' % big,
            '{"question": "q3", "public_test_cases": "[{\\"input\\": \\"1\\", \\"output\\": \\"%s\\", '
            '\\"testtype\\": \\"functional\\"}]", "metadata": "{\\"func_name\\": \\"f\\"}"}' % big,
            '{"question": "q4", "input_output": "{\\"fn_name\\": \\"f\\", \\"inputs\\": [[1]], \\"outputs\\": [[2]]}"}']
    path = tmp_path / "rows.jsonl"
    path.write_text("\n".join(rows) + "\n")
    args = build_parser().parse_args(["mine", "--model", "m", "--problems", str(path), "--out", "o", "--oracle",
                                      "code"])
    result = load_problems(args.problems, field_map(args))
    assert [p.question.splitlines()[0] for p in result.problems] == ["q4"]
    assert len(result.skipped) == 3 and all("4300 digits" in s for s in result.skipped), result.skipped
