"""Question templates (questions/templates/*.yaml): every file loaded and validated, each problem as
file:line:col. The types live in template_model, the checks of a simulation template in template_family."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from study import paths
from study.quiz.template_family import check_family
from study.quiz.template_model import (
    FACT_FORMS,
    FACT_KEYS,
    ID,
    Checker,
    FactTemplate,
    Templates,
    draws_field,
    rules_field,
    section_field,
)
from study.sim.errors import ScenarioError


def load_templates(directory: str | Path | None = None, precise: bool = False) -> Templates:
    """Every template file in `directory` (default questions/templates), validated; problems are collected.
    Files are read fast and, if they have a problem, again with positions; `precise` always keeps positions
    (so that later problems, such as a template that yields no question, can point at a line)."""
    from study.content import load_rules
    from study.quiz.files import read_yaml

    rules = load_rules()
    root = Path(directory) if directory is not None else paths.questions_dir() / "templates"
    out = Templates([], [], [])
    seen: dict[str, str] = {}
    for file in sorted(root.glob("*.yaml")):
        for exact in ((True,) if precise else (False, True)):
            try:
                data, marks = read_yaml(file, exact)
            except ScenarioError as err:
                out.problems.append(err)
                break
            found = Templates([], [], [])
            ids = dict(seen)
            _file_templates(Checker(str(file), marks, found.problems), data, rules, ids, found)
            if found.problems and not exact:
                continue  # read it again with positions for the messages
            seen = ids
            out.families += found.families
            out.facts += found.facts
            out.problems += found.problems
            break
    return out


def _file_templates(v: Checker, data: Any, rules, seen: dict[str, str], out: Templates) -> None:
    if not isinstance(data, dict) or not isinstance(data.get("templates"), list):
        v.err((), "expected a mapping with a `templates:` list")
        return
    extra = set(data) - {"templates"}
    for key in sorted(extra, key=str):
        v.err((key,), f"{key}: not a key of a template file; expected only `templates:`")
    for i, raw in enumerate(data["templates"]):
        p = ("templates", i)
        if not isinstance(raw, dict):
            v.err(p, "a template must be a mapping with id, section, rules ...")
            continue
        tid = raw.get("id")
        if not isinstance(tid, str) or not ID.match(tid):
            v.err((*p, "id") if "id" in raw else p, "id: required, lower-case words joined by - (e.g. "
                  "async-retries)")
            continue
        if tid in seen:
            v.err((*p, "id"), f"id: {tid!r} is already used in {seen[tid]}")
            continue
        seen[tid] = v.file
        if "fact" in raw:
            fact = check_fact(v, raw, p, rules)
            if fact:
                out.facts.append(fact)
        else:
            fam = check_family(v, raw, p, rules)
            if fam:
                out.families.append(fam)


def check_fact(v: Checker, raw: dict, p: tuple, rules) -> FactTemplate | None:
    n = len(v.problems)
    for key in raw:
        if key not in FACT_KEYS:
            v.err((*p, key), f"{key}: not a key of a fact template; expected one of {', '.join(sorted(FACT_KEYS))}")
    form = raw.get("fact")
    if form not in FACT_FORMS:
        v.err((*p, "fact"), f"fact: {form!r} is not a fact generator; expected one of {', '.join(FACT_FORMS)}")
    section = section_field(v, raw, p, required=False)
    rule_ids = rules_field(v, raw, p, rules, required=False)
    draws = draws_field(v, raw, p, 1)
    if len(v.problems) > n:
        return None
    return FactTemplate(raw["id"], form, v.file, v.line(p), draws, section, rule_ids or ())

