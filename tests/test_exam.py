"""Exam mode: drawn across sections for a seed, timed with an injected clock, graded only on submission,
scored by section and rule, kept in the history and reviewable afterwards."""

from __future__ import annotations

from datetime import timedelta

import pytest
from clock import T0, Clock

from study.content import top_section
from study.export import bank_questions
from study.learning.exam import ExamClosed, ExamSession, draw, load_result
from study.learning.store import Store, Tally
from study.quiz.protocol import correct_choice


def _q(qid, section, rules, correct, kind="single", scenario=None) -> dict:
    return {"id": qid, "section": section, "rules": rules, "kind": kind, "stem": f"stem {qid}",
            "options": [{"text": f"{qid} opt {i}", "correct": i in correct, "why": f"why {i}"} for i in range(4)],
            "scenario": scenario}


# Five questions over three sections; q4 is multiple answer (options 0 and 2), q5 has a scenario to replay.
QUESTIONS = [
    _q("q1", "18.6", ["async.retry-schedule"], {1}),
    _q("q2", "18.6.4", ["async.dlq", "async.retry-schedule"], {3}),
    _q("q3", "18.9", ["sqs.redrive"], {0}),
    _q("q4", "18.9", ["sqs.redrive", "sqs.batching"], {0, 2}, kind="multi"),
    _q("q5", "18.12", ["stream.bisect"], {2}, scenario={"function": {"name": "f"}, "events": []}),
]


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def store(tmp_path, clock) -> Store:
    return Store(tmp_path / "p.sqlite3", now=clock)


def test_draw_is_deterministic_and_spread_across_sections() -> None:
    bank = bank_questions()
    first = [q["id"] for q in draw(bank, 20, seed=3)]
    assert first == [q["id"] for q in draw(bank, 20, seed=3)]
    assert first != [q["id"] for q in draw(bank, 20, seed=4)]
    assert len(set(first)) == 20
    # 20 questions over the 20 sections of the chapter: one from each.
    sections = sorted({top_section(q["section"]) for q in draw(bank, 20, seed=3)})
    assert len(sections) == 20
    counts = {}
    for q in draw(bank, 45, seed=1):
        counts[top_section(q["section"])] = counts.get(top_section(q["section"]), 0) + 1
    assert max(counts.values()) - min(counts.values()) <= 1
    assert {top_section(q["section"]) for q in draw(bank, 10, seed=1, sections=["18.6", "18.9"])} == {
        "18.6", "18.9"}
    assert len(draw(QUESTIONS, 20, seed=0)) == 5  # never more than there are


def _take(store, clock, **kw) -> ExamSession:
    session = ExamSession.start(store, QUESTIONS, n=5, minutes=30, seed=kw.pop("seed", 11), **kw)
    return session


def _right(item) -> list[str]:
    return [item.question["options"][i]["text"] for i in correct_choice(item.question)]


def _by_id(session, qid):
    return next(it for it in session.items if it.question["id"] == qid)


def test_take_submit_review_and_history(store, clock) -> None:
    session = _take(store, clock)
    assert session.remaining() == timedelta(minutes=30)
    ids = [it.question["id"] for it in session.items]
    assert sorted(ids) == ["q1", "q2", "q3", "q4", "q5"]
    # Answers are option texts (as the TUI passes them): q2 wrong, q4 only half right (so wrong), q5 blank.
    answers = {"q1": [1], "q2": [0], "q3": [0], "q4": [0]}
    for qid, picks in answers.items():
        item = _by_id(session, qid)
        session.goto(item.idx)
        clock.advance(seconds=40)
        session.answer([f"{qid} opt {i}" for i in picks])
    session.toggle_flag(_by_id(session, "q4").idx)
    nav = session.navigator()
    assert [n.answered for n in nav] == [it.question["id"] in answers for it in session.items]
    assert [n.flagged for n in nav] == [it.question["id"] == "q4" for it in session.items]
    assert sum(n.current for n in nav) == 1
    assert session.unanswered() == [_by_id(session, "q5").idx]
    # No feedback before submission.
    assert all(it.correct is None for it in session.items)
    clock.advance(minutes=5)
    result = session.submit()
    assert (result.correct, result.total) == (2, 5) and result.score == pytest.approx(0.4)
    assert result.by_section == {"18.6": Tally(1, 2), "18.9": Tally(1, 2), "18.12": Tally(0, 1)}
    assert result.by_rule == {"async.dlq": Tally(0, 1), "async.retry-schedule": Tally(1, 2),
                              "sqs.batching": Tally(0, 1), "sqs.redrive": Tally(1, 2), "stream.bisect": Tally(0, 1)}
    assert not result.summary.timed_out and result.summary.finished == T0 + timedelta(seconds=160, minutes=5)

    history = Store(store.path).exam_history()
    assert [(h.id, h.correct, h.n, h.seed) for h in history] == [(session.exam_id, 2, 5, 11)]
    review = load_result(Store(store.path), session.exam_id)
    assert [(it.question["id"], it.answer, it.correct, it.flagged) for it in review.items] == [
        (it.question["id"], it.answer, it.correct, it.flagged) for it in result.items]
    q5 = next(it for it in review.items if it.question["id"] == "q5")
    assert q5.answer is None and q5.correct is False
    assert q5.question["scenario"] == {"function": {"name": "f"}, "events": []}  # replayable
    right = [o for o in q5.question["options"] if o["correct"]]
    assert [(o["text"], o["why"]) for o in right] == [("q5 opt 2", "why 2")]  # every option keeps its why
    assert review.by_rule == result.by_rule
    # Submitting reviewed every item's rules in the scheduler, as exam answers.
    exam_answers = store.answers("exam")
    assert sorted(a.question_id for a in exam_answers) == sorted(ids) and len(exam_answers) == 5
    assert store.reps()["sqs.redrive"] == 2
    with pytest.raises(ExamClosed):
        session.answer([1])
    assert session.submit() is result


def test_time_runs_out(store, clock) -> None:
    session = _take(store, clock)
    session.answer(_right(session.items[0]))
    clock.advance(minutes=29, seconds=59)
    session.toggle_flag()
    clock.advance(seconds=2)
    assert session.expired and session.remaining() == timedelta(0)
    with pytest.raises(ExamClosed):
        session.answer([0])
    result = session.submit()
    assert result.summary.timed_out and result.summary.finished == T0 + timedelta(minutes=30)
    assert result.correct == 1
    # Time on screen counts up to the deadline, not past it.
    assert sum(it.seconds for it in result.items) == pytest.approx(30 * 60)


def test_answers_are_kept_as_given_and_an_attempt_can_resume(store, clock) -> None:
    session = _take(store, clock)
    first = session.items[0]
    session.answer(_right(first))
    session.toggle_flag()
    # The app closes here without submitting.
    other = Store(store.path, now=clock)
    assert other.exam_history()[0].finished is None
    resumed = ExamSession.resume(other, session.exam_id)
    assert resumed.items[0].answer == _right(first) and resumed.items[0].flagged
    for it in resumed.items[1:]:
        resumed.goto(it.idx)
        resumed.answer(_right(it))
    assert resumed.submit().correct == 5
    with pytest.raises(ExamClosed):
        ExamSession.resume(other, session.exam_id)


def test_multiple_answer_is_all_or_nothing(store, clock) -> None:
    for picks, right in (([0, 2], True), ([2, 0], True), ([0], False), ([0, 1, 2], False), ([], False)):
        session = ExamSession.start(store, [QUESTIONS[3]], n=1, minutes=5, seed=0)
        if picks:
            session.answer([f"q4 opt {i}" for i in picks])
        assert session.submit().items[0].correct is right, picks


def test_options_are_shuffled_per_attempt_and_kept_as_shown(store, clock) -> None:
    orders = []
    for seed in (0, 0, 1, 2, 3):
        session = ExamSession.start(store, QUESTIONS, n=5, minutes=5, seed=seed)
        orders.append({it.question["id"]: [o["text"] for o in it.question["options"]] for it in session.items})
        item = _by_id(session, "q1")
        shown = [o["text"] for o in item.question["options"]]
        # An index answer means the option at that place in the order shown.
        session.answer([shown.index("q1 opt 1")], idx=item.idx)
        result = session.submit()
        assert _by_id(result, "q1").correct
        kept = load_result(store, session.exam_id)
        assert [o["text"] for o in _by_id(kept, "q1").question["options"]] == shown
    assert orders[0] == orders[1]
    assert len({tuple(o["q1"]) for o in orders}) > 1
    plain = ExamSession.start(store, QUESTIONS, n=5, minutes=5, seed=0, shuffle=False)
    assert [o["text"] for o in _by_id(plain, "q1").question["options"]] == [f"q1 opt {i}" for i in range(4)]


def test_the_grade_function_is_the_callers(store, clock) -> None:
    calls = []

    def grade(question, answer):
        calls.append((question["id"], answer))
        return answer == "yes"

    session = ExamSession.start(store, QUESTIONS[:2], n=2, minutes=5, seed=0, grade=grade)
    session.answer("yes", idx=0)
    session.answer("no", idx=1)
    result = session.submit()
    assert [it.correct for it in result.items] == [True, False] and len(calls) == 2


def test_bad_requests(store) -> None:
    with pytest.raises(ValueError):
        ExamSession.start(store, [], n=5)
    with pytest.raises(ValueError):
        ExamSession.start(store, QUESTIONS, n=0)
    session = ExamSession.start(store, QUESTIONS, n=2, minutes=5)
    with pytest.raises(IndexError):
        session.goto(2)


def test_exam_with_model_questions_their_grading_and_resume(store, clock) -> None:
    from study.quiz.grade import grade
    from study.quiz.model import Option, Question

    def make(qid, section, rule, kind, right, wrong, answer):
        options = tuple([Option(t, True, "right") for t in right] + [Option(t, False, "wrong") for t in wrong])
        return Question(qid, section, (rule,), kind, f"stem {qid}", options, answer, "explained", "generated")

    def rebuild(snap: dict) -> Question:
        options = tuple(Option(o["text"], o["correct"], o["why"]) for o in snap["options"])
        answer = snap["answer"]
        return Question(snap["id"], snap["section"], tuple(snap["rules"]), snap["kind"], snap["stem"], options,
                        answer, snap["explanation"], snap["source"])

    questions = [make("m1", "18.6", "async.retry-schedule", "single", ["yes"], ["no"], "yes"),
                 make("m2", "18.9", "sqs.redrive", "multi", ["a", "b"], ["c"], ["a", "b"]),
                 make("m3", "18.12", "stream.bisect", "numeric", ["180"], ["120"],
                      {"value": 180, "precision": 1, "unit": None})]
    session = ExamSession.start(store, questions, n=3, minutes=10, seed=5, grade=grade)
    given = {"m1": "yes", "m2": ["b", "a"], "m3": 180}
    first = session.items[0]
    session.answer(given[first.question["id"]])
    resumed = ExamSession.resume(Store(store.path, now=clock), session.exam_id, grade=grade, rebuild=rebuild)
    for it in resumed.items[1:]:
        resumed.answer(given[it.question["id"]], idx=it.idx)
    result = resumed.submit()
    assert result.correct == 3 and result.by_section == {"18.6": Tally(1, 1), "18.9": Tally(1, 1),
                                                         "18.12": Tally(1, 1)}
