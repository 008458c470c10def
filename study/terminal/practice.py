"""`study quiz` once there is progress: a practice session in the plain terminal (due rules first, then new ones,
look-alikes interleaved), each answer explained and saved with its FSRS rating."""

from __future__ import annotations

import random
import sys

from rich.console import Console
from rich.markup import escape

from study.learning.practice import PracticeSession, due_in_words
from study.terminal.prompts import AnswerReader, ask, feedback

REASONS = {"due": "due for review", "new": "a new rule", "learning": "a learning step"}


def open_progress():
    """The progress store if the learner has answered anything yet, else None (and no database is created)."""
    from study import paths
    from study.learning.store import FILE_NAME, Store

    if not (paths.user_data_dir() / FILE_NAME).exists():
        return None
    store = Store()
    if store.message:
        print(f"study: {store.message}", file=sys.stderr)
    if not store.has_progress():
        store.close()
        return None
    return store


def practice_quiz(store, n: int, section: str | None, console: Console, stream=None) -> int:
    """Up to `n` practice items; returns the exit status."""
    from study.content import load_rules
    from study.quiz import all_questions
    from study.quiz.pool import generated_provider

    rules = load_rules().rules
    session = PracticeSession(store, generated_provider(rules, source=all_questions), rules=rules,
                              sections=[section] if section else None)
    left = session.remaining()
    where = f" on section {section}" if section else ""
    console.print(f"[bold]Practice{where}[/]: {left.due} due, {left.new} new today, {left.learning} in learning. "
                  "This is a saved practice session: answers go to your progress (`study quiz --seed N` runs a "
                  "replayable quiz that saves nothing). Answer with a letter or 1-4, letters like A,C, or a number; "
                  "end of input stops.")
    asked, right = run_practice(session, n, console, AnswerReader(console, stream), rules)
    pct = f" ({100 * right // asked}%)" if asked else ""
    console.print(f"\n[bold]Score: {right}/{asked}[/]{pct}")
    upcoming = min((c.due for c in store.cards().values()), default=None)
    if upcoming is not None:
        console.print(f"The next review falls due {due_in_words(upcoming, store.now())}.")
    store.close()
    return 0


def run_practice(session, n: int, console: Console, reader, rules: dict) -> tuple[int, int]:
    from study.quiz.model import present

    asked = right = 0
    while asked < n:
        item = session.next_item()
        if item is None:
            console.print("\nNothing more to practise now.")
            break
        q = item.question
        shown = present(q, random.Random(f"practice:{session.seed}:{item.number}:{item.rule_id}"))
        reason = REASONS.get(item.reason, item.reason)
        if item.lookalike_of:
            reason += ", a look-alike of a rule you met"
        title = (rules.get(item.rule_id) or {}).get("title", "")
        # The section only: the rule under test is named after the answer, where it cannot give it away.
        console.print(f"\n[bold]Item {asked + 1}/{n}[/]  [dim]section {q.section} · {reason}[/]")
        response = ask(shown, console, reader)
        if response is None:
            return asked, right
        fb = session.answer(item, response)
        console.print(f"[dim]The rule: {item.rule_id} ({escape(str(title))})[/]")
        asked += 1
        right += fb.correct
        feedback(q, shown, response, fb.correct, console)
        now = session.store.now()
        for rule in fb.rules:
            console.print(f"[dim]  {rule}: next review {due_in_words(fb.due.get(rule), now)}[/]")
    return asked, right
