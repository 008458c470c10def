"""Lessons (content/lessons/*.md) and the rules table (content/rules.yaml), loaded and validated."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from study import paths
from study.sim import yamlpos
from study.sim.errors import ScenarioError
from study.sim.permissions import permission_facts

SECTIONS = [f"18.{n}" for n in range(1, 21)]
_FRONT = re.compile(r"\A---\n(.*?)\n---\n", re.S)


@dataclass(frozen=True)
class Lesson:
    section: str
    title: str
    rules: tuple[str, ...]
    body: str
    path: Path


@dataclass
class Rules:
    rules: dict[str, dict]
    facts: dict[str, Any]
    misconceptions: dict[str, dict] = field(default_factory=dict)  # misconception id -> entry (+ "rule")

    def by_section(self, section: str) -> list[dict]:
        return [r for r in self.rules.values() if top_section(r["section"]) == section]


# What a rule rests on, as learners are told: AWS's documentation, or the course's modelling choice where AWS
# leaves the detail open (the lesson then says what AWS documents).
BASIS_WORDS = {"aws-docs": "AWS documents this", "model": "the course's model; AWS leaves this open"}


# How the emulator plays a rule (content/rules.yaml's header, docs/scenario-format.md "Rules and the timeline"):
# only `timeline` rules are named on a trace's timeline; tests/test_rules_emitted.py keeps the mark honest.
EMULATED = {
    "timeline": "named on the timeline where the emulator decides",
    "settings": "applied when a scenario is read (ranges, defaults, refusals, permissions)",
    "computed": "produced as data (the bill, an event's shape), not decided on the timeline",
    "untraced": "played during the run, but no timeline entry names it yet",
    "concept": "a concept only; the emulator does not model it",
}


def basis_words(rule: dict) -> str:
    """How a rule's basis reads to a learner ('' when it has none yet)."""
    return BASIS_WORDS.get(str(rule.get("basis")), "")


def top_section(section: str) -> str:
    """'18.6.4' -> '18.6'."""
    parts = str(section).split(".")
    return ".".join(parts[:2])


def section_key(section: str) -> tuple[int, ...]:
    """A sort key that puts '18.9' before '18.10'."""
    return tuple(int(p) if p.isdigit() else 0 for p in str(section).split("."))


def normalise_section(value: str | None) -> str | None:
    """'18.6', '6', '18.06' -> '18.6'; raises ValueError for anything that is not a chapter-18 section."""
    if value is None:
        return None
    text = value.strip()
    if text.isdigit():
        text = f"18.{int(text)}"
    parts = text.split(".")
    if len(parts) >= 2 and all(p.isdigit() for p in parts):
        text = ".".join(str(int(p)) for p in parts)
    if top_section(text) not in SECTIONS:
        raise ValueError(f"--section {value}: not a section of chapter 18; expected 18.1 .. 18.20")
    return top_section(text)


def section_title(section: str) -> str:
    for lesson in load_lessons():
        if lesson.section == section:
            return lesson.title
    return section


class ContentError(ScenarioError):
    pass


def _rules_problems(data: Any, marks: yamlpos.Marks, file: str) -> list[ScenarioError]:
    out: list[ScenarioError] = []

    def err(path: tuple, message: str) -> None:
        where = marks.get(path)
        out.append(ContentError(message, file, *(where or (None, None))))

    if not isinstance(data, dict) or not isinstance(data.get("rules"), list):
        err((), "expected a mapping with a `rules:` list and a `facts:` mapping")
        return out
    ids: set[str] = set()
    mis_ids: set[str] = set()
    for i, rule in enumerate(data["rules"]):
        p = ("rules", i)
        if not isinstance(rule, dict):
            err(p, "a rule must be a mapping")
            continue
        for key in ("id", "section", "title", "statement"):
            if not isinstance(rule.get(key), str) or not rule[key].strip():
                err(p, f"{key}: required text")
        rid = rule.get("id")
        if rid in ids:
            err((*p, "id"), f"id: {rid!r} is used twice")
        ids.add(rid)
        basis = rule.get("basis")
        if basis is None:
            err(p, "basis: required, aws-docs (AWS documents it) or model (the course's modelling choice)")
        elif basis is not None and basis not in BASIS_WORDS:
            err((*p, "basis"), f"basis: {basis!r} is not one of {', '.join(BASIS_WORDS)}")
        emulated = rule.get("emulated")
        if emulated is None:
            err(p, f"emulated: required, how the emulator plays the rule: {', '.join(EMULATED)}")
        elif emulated not in EMULATED:
            err((*p, "emulated"), f"emulated: {emulated!r} is not one of {', '.join(EMULATED)}")
        if isinstance(rule.get("section"), str) and top_section(rule["section"]) not in SECTIONS:
            err((*p, "section"), f"section: {rule['section']!r} is not a section of chapter 18 (18.1..18.20)")
        mis = rule.get("misconceptions")
        if not isinstance(mis, list) or not mis:
            err(p, "misconceptions: every rule needs at least one")
            mis = []
        for j, m in enumerate(mis):
            mp = (*p, "misconceptions", j)
            if not isinstance(m, dict) or not m.get("id") or not m.get("belief") or not m.get("correction"):
                err(mp, "a misconception needs id, belief and correction")
                continue
            if m["id"] in mis_ids:
                err((*mp, "id"), f"id: misconception {m['id']!r} is used twice")
            mis_ids.add(m["id"])
            if m.get("emulator"):
                from study.sim.misconceptions import KNOWN

                if m["id"] not in KNOWN:
                    err((*mp, "id"), f"{m['id']!r} is marked emulator: true but the emulator has no such "
                        "misconception")
        for j, s in enumerate(rule.get("settings") or []):
            if not isinstance(s, dict) or not s.get("name"):
                err((*p, "settings", j), "a setting needs a name")
    for i, rule in enumerate(data["rules"]):
        if not isinstance(rule, dict):
            continue
        for j, other in enumerate(rule.get("lookalikes") or []):
            if other not in ids:
                err(("rules", i, "lookalikes", j), f"lookalikes: {other!r} is not a rule id")
    covered = {top_section(r.get("section", "")) for r in data["rules"] if isinstance(r, dict)}
    for s in SECTIONS:
        if s not in covered:
            err(("rules",), f"section {s} has no rule")
    if not isinstance(data.get("facts"), dict):
        err((), "facts: expected a mapping of fact tables")
    return out


@lru_cache(maxsize=1)
def load_rules() -> Rules:
    file = paths.rules_file()
    data, marks = yamlpos.load_file(str(file))
    problems = _rules_problems(data, marks, str(file))
    if problems:
        raise problems[0]
    rules = {r["id"]: r for r in data["rules"]}
    mis = {}
    for r in data["rules"]:
        for m in r["misconceptions"]:
            mis[m["id"]] = dict(m, rule=r["id"])
    # The IAM tables come from the emulator's one copy (study/sim/permissions.py), not from rules.yaml.
    facts = {**data["facts"], **permission_facts()}
    return Rules(rules=rules, facts=facts, misconceptions=mis)


def check_rules() -> list[ScenarioError]:
    file = paths.rules_file()
    try:
        data, marks = yamlpos.load_file(str(file))
    except ScenarioError as err:
        return [err]
    return _rules_problems(data, marks, str(file))


def parse_lesson(path: Path) -> Lesson:
    text = path.read_text(encoding="utf-8")
    m = _FRONT.match(text)
    if not m:
        raise ContentError("expected front matter between --- lines (section, title, rules)", str(path), 1, 1)
    data, marks = yamlpos.load(m.group(1), str(path))
    if not isinstance(data, dict):
        raise ContentError("front matter must be a mapping", str(path), 2, 1)
    for key in ("section", "title"):
        if not isinstance(data.get(key), str):
            where = marks.get((key,))
            line = where[0] + 1 if where else 2
            raise ContentError(f"{key}: required text in the front matter", str(path), line)
    rules = data.get("rules")
    if not isinstance(rules, list) or not rules:
        raise ContentError("rules: the lesson must name the rule ids it teaches", str(path), 2)
    return Lesson(section=data["section"], title=data["title"], rules=tuple(rules), body=text[m.end():], path=path)


@lru_cache(maxsize=1)
def load_lessons() -> tuple[Lesson, ...]:
    lessons = [parse_lesson(p) for p in sorted(paths.lessons_dir().glob("*.md"))]
    lessons.sort(key=lambda lesson: [int(x) for x in lesson.section.split(".")])
    return tuple(lessons)


def lesson_for(section: str) -> Lesson | None:
    section = section.strip()
    if section.isdigit():
        section = f"18.{int(section)}"
    top = top_section(section)
    for lesson in load_lessons():
        if lesson.section == top:
            return lesson
    return None
