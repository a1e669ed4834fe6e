"""Rows of public code datasets in their own shapes (columns, dtypes, JSON texts), loaded as ``ptsfast mine --oracle
code`` loads them and judged against what each dataset's own judge says of a right and a wrong program."""

import json

import pytest

from ptsfast.cli import build_parser, field_map
from ptsfast.problems.code_tests import TestProgram
from ptsfast.problems.loading import load_problems
from ptsfast.problems.oracles import isolation_status, make_judge

sandboxed = pytest.mark.skipif(not isolation_status()[0], reason="no namespace sandbox on this machine")


def load(tmp_path, rows: list[dict], *flags: str):
    path = tmp_path / "rows.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    args = build_parser().parse_args(["mine", "--model", "m", "--problems", str(path), "--out", "o", "--oracle", "code",
                                      *flags])
    return load_problems(args.problems, field_map(args))


def answer(code: str) -> str:
    return f"```python\n{code}```"


@pytest.fixture(scope="module")
def judge():
    return make_judge("code", 30.0)


MBPP = {"task_id": 2, "text": "Write a function to find the shared elements from the given two lists.",
        "code": "def similar_elements(test_tup1, test_tup2):\r\n  res = tuple(set(test_tup1) & set(test_tup2))\r\n"
                "  return (res) ",
        "test_list": ["assert similar_elements((3, 4, 5, 6),(5, 7, 4, 10)) == (4, 5)",
                      "assert similar_elements((1, 2, 3, 4),(5, 4, 3, 7)) == (3, 4)"],
        "test_setup_code": "", "challenge_test_list": []}
MBPP_SANITIZED = {"source_file": "Benchmark Questions Verification V2.ipynb", "task_id": 2,
                  "prompt": "Write a function to find the shared elements from the given two lists.",
                  "code": "def similar_elements(a, b):\n  return tuple(set(a) & set(b))",
                  "test_imports": [],
                  "test_list": ["assert set(similar_elements((3, 4, 5, 6),(5, 7, 4, 10))) == set((4, 5))"]}


@pytest.mark.parametrize("row", [MBPP, MBPP_SANITIZED], ids=["mbpp", "sanitized"])
def test_an_mbpp_question_shows_its_test_list_which_names_the_function(row, tmp_path):
    # MBPP's prompt is its text and "Your code should pass these tests" with test_list (EvalPlus shows its first
    # assert): the text alone names no function, so a right program could not pass but by guessing its name
    prob, = load(tmp_path, [row]).problems
    assert prob.question.startswith(row.get("text") or row["prompt"])
    assert all(t in prob.question for t in row["test_list"]) and "Your code should pass these tests" in prob.question
    given = {**row, "text": row.get("text", "") + "\n" + row["test_list"][0]} if "text" in row else None
    if given:  # a question that holds its asserts already is left as it is
        assert load(tmp_path, [given]).problems[0].question == given["text"]


@sandboxed
def test_deepcoder_primeintellect_rows_run_after_tacos_imports_as_its_judge_runs_them(tmp_path, judge):
    # DeepCoder's primeintellect rows: 'tests' a JSON text of verification_info's cases, given bare; its judge
    # (rllm's primeintellect_check_correctness) turns them into TACO's input_output and runs TACO's run_test, which
    # puts TACO's imports (sys, math, ...) before the program, as for its taco rows
    stdin = [{"type": "stdin_stdout", "input": "1 2\n", "output": "3\n"},
             {"type": "stdin_stdout", "input": "5 7\n", "output": "12\n"}]
    calls = [{"type": "function_call", "fn_name": "add", "input": [1, 2], "output": [3]},
             {"type": "function_call", "fn_name": "add", "input": [5, 7], "output": [12]}]
    rows = [{"problem": "Print the sum of a and b.", "tests": json.dumps(stdin), "metadata": "{}"},
            {"problem": "Write add(a, b).", "tests": json.dumps(calls), "metadata": "{}"}]
    prog, call = load(tmp_path, rows).problems
    assert TestProgram.from_text(prog.tests).format == "stdio" and TestProgram.from_text(call.tests).format == "call"
    assert judge(answer("a, b = map(int, sys.stdin.readline().split())\nprint(a + b)\n"), prog) == (True, None)
    assert judge(answer("a, b = map(int, input().split())\nprint(a * b)\n"), prog) == (False, None)
    assert judge(answer("def add(a, b):\n    return int(sqrt((a + b) ** 2))\n"), call) == (True, None)
    assert judge(answer("def add(a, b):\n    return a - b\n"), call) == (False, None)


@pytest.mark.parametrize("flags", [(), ("--tests-field", "hidden_unit_tests")])
def test_xcodeeval_cases_with_lists_of_accepted_outputs_are_refused_naming_why(flags, tmp_path):
    # xCodeEval's program_synthesis rows: hidden_unit_tests, a JSON text of {"input", "output": [accepted outputs]};
    # its judge (ExecEval) passes a program printing any one of them (yes/no in any case, numbers within 1e-12).
    # Read as one output, the alternatives joined as lines, a right program failed
    cases = [{"input": "4\n", "output": ["2 2", "1 3", "3 1"]}, {"input": "2\n", "output": ["1 1"]}]
    row = {"description": "Print two positive integers whose sum is n.", "input_from": "standard input",
           "output_to": "standard output", "time_limit": "1 second", "memory_limit": "256 megabytes",
           "input_spec": "One integer n.", "output_spec": "Two integers.", "notes": None, "sample_inputs": ["4"],
           "sample_outputs": ["2 2"], "tags": ["math"], "src_uid": "9ce37bc2d361f5bb8a0568fb479b8a38",
           "difficulty": 800, "hidden_unit_tests": json.dumps(cases)}
    res = load(tmp_path, [row], *flags)
    assert not res.problems and len(res.skipped) == 1
    assert "list of accepted outputs" in res.skipped[0] and "ExecEval" in res.skipped[0]


def test_rstar_coder_rows_with_cases_in_inputs_and_outputs_columns_are_refused_naming_them(tmp_path):
    # rStar-Coder's testcase configs keep a row's cases in columns of their own, 'inputs' and 'outputs' (JSON texts);
    # its judge is not published: such a row is refused, the message naming those columns and a way to judge them
    row = {"question_id": "q1", "question": "Print the sum of a and b.", "starter_code": "",
           "inputs": json.dumps(["1 2\n", "5 7\n"]), "outputs": json.dumps(["3\n", "12\n"]),
           "is_synthesized": json.dumps([False, True]), "test_case_type": json.dumps(["standard_io"] * 2),
           "func_name": "", "class_name": ""}
    res = load(tmp_path, [row])
    assert not res.problems and len(res.skipped) == 1
    assert "'inputs' and 'outputs'" in res.skipped[0] and "input_output" in res.skipped[0]


AREAL_CALLS = json.dumps({"inputs": ["1\n2", "5\n7"], "outputs": ["3", "12"], "fn_name": "add", "remote": False})
AREAL_STDIN = json.dumps({"inputs": ["1 2\n", "5 7\n"], "outputs": ["3\n", "12\n"], "fn_name": "", "remote": False})


@sandboxed
def test_areal_code_rows_run_as_its_judge_runs_them(tmp_path, judge):
    # AReaL's code rows: task "code", query_id, prompt, input_output a JSON text with fn_name ("" for stdin programs)
    # and remote, language. Its judge (functioncall/code testing_util) is LiveCodeBench's: star imports of
    # functools, bisect... before the program, and a call's arguments one JSON value a line, its output JSON text.
    # Before, the calls were refused ('inputs must be argument lists') and a program using reduce() failed
    rows = [{"task": "code", "query_id": "q1", "prompt": "Print the sum of a and b.", "solutions": [""],
             "input_output": AREAL_STDIN, "language": "PYTHON"},
            {"task": "code", "query_id": "q2", "prompt": "Write add(a, b).", "solutions": [""],
             "input_output": AREAL_CALLS, "language": "PYTHON"}]
    prog, call = load(tmp_path, rows).problems
    assert judge(answer("print(reduce(lambda x, y: x + y, map(int, input().split())))\n"), prog) == (True, None)
    assert judge(answer("print(reduce(lambda x, y: x * y, map(int, input().split())))\n"), prog) == (False, None)
    assert judge(answer("class Solution:\n    def add(self, a, b):\n        return a + b\n"), call) == (True, None)
    assert judge(answer("def add(a, b):\n    return a - b\n"), call) == (False, None)


def test_areal_rows_it_cannot_judge_are_refused_naming_why(tmp_path):
    # 'remote' cases name files in AReaL's test-case store; a row of another language is no Python problem
    remote = json.dumps({"inputs": ["cases/1.in"], "outputs": ["cases/1.out"], "fn_name": "", "remote": True})
    rows = [{"task": "code", "query_id": "q1", "prompt": "Print a+b.", "input_output": remote, "language": "PYTHON"},
            {"task": "code", "query_id": "q2", "prompt": "Print a+b.", "input_output": AREAL_STDIN, "language": "CPP"}]
    res = load(tmp_path, rows)
    assert not res.problems and len(res.skipped) == 2
    assert "'remote'" in res.skipped[0] and "REAL_OSS_TESTCASE_PATH" in res.skipped[0]
    assert "'CPP'" in res.skipped[1] and "C++" in res.skipped[1] and "Python only" in res.skipped[1]


@pytest.mark.parametrize("row", [
    # MultiPL-E: 'language' names the tests' language
    {"name": "HumanEval_0_add", "language": "lua", "prompt": "--Add two numbers\nlocal function add(a, b)\n",
     "doctests": "transform", "original": "x", "prompt_terminology": "reworded", "stop_tokens": ["\nlocal"],
     "tests": "lu = require('luaunit')\n\nfunction test_humaneval()\nlocal candidate = add\n"
              "    lu.assertEquals(candidate(1, 2), 3)\nend\n\nos.exit(lu.LuaUnit.run())"},
    # MultiPL-E's R: its tests would fail to parse, named so only as Python's syntax error
    {"name": "HumanEval_0_add", "language": "r", "prompt": "add <- function(a, b) {\n", "doctests": "transform",
     "original": "x", "prompt_terminology": "reworded", "stop_tokens": ["\n#"],
     "tests": "test_humaneval <- function() {\ncandidate <- add\n"
              "    stopifnot(isTRUE(all.equal(candidate(1, 2), 3)))\n}"},
    # HumanEval-X / HumanEvalPack: the task_id's prefix
    {"task_id": "CPP/0", "prompt": "#include<stdio.h>\nint add(int a, int b){\n", "declaration": "#include<stdio.h>\n",
     "canonical_solution": "    return a+b;\n}\n", "test": "}\nint main(){\n    assert (add(1,2)==3);\n}\n",
     "example_test": ""},
    {"task_id": "Go/0", "prompt": "package add\n\nfunc Add(a int, b int) int {\n", "declaration": "",
     "canonical_solution": "    return a + b\n}\n", "entry_point": "Add", "example_test": "",
     "test": "func TestAdd(t *testing.T) {\n    assert := assert.New(t)\n    assert.Equal(3, Add(1, 2))\n}\n"},
], ids=["multipl-e-lua", "multipl-e-r", "humaneval-x-cpp", "humanevalpack-go"])
def test_rows_in_other_languages_are_refused_naming_the_language(row, tmp_path):
    # before, refused as 'the tests are not valid Python (line 3: invalid syntax)', naming neither the language nor
    # the way out
    res = load(tmp_path, [row])
    assert not res.problems and len(res.skipped) == 1
    assert "Python only" in res.skipped[0] and ("'language'" in res.skipped[0] or "task_id" in res.skipped[0])


OPEN_R1_CF = {"id": "1000/A", "aliases": None, "contest_id": "1000", "contest_name": "Round", "contest_type": "CF",
              "contest_start": 1500000000, "contest_start_year": 2017, "index": "A", "time_limit": 1.0,
              "memory_limit": 256.0, "title": "Sum", "description": "Print a+b.", "input_format": "Two integers.",
              "output_format": "Their sum.", "interaction_format": None, "note": None,
              "examples": [{"input": "1 2\n", "output": "3\n"}], "editorial": None, "rating": 800, "tags": ["math"],
              "testset_size": 30, "official_tests": [{"input": "1 2\n", "output": "3\n"}],
              "official_tests_complete": True, "input_mode": "stdio", "generated_checker": None, "executable": True,
              "generated_tests": 25}


@pytest.mark.parametrize("complete", [False, "False"], ids=["bool", "csv-text"])
def test_open_r1_codeforces_rows_with_incomplete_official_tests_are_refused_naming_the_way_out(complete, tmp_path):
    # open-r1's judge (cf_scoring.score_submission) runs official_tests plus the generated tests kept outside the
    # row; where official_tests_complete is false the row holds only Codeforces' shown tests, which wrong programs
    # pass (print(3) passed this one). Refused, as Skywork-OR1's rows whose tests are elsewhere are
    res = load(tmp_path, [{**OPEN_R1_CF, "official_tests_complete": complete}, {**OPEN_R1_CF, "id": "1000/B"}])
    assert [p.id for p in res.problems] == ["1000/B"] and len(res.skipped) == 1
    assert "official_tests_complete" in res.skipped[0] and "generated_tests/test_cases_" in res.skipped[0]


def test_an_interactive_codeforces_statement_is_refused_without_an_interaction_format(tmp_path):
    # CodeContests' and some open-r1 rows of interactive problems say so only in the statement; a NaN
    # interaction_format or generated_checker (pandas' missing cell) is none (before, refused as interactive, and
    # as 'generated_checker is a float')
    rows = [{**OPEN_R1_CF, "description": "This is an interactive problem.\n\nGuess x."},
            {**OPEN_R1_CF, "id": "1000/B", "interaction_format": float("nan"), "generated_checker": float("nan")}]
    res = load(tmp_path, rows)
    assert [p.id for p in res.problems] == ["1000/B"] and "interactive problem" in res.skipped[0]


LEETCODE_HELPERS = """from typing import *
from collections import *


class ListNode:
    def __init__(self, val=0, next=None):
        self.val = val
        self.next = next


def list_node(values: list):
    head = None
    for v in reversed(values):
        head = ListNode(v, head)
    return head


def is_same_list(p1, p2):
    while p1 and p2 and p1.val == p2.val:
        p1, p2 = p1.next, p2.next
    return p1 is None and p2 is None


class TreeNode:
    def __init__(self, val=0, left=None, right=None):
        self.val = val
        self.left = left
        self.right = right


def tree_node(values: list):
    nodes = [None if v is None else TreeNode(v) for v in values]
    kids = deque(nodes[1:])
    for node in nodes:
        if node is not None:
            node.left = kids.popleft() if kids else None
            node.right = kids.popleft() if kids else None
    return nodes[0] if nodes else None


def is_same_tree(p, q):
    if p is None or q is None:
        return p is q
    return p.val == q.val and is_same_tree(p.left, q.left) and is_same_tree(p.right, q.right)
"""


@sandboxed
def test_leetcode_dataset_rows_with_linked_lists_and_trees_judge_as_its_check_does(tmp_path, judge):
    # LeetCodeDataset: 'prompt' holds the imports and the ListNode/TreeNode helpers the 'test' check builds its
    # values with; the judge runs prompt + solution + test and check(Solution().method). A solution using the
    # helpers' classes, or defining its own ListNode/TreeNode (compared by val/next), passes; a wrong one fails
    common = {"question_id": 1, "difficulty": "Easy", "tags": ["Linked List"], "estimated_date": "2015-05-04",
              "prompt": LEETCODE_HELPERS, "completion": "", "input_output": [], "response": ""}
    rows = [{**common, "task_id": "reverse-list", "problem_description": "Reverse a singly linked list.",
             "starter_code": "class Solution:\n    def reverseList(self, head: Optional[ListNode])"
                             " -> Optional[ListNode]:",
             "entry_point": "Solution().reverseList", "query": "Reverse a singly linked list (class Solution).",
             "test": "def check(candidate):\n    assert is_same_list(candidate(head=list_node([1, 2, 3])), "
                     "list_node([3, 2, 1]))\n    assert candidate(head=list_node([])) is None\n"},
            {**common, "task_id": "invert-tree", "problem_description": "Invert a binary tree.",
             "starter_code": "class Solution:\n    def invertTree(self, root: Optional[TreeNode])"
                             " -> Optional[TreeNode]:",
             "entry_point": "Solution().invertTree", "query": "Invert a binary tree (class Solution).",
             "test": "def check(candidate):\n    assert is_same_tree(candidate(root=tree_node([4, 2, 7, 1, 3])), "
                     "tree_node([4, 7, 2, None, None, 3, 1]))\n"}]
    lists, trees = load(tmp_path, rows).problems
    assert lists.question.startswith(rows[0]["query"]) and rows[0]["starter_code"] in lists.question
    reverse = ("class Solution:\n    def reverseList(self, head: Optional[ListNode]) -> Optional[ListNode]:\n"
               "        prev = None\n        while head:\n            head.next, prev, head = prev, head, head.next\n"
               "        return prev\n")
    own = "class ListNode:\n    def __init__(self, val=0, next=None):\n        self.val, self.next = val, next\n\n"
    assert judge(answer(reverse), lists) == (True, None) and judge(answer(own + reverse), lists) == (True, None)
    assert judge(answer("class Solution:\n    def reverseList(self, head):\n        return head\n"), lists) == \
        (False, None)
    invert = ("class Solution:\n    def invertTree(self, root):\n        if root is None:\n            return None\n"
              "        return TreeNode(root.val, self.invertTree(root.right), self.invertTree(root.left))\n")
    assert judge(answer(invert), trees) == (True, None)
    assert judge(answer("class Solution:\n    def invertTree(self, root):\n        return root\n"), trees) == \
        (False, None)
