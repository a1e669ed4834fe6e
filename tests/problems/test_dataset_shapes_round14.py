"""Dataset rows as real datasets publish them, round 14: multiple-choice columns named as their datasets name them."""

from helpers.rows import load

ARABIC_MMLU = {"ID": 1, "Source": "https://example.org/exam",
               "Country": "Jordan", "Group": "Humanities",
               "Subject": "History", "Level": "Primary", "Question": "ما عاصمة الأردن؟", "Context": None,
               "Answer Key": "B", "Option 1": "دمشق", "Option 2": "عمّان", "Option 3": "القاهرة", "Option 4": "بغداد",
               "Option 5": None, "is_few_shot": 0}


def test_arabic_mmlu_rows_show_their_numbered_option_columns_and_take_the_answer_key(tmp_path):
    # MBZUAI/ArabicMMLU keeps its choices in 'Option 1'..'Option 5' (the fifth often empty) and the right one's
    # letter in 'Answer Key': the row was refused for a missing answer, and with --answer-field 'Answer Key' the
    # model was asked the question without its choices, so a reply 'B' was right by luck alone
    for flags in ((), ("--answer-field", "Answer Key")):
        p, = load(tmp_path, [ARABIC_MMLU], *flags).problems
        assert p.answer == "B" and p.choices == ("دمشق", "عمّان", "القاهرة", "بغداد")
        assert "عمّان" in p.question and "بغداد" in p.question
    five = {**ARABIC_MMLU, "Option 5": "الرياض", "Answer Key": "E"}
    p, = load(tmp_path, [five]).problems
    assert p.answer == "E" and len(p.choices) == 5 and "الرياض" in p.question
    context = {**ARABIC_MMLU, "Context": "نص عن المدن العربية."}
    assert load(tmp_path, [context]).problems[0].question.startswith("نص عن المدن العربية.")
