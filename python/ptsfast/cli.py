"""The ``ptsfast`` command: mine | anchors | export | report | demo | simulate | bench."""

from __future__ import annotations

import os
import sys

import _signal  # the interpreter's own, loaded already: the handler below is set before the imports that take time


def _interrupted_starting(signum, frame) -> None:
    """A Ctrl-C while the ``ptsfast`` command's own modules import, before :func:`main` takes the signals, ended in a
    KeyboardInterrupt traceback through the imports; nothing is written yet, so the process ends at once, saying so
    as :func:`main` does."""
    try:
        os.write(2, b"\nptsfast: interrupted before the command began; nothing was written - rerun the command\n")
    except OSError:  # started with standard error closed
        pass
    os._exit(130)


def _starting_as_the_command() -> bool:
    """This module imports to run the ``ptsfast`` command (its console script, or ``python -m ptsfast.cli``): only
    then is a Ctrl-C during the import the command's to say (a program importing it keeps its KeyboardInterrupt, and
    so does a process started by spawn, whose ``__main__`` is the script's but whose command is not)."""
    main = sys.modules.get("__main__")
    script = getattr(main, "__file__", None)
    return __name__ == "__main__" or (getattr(main, "__name__", None) == "__main__" and isinstance(script, str)
                                      and os.path.basename(script) == "ptsfast")  # spawn's is named __mp_main__


try:
    if _starting_as_the_command() and _signal.getsignal(_signal.SIGINT) is _signal.default_int_handler:
        _signal.signal(_signal.SIGINT, _interrupted_starting)
except ValueError:  # not the main thread: its signals are not this import's
    pass

import argparse  # noqa: E402 - after the handler above
import atexit  # noqa: E402
import json  # noqa: E402
import logging  # noqa: E402
import re  # noqa: E402
import signal  # noqa: E402
import threading  # noqa: E402
import unicodedata  # noqa: E402
from pathlib import Path  # noqa: E402

log = logging.getLogger("ptsfast")


def _mining_args(p: argparse.ArgumentParser) -> None:
    _sampling_args(p)
    _search_args(p.add_argument_group("search (defaults follow the Phi-4 paper)"))
    _engine_args(p)
    _config_args(p)
    _run_flags(p)


def _sampling_args(p: argparse.ArgumentParser) -> None:
    g = p.add_argument_group("sampling")
    g.add_argument("--oracle", default="gsm8k", help="gsm8k | boxed | last_number | exact | normalized | "
                   "multiple_choice | code (default: gsm8k)")
    g.add_argument("--unsafe-code-oracle", action="store_true", help="let the code oracle run model-written code "
                   "without namespace isolation where this machine has none (it refuses otherwise)")
    g.add_argument("--oracle-timeout", type=float, default=30.0, help="seconds one judgement may take; for --oracle "
                   "code the sandbox's wall limit (a timeout is an oracle error, counted in oracle_errors, not a "
                   "failed test; default 30)")
    g.add_argument("--trajectories", type=int, default=1, help="solutions sampled per problem (default 1)")
    g.add_argument("--max-new-tokens", type=int, default=256, help="tokens a sampled solution may take, and each "
                   "rollout of the search (default 256)")
    g.add_argument("--temperature", type=float, default=1.0, help="sampling temperature of the solutions and the "
                   "rollouts (default 1.0; 0 is greedy, which counts one rollout many times)")
    g.add_argument("--top-k", type=int, default=0, help="sample among the k likeliest tokens only (default 0: off; "
                   "-1 is off too)")
    g.add_argument("--top-p", type=float, default=1.0, help="sample among the likeliest tokens that hold this "
                   "probability (default 1.0: off)")
    g.add_argument("--min-p", type=float, default=0.0, help="drop tokens less likely than min_p times the top "
                   "one, as HF's min_p (default 0: off)")
    g.add_argument("--seed", type=int, default=0, help="seed of the run: its solutions and rollouts (default 0)")
    g.add_argument("--system-prompt", default=None, help="system message before each question, through the chat "
                   "template (default none)")


def _search_args(s) -> None:
    s.add_argument("--gap", type=float, default=0.2, help="|Δp| that makes a pivot (default 0.2)")
    s.add_argument("--split", choices=("logprob", "tokens"), default="logprob", help="where the bisection splits a "
                   "segment: logprob, where half its log-probability is (the paper's), or tokens, its middle token "
                   "(default logprob)")
    s.add_argument("--batch-rollouts", type=int, default=None,
                   help="first sequential-test batch per position (default 8)")
    s.add_argument("--max-rollouts", type=int, default=None,
                   help="cap per position for bisection decisions (default: mine 32, demo 16)")
    s.add_argument("--key-max-rollouts", type=int, default=None, help="higher cap for key decisions: one-token "
                   "segments, segments of >= --estimator-key-length (64) tokens, segments from the prompt, a side "
                   "known exactly (default: mine 64, demo 16); segments of >= --estimator-long-length tokens get the "
                   "larger of this and --estimator-long-max-rollouts (128; demo 16)")
    s.add_argument("--accept-confidence", type=float, default=None, help="confidence to accept a pivot (default 0.95)")
    s.add_argument("--confirm", type=int, default=None, help="fresh rollouts per side that decide each pivot "
                   "(confirmed / refuted / undecided; default 16; 0 = report the search's counts); a further fresh "
                   "batch, --estimator-confirm-report-rollouts (48), is its reported, unbiased p before/after")
    s.add_argument("--no-filter", action="store_true", help="keep problems whatever p(0) is")
    s.add_argument("--p-min", type=float, default=None, help="the filter keeps a problem unless p(0) is surely "
                   "below this (default 0.2)")
    s.add_argument("--p-max", type=float, default=None, help="... or surely above this (default 0.8)")


def _engine_args(p: argparse.ArgumentParser) -> None:
    e = p.add_argument_group("engine")
    e.add_argument("--device", default=None, help="cpu | cuda (default: cuda if available)")
    e.add_argument("--dtype", default=None,
                   help="float32 | bfloat16 | float16 (default: float32 on CPU, bfloat16 on GPU)")
    e.add_argument("--kv-cache-gb", type=float, default=None,
                   help="KV cache size (default: 2 GB on CPU, at most half the memory left; 60%% of free GPU memory); "
                   "more than the device has available is refused")
    e.add_argument("--problems-per-batch", type=int, default=8,
                   help="problems mined at once; a finished one is replaced at once (default 8)")


class _Once(argparse._StoreAction):
    """A path flag (--problems, --model, --out, --run) given twice with two values: the last one was taken without a
    word (`--problems a.jsonl --problems b.jsonl` mined b alone); noted here, refused by :func:`_check_once`."""

    def __call__(self, parser, namespace, values, option_string=None):
        seen = namespace.__dict__.setdefault("given_twice", {})
        before = seen.setdefault(self.dest, [])
        if values not in before:
            before.append(values)
        seen[self.dest + " flag"] = option_string
        super().__call__(parser, namespace, values, option_string)


def _check_once(a) -> None:
    """Each path flag has one value (see :class:`_Once`); an empty one is refused as empty, later."""
    for dest, values in getattr(a, "given_twice", {}).items():
        values = [v for v in values if str(v).strip()]
        if not dest.endswith(" flag") and len(values) > 1:
            flag = a.given_twice[dest + " flag"]
            raise ValueError(f"{flag} given {len(values)} times ({', '.join(map(str, values))}): a command takes one "
                             f"- give {flag} once")


def _problem_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--model", required=True, action=_Once,
                   help="local Hugging Face model folder (or 'demo' for SmolLM2-135M-Instruct)")
    p.add_argument("--problems", "--dataset", dest="problems", required=True, action=_Once,
                   help="JSONL file, JSON/parquet/CSV file, datasets folder (save_to_disk), a dataset repository's "
                        "folder downloaded from the Hub, or the name of a dataset in the local datasets cache (e.g. "
                        "openai/gsm8k with --config main; never downloaded)")
    p.add_argument("--out", required=True, action=_Once, help="output folder")
    p.add_argument("--dataset-config", "--config", dest="dataset_config", default=None,
                   help="configuration of a cached dataset given by name, or of a dataset repository's folder "
                        "(e.g. main for openai/gsm8k)")
    p.add_argument("--question-field", "--query-key", dest="question_field", default=None,
                   help="question column (default: question, else the first of the usual names the data has: "
                        "query/instruction/problem/problem_description/prompt/instruct_prompt/text/description/"
                        "question_content)")
    p.add_argument("--answer-field", "--answer-key", dest="answer_field", default=None,
                   help="reference answer column (default: answer, else the first of answerKey/output/solution/"
                        "response/canonical_solution, or verl's and PrimeIntellect's ground_truth)")
    p.add_argument("--id-field", default="id", help="unique id column (default id; ''/a row without one: an id "
                   "derived from the problem's content)")
    # extend: a second --tests-field adds its columns (it replaced the first one's, whose tests were then never run)
    p.add_argument("--tests-field", nargs="+", action="extend", default=None, metavar="FIELD",
                   help="code tests column(s), joined (e.g. test_list challenge_test_list; default: the first of "
                        "tests, test, test_list, input_output, public_tests, public_test_cases, test_cases, "
                        "official_tests, verification_info, ground_truth (verl's), code_context, hidden_unit_tests, "
                        "unit_tests, testcase (OpenCoder's) that the data fills, with its companions: "
                        "challenge_test_list, private_tests and "
                        "generated_tests, private_test_cases); read in its dataset's format (e.g. HumanEval, MBPP, "
                        "EvalPlus, APPS, CodeContests, LiveCodeBench, pytest or unittest)")
    p.add_argument("--entry-point-field", default=None, help="column naming the function under test (default: "
                   "entry_point)")
    p.add_argument("--solution-field", default=None, help="use the given solutions in this column instead of sampling")
    p.add_argument("--split-name", default=None, help="dataset split for datasets folders")
    p.add_argument("--limit", type=int, default=None, help="only the first N problems")
    p.add_argument("--chat-template", default=None,
                   help="Jinja chat template (string or file) if the tokenizer has none")
    p.add_argument("--no-chat-template", action="store_true", help="feed the raw question (base models)")


def _run_flags(p: argparse.ArgumentParser) -> None:
    p.add_argument("--overwrite", action="store_true", help="start over in an existing output folder")
    p.add_argument("--quiet", action="store_true", help="no progress bar")


# Fields of the nested configs that the flags above set under their own names, with those flags; the rollouts'
# token budget is --max-new-tokens (the run derives it). Every other field gets a generated flag.
_NAMED = {("estimator", "batch_size"): "--batch-rollouts", ("estimator", "max_rollouts"): "--max-rollouts",
          ("estimator", "key_max_rollouts"): "--key-max-rollouts",
          ("estimator", "accept_confidence"): "--accept-confidence", ("estimator", "confirm_rollouts"): "--confirm",
          ("estimator", "rollout_budget"): "--max-new-tokens", ("filter", "enabled"): "--no-filter",
          ("filter", "p_min"): "--p-min", ("filter", "p_max"): "--p-max", ("engine", "kv_cache_gb"): "--kv-cache-gb",
          ("mining", "gap"): "--gap", ("mining", "split"): "--split"}


def _sections():
    from ptsfast.engine import EngineConfig
    from ptsfast.mining.types import EstimatorConfig, FilterConfig, PairConfig

    return (("estimator", EstimatorConfig, "sequential estimation (mining.estimator)"),
            ("filter", FilterConfig, "problem filter on p(0) (mining.filter)"),
            ("pairs", PairConfig, "DPO pairs (mining.pairs)"),
            ("engine", EngineConfig, "engine limits (engine)"))


def _field_docs(cls) -> dict[str, str]:
    """The docstring written under each field of a dataclass (the attribute docstring convention)."""
    import ast
    import inspect
    import textwrap

    try:
        tree = ast.parse(textwrap.dedent(inspect.getsource(cls)))
    except (OSError, TypeError):
        return {}
    body, docs = tree.body[0].body, {}
    for node, nxt in zip(body, body[1:]):
        if isinstance(node, ast.AnnAssign) and isinstance(nxt, ast.Expr) and isinstance(nxt.value, ast.Constant):
            docs[node.target.id] = " ".join(str(nxt.value.value).split())
    return docs


def _flag(section: str, name: str) -> str:
    return f"--{section}-{name.replace('_', '-')}"


def _config_args(p: argparse.ArgumentParser) -> None:
    """A flag for every other field of the search's and the engine's configs, so ``--help`` lists every knob."""
    import dataclasses

    for section, cls, title in _sections():
        g, docs = p.add_argument_group(title), _field_docs(cls)
        for f in dataclasses.fields(cls):
            if (section, f.name) in _NAMED:
                continue
            kind = str(f.type)
            doc = docs.get(f.name, "")
            help_ = f"{doc + ' ' if doc else ''}(default {f.default})".replace("%", "%%")
            dest = f"{section}__{f.name}"
            if kind == "bool":
                g.add_argument(_flag(section, f.name), dest=dest, action=argparse.BooleanOptionalAction, default=None,
                               help=help_)
            elif kind in ("Method", "str"):
                choices = {"estimator__method": ("wilson", "jeffreys"), "engine__cascade": ("auto", "always", "never")}
                g.add_argument(_flag(section, f.name), dest=dest, default=None, help=help_, choices=choices.get(dest))
            else:
                real = "float" in kind
                g.add_argument(_flag(section, f.name), dest=dest, type=float if real else int, default=None,
                               metavar="X" if real else "N", help=help_)


def _config(section: str, cls, **kw):
    """``cls(**kw)``; its ValueError names the flag of each field it mentions (``max_rollouts (--max-rollouts)``),
    since a flag, not a field, is what the user typed and has to change."""
    import dataclasses
    import re

    try:
        return cls(**kw)
    except ValueError as e:
        flags = {f.name: _NAMED.get((section, f.name)) or _flag(section, f.name) for f in dataclasses.fields(cls)}
        head = _culprit(cls, kw, flags, str(e))
        names = r"\b(" + "|".join(sorted(flags, key=len, reverse=True)) + r")\b"
        seen: set[str] = set()

        def named(m: re.Match) -> str:  # the first mention of a field is its name; later ones may be plain words
            name = m.group(1)
            first = name not in seen
            seen.add(name)
            return f"{name} ({flags[name]})" if first else name

        raise ValueError(head + re.sub(names, named, str(e))) from None


def _culprit(cls, kw: dict, flags: dict, message: str) -> str:
    """``'--flag value: '`` for the one value of ``kw`` the config refuses (it takes the others with that field
    left at its default) where ``message`` does not give it, else ''. A rule of several fields named them all:
    ``--confirm -1`` was told 'reuse_window (--estimator-reuse-window), confirm_rollouts (--confirm) and ... must be
    >= 0', with neither the flag nor the value the user typed."""
    import dataclasses

    defaults = {f.name: f.default for f in dataclasses.fields(cls) if f.default is not dataclasses.MISSING}
    found = []
    for name, value in kw.items():
        if name not in defaults or value == defaults[name] or not isinstance(value, (int, float)):
            continue
        try:
            cls(**{**kw, name: defaults[name]})
        except (ValueError, TypeError):
            continue
        found.append((name, value))
    if len(found) != 1:
        return ""
    name, value = found[0]
    if "got" in message or re.search(rf"\b{name}=", message):  # 'gap=2.0: ...', '..., got 8 and 4': said there
        return ""
    return f"{flags[name]} {value:g}: " if isinstance(value, float) else f"{flags[name]} {value}: "


def _config_overrides(a, section: str) -> dict:
    """The generated flags of ``section`` the user set: ``{field: value}``."""
    prefix = f"{section}__"
    return {k[len(prefix):]: v for k, v in vars(a).items() if k.startswith(prefix) and v is not None}


def _options(a):
    from ptsfast.engine import EngineConfig
    from ptsfast.mining.types import EstimatorConfig, FilterConfig, MiningConfig, PairConfig
    from ptsfast.pipeline import MineOptions

    given = dict(batch_size=a.batch_rollouts, max_rollouts=a.max_rollouts, key_max_rollouts=a.key_max_rollouts,
                 accept_confidence=a.accept_confidence, confirm_rollouts=a.confirm)
    estimator = {**{k: v for k, v in given.items() if v is not None}, **_config_overrides(a, "estimator")}
    mining = _config("mining", MiningConfig, gap=a.gap, split=a.split,
                     estimator=_config("estimator", EstimatorConfig, **estimator),
                     filter=_config("filter", FilterConfig, enabled=not a.no_filter,
                                    **{k: v for k, v in (("p_min", a.p_min), ("p_max", a.p_max)) if v is not None},
                                    **_config_overrides(a, "filter")),
                     pairs=_config("pairs", PairConfig, **_config_overrides(a, "pairs")))
    return MineOptions(oracle=a.oracle, oracle_timeout=a.oracle_timeout, trajectories_per_problem=a.trajectories,
                       problems_per_batch=a.problems_per_batch, max_new_tokens=a.max_new_tokens,
                       temperature=a.temperature, top_k=a.top_k, top_p=a.top_p, min_p=a.min_p, seed=a.seed,
                       system_prompt=a.system_prompt, chat_template=getattr(a, "chat_template", None),
                       use_chat_template=not getattr(a, "no_chat_template", False), mining=mining,
                       engine=_config("engine", EngineConfig, kv_cache_gb=a.kv_cache_gb,
                                      **_config_overrides(a, "engine")),
                       unsafe_code_oracle=a.unsafe_code_oracle)


def _device_dtype(a):
    import torch

    if a.device is not None:  # 'cpux', 'cpu0' or 'cuda:' passed the prefix test, then torch raised a traceback
        try:
            kind = torch.device(str(a.device)).type
        except (RuntimeError, ValueError):
            kind = None
        if kind not in ("cpu", "cuda"):
            raise ValueError(f"--device {a.device!r}: use cpu or cuda (or cuda:N)")  # '' printed as "--device :"
    if a.device is not None and str(a.device).startswith("cuda") and not torch.cuda.is_available():
        why = "this torch build has no CUDA" if torch.version.cuda is None else "no CUDA GPU is visible"
        raise ValueError(f"--device {a.device}: {why} (torch {torch.__version__}); use --device cpu, or install a "
                         f"CUDA build of torch on a machine with a GPU")
    if a.device is not None and str(a.device).startswith("cuda:"):  # cuda:7 of one GPU failed in the model's load
        n = torch.cuda.device_count()
        if int(str(a.device)[5:]) >= n:
            raise ValueError(f"--device {a.device}: this machine has {n} CUDA GPU{'s' * (n != 1)} (cuda:0 to "
                             f"cuda:{n - 1}); use one of them, or cuda for the first")
    device = a.device or ("cuda" if torch.cuda.is_available() else "cpu")
    if a.dtype is not None:
        from ptsfast.models import torch_dtype

        try:
            torch_dtype(a.dtype)
        except ValueError as e:
            raise ValueError(f"--dtype {a.dtype!r}: {e}") from None
    dtype = a.dtype or ("bfloat16" if device.startswith("cuda") else "float32")
    # the engine's kernels: not the steering export's (the model's own forward); Ray workers run on the cluster's
    # machines, in their own environment
    if a.func in (cmd_mine, cmd_anchors, cmd_demo, cmd_bench) and getattr(a, "ray", None) is None:
        _check_backends(device)
        _check_kv_cache(a, device)
        _check_rollout_counts(a)
    _check_cache(a)
    return device, dtype


def _check_kv_cache(a, device: str) -> None:
    """``--kv-cache-gb`` within the memory ``device`` has now, before the model loads (which only takes from it):
    past it (``1e6``) the engine refused it once the model had loaded and the run's folder was made, and a value
    whose bytes overflow a float (``1e300``) ended there in 'cannot convert float NaN to integer'."""
    import math

    import torch

    from ptsfast.engine.engine import available_memory

    gb = getattr(a, "kv_cache_gb", None)
    free = available_memory(torch.device(device))
    if free is None:
        return
    if gb is not None and getattr(a, "engine__num_blocks", None) is None and (not math.isfinite(gb * 1e9)
                                                                              or gb * 1e9 > free):
        raise ValueError(f"--kv-cache-gb {gb:g}: more than the {free / 1e9:.3g} GB of memory available on {device} "
                         f"(before the model loads); lower it, or leave it out for the default (2 GB on a CPU, at "
                         f"most half the memory left; 60% of free GPU memory)")
    import functools

    # the model's KV bytes a token, read from its config at most once, by the first check that needs them
    per_token = functools.cache(lambda: _kv_bytes_per_token(a, device))
    if getattr(a, "engine__num_blocks", None) is not None or getattr(a, "engine__block_size", None) is not None:
        _check_pool(a, device, free, per_token)
    _check_trajectories(a, device, free, per_token)
    _check_pool_holds_a_problem(a, device, free, per_token)


_ROLLOUT_BYTES = 100
"""Bytes a finished rollout's result takes at least (its entry, its object, a token's tuple: about 104 measured)."""


_FIRST_BATCHES = (("estimator", "batch_size"), ("estimator", "confirm_rollouts"), ("estimator",
                                                                                  "confirm_report_rollouts"),
                  ("estimator", "fixed_rollouts"), ("pairs", "fresh_rollouts"), ("pairs", "min_count"))
"""The rollout counts asked of the engine in one request as they are (a search's, a confirmation's, its report's, a
pair's first batch, the forced rollouts that bring an alternative up to ``min_count``); the caps (``--max-rollouts``)
are reached by batches that grow with the rollouts run."""


def _check_rollout_counts(a) -> None:
    """Rollout counts asked in one engine request (``--confirm``, ``--batch-rollouts``, the confirmation's report
    batch, a pair's first batch) whose results cannot be held in this machine's memory (``--confirm
    1000000000000``): the run loaded the model and mined until a pivot was confirmed, then hung building that
    request. Only a sure refusal: a result is counted at its least, in the host's memory (where results are kept,
    whatever the device)."""
    import torch

    from ptsfast.engine.engine import available_memory

    if a.func is cmd_anchors:
        counts = [("--batch-rollouts", a.batch_rollouts)]
    elif a.func in (cmd_mine, cmd_demo):
        mining = _options(a).mining
        counts = [(_NAMED.get((section, name)) or _flag(section, name), getattr(getattr(mining, section), name))
                  for section, name in _FIRST_BATCHES]
    else:
        return
    free = available_memory(torch.device("cpu"))
    for flag, n in counts:
        if free is not None and isinstance(n, int) and n * _ROLLOUT_BYTES > free:
            raise ValueError(f"{flag} {n}: one engine request of {n} rollouts holds their results at once, "
                             f"{n * _ROLLOUT_BYTES / 1e9:.3g} GB at least, more than the {free / 1e9:.3g} GB of "
                             f"memory available here; lower it - a few hundred rollouts decide a probability to "
                             f"within a few hundredths")


def _check_pool(a, device: str, free: float, kv_bytes) -> None:
    """The KV pool of ``--engine-num-blocks`` blocks, or of ``--engine-block-size`` (the pool holds one block at
    least), within the memory ``device`` has now, read from the model's config before it loads: past it (``1e11``
    blocks, blocks of ``1e9`` tokens) the engine refused it only once the model had loaded and the run's folder was
    made. The size is the engine's (layers x 2 x block size x KV heads x head size x the dtype's bytes); a model
    whose config cannot be read here is left to the engine. ``kv_bytes()``: :func:`_kv_bytes_per_token`'s."""
    from ptsfast.engine import EngineConfig

    per_token = kv_bytes()
    if per_token is None:
        return
    block_size = getattr(a, "engine__block_size", None) or EngineConfig.block_size
    block = per_token * block_size
    if a.engine__num_blocks is not None:
        need = a.engine__num_blocks * block
        if need > free:
            raise ValueError(f"--engine-num-blocks / EngineConfig.num_blocks={a.engine__num_blocks}: a KV cache of "
                             f"that many blocks of {block_size} tokens takes {need / 1e9:.3g} GB for this model, more "
                             f"than the {free / 1e9:.3g} GB of memory available on {device} (before the model loads); "
                             f"lower it, or leave it out for the default (2 GB on a CPU, at most half the memory left; "
                             f"60% of free GPU memory)")
    elif block > free:
        raise ValueError(f"--engine-block-size {block_size}: one block of that many tokens takes {block / 1e9:.3g} GB "
                         f"of KV cache for this model, more than the {free / 1e9:.3g} GB of memory available on "
                         f"{device} (before the model loads); lower it (default {EngineConfig.block_size})")


def _config_source(a):
    """Where the config of the model a command loads is read before it loads: the demo's converted folder (None
    before its first run converts it), a folder, or a name in the Hugging Face cache (read from there, never
    downloaded)."""
    from ptsfast.demo import is_demo_model

    model = getattr(a, "model", None)
    if a.func is cmd_demo or is_demo_model(model or ""):
        from ptsfast.models import ModelLoadError, demo_model_dir

        try:
            return demo_model_dir(convert=False)
        except ModelLoadError:
            return None
    folder = Path(str(model)).expanduser()
    return folder if folder.is_dir() else str(model)


def _kv_bytes_per_token(a, device: str) -> int | None:
    """The bytes of KV cache a token takes for the model, read from its config before it loads (the engine's
    size: layers x 2 x KV heads x head size x the dtype's bytes); None for a model whose config cannot be read here
    (its load says why)."""
    from ptsfast.models import torch_dtype

    folder = _config_source(a)
    if folder is None:  # the demo's, not converted yet
        return None
    try:
        from transformers import AutoConfig

        from ptsfast.engine.hf_adapter import KVGeometry

        config = AutoConfig.from_pretrained(str(folder), local_files_only=True)
        g = KVGeometry.of(config.get_text_config() if hasattr(config, "get_text_config") else config)
    except Exception:  # noqa: BLE001 - a folder transformers cannot read
        return None
    dtype = torch_dtype(a.dtype or ("bfloat16" if device.startswith("cuda") else "float32"))
    size = 2 if dtype == "auto" else dtype.itemsize  # a checkpoint's own dtype: at least two bytes
    return g.token_bytes(size)


def _check_trajectories(a, device: str, free: float, kv_bytes) -> None:
    """``--trajectories`` whose solutions (each ``--max-new-tokens`` long at most, all held at once in the KV cache)
    need more KV cache than the machine has (``100000000``): every problem was skipped as 'too large for the KV
    cache', only once the model had loaded and the run's folder was made. Only a sure refusal: the prompt and the
    rollouts' room are left to the engine. ``kv_bytes()``: :func:`_kv_bytes_per_token`'s."""
    n, tokens = getattr(a, "trajectories", None), getattr(a, "max_new_tokens", None)
    if getattr(a, "solution_field", None) or not isinstance(n, int) or not isinstance(tokens, int) or n < 2:
        return
    per_token = kv_bytes()
    if per_token is None:
        return
    need = n * tokens * per_token
    if need > free:
        raise ValueError(f"--trajectories {n}: {n} solutions of up to {tokens} tokens (--max-new-tokens) take "
                         f"{need / 1e9:.3g} GB of KV cache for this model at once, more than the {free / 1e9:.3g} GB "
                         f"of memory available on {device}; lower --trajectories or --max-new-tokens")


def _check_pool_holds_a_problem(a, device: str, free: float, kv_bytes) -> None:
    """A KV pool too small for any problem (mine, anchors): each registers its prompt (a block at least) and keeps
    room for its solutions (``--trajectories`` of a 2-token prompt and up to ``--max-new-tokens`` each, as far as the
    model's context lets a solution run) and, for mine, a rollout, plus a boundary copy's block; below that every
    problem was skipped as too large for the KV cache, once the model had loaded. The pool is the one
    ``--kv-cache-gb`` or ``--engine-num-blocks`` gives (``--kv-cache-gb 1e-9``: one block), or the default's most
    (``free`` now: the model's load only takes from it; ``--trajectories 1000000`` past a CPU's 2 GB). Only a sure
    refusal: a dtype read as 2 bytes at least sizes the pool as large as it can be. ``kv_bytes()``: as
    :func:`_check_pool`'s."""
    import math

    from ptsfast.engine import EngineConfig
    from ptsfast.engine.engine import default_kv_bytes
    from ptsfast.pipeline.loop import model_context
    from ptsfast.problems.loading import MIN_PROMPT_TOKENS

    gb, blocks = getattr(a, "kv_cache_gb", None), getattr(a, "engine__num_blocks", None)
    n, tokens = getattr(a, "trajectories", None), getattr(a, "max_new_tokens", None)
    # a block size given: its pool's few blocks are the engine's to name, with the block size as the way out
    if a.func not in (cmd_mine, cmd_demo, cmd_anchors) or getattr(a, "solution_field", None) or \
            not isinstance(n, int) or not isinstance(tokens, int) or \
            getattr(a, "engine__block_size", None) is not None:
        return
    per_token = kv_bytes()
    if per_token is None:
        return
    block_size = EngineConfig.block_size
    default = gb is None and blocks is None
    if blocks is None:
        budget = default_kv_bytes(device.startswith("cuda"), free) if default else gb * 1e9
        blocks = max(1, int(budget // (per_token * block_size)))
    # what one problem of the shortest prompt keeps (the run's _start): its solutions, cut where a rollout from
    # their end still fits the context, and for mine a search rollout's room
    anchors = a.func is cmd_anchors
    room = tokens + 1 if anchors else _options(a).rollout_room()
    config = _config_source(a)
    context = model_context(config) if config is not None else None
    if context and room + MIN_PROMPT_TOKENS + 1 > context:  # no problem fits the context: its check names that
        return
    solution = tokens if not context else min(tokens, context - MIN_PROMPT_TOKENS - room)
    reserve = n * (MIN_PROMPT_TOKENS + solution) + (0 if anchors else room + 1)
    least = 1 + math.ceil(reserve / block_size) + 1
    if blocks < least:
        if default:
            given = f"the default KV pool ({blocks * per_token * block_size / 1e9:.3g} GB at most on {device})"
            fix = "lower --trajectories or --max-new-tokens" + (
                ", or give --kv-cache-gb up to the memory available" if least * per_token * block_size < free else "")
        else:
            given = f"--engine-num-blocks {blocks}" if gb is None or getattr(a, "engine__num_blocks", None) is not \
                None else f"--kv-cache-gb {gb:g}"
            fix = "raise it, or leave it out for the default"
        raise ValueError(f"{given}: a KV pool of {blocks} block{'s' * (blocks != 1)} of {block_size} tokens for "
                         f"this model, and a problem takes {least} at least (its prompt, its {n} solution"
                         f"{'s' * (n != 1)} of up to {solution} tokens and a rollout), so no problem fits - {fix}")


def _check_cache(a) -> None:
    """``PTSFAST_CACHE``, where the demo's model is converted once, is a folder (or can be made one) when the command
    loads that model: a file there failed with '[Errno 17] File exists' naming neither it nor the variable, after
    the conversion had run."""
    from ptsfast.demo import is_demo_model

    env = os.environ.get("PTSFAST_CACHE")
    if not (a.func is cmd_demo or is_demo_model(getattr(a, "model", None) or "")):
        return
    from ptsfast.models import ModelLoadError, cache_dir, demo_model_dir

    p = cache_dir()
    while not p.exists() and p.parent != p:  # the nearest part of it that exists must be a folder
        p = p.parent
    if env and not p.is_dir():
        raise ValueError(f"environment variable PTSFAST_CACHE={env}: {p} is a file, not a folder; the demo's model is "
                         f"converted into that folder once - point it at a folder, or unset it (~/.cache/ptsfast)")
    try:
        demo_model_dir(convert=False)
        return  # converted before: nothing is written there
    except ModelLoadError:
        pass
    try:  # a read-only cache (or home) failed once the GGUF had been read and converted, naming no variable
        import tempfile

        with tempfile.TemporaryFile(dir=p):
            pass
    except OSError as e:
        where = f"environment variable PTSFAST_CACHE={env}" if env else f"the demo's model cache {cache_dir()}"
        raise ValueError(f"{where}: cannot write in {p} ({e.strerror or e}); the demo's model is converted into it "
                         f"once - point PTSFAST_CACHE at a folder you can write") from None


_BACKEND_VAR = "PTSFAST_BACKEND"


def _check_backends(device: str) -> None:
    """``PTSFAST_BACKEND`` and ``PTSFAST_BACKEND_<KERNEL>`` name backends that the engine's kernels have and can run
    on ``device``, checked before a model loads: a wrong one failed the first prefill, once the model had loaded and
    the run's folder was made, naming no variable (a traceback where the backend could not run here)."""
    set_ = {k: v for k, v in os.environ.items() if k == _BACKEND_VAR or k.startswith(_BACKEND_VAR + "_")}
    if not set_:
        return
    import importlib

    import torch

    from ptsfast.kernels import _dispatch, cascade_attention, logprobs, paged_attention, prefill_attention, sampling

    copy_blocks = importlib.import_module("ptsfast.kernels.copy_blocks")  # the package's name is its function

    # every kernel the engine dispatches, by the name its variable takes, and how it chooses its backend
    chooser = lambda name, implemented: lambda d: _dispatch.choose_backend(name, d, implemented)  # noqa: E731
    kernels = {"prefill_attention": chooser("prefill_attention", prefill_attention.IMPLEMENTED),
               "paged_decode_attention": paged_attention.paged_decode_backend,
               "cascade_decode_attention": cascade_attention.cascade_backend,
               "merge_state": chooser("merge_state", cascade_attention.IMPLEMENTED),
               "copy_blocks": chooser("copy_blocks", copy_blocks.IMPLEMENTED),
               "fused_logprobs": chooser("fused_logprobs", logprobs.IMPLEMENTED),
               "sample": chooser("sample", sampling.IMPLEMENTED)}
    names = {f"{_BACKEND_VAR}_{k.upper()}": k for k in kernels}
    for var in sorted(set_):
        if var != _BACKEND_VAR and var not in names:
            raise ValueError(f"environment variable {var}: no kernel is named {var[len(_BACKEND_VAR) + 1:]!r} - "
                             f"unset it (kernels: {', '.join(sorted(names))})")
    for var, value in sorted(set_.items()):
        if value and value != "auto" and value not in _dispatch.BACKENDS:
            raise ValueError(f"environment variable {var}={value}: no such backend - use one of "
                             f"{', '.join(_dispatch.BACKENDS)} or auto, or unset it")
    for kernel, choose in kernels.items():
        var = next((v for v in (f"{_BACKEND_VAR}_{kernel.upper()}", _BACKEND_VAR) if os.environ.get(v)), None)
        if var is None:
            continue
        try:
            choose(torch.device(device))
        except (ValueError, RuntimeError) as e:
            value = os.environ[var]
            why = str(e).split("; unset")[0].split(": ", 1)[-1]  # the kernel's own reason, without its advice
            fix = f"; unset it, or set the kernels' one by one ({_BACKEND_VAR}_<KERNEL>)" if var == _BACKEND_VAR else \
                "; unset it or choose another"
            raise ValueError(f"environment variable {var}={value}: the {kernel} kernel on {device}: {why}{fix}") \
                from None


def _check_given(a, flags) -> None:
    """Each ``(flag, what)`` given is not empty: an empty path would be the current folder."""
    for flag, what in flags:
        v = getattr(a, flag, None)
        if v is not None and not str(v).strip():
            raise ValueError(f"--{flag.replace('_', '-')} is empty: give {what}")


def _check_fields(a) -> None:
    """The column flags given are not empty ('' for --id-field derives ids from content, and for --answer-field
    with --oracle code reads no answer column): an empty name was dropped without a word, or skipped every row
    with a message naming no flag; and the code oracle's columns (tests, entry point) only with that oracle."""
    from ptsfast.problems.oracles import canonical_oracle_name

    code = not callable(a.oracle) and canonical_oracle_name(a.oracle) == "code"
    given = [("question_field", "the question column"), ("solution_field", "the column of given solutions"),
             ("entry_point_field", "the column naming the function under test")]
    if not code:
        given.append(("answer_field", "the reference answer column (an empty one is for --oracle code only)"))
    _check_given(a, given)
    if getattr(a, "tests_field", None) is not None and not any(f.strip() for v in a.tests_field for f in v.split(",")):
        raise ValueError("--tests-field is empty: give the code tests column(s)")
    given = [f for f in ("tests_field", "entry_point_field") if getattr(a, f, None) is not None]
    if given and not code:  # a code dataset judged by --oracle gsm8k (the default): every solution failed, silently
        flag = "--" + given[0].replace("_", "-")
        raise ValueError(f"{flag} names what the code oracle runs, and --oracle {a.oracle} runs no tests - add "
                         f"--oracle code, or drop {flag}")


_SETTINGS_FILES = (".yaml", ".yml", ".toml", ".json", ".ini", ".cfg", ".conf")


def _check_dataset_config(a) -> None:
    """``--config cfg.yaml``: the alias of --dataset-config names a dataset's configuration (gsm8k's 'main'), and a
    settings file given there was refused as a dataset config on a local file, never saying ptsfast reads none."""
    v = getattr(a, "dataset_config", None)
    if v and str(v).lower().endswith(_SETTINGS_FILES):
        raise ValueError(f"--config / --dataset-config {v}: names a dataset's configuration (e.g. main for "
                         f"openai/gsm8k), and ptsfast reads no settings file - give the settings as flags "
                         f"(`ptsfast {a.command} --help` lists them)")


def _check_model_files(a) -> None:
    """No file of a ``--model`` or ``--embedding-model`` folder is a pipe or device: a config.json that was a fifo
    hung the command for ever where its config was first read (before the model loads, sizing the KV pool). Links to
    files (a Hugging Face cache snapshot's) are read as the files they name."""
    from ptsfast.outputs.rundir import is_stream

    for dest in ("model", "embedding_model"):
        v = getattr(a, dest, None)
        folder = Path(v).expanduser() if isinstance(v, str) and v.strip() else None
        if folder is None or not folder.is_dir():
            continue
        _check_not_a_run(folder, f"--{dest.replace('_', '-')} {v}")
        _check_not_a_cache_folder(folder, f"--{dest.replace('_', '-')} {v}")
        try:
            odd = next((p for p in sorted(folder.iterdir()) if is_stream(p)), None)
        except OSError:  # a folder that cannot be listed: its load says why
            continue
        if odd is not None:
            raise ValueError(f"--{dest.replace('_', '-')} {v}: {odd.name} in it is a pipe or device, not a file, and "
                             f"reading it would wait for ever - put the model's own file there (or pass another "
                             f"folder)")


def _check_not_a_cache_folder(folder: Path, given: str) -> None:
    """A model flag given the Hugging Face cache's folder of a model (``hub/models--org--name``, or its ``snapshots``)
    instead of the model: its load failed saying the folder 'should have a model_type key in its config.json' and to
    re-save the model with save_pretrained(), of a model that was whole in the cache."""
    if (folder / "config.json").exists():
        return
    repo = folder.parent if folder.name == "snapshots" else folder
    if not repo.name.startswith("models--") or not (repo / "snapshots").is_dir():
        return
    name = repo.name[len("models--"):].replace("--", "/")
    try:
        ref = (repo / "refs" / "main").read_text(encoding="utf-8").strip() if (repo / "refs" / "main").is_file() else ""
        snapshots = sorted(p for p in (repo / "snapshots").iterdir() if (p / "config.json").exists())
    except (OSError, ValueError):  # a cache it cannot read: its load says why
        ref, snapshots = "", []
    current = repo / "snapshots" / ref if ref and (repo / "snapshots" / ref / "config.json").exists() else None
    snapshot = current or (snapshots[-1] if len(snapshots) == 1 else None)
    if snapshot is not None:
        folders = f"its snapshot folder {snapshot}"
    else:
        folders = f"the folder of one of its snapshots (in {repo / 'snapshots'})" if snapshots else "a model folder"
    from ptsfast.pipeline.identity import cached_folder

    by_name = cached_folder(name)  # the name finds this cache (the one HF_HUB_CACHE names), not another one
    named = f"{given.split()[0]} {name}, or " if by_name is not None and by_name.parent.parent == repo else ""
    raise ValueError(f"{given}: is the Hugging Face cache's folder of the model {name}, not a model folder - give "
                     f"{named}{folders}")


def _check_not_a_run(folder: Path, given: str) -> None:
    """A model flag given a ptsfast run folder (``--model`` and ``--out`` swapped, or the run's folder where its model's
    was meant): the load failed in transformers' words, 'Unrecognized model in run. Should have a `model_type` key in
    its config.json', of a folder that holds no config.json, naming neither the mix-up nor the model to give."""
    from ptsfast.outputs.rundir import RUN

    info = folder / RUN
    if (folder / "config.json").exists() or not info.is_file():  # a regular file: no pipe is read
        return
    try:
        model = json.loads(info.read_text(encoding="utf-8")).get("inputs", {}).get("model_path")
    except (OSError, ValueError, AttributeError):
        model = None
    mined = f" (its run was mined with {model})" if isinstance(model, str) and model else ""
    raise ValueError(f"{given}: is a ptsfast run folder (it holds {RUN} and no config.json), not a model{mined} - "
                     f"give the folder of the model itself")


def _check_no_stream_inside(problems) -> None:
    """No file of a ``--problems`` folder (a datasets folder, a dataset repository's) is a pipe or device
    (:func:`~ptsfast.problems.loading.refuse_streams`), checked before the model loads."""
    folder = Path(problems).expanduser() if isinstance(problems, str) and problems.strip() else None
    if folder is None or not folder.is_dir():
        return
    from ptsfast.problems.loading import refuse_streams

    refuse_streams(folder, f"--problems {problems}")


def _check_paths(a) -> None:
    """``--problems``, ``--model`` and ``--out`` not empty, and ``--out`` a folder this process can create or write,
    where the run writes over neither input (checked by real path, leaving nothing behind)."""
    _check_given(a, (("problems", "a file, folder or dataset name"), ("model", "a model folder"),
                     ("out", "the run's folder")))
    _check_fields(a)
    _check_dataset_config(a)
    if getattr(a, "problems", None) == "-" and not os.path.lexists("-"):
        raise ValueError("--problems -: problems are not read from standard input (a resume reads them again) - save "
                         "them to a file and pass its path")
    from ptsfast.outputs.rundir import check_no_link_loop, is_stream

    # a loop of links was "not a file or folder, nor a cached dataset", or a model the Hub could not be reached for
    for flag in ("problems", "model"):
        if getattr(a, flag, None):
            check_no_link_loop(getattr(a, flag), f"--{flag.replace('_', '-')}")
    problems = getattr(a, "problems", None)
    if problems and is_stream(Path(problems).expanduser()):  # `<(cmd)` or a fifo: read as an unknown format
        raise ValueError(f"--problems {problems}: a pipe or device, not a file (a resume reads the problems again) - "
                         f"save them to a file and pass its path")
    _check_no_stream_inside(problems)
    out = getattr(a, "out", None)
    if out is None:
        return
    if out == "-":  # export's standard output; here it made a folder named '-'
        raise ValueError("--out -: a run is a folder of several files, not a stream - give a folder path (`ptsfast "
                         "export --out -` streams a run's records)")
    from ptsfast.outputs.rundir import (ANCHOR_FILES, DATA_FILES, check_inputs_apart, check_name_lengths,
                                        check_no_foreign_files, check_out_outside_data, check_run_files,
                                        check_unlocked, check_writable)

    check_name_lengths(out)  # before any look at it: a name that long fails them all
    check_no_link_loop(out, "--out")
    _check_no_broken_link_above(out)
    _check_new_names(out)
    _check_not_a_file_name(out, a.func is cmd_anchors)
    check_inputs_apart(out, [getattr(a, "problems", None), getattr(a, "model", None)])
    _check_not_a_run_file(out, getattr(a, "problems", None))
    check_out_outside_data(out, getattr(a, "problems", None))
    p = Path(out).expanduser()
    if p.exists() and not p.is_dir():  # /dev/null or a fifo was called a file
        what = "a file" if p.is_file() else "a device, pipe or socket"
        raise ValueError(f"--out {out}: is {what}, not a folder; a run is a folder of several files - pass a folder "
                         f"path")
    try:
        check_writable(out, "--out", folder=True)
    except ValueError as e:
        _unwritable_run(a, out, p, e)
        raise
    check_run_files(out, ANCHOR_FILES if a.func is cmd_anchors else DATA_FILES, a.overwrite)
    check_unlocked(out)  # another run mining into it: said before the model loads, not once it has
    check_no_foreign_files(out, ANCHOR_FILES if a.func is cmd_anchors else DATA_FILES)


def _unwritable_run(a, out: str, p: Path, exc: ValueError) -> None:
    """A run to resume in a folder that cannot be written (a read-only file system, a snapshot, an archive mounted
    as it is): 'pass a path you can write to' started the run over there, its finished problems left behind. The
    way out that keeps them is said instead."""
    cause = exc.__cause__
    if not isinstance(cause, OSError) or a.overwrite or not os.path.lexists(p / "run.json"):
        return
    raise ValueError(f"--out {out}: cannot write in it ({cause.strerror or cause}); the run there keeps its finished "
                     f"problems - make the folder writable (remount its disk read-write, or fix its permissions) and "
                     f"rerun {_rerun(a)} to resume, or copy the folder to a disk you can write to and rerun with "
                     f"--out set to the copy") from cause


def _check_not_a_run_file(out: str, problems) -> None:
    """``--problems`` is none of the run's own files by another name than a link (a hard link, a bind mount, a copy
    made with ``cp -al``): the real paths differ, so it passed as an input apart, and the run wrote over the file it
    was reading its problems from. Compared by device and inode, as the file system knows a file."""
    from ptsfast.outputs.rundir import RUN_FILES

    given = Path(problems).expanduser() if isinstance(problems, str) and problems.strip() else None
    try:
        if given is None or not given.is_file():
            return
        mine = os.stat(given)
    except OSError:  # its load says why
        return
    for name in RUN_FILES:
        try:
            theirs = os.stat(Path(out).expanduser() / name)
        except OSError:
            continue
        if (theirs.st_dev, theirs.st_ino) == (mine.st_dev, mine.st_ino):
            raise ValueError(f"--problems {problems}: is the file {Path(out) / name} of the run in --out (a hard link "
                             f"or another mount of it), which the run writes; the run would write over its own "
                             f"input - copy the problems elsewhere (cp, not cp -l) and pass that, or choose another "
                             f"--out")


def _check_new_names(out: str) -> None:
    """The folders ``--out`` makes have no name starting or ending with a space: 'run ' (a space pasted with it) was
    made beside 'run', and the resume typed as --out run started the run over there. A folder that exists is used
    as it is named. Nor one with a control character in it, for the same reason."""
    parts = list(Path(out).parts)
    p = Path(out).expanduser()
    new = [q for q in (p, *p.parents) if not os.path.lexists(q)]
    control = next((q.name for q in new if any(unicodedata.category(c) == "Cc" for c in q.name.strip())), None)
    if control is not None:  # 'run\nx' (a two-line paste, a variable holding a newline) was made and mined into
        raise ValueError(f"--out {out!r}: the new folder {control!r} has a control character (a newline, a tab) in "
                         f"its name, which no one types again to resume; give --out a one-line name")
    odd = next((q.name for q in new if q.name != q.name.strip()), None)
    if odd is None:
        return
    for i in range(len(parts) - len(new), len(parts)):
        parts[i] = parts[i].strip()
    raise ValueError(f"--out {out!r}: the new folder {odd!r} {'starts' if odd[0].isspace() else 'ends'} with a space "
                     f"(pasted with it?), a name no one types again to resume; give --out {str(Path(*parts))!r}")


_FILE_SUFFIXES = (".jsonl", ".json", ".parquet", ".csv", ".arrow", ".html", ".png", ".txt")


def _check_not_a_file_name(out: str, anchors: bool = False) -> None:
    """A new ``--out`` is not named as a data file (``--out pairs.jsonl``, as codelion/pts' --output takes one):
    the run made a folder of that name, and the file the user meant to train on was pairs.jsonl/pairs.jsonl, beside
    its run.json. A folder that exists is used as it is named."""
    p = Path(out).expanduser()
    if os.path.lexists(p) or p.suffix.lower() not in _FILE_SUFFIXES or out.endswith(os.sep):  # 'x.jsonl/': a folder
        return
    folder = p.with_suffix("")
    export = f"`ptsfast export --run {folder} --out {out}" + (" --format thought_anchors` then writes its anchors"
                                                             if anchors else "` then writes its DPO pairs")
    raise ValueError(f"--out {out}: names a file, but a run is a folder of several (run.json, its records, a "
                     f"summary) - give a folder, such as --out {folder}; {export} as one file")


def _check_dropped(a) -> None:
    """Flags that would be dropped without a word: the filter's with --no-filter, --trajectories with given
    solutions (each problem's one trajectory), --kv-cache-gb with --engine-num-blocks (which sizes the pool; a
    problem too large for it was told to raise --kv-cache-gb, which changed nothing)."""
    if getattr(a, "engine__num_blocks", None) is not None and a.kv_cache_gb is not None:
        raise ValueError(f"--kv-cache-gb {a.kv_cache_gb:g} and --engine-num-blocks {a.engine__num_blocks} both size "
                         f"the KV cache, and the block count wins; drop one of them")
    if getattr(a, "no_filter", False):
        filter_flags = ("p_min", "p_max", "filter__confidence", "filter__max_rollouts")
        given = [f for f in filter_flags if getattr(a, f) is not None]
        if given:
            flag = "--" + given[0].replace("__", "-").replace("_", "-")
            raise ValueError(f"{flag} sets the problem filter, which --no-filter turns off; drop one of them")
    if getattr(a, "confirm", None) == 0:  # no confirmation: its cap, report batch, margin and confidence unused
        from ptsfast.demo import DEMO_CONFIRM_MAX_ROLLOUTS

        set_ = {"estimator__confirm_max_rollouts": DEMO_CONFIRM_MAX_ROLLOUTS} if a.func is cmd_demo else {}
        given = [f for f in ("estimator__confirm_max_rollouts", "estimator__confirm_report_rollouts",
                             "estimator__confirm_margin", "estimator__confirm_confidence",
                             "estimator__confirm_pooled_confidence")
                 if getattr(a, f, None) is not None and getattr(a, f) != set_.get(f)]  # not the demo's own
        if given:
            flag = "--" + given[0].replace("__", "-").replace("_", "-")
            raise ValueError(f"{flag} sets the confirmation of pivots, which --confirm 0 turns off; drop one of them")
    if getattr(a, "solution_field", None) and a.trajectories != 1:
        raise ValueError(f"--trajectories {a.trajectories} samples solutions; with --solution-field each problem's "
                         f"given solution is its one trajectory - drop one of them")


def _validate(a):
    """Every mining flag checked before a model loads or anything is written: ``MineOptions`` (raises one line
    naming the flag), ``--device`` and ``--out``."""
    options = _options(a)
    # the demo's --limit 0 means all its problems (as its help says); elsewhere a limit is a count
    limit_lo = 0 if getattr(a, "func", None) is cmd_demo else 1
    for flag, lo in (("limit", limit_lo), ("workers", 1), ("cpus_per_worker", 1), ("gpus_per_worker", 0)):
        v = getattr(a, flag, None)
        if v is not None and v < lo:
            raise ValueError(f"--{flag.replace('_', '-')} {v}: use a number >= {lo}")
    _check_dropped(a)
    _check_model_files(a)  # before _device_dtype reads the model's config
    if getattr(a, "ray", None) is None:  # the Ray flags would be dropped without a word
        given = [f for f, default in (("workers", 1), ("gpus_per_worker", None), ("cpus_per_worker", 1))
                 if getattr(a, f, default) != default]
        if given:
            raise ValueError(f"--{given[0].replace('_', '-')} applies to Ray workers; add --ray (or drop it)")
    elif getattr(a, "device", None) == "cpu" and (getattr(a, "gpus_per_worker", None) or 0) > 0:
        raise ValueError(f"--gpus-per-worker {a.gpus_per_worker} with --device cpu: workers on the CPU use no GPU - "
                         f"drop one of them")  # the GPUs were set to 0 without a word
    _device_dtype(a)
    _check_paths(a)
    if getattr(a, "ray", None) is not None:
        if not str(a.ray).strip():  # `--ray $ADDRESS` of an unset variable: Ray said only 'Invalid address format: '
            raise ValueError(f"--ray {a.ray!r}: no cluster address - give auto, local or the cluster's HOST:6379 (or "
                             f"--ray alone for auto)")
        _check_ray_model(a)
        _check_local_cluster(a)
    return options


def _check_local_cluster(a) -> None:
    """``--ray local`` starts a cluster of this machine alone: a worker asking for more GPUs or CPUs than it has
    waited for them for ever (Ray's autoscaler said no node could fulfil the request; the run never started)."""
    if a.ray != "local":
        return
    import torch

    gpus = torch.cuda.device_count() if torch.cuda.is_available() else 0
    if a.device != "cpu" and (a.gpus_per_worker or 0) > gpus:
        raise ValueError(f"--gpus-per-worker {a.gpus_per_worker:g} with --ray local: this machine has {gpus} GPU"
                         f"{'s' * (gpus != 1)}, and a worker that asks for more waits for ever - lower it (0 runs "
                         f"the workers on the CPU), or join a cluster that has them (--ray HOST:6379)")
    cpus = os.cpu_count() or 1
    if a.cpus_per_worker > cpus:
        raise ValueError(f"--cpus-per-worker {a.cpus_per_worker} with --ray local: this machine has {cpus} CPUs, and "
                         f"a worker that asks for more waits for ever - lower it, or join a cluster that has them "
                         f"(--ray HOST:6379)")


def _check_ray_model(a) -> None:
    """``--model`` with ``--ray`` is a folder here or the demo's model: every worker loads it from the same local
    path, and a cluster is joined from one of its machines (but by a ``ray://`` client). A missing folder started
    Ray and made the run's folder before each worker failed on it, with a traceback per worker."""
    from ptsfast.demo import is_demo_model

    if is_demo_model(a.model) or str(a.ray).startswith("ray://"):
        return
    p = Path(a.model).expanduser()
    if not p.is_dir():
        what = "is a file, not a folder" if p.exists() else "is no folder here"
        raise ValueError(f"--model {a.model}: the model path {what}; with --ray every worker loads the model from a "
                         f"local folder at the same path on every node (a name in the Hugging Face cache is not looked "
                         f"up) - pass the model's folder")


def _print_summary(summary: dict) -> None:
    """The run's summary, said once its work is done: the ending signals are ignored from before its first line, so a
    job scheduler that ends the job on reading it (a SIGTERM) does not fail a complete run (see
    :func:`_ignore_while_exiting`; with unbuffered output the line reached it before the command returned)."""
    _ignore_while_exiting(_TAKEN)
    keys = ("problems", "kept", "pivots", "pairs", "trajectories", "sentences", "anchors", "rollouts", "tokens",
            "oracle_errors", "problems_skipped", "problems_failed", "problems_already_done", "workers", "wall_seconds",
            "rollouts_per_s", "out_dir")
    width = max(map(len, keys))
    print("\nptsfast summary")
    for k in keys:
        if k in summary:
            v = summary[k]
            print(f"  {k:<{width}}  {v:.1f}" if isinstance(v, float) else f"  {k:<{width}}  {v}")
            if k == "problems_skipped" and summary.get("skipped_by_reason"):  # each skip is in summary.json
                for reason, n in summary["skipped_by_reason"].items():
                    print(f"    {reason:<{width - 2}}  {n}")


def _dataset_id(a) -> str:
    """``--problems`` as run.json and each record name it: a local file or folder by its resolved path, as the model
    is (records mined from ``p.jsonl``, then resumed from another folder as ``../w/p.jsonl``, named two datasets);
    a hub id as given."""
    p = Path(a.problems).expanduser()
    return str(p.resolve()) if os.path.exists(p) else str(a.problems)


def _run_on_model(a, loaded, run, options) -> int:
    """Loads ``--model`` and runs ``run`` (``mine`` or ``find_anchors``) on the loaded problems; prints the summary."""
    from ptsfast.models import load_model

    device, dtype = _device_dtype(a)
    # AnchorOptions holds the MineOptions as .run
    _check_chat_template(a, getattr(options, "run", options), loaded.problems)
    _check_resume(a, options, loaded.problems, _loaded_dtype(a, dtype))
    model, tokenizer = load_model(a.model, dtype=dtype, device=device)
    import inspect

    # a run that records the rows skipped while loading (in summary.json) gets them; otherwise they are counted
    records_skips = "skipped" in inspect.signature(run).parameters
    summary = run(model, tokenizer, loaded.problems, a.out, options, model_name=str(a.model), overwrite=a.overwrite,
                  progress=not a.quiet, dataset_id=_dataset_id(a),
                  **({"skipped": loaded.skipped} if records_skips else {}))
    if not records_skips:
        summary["problems_skipped"] += len(loaded.skipped)
    _print_summary(summary)
    return _nothing_mined(summary, a)


def _loaded_dtype(a, dtype: str) -> str | None:
    """The dtype a run records of the model folder ``--model`` loaded in ``dtype`` (as its parameters name it), or
    None where that is not known before it loads: the checkpoint's own (``auto``), a quantized one's."""
    from ptsfast.models import torch_dtype

    loaded = torch_dtype(dtype)
    config = Path(str(a.model)).expanduser() / "config.json"
    try:
        quantized = "quantization_config" in json.loads(config.read_text(encoding="utf-8"))
    except (OSError, ValueError, TypeError):
        return None
    return None if loaded == "auto" or quantized else str(loaded).replace("torch.", "")


def _check_resume(a, options, problems, dtype: str | None = None) -> None:
    """A resume's settings, its records and its ``problems``' contents against the finished run in ``--out``,
    before the model loads: a new ``--seed``, or a question edited under its id, was refused only once the model
    had loaded (the run checks them again, with the model's fingerprint); ``dtype``, the model's once loaded."""
    from ptsfast.demo import is_demo_model
    from ptsfast.outputs.rundir import ANCHOR_FILES
    from ptsfast.pipeline.run import check_resume_settings

    folder = not is_demo_model(a.model)  # "demo" is the demo's model, not a folder of that name here
    if folder and not Path(a.model).expanduser().is_dir():
        if str(a.model).startswith(("/", ".", "~")):
            return  # a missing folder: its load names what is wrong before settings do
        # a name in the Hugging Face cache (org/name): its settings still refused only once it had loaded
        folder = False
    if hasattr(options, "anchors"):
        from ptsfast.pipeline.anchors import anchor_mode

        check_resume_settings(a.out, options.run, str(a.model), mode=anchor_mode(options), overwrite=a.overwrite,
                              folder=folder, problems=problems, data_files=ANCHOR_FILES, dtype=dtype)
    else:
        check_resume_settings(a.out, options, str(a.model), overwrite=a.overwrite, folder=folder, problems=problems,
                              dtype=dtype)


def _check_chat_template(a, options, problems=()) -> None:
    """The tokenizer has the chat template the prompts need, read before the model loads (a tokenizer is read in a
    second): a base model's tokenizer without one was refused once the model had loaded, minutes for a large one.
    A folder the tokenizer cannot be read from is left to the model's load, which names what is wrong with it.
    The first ``problems``' prompts are made with it too: a template that fails on every one (Gemma's refuses a
    --system-prompt) skipped each problem in turn, once the model had loaded."""
    from ptsfast.demo import is_demo_model

    if not options.use_chat_template or is_demo_model(a.model):
        return
    from ptsfast.models import load_tokenizer
    from ptsfast.problems.loading import chat_template_of

    try:
        tokenizer = load_tokenizer(a.model)
    except Exception:  # noqa: BLE001 - said by the model's own load, with the fix
        return
    if not options.chat_template:
        chat_template_of(tokenizer, None)
    _check_prompts(tokenizer, options, problems)


_PROMPTS_TRIED = 32
"""Problems whose prompts are made before the model loads: where the template fails on all of them, it is refused."""


def _check_prompts(tokenizer, options, problems) -> None:
    """Refuses a chat template that fails on every one of the first problems' prompts (a template failing on some
    problems only skips those, as the run does)."""
    from ptsfast.pipeline.run import prepare_problems

    first = list(problems[:_PROMPTS_TRIED])
    if not first:
        return
    prepared, skipped = prepare_problems(first, tokenizer, options)
    failed = [s for s in skipped if s.reason == "encoding failed"]
    if not prepared and len(failed) == len(first):
        which = "every problem's prompt" if len(first) == len(problems) else \
            f"the prompts of all the first {len(first)} problems"
        raise ValueError(f"the chat template failed on {which}, so every problem would be skipped; e.g. {failed[0]}")


def _nothing_mined(summary: dict, a=None) -> int:
    """1 (with one line naming why) when this invocation met problems and skipped every one of them (a KV cache
    or a context too small for all; solutions the model ended at once, which sampled trajectories but searched none,
    so no rollout ran; prompts the chat template failed on): a script must not read such a run as done; else 0."""
    searched_none = summary.get("trajectories") == 0 or (summary.get("kept") == 0 and summary.get("rollouts") == 0)
    # problems skipped before any sampling (a chat template that fails on each) are not counted in "problems": none
    # met and none done before is such a run, not the resume of a finished one
    met = summary.get("problems") or not summary.get("problems_already_done")
    if not met or not searched_none or not summary.get("problems_skipped"):
        return 0
    by_reason = summary.get("skipped_by_reason", {})
    reasons = ", ".join(f"{n} {r}" for r, n in by_reason.items())
    pool = "--engine-num-blocks" if getattr(a, "engine__num_blocks", None) is not None else "--kv-cache-gb"
    # each reason's own way out: problems all too long for the context were told to raise the KV cache
    fixes = {"too large for the KV cache": f"raise {pool} or lower --max-new-tokens",
             "too long for the context": "shorten the problems (or their solutions), lower --max-new-tokens or use a "
                                         "model with a longer context",
             "encoding failed": "give a chat template that takes them (--chat-template) or --no-chat-template"}
    advice = ("; ".join(fixes[r] for r in by_reason) if by_reason and all(r in fixes for r in by_reason) else
              f"e.g. raise {pool}, lower --max-new-tokens, or give another chat template (--chat-template)")
    print(f"ptsfast: every problem was skipped ({reasons}), nothing was mined; {summary.get('out_dir', '--out')}"
          f"/summary.json says why for each ({advice})", file=sys.stderr)
    return 1


def cmd_mine(a) -> int:
    from ptsfast.pipeline import mine

    _validate(a)
    loaded = _load_problems(a)
    if loaded is None:
        return 2
    options = _options(a)
    _check_context(a, options, loaded.problems)  # before Ray starts too (its driver checked it once the cluster was up)
    if a.ray is not None:
        return _mine_ray(a, loaded)
    return _run_on_model(a, loaded, mine, options)


def _check_context(a, options, problems, room=None) -> None:
    """``--max-new-tokens`` against the model's context, read from its folder's config before the model loads (the
    run checks it again): a value whose rollouts leave no room for a prompt was refused once the model had loaded.
    ``room``: the positions a run's rollouts take after a solution for a given ``max_new_tokens`` (default:
    mine's)."""
    from dataclasses import replace

    from ptsfast.pipeline.loop import check_context, model_context

    room = room or (lambda n: replace(options, max_new_tokens=n).rollout_room())
    # the demo's model was passed over: `--max-new-tokens 9000`, past its 8192 positions, was refused once it loaded;
    # a name that is no folder nor cached has no context here, and its load says why
    model = _config_source(a)
    if model is None:
        return
    check_context(model_context(model), room, options.max_new_tokens, any(p.solution is not None for p in problems))


def field_map(a):
    """The ``FieldMap`` of the field flags; the ones not given are detected from the first row."""
    from ptsfast.problems.loading import FieldMap
    from ptsfast.problems.oracles import canonical_oracle_name

    entry = a.entry_point_field
    code = not callable(a.oracle) and canonical_oracle_name(a.oracle) == "code"
    given = (("question", a.question_field), ("answer", a.answer_field)) + \
        ((("tests", a.tests_field), ("entry_point", entry)) if code else ())  # tests matter to the code oracle only
    auto = tuple(k for k, v in given if v is None)
    tests = "tests" if a.tests_field is None else tuple(f for v in a.tests_field for f in v.split(",") if f) or None
    return FieldMap(question=a.question_field or "question",
                    answer=(a.answer_field if a.answer_field is not None else "answer") or None,
                    id=a.id_field or None, tests=tests, solution=a.solution_field, entry_point=entry or "entry_point",
                    require_answer=not code, code=code, auto_detect=auto)


def _load_problems(a):
    """The problems of ``--problems`` (None after printing why there are none); checks the code sandbox before any
    model loads, and reads ``--chat-template`` into ``a``."""
    from ptsfast.problems.loading import load_problems

    loaded = load_problems(a.problems, field_map(a), split=a.split_name, limit=a.limit, config=a.dataset_config)
    if not loaded.problems:  # said by the loader, after each row's reason
        return None
    from ptsfast.problems.oracles import SandboxUnavailable, check_oracle_runs_here

    try:  # before the model loads: the code oracle refuses to run where code cannot be isolated
        check_oracle_runs_here(a.oracle, a.unsafe_code_oracle)
    except SandboxUnavailable as e:
        print(f"ptsfast: error: {e}", file=sys.stderr)
        return None
    _check_sandbox_cgroup(a)
    return loaded


def _check_sandbox_cgroup(a) -> None:
    """``PTSFAST_SANDBOX_CGROUP``, where set, names a cgroup the code oracle's sandboxes can be put under: one it
    cannot use (a typo, a cgroup never made or not delegated) was dropped without a word, and the sandboxes ran with
    their memory all together unbounded though the user had asked for a bound. Ray's workers read their own."""
    from ptsfast.problems.oracles import canonical_oracle_name
    from ptsfast.problems.sandbox import CGROUP_ENV, memory_cgroup_status

    env = os.environ.get(CGROUP_ENV)
    code = not callable(a.oracle) and canonical_oracle_name(a.oracle) == "code"
    if not env or not code or getattr(a, "ray", None) is not None:
        return
    found, why = memory_cgroup_status()
    if found is None:
        why = why.split(f" (set {CGROUP_ENV}")[0].split(": ", 1)[-1]  # its own advice is to set the variable
        raise ValueError(f"environment variable {CGROUP_ENV}={env}: the code oracle's sandboxes cannot be put under "
                         f"it ({why}); point it at a delegated cgroup directory (one whose cgroup.subtree_control "
                         f"holds memory), or unset it to find one or run without")


def _anchor_options(a):
    """``AnchorOptions`` of ``ptsfast anchors`` (raises one line naming the flag when a value is wrong)."""
    from ptsfast.engine import EngineConfig
    from ptsfast.mining.anchors import AnchorConfig
    from ptsfast.pipeline import MineOptions
    from ptsfast.pipeline.anchors import AnchorOptions

    run = MineOptions(oracle=a.oracle, oracle_timeout=a.oracle_timeout, trajectories_per_problem=a.trajectories,
                      problems_per_batch=a.problems_per_batch, max_new_tokens=a.max_new_tokens,
                      temperature=a.temperature, top_k=a.top_k, top_p=a.top_p, min_p=a.min_p, seed=a.seed,
                      system_prompt=a.system_prompt, chat_template=getattr(a, "chat_template", None),
                      use_chat_template=not a.no_chat_template,
                      engine=_config("engine", EngineConfig, kv_cache_gb=a.kv_cache_gb),
                      unsafe_code_oracle=a.unsafe_code_oracle)
    try:
        anchors = AnchorConfig(threshold=a.threshold, batch_size=a.batch_rollouts, max_rollouts=a.max_rollouts,
                               confidence=a.confidence, similarity_threshold=a.similarity_threshold,
                               numbers_must_match=not a.any_numbers, facts_must_match=not a.any_claims)
    except ValueError as e:  # name the flag, not the field
        flags = {"threshold": "--threshold", "batch_size": "--batch-rollouts", "max_rollouts": "--max-rollouts",
                 "confidence": "--confidence", "similarity_threshold": "--similarity-threshold"}
        field_ = str(e).split(".", 1)[1].split(" ", 1)[0]
        raise ValueError(f"{flags.get(field_, field_)}: {e}") from None
    return AnchorOptions(run, anchors, embedding_model=a.embedding_model)


def cmd_anchors(a) -> int:
    from ptsfast.pipeline.anchors import find_anchors

    if a.limit is not None and a.limit < 1:
        raise ValueError(f"--limit {a.limit}: use a number >= 1")
    _anchor_options(a)
    _check_dropped(a)
    _check_model_files(a)
    _device_dtype(a)
    _check_paths(a)
    loaded = _load_problems(a)
    if loaded is None:
        return 2
    options = _anchor_options(a)
    _check_embedding_model(a)
    # anchors' rollouts from a solution's end: --max-new-tokens and the position they start from, as its run checks
    # (it was checked only once the model had loaded)
    _check_context(a, options.run, loaded.problems, room=lambda n: n + 1)
    return _run_on_model(a, loaded, find_anchors, options)


def _check_embedding_model(a) -> None:
    """``--embedding-model`` a folder an encoder loads from (its config, tokenizer and weights), read before the
    model loads: an empty folder, or a model's without its tokenizer, was refused only once the run's model had
    loaded (minutes for a large one), when the encoder was."""
    folder = getattr(a, "embedding_model", None)
    if not folder:
        return
    p = Path(folder).expanduser()
    try:
        from transformers import AutoConfig, AutoTokenizer

        AutoConfig.from_pretrained(str(p), local_files_only=True)
        AutoTokenizer.from_pretrained(str(p), local_files_only=True)
        if not any(p.glob("*.safetensors")) and not any(p.glob("*.bin")):
            raise ValueError("no weights (*.safetensors or *.bin) in it")
    except (OSError, ValueError, KeyError, TypeError) as e:
        why = str(e).splitlines()[0] if str(e) else ""
        raise ValueError(f"--embedding-model {folder}: could not be loaded as a Hugging Face encoder "
                         f"({type(e).__name__}: {why}); pass the folder of a saved encoder (its config, weights and "
                         f"tokenizer)") from None


def _mine_ray(a, loaded) -> int:
    from ptsfast.pipeline.ray import RayOptions, mine_ray

    from ptsfast.demo import DEMO_MODEL_NAME, is_demo_model

    gpus = 0 if a.device == "cpu" else a.gpus_per_worker
    # the workers load the demo's model by its one name ('demo' was read as a folder of that name)
    model = DEMO_MODEL_NAME if is_demo_model(a.model) else a.model
    _check_chat_template(a, _options(a), loaded.problems)  # before Ray starts: every worker would fail on it
    _check_resume(a, _options(a), loaded.problems)
    _check_ray_resume(a)
    ray_options = RayOptions(address=a.ray, workers=a.workers, gpus_per_worker=gpus,
                             cpus_per_worker=a.cpus_per_worker, dtype=a.dtype)
    summary = mine_ray(model, loaded.problems, a.out, _options(a), ray_options, model_name=str(a.model),
                       overwrite=a.overwrite, progress=not a.quiet, skipped=loaded.skipped, dataset_id=_dataset_id(a))
    _print_summary(summary)
    return _nothing_mined(summary, a)  # as one process: a script must not read a run that mined nothing as done


def _check_ray_resume(a) -> None:
    """A run that fingerprinted its model's weights in memory, and not the files of a snapshot it loaded from (a model
    built in Python, or one named by its cache name by an earlier ptsfast), cannot be compared with the folder Ray's
    workers load: its resume on Ray was refused as 'made from other inputs', advising --overwrite, which discards
    it. Said before Ray starts, with the way that resumes it."""
    from ptsfast.demo import is_demo_model
    from ptsfast.pipeline.run import SNAPSHOT_KEY, recorded_run

    run = {} if a.overwrite or is_demo_model(a.model) else recorded_run(a.out)  # the demo's: built, not compared
    inputs = run.get("inputs") if isinstance(run.get("inputs"), dict) else {}
    weights = inputs.get("model_weights")
    if not isinstance(weights, str) or not weights.startswith("parameters:") or SNAPSHOT_KEY in run:
        return
    was = inputs.get("model_path")
    how = f"--model {was}" if isinstance(was, str) and was else "the model it was mined with"
    raise ValueError(f"--out {a.out}: its run fingerprinted the weights of the model in memory, and a Ray run (its "
                     f"workers load --model's folder) cannot compare them - resume it without --ray, with {how} as "
                     f"it was mined, or mine into a new --out")


def cmd_demo(a) -> int:
    from ptsfast.demo import DEMO_RUN_MODEL, load_demo_problems
    from ptsfast.models import load_demo_model
    from ptsfast.pipeline import mine
    from ptsfast.outputs.report import write_report

    _validate(a)
    from ptsfast.outputs.report import check_report_outputs

    # the report it writes at the end: a page of the user's there was found once the demo had mined, minutes later
    try:
        check_report_outputs(Path(a.out).expanduser(), [Path(a.out).expanduser() / n for n in ("report.html",
                                                                                            "report.png")])
    except ValueError as e:
        raise ValueError(f"--out {a.out} (the demo ends by writing its report.html and report.png there): {e}") \
            from None
    problems = load_demo_problems()[: a.limit] if a.limit else load_demo_problems()
    _check_context(a, _options(a), problems)
    from ptsfast.pipeline.run import check_resume_settings

    # a folder of another run (another --seed, a mine run) was refused only once the demo's model had loaded
    check_resume_settings(a.out, _options(a), DEMO_RUN_MODEL, overwrite=a.overwrite, folder=False, problems=problems)
    device, dtype = _device_dtype(a)
    model, tokenizer = load_demo_model(dtype=dtype, device=device)
    summary = mine(model, tokenizer, problems, a.out, _options(a), model_name=DEMO_RUN_MODEL,
                   overwrite=a.overwrite, progress=not a.quiet)
    html, png = write_report(a.out, Path(a.out) / "report.html")
    _print_summary(summary)
    print(f"\n  pivots:  {Path(a.out) / 'pivots.jsonl'}\n  pairs:   {Path(a.out) / 'pairs.jsonl'}\n  report:  {html}")
    if png is not None:
        print(f"  plot:    {png}")
    return 0 if summary.get("pivots", 0) or summary.get("problems_already_done") else 1


def _check_no_broken_link_above(path, flag: str = "--out") -> None:
    """No folder above an output path is a link to nothing: the folder is made there (``--out LINK/run``, LINK a link
    to a folder that was removed), and every command failed with a bare '[Errno 17] File exists: LINK' (mine once
    its model had loaded): :func:`~ptsfast.outputs.rundir.check_no_broken_link_above`, before the model loads."""
    if path is None or str(path) == "-" or not str(path).strip():
        return
    from ptsfast.outputs.rundir import check_name_lengths, check_no_broken_link_above

    check_name_lengths(path, flag)  # a name too long fails any look at it
    check_no_broken_link_above(path, flag)


def _check_file_path(out, what: str, example: str) -> None:
    """``--out`` of one file does not end with a path separator: such a path names a folder, and the file would
    take the folder's name."""
    if out is not None and str(out).endswith(tuple({os.sep, os.altsep} - {None})) and not Path(out).is_dir():
        raise ValueError(f"--out {out} ends with {str(out)[-1]!r}, a folder path; {what} - give a file path such as "
                         f"{Path(out) / example}")


_WEIGHTS = ("*.safetensors", "*.bin", "*.gguf")


def _model_folder(folder: Path, run=None) -> bool:
    """``folder`` holds a model whose fingerprint a run records: the ``--run``'s own model folder, or any folder with
    a config and weights (another run's model, an ``--embedding-model``)."""
    if (folder / "config.json").is_file() and any(any(folder.glob(w)) for w in _WEIGHTS):
        return True
    base = Path(run).expanduser() if run else None
    info = (base if base.is_dir() else base.parent) / "run.json" if base else None  # a run, or one of its files
    try:
        recorded = json.loads(info.read_text(encoding="utf-8"))["inputs"]["model_path"] if info and \
            info.is_file() else None
    except (OSError, ValueError, KeyError, TypeError):
        return False
    return isinstance(recorded, str) and Path(recorded) == folder


def _check_outside_model_folder(out, flag: str = "--out", run=None) -> None:
    """An output file (an export, a report, simulate's scores) is not written into a model folder, where the folder's
    fingerprint counts it: `export --out MODEL/trl.jsonl` made every later resume of the runs of that model refuse
    them as 'made from other inputs (files of the model folder: added trl.jsonl)'. The names the fingerprint leaves
    out (the run's own files, a model card, a picture, hidden files) and a folder (--format hf) may go there."""
    if out is None or str(out) == "-":
        return
    from ptsfast.outputs.rundir import check_name_lengths, is_stream
    from ptsfast.pipeline.identity import RUN_OUTPUT_FILES
    from ptsfast.problems.hashing import is_doc_file

    check_name_lengths(out, flag)  # a name too long fails any look at it

    given = Path(out).expanduser()
    if is_stream(given) or given.is_dir():
        return
    for p in dict.fromkeys((given, Path(os.path.realpath(given)))):  # a link is written through, where it points
        name, folder = p.name, p.parent.resolve()
        if name.startswith(".") or name in RUN_OUTPUT_FILES or is_doc_file(name) or not folder.is_dir():
            continue
        if _model_folder(folder, run):
            where = "" if p == given else f" (the link's target {p})"
            raise ValueError(f"{flag} {out}: is in the model folder {folder}{where}, whose fingerprint the runs of "
                             f"that model record; a file added there changes it, and those runs then refuse to "
                             f"resume - choose a path outside it")


def _check_run_readable(run, flag: str = "--run") -> None:
    """``--run`` and the run's own files in it are no pipe or device (:func:`~ptsfast.outputs.source.check_readable`),
    checked before anything else is read or loaded."""
    from ptsfast.outputs.source import check_readable

    check_readable(run, f"{flag} {run}")


def _check_not_discarded(run) -> None:
    """``--run`` is no run an interrupted ``--overwrite`` was discarding: half deleted, its report drew the discarded
    problems and its export read what was left of them."""
    from ptsfast.outputs.rundir import RUN, RunDirError, read_run_info
    from ptsfast.outputs.source import check_not_discarded

    path = Path(run).expanduser() / RUN
    if not path.is_file():
        return
    try:
        info = read_run_info(path, "", "")
    except RunDirError:  # said by the command, with its own way out
        return
    check_not_discarded(info, path.parent, f"--run {run}")


def _check_run_info(run) -> None:
    """The ``run.json`` of a ``--run`` folder is a ptsfast run's, of a format this ptsfast reads, as an export and a
    resume check it: a damaged one (``"format_version": "1"``, not JSON, a list) was reported without a word, as if
    its records were sound."""
    from ptsfast.outputs.rundir import RUN, check_format, read_run_info

    path = Path(run).expanduser() / RUN
    if not path.is_file():  # a records file, or a folder without one: the report's own checks say why
        return
    try:
        raw = json.loads(path.read_bytes().decode("utf-8"))
    except (OSError, ValueError):
        raw = None  # damaged: said below
    if isinstance(raw, dict) and "format_version" not in raw:  # no run's settings at all: the records are read alone
        return
    info = read_run_info(path, "restore it, or rerun `ptsfast mine`", "pass a run folder written by `ptsfast mine`")
    check_format(info, path, "report it with that ptsfast (or a later one)")


def cmd_export(a) -> int:
    from ptsfast.outputs.export import export
    from ptsfast.outputs.rundir import is_stream

    _check_given(a, (("run", "a run folder"), ("out", "the export's file path (or - for standard output)"),
                     ("model", "a model folder (or leave --model out for the run's model)")))
    from ptsfast.outputs.rundir import check_no_link_loop

    for flag, path in (("--run", a.run), ("--out", a.out)):  # the export resolved it: a RuntimeError traceback
        if path != "-":
            check_no_link_loop(path, flag)
    _check_run_readable(a.run)
    _check_no_broken_link_above(a.out)
    _check_not_discarded(a.run)
    if a.format != "hf":
        _check_outside_model_folder(a.out, run=a.run)
        _check_file_path(a.out, f"the {a.format} format writes one file",
                         "pivotal_tokens.jsonl" if a.format == "pts" else f"{a.format}.jsonl")
    _check_model_files(a)
    if a.format == "steering" and (a.device is not None or a.dtype is not None):
        _device_dtype(a)  # before the run is read and the model loads: one line naming the flag
    n = export(a.run, a.out, fmt=a.format, kind=a.kind, direction=a.direction, min_delta=a.min_delta,
               confirmed_only=a.confirmed_only, force=a.force, model=a.model, layer=a.layer, device=a.device,
               dtype=a.dtype, progress=not a.quiet)
    what = ("pivots" if a.format in ("pts", "steering") else
            a.kind or "anchors" if a.format == "thought_anchors" else a.kind or "pairs")
    # into /dev/stdout or a pipe the records are the output: the line about them goes to stderr
    stream = a.out == "-" or is_stream(a.out)
    print(f"ptsfast: wrote {n} {what} to {'standard output' if a.out == '-' else a.out}",
          file=sys.stderr if stream else sys.stdout)
    return 0


def _check_page_suffix(out) -> None:
    """``report --out r`` wrote the page as ``r``, a file no browser opens as HTML, beside ``r.png``: a name with no
    suffix may as well have meant a folder, so neither is guessed. One that exists (a run's lock, a file of someone
    else's) is the report's own checks' to name."""
    if out is None or not str(out).strip() or os.path.lexists(Path(out).expanduser()) or Path(out).suffix:
        return
    raise ValueError(f"--out {out} has no suffix: the report is an HTML page (its plot goes beside it as .png) - give "
                     f"{out}.html, or {Path(out) / 'report.html'} for a folder")


def cmd_report(a) -> int:
    from ptsfast.outputs.report import write_report

    _check_given(a, (("run", "a run folder"), ("out", "the report's .html path")))
    if a.run == "-":  # read as a folder named '-': "-/problems.jsonl not found"
        raise ValueError("--run -: the report reads a run folder, not a stream - give the --out folder of a "
                         "`ptsfast mine` or `ptsfast anchors` run")
    from ptsfast.outputs.rundir import check_no_link_loop

    for flag, path in (("--run", a.run), ("--out", a.out)):  # "[Errno 40] Too many levels of symbolic links"
        if path is not None and path != "-":
            check_no_link_loop(path, flag)
    if not os.path.lexists(Path(a.run).expanduser()):  # "DIR/problems.jsonl not found" named a file, not the typo
        raise ValueError(f"--run {a.run}: no such folder - give the --out folder of a `ptsfast mine` or "
                         f"`ptsfast anchors` run")
    from ptsfast.outputs.rundir import is_stream

    if is_stream(Path(a.run).expanduser()):  # a fifo, /dev/null: "FIFO/problems.jsonl not found"
        raise ValueError(f"--run {a.run}: a pipe or device, not a folder - give the --out folder of a `ptsfast mine` "
                         f"or `ptsfast anchors` run")
    if a.out == "-":  # export's standard output; here it wrote files named '-' and '-.png'
        raise ValueError(f"--out -: the report is an HTML file with a PNG beside it, not a stream - give a file path "
                         f"such as {Path(a.run) / 'report.html'}")
    _check_file_path(a.out, "the report is an HTML file with a PNG beside it", "report.html")
    _check_run_readable(a.run)
    _check_no_broken_link_above(a.out)  # and a name too long, said first
    _check_page_suffix(a.out)
    _check_outside_model_folder(a.out, run=a.run)
    _check_run_info(a.run)
    _check_not_discarded(a.run)
    html, png = write_report(a.run, a.out or Path(a.run) / "report.html")
    print(f"ptsfast: wrote {html}" + (f" and {png}" if png is not None else ""))
    return 0


def cmd_bench(a) -> int:
    from ptsfast.engine.bench import RolloutComparison, environment, random_llama

    for flag, value in (("--prefix", a.prefix), ("--n", a.n), ("--new-tokens", a.new_tokens), ("--repeat", a.repeat)):
        if value < 1:
            raise ValueError(f"{flag} {value}: use a whole number >= 1")
    device, _ = _device_dtype(a)
    dtype = a.dtype or "float32"  # its own default on every device (a GPU's bfloat16 is --dtype bf16)
    from ptsfast.models import torch_dtype

    if torch_dtype(dtype) == "auto":  # a checkpoint's own dtype; the random model's is float32 (it was a TypeError)
        dtype = "float32"

    model = random_llama(device, dtype=torch_dtype(dtype))
    context = model.config.max_position_embeddings  # the prefix, a token forked from it, and the new tokens
    if a.prefix + 1 + a.new_tokens > context:  # 1e8 drew and prefilled that many tokens until killed
        raise ValueError(f"--prefix {a.prefix} and --new-tokens {a.new_tokens}: the benchmark's model has {context} "
                         f"positions, which must hold both and one more; lower --prefix or --new-tokens")
    _check_bench_memory(a, model, device)
    result = RolloutComparison(model, a.prefix, a.n, a.new_tokens).run(repeat=a.repeat)
    print(json.dumps({**environment(device), "dtype": str(torch_dtype(dtype)).replace("torch.", ""), **result},
                     indent=2))
    return 0


def _check_bench_memory(a, model, device: str) -> None:
    """HF's side of the benchmark, ``generate(num_return_sequences=n)``, holds ``--n`` copies of the prefix's KV cache
    and a row of logits each: past the device's memory (`bench --n 100000`, about 350 GB) the process was killed
    without a word, or CUDA ran out of memory in a traceback."""
    import torch

    from ptsfast.engine.engine import available_memory

    cfg = model.config
    head_dim = getattr(cfg, "head_dim", None) or cfg.hidden_size // cfg.num_attention_heads
    size = next(model.parameters()).element_size()
    per_token = 2 * cfg.num_hidden_layers * cfg.num_key_value_heads * head_dim * size
    need = a.n * ((a.prefix + a.new_tokens) * per_token + cfg.vocab_size * 4)  # the logits are float32
    free = available_memory(torch.device(device))
    if free is not None and need > free:
        raise ValueError(f"--n {a.n}: HF generate's side of the benchmark holds {a.n} copies of the prefix's KV cache "
                         f"and logits, about {need / 1e9:.3g} GB, more than the {free / 1e9:.3g} GB available on "
                         f"{device}; lower --n (or --prefix / --new-tokens)")


def _check_simulate_json(path: Path) -> None:
    """``simulate --json`` replaces only an earlier scores file of ``simulate`` (never another file), and never
    writes into a run folder (an empty pairs.jsonl, a run's that found none yet, was replaced by the scores, and the
    run no longer resumed); a device or pipe (``/dev/stdout``) is written into, never read."""
    from ptsfast.outputs.rundir import is_stream
    from ptsfast.outputs.source import is_run_dir

    folder = Path(os.path.realpath(path.expanduser())).parent
    if not is_stream(path) and is_run_dir(folder):
        raise ValueError(f"--json {path}: is in the run folder {folder} (written by `ptsfast mine` or `ptsfast "
                         f"anchors`), whose files the scores would replace or join - choose a path outside it")
    if not path.exists() or is_stream(path) or (path.is_file() and not path.stat().st_size):
        return
    try:
        if path.stat().st_size > 64 << 20:  # far more than any scores file: not read
            raise ValueError
        old = json.loads(path.read_text(encoding="utf-8"))
        ours = isinstance(old, list) and all(isinstance(r, dict) and "name" in r for r in old)
    except (OSError, ValueError):
        ours = False
    if not ours:
        raise ValueError(f"--json {path}: exists and is not an earlier `ptsfast simulate --json` file; choose a new "
                         f"path (ptsfast never overwrites a file it did not write)")


_MAX_SCALE = 1000.0  # simulate --scale: 200,000 solutions a seed


def cmd_simulate(a) -> int:
    from ptsfast.mining.simulate import (ALL_POPULATIONS, GOALS, POPULATIONS, benchmark, check_goals, format_table,
                                         variants)
    from ptsfast.mining.types import MiningConfig

    _config("mining", MiningConfig, gap=a.gap)  # the gap's one rule, naming --gap
    _check_given(a, (("json", "the scores file's path (or leave --json out)"),))  # '' wrote no scores
    if not 0 < a.scale <= _MAX_SCALE:  # 1e9 drew curves until memory ran out, without a word
        raise ValueError(f"--scale {a.scale}: use a factor in (0, {_MAX_SCALE:g}] (it multiplies the populations' "
                         f"sizes; {_MAX_SCALE:g} is 200,000 solutions a seed, hours of CPU)")
    if a.json == "-":  # a file named '-' was written in the current folder
        raise ValueError("--json -: the scores are a file beside the table, which goes to standard output - give a "
                         "file path")
    if a.json:  # before the (minutes-long) benchmark runs
        from ptsfast.outputs.rundir import check_name_lengths, check_writable

        check_name_lengths(a.json, "--json")
        _check_no_broken_link_above(a.json, "--json")
        _check_outside_model_folder(a.json, "--json")
        _check_simulate_json(Path(a.json))
        check_writable(a.json, "--json")
    if a.seeds is None:  # not given (extend cannot have a default: the values given would add to it)
        a.seeds = [0, 1, 2]
    if not a.seeds:
        raise ValueError("--seeds: give at least one seed (default 0 1 2)")
    if len(set(a.seeds)) < len(a.seeds):
        raise ValueError(f"--seeds {' '.join(map(str, a.seeds))}: a seed given twice would count its solutions twice; "
                         f"give each seed once")
    for flag, given, default in (("--populations", a.populations, " ".join(POPULATIONS)),
                                 ("--rows", a.rows, "'ptsfast defaults' 'fixed N=64'")):
        if given is not None and not given:  # `--populations $POPS` of an unset variable: not the defaults, unasked
            raise ValueError(f"{flag}: give at least one name (or leave {flag} out for its default: {default})")
    rows = list(variants(a.gap))
    unknown = [r for r in a.rows or () if r not in rows] + [p for p in a.populations or () if p not in ALL_POPULATIONS]
    if unknown:
        raise ValueError(f"unknown rows or populations {unknown}; rows: {rows}; populations: {list(ALL_POPULATIONS)}")
    scores = benchmark(a.populations or list(POPULATIONS), a.seeds, a.gap, a.rows or ["ptsfast defaults", "fixed N=64"],
                       a.scale, progress=None if a.quiet else
                       lambda s: print(f"  {s.population} {s.name}: {s.seconds:.0f} s", file=sys.stderr))
    print(format_table(scores, a.gap))
    print("\n" + GOALS)
    for pop in dict.fromkeys(s.population for s in scores):
        by_name = {s.name: s for s in scores if s.population == pop}
        if "ptsfast defaults" in by_name:
            for goal, met, measured in check_goals(by_name["ptsfast defaults"], by_name.get("fixed N=64")):
                print(f"  {pop:<7} {'met ' if met else 'MISS'}  {goal}: {measured}")
    if a.json:
        from ptsfast.outputs.rundir import write_atomic

        Path(a.json).expanduser().parent.mkdir(parents=True, exist_ok=True)  # checked writable before the run
        write_atomic(a.json, json.dumps([s.as_dict() for s in scores], indent=2))
    return 0


def build_parser() -> argparse.ArgumentParser:
    from ptsfast import __version__

    parser = argparse.ArgumentParser(prog="ptsfast", description="Fast Pivotal Token Search (Phi-4 §4.3): find the "
                                     "tokens that swing p(correct) and turn them into single-token DPO pairs.")
    parser.add_argument("--version", action="store_true", help="print the version and the active kernel backends")
    parser.add_argument("-v", "--verbose", action="store_true", help="log what the command does (resumes, skips, "
                        "the engine's size)")
    sub = parser.add_subparsers(dest="command")

    m = sub.add_parser("mine", help="mine pivots and DPO pairs from a problem file (resumable)",
                       description="Samples solutions, finds pivotal tokens by bisection with sequential estimation, "
                       "writes pivots.jsonl, pairs.jsonl (TRL DPO format) and problems.jsonl into --out. "
                       "Rerunning the same command resumes.")
    _problem_args(m)
    _mining_args(m)
    r = m.add_argument_group("many workers with Ray (pip install 'ptsfast[ray]')")
    r.add_argument("--ray", nargs="?", const="auto", default=None, metavar="auto|local|ADDRESS",
                   help="mine on Ray workers: 'auto' (the default when the flag has no value) joins the cluster "
                   "started here by `ray start`, or starts a local one; 'local' always starts a local one; or a "
                   "cluster address (HOST:6379). --model must be a local folder at the same path on every node")
    r.add_argument("--workers", type=int, default=1, help="Ray workers, each with its own model and engine "
                   "(default 1)")
    r.add_argument("--gpus-per-worker", type=float, default=None,
                   help="GPUs per worker (default: 1 when the cluster has GPUs, else 0 = CPU)")
    r.add_argument("--cpus-per-worker", type=int, default=1, help="CPUs (torch threads) per CPU worker (default 1)")
    m.set_defaults(func=cmd_mine)

    t = sub.add_parser("anchors", help="thought anchors: the importance of each sentence of a solution (resumable)",
                       description="Samples solutions (or uses --solution-field), splits each into sentences that are "
                       "token spans of it, and estimates for every sentence p(with), p(resampled) and p(different) "
                       "from rollouts forked at its boundaries on the one prefilled sequence; counterfactual "
                       "importance = p(with) - p(different), resampling importance = p(with) - p(resampled), each with "
                       "an interval, sampled sequentially until |importance| is decided against --threshold. Writes "
                       "sentences.jsonl and problems.jsonl into --out; rerunning resumes. Export with --format "
                       "thought_anchors.")
    _problem_args(t)
    _sampling_args(t)
    g = t.add_argument_group("sentence importance")
    g.add_argument("--threshold", type=float, default=0.2,
                   help="|counterfactual importance| that makes an anchor (codelion's prob_threshold; default 0.2)")
    g.add_argument("--batch-rollouts", type=int, default=8, help="rollouts added to a boundary per look (default 8)")
    g.add_argument("--max-rollouts", type=int, default=64, help="cap of rollouts forked at one sentence boundary "
                   "(default 64); a sentence whose resamples mostly come back similar (some but under a quarter of "
                   "a cap differ) goes on past it, a cap at a time, up to 4 caps, to decide")
    g.add_argument("--confidence", type=float, default=0.95, help="level of the intervals and of the stopping "
                   "decisions (default 0.95)")
    g.add_argument("--similarity-threshold", type=float, default=0.8, help="a regenerated first sentence is similar "
                   "to the original when their token overlap (or embedding cosine) reaches this (default 0.8)")
    g.add_argument("--any-numbers", action="store_true", help="do not count a regenerated sentence with other "
                   "numbers as different by that alone")
    g.add_argument("--any-claims", action="store_true", help="do not count a regenerated sentence that states "
                   "another claim in the same words (another choice letter, a negation, a comparison, a unit, its "
                   "numbers in another order) as different by that alone")
    g.add_argument("--embedding-model", default=None, help="local folder of a sentence-embedding model to judge "
                   "similarity by cosine instead of token overlap (never downloaded)")
    _engine_args(t)
    _run_flags(t)
    t.set_defaults(func=cmd_anchors)

    d = sub.add_parser("demo", help="SmolLM2-135M-Instruct on built-in arithmetic problems, on CPU (about 4 minutes)")
    d.add_argument("--out", default="ptsfast_out/demo", action=_Once, help="output folder (default ptsfast_out/demo)")
    from ptsfast.demo import (
        DEMO_CONFIRM_MAX_ROLLOUTS,
        DEMO_KEY_MAX_ROLLOUTS,
        DEMO_LIMIT,
        DEMO_MAX_NEW_TOKENS,
        DEMO_MAX_ROLLOUTS,
        DEMO_ORACLE,
        DEMO_PAIR_CANDIDATES,
        DEMO_PAIR_FRESH_MAX_ROLLOUTS,
        DEMO_PAIR_MAX_ALTERNATIVES,
        DEMO_SYSTEM_PROMPT,
        DEMO_TEMPERATURE,
    )

    d.add_argument("--limit", type=int, default=DEMO_LIMIT,
                   help=f"only the first N of the 12 demo problems (default {DEMO_LIMIT}; 0 = all)")
    _mining_args(d)
    demo_defaults = dict(max_new_tokens=DEMO_MAX_NEW_TOKENS, trajectories=2, oracle=DEMO_ORACLE,
                         temperature=DEMO_TEMPERATURE, system_prompt=DEMO_SYSTEM_PROMPT, problems_per_batch=16,
                         max_rollouts=DEMO_MAX_ROLLOUTS, key_max_rollouts=DEMO_KEY_MAX_ROLLOUTS,
                         estimator__confirm_max_rollouts=DEMO_CONFIRM_MAX_ROLLOUTS,
                         estimator__long_max_rollouts=DEMO_KEY_MAX_ROLLOUTS,  # its caps stay 16/16 at any length
                         pairs__fresh_max_rollouts=DEMO_PAIR_FRESH_MAX_ROLLOUTS,
                         pairs__max_alternatives=DEMO_PAIR_MAX_ALTERNATIVES, pairs__candidates=DEMO_PAIR_CANDIDATES)
    d.set_defaults(func=cmd_demo, **demo_defaults)
    for action in d._actions:  # the shared flags' help names mine's default (or none); the demo's differs
        if action.dest in demo_defaults:
            value = demo_defaults[action.dest]
            shown = "its own system prompt" if action.dest == "system_prompt" else str(value).replace("%", "%%")
            helped = action.help or ""
            head = helped[: helped.rindex("(default")] if "(default" in helped else helped + " " * bool(helped)
            action.help = f"{head}(demo default {shown})"

    e = sub.add_parser("export", help="pairs/pivots of a run -> TRL DPO JSONL, datasets folder, codelion/pts "
                       "pivotal tokens or steering vectors",
                       description="Writes a new file (or folder for hf) outside the run; never writes into a run "
                       "folder, and never over a file or folder that is not an earlier export of the same kind "
                       "(--force replaces those).")
    e.add_argument("--run", "--input-path", dest="run", required=True, action=_Once, help="a mining output folder")
    e.add_argument("--out", "--output-path", dest="out", required=True, action=_Once,
                   help="output file (folder for --format hf)")
    e.add_argument("--format", choices=("trl", "jsonl", "hf", "pts", "steering", "thought_anchors"), default="trl",
                   help="trl: DPO JSONL (prompt/chosen/rejected + token ids; train with "
                        "ptsfast.outputs.dpo.PivotDPOTrainer); jsonl: records as they are; hf: datasets folder; "
                        "pts: codelion/pts pivotal_tokens.jsonl records; steering: codelion/pts steering vectors "
                        "(loads the model); thought_anchors: a `ptsfast anchors` run's sentences as codelion/pts "
                        "ThoughtAnchor records (default trl)")
    e.add_argument("--kind", choices=("pairs", "pivots", "anchors", "sentences"), default=None,
                   help="pairs (default) or pivots; pts and steering always export pivots; thought_anchors exports "
                        "anchors (default) or every sentence (sentences)")
    e.add_argument("--force", action="store_true", help="replace an existing file or folder that is not an earlier "
                   "export of this kind (never allowed inside a run folder)")
    e.add_argument("--model", default=None, help="steering (and pts for old runs): local model folder; default: the "
                   "run's model")
    e.add_argument("--layer", type=int, default=None, help="steering: decoder layer whose output is the vector "
                   "(0-based; default: two thirds of the depth)")
    e.add_argument("--device", default=None, help="steering: cpu | cuda")
    e.add_argument("--dtype", default=None, help="steering: float32 (default) | bfloat16 | float16")
    e.add_argument("--quiet", action="store_true", help="no progress bar")
    e.add_argument("--confirmed-only", action="store_true", help="only confirmed pivots (and their pairs); refuted "
                   "ones are always left out, this also drops those undecided at the confirmation's cap")
    e.add_argument("--direction", choices=("raises", "lowers"), default=None, help="only pairs from such pivots "
                   "(thought_anchors: sentences whose importance has that sign)")
    e.add_argument("--min-delta", type=float, default=0.0, help="only pairs/pivots whose Δp along their direction "
                   "(a pair's p_chosen - p_rejected) is at least this "
                   "(thought_anchors: |prob_delta|, the counterfactual importance, or the resampling one where no "
                   "resample differed; default 0: every one)")
    e.set_defaults(func=cmd_export)

    r = sub.add_parser("report", help="HTML page + PNG plot of p(success) along each solution, pivots highlighted")
    r.add_argument("--run", required=True, action=_Once, help="a run folder (of ptsfast mine or ptsfast anchors)")
    r.add_argument("--out", default=None, action=_Once, help="HTML file, such as report.html (default "
                   "<run>/report.html); its plot is written beside it as .png")
    r.set_defaults(func=cmd_report)

    sim = sub.add_parser("simulate", help="statistics benchmark: the search vs exact PTS on hard synthetic "
                         "populations (no model, a few minutes)",
                         description="Scores ptsfast's search and fixed-N estimators against exact PTS run on the true "
                         "p-curves of synthetic populations (hard: near-gap non-pivots and staircases; cancel: "
                         "opposite jumps that cancel; cap: steps within 0.04 of the gap; alike: alike alternatives; "
                         "long: 1k-4k-token solutions; by name only, not tuned on: adjacent, dense, drift, residual, "
                         "neargap, unlikely, and real traces' shapes: edges, short, bounds, movable, opposite, "
                         "substairs, level, stop, longroll, and more of them: rebound, mathy, neargapmath, rarealt, "
                         "longearly, shared, lastjump, nologprobs, and a fourth red-team's: flatedge, latetail, "
                         "likely, synonyms, wiggle, mixedlen, cutmost, flatedgemath, latelong, wigglemath, "
                         "counterdrift, tightdrift, tightdriftsure, siblings, and a fifth's: family, familymix, "
                         "atgap; cap15 neargap15 / cap25 neargap25 with "
                         "--gap 0.15 / 0.25), several seeds each. Prints one table: recall of exact-PTS "
                         "pivots (interior and last-token), accept rates per tested one-token segment, the "
                         "confirmation's states and precision, bias of the reported Δ, pair precision and margin "
                         "bias, rollouts.")
    # extend (these three): a list given twice is one list (the second replaced the first, whose items never ran)
    sim.add_argument("--populations", nargs="*", action="extend", default=None,
                     help="default: hard cancel cap alike long (also: adjacent dense drift residual neargap "
                          "unlikely edges short bounds movable opposite substairs level stop longroll rebound mathy "
                          "neargapmath rarealt longearly shared lastjump nologprobs flatedge latetail likely synonyms "
                          "wiggle mixedlen cutmost flatedgemath latelong wigglemath counterdrift tightdrift "
                          "tightdriftsure siblings family familymix atgap cap15 neargap15 cap25 neargap25)")
    sim.add_argument("--seeds", nargs="*", action="extend", type=int, default=None,
                     help="seeds: each draws the populations anew (default 0 1 2)")
    sim.add_argument("--scale", type=float, default=1.0, help="multiplies the populations' sizes (default 1)")
    sim.add_argument("--gap", type=float, default=0.2, help="|Δp| that makes a pivot (default 0.2)")
    sim.add_argument("--rows", nargs="*", action="extend", default=None,
                     help="rows by name (default: ptsfast defaults, fixed N=64)")
    sim.add_argument("--json", default=None, help="also write the scores to this JSON file")
    sim.add_argument("--quiet", action="store_true", help="no per-row timing lines")
    sim.set_defaults(func=cmd_simulate)

    b = sub.add_parser("bench", help="rollout throughput vs HF generate(num_return_sequences=n) on a random Llama")
    b.add_argument("--device", default=None, help="cpu | cuda (default: cuda if available)")
    b.add_argument("--dtype", default=None, help="float32 (default) | bfloat16 | float16")
    b.add_argument("--prefix", type=int, default=512, help="tokens of the prefix the rollouts fork from (default 512)")
    b.add_argument("--n", type=int, default=32, help="rollouts from the prefix (default 32)")
    b.add_argument("--new-tokens", type=int, default=64, help="tokens each rollout generates (default 64)")
    b.add_argument("--repeat", type=int, default=2, help="timed runs of each side; the best counts (default 2)")
    b.set_defaults(func=cmd_bench)
    for p in (parser, *_commands(parser).values()):
        p._negative_number_matcher = _NEGATIVE_NUMBER
    return parser


_NEGATIVE_NUMBER = re.compile(r"^-(?:inf(?:inity)?|nan|(?:\d+\.?\d*|\.\d+)(?:e[-+]?\d+)?)$", re.IGNORECASE)
"""A word that is a negative number to ``float`` (``-inf``, ``-1e-3``): a flag's value, not a flag. argparse takes
only ``-1`` and ``-.5`` for one, and said 'expected one argument' of ``--gap -inf``, naming neither value nor rule
(no flag of ptsfast looks like a number, the case argparse guards against)."""


def _way_out(a, exc: BaseException) -> str:
    """What to do about a full disk (the system's message names none): a run keeps its finished problems; and about
    a folder where a file is read or written (a run file replaced by a folder)."""
    import errno

    if isinstance(exc, IsADirectoryError) and exc.filename:
        return " - ptsfast reads or writes a file there: move that folder away (or choose another path)"
    if not isinstance(exc, OSError) or exc.errno not in (errno.ENOSPC, errno.EDQUOT):
        return ""
    if a.func in (cmd_mine, cmd_anchors, cmd_demo):  # another --out, as others are offered, starts the run over
        return (f" - free some space on its disk, then rerun {_rerun(a)} to resume: finished problems are kept (a new "
                f"--out would start the run over)")
    flag = "--json" if a.func is cmd_simulate else "--out"
    return f" - free some space (or choose another {flag}), then rerun {_rerun(a)}"


def _rerun(a) -> str:
    """The command that resumes a run: the same one, but without --overwrite, which would discard the problems
    this run finished (told to rerun the same command, a user lost an hour of mining to it)."""
    return "it without --overwrite" if getattr(a, "overwrite", False) else "the same command"


def _after_interrupt(a) -> str:
    """What an interrupted command kept: a run its finished problems; an export its file whole or not at all (said of
    a run's, it promised an export a resume it does not have)."""
    if a.func in (cmd_mine, cmd_anchors, cmd_demo):
        try:
            started = os.path.lexists(Path(a.out).expanduser() / "run.json")
        except (OSError, ValueError, RuntimeError):
            started = True
        if not started:  # stopped while the model loaded: 'finished problems are saved' of a run never begun
            return "the run had not started, nothing was written - rerun the command"
        return f"finished problems are saved - rerun {_rerun(a)} to resume" + (
            " (with it, the run starts over)" if getattr(a, "overwrite", False) else "")
    out = getattr(a, "out", None) if a.func is not cmd_simulate else a.json
    if a.func is cmd_export and out is not None:
        from ptsfast.outputs.rundir import is_stream

        if out == "-" or is_stream(out):
            return f"{'standard output' if out == '-' else out} got part of the records - rerun the command"
    if a.func is cmd_report:  # the plot is written before the page
        return "the report was not written whole - rerun the command"
    return "nothing was written or replaced - rerun the command"


def _quiet_libraries() -> None:
    """--quiet: no progress bar of transformers', datasets' or the hub's either (a model's "Loading weights" bar).
    They read the variable when first imported (a command that never loads them pays no import for this)."""
    os.environ["HF_HUB_DISABLE_PROGRESS_BARS"] = "1"
    for module in ("transformers.utils.logging", "datasets.utils.logging"):
        if module in sys.modules:
            sys.modules[module].disable_progress_bar()


_CLEANUP_S = 10.0
"""Seconds after an interruption in which another one is taken for impatience with its cleanup, and let go."""
_interrupted_at: list[float] = []


def _interrupt(signum, frame) -> None:
    """Ctrl-C, SIGTERM (kill, a job scheduler) and SIGHUP (the terminal or SSH session closed) unwind alike: temporary
    files are removed, the run's lock released, finished work kept, and the interruption said (SIGHUP's default
    ended the process at once, without a word). One more within :data:`_CLEANUP_S` of the first comes while that
    cleanup runs (a second Ctrl-C, a scheduler's second SIGTERM) and is let go: raised there, it broke the cleanup
    off, leaving an hf export's earlier folder under a temporary name, or a traceback in place of the line saying what
    was kept. A later one interrupts again, so a cleanup that hangs can still be stopped."""
    import time

    now = time.monotonic()
    if _interrupted_at and now - _interrupted_at[0] < _CLEANUP_S:
        return
    _interrupted_at[:] = [now]
    raise KeyboardInterrupt


_ENDING_SIGNALS = tuple(getattr(signal, name) for name in ("SIGINT", "SIGTERM", "SIGHUP") if hasattr(signal, name))


def _take_signals() -> dict:
    """Installs :func:`_interrupt` for the ending signals whose handling is still the default (one ignored, as under
    nohup, or handled by a caller, is left as it is); returns the handlers it replaced, for :func:`_give_back`."""
    if threading.current_thread() is not threading.main_thread():
        return {}
    _interrupted_at.clear()
    taken = {}
    for signum in _ENDING_SIGNALS:
        before = signal.getsignal(signum)
        if before is _interrupted_starting:  # the command's own, set while it imported: the default is given back
            before = signal.default_int_handler
        elif before is not (signal.default_int_handler if signum == signal.SIGINT else signal.SIG_DFL):
            continue
        taken[signum] = before
        signal.signal(signum, _interrupt)
    return taken


def _give_back(taken: dict) -> None:
    """The handlers :func:`_take_signals` replaced, restored (a caller of :func:`main` in Python gets its own
    back)."""
    for signum, before in taken.items():
        signal.signal(signum, before)


_TAKEN: dict = {}
"""The ending signals :func:`main` took for the running command (what :func:`_print_summary` lets go of)."""


def _ignore_while_exiting(taken: dict) -> None:
    """The command has done its work and said so (a run complete, its summary printed); what is left is the
    interpreter's exit, a second or more with torch loaded. A SIGTERM then (a job scheduler ending a job it saw
    finish) killed the process, exit 143, and a closed terminal's SIGHUP 129: a complete run read as a failed one by
    the scheduler and by scripts. From here, for the command's process only (a caller of :func:`main` in Python gets
    its own handlers back), an ending signal no longer fails the command: until :func:`main` returns it is noted,
    then it ends the process with the command's status (:func:`_end_on_signal`)."""
    if _starting_as_the_command():
        for signum in taken:
            signal.signal(signum, _note_ending)
        _EXITING["signals"] += list(taken)
        taken.clear()  # nothing to give back


_EXITING: dict = {"signals": [], "noted": False, "rc": 0}
"""The ending signals let go of once the command was done, whether one came before :func:`main` returned, and the
command's status."""


def _note_ending(signum, frame) -> None:
    """An ending signal while the done command still says so (its summary): kept for :func:`_end_on_signal`."""
    _EXITING["noted"] = True


def _end_on_signal(rc: int) -> None:
    """The command has returned ``rc``; the interpreter's exit is left. Ignored ending signals kept a process that
    something holds at exit (a thread the interpreter joins: a judge still running a verdict on a GPU run, a
    library's worker; Ray's shutdown) alive through SIGTERM and Ctrl-C, so only SIGKILL ended it (exit 137, read as
    failed). An ending signal from here, or one noted since the summary, ends the process at once with ``rc``;
    finished work is on disk and its output is flushed first. The interpreter's last steps ignore them (see
    :func:`_ignore_from_here`)."""
    if not _EXITING["signals"]:
        return
    _EXITING["rc"] = rc if isinstance(rc, int) else 1
    for signum in _EXITING["signals"]:
        signal.signal(signum, _end_now)
    # looked at once the handlers are swapped: one that came while they were (signal.signal runs the handler of a
    # signal pending, the old one) was only noted, and a process kept alive at exit then outlived it for good
    if _EXITING["noted"]:
        _end_now()


def _end_now(*_) -> None:
    """Ends the process with the command's status, its output flushed (exit handlers left to run could hang)."""
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError, AttributeError):  # closed, gone or full: nothing more to say
            pass
    os._exit(_EXITING["rc"])


def _ignore_from_here() -> None:
    """Registered before the libraries' own exit handlers, so it runs after them: from here the interpreter tears its
    modules down, and a Python handler is reset there to the default (SIGTERM then killed the process, 143); the
    ending signals are ignored for those last moments instead."""
    for signum in _EXITING["signals"]:
        signal.signal(signum, signal.SIG_IGN)


atexit.register(_ignore_from_here)


def _commands(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    """The commands' parsers by name."""
    return next(x for x in parser._actions if isinstance(x, argparse._SubParsersAction)).choices


def _unrecognized(parser: argparse.ArgumentParser, a, extra: list[str]) -> None:
    """Exits naming the flags not understood and, for each, the flag meant: the same with dashes (``--max_new_tokens``,
    as TRL's and transformers' scripts spell theirs), a close spelling, or another command's flag (``mine
    --threshold``). argparse said only "unrecognized arguments"."""
    import difflib

    commands = _commands(parser)
    sub = commands.get(getattr(a, "command", None) or "", parser)
    flags = [o for x in sub._actions for o in x.option_strings if o.startswith("--")]
    hints = []
    own = [o for x in parser._actions for o in x.option_strings if o not in ("-h", "--help")]
    for given in dict.fromkeys(t.split("=", 1)[0] for t in extra if t.startswith("-")):
        dashed = given.replace("_", "-")
        close = [dashed] if dashed in flags else difflib.get_close_matches(dashed, flags, n=1, cutoff=0.8)
        others = [name for name, p in commands.items() if p is not sub and any(
            dashed in x.option_strings for x in p._actions)]
        if given in own and sub is not parser:  # `ptsfast mine ... -v`: ptsfast's own flags come before the command
            hints.append(f"{given} is ptsfast's own: put it before the command (ptsfast {given} {a.command} ...)")
        elif close:
            hints.append(f"{given}: did you mean {close[0]}?")
        elif others:
            hints.append(f"{given} is a flag of `ptsfast {others[0]}`" + (f", not of {a.command}" if sub is not
                                                                          parser else ""))
    sub.error(f"unrecognized arguments: {' '.join(extra)}" + (f" ({'; '.join(hints)})" if hints else ""))


_DASHES = "\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe58\ufe63\uff0d"
"""Dashes that are not '-': what a web page, a PDF or a word processor makes of ``--out`` (en dash, em dash, minus)."""


def _typographic_dashes(parser: argparse.ArgumentParser, argv: list[str]) -> None:
    """Exits naming a flag typed with another dash than '-' (``—out``, ``–overwrite`` pasted from a page): argparse
    read it as a value, and said '--out is required' of the flag right there, or 'unrecognized arguments'. Only a
    word that is a flag's name once its dashes are '-' (a question starting with a dash is a value)."""
    pasted = [t for t in argv if t[:1] and t[0] in _DASHES]
    if not pasted:
        return
    flags = {o for p in (parser, *_commands(parser).values()) for x in p._actions for o in x.option_strings}
    for t in pasted:
        head = t.split("=", 1)[0]
        meant = "".join("-" if c in _DASHES else c for c in head)
        meant = meant if meant.startswith("--") or len(meant) == 2 else "-" + meant  # an em dash for two hyphens
        if meant in flags:
            parser.error(f"{head} is typed with {head[0]!r} (U+{ord(head[0]):04X}), not the ASCII '-' (pasted from "
                         f"a page or a word processor?): type it as {meant}")


_PATH_DESTS = ("problems", "model", "out", "run", "chat_template", "embedding_model", "json")


def _dash_values(parser: argparse.ArgumentParser, argv: list[str]) -> None:
    """Exits naming a flag whose value is one word starting with '-' that is no flag (``--problems -p.jsonl``,
    ``--question-field -q``): argparse read it as a flag and said only 'expected one argument', naming neither the
    value nor the way to give it."""
    commands = _commands(parser)
    at = next((i for i, t in enumerate(argv) if t in commands), None)
    if at is None:
        return
    sub = commands[argv[at]]
    known = sub._option_string_actions
    for flag, value in zip(argv[at + 1:], argv[at + 2:]):
        if flag == "--":
            return
        action = known.get(flag)
        # '--x' after a flag is rather a mistyped flag, the value forgotten: argparse's and _unrecognized's to say
        if action is None or action.nargs not in (None, "+") or not value.startswith("-") or len(value) < 2 or \
                value.startswith("--") or " " in value or value.split("=", 1)[0] in known or \
                _NEGATIVE_NUMBER.match(value):
            continue
        if any(o.startswith(value.split("=", 1)[0]) for o in known):  # an abbreviation of a flag: argparse's to say
            continue
        path = f", or ./{value} for a file in this folder" if action.dest in _PATH_DESTS else ""
        sub.error(f"{flag} {value}: a value starting with '-' is read as a flag - write {flag}={value}{path}")


def _check_home(a) -> None:
    """A path flag starting with ``~`` that names no home directory here (``--out ~nouser/run``: a shell leaves the
    ``~`` of a user it does not know as it is, ``~`` alone where HOME is unset): its first use failed in a
    RuntimeError traceback, 'Could not determine home directory'."""
    for dest in _PATH_DESTS:
        v = getattr(a, dest, None)
        if not isinstance(v, str) or not v.startswith("~"):
            continue
        try:
            Path(v).expanduser()
        except RuntimeError:
            head = v.split(os.sep, 1)[0]
            who = f"no user {head[1:]!r} on this machine" if len(head) > 1 else "HOME is not set"
            raise ValueError(f"--{dest.replace('_', '-')} {v}: {head} names no home directory here ({who}) - give "
                             f"the full path") from None


def _check_input_names(a) -> None:
    """An input path (``--problems``, ``--model``, ``--run``, ``--embedding-model``) holding a name longer than the
    file system allows: nothing has that name, and the first look at it failed with a bare '[Errno 36] File name too
    long' repeating the path whole."""
    from ptsfast.outputs.rundir import check_name_lengths

    for dest in ("problems", "model", "run", "embedding_model"):
        v = getattr(a, dest, None)
        if not isinstance(v, str) or not v.strip() or v == "-":
            continue
        try:
            check_name_lengths(v, f"--{dest.replace('_', '-')}")
        except ValueError as e:
            raise ValueError(re.sub(r"; choose a shorter (name|path)$", ", so nothing has it - check the path",
                                    str(e))) from None


_THREAD_COUNT = re.compile(r"\s*[1-9]\d*\s*(,\s*[1-9]\d*\s*)*")


def _check_thread_counts() -> None:
    """``OMP_NUM_THREADS`` set to no thread count (``0``, ``-1``, ``2.5``): OpenMP printed only 'Invalid value for
    environment variable' once torch loaded, and the run went on with another count than the user meant. Empty is
    unset, as shells and containers leave it (OpenMP's default, which a user who set nothing expects)."""
    v = os.environ.get("OMP_NUM_THREADS")
    if v is not None and v.strip() and not _THREAD_COUNT.fullmatch(v):
        raise ValueError(f"environment variable OMP_NUM_THREADS={v!r}: not a thread count (OpenMP ignores it) - set "
                         f"it to a whole number >= 1 (e.g. OMP_NUM_THREADS=4), or unset it for the default")


_READ_VARS = ("PTSFAST_BACKEND", "PTSFAST_CACHE", "PTSFAST_SANDBOX_CGROUP")
"""The environment variables ptsfast reads (and ``PTSFAST_BACKEND_<KERNEL>``, checked with the kernels)."""
_BUILD_VARS = ("PTSFAST_CUDA", "PTSFAST_BENCH_", "PTSFAST_LT_", "PTSFAST_LTM_", "PTSFAST_STAT_", "PTSFAST_CHECK_")
"""Prefixes of the variables ptsfast's build and benchmark scripts read (set beside a run, never warned of)."""


def _check_environment() -> None:
    """Warns of a ``PTSFAST_*`` variable ptsfast does not read whose name is close to one it does
    (``PTSFAST_CACHE_DIR``, ``PTSFAST_BACKENDS``, ``PTSFAST_SANDBOX_CGROUPS``): it was ignored without a word, and the
    run went on with the default the user had meant to change. Other names pass: scripts may set their own."""
    import difflib

    for var in sorted(v for v in os.environ if v.startswith("PTSFAST_")):
        if var in _READ_VARS or var.startswith(("PTSFAST_BACKEND_", *_BUILD_VARS)):
            continue
        close = difflib.get_close_matches(var, _READ_VARS, n=1, cutoff=0.8)
        if close:
            log.warning("environment variable %s is not one ptsfast reads, and is ignored - did you mean %s?", var,
                        close[0])


def main(argv: list[str] | None = None) -> int:
    if sys.stderr is None:  # started with it closed (`2>&-`): print(file=None) wrote ptsfast's lines into stdout
        sys.stderr = open(os.devnull, "w", encoding="utf-8")  # noqa: SIM115 - the process's, as sys.stderr is
    # taken before the commands' modules import (half a second): a Ctrl-C then ended in a KeyboardInterrupt traceback
    global _TAKEN
    _EXITING.update(signals=[], noted=False, rc=0)
    taken = _TAKEN = _take_signals()
    try:
        rc = _main(argv, taken)
    finally:
        _give_back(taken)
    _end_on_signal(rc)
    return rc


def _main(argv: list[str] | None, taken: dict) -> int:
    """:func:`main` with the ending signals taken: the command line read, then the command run."""
    try:
        parser = build_parser()
        _typographic_dashes(parser, sys.argv[1:] if argv is None else list(argv))
        _dash_values(parser, sys.argv[1:] if argv is None else list(argv))
        a, extra = parser.parse_known_args(argv)
        if extra:
            _unrecognized(parser, a, extra)
        logging.basicConfig(level=logging.INFO if a.verbose else logging.WARNING, format="ptsfast: %(message)s")
        try:
            os.getcwd()
        except FileNotFoundError:  # torch's import then ended the process ('oneMKL FATAL ERROR: Cannot load ...')
            print("ptsfast: error: the current folder no longer exists (deleted or moved since this shell entered it) "
                  "- cd to a folder that exists, then rerun the command", file=sys.stderr)
            return 2
        if a.version:
            from ptsfast import __version__
            from ptsfast.kernels import backends

            print(f"ptsfast {__version__}")
            print(json.dumps(backends(), indent=2))
            return 0
    except KeyboardInterrupt:
        try:
            print("\nptsfast: interrupted before the command began; nothing was written - rerun the command",
                  file=sys.stderr)
        except (OSError, ValueError):
            pass
        return 130
    if not getattr(a, "func", None):
        parser.print_help()
        return 2
    if getattr(a, "quiet", False):
        _quiet_libraries()
    stdout = sys.stdout
    if stdout is not None:
        sys.stdout = _Stdout(stdout)
    try:
        _check_thread_counts()
        _check_environment()
        _check_once(a)
        _check_home(a)
        _check_input_names(a)
        from ptsfast.outputs.rundir import named_by

        with named_by(python=False):  # said first: a run folder's refusals name --out/--overwrite, as typed
            rc = a.func(a)
        _ignore_while_exiting(taken)
        if sys.stdout is not None:
            sys.stdout.flush()  # what it printed fails here, not unseen at the interpreter's exit
        return rc
    except BrokenPipeError:  # `ptsfast export --out - | head`: the reader left; quiet, as other tools
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # no second error at exit's flush
        return 141
    except KeyboardInterrupt:
        return _said_interrupted(a)
    except Exception as exc:  # one clear line for the errors users can fix
        if _interrupted_at:  # a library caught the interruption and failed on what it left half done
            log.info("after the interruption: %s: %s", type(exc).__name__, exc)
            return _said_interrupted(a)
        from ptsfast.problems.loading import ChatTemplateError, DataError
        from ptsfast.outputs.rundir import RunDirError
        from ptsfast.models import ModelLoadError
        from ptsfast.pipeline.probes import OracleFailed

        if isinstance(exc, OSError) and getattr(exc, "ptsfast_stdout", False):
            _stdout_failed(a, exc, stdout)
            return 2
        if isinstance(exc, (ChatTemplateError, DataError, ModelLoadError, RunDirError, ValueError, OSError,
                            OracleFailed)):
            # the system's own error without a file (a full disk while writing): it was --out; ptsfast's own
            # messages (errno None) name their file
            out = getattr(a, "out", None) or getattr(a, "json", None)  # simulate writes --json
            where = out if isinstance(exc, OSError) and exc.errno is not None and not exc.filename else None
            where = "standard output" if where == "-" else where
            print(f"ptsfast: error: {exc}" + (f" (writing {where})" if where else "") + _way_out(a, exc),
                  file=sys.stderr)
            return 2
        if isinstance(exc, ConnectionError) or (isinstance(exc, ImportError) and "ptsfast[ray]" in str(exc)):
            print(f"ptsfast: error: {exc}", file=sys.stderr)
            return 2
        raise
    finally:
        if isinstance(sys.stdout, _Stdout):
            sys.stdout = stdout


def _said_interrupted(a) -> int:
    """The interruption said, with what the command kept; the exit status of a Ctrl-C."""
    try:  # after SIGHUP the terminal may be gone: the exit status says it
        print(f"\nptsfast: interrupted; {_after_interrupt(a)}", file=sys.stderr)
    except (OSError, ValueError):
        pass
    return 130


class _Stdout:
    """Standard output while a command runs: an error writing it (``> log`` on a full disk) is marked as its own.
    Said as one of writing ``--out``, it told the user to free space there or choose another --out, which starts a
    finished run over; the run, the export or the report had been written whole."""

    def __init__(self, stream):
        self._stream = stream

    def _mark(self, fn, *args):
        try:
            return fn(*args)
        except BrokenPipeError:  # the reader left: main's quiet exit
            raise
        except OSError as e:
            e.ptsfast_stdout = True
            raise

    def write(self, text):
        return self._mark(self._stream.write, text)

    def flush(self):
        return self._mark(self._stream.flush)

    def __getattr__(self, name):
        return getattr(self._stream, name)


def _stdout_failed(a, exc: OSError, stream) -> None:
    """One line for standard output that cannot be written, saying what was kept; the process's own standard output
    then goes nowhere, so that the interpreter's exit does not fail on what it still holds."""
    if stream is sys.__stdout__:
        try:
            os.dup2(os.open(os.devnull, os.O_WRONLY), stream.fileno())
        except (OSError, ValueError):
            pass
    kept = ""
    if a.func in (cmd_mine, cmd_anchors, cmd_demo):
        kept = f"; the run in {a.out} keeps every finished problem - rerun the same command to see its summary"
    print(f"ptsfast: error: {exc} (writing standard output) - free space where it goes, or send it elsewhere{kept}",
          file=sys.stderr)


if __name__ == "__main__":
    sys.exit(main())
