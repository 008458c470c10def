"""Choosing questions for a session: spread over templates and sections so that twenty in a row feel varied."""

from __future__ import annotations

import random
from collections import defaultdict

from study.quiz.model import Question


def family(q: Question) -> str:
    """The group a question is varied across: its template family, or the bank section it comes from."""
    if q.source == "bank":
        return f"bank:{q.section}"
    return (q.template or q.id).split(".")[0]


def pick(questions: list[Question], n: int, seed: int | random.Random) -> list[Question]:
    """`n` questions, deterministic for the seed: one per family in turn (families in random order), never the
    same family twice in a row when another is left."""
    rng = seed if isinstance(seed, random.Random) else random.Random(seed)
    groups: dict[str, list[Question]] = defaultdict(list)
    for q in questions:
        groups[family(q)].append(q)
    for g in groups.values():
        rng.shuffle(g)
    order = sorted(groups)
    rng.shuffle(order)
    out: list[Question] = []
    while len(out) < n and any(groups.values()):
        for name in order:
            if groups[name] and len(out) < n:
                out.append(groups[name].pop())
    return out
