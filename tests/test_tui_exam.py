"""Exam mode in the TUI (Pilot, 80x24, a fake clock): start a 3-question exam, navigate, flag, answer, submit,
read the score by section and rule, review an item, find the attempt in the history; time running out submits."""

from __future__ import annotations

import asyncio
import io

from clock import Clock
from rich.console import Console

from study.learning.store import FILE_NAME, Store
from study.quiz.protocol import grade_choice, qattr
from study.tui.app import make_app
from study.tui.screens.exam import ConfirmSubmit, ExamScreen
from study.tui.screens.exam_review import ExamItemScreen, ExamReviewScreen
from study.tui.widgets.exam_navigator import ExamNavigator
from study.tui.widgets.question_card import QuestionCard


def text_of(widget) -> str:
    """What a Static shows, as plain text (a Rich table printed at 80 columns)."""
    content = widget.content
    if isinstance(content, str):
        return str(widget.render())
    console = Console(width=80, record=True, file=io.StringIO())
    console.print(content)
    return console.export_text()


def keys_for(card: QuestionCard, right: bool) -> list[str]:
    """The keys that answer the card's question right (or wrong); no Enter."""
    if card.kind == "numeric":
        value = qattr(card.question, "answer")["value"]
        return list(str(value if right else value * 10 + 7))
    if card.kind == "order":
        index = {o["text"]: i for i, o in enumerate(card.options)}
        seq = [index[t] for t in qattr(card.question, "answer")]
        seq = seq if right else seq[::-1]
    elif right:
        seq = [i for i, o in enumerate(card.options) if o["correct"]]
    else:
        seq = [next(i for i, o in enumerate(card.options) if not o["correct"])]
    return [card.label(i).lower() for i in seq]


async def settle(pilot, app) -> None:
    await pilot.pause()
    await app.workers.wait_for_complete()
    await pilot.pause()


def letter_seed(n: int) -> int:
    """A seed whose questions are all answered by letters: keys typed on a number card go into its input box
    (so n and p would not navigate), and which questions a seed draws changes as the bank grows."""
    from study.learning.exam import draw
    from study.quiz import all_questions

    return next(seed for seed in range(50)
                if all(q.kind != "numeric" for q in draw(all_questions(seed=seed), n=n, seed=seed)))


async def start_exam(pilot, app, clock: Clock, n: int, minutes: float) -> ExamScreen:
    await pilot.pause()
    app.store.now = clock  # the session's time comes from the store: no wall clock in the test
    app.open_exam(n=n, minutes=minutes, seed=letter_seed(n))
    await pilot.pause()
    screen = app.screen
    assert isinstance(screen, ExamScreen)
    await pilot.press("enter")  # the start page: the fields hold n and minutes
    await settle(pilot, app)
    assert screen.session is not None and len(screen.session.items) == n
    return screen


def test_exam_navigate_flag_answer_submit_review_history(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("STUDY_HOME", str(tmp_path))
    clock = Clock()

    async def run() -> int:
        app = make_app()
        app.animation_level = "none"
        async with app.run_test(size=(80, 24)) as pilot:
            screen = await start_exam(pilot, app, clock, 3, 30)
            session = screen.session
            card = screen.query_one(QuestionCard)
            assert "30:00" in text_of(screen.query_one("#exam-status"))
            # Navigate: n, n, p; the navigator marks the current question.
            await pilot.press("n", "n", "p")
            assert session.current == 1
            assert [e.current for e in screen.query_one(ExamNavigator).entries] == [False, True, False]
            # Flag question 2 and answer it wrongly; no feedback appears.
            await pilot.press("f", *keys_for(card, False))
            await pilot.pause()
            assert session.items[1].flagged and session.items[1].answered
            assert not card.locked and "Right" not in text_of(card.query_one(".note"))
            # Question 1, right; question 3 stays unanswered.
            await pilot.press("p")
            await pilot.press(*keys_for(card, True))
            await pilot.pause()
            assert grade_choice(session.items[0].question, session.items[0].answer)
            assert session.unanswered() == [2]
            # The countdown follows the clock.
            clock.advance(minutes=5)
            screen.tick()
            assert "25:00" in text_of(screen.query_one("#exam-status"))
            # Submit: an unanswered and a flagged question ask for confirmation first.
            await pilot.press("s")
            await pilot.pause()
            assert session.result is None
            await pilot.press("y")
            await pilot.pause()
            await pilot.pause()
            review = app.screen
            assert isinstance(review, ExamReviewScreen)
            result = review.result
            assert result.correct == 1 and result.total == 3
            assert "Score 1/3" in text_of(review.query_one("#review-summary"))
            assert sum(t.total for t in result.by_section.values()) == 3
            assert sum(t.correct for t in result.by_section.values()) == 1
            assert result.by_rule and all(t.total >= 1 for t in result.by_rule.values())
            sections = text_of(review.query_one("#review-by-section"))
            for section in result.by_section:
                assert section in sections
            rules = text_of(review.query_one("#review-by-rule"))
            assert next(iter(result.by_rule)) in rules
            # Review item 2: the answer given, every option's why, the flag.
            await pilot.press("2", "down", "down", "enter")
            await pilot.pause()
            item_screen = app.screen
            assert isinstance(item_screen, ExamItemScreen) and item_screen.idx == 1
            item_card = item_screen.query_one(QuestionCard)
            assert item_card.locked
            meta = text_of(item_card.query_one(".meta"))
            assert "wrong" in meta and "flagged" in meta
            if item_card.kind != "numeric":
                bodies = " ".join(text_of(w.query_one(".opt-body")) for w in item_card.query(".option") if w.display)
                assert "(yours)" in bodies
                for option in item_card.options:
                    assert option["why"] in bodies
            await pilot.press("escape", "escape")
            await pilot.pause()
            # The start page lists the attempt. (Seed 0, the one drawn above: the page draws its pool in the
            # background, and a seed from the clock would generate a whole bank nobody reads.)
            app.open_exam(seed=0)
            await pilot.pause()
            history = app.screen.query_one("#exam-history")
            assert history.option_count == 1 and "1/3" in str(history.get_option_at_index(0).prompt)
            return result.summary.id

    exam_id = asyncio.run(run())
    with Store(tmp_path / FILE_NAME) as again:
        (summary,) = again.exam_history()
        assert summary.id == exam_id and summary.correct == 1 and summary.n == 3 and not summary.timed_out
        assert {a.source for a in again.answers()} == {"exam"}  # submission reviewed the rules


def test_time_running_out_submits(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("STUDY_HOME", str(tmp_path))
    clock = Clock()

    async def run() -> None:
        app = make_app()
        app.animation_level = "none"
        async with app.run_test(size=(80, 24)) as pilot:
            screen = await start_exam(pilot, app, clock, 2, 1)
            card = screen.query_one(QuestionCard)
            await pilot.press(*keys_for(card, True))
            await pilot.pause()
            clock.advance(seconds=59)
            screen.tick()
            assert screen.session.result is None and "00:01" in text_of(screen.query_one("#exam-status"))
            await pilot.press("s")  # one unanswered: the confirmation is still open when time runs out
            await pilot.pause()
            assert isinstance(app.screen, ConfirmSubmit)
            clock.advance(seconds=2)
            screen.tick()
            await settle(pilot, app)
            await pilot.pause()
            review = app.screen
            assert isinstance(review, ExamReviewScreen)
            assert review.result.summary.timed_out and review.result.correct == 1
            assert "Time ran out" in text_of(review.query_one("#review-summary"))
            assert screen not in app.screen_stack and not any(isinstance(s, ConfirmSubmit) for s in app.screen_stack)

    asyncio.run(run())


def test_an_attempt_left_open_resumes_with_its_answers(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("STUDY_HOME", str(tmp_path))
    clock = Clock()

    async def run() -> None:
        app = make_app()
        app.animation_level = "none"
        async with app.run_test(size=(80, 24)) as pilot:
            screen = await start_exam(pilot, app, clock, 2, 10)
            card = screen.query_one(QuestionCard)
            await pilot.press(*keys_for(card, True))
            await pilot.pause()
            given = screen.session.items[0].answer
            await pilot.press("escape")  # leave: the attempt is kept
            await pilot.pause()
            assert not isinstance(app.screen, ExamScreen)
            clock.advance(minutes=3)
            app.open_exam(seed=0)  # the seed of the pool drawn in the background (see above), not of the attempt
            await pilot.pause()
            again = app.screen
            assert again.open_attempt is not None and again.session is None
            await pilot.press("r")
            await pilot.pause()
            session = again.session
            assert session is not None and session.items[0].answer == given
            assert "07:00" in text_of(again.query_one("#exam-status"))  # the clock kept running while away
            assert again.query_one(QuestionCard).answer == given

    asyncio.run(run())


def test_exam_sections_are_chosen_on_the_start_page_and_the_pool_is_ready_before_start(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("STUDY_HOME", str(tmp_path))
    clock = Clock()

    async def run() -> None:
        app = make_app()
        app.animation_level = "none"
        async with app.run_test(size=(100, 24)) as pilot:
            await pilot.pause()
            app.store.now = clock
            app.open_exam(n=4, minutes=10, seed=0)
            await settle(pilot, app)
            screen = app.screen
            assert isinstance(screen, ExamScreen)
            assert screen.prepared.is_set() and screen.pool is not None  # drawn while the start page shows
            box = screen.query_one("#exam-sections")
            box.value = "banana"
            box.focus()
            await pilot.press("enter")
            await settle(pilot, app)
            assert screen.session is None  # a bad section is refused with a message, nothing starts
            box.value = "6, 18.13"
            await pilot.press("enter")
            await settle(pilot, app)
            assert screen.session is not None
            sections = {qattr(it.question, "section").split(".")[1] for it in screen.session.items}
            assert sections <= {"6", "13"} and len(screen.session.items) == 4
            # The real exam's forms only: one of four, or two or three of five.
            assert {qattr(it.question, "kind") for it in screen.session.items} <= {"single", "multi"}

    asyncio.run(run())
