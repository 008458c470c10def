"""Asking one question in the plain terminal and explaining the answer: shared by the replayable quiz
(study.terminal.quiz) and practice (study.terminal.practice)."""

from __future__ import annotations

import sys

from rich.console import Console
from rich.markup import escape


class AnswerReader:
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


def ask(shown, console: Console, reader: AnswerReader):
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
