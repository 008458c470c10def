"""Checking a simulation template (a *family*): its parameters, its questions, their answers and distractors;
each problem with the file:line:col of the offending key."""

from __future__ import annotations

import re
from typing import Any

from study.quiz.template_model import (
    ANSWER_FORMS,
    ANSWER_KEYS,
    ASK_KEYS,
    DISTRACTOR_KEYS,
    FAMILY_KEYS,
    ID,
    PARAM_KEYS,
    PLACEHOLDER,
    RESERVED,
    SIM_KINDS,
    TRANSFORMS,
    Ask,
    Checker,
    Distractor,
    Family,
    draws_field,
    placeholders,
    rules_field,
    section_field,
)


def check_family(v: Checker, raw: dict, p: tuple, rules) -> Family | None:
    from study.sim.config import TRIGGER_TYPES

    n = len(v.problems)
    for key in raw:
        if key not in FAMILY_KEYS:
            v.err((*p, key), f"{key}: not a key of a simulation template; expected one of "
                  f"{', '.join(sorted(FAMILY_KEYS))}")
    section = section_field(v, raw, p, required=True)
    rule_ids = rules_field(v, raw, p, rules, required=True)
    draws = draws_field(v, raw, p, 20)
    engine = raw.get("engine", "emulator")
    if engine not in ("emulator", "pricing"):
        v.err((*p, "engine"), f"engine: {engine!r}; expected emulator (a scenario) or pricing (a month's bill)")
    trig = raw.get("trigger")
    trig_list = [trig] if isinstance(trig, str) else trig
    if engine == "emulator":
        if not isinstance(trig_list, list) or not trig_list or any(t not in TRIGGER_TYPES for t in trig_list):
            v.err((*p, "trigger") if "trigger" in raw else p,
                  f"trigger: expected the trigger type(s) the scenario uses, from {', '.join(TRIGGER_TYPES)}")
            trig_list = []
        if not isinstance(raw.get("scenario"), dict):
            v.err((*p, "scenario") if "scenario" in raw else p,
                  "scenario: required, a scenario skeleton with {param} placeholders")
    else:
        trig_list = ["pricing"]
        pr = raw.get("pricing")
        if not isinstance(pr, dict) or set(pr) != {"memory_mb", "duration_ms", "requests"}:
            v.err((*p, "pricing") if "pricing" in raw else p,
                  "pricing: expected memory_mb, duration_ms and requests (numbers or {param} placeholders)")
    params = raw.get("params") or {}
    if not isinstance(params, dict):
        v.err((*p, "params"), "params: expected a mapping of parameter name to {choices: [...]} or "
              "{range: [lo, hi]}")
        params = {}
    declared: list[str] = []
    for name, spec in params.items():
        pp = (*p, "params", name)
        if not isinstance(name, str) or not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name) or name in RESERVED:
            v.err(pp, f"params: {name!r} is not a usable name (letters, digits, _; not {', '.join(sorted(RESERVED))})")
            continue
        _param(v, spec, pp, declared)
        declared.append(name)
    known = set(declared)
    setup = raw.get("setup", "")
    if not isinstance(setup, str):
        v.err((*p, "setup"), "setup: expected text (the scenario described for the learner)")
        setup = ""
    for key in ("scenario", "pricing", "setup", "explain"):
        for name in sorted(placeholders(raw.get(key)) - known - ({"answer"} if key == "explain" else set())):
            v.err((*p, key), f"{key}: {{{name}}} is not a declared parameter; declared: "
                  f"{', '.join(declared) or 'none'}")
    asks_raw = raw.get("questions")
    if not isinstance(asks_raw, list) or not asks_raw:
        v.err((*p, "questions") if "questions" in raw else p,
              "questions: required, a list of questions asked about the scenario (id, stem, answer)")
        asks_raw = []
    # The questions are checked even when the family has problems, so one pass reports everything.
    fam = Family(
        id=raw["id"], file=v.file, line=v.line(p), section=section or "18.1", rules=rule_ids or (),
        trigger=tuple(trig_list),
        draws=draws, params=params, scenario=raw.get("scenario"), engine=engine, pricing=raw.get("pricing"),
        setup=setup, explain=raw.get("explain"),
    )
    ask_ids: set[str] = set()
    for j, a in enumerate(asks_raw):
        ask = _ask(v, fam, a, (*p, "questions", j), rules, known)
        if ask is None:
            continue
        if ask.id in ask_ids:
            v.err((*p, "questions", j, "id"), f"id: {ask.id!r} is used twice in this template")
            continue
        ask_ids.add(ask.id)
        fam.asks.append(ask)
    return fam if len(v.problems) == n else None


def _param(v: Checker, spec: Any, pp: tuple, declared: list[str]) -> None:
    if not isinstance(spec, dict) or len(set(spec) & {"choices", "range", "sample", "repeat"}) != 1:
        v.err(pp, "a parameter is one of {choices: [...]}, {range: [lo, hi], step: s}, {sample: [...], k: n} or "
              "{repeat: item, count: n} (with {i} = 1..n in the item)")
        return
    for key in spec:
        if key not in PARAM_KEYS:
            v.err((*pp, key), f"{key}: not a key of a parameter; expected one of {', '.join(sorted(PARAM_KEYS))}")
    refs = placeholders(spec) - set(declared) - ({"i"} if "repeat" in spec else set())
    for name in sorted(refs):
        v.err(pp, f"{{{name}}}: a parameter may only refer to parameters declared before it")
    if "choices" in spec:
        ch = spec["choices"]
        if not isinstance(ch, list) or not ch:
            v.err((*pp, "choices"), "choices: expected a non-empty list")
            return
        for i, item in enumerate(ch):
            if isinstance(item, dict) and ("value" not in item or set(item) - {"value", "text"}):
                v.err((*pp, "choices", i), "a choice is a plain value or {value: ..., text: \"...\"}")
    elif "range" in spec:
        r = spec["range"]
        if not isinstance(r, list) or len(r) != 2:
            v.err((*pp, "range"), "range: expected [lo, hi] (numbers or {param} placeholders)")
            return
        nums = [x for x in r if isinstance(x, int | float) and not isinstance(x, bool)]
        if len(nums) == 2 and nums[0] > nums[1]:
            v.err((*pp, "range"), f"range: lo {nums[0]} is above hi {nums[1]}")
        step = spec.get("step", 1)
        if isinstance(step, bool) or not isinstance(step, int | float) or step <= 0:
            v.err((*pp, "step"), "step: expected a positive number")
    elif "repeat" in spec:
        if "count" not in spec:
            v.err(pp, "count: required with repeat (a number or a {param})")
    else:
        pool = spec["sample"]
        if not isinstance(pool, list) or not pool:
            v.err((*pp, "sample"), "sample: expected a non-empty list to draw from")
        k = spec.get("k", 1)
        if not (isinstance(k, int) and not isinstance(k, bool) and k >= 0) and not (
                isinstance(k, list) and len(k) == 2):
            v.err((*pp, "k"), "k: expected how many to draw (a number, or [lo, hi])")


def _ask(v: Checker, fam: Family, raw: Any, p: tuple, rules, known: set[str]) -> Ask | None:
    n = len(v.problems)
    if not isinstance(raw, dict):
        v.err(p, "a question is a mapping with id, stem and answer")
        return None
    for key in raw:
        if key not in ASK_KEYS:
            v.err((*p, key), f"{key}: not a key of a template question; expected one of {', '.join(sorted(ASK_KEYS))}")
    aid = raw.get("id")
    if not isinstance(aid, str) or not ID.match(aid):
        v.err((*p, "id") if "id" in raw else p, "id: required, lower-case words joined by -")
    stem = raw.get("stem")
    if not isinstance(stem, str) or not stem.strip():
        v.err((*p, "stem") if "stem" in raw else p, "stem: required, the question text with {param} placeholders")
        stem = ""
    for name in sorted(placeholders(stem) - known - {"setup"}):
        v.err((*p, "stem"), f"stem: {{{name}}} is not a declared parameter")
    explain = raw.get("explain", fam.explain)
    for name in sorted(placeholders(explain) - known - {"answer", "setup"}):
        v.err((*p, "explain"), f"explain: {{{name}}} is not a declared parameter (or {{answer}})")
    section = section_field(v, raw, p, required=False) or fam.section
    extra_rules = rules_field(v, raw, p, rules, required=False)
    ans = raw.get("answer")
    kind = "single"
    if not isinstance(ans, dict):
        v.err((*p, "answer") if "answer" in raw else p,
              "answer: required, e.g. {path: summary.invocations, kind: numeric, precision: 1}")
    else:
        kind = _answer(v, ans, (*p, "answer"), known, fam.engine)
    distractors: list[Distractor] = []
    draw = raw.get("distractors") or []
    if not isinstance(draw, list):
        v.err((*p, "distractors"), "distractors: expected a list of misconception ids")
        draw = []
    for j, d in enumerate(draw):
        dist = _distractor(v, d, (*p, "distractors", j), rules, known)
        if dist:
            distractors.append(dist)
    default_min = min(1 if kind == "order" else 2, len(distractors))
    mind = raw.get("min_distractors", default_min)
    if isinstance(mind, bool) or not isinstance(mind, int) or not 0 <= mind <= len(distractors):
        v.err((*p, "min_distractors"), f"min_distractors: expected 0..{len(distractors)}")
    if len(v.problems) > n:
        return None
    return Ask(
        id=f"{fam.id}.{aid}", family=fam, stem=stem, answer=ans, kind=kind, distractors=distractors,
        explain=explain, section=section, rules=tuple(dict.fromkeys(fam.rules + (extra_rules or ()))),
        min_distractors=mind, where=(v.file, v.line(p)),
    )


def _answer(v: Checker, ans: dict, p: tuple, known: set[str], engine: str) -> str:
    for key in ans:
        if key not in ANSWER_KEYS:
            v.err((*p, key), f"{key}: not a key of an answer; expected one of {', '.join(sorted(ANSWER_KEYS))}")
    forms = [f for f in ANSWER_FORMS if f in ans]
    if len(forms) != 1:
        v.err(p, "answer: give exactly one of path (a value in the trace), count (matching list entries), ids "
              "(input ids whose fate matches) or order (items sorted by a trace value)")
        return "single"
    kind = ans.get("kind", "single")
    if kind not in SIM_KINDS:
        v.err((*p, "kind"), f"kind: {kind!r}; a generated question is single, numeric or order")
        return "single"
    if (forms[0] == "order") != (kind == "order"):
        v.err((*p, "kind"), "kind: order goes with an `order:` answer, and an `order:` answer with kind order")
    if forms[0] == "order":
        if not isinstance(ans["order"], list) or len(ans["order"]) < 2 or not isinstance(ans.get("by"), str):
            v.err(p, "order: expected a list of at least two items and `by:`, a path with {item}")
    if kind == "numeric":
        prec = ans.get("precision")
        if prec not in (1, 0.1, 0.01, 0.001):
            v.err((*p, "precision") if "precision" in ans else p,
                  "precision: a numeric answer states its precision: 1, 0.1, 0.01 (cents) or 0.001")
    if engine == "pricing" and forms[0] != "path":
        v.err(p, "answer: a pricing template reads a field of the bill with `path:` (total_usd, compute_usd ...)")
    nb = ans.get("neighbours")
    if nb is not None and nb != "toggle" and not (
            isinstance(nb, list) and all(isinstance(x, int | float) or (isinstance(x, str) and (
                x[:1] == "x" or PLACEHOLDER.fullmatch(x) or PLACEHOLDER.fullmatch(x.lstrip("-")))) for x in nb)):
        v.err((*p, "neighbours"), "neighbours: expected offsets such as [1, -1, 60], factors such as \"x2\", "
              "or toggle (for sets of ids)")
    for key in ("path", "count", "by", "format", "missing", "neighbours", "others"):
        for name in sorted(placeholders(ans.get(key)) - known - {"item"}):
            v.err((*p, key), f"{key}: {{{name}}} is not a declared parameter")
    plural = ans.get("plural")
    if plural is not None and not (isinstance(plural, list) and len(plural) == 2):
        v.err((*p, "plural"), "plural: expected [one, many], e.g. [run, runs]")
    return kind


def _distractor(v: Checker, d: Any, p: tuple, rules, known: set[str]) -> Distractor | None:
    from study.sim.misconceptions import KNOWN

    if isinstance(d, str):
        d = {"misconception": d}
        plain = True
    elif isinstance(d, dict):
        plain = False
        for key in d:
            if key not in DISTRACTOR_KEYS:
                v.err((*p, key), f"{key}: not a key of a distractor; expected misconception, set or transform")
    else:
        v.err(p, "a distractor is a misconception id, or {misconception: id, set: {...}} / {.., transform: ..}")
        return None
    mid = d.get("misconception")
    entry = rules.misconceptions.get(mid) if isinstance(mid, str) else None
    if entry is None:
        v.err(p if plain else (*p, "misconception"), f"{mid!r} is not a misconception id of content/rules.yaml")
        return None
    emulator = bool(entry.get("emulator")) and mid in KNOWN
    changes = d.get("set")
    transform = d.get("transform")
    if changes is not None and (not isinstance(changes, dict) or not changes):
        v.err((*p, "set"), "set: expected scenario changes, e.g. {trigger.StartingPosition: TRIM_HORIZON}")
        return None
    if transform is not None and transform not in TRANSFORMS:
        v.err((*p, "transform"), f"transform: {transform!r}; expected one of {', '.join(TRANSFORMS)}")
        return None
    if not emulator and changes is None and transform is None:
        v.err(p if plain else (*p, "misconception"),
              f"{mid!r} is not a rule change the emulator can switch on (emulator: true in rules.yaml); give "
              "`set:` (the scenario change that plays it out) or `transform:`")
        return None
    for name in sorted(placeholders(changes) - known):
        v.err((*p, "set"), f"set: {{{name}}} is not a declared parameter")
    return Distractor(mid, emulator, changes, transform)
