"""One fact question as the exam asks it, and the wording shared by the fact generators (facts.py)."""

from __future__ import annotations

import hashlib
import json
import random
import re

from study.quiz.model import Option, Question, format_number
from study.quiz.template_model import FactTemplate
from study.quiz.wrong_options import misconception_why


def cap(text: str) -> str:
    return text[:1].upper() + text[1:]


def fact_id(template: str, key: object) -> str:
    return f"gen.{template}.{hashlib.sha1(json.dumps(key, sort_keys=True).encode()).hexdigest()[:10]}"


def rule_section(rule_id: str) -> str:
    from study.content import load_rules, top_section

    return top_section(load_rules().rules[rule_id]["section"])


COUNT_WORD = {2: "TWO", 3: "THREE"}
MULTI_OPTIONS = 5


def fact_question(t: FactTemplate, key: object, kind: str, stem: str, options: list[Option], rules: tuple[str, ...],
              explanation: str, rng: random.Random) -> Question | None:
    """One fact question. A multiple-answer one takes the exam's form: five options drawn from the right and
    wrong ones given, two or three of them right, and the stem says how many ("Choose TWO."); None when the
    options given cannot make that form."""
    rules = tuple(dict.fromkeys(t.rules + rules)) if t.rules else tuple(dict.fromkeys(rules))
    section = t.section or rule_section(rules[0])
    if kind == "multi":
        right_pool = [o for o in options if o.correct]
        wrong_pool = [o for o in options if not o.correct]
        counts = [k for k in COUNT_WORD if k <= len(right_pool) and MULTI_OPTIONS - k <= len(wrong_pool)]
        if not counts:
            return None
        k = rng.choice(counts)
        options = rng.sample(right_pool, k) + rng.sample(wrong_pool, MULTI_OPTIONS - k)
        stem = re.sub(r"\s*Choose all that apply\.?", "", stem).rstrip() + f" (Choose {COUNT_WORD[k]}.)"
        key = [key, sorted(o.text for o in options)]
        explanation = " ".join(dict.fromkeys([explanation] + [o.why for o in options if o.correct]))
    rng.shuffle(options)
    right = [o.text for o in options if o.correct]
    answer = right[0] if kind == "single" else right
    return Question(id=fact_id(t.id, key), section=section, rules=rules, kind=kind, stem=stem, options=tuple(options),
                    answer=answer, explanation=explanation, source="generated", template=t.id)



def misconception_note(mid: str | None) -> str:
    """' Misconception: "belief" correction', to append to an option's why ('' for no misconception)."""
    return f" {misconception_why(mid)}" if mid else ""


def statement(rule_id: str) -> str:
    from study.content import load_rules

    return load_rules().rules[rule_id]["statement"]



BOUND_WORD = {"max": "maximum", "min": "minimum", "default": "default"}


def bound_why(wrong: float, bound_of: dict, word: str, value: float, unit: str) -> str:
    """Why a wrong limit is wrong: the confusion of one bound with another, when it is one."""
    right = f"{format_number(value)} {unit}".strip()
    if wrong in bound_of:
        return (f"{format_number(wrong)} {unit} is the {BOUND_WORD[bound_of[wrong]]}, not the {word}; "
                f"a common mix-up of the two bounds. The {word} is {right}.")
    return f"The {word} is {right}, not {format_number(wrong)} {unit}."

