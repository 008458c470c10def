"""SQS pollers do not see reserved concurrency (rules.yaml `sqs.throttled-batch`): the lab, the misconception and
the generated questions built on it."""

from __future__ import annotations

from study.paths import labs_dir
from study.quiz.generate import generate
from study.sim.expect import resolve
from study.sim.run import simulate_file


def test_reserved_caps_pollers_misconception_changes_the_outcome() -> None:
    lab = labs_dir() / "18.13-sqs-reserved-throttle-dlq.yaml"
    real = simulate_file(lab)
    wrong = simulate_file(lab, frozenset({"reserved-caps-pollers"}))
    assert real["summary"]["throttles"] > 0
    assert [d["inputs"] for d in real["deliveries"]] == [["m5"]]
    # The wrong belief: the pollers wait for free concurrency, so nothing is throttled and nothing is redriven.
    assert wrong["summary"]["throttles"] == 0
    assert resolve(wrong, "deliveries[*].inputs") == []


def test_generated_questions_offer_the_misconception_as_a_wrong_option() -> None:
    questions = [q for q in generate(0) if q.template.startswith("sqs-reserved-throttle.")]
    assert {q.template for q in questions} == {"sqs-reserved-throttle.dlq", "sqs-reserved-throttle.throttles"}
    with_mc = [q for q in questions
               if any(o.misconception == "reserved-caps-pollers" and not o.correct for o in q.options)]
    assert len(with_mc) >= len(questions) // 2
    for q in with_mc:
        right = [o.text for o in q.options if o.correct]
        wrong = [o.text for o in q.options if o.misconception == "reserved-caps-pollers"]
        assert right and wrong and right[0] != wrong[0]
    # The keys vary with the parameters: the template is not a constant answer.
    assert len({next(o.text for o in q.options if o.correct) for q in questions}) >= 4
