"""Questions: templates answered by the emulator, the hand-written bank, grading. No Textual, no Rich.

    from study.quiz import all_questions, grade, present
    questions = all_questions(seed=0, section="18.6")   # bank + generated, deterministic for the seed
    shown = present(questions[0], rng=7)               # options shuffled for one attempt
    grade(questions[0], shown.options[0].text)         # True / False

The package root imports nothing heavy; the names below load their modules on first use.
"""

from __future__ import annotations

from typing import Any

__all__ = ["all_questions", "bank_questions", "generate", "grade", "present", "check_questions", "Question",
           "Option", "Presented"]

_WHERE = {
    "grade": "study.quiz.grade", "present": "study.quiz.model", "Question": "study.quiz.model",
    "Option": "study.quiz.model", "Presented": "study.quiz.model", "generate": "study.quiz.generate",
    "check_questions": "study.quiz.check",
}


def __getattr__(name: str) -> Any:
    if name in _WHERE:
        import importlib

        return getattr(importlib.import_module(_WHERE[name]), name)
    raise AttributeError(name)


def bank_questions(section: str | None = None) -> list:
    """The valid hand-written questions (problems are `check_questions`' business)."""
    from study.content import top_section
    from study.quiz.bank import cached_bank

    questions = list(cached_bank())
    if section:
        questions = [q for q in questions if top_section(q.section) == top_section(section)]
    return questions


def all_questions(seed: int = 0, section: str | None = None) -> list:
    """The bank and the generated questions for `seed` (bank first), optionally for one section."""
    from study.quiz.generate import generate

    return bank_questions(section) + generate(seed, section)
