"""Grading: one right option, all-or-nothing for multiple answers, numbers at their stated precision, orders."""

from __future__ import annotations

import re
from typing import Any

from study.quiz.model import Presented, Question, quantize


class AnswerError(ValueError):
    """A response that cannot be read (not a letter shown, not a number): say what was expected."""


def grade(question: Question, response: Any) -> bool:
    """True when `response` is right. single: an option text; multi: texts (all and only the right ones);
    numeric: a number (or text of one) within half the precision of the answer; order: texts in order."""
    kind = question.kind
    if kind == "single":
        return isinstance(response, str) and response == question.answer
    if kind == "multi":
        if isinstance(response, str) or not hasattr(response, "__iter__"):
            return False
        return set(response) == set(question.answer) and len(set(response)) == len(list(response))
    if kind == "numeric":
        try:
            given = parse_number(response) if isinstance(response, str) else float(response)
        except (AnswerError, TypeError, ValueError):
            return False
        ans = question.answer
        precision = ans["precision"]
        # Graded at the stated precision: both sides rounded to it, then compared.
        return quantize(given, precision) == quantize(ans["value"], precision)
    if kind == "order":
        return list(response) == list(question.answer)
    return False


_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)$")


def parse_number(text: str) -> float:
    """'180', '180 s', '$1.24', '1,250' -> a float."""
    t = str(text).strip().lower().replace("$", "").replace(",", "").replace("usd", "")
    t = re.sub(r"\s*(seconds?|secs?|s|ms|gb-s|runs?|times?)$", "", t).strip()
    if not _NUMBER.match(t):
        raise AnswerError(f"expected a number, got {text!r}")
    return float(t)


def parse_response(shown: Presented, raw: str) -> Any:
    """What a learner typed, in the terms `grade` takes: letters for single/multi/order, a number for numeric."""
    q = shown.question
    text = (raw or "").strip()
    if q.kind == "numeric":
        return parse_number(text)
    # 1, 2, 3 ... stand for A, B, C ... (a number pad, or habit from other quizzes)
    letters = [chr(ord("A") + int(x) - 1) if x.isdigit() and 1 <= int(x) <= len(shown.options) else x
               for x in re.split(r"[\s,;]+", text.upper()) if x]
    if not letters:
        raise AnswerError("expected a letter such as A" + (" or several such as A,C" if q.kind != "single" else ""))
    valid = {shown.label(i): o for i, o in enumerate(shown.options)}
    for x in letters:
        if x not in valid:
            raise AnswerError(f"{x!r} is not one of the letters shown ({', '.join(valid)})")
    if q.kind == "single":
        if len(letters) != 1:
            raise AnswerError("This question has one answer: type a single letter")
        return valid[letters[0]].text
    if q.kind == "order":
        if sorted(letters) != sorted(valid):
            raise AnswerError(f"put every letter in order once, e.g. {','.join(valid)}")
        return [valid[x].text for x in letters]
    if len(set(letters)) != len(letters):
        raise AnswerError("Each letter once, please")
    return [valid[x].text for x in letters]


def expected_letters(shown: Presented) -> str:
    """The right answer as the learner would type it for this presentation."""
    q = shown.question
    if q.kind == "numeric":
        return str(q.answer["value"])
    labels = {o.text: shown.label(i) for i, o in enumerate(shown.options)}
    if q.kind == "single":
        return labels[q.answer]
    if q.kind == "order":
        return ",".join(labels[t] for t in q.answer)
    return ",".join(sorted(labels[t] for t in q.answer))
