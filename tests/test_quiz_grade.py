"""Grading: one right option, multiple answers all-or-nothing, numbers at their stated precision, orders."""

from __future__ import annotations

import random

import pytest

from study.quiz.grade import AnswerError, expected_letters, grade, parse_number, parse_response
from study.quiz.model import Option, Question, format_number, present, quantize
from study.quiz.select import family, pick


def _q(kind, options, answer, **extra) -> Question:
    return Question(id=f"t.{kind}", section="18.6", rules=("async.retry-attempts",), kind=kind, stem="?",
                    options=tuple(options), answer=answer, explanation="", source="generated", **extra)


SINGLE = _q("single", [Option("3 runs", True, ""), Option("2 runs", False, "", "async-retries-total-attempts"),
                       Option("4 runs", False, "")], "3 runs")
MULTI = _q("multi", [Option("S3", True, ""), Option("SNS", True, ""), Option("SQS", False, ""),
                     Option("ALB", False, "")], ["S3", "SNS"])
COST = _q("numeric", [Option("$1.24", True, ""), Option("$0.12", False, "", "chapter-duration-price")],
          {"value": 1.24, "precision": 0.01, "unit": "USD", "text": "$1.24"})
TIME = _q("numeric", [Option("180 s", True, "")], {"value": 180, "precision": 1, "unit": "s", "text": "180 s"})
MILLIS = _q("numeric", [Option("0.251 s", True, "")], {"value": 0.251, "precision": 0.001, "unit": "s",
                                                         "text": "0.251 s"})
ORDER = _q("order", [Option("b1", True, ""), Option("a1", True, ""), Option("a2", True, "")], ["a1", "b1", "a2"])


def test_single() -> None:
    assert grade(SINGLE, "3 runs")
    assert not grade(SINGLE, "2 runs")
    assert not grade(SINGLE, ["3 runs"])


def test_multi_is_all_or_nothing() -> None:
    assert grade(MULTI, ["SNS", "S3"])
    assert not grade(MULTI, ["S3"])  # a subset
    assert not grade(MULTI, ["S3", "SNS", "SQS"])  # a superset
    assert not grade(MULTI, ["S3", "S3"])
    assert not grade(MULTI, "S3")


def test_costs_are_graded_in_cents() -> None:
    assert grade(COST, 1.24) and grade(COST, "$1.24") and grade(COST, "1.244")
    assert not grade(COST, 1.25) and not grade(COST, "1.2") and not grade(COST, 12.4)


def test_times_are_graded_at_their_precision() -> None:
    assert grade(TIME, 180) and grade(TIME, "180 s") and grade(TIME, "180.4")
    assert not grade(TIME, 181) and not grade(TIME, "179.4")
    assert grade(MILLIS, "0.251") and not grade(MILLIS, "0.25") and not grade(MILLIS, 0.252)
    assert not grade(TIME, "soon")


def test_order() -> None:
    assert grade(ORDER, ["a1", "b1", "a2"])
    assert not grade(ORDER, ["b1", "a1", "a2"])


def test_parse_numbers() -> None:
    assert parse_number("1,250") == 1250 and parse_number("$0.20") == 0.2 and parse_number(" 60 s ") == 60
    with pytest.raises(AnswerError):
        parse_number("about a minute")


def test_letters_follow_the_shuffled_presentation() -> None:
    shown = present(MULTI, 3)
    assert present(MULTI, 3) == shown  # same seed, same order
    assert sorted(o.text for o in shown.options) == sorted(o.text for o in MULTI.options)
    letters = expected_letters(shown)
    assert grade(MULTI, parse_response(shown, letters))
    assert grade(MULTI, parse_response(shown, letters.lower().replace(",", " ")))
    wrong = next(label for label, o in shown.labelled() if not o.correct)
    assert not grade(MULTI, parse_response(shown, wrong))
    orders = {tuple(o.text for o in present(MULTI, s).options) for s in range(20)}
    assert len(orders) > 1  # options really are shuffled per attempt


def test_bad_responses_say_what_is_expected() -> None:
    shown = present(SINGLE, 1)
    with pytest.raises(AnswerError, match="one answer"):
        parse_response(shown, "A,B")
    with pytest.raises(AnswerError, match="not one of the letters"):
        parse_response(shown, "Z")
    with pytest.raises(AnswerError):
        parse_response(shown, "")
    order = present(ORDER, 1)
    with pytest.raises(AnswerError, match="every letter"):
        parse_response(order, "A,B")
    assert grade(ORDER, parse_response(order, expected_letters(order)))
    assert grade(COST, parse_response(present(COST, 1), "$1.24"))


def test_numeric_options_are_listed_by_value() -> None:
    assert [o.text for o in present(COST, 9).options] == ["$0.12", "$1.24"]


def test_quantize_and_format() -> None:
    assert quantize(1.245, 0.01) == 1.25 and quantize(180.5, 1) == 181 and quantize(0.0005, 0.001) == 0.001
    assert format_number(1250.5, 0.01, "USD") == "$1,250.50"
    assert format_number(60, 1, "s") == "60 s" and format_number(10240) == "10,240"


def test_pick_spreads_over_families() -> None:
    qs = [_q("single", SINGLE.options, "3 runs", template=f"fam{i % 5}.ask") for i in range(50)]
    qs = [Question(**{**q.__dict__, "id": f"q{i}"}) for i, q in enumerate(qs)]
    chosen = pick(qs, 10, random.Random(4))
    assert len(chosen) == 10 and len({q.id for q in chosen}) == 10
    fams = [family(q) for q in chosen]
    assert len(set(fams[:5])) == 5
    assert all(a != b for a, b in zip(fams, fams[1:]))
    assert [q.id for q in pick(qs, 10, 4)] == [q.id for q in pick(qs, 10, 4)]


def test_digits_stand_for_letters_up_to_the_options_shown() -> None:
    shown = present(MULTI, 1)
    assert parse_response(shown, "2") == [shown.options[1].text]
    assert parse_response(shown, "1, 3") == [shown.options[0].text, shown.options[2].text]
    single = present(SINGLE, 1)
    assert parse_response(single, "3") == single.options[2].text
    with pytest.raises(AnswerError, match="'4' is not one of the letters shown"):
        parse_response(single, "4")  # three options: 4 stands for nothing
