"""What a mining run is configured by: :class:`MineOptions`, the one configuration a user writes.

The search's :class:`~ptsfast.mining.MiningConfig`, the engine's :class:`~ptsfast.engine.EngineConfig` and the
rollouts' :class:`~ptsfast.engine.SamplingParams` are all derived from it here, in one place.
"""

from __future__ import annotations

import math
import os
import re
from dataclasses import asdict, dataclass, field, replace

from ptsfast.engine import EngineConfig, SamplingParams
from ptsfast.engine.sequence import check_sampler
from ptsfast.mining.types import MiningConfig
from ptsfast.problems.oracles import canonical_oracle_name, oracle_by_name, stop_strings
from ptsfast.problems.loading import read_template
from ptsfast.mining.seeds import stable_seed


@dataclass(frozen=True)
class MineOptions:
    """Everything a mining run is configured by; saved in ``run.json`` so a resume uses the same settings."""

    oracle: str = "gsm8k"
    oracle_timeout: float = 30.0
    trajectories_per_problem: int = 1
    problems_per_batch: int = 8
    """Problems mined at once (their trajectories share the engine); a finished one is replaced at once."""
    max_new_tokens: int = 256
    temperature: float = 1.0
    top_k: int = 0
    top_p: float = 1.0
    seed: int = 0
    system_prompt: str | None = None
    chat_template: str | None = None
    use_chat_template: bool = True
    mining: MiningConfig = field(default_factory=MiningConfig)
    engine: EngineConfig = field(default_factory=EngineConfig)
    unsafe_code_oracle: bool = False  # let the code oracle run without namespace isolation where there is none
    min_p: float = 0.0  # HF's min_p (0 = off); last, so positional construction keeps its meaning

    def __post_init__(self) -> None:
        for f_ in _SCALARS:  # a numpy scalar or 0-d tensor as its Python value (SamplingParams takes them; json too)
            v = getattr(self, f_)
            if not isinstance(v, (int, float, str)) and getattr(v, "ndim", None) == 0 and hasattr(v, "item"):
                object.__setattr__(self, f_, v.item())
        if isinstance(self.chat_template, os.PathLike):  # a template file's Path: 'must be a str', said of a file
            object.__setattr__(self, "chat_template", os.fspath(self.chat_template))
        validate_options(self)
        if self.chat_template:  # a file read once: run.json records the template used, a resume compares texts
            try:
                template = read_template(self.chat_template)
            except UnicodeDecodeError as e:  # said without the file or the flag
                raise ValueError(f"chat_template (--chat-template) {self.chat_template!r}: the file is not UTF-8 text "
                                 f"(byte {e.object[e.start:e.start + 1]!r} at {e.start}); give a Jinja template's text "
                                 f"file or its text") from None
            object.__setattr__(self, "chat_template", template)

    def search_config(self) -> MiningConfig:
        """The search's configuration: this run's seed, and the rollouts' token budget (unless set; reusing
        rollouts along the solution stays unbiased only when the search knows it). Above temperature 1 the
        rollouts may write a likely token less often than its log-prob says, so the log-prob bound is off."""
        e = self.mining.estimator
        if e.rollout_budget is None:
            e = replace(e, rollout_budget=self.max_new_tokens)
        if self.temperature > 1.0 and e.logprob_bound:
            e = replace(e, logprob_bound=False)
        return replace(self.mining, seed=self.seed, estimator=e)

    def sampling(self, seed: int) -> SamplingParams:
        """How every rollout of the run samples (the paper's p(success) is under the model's own sampling)."""
        return SamplingParams(self.temperature, self.top_k, self.top_p, seed, min_p=self.min_p)

    def trajectory_seed(self, problem_id: str) -> int:
        """Seed of a problem's sampled solutions: a function of the run's seed and the problem alone."""
        return stable_seed(self.seed, "trajectory", problem_id)

    def rollout_room(self) -> int:
        """Most tokens one search rollout may generate (the search's own rule,
        :meth:`~ptsfast.mining.types.EstimatorConfig.rollout_tokens`); a rollout from the end of a solution
        needs this much context."""
        return self.search_config().estimator.rollout_tokens()


_SEED_LIMIT = 1 << 63
_SCALARS = ("oracle_timeout", "trajectories_per_problem", "problems_per_batch", "max_new_tokens", "temperature",
            "top_k", "top_p", "seed", "use_chat_template", "unsafe_code_oracle", "min_p")


_MAX_ORACLE_TIMEOUT = 86400.0


def _int(v) -> bool:
    return isinstance(v, int) and not isinstance(v, bool)


def _real(v) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)


def _not_text(s: str) -> int | None:
    """The position (from 1) of the first character of ``s`` that UTF-8 cannot hold (a lone surrogate), else None."""
    try:
        s.encode("utf-8")
        return None
    except UnicodeEncodeError as e:
        return e.start + 1


def validate_options(o: MineOptions) -> None:
    """Every field checked before a model loads or a file is written: a ``TypeError``/``ValueError`` whose one
    line names the field, its CLI flag and the fix (used by ``MineOptions`` itself, so the CLI and API agree)."""
    def need(ok: bool, field_: str, flag: str | None, rule: str, value, exc=ValueError) -> None:
        if not ok:
            name = f"{field_} ({flag})" if flag else field_
            raise exc(f"{name} must be {rule}, got {value!r}")

    def ints(field_, flag, v, lo):
        need(_int(v), field_, flag, f"an int >= {lo}", v, TypeError)
        need(v >= lo, field_, flag, f"an int >= {lo}", v)

    need(isinstance(o.oracle, str), "oracle", "--oracle", "a built-in oracle name (pass a callable as "
         "mine(..., oracle=fn))", o.oracle, TypeError)
    oracle_by_name(o.oracle)  # an unknown name: ValueError listing the known ones
    # a day at most: the waits on a verdict take no more (1e10 s ended a run in an OverflowError once it judged)
    need(_real(o.oracle_timeout) and 0 < o.oracle_timeout <= _MAX_ORACLE_TIMEOUT, "oracle_timeout",
         "--oracle-timeout", f"a finite number of seconds in (0, {_MAX_ORACLE_TIMEOUT:g}] (a day)", o.oracle_timeout)
    ints("trajectories_per_problem", "--trajectories", o.trajectories_per_problem, 1)
    ints("problems_per_batch", "--problems-per-batch", o.problems_per_batch, 1)
    ints("max_new_tokens", "--max-new-tokens", o.max_new_tokens, 1)
    check_sampler(o, lambda f: f"{f} (--{f.replace('_', '-')})")  # the engine's rule, naming the flags
    # the run seed only seeds stable_seed, whose seeds are 63 bits; it is kept to the same range
    need(_int(o.seed), "seed", "--seed", "an int in [0, 2**63)", o.seed, TypeError)
    need(0 <= o.seed < _SEED_LIMIT, "seed", "--seed", "an int in [0, 2**63)", o.seed)
    need(isinstance(o.use_chat_template, bool), "use_chat_template", "--no-chat-template", "a bool",
         o.use_chat_template, TypeError)
    # "no" would read as True: model-written code run without isolation
    need(isinstance(o.unsafe_code_oracle, bool), "unsafe_code_oracle", "--unsafe-code-oracle", "a bool",
         o.unsafe_code_oracle, TypeError)
    for f_, flag in (("system_prompt", "--system-prompt"), ("chat_template", "--chat-template")):
        v = getattr(o, f_)
        need(v is None or isinstance(v, str), f_, flag, "a str or None", v, TypeError)
        # '' read as no template: the tokenizer's own was used in its place without a word
        need(f_ != "chat_template" or v is None or v.strip(), f_, flag, "a template's text or file, or unset for the "
             "tokenizer's own", v)
        # a raw prompt has no place for it: dropping it silently would record a setting that was never used
        need(v is None or o.use_chat_template, f_, flag, "unset with --no-chat-template (use_chat_template=False "
             "feeds the raw question; put the instruction in the question text, or drop --no-chat-template)", v)
        # a byte that is not UTF-8 in the shell's argument (a Latin-1 file's text, $'\xff') is a lone surrogate:
        # every problem was skipped as 'invalid text', once the model had loaded (a template file's name may be so)
        bad = _not_text(v) if v is not None and (f_ == "system_prompt" or "{" in v) else None
        need(bad is None, f_, flag, f"text (character {bad} is a byte that is not UTF-8: save it as UTF-8 or fix "
             f"the shell's locale)", v)
    need(isinstance(o.mining, MiningConfig), "mining", None, "a MiningConfig", o.mining, TypeError)
    m = o.mining
    need(m.seed in (0, o.seed), "mining.seed", None, "left unset: the run's seed is MineOptions.seed (--seed)",
         m.seed)
    # mining's gap and filter range are checked where its configs are made (MiningConfig, FilterConfig)
    # an EngineConfig checks its own fields when it is made
    need(isinstance(o.engine, EngineConfig), "engine", None, "an EngineConfig", o.engine, TypeError)


RESULT_NEUTRAL = ("model", "oracle_timeout", "problems_per_batch")
"""Recorded settings a resume may change: they do not change results (the model is compared by its weights'
content, not its path; how many problems share the engine and how long a hung oracle is waited for do not
change any problem's records)."""

_FLAGS = {"oracle": "--oracle", "oracle_timeout": "--oracle-timeout", "trajectories_per_problem": "--trajectories",
          "problems_per_batch": "--problems-per-batch", "max_new_tokens": "--max-new-tokens",
          "temperature": "--temperature", "top_k": "--top-k", "top_p": "--top-p", "min_p": "--min-p",
          "seed": "--seed", "mining.seed": "--seed",  # one setting, recorded twice
          "system_prompt": "--system-prompt", "chat_template": "--chat-template",
          "use_chat_template": "the chat template (on unless --no-chat-template)", "model": "--model",
          "mining.gap": "--gap",
          "mining.split": "--split", "mining.estimator.batch_size": "--batch-rollouts",
          "mining.estimator.max_rollouts": "--max-rollouts", "mining.estimator.key_max_rollouts": "--key-max-rollouts",
          "mining.estimator.accept_confidence": "--accept-confidence",
          "mining.estimator.confirm_rollouts": "--confirm",
          "mining.filter.enabled": "the problem filter (on unless --no-filter)",
          "mining.filter.p_min": "--p-min", "mining.filter.p_max": "--p-max",
          # ptsfast anchors' own settings
          "anchors.threshold": "--threshold", "anchors.batch_size": "--batch-rollouts",
          "anchors.max_rollouts": "--max-rollouts", "anchors.confidence": "--confidence",
          "anchors.similarity_threshold": "--similarity-threshold",
          "anchors.numbers_must_match": "the number rule (on unless --any-numbers)",
          "anchors.facts_must_match": "the claim rule (on unless --any-claims)",
          "similarity": "the similarity (token overlap unless --embedding-model)"}


def setting_flag(key: str) -> str:
    """The CLI flag of a dotted ``run.json`` config key (``mining.gap`` -> ``--gap``)."""
    if key in _FLAGS:
        return _FLAGS[key]
    parts = key.split(".")
    if len(parts) == 3 and parts[0] == "mining":  # the generated flags: --estimator-growth, --pairs-min-count, ...
        return f"--{parts[1]}-{parts[2].replace('_', '-')}"
    return key


_PYTHON_NAMES = {"model": "model_name", "mining.seed": "MineOptions.seed",  # one setting, recorded twice
                 "similarity": "AnchorOptions.embedding_model"}


def python_caller() -> bool:
    """Whether the run was asked for through the Python API (``mine``, ``find_anchors``), not the command line: the
    caller :func:`~ptsfast.outputs.rundir.named_by` recorded, who is told in their own words."""
    from ptsfast.outputs.rundir import PYTHON_CALLER  # the one record of the caller, which RunDirError reads too

    return bool(PYTHON_CALLER.get())


def setting_name(key: str) -> str:
    """A dotted ``run.json`` config key as its caller set it: the CLI flag (``--seed``), or for a Python caller the
    option (``MineOptions.seed``, ``AnchorOptions.anchors.threshold``), who has no flag to pass."""
    if not python_caller():
        return setting_flag(key)
    if key in _PYTHON_NAMES:
        return _PYTHON_NAMES[key]
    return f"AnchorOptions.{key}" if key.startswith("anchors.") else f"MineOptions.{key}"


_SAMPLER_FLAGS = re.compile(r"--(temperature|top-k|top-p|min-p) (\S+)(?: --(?:temperature|top-k|top-p|min-p) \S+)*")


def in_callers_words(text: str) -> str:
    """``text`` with its sampler flags and values (``--temperature 0.6 --top-p 0.95``) as a Python caller sets them
    (``MineOptions(temperature=0.6, top_p=0.95)``); as it is for the command line."""
    if not python_caller():
        return text

    def call(m: re.Match) -> str:
        pairs = re.findall(r"--([\w-]+) (\S+)", m.group(0))
        return "MineOptions(" + ", ".join(f"{k.replace('-', '_')}={v}" for k, v in pairs) + ")"

    return _SAMPLER_FLAGS.sub(call, text)


def run_settings(options: MineOptions, model_name: str) -> dict:
    """What identifies a run (a resume must match it); engine limits do not change results."""
    d = asdict(options)
    d.pop("engine")
    d.pop("unsafe_code_oracle")  # how code is isolated does not change verdicts
    d["mining"]["seed"] = options.seed  # runs recorded before the seed was set in one place carry it here too
    d["oracle"] = canonical_oracle_name(options.oracle)  # "GSM8K" and "gsm8k" are one oracle
    if not d["min_p"]:  # runs recorded before min-p existed sampled without it: the same run
        del d["min_p"]
    d["top_k"] = max(d["top_k"], 0)  # top_k 0 and -1 are the one sampler without it
    return {"model": model_name, **d}


def record_meta(options: MineOptions, settings: dict) -> dict:
    """Run settings repeated in every record (model, seed, oracle, sampler): what a re-estimate of a record needs
    to draw the rollouts the search drew (``top_k`` 0 for off, as ``generate`` takes it; the rollouts' budget where
    the Python API set it apart from ``max_new_tokens``; the oracle's stop strings)."""
    budget = options.search_config().estimator.rollout_budget
    return {"model": settings["model"], "seed": options.seed, "oracle": settings["oracle"],
            "sampler": {"temperature": options.temperature, "top_k": max(options.top_k, 0), "top_p": options.top_p,
                        **({"min_p": options.min_p} if options.min_p else {}),
                        "max_new_tokens": options.max_new_tokens,
                        **({"rollout_max_new_tokens": budget} if budget != options.max_new_tokens else {}),
                        "stop_strings": list(stop_strings(settings.get("oracle", "")))}}
