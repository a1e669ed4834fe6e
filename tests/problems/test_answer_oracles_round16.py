"""Answer oracles against answers as models write them, and the multiple-choice early stop's cost.

A hedge names no answer, a right answer in a common spelling passes, every prefix the early stop accepts gives the
whole text's verdict, and the stop's quick lookups give the verdicts of its whole-text scans.
"""

import random

import pytest

from ptsfast.problems import oracles
from ptsfast.problems.loading import Problem
from ptsfast.problems.oracles import answer_complete, extract_choice, oracle_by_name


def P(answer, choices=None):
    return Problem("p1", "q?", answer, None, choices)


def judged(name, text, ref, choices=None):
    return oracle_by_name(name)(text, P(ref, choices))


def assert_stops_only_where_the_verdict_is_known(name, text, refs, choices=None):
    judge = oracle_by_name(name)
    for i in range(len(text) + 1):
        if answer_complete(name, text[:i]):
            for ref in refs:
                assert judge(text[:i], P(ref, choices)) is judge(text, P(ref, choices)), (text[:i], ref)


# ----------------------------------------------------------------- the multiple-choice stop's cost

def whole_text_scans(text):
    """The stop check as it was: every strong pattern read over the whole text, the hedges read first."""
    text = oracles._compatible(text)
    hedged = oracles._inside(oracles._hedged(text, "Z"))
    for p in oracles._MC_STRONG:
        m = next((m for m in p.finditer(text) if not hedged(m.start(m.lastindex))), None)
        if m and oracles._stated_settled(text, m, p):
            return True
    return False


PIECES = ["Answer", "answer", "ANSWER", "anſwer", "rıght", "rİght", "fınal", "Final", "correct", "right", "best",
          "option", "choice", "response", " is ", " should be ", ": ", "：", "**", "(", ")", "[", "]", "$", "\\(",
          "\\)", "\\text{", "}", "\\boxed{", "<answer>", "</answer>", "A", "B", "C", "D", "E", "I", "b", "c", " ", " ",
          "\n", ".", ",", " or ", " and ", "/", "15", " 18", "I choose ", "I'd go with ", "I’ll pick ", "I would select ",
          "答案", "是", "选", "故选", "Respuesta: ", "La respuesta es ", "Jawaban: ", "jawapan ", "Ответ: ", "Đáp án: ",
          "odpowiedź ", "odpowiedz ", "Antwoord: ", "Antwort: ", "svar: ", "sagot ", "’", "×", "—", "½", "²", "Ｃ",
          "Ａｎｓｗｅｒ", "\u212a", "ß", "ﬁnal", "the ", "probably ", "Therefore, ", "it is ", "was not ", "Paris",
          " because", "15 or C. 18", "**B) 15**", "I think", "The fınal choice is ", "the rıght option: ",
          "BEST OPTION "]


def test_the_stop_check_gives_the_verdicts_of_its_whole_text_scans():
    """The stop check read every strong pattern over the whole text and all its hedges at every checked token (1 ms a
    call after 1,024 tokens, 5 ms after 4,096); it now tries each pattern only where its opening word is written and
    reads the hedges once a letter is stated. Random texts of answer words, letters, marks and characters that read as
    ASCII letters in another case (ı, ſ, the Kelvin sign) get the same verdict both ways, each prefix too."""
    rng = random.Random(16)
    complete = 0
    for _ in range(3000):
        text = "".join(rng.choice(PIECES) for _ in range(rng.randint(1, 14)))
        for cut in (len(text), rng.randint(0, len(text))):
            expected = whole_text_scans(text[:cut])
            assert oracles._multiple_choice_complete(text[:cut]) is expected, text[:cut]
            complete += expected
    assert complete > 60  # the texts state letters often enough to test both verdicts


@pytest.mark.parametrize("text", [
    "I think the answer is B because 15 fits.\nAnswer: B\n",
    "I'll pick (C) here.\n",
    "The fınal choice is C.\n",  # a dotless i: the pattern reads it as i, a lower-case lookup would not
    "Het juiste antwoord is C.\n",
    "答案：C\n",
    "Ответ: C\n",
    "Respuesta: B.\n",
])
def test_a_stated_letter_after_a_long_trace_still_stops(text):
    trace = "To find the total, first add the apples: 12 + 7 = 19. Then the answer must cover 15 * 3 = 45. " * 60
    assert oracles._multiple_choice_complete(trace + text) is whole_text_scans(trace + text) is True


def test_a_dutch_stated_choice_text_is_read():
    """``Het juiste antwoord is Parijs.`` named no choice: the Dutch answer word was looked for as ``antwor``, which
    ``antwoord`` does not hold, so the pattern of answer words in other languages was never read on an ASCII text."""
    choices = ("Parijs", "Londen", "Rome", "Berlijn")
    assert extract_choice("Het juiste antwoord is Parijs.", "E", choices) == "A"
    assert judged("multiple_choice", "Antwoord: 15", "B", ("12", "15", "18", "20"))
    assert not judged("multiple_choice", "Het juiste antwoord is Londen.", "A", choices)
