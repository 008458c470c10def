"""Question templates as data: the template, question and distractor types, the keys each may have, and the
checks of the fields every template shares (section, rules, draws), each problem with its file:line:col.

A simulation template (a *family*) draws parameters, fills a scenario skeleton and asks one or more questions
about the emulator's trace; a fact template names a generator over the rules table's fact tables.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from study.sim import yamlpos
from study.sim.errors import ScenarioError

PLACEHOLDER = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)((?:\.[A-Za-z0-9_-]+)*)\}")
ID = re.compile(r"^[a-z0-9][a-z0-9-]*$")
SIM_KINDS = ("single", "numeric", "order")
ANSWER_FORMS = ("path", "count", "ids", "order")
TRANSFORMS = ("number", "base64-decode")
FACT_FORMS = (
    "invocation-model", "model-members", "destination-types", "policy-for-action", "policy-grants",
    "trigger-permission", "push-principal", "destination-permission", "context-attribute", "limits", "prices",
    "languages", "settings", "misconception-check",
)
FAMILY_KEYS = {"id", "section", "rules", "trigger", "draws", "params", "scenario", "engine", "pricing", "setup",
               "explain", "questions", "note"}
FACT_KEYS = {"id", "fact", "section", "rules", "draws", "note"}
ASK_KEYS = {"id", "stem", "answer", "distractors", "explain", "section", "rules", "min_distractors", "note"}
ANSWER_KEYS = {"path", "count", "where", "ids", "order", "by", "item_text", "kind", "precision", "unit", "format",
               "plural", "map", "missing", "others", "neighbours"}
DISTRACTOR_KEYS = {"misconception", "set", "transform"}
PARAM_KEYS = {"choices", "range", "step", "sample", "k", "repeat", "count"}
RESERVED = {"setup", "answer", "item"}


@dataclass
class Distractor:
    misconception: str
    emulator: bool  # switch the emulator's misconception on (a rule change)
    set: dict[str, Any] | None = None  # scenario changes that play the wrong belief out
    transform: str | None = None  # a wrong reading of the true value (no rule change to simulate)

    def replay(self) -> dict:
        out: dict[str, Any] = {"misconceptions": [self.misconception] if self.emulator else []}
        if self.set:
            out["set"] = self.set
        if self.transform:
            out["transform"] = self.transform
        return out


@dataclass
class Ask:
    id: str  # family.ask
    family: Family
    stem: str
    answer: dict
    kind: str
    distractors: list[Distractor]
    explain: str | None
    section: str
    rules: tuple[str, ...]
    min_distractors: int
    where: tuple[str, int | None]


@dataclass
class Family:
    id: str
    file: str
    line: int | None
    section: str
    rules: tuple[str, ...]
    trigger: tuple[str, ...]
    draws: int
    params: dict[str, dict]
    scenario: dict | None
    engine: str  # "emulator" or "pricing"
    pricing: dict | None
    setup: str
    explain: str | None
    asks: list[Ask] = field(default_factory=list)


@dataclass
class FactTemplate:
    id: str
    form: str
    file: str
    line: int | None
    draws: int
    section: str | None
    rules: tuple[str, ...]


@dataclass
class Templates:
    families: list[Family]
    facts: list[FactTemplate]
    problems: list[ScenarioError]

    @property
    def asks(self) -> list[Ask]:
        return [a for f in self.families for a in f.asks]


class Checker:
    """Collects problems with the position of the offending key."""

    def __init__(self, file: str, marks: yamlpos.Marks, problems: list[ScenarioError]):
        self.file = file
        self.marks = marks
        self.problems = problems

    def err(self, path: tuple, message: str) -> None:
        where = self.marks.get(path)
        self.problems.append(ScenarioError(message, self.file, *(where or (None, None))))

    def line(self, path: tuple) -> int | None:
        where = self.marks.get(path)
        return where[0] if where else None


def placeholders(value: Any) -> set[str]:
    """Every parameter name a value refers to as {name} or {name.key}."""
    out: set[str] = set()
    if isinstance(value, str):
        out |= {m.group(1) for m in PLACEHOLDER.finditer(value)}
    elif isinstance(value, dict):
        for k, v in value.items():
            out |= placeholders(k) | placeholders(v)
    elif isinstance(value, list):
        for v in value:
            out |= placeholders(v)
    return out


def section_field(v: Checker, raw: dict, p: tuple, required: bool) -> str | None:
    from study.content import SECTIONS, top_section

    if "section" not in raw:
        if required:
            v.err(p, "section: required, a chapter section such as \"18.6\"")
        return None
    s = raw["section"]
    if not isinstance(s, str) or top_section(s) not in SECTIONS or not re.fullmatch(r"18\.\d+(\.\d+)*", s):
        v.err((*p, "section"), f"section: {s!r} is not a section of chapter 18; expected text such as \"18.6\" "
              "(quote it, or YAML reads a number)")
        return None
    return s


def rules_field(v: Checker, raw: dict, p: tuple, rules, required: bool) -> tuple[str, ...] | None:
    if "rules" not in raw:
        if required:
            v.err(p, "rules: required, the content/rules.yaml ids the question exercises")
            return None
        return ()
    value = raw["rules"]
    if not isinstance(value, list) or not value or not all(isinstance(r, str) for r in value):
        v.err((*p, "rules"), "rules: expected a list of rule ids from content/rules.yaml")
        return None
    ok = True
    for j, rid in enumerate(value):
        if rid not in rules.rules:
            v.err((*p, "rules", j), f"rules: {rid!r} is not a rule id of content/rules.yaml")
            ok = False
    return tuple(value) if ok else None


def draws_field(v: Checker, raw: dict, p: tuple, default: int) -> int:
    n = raw.get("draws", default)
    if isinstance(n, bool) or not isinstance(n, int) or not 1 <= n <= 500:
        v.err((*p, "draws"), f"draws: expected a whole number 1..500, got {n!r}")
        return default
    return n

