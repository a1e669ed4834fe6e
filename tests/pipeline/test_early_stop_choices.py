"""The multiple-choice early stop where a choice's text opens as another choice's letter (``C. elegans``)."""

from types import SimpleNamespace

from ptsfast.mining import ProbeRequest
from ptsfast.pipeline import MineOptions
from ptsfast.pipeline.probes import EngineSampler, OracleStops, TrajectoryContext
from ptsfast.problems.loading import Problem
from ptsfast.problems.oracles import answer_complete, make_judge, stops_early

WORMS = Problem("worm", "Which organism has 302 neurons?", answer="B",
                choices=("Drosophila melanogaster", "C. elegans", "Mus musculus", "Danio rerio"))
LABELLED = Problem("capital", "Capital of France?", answer="A", choices=("A. Paris", "B. London", "C. Rome"))
PLAIN = Problem("plain", "Capital of France?", answer="A", choices=("Paris", "London", "Rome", "Berlin"))
WRITTEN = "Answer: C. elegans, whose 302 neurons are mapped."


class Chars:
    """A tokenizer of one character a token."""

    def batch_decode(self, ids, skip_special_tokens=True):
        return ["".join(map(chr, x)) for x in ids]


class StoppingEngine:
    """Every rollout writes ``text`` up to where its ``stop_fn`` first says the answer is complete."""

    def __init__(self, text):
        self.ids, self.written = [ord(c) for c in text], []

    def rollout(self, requests, progress=None):
        out = []
        for r in requests:
            n = next((j for j in range(1, len(self.ids) + 1) if r.stop_fn and r.stop_fn(self.ids[:j])),
                     len(self.ids))
            self.written.append("".join(map(chr, self.ids[:n])))
            out.append([SimpleNamespace(tokens=tuple(self.ids[:n]))] * r.n)
        return out


def test_the_judge_reads_the_initial_as_the_choice_it_opens():
    judge = make_judge("multiple_choice")
    assert judge(WRITTEN, WORMS).success  # B, C. elegans
    assert not judge("Answer: C.", WORMS).success  # what the early stop cut it to: C
    assert answer_complete("multiple_choice", "Answer: C.\n")  # without the choices the letter is complete


def test_rollouts_of_a_problem_whose_choice_opens_as_a_letter_never_stop_at_a_stated_letter():
    assert not stops_early("multiple_choice", WORMS)
    # choices labelled with their own letters, or plain texts, stop as before (no rollout runs longer)
    assert stops_early("multiple_choice", LABELLED) and stops_early("multiple_choice", PLAIN)
    assert stops_early("multiple_choice")
    stops = OracleStops.of("multiple_choice")
    assert stops.stop_fn(Chars(), [], WORMS) is None
    assert stops.stop_fn(Chars(), [], PLAIN) is not None


def test_a_probe_judges_the_whole_answer_where_the_stop_would_have_cut_the_initial():
    for problem, success, written in ((WORMS, True, WRITTEN), (PLAIN, True, "Answer: A.\nParis it is.")):
        engine = StoppingEngine(written)
        sampler = EngineSampler(engine, Chars(), make_judge("multiple_choice"), MineOptions(max_new_tokens=64),
                                {"k": TrajectoryContext(0, 3, (), problem)}, stops=OracleStops.of("multiple_choice"))
        (outs,) = sampler([ProbeRequest("k", 0, 2, 0, (), None)])
        assert [o.success for o in outs] == [success, success]
        # the worm problem's rollouts ran to the end of what was written; the plain one's stopped at its line's end
        assert engine.written == [written if problem is WORMS else "Answer: A.\n"]


def test_a_check_given_without_an_oracles_name_stops_every_problem():
    # OracleStops made by hand (a test's, a caller's own check): there is no oracle to ask about the problem
    stops = OracleStops((), lambda text: "Answer" in text)
    assert stops.complete(WORMS) is not None and stops.stop_fn(Chars(), [], WORMS) is not None
