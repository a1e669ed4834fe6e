"""Problem loading (JSONL + HF datasets files), bad-row messages, prompts through chat templates."""

import json
import logging

import pytest
from transformers import PreTrainedTokenizerFast
from tokenizers import Tokenizer, models, pre_tokenizers

from ptsfast.demo import load_demo_problems
from ptsfast.problems.loading import (ChatTemplateError, DataError, FieldMap, context_length, encode_problems,
                                      encode_prompt, load_problems, read_template)

TEMPLATE = ("{% for m in messages %}<|{{ m['role'] }}|>{{ m['content'] }}\n{% endfor %}"
            "{% if add_generation_prompt %}<|assistant|>{% endif %}")


@pytest.fixture(scope="module")
def tok():
    """A real (tiny) fast tokenizer: word-level over a small vocabulary, with chat special tokens."""
    words = ["[UNK]", "<|user|>", "<|assistant|>", "<|system|>", "\n", "what", "is", "2", "+", "3", "?", "a",
             "long", "question", "be", "brief", "."]
    tk = Tokenizer(models.WordLevel({w: i for i, w in enumerate(words)}, unk_token="[UNK]"))
    tk.pre_tokenizer = pre_tokenizers.Sequence([pre_tokenizers.Split("\n", "isolated"),
                                                pre_tokenizers.WhitespaceSplit()])
    t = PreTrainedTokenizerFast(tokenizer_object=tk, unk_token="[UNK]",
                                additional_special_tokens=["<|user|>", "<|assistant|>", "<|system|>"])
    return t


def write_jsonl(path, lines):
    path.write_text("".join((ln if isinstance(ln, str) else json.dumps(ln)) + "\n" for ln in lines))
    return path


def test_jsonl_bad_rows_are_skipped_with_one_clear_line_each(tmp_path, caplog):
    f = write_jsonl(tmp_path / "p.jsonl", [
        {"id": "a", "question": "what is 2 + 3 ?", "answer": "5", "level": 1},
        '{"id": "b", "question": "broken',                      # malformed JSON
        {"id": "c", "answer": "1"},                               # no question
        {"id": "d", "question": "q", "answer": ""},               # empty answer
        "[1, 2]",                                                 # not an object
        "",
        {"question": "no id here", "answer": 7},                  # id derived from the content
    ])
    with caplog.at_level(logging.WARNING, logger="ptsfast.problems.loading"):
        res = load_problems(f)
    assert [p.id for p in res.problems][0] == "a" and res.problems[1].id.startswith("h")
    assert res.problems[0].meta == {"level": 1} and res.problems[1].answer == "7"
    assert len(res.skipped) == 4 and len(caplog.records) == 4
    s = res.skipped
    assert "row 2: malformed JSON" in s[0] and "fix or delete that line" in s[0]
    assert "row 3 (id 'c'): missing field 'question'" in s[1] and "--question-field" in s[1]
    assert "row 4 (id 'd'): field 'answer' is empty" in s[2]
    assert "row 5: a JSON list" in s[3]


def test_an_answer_that_is_a_list_is_one_answer_or_a_skip_naming_it(tmp_path):
    """Datasets list their reference answers (RL data stores '["\\frac{1}{2}"]'): one listed answer is that
    answer; several, or a dict, are skipped naming the field (written as JSON, they matched no completion, so every
    rollout failed and the problem filter dropped the problem without a word); a NaN cell is an empty one."""
    f = write_jsonl(tmp_path / "p.jsonl", [
        {"id": "one", "question": "q1", "answer": ["5"]},
        {"id": "json", "question": "q2", "answer": '["\\\\frac{1}{2}"]'},
        {"id": "interval", "question": "q3", "answer": "[1, 2]"},
        {"id": "two", "question": "q4", "answer": ["5", "five"]},
        {"id": "dict", "question": "q5", "answer": {"value": 5}},
        '{"id": "nan", "question": "q6", "answer": NaN}',
    ])
    res = load_problems(f)
    assert {p.id: p.answer for p in res.problems} == {"one": "5", "json": "\\frac{1}{2}", "interval": "[1, 2]"}
    two, dct, nan = res.skipped
    assert "(id 'two'): field 'answer' (the reference answer) is a list of 2 items" in two and "--answer-field" in two
    assert "(id 'dict')" in dct and "is a dict" in dct
    assert "(id 'nan'): field 'answer' is empty" in nan


def test_a_jsonl_file_whose_first_row_is_not_an_object_is_still_read_line_by_line(tmp_path):
    """Its first line decided how a .jsonl was read: ``[1, 2]`` first sent the file to datasets' JSON reader,
    which named a column ``text`` the rows never had. A JSON array written over several lines is still read."""
    f = write_jsonl(tmp_path / "p.jsonl", ["[1, 2]", {"id": "a", "question": "q", "answer": "1"}])
    res = load_problems(f)
    assert [p.id for p in res.problems] == ["a"] and len(res.skipped) == 1 and "row 1: a JSON list" in res.skipped[0]
    array = tmp_path / "array.jsonl"
    array.write_text('[\n{"id": "a", "question": "q", "answer": "1"}\n]\n')
    assert [p.id for p in load_problems(array).problems] == ["a"]


def test_a_jsonl_file_with_a_bad_first_line_or_a_bom_is_read_row_by_row(tmp_path):
    """A first line that is not JSON, or a BOM, sent the file to datasets' reader, which refused it whole."""
    rows = [{"id": "a", "question": "q", "answer": "1"}, {"id": "b", "question": "q2", "answer": "2"}]
    bad = tmp_path / "bad.jsonl"
    bad.write_text("{not json\n" + "".join(json.dumps(r) + "\n" for r in rows))
    res = load_problems(bad)
    assert [p.id for p in res.problems] == ["a", "b"] and "row 1: malformed JSON" in res.skipped[0]
    bom = tmp_path / "bom.jsonl"
    bom.write_bytes(b"\xef\xbb\xbf" + "".join(json.dumps(r) + "\n" for r in rows).encode() + b"{oops\n")
    res = load_problems(bom)
    assert [p.id for p in res.problems] == ["a", "b"] and len(res.skipped) == 1 and "row 3" in res.skipped[0]


def test_an_id_column_no_row_has_is_named(tmp_path, caplog):
    f = write_jsonl(tmp_path / "p.jsonl", [{"id": "a", "question": "q", "answer": "1"}])
    with caplog.at_level(logging.WARNING):
        res = load_problems(f, FieldMap(id="idd"))
    assert res.problems[0].id.startswith("h") and "no row of" in caplog.text and "'idd'" in caplog.text
    caplog.clear()
    with caplog.at_level(logging.WARNING):
        load_problems(write_jsonl(tmp_path / "q.jsonl", [{"question": "q", "answer": "1"}]))
    assert "id column" not in caplog.text  # the default column, absent: ids from the content, as documented


def test_a_duplicate_id_skips_that_row_naming_the_first(tmp_path):
    f = write_jsonl(tmp_path / "p.jsonl", [{"id": "a", "question": "q1", "answer": "1"},
                                           {"id": "b", "question": "q2", "answer": "2"},
                                           {"id": "a", "question": "q3", "answer": "3"},
                                           {"id": "b", "question": "q4", "answer": "4"}])
    res = load_problems(f)
    assert [(p.id, p.question) for p in res.problems] == [("a", "q1"), ("b", "q2")]  # the first of each is mined
    assert [(s.reason, s.row, s.id) for s in res.skipped] == [("duplicate id", 3, "a"), ("duplicate id", 4, "b")]
    assert "row 3 (id 'a'): duplicate id, first on row 1" in res.skipped[0] and "--id-field ''" in res.skipped[0]


def test_ids_without_an_id_field_come_from_the_content(tmp_path):
    rows = [{"question": "what is 1+1?", "answer": "2"}, {"question": "what is 2+2?", "answer": "4"},
            {"question": "what is 1+1?", "answer": "2"}]
    a = load_problems(write_jsonl(tmp_path / "a.jsonl", rows)).problems
    b = load_problems(write_jsonl(tmp_path / "b.jsonl", rows[1:2] + [{"question": "what is 3+3?", "answer": "6"}]))
    assert a[1].id == b.problems[0].id  # the same problem has the same id in any file, at any row
    assert a[0].id != b.problems[1].id and a[2].id == a[0].id + "-2"  # an identical copy is numbered
    assert len({p.id for p in a}) == 3


def test_a_non_utf8_line_is_skipped_naming_file_line_and_byte(tmp_path):
    f = tmp_path / "p.jsonl"
    f.write_bytes(b'{"id": "a", "question": "q", "answer": "1"}\n{"id": "b", "question": "caf\xe9", "answer": "2"}\n'
                  b'{"id": "c", "question": "q3", "answer": "3"}\n')
    res = load_problems(f)
    assert [p.id for p in res.problems] == ["a", "c"]
    (s,) = res.skipped
    assert s.reason == "not UTF-8" and s.row == 2 and "p.jsonl: row 2: byte 0xe9 at column 29 is not UTF-8" in s


def test_custom_field_names_and_solution_field(tmp_path):
    f = write_jsonl(tmp_path / "p.jsonl", [
        {"uid": 1, "problem": "what is 2 + 3 ?", "target": "#### 5", "traj": "2 + 3 is 5 ."},
        {"uid": 2, "problem": "q2", "target": "1", "traj": "  "},
        {"uid": 3, "problem": "q3", "target": "1"},
    ])
    fields = FieldMap(question="problem", answer="target", id="uid", solution="traj")
    res = load_problems(f, fields)
    assert [(p.id, p.solution) for p in res.problems] == [("1", "2 + 3 is 5 .")]
    assert "row 2 (id 2): field 'traj' (the provided solution) is empty" in res.skipped[0]
    assert "row 3 (id 3): missing field 'traj'" in res.skipped[1] and "--solution-field" in res.skipped[1]
    # wrong answer column name: the message lists the row's columns and the flag to fix it
    res = load_problems(f, FieldMap(question="problem", answer="answer", id="uid"))
    assert not res.problems and "missing field 'answer'" in res.skipped[0] and "'target'" in res.skipped[0]


def test_code_problems_need_tests_or_answer(tmp_path):
    f = write_jsonl(tmp_path / "c.jsonl", [{"id": "x", "question": "write add", "tests": "assert add(1,2)==3"}])
    (p,) = load_problems(f).problems
    assert p.tests == "assert add(1,2)==3" and p.answer is None


@pytest.mark.parametrize("fmt", ["parquet", "csv", "json", "disk", "diskdict"])
def test_hf_datasets_files(tmp_path, fmt):
    import datasets

    rows = [{"id": "a", "question": "what is 2 + 3 ?", "answer": "5"},
            {"id": "b", "question": "", "answer": "1"},
            {"id": "c", "question": "q", "answer": "2"}]
    ds = datasets.Dataset.from_list(rows)
    if fmt == "parquet":
        path = tmp_path / "p.parquet"
        ds.to_parquet(str(path))
    elif fmt == "csv":
        path = tmp_path / "p.csv"
        ds.to_csv(str(path), index=False)
    elif fmt == "json":  # a JSON array, not JSON lines
        path = tmp_path / "p.json"
        path.write_text(json.dumps(rows))
    elif fmt == "disk":
        path = tmp_path / "ds"
        ds.save_to_disk(str(path))
    else:
        path = tmp_path / "dsd"
        datasets.DatasetDict({"train": ds, "test": ds.select([0])}).save_to_disk(str(path))
    res = load_problems(path, split="test" if fmt == "diskdict" else None)
    if fmt == "diskdict":
        assert [p.id for p in res.problems] == ["a"]
        return
    assert [p.id for p in res.problems] == ["a", "c"]
    assert len(res.skipped) == 1 and "row 2 (id 'b'): field 'question' is empty" in res.skipped[0]


def test_unknown_format_and_missing_file(tmp_path):
    with pytest.raises(DataError, match="does not exist"):
        load_problems(tmp_path / "nope.jsonl")
    (tmp_path / "x.xlsx").write_text("x")
    with pytest.raises(DataError, match="unknown data format '.xlsx'"):
        load_problems(tmp_path / "x.xlsx")
    folder = tmp_path / "rows"  # a folder of JSONL files, not a saved dataset
    folder.mkdir()
    (folder / "a.jsonl").write_text('{"question": "q", "answer": "1"}\n')
    with pytest.raises(DataError, match="rows is a folder but not a dataset saved with save_to_disk"):
        load_problems(folder)


def test_prompt_through_chat_template(tok):
    tok.chat_template = TEMPLATE
    ids = encode_prompt(tok, "what is 2 + 3 ?")
    assert tok.convert_ids_to_tokens(ids) == ["<|user|>", "what", "is", "2", "+", "3", "?", "<|assistant|>"]
    ids = encode_prompt(tok, "what is 2 + 3 ?", system_prompt="be brief .")
    assert tok.convert_ids_to_tokens(ids)[:4] == ["<|system|>", "be", "brief", "."]


def test_missing_chat_template_is_a_clear_error_with_two_fixes(tok, tmp_path):
    tok.chat_template = None
    with pytest.raises(ChatTemplateError, match="no chat template.*--chat-template.*--no-chat-template"):
        encode_prompt(tok, "what is 2 + 3 ?")
    assert tok.convert_ids_to_tokens(encode_prompt(tok, "what is 2 + 3 ?", use_chat_template=False)) == \
        ["what", "is", "2", "+", "3", "?"]
    ids = encode_prompt(tok, "what is 2 + 3 ?", chat_template=TEMPLATE)
    assert tok.convert_ids_to_tokens(ids)[-1] == "<|assistant|>"
    tf = tmp_path / "t.jinja"
    tf.write_text(TEMPLATE)
    assert read_template(str(tf)) == TEMPLATE and read_template(TEMPLATE) == TEMPLATE


def test_a_chat_template_file_that_is_no_template_is_refused_or_read_as_its_config(tmp_path):
    """A wrong file given as --chat-template became every problem's whole prompt (the same text for all)."""
    config = tmp_path / "tokenizer_config.json"
    config.write_text(json.dumps({"model_max_length": 2048, "chat_template": TEMPLATE}))
    assert read_template(str(config)) == TEMPLATE  # the template a tokenizer's config holds
    config.write_text(json.dumps({"model_max_length": 2048, "bos_token": "<s>"}))
    with pytest.raises(ValueError, match=r"tokenizer_config.json' is a JSON file without a \"chat_template\""):
        read_template(str(config))
    fixed = tmp_path / "fixed.jinja"
    fixed.write_text("{{ bos_token }}You are a helpful assistant.\n")
    for value in (str(fixed), "<|user|>{{ 'hello' }}<|assistant|>"):
        with pytest.raises(ValueError, match="does not write the question into the prompt"):
            read_template(value)
    needs_tokenizer = "{{ raise_exception('needs tools') if not tools }}{{ messages[0]['content'] }}"
    assert read_template(needs_tokenizer) == needs_tokenizer  # cannot tell outside a tokenizer: left to it


def test_prompt_longer_than_context_is_skipped(tok, tmp_path):
    tok.chat_template = TEMPLATE
    f = write_jsonl(tmp_path / "p.jsonl", [
        {"id": "short", "question": "what is 2 + 3 ?", "answer": "5"},
        {"id": "long", "question": " ".join(["a long question"] * 10), "answer": "5"},
    ])
    probs = load_problems(f).problems
    enc, skipped = encode_problems(probs, tok, max_length=16)
    assert [e.problem.id for e in enc] == ["short"] and len(enc[0].prompt_ids) == 8
    assert len(skipped) == 1 and "problem 'long': prompt is 32 tokens, over the model's context of 16" in skipped[0]
    assert "shorten the question" in skipped[0]


def test_provided_solutions_are_tokenized(tok, tmp_path):
    tok.chat_template = TEMPLATE
    f = write_jsonl(tmp_path / "p.jsonl", [{"id": "s", "question": "what is 2 + 3 ?", "answer": "5",
                                             "sol": "2 + 3 is 5 ."}])
    (e,), skipped = encode_problems(load_problems(f, FieldMap(solution="sol")).problems, tok, max_length=64)
    assert not skipped and tok.convert_ids_to_tokens(list(e.solution_ids)) == ["2", "+", "3", "is", "[UNK]", "."]


def test_verl_rows_chat_question_and_ground_truth(tok, tmp_path):
    """verl-format RL data: the question is a chat, the answer in ``reward_model["ground_truth"]``; the row's
    system message is the problem's system prompt unless the run gives one."""
    tok.chat_template = TEMPLATE
    chat = [{"role": "system", "content": "be brief ."}, {"role": "user", "content": "what is 2 + 3 ?"}]
    f = write_jsonl(tmp_path / "verl.jsonl", [
        {"data_source": "x", "prompt": chat, "reward_model": {"style": "rule", "ground_truth": "5"}},
        {"data_source": "x", "prompt": chat[1:], "reward_model": {"style": "rule", "ground_truth": "5"}},
        {"prompt": chat + [{"role": "assistant", "content": "5"}, chat[1]], "reward_model": {"ground_truth": "5"}},
        {"prompt": [{"role": "user"}], "reward_model": {"ground_truth": "5"}},
        {"prompt": [{"role": "user", "content": [{"type": "text", "text": "what is "},
                                                  {"type": "text", "text": "2 + 3 ?"}]}],
         "reward_model": {"ground_truth": "5"}},
        {"prompt": [{"role": "user", "content": [{"type": "image"}, {"type": "text", "text": "what is it ?"}]}],
         "reward_model": {"ground_truth": "5"}},
    ])
    res = load_problems(f, FieldMap(auto_detect=True))
    a, b, parts = res.problems
    assert parts.question == "what is 2 + 3 ?"  # OpenAI-style content parts of text
    assert (a.question, a.answer, a.meta["system_prompt"]) == ("what is 2 + 3 ?", "5", "be brief .")
    assert (b.question, b.answer) == ("what is 2 + 3 ?", "5") and "system_prompt" not in b.meta
    assert "reward_model" not in a.meta and a.meta["data_source"] == "x"  # the ground truth is not carried twice
    assert a.id != b.id  # another system prompt is another problem (a resumed run does not mix them)
    assert "roles ['system', 'user', 'assistant', 'user']" in res.skipped[0] and "one user message" in res.skipped[0]
    assert "not a chat of text" in res.skipped[1] and "not a chat of text" in res.skipped[2]  # an image is not text
    (ea, eb), _ = encode_problems([a, b], tok)
    assert tok.convert_ids_to_tokens(list(ea.prompt_ids))[:4] == ["<|system|>", "be", "brief", "."]
    assert tok.convert_ids_to_tokens(list(eb.prompt_ids))[0] == "<|user|>"
    (ea, _), _ = encode_problems([a, b], tok, system_prompt="what")  # the run's own system prompt wins
    assert tok.convert_ids_to_tokens(list(ea.prompt_ids))[:2] == ["<|system|>", "what"]
    no_system = "{% for m in messages %}{% if m['role'] == 'system' %}{{ raise_exception('no system role') }}" \
                "{% endif %}{{ m['content'] }}{% endfor %}"
    enc, skipped = encode_problems([a, b], tok, chat_template=no_system)
    assert [e.problem.id for e in enc] == [b.id] and "pass --system-prompt ''" in skipped[0]
    assert len(encode_problems([a], tok, chat_template=no_system, system_prompt="")[0]) == 1


def test_context_length():
    from transformers import LlamaConfig

    assert context_length(LlamaConfig(max_position_embeddings=321)) == 321
    assert context_length(object()) is None


def test_demo_problem_set_is_valid():
    """Shipped demo set: unique ids, integer answers, every problem measured inside the PTS range."""
    from ptsfast.demo import DEMO_ORACLE, DEMO_SYSTEM_PROMPT, DEMO_TEMPERATURE

    probs = load_demo_problems()
    assert 8 <= len(probs) <= 45
    assert len({p.id for p in probs}) == len(probs)
    for p in probs:
        assert float(p.answer) == int(p.answer)
        assert 0.2 <= p.meta["measured_p"] <= 0.8, p.id
        settings = p.meta["measure_settings"]
        assert (settings["oracle"], settings["temperature"], settings["system_prompt"]) == (
            DEMO_ORACLE, DEMO_TEMPERATURE, DEMO_SYSTEM_PROMPT)


def cache_dataset(cache, repo_id, config, rows, split="train"):
    """Lay out ``rows`` in a datasets cache the way ``datasets.load_dataset(repo_id, config)`` leaves a download
    (``<cache>/<owner>___<name>/<config>/<version>/<hash>/``), without any network."""
    import shutil

    import datasets
    from datasets.packaged_modules.parquet.parquet import Parquet

    src = cache / "src.parquet"
    datasets.Dataset.from_list(rows).to_parquet(str(src))
    name = repo_id.split("/")[-1]
    b = Parquet(cache_dir=str(cache / "build"), dataset_name=name, config_name=config,
                data_files={split: str(src)}, hash="0123abcd")
    b.download_and_prepare()
    target = cache / repo_id.replace("/", "___") / config / "0.0.0"
    target.mkdir(parents=True)
    shutil.move(b.cache_dir, target / "0123abcd")


def test_dataset_by_name_from_the_local_cache(tmp_path):
    rows = [{"problem": "what is 2 + 3 ?", "solution": "it is \\boxed{5}"}, {"problem": "q", "solution": "2"}]
    cache_dataset(tmp_path, "org/mathset", "main", rows)
    fields = FieldMap(auto_detect=True)  # codelion's key detection: problem / solution
    res = load_problems("org/mathset", fields, config="main", cache_dir=tmp_path)
    assert [(p.question, p.answer) for p in res.problems] == [(rows[0]["problem"], rows[0]["solution"]), ("q", "2")]
    assert all(p.id.startswith("h") for p in res.problems)  # no id column: ids from the content
    assert load_problems("org/mathset", fields, cache_dir=tmp_path).problems  # the only config is found alone
    with pytest.raises(DataError, match=r"not a dataset in the local datasets cache.*config 'other'.*never downloads"):
        load_problems("org/mathset", fields, config="other", cache_dir=tmp_path)
    with pytest.raises(DataError, match="'org/absent' is not a file or folder"):
        load_problems("org/absent", cache_dir=tmp_path)
    # a named column is never swapped for a detected one
    strict = load_problems("org/mathset", FieldMap(question="prompt", auto_detect=("answer",)), cache_dir=tmp_path)
    assert not strict.problems and "missing field 'prompt'" in strict.skipped[0]
    local = write_jsonl(tmp_path / "local.jsonl", [{"question": "q", "answer": "1"}])
    with pytest.raises(DataError, match="cache_dir=.* applies to a dataset named from the local datasets cache; "
                                        ".*local.jsonl' is a local file - drop cache_dir"):
        load_problems(local, cache_dir=tmp_path)  # was dropped without a word


def test_cli_takes_codelion_option_names():
    from ptsfast.cli import build_parser

    a = build_parser().parse_args(["mine", "--model", "m", "--dataset", "org/x", "--config", "main", "--out", "o",
                                   "--query-key", "instruction", "--answer-key", "output"])
    assert (a.problems, a.dataset_config, a.question_field, a.answer_field) == ("org/x", "main", "instruction",
                                                                                 "output")
    e = build_parser().parse_args(["export", "--input-path", "r", "--output-path", "o.jsonl", "--format", "pts"])
    assert (e.run, e.out, e.format) == ("r", "o.jsonl", "pts")


def test_cli_mines_a_cached_dataset_by_name(tmp_path, monkeypatch, capsys):
    import datasets
    from tiny_models import tiny_model, tiny_tokenizer

    from ptsfast.cli import main as cli

    model_dir = tmp_path / "model"
    tiny_model("llama", seed=3).save_pretrained(model_dir)
    tiny_tokenizer(prefix="").save_pretrained(model_dir)
    cache_dataset(tmp_path / "cache", "org/nums", "main", [{"query": "5 9 12 40", "output": "7"}])
    monkeypatch.setattr(datasets.config, "HF_DATASETS_CACHE", str(tmp_path / "cache"))
    out = tmp_path / "run"
    assert cli(["mine", "--model", str(model_dir), "--dataset", "org/nums", "--config", "main", "--out", str(out),
                "--oracle", "last_number", "--no-chat-template", "--no-filter", "--max-new-tokens", "4",
                "--max-rollouts", "8", "--quiet"]) == 0
    capsys.readouterr()
    rec = json.loads((out / "problems.jsonl").read_text().splitlines()[0])
    assert rec["question"] == "5 9 12 40" and rec["answer"] == "7"
    assert json.loads((out / "run.json").read_text())["dataset"] == "org/nums"


def test_unreadable_csv_names_the_file_and_cause(tmp_path):
    f = tmp_path / "p.csv"
    f.write_bytes(b"question,answer\ncaf\xe9,1\n")
    with pytest.raises(DataError, match=r"p.csv could not be read as csv \(.*UTF8.*\)"):
        load_problems(f)


def test_a_row_nested_deeper_than_the_json_parser_goes_is_skipped(tmp_path):
    f = tmp_path / "deep.jsonl"
    f.write_text('{"id": "a", "question": "q", "x": ' + "[" * 100000 + "]" * 100000 + "}\n"
                 + json.dumps({"id": "b", "question": "what is 2+3?", "answer": "5"}) + "\n")
    res = load_problems(f)
    assert [p.id for p in res.problems] == ["b"] and "nested too deep" in res.skipped[0]


def test_a_csv_column_of_ints_with_an_empty_cell_keeps_its_ints(tmp_path):
    # pandas reads such a column as floats: id 1 was "1.0" and answer 5 "5.0" (the same rows as JSONL: "1", "5")
    f = tmp_path / "p.csv"
    f.write_text("id,question,answer,score\n1,what is 2+3?,5,0.5\n,what is 2+4?,,1.5\n3,what is 1+1?,2,\n")
    res = load_problems(f)
    assert [(p.id, p.answer) for p in res.problems] == [("1", "5"), ("3", "2")]
    assert len(res.skipped) == 1 and "'answer' is empty" in res.skipped[0]


def test_rows_in_memory_load_as_the_same_rows_in_a_file(tmp_path, caplog):
    # a DataFrame, a list of dicts or a Dataset gave "expected str, bytes or os.PathLike object"
    datasets, pd = pytest.importorskip("datasets"), pytest.importorskip("pandas")
    np = pytest.importorskip("numpy")
    rows = [{"uid": 1, "problem": "what is 2 + 3 ?", "target": 5, "choices": ["5", "6"], "level": {"n": 1}},
            {"uid": None, "problem": "", "target": 1, "choices": ["1"], "level": {"n": 2}},
            {"uid": 3, "problem": "q", "target": 2, "choices": ["2", "3"], "level": {"n": 3}},
            {"uid": 4, "problem": "q4", "target": 4, "choices": ["4"], "level": {"n": 4}}]
    fields = FieldMap(question="problem", answer="target", id="uid")

    def loaded(source, **kw):
        res = load_problems(source, fields, limit=2, **kw)
        return res.problems, [(s.reason, s.row, s.split(": ", 1)[1]) for s in res.skipped]

    expected = loaded(write_jsonl(tmp_path / "p.jsonl", rows))
    assert [p.id for p in expected[0]] == ["1", "3"] and expected[0][0].choices == ("5", "6")
    assert expected[1] == [("empty field", 2, "row 2: field 'problem' is empty; give the question text")]
    frame = pd.DataFrame(rows)  # uid read as floats (1.0, NaN): read back as the file's ints
    parquet = tmp_path / "p.parquet"
    frame.to_parquet(parquet)  # read back, its list columns are numpy arrays
    tupled = [{**r, "choices": tuple(r["choices"]), "target": np.int64(r["target"])} for r in rows]
    import polars as pl  # the test extra's; pyarrow is datasets'
    import pyarrow as pa

    table = pa.Table.from_pylist(rows)  # a polars DataFrame or a pyarrow Table iterated over its columns
    for source in (rows, tupled, iter(rows), frame, pd.read_parquet(parquet), datasets.Dataset.from_list(rows),
                   table, table.to_batches()[0], pl.DataFrame(rows)):
        assert loaded(source) == expected, type(source)
    assert loaded(parquet) == expected  # a file: ids with a gap were "1.0"
    both = datasets.DatasetDict({"train": datasets.Dataset.from_list(rows[:1]),
                                 "test": datasets.Dataset.from_list(rows)})
    assert loaded(both, split="test") == expected
    with pytest.raises(DataError, match=r"holds splits \['a', 'b'\]; choose one with split="):
        load_problems(datasets.DatasetDict({"a": both["train"], "b": both["test"]}))
    with pytest.raises(DataError, match="split='test' applies to a DatasetDict .* not to rows in a list"):
        load_problems(rows, split="test")
    with caplog.at_level(logging.WARNING, logger="ptsfast.problems.loading"):
        res = load_problems(["what is 2 + 3 ?", {"question": "q", "answer": "1"}])
    assert len(res.problems) == 1 and "<list>: row 1" in caplog.text
    assert res.skipped == ["<list>: row 1: a value of type str, not a dict; each row must be one dict of fields"]
    assert len(load_problems(rows, fields, limit=np.int64(1)).problems) == 1
    for limit in ("5", 2.5, 0, -1, True):  # "5" failed deep in the loop, 2.5 read as 3, 0 and -1 loaded nothing
        with pytest.raises(DataError, match=r"limit \(--limit\) must be a whole number >= 1"):
            load_problems(rows, fields, limit=limit)
    for bad, named in ((None, "got NoneType"), (5, "got int"), ({"question": "q"}, "got dict .*a list of row dicts")):
        with pytest.raises(TypeError, match=r"takes a path \(str or os.PathLike\), or rows in memory: a pandas "
                                            r"or polars DataFrame, .* or a list of dicts; " + named):
            load_problems(bad)
