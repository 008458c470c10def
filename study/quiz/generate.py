"""Instantiate the templates for a seed: draw parameters, run the emulator, read the answer from the trace, and
compute each wrong option by running the emulator again with one named misconception switched on.

No answer is typed by hand: a simulation question's key is a path into a trace, its wrong options are the same
path read from misconception runs. Traces are cached by canonical scenario JSON for the length of one run.
"""

from __future__ import annotations

import json
import random
from functools import lru_cache
from typing import Any

from study.quiz.model import Option, Question, Report  # Report: here for the callers that import it from here
from study.quiz.question_runs import TraceCache, apply_set
from study.quiz.template_model import Ask, Distractor, Family, Templates
from study.quiz.template_params import Drawn, draw_params, fill, fill_text, params_json, question_id
from study.quiz.templates import load_templates
from study.quiz.trace_answers import (
    MISSING,
    Redraw,
    neighbours,
    normalise,
    read_answer,
    transform,
    value_text,
)
from study.quiz.wrong_options import UNUSABLE, MisconceptionRun, belief, wrong_options
from study.sim.errors import ScenarioError

MAX_REDRAWS = 12  # fresh parameter sets tried for one draw before giving it up
MAX_OPTIONS = 4
ARROW = " \u2192 "


# -- one question ----------------------------------------------------------------------------------------------

def _misconception_run(ask: Ask, d: Distractor, scenario: dict, trace: dict, params: dict[str, Drawn],
                       cache: TraceCache) -> MisconceptionRun:
    """The answer with one distractor's wrong belief played out: its misconception switched on in the emulator,
    its scenario change applied, or its wrong reading (`transform`) of the true value."""
    scen = apply_set(scenario, fill(d.set, params)) if d.set else scenario
    mis = frozenset({d.misconception}) if d.emulator else frozenset()
    replay = d.replay()
    if d.set:
        replay["set"] = fill(d.set, params)
    try:
        wtrace = trace if (scen is scenario and not mis) else cache.run(ask.family.engine, scen, mis)
        if _capped(wtrace):
            raise Redraw("the wrong belief never settles")
        wvalue = read_answer(ask, wtrace, params)
    except (ScenarioError, Redraw):
        return MisconceptionRun(d.misconception, UNUSABLE, replay)
    if d.transform:
        wvalue = normalise(ask, transform(d.transform, wvalue))
    return MisconceptionRun(d.misconception, wvalue, replay)


def _shown(ask: Ask, value: Any, params: dict[str, Drawn]) -> str | None:
    try:
        return value_text(ask, value, params)
    except Redraw:
        return None


def instantiate(ask: Ask, params: dict[str, Drawn], cache: TraceCache) -> Question:
    """The question for one parameter set. Raises Redraw when the set makes a poor question."""
    fam = ask.family
    if fam.engine == "pricing":
        scenario = {"pricing": fill(fam.pricing, params)}
    else:
        scenario = cache.scenario(fam, params)
    try:
        trace = cache.run(fam.engine, scenario)
    except ScenarioError as err:
        raise Redraw(f"the scenario is refused: {err.message}") from None
    if _capped(trace):
        raise Redraw("the scenario hits max_invocations")
    value = read_answer(ask, trace, params)
    if value is MISSING and ask.answer.get("missing") is None:
        raise Redraw("the answer path does not resolve")
    answer_text = value_text(ask, value, params)
    setup = fill_text(fam.setup, params)
    stem = fill_text(ask.stem, params, {"setup": setup})
    explain = fill_text(ask.explain, params, {"answer": answer_text, "setup": setup})
    qid = question_id(ask.id, params_json(params))
    rng = random.Random(qid)

    runs = (_misconception_run(ask, d, scenario, trace, params, cache) for d in ask.distractors)
    wrong, dropped = wrong_options(value, answer_text, runs, lambda v: _shown(ask, v, params))
    texts = {answer_text, *(w.text for w in wrong)}
    if len(wrong) < ask.min_distractors:
        raise Redraw("too few misconceptions give a wrong answer here")

    trigger = "pricing" if fam.engine == "pricing" else scenario["trigger"]["type"]
    base = dict(id=qid, section=ask.section, rules=ask.rules, stem=stem, source="generated", template=ask.id,
                trigger=trigger, scenario=scenario, params=params_json(params))
    explanation = explain or _rule_statement(ask.rules[0])

    if ask.kind == "order":
        item_text = ask.answer.get("item_text", "{item}")
        texts_of = {item: fill_text(item_text, {**params, "item": Drawn(item)}) for item in value}
        ordered = [texts_of[i] for i in value]
        notes = [f"With the misconception \u201c{belief(o.misconception)}\u201d you would predict "
                 f"{ARROW.join(texts_of.get(i, i) for i in v)}." for v, _, o in wrong]
        options = tuple(Option(texts_of[item], True, f"Number {k + 1} in the order.", None, "emulator")
                        for k, item in enumerate(value))
        shuffled = list(options)
        rng.shuffle(shuffled)
        return Question(kind="order", options=tuple(shuffled), answer=ordered,
                        explanation=" ".join([explanation, *notes]).strip(), **base)

    if "ids" in ask.answer and isinstance(value, tuple):
        multi = ids_multi(value, trace, wrong, rng, explain or explanation)
        if multi is not None:
            options, count = multi
            return Question(kind="multi", options=tuple(options), answer=[o.text for o in options if o.correct],
                            explanation=explanation, **{**base, "stem": f"{stem} (Choose {count}.)"})

    options = [Option(answer_text, True, explain or explanation, None, "emulator")]
    options += [w[2] for w in wrong]
    for cand in neighbours(ask, value, trace, rng, params):
        if len(options) >= MAX_OPTIONS:
            break
        try:
            text = value_text(ask, cand, params)
        except Redraw:
            continue
        if text in texts or cand == value:
            continue
        texts.add(text)
        options.append(Option(text, False, f"Not what happens here: the emulator's answer is \u201c{answer_text}\u201d.",
                              None, "neighbour"))
    if len(options) < 2:
        raise Redraw("fewer than two options")
    rng.shuffle(options)
    if ask.kind == "numeric":
        answer: Any = {"value": value, "precision": ask.answer["precision"], "unit": ask.answer.get("unit"),
                       "text": answer_text}
    else:
        answer = answer_text
    return Question(kind=ask.kind, options=tuple(options), answer=answer, explanation=explanation,
                    extra={"dropped_distractors": dropped} if dropped else {}, **base)


MULTI_WORDS = {2: "TWO", 3: "THREE"}
FATE = {"succeeded": "is processed successfully", "failed": "fails and the error goes back to the caller",
        "dead_lettered": "ends up in the dead-letter queue or on-failure destination", "dropped": "is lost",
        "filtered": "is filtered out and never invokes the function",
        "coalesced": "is coalesced into another notification", "pending": "is still pending at the end"}
MULTI_MAX_OPTIONS = 6


def ids_multi(value: tuple, trace: dict, wrong: list, rng: random.Random,
              explain: str) -> tuple[list[Option], str] | None:
    """A set of inputs as the exam asks it: "Which records ...? (Choose TWO.)" over five or six of the inputs.
    A wrong input that a misconception run picks carries that misconception; any other carries its own fate in
    the run (what really happened to it). None when the set is not two or three of at least five inputs."""
    universe = list(trace["inputs"])
    if len(value) not in MULTI_WORDS or len(universe) < 5:
        return None
    picked_by: dict[str, Option] = {}
    for wvalue, _, opt in wrong:
        for iid in wvalue if isinstance(wvalue, tuple) else ():
            if iid not in value:
                picked_by.setdefault(iid, opt)
    others = [i for i in universe if i not in value]
    rng.shuffle(others)
    others.sort(key=lambda i: i not in picked_by)
    others = others[:min(len(universe), MULTI_MAX_OPTIONS) - len(value)]

    def fate(iid: str) -> str:
        final = trace["inputs"][iid].get("final")
        return f"In this scenario {iid} {FATE.get(final, final)}."

    options = [Option(iid, True, f"{fate(iid)} {explain}", None, "emulator") for iid in value]
    for iid in others:
        opt = picked_by.get(iid)
        if opt is not None:
            options.append(Option(iid, False, f"{fate(iid)} {opt.why}", opt.misconception, "misconception",
                                  opt.replay))
        else:
            options.append(Option(iid, False, fate(iid), None, "trace"))
    options.sort(key=lambda o: universe.index(o.text))  # inputs in their order of arrival
    return options, MULTI_WORDS[len(value)]


def _capped(trace: dict) -> bool:
    return trace.get("summary", {}).get("stopped_by") == "max_invocations"


def _rule_statement(rule_id: str) -> str:
    from study.content import load_rules

    return load_rules().rules[rule_id]["statement"]


# -- whole runs ------------------------------------------------------------------------------------------------

def generate_family(family: Family, seed: int, cache: TraceCache, report: Report) -> list[Question]:
    out: list[Question] = []
    for ask in family.asks:
        seen: set[str] = set()
        for k in range(family.draws):
            for attempt in range(MAX_REDRAWS):
                params = draw_params(family, random.Random(f"{family.id}:{seed}:{k}:{attempt}"))
                key = json.dumps(params_json(params), sort_keys=True)
                if key in seen:
                    report.redraws[ask.id]["parameters drawn before"] += 1
                    continue
                seen.add(key)
                try:
                    q = instantiate(ask, params, cache)
                except Redraw as why:
                    report.redraws[ask.id][why.reason] += 1
                    continue
                out.append(q)
                break
            else:
                report.given_up[ask.id] += 1
    return out


def generate_all(seed: int = 0, templates: Templates | None = None, cache: TraceCache | None = None,
                 report: Report | None = None, labs: bool = True) -> list[Question]:
    """Every generated question for `seed`: simulation templates, fact templates, lab predictions; deduplicated
    by id and by (stem, options)."""
    from study.quiz import facts
    from study.quiz.form import finish
    from study.quiz.labs import lab_questions

    templates = templates or load_templates()
    if templates.problems:
        raise templates.problems[0]
    cache = cache or TraceCache()
    report = report if report is not None else Report()
    produced: list[Question] = []
    for fam in templates.families:
        produced += generate_family(fam, seed, cache, report)
    for fact in templates.facts:
        produced += facts.generate_fact(fact, seed)
    if labs:
        produced += lab_questions(seed)
    fixed: set[str] = set()
    produced = finish(produced, report.left_out, fixed)
    produced = fixed_questions(produced, fixed, templates, cache)
    out: list[Question] = []
    ids: set[str] = set()
    shapes: set[tuple] = set()
    for q in produced:
        shape = (q.stem, tuple(sorted(o.text for o in q.options)))
        if q.id in ids or shape in shapes:
            report.duplicates += 1
            continue
        ids.add(q.id)
        shapes.add(shape)
        out.append(q)
        report.per_template[q.template] += 1
    report.runs, report.hits = cache.runs, cache.hits
    return out


def fixed_questions(questions: list[Question], fixed: set[str], templates: Templates,
                    cache: TraceCache) -> list[Question]:
    """A template question whose key never varies is asked as one fixed question, the same for every seed: its
    instance is replaced by one drawn from parameters that do not depend on the seed."""
    from study.quiz.form import Balancer, finish_single

    asks = {a.id: a for a in templates.asks}
    out = list(questions)
    for tid in sorted(fixed & set(asks)):
        ask = asks[tid]
        for attempt in range(MAX_REDRAWS):
            params = draw_params(ask.family, random.Random(f"{ask.family.id}:fixed:{attempt}"))
            try:
                q = instantiate(ask, params, cache)
            except Redraw:
                continue
            if q.kind == "single":
                q = finish_single(q, Balancer())
            if q is None:
                continue
            out = [q if old.template == tid else old for old in out]
            break
    return out


@lru_cache(maxsize=4)
def _cached(seed: int) -> tuple[tuple[Question, ...], Report]:
    """A seed's bank: kept in this process, and on disk between runs (study.quiz.stored)."""
    from study.quiz import stored

    found = stored.load(seed)
    if found is not None:
        return found
    report = Report()
    questions = tuple(generate_all(seed, report=report))
    stored.save(seed, questions, report)
    return questions, report


def generate(seed: int = 0, section: str | None = None) -> list[Question]:
    """The generated questions for a seed (cached per process), optionally those of one section."""
    from study.content import top_section

    questions = list(_cached(seed)[0])
    if section:
        questions = [q for q in questions if top_section(q.section) == top_section(section)]
    return questions


def generation_report(seed: int = 0) -> Report:
    return _cached(seed)[1]
