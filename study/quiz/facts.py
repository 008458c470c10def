"""Fact questions generated from the rules table (content/rules.yaml): its fact tables, settings and misconceptions.

The facts are the key: which services invoke asynchronously, which destination types a mapping allows, which
permission a trigger needs, which context attribute gives what. Only the learner-facing wording lives here.
The generators are by subject (facts_services, facts_values); this module holds the true-statement form and the
table of forms a fact template names (`fact:` in questions/templates/*.yaml).
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable

from study.quiz.fact_question import fact_question
from study.quiz.facts_services import (
    destination_permission,
    destination_types,
    invocation_model,
    model_members,
    policy_for_action,
    policy_grants,
    push_principal,
    trigger_permission,
)
from study.quiz.facts_values import context_attribute, languages, limits, prices, settings
from study.quiz.model import Option, Question
from study.quiz.template_model import FactTemplate

FAR_BELIEFS = 16  # beliefs from other parts of the chapter offered to the exam form beside the near ones
STANDALONE = re.compile(r"^(That|This|It|They|These|Those|Only|No|Not|Yes|Both|Neither|Each attempt)\b")


def misconception_check(t: FactTemplate, seed: int, facts: dict) -> list[Question]:
    """'Which statement is true?': a misconception's correction against wrong beliefs from the same part of the
    chapter (its rule, the rule's lookalikes, its section). The exam form then keeps three beliefs chosen so that
    the true statement is the longest as often as any other (true/false is not an exam form, and there the true
    statements were the long ones)."""
    from study.content import load_rules, top_section

    rules = load_rules()
    out = []
    for rid, rule in rules.rules.items():
        near = [rid, *(rule.get("lookalikes") or [])]
        section = top_section(rule["section"])
        near += [r for r, x in rules.rules.items() if top_section(x["section"]) == section and r not in near]
        rest = [b for r in rules.rules if r not in near for b in rules.rules[r]["misconceptions"]]
        for m in rule["misconceptions"]:
            truth = m["correction"].strip()
            if STANDALONE.match(truth):
                continue  # a correction that answers its belief ("That figure ...") does not stand alone
            pool = [b for r in near for b in rules.rules[r]["misconceptions"] if b["id"] != m["id"]]
            # Then the beliefs from elsewhere nearest in length to the true statement, so that lengths can match.
            pool += sorted(rest, key=lambda b: abs(len(b["belief"]) - len(truth)))[:FAR_BELIEFS]
            if len(pool) < 3:
                continue
            rng = random.Random(f"{t.id}:{seed}:{m['id']}")
            opts = [Option(truth, True, rule["statement"], source="fact")]
            opts += [Option(b["belief"].strip(), False, f"This is the misconception \u201c{b['belief'].strip()}\u201d "
                            f"{b['correction']}", b["id"], "fact") for b in pool]
            out.append(fact_question(t, [rid, m["id"]], "single", "Which of these statements is true?", opts, (rid,),
                                 f"{truth} {rule['statement']}", rng))
    return out


FORMS: dict[str, Callable[[FactTemplate, int, dict], list[Question]]] = {
    "invocation-model": invocation_model, "model-members": model_members, "destination-types": destination_types,
    "policy-for-action": policy_for_action, "policy-grants": policy_grants, "trigger-permission": trigger_permission,
    "push-principal": push_principal, "destination-permission": destination_permission,
    "context-attribute": context_attribute, "limits": limits, "prices": prices, "languages": languages,
    "settings": settings, "misconception-check": misconception_check,
}


def generate_fact(t: FactTemplate, seed: int) -> list[Question]:
    from study.content import load_rules

    return [q for q in FORMS[t.form](t, seed, load_rules().facts) if q is not None]
