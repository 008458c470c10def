"""Fresh questions per rule, for practice: a pool over a generator's seeds that avoids repeating a question within a
session while another one for the rule exists."""

from __future__ import annotations

import random
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from study.content import top_section
from study.quiz.protocol import qattr, rules_of

# provider(rule_id, seed) -> a fresh question exercising the rule, or None if there is none.
Provider = Callable[[str, int], Any]


class QuestionPool:
    """Fresh questions per rule from a generator `generate(seed, section) -> questions`.

    Within a session a question id is not served twice while another question for the rule exists; when a
    seed's questions for a rule are used up the next seed is tried (fresh numbers), then the least-served
    question is repeated rather than skipping the rule.
    """

    def __init__(self, generate: Callable[[int, str | None], Iterable[Any]],
                 rules: Mapping[str, Mapping] | None = None, *, seeds_per_rule: int = 3):
        self._generate = generate
        self._rules = rules or {}
        self._seeds = max(1, seeds_per_rule)
        self._batches: dict[tuple[int, str | None], list[Any]] = {}
        self.served: dict[str, int] = {}

    @classmethod
    def from_questions(cls, questions: Iterable[Any], rules: Mapping[str, Mapping] | None = None) -> QuestionPool:
        fixed = list(questions)
        return cls(lambda _seed, section: [q for q in fixed if section is None
                                           or top_section(qattr(q, "section", "")) == section], rules,
                   seeds_per_rule=1)

    def _batch(self, seed: int, section: str | None) -> list[Any]:
        key = (seed, section)
        if key not in self._batches:
            self._batches[key] = list(self._generate(seed, section))
        return self._batches[key]

    def _section(self, rule_id: str) -> str | None:
        rule = self._rules.get(rule_id)
        return top_section(rule["section"]) if rule and rule.get("section") else None

    def __call__(self, rule_id: str, seed: int) -> Any:
        section = self._section(rule_id)
        seen: list[Any] = []
        for s in range(seed, seed + self._seeds):
            batch = [q for q in self._batch(s, section) if rule_id in rules_of(q)]
            if not batch and section is not None:
                # The rule's questions may be filed under another section: look everywhere.
                batch = [q for q in self._batch(s, None) if rule_id in rules_of(q)]
            fresh = [q for q in batch if str(qattr(q, "id")) not in self.served]
            if fresh:
                return self._serve(fresh, rule_id, s)
            seen.extend(batch)
        if not seen:
            return None
        fewest = min(self.served.get(str(qattr(q, "id")), 0) for q in seen)
        return self._serve([q for q in seen if self.served.get(str(qattr(q, "id")), 0) == fewest], rule_id, seed)

    def _serve(self, candidates: list[Any], rule_id: str, seed: int) -> Any:
        # Questions about this rule first; then ones where it is one rule among several.
        primary = [q for q in candidates if rules_of(q)[:1] == (rule_id,)] or candidates
        pick = random.Random(f"{seed}:{rule_id}:{len(self.served)}").choice(primary)
        qid = str(qattr(pick, "id"))
        self.served[qid] = self.served.get(qid, 0) + 1
        return pick


def generated_provider(rules: Mapping[str, Mapping] | None = None,
                       source: Callable[..., Iterable[Any]] | None = None) -> QuestionPool:
    """Fresh questions from `source(seed=..., section=...)`: by default the generator's questions for a seed
    (study.quiz.generate.generate), whose numbers change with the seed."""
    if source is None:
        from study.quiz.generate import generate as source
    return QuestionPool(lambda seed, section: source(seed=seed, section=section), rules)
