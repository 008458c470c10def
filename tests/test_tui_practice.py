"""Practice in the TUI as a learner uses it (Pilot, 80x24): an item answered right and one wrong, every option
explained, the answers committed to the progress store, and "watch it" opening a simulation question's lab."""

from __future__ import annotations

import asyncio
import types

import yaml

from study.content import load_rules
from study.learning.store import FILE_NAME, Store
from study.quiz import all_questions
from study.quiz.pool import QuestionPool
from study.quiz.protocol import qattr
from study.tui.app import make_app
from study.tui.screens.lab import LabScreen
from study.tui.screens.practice import PracticeScreen
from study.tui.widgets.question_card import QuestionCard


def text_of(widget) -> str:
    return str(widget.render())


def keys_for(card: QuestionCard, right: bool) -> list[str]:
    """The keys a learner presses to answer the card's question right (or wrong), Enter included."""
    if card.kind == "numeric":
        value = qattr(card.question, "answer")["value"]
        return [*str(value if right else value * 10 + 7), "enter"]
    correct = [i for i, o in enumerate(card.options) if o["correct"]]
    if card.kind == "order":
        index = {o["text"]: i for i, o in enumerate(card.options)}
        seq = [index[t] for t in qattr(card.question, "answer")]
        seq = seq if right else seq[::-1]
    else:
        seq = correct if right else [next(i for i, o in enumerate(card.options) if not o["correct"])]
    return [card.label(i).lower() for i in seq] + ["enter"]


async def settle(pilot, app) -> None:
    await pilot.pause()
    await app.workers.wait_for_complete()
    await pilot.pause()


def test_practice_right_and_wrong_are_explained_and_saved(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("STUDY_HOME", str(tmp_path))

    async def run() -> list:
        app = make_app()
        app.animation_level = "none"
        seen = []
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause()
            await pilot.press("p")
            await settle(pilot, app)
            screen = app.screen
            assert isinstance(screen, PracticeScreen)
            for right in (True, False):
                item = screen.item
                assert item is not None and item.reason == "new"  # a fresh store: new rules, in order
                card = screen.query_one(QuestionCard)
                assert not card.locked
                await pilot.press(*keys_for(card, right))
                await pilot.pause()
                fb = screen.feedback
                assert fb is not None and fb.correct is right
                assert card.locked
                note = text_of(card.query_one(".note"))
                assert ("Right." if right else "Not quite.") in note
                assert item.rule_id in note and "next review" in note
                # Every option is shown with its why.
                bodies = [text_of(w.query_one(".opt-body")) for w in card.query(".option") if w.display]
                assert len(bodies) == len(card.options)
                for option in card.options:
                    assert option["why"] and any(option["why"] in b for b in bodies), option
                seen.append((str(qattr(item.question, "id")), right, item.rule_id))
                await pilot.press("n")
                await settle(pilot, app)
            assert screen.session.answered == 2 and screen.session.correct == 1
            assert "answered 2 (1 right)" in text_of(screen.query_one("#practice-status"))
        return seen

    seen = asyncio.run(run())
    # A second connection to the same file sees both answers and their reviews.
    with Store(tmp_path / FILE_NAME) as again:
        answers = again.answers()
        assert [(a.question_id, a.correct) for a in answers] == [(qid, right) for qid, right, _ in seen]
        assert all(a.source == "practice" for a in answers)
        cards = again.cards()
        for _qid, _right, rule in seen:
            assert rule in cards


def test_watch_it_opens_the_lab_of_a_simulation_question(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("STUDY_HOME", str(tmp_path))
    # A simulation question answered by letters (numbers are typed, and the typing box would take the w).
    question = next(q for q in all_questions(0) if q.scenario and "trigger" in q.scenario
                    and q.kind in ("single", "order"))
    rule = question.rules[0]
    table = load_rules().rules
    rules = {rule: table[rule]}

    async def run() -> None:
        app = make_app(clock=lambda: 0.0)
        app.animation_level = "none"
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause()
            screen = PracticeScreen(provider=QuestionPool.from_questions([question], rules), rules=rules)
            await app.push_screen(screen)
            await settle(pilot, app)
            card = screen.query_one(QuestionCard)
            assert card.question is question
            # The header names the section, never the rule under test, before the answer.
            meta = text_of(card.query_one(".meta"))
            assert f"§{question.section}" in meta
            assert rule not in meta and str(table[rule]["title"]) not in meta
            await pilot.press("w")  # nothing to watch before the answer: the key does nothing
            await pilot.pause()
            assert app.screen is screen
            await pilot.press(*keys_for(card, False))
            await pilot.pause()
            assert "w watch it" in text_of(card.query_one(".note"))
            await pilot.press("w")
            await settle(pilot, app)
            await pilot.pause()
            lab = app.screen
            assert isinstance(lab, LabScreen)
            assert lab.loaded is not None and lab.loaded.outcome.trace is not None
            # The lab plays the very scenario the question was generated from.
            assert yaml.safe_load(lab.path.read_text(encoding="utf-8")) == question.scenario
            await pilot.press("escape")
            await pilot.pause()
            assert app.screen is screen

    asyncio.run(run())


def test_study_quiz_practises_once_there_is_progress(tmp_path, monkeypatch) -> None:
    import argparse
    import io

    from rich.console import Console

    from study.terminal import quiz as terminal_quiz
    from study.terminal.quiz import quiz_command

    monkeypatch.setenv("STUDY_HOME", str(tmp_path))
    # Without --seed the plain quiz takes its seed from the clock: at the epoch that is seed 0, the bank this
    # process has already generated, not a new one for today's second (and the same questions every run).
    monkeypatch.setattr(terminal_quiz, "time", types.SimpleNamespace(time=lambda: 0.0))
    args = argparse.Namespace(section="18.6", n=2, seed=None)

    def quiz(answers: str) -> str:
        out = io.StringIO()
        assert quiz_command(args, Console(file=out, width=100), io.StringIO(answers)) == 0
        return out.getvalue()

    first = quiz("")  # no progress yet: the plain quiz, and no database is created
    assert first.startswith("Quiz on section 18.6") and not (tmp_path / FILE_NAME).exists()
    with Store(tmp_path / FILE_NAME) as store:
        rule = next(r for r, v in load_rules().rules.items() if v["section"].startswith("18.6"))
        store.record_answer("seen.before", [rule], True, 10.0)
    # Lines that fit a number, one letter, several, or an order; a line that does not fit is asked again.
    second = quiz("1\nA\nA,B,C\nA,B,C,D\nA,B,C,D,E\n" * 3)
    assert second.startswith("Practice on section 18.6") and "Item 2/2" in second
    assert "next review" in second and "Score: " in second
    with Store(tmp_path / FILE_NAME) as store:
        practised = store.answers(source="practice")
        assert len(practised) == 3  # the one recorded above and two answered in the terminal
