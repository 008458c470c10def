"""`study quiz`: a plain terminal quiz with immediate feedback; Rich prompts, works over SSH and in a pipe.
Once the learner has progress (and no --seed is given) it runs practice instead (study.terminal.practice)."""

from __future__ import annotations

import sys
import time

from rich.console import Console
from rich.markup import escape

from study.terminal.prompts import AnswerReader, ask, feedback

EXIT_BAD_INPUT = 2


def quiz_command(args, console: Console | None = None, stream=None) -> int:
    from study.content import normalise_section
    from study.terminal.questions import said_problems

    console = console or Console(highlight=False)
    try:
        section = normalise_section(getattr(args, "section", None))
    except ValueError as err:
        print(f"study quiz: {err}", file=sys.stderr)
        return EXIT_BAD_INPUT
    n = getattr(args, "n", 10)
    if n is None or n < 1:
        print("study quiz: -n: expected 1 or more questions", file=sys.stderr)
        return EXIT_BAD_INPUT
    if said_problems():
        return EXIT_BAD_INPUT
    if getattr(args, "seed", None) is None:
        # Once there is progress, the quiz is practice (due rules first, answers saved); --seed keeps the
        # replayable quiz, which saves nothing.
        from study.terminal.practice import open_progress, practice_quiz

        store = open_progress()
        if store is not None:
            return practice_quiz(store, n, section, console, stream)
    seed = args.seed if getattr(args, "seed", None) is not None else int(time.time())
    chosen = plan(seed, n, section)
    if not chosen:
        print("study quiz: no questions for that section", file=sys.stderr)
        return EXIT_BAD_INPUT
    where = f" on section {section}" if section else ""
    again = f"study quiz --seed {seed} -n {n}" + (f" --section {section}" if section else "")
    console.print(f"[bold]Quiz{where}[/]: {len(chosen)} questions (seed {seed}; `{again}` replays it). "
                  "Answer with a letter, letters like A,C, or a number.")
    run = run_quiz(chosen, seed, console, AnswerReader(console, stream))
    asked, right = run
    pct = f" ({100 * right // asked}%)" if asked else ""
    console.print(f"\n[bold]Score: {right}/{asked}[/]{pct}" + ("" if asked == len(chosen) else
                                                              f" (stopped after {asked} of {len(chosen)})"))
    return 0


def plan(seed: int, n: int, section: str | None = None) -> list:
    """The session for a seed: the questions (fresh numbers for the seed), each with its options shuffled."""
    import random

    from study.quiz import all_questions
    from study.quiz.model import present
    from study.quiz.select import pick

    rng = random.Random(f"quiz:{seed}")
    return [present(q, rng) for q in pick(all_questions(seed=seed, section=section), n, seed)]


def run_quiz(session: list, seed: int, console: Console, reader: AnswerReader) -> tuple[int, int]:
    from study.quiz.grade import grade

    asked = right = 0
    for i, shown in enumerate(session, 1):
        q = shown.question
        # The section only: the rules under test are named after the answer.
        console.print(f"\n[bold]Question {i}/{len(session)}[/]  [dim]section {q.section}[/]")
        response = ask(shown, console, reader)
        if response is None:
            return asked, right
        asked += 1
        ok = grade(q, response)
        right += ok
        feedback(q, shown, response, ok, console)
        console.print(f"[dim]Rules: {escape(', '.join(q.rules))}[/]")
    return asked, right
