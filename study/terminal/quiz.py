"""`study quiz`: a plain terminal quiz with immediate feedback; Rich prompts, works over SSH and in a pipe.
Once the learner has progress (and no --seed is given) it runs practice instead (study.terminal.practice)."""

from __future__ import annotations

import sys
import time

from rich.console import Console
from rich.markup import escape

EXIT_BAD_INPUT = 2


class _Input:
    """Answers from the keyboard (Rich prompt) or, in a pipe, one line at a time; None at end of input."""

    def __init__(self, console: Console, stream=None):
        self.console = console
        self.stream = stream or sys.stdin
        self.tty = self.stream.isatty()

    def ask(self, prompt: str) -> str | None:
        if self.tty:
            from rich.prompt import Prompt

            try:
                return Prompt.ask(prompt, console=self.console)
            except EOFError:
                return None
        self.console.print(f"{prompt}: ", end="")
        line = self.stream.readline()
        if not line:
            self.console.print()
            return None
        answer = line.rstrip("\n")
        self.console.print(escape(answer), highlight=False)  # echo it, so a transcript reads as a dialogue
        return answer


def quiz_command(args, console: Console | None = None, stream=None) -> int:
    from study.terminal.questions import load_problems, normalise_section

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
    problems = load_problems()
    if problems:
        for p in problems:
            print(f"study: {p}", file=sys.stderr)
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
    run = run_quiz(chosen, seed, console, _Input(console, stream))
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


def run_quiz(session: list, seed: int, console: Console, reader: _Input) -> tuple[int, int]:
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


def ask(shown, console: Console, reader: _Input):
    """Show the stem and labelled options, read until the answer parses; None when input ends."""
    from study.quiz.grade import AnswerError, parse_response

    q = shown.question
    console.print(escape(q.stem))
    if q.kind != "numeric":
        for label, o in shown.labelled():
            console.print(f"  {label}. {escape(o.text)}")
    hint = _numeric_hint(q) if q.kind == "numeric" else {
        "single": "one letter, or 1-4", "multi": "the letters asked for, e.g. A,C (or 1,3)", "order": "the letters in order, e.g. C,A,B"}[q.kind]
    while True:
        raw = reader.ask(f"Your answer ({hint})")
        if raw is None:
            return None
        try:
            return parse_response(shown, raw)
        except AnswerError as err:
            console.print(f"[yellow]{escape(str(err))}[/]")


def _numeric_hint(q) -> str:
    ans = q.answer
    unit = {"USD": "dollars and cents", "s": "seconds", None: "a number"}.get(ans.get("unit"), ans.get("unit"))
    places = {1: "a whole number", 0.1: "one decimal", 0.01: "two decimals", 0.001: "three decimals"}
    return f"{unit}, {places.get(ans['precision'], ans['precision'])}"


def feedback(q, shown, response, ok: bool, console: Console) -> None:
    from study.quiz.grade import expected_letters, parse_number
    from study.quiz.model import format_number

    if ok:
        console.print("[bold green]Right.[/]")
    elif q.kind == "numeric":
        console.print(f"[bold red]Not quite.[/] The answer is {escape(q.answer['text'])}.")
    else:
        console.print(f"[bold red]Not quite.[/] The answer is {expected_letters(shown)}.")
    if q.kind == "numeric":
        ans = q.answer
        try:
            given = format_number(parse_number(str(response)), ans["precision"], ans.get("unit"))
        except ValueError:
            given = str(response)
        for o in shown.options:
            mark = "✓" if o.correct else ("←" if o.text == given else " ")
            tag = f" [dim]({o.misconception})[/]" if o.misconception else ""
            console.print(f" {mark} {escape(o.text)}: {escape(o.why)}{tag}")
    else:
        chosen = set(response) if isinstance(response, list) else {response}
        for label, o in shown.labelled():
            mark = "✓" if o.correct else ("✗" if o.text in chosen else " ")
            tag = f" [dim]({o.misconception})[/]" if o.misconception else ""
            console.print(f" {mark} {label}. {escape(o.why)}{tag}")
    right_why = {o.why for o in q.options if o.correct}
    if q.explanation and q.kind in ("order", "numeric") and q.explanation not in right_why:
        console.print(f"[dim]{escape(q.explanation)}[/]")
    if q.scenario is not None:
        console.print(f"[dim]Answer computed by the emulator ({escape(q.id)} in `study questions --json`).[/]")
