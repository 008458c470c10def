"""Instantiate the templates for a seed: draw parameters, run the emulator, read the answer from the trace, and
compute each wrong option by running the emulator again with one named misconception switched on.

No answer is typed by hand: a simulation question's key is a path into a trace, its wrong options are the same
path read from misconception runs. Traces are cached by canonical scenario JSON for the length of one run.
"""

from __future__ import annotations

import base64
import binascii
import copy
import hashlib
import json
import random
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from study.quiz.model import Option, Question, format_number, quantize
from study.quiz.templates import PLACEHOLDER, Ask, Family, Templates, load_templates
from study.sim.errors import ScenarioError

MAX_REDRAWS = 12  # fresh parameter sets tried for one draw before giving it up
MAX_OPTIONS = 4
MAX_RUNS = 200  # max_invocations of a generated scenario
MISSING = object()
ARROW = " \u2192 "


class Redraw(Exception):
    """This parameter set makes a poor question (no answer, a tie, too few distinct wrong options): draw again."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


# -- parameters ------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Drawn:
    value: Any
    text: str | None = None


def draw_params(family: Family, rng: random.Random) -> dict[str, Drawn]:
    """One parameter set, drawn in declaration order (a range may name an earlier parameter)."""
    out: dict[str, Drawn] = {}
    for name, spec in family.params.items():
        if "choices" in spec:
            item = rng.choice(spec["choices"])
            if isinstance(item, dict):
                out[name] = Drawn(copy.deepcopy(item["value"]), item.get("text"))
            else:
                out[name] = Drawn(item)
        elif "range" in spec:
            lo, hi = (fill(x, out) for x in spec["range"])
            step = spec.get("step", 1)
            n = int(round((hi - lo) / step))
            value = lo + step * rng.randint(0, max(0, n))
            if isinstance(step, float) or isinstance(lo, float):
                value = round(value, 6)
            out[name] = Drawn(value)
        elif "repeat" in spec:
            n = fill(spec["count"], out)
            out[name] = Drawn([fill(spec["repeat"], {**out, "i": Drawn(i)}) for i in range(1, n + 1)])
        else:
            pool = fill(spec["sample"], out)
            k = spec.get("k", 1)
            if isinstance(k, list):
                k = rng.randint(*(fill(x, out) for x in k))
            k = min(fill(k, out), len(pool))
            picked = [pool[i] for i in sorted(rng.sample(range(len(pool)), k))]
            if picked and all(_is_choice(p) for p in picked):
                out[name] = Drawn([p["value"] for p in picked], join_items([p.get("text") or _plain(p["value"])
                                                                          for p in picked]))
            else:
                out[name] = Drawn(picked)
    return out


def _is_choice(item: Any) -> bool:
    return isinstance(item, dict) and "value" in item and set(item) <= {"value", "text"}


def _lookup(params: dict[str, Drawn], name: str, keys: str) -> Any:
    value = params[name].value
    for key in [k for k in keys.split(".") if k]:
        value = value[int(key)] if isinstance(value, list) else value[key]
    return value


def fill(node: Any, params: dict[str, Drawn]) -> Any:
    """The skeleton with placeholders replaced: a lone `{p}` keeps p's type; `_merge: {p}` merges a mapping into
    a mapping and `- _splice: {p}` a list into a list."""
    if isinstance(node, str):
        m = PLACEHOLDER.fullmatch(node)
        if m and m.group(1) in params:
            return copy.deepcopy(_lookup(params, m.group(1), m.group(2)))
        return PLACEHOLDER.sub(lambda m: _plain(_lookup(params, m.group(1), m.group(2)))
                               if m.group(1) in params else m.group(0), node)
    if isinstance(node, dict):
        out: dict = {}
        if "_merge" in node:
            merged = fill(node["_merge"], params)
            if isinstance(merged, dict):
                out.update(merged)
        for k, v in node.items():
            if k != "_merge":
                out[fill(k, params) if isinstance(k, str) else k] = fill(v, params)
        return out
    if isinstance(node, list):
        out_list: list = []
        for v in node:
            if isinstance(v, dict) and set(v) == {"_splice"}:
                out_list.extend(fill(v["_splice"], params))  # a list parameter spliced into the list
            else:
                out_list.append(fill(v, params))
        return out_list
    return node


def _plain(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, list):
        return join_items([_plain(v) for v in value])
    return str(value)


def fill_text(text: str | None, params: dict[str, Drawn], extra: dict[str, str] | None = None) -> str:
    """Learner-facing text: `{p}` gives the choice's text (or the value), `{p.key}` a part of the value."""
    if not text:
        return ""
    extra = extra or {}

    def sub(m) -> str:
        name, keys = m.group(1), m.group(2)
        if name in extra and not keys:
            return extra[name]
        if name not in params:
            return m.group(0)
        if not keys and params[name].text is not None:
            return params[name].text
        value = _lookup(params, name, keys)
        if isinstance(value, int) and not isinstance(value, bool) and abs(value) >= 10000:
            return f"{value:,}"  # 10,000,000 requests reads better than 10000000
        return _plain(value)

    return PLACEHOLDER.sub(sub, text).strip()


def join_items(items: list[str]) -> str:
    if not items:
        return "none"
    if len(items) == 1:
        return items[0]
    return ", ".join(items[:-1]) + " and " + items[-1]


def params_json(params: dict[str, Drawn]) -> dict:
    return {k: v.value for k, v in params.items()}


def question_id(template: str, params: dict) -> str:
    digest = hashlib.sha1(json.dumps(params, sort_keys=True, separators=(",", ":")).encode()).hexdigest()
    return f"gen.{template}.{digest[:10]}"


# -- running the emulator --------------------------------------------------------------------------------------

class TraceCache:
    """Traces by (canonical scenario JSON, misconceptions); `enabled=False` runs every request afresh."""

    def __init__(self, enabled: bool = True):
        self.enabled = enabled
        self.store: dict[tuple, Any] = {}
        self.scenarios: dict[tuple, dict] = {}
        self.runs = 0
        self.hits = 0

    def scenario(self, family: Family, params: dict[str, Drawn]) -> dict:
        """The family's scenario for a parameter set, filled once and shared by the family's questions."""
        key = (family.id, json.dumps(params_json(params), sort_keys=True))
        found = self.scenarios.get(key)
        if found is None:
            found = fill(family.scenario, params)
            found.setdefault("title", family.id)
            found.setdefault("section", family.section)
            # A bound for scenarios (and misconception runs) that would otherwise retry for a simulated week.
            found.setdefault("max_invocations", MAX_RUNS)
            self.scenarios[key] = found
        return found

    def run(self, engine: str, scenario: dict, misconceptions: frozenset[str] = frozenset()) -> dict:
        key = (json.dumps(scenario, sort_keys=True, separators=(",", ":"), default=str), tuple(sorted(misconceptions)))
        if self.enabled and key in self.store:
            self.hits += 1
            found = self.store[key]
            if isinstance(found, ScenarioError):
                raise found
            return found
        self.runs += 1
        try:
            result = run_scenario(engine, scenario, misconceptions)
        except ScenarioError as err:
            if self.enabled:
                self.store[key] = err
            raise
        if self.enabled:
            self.store[key] = result
        return result


def run_scenario(engine: str, scenario: dict, misconceptions: frozenset[str] = frozenset()) -> dict:
    """A fresh trace (or a month's bill for the pricing engine): no cache."""
    if engine == "pricing":
        from study.sim.pricing import monthly_cost

        p = scenario["pricing"]
        return monthly_cost(p["memory_mb"], p["duration_ms"], p["requests"], frozenset(misconceptions)).to_json()
    from study.sim.run import simulate
    from study.sim.scenario.load import scenario_from_dict

    return simulate(scenario_from_dict(scenario, misconceptions=frozenset(misconceptions)))


def apply_set(scenario: dict, changes: dict[str, Any]) -> dict:
    """The scenario with dotted-path changes (`trigger.StartingPosition`, `inputs[0].headers`); null deletes."""
    from study.sim.expect import parse_path

    out = copy.deepcopy(scenario)
    for path, value in changes.items():
        parts = parse_path(path)
        node: Any = out
        for part in parts[:-1]:
            if isinstance(part, int):
                node = node[part]
            else:
                node = node.setdefault(part, {})
        last = parts[-1]
        if value is None and not isinstance(last, int):
            node.pop(last, None)
        else:
            node[last] = copy.deepcopy(value)
    return out


# -- reading answers -------------------------------------------------------------------------------------------

def read_answer(ask: Ask, trace: dict, params: dict[str, Drawn]) -> Any:
    """The value the question asks for, read from a trace; MISSING when the path does not resolve."""
    from study.sim.expect import PathError, matches, resolve

    spec = ask.answer
    try:
        if "path" in spec:
            value = resolve(trace, fill(spec["path"], params))
        elif "count" in spec:
            items = resolve(trace, fill(spec["count"], params))
            if isinstance(items, dict):
                items = list(items.values())
            where = fill(spec.get("where") or {}, params)
            value = sum(1 for x in items if not matches(where, x))
        elif "ids" in spec:
            where = fill(spec["ids"], params)
            value = tuple(iid for iid, st in trace["inputs"].items() if not matches(where, st))
        else:
            items = [fill(x, params) for x in spec["order"]]
            keys = []
            for item in items:
                k = resolve(trace, fill(spec["by"], {**params, "item": Drawn(item)}))
                if k is None:
                    raise Redraw("an item to order has no value")
                keys.append(k)
            if len(set(keys)) != len(keys):
                raise Redraw("a tie in the order")
            value = tuple(item for _, item in sorted(zip(keys, items)))
    except PathError:
        return MISSING
    return normalise(ask, value)


def normalise(ask: Ask, value: Any) -> Any:
    if isinstance(value, list):
        return tuple(value)
    if ask.kind == "numeric" and isinstance(value, int | float) and not isinstance(value, bool):
        return quantize(value, ask.answer["precision"])
    return value


def transform(name: str, value: Any) -> Any:
    if name == "number":
        if isinstance(value, str):
            try:
                return int(value)
            except ValueError:
                return float(value)
        return value
    if name == "base64-decode":
        try:
            return base64.b64decode(value).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError, TypeError):
            return value
    raise ValueError(name)


def value_text(ask: Ask, value: Any, params: dict[str, Drawn] | None = None) -> str:
    """How an option shows a value: numbers with their unit and precision, id sets as 'r2 and r5', mapped words."""
    spec = ask.answer
    if value is MISSING:
        if spec.get("missing") is None:
            raise Redraw("the answer path does not resolve")
        return fill_text(spec["missing"], params or {})
    mapping = spec.get("map") or {}
    if not isinstance(value, tuple | dict) and value in mapping:
        return mapping[value]
    if isinstance(value, bool):
        text = "true" if value else "false"
    elif isinstance(value, int | float):
        text = format_number(value, spec.get("precision", 1), spec.get("unit"))
        plural = spec.get("plural")
        if plural:
            text = f"{text} {plural[0] if value == 1 else plural[1]}"
    elif spec.get("format") == "json":
        text = json.dumps(list(value) if isinstance(value, tuple) else value)
    elif isinstance(value, tuple):
        text = join_items([_plain(v) for v in value])
    elif isinstance(value, str):
        text = value
    else:
        text = json.dumps(value, sort_keys=True)
    fmt = spec.get("format")
    if fmt and fmt != "json":
        text = fmt.replace("{}", text)
    return text


def _neighbours(ask: Ask, value: Any, trace: dict, rng: random.Random, params: dict[str, Drawn]) -> list[Any]:
    spec = ask.answer
    nb = spec.get("neighbours")
    out: list[Any] = []
    if isinstance(value, int | float) and not isinstance(value, bool) and isinstance(nb, list):
        for off in nb:
            if isinstance(off, str) and off.startswith("x"):
                cand = value * float(off[1:])
            elif isinstance(off, str):
                step = fill(off.lstrip("-"), params)
                cand = value + (-step if off.startswith("-") else step)
            else:
                cand = value + off
            if isinstance(value, int) and not isinstance(off, str):
                cand = int(cand)
            if cand >= 0:
                out.append(normalise(ask, cand))
    elif isinstance(value, tuple) and nb == "toggle":
        universe = list(trace["inputs"])
        order = list(universe)
        rng.shuffle(order)
        for iid in order:
            flipped = tuple(i for i in universe if (i in value) != (i == iid))
            out.append(flipped)
    for other in fill(spec.get("others") or [], params):
        out.append(normalise(ask, tuple(other) if isinstance(other, list) else other))
    return out


# -- one question ----------------------------------------------------------------------------------------------

def _misconception_why(mid: str) -> str:
    from study.content import load_rules

    entry = load_rules().misconceptions[mid]
    return f"Misconception: \u201c{entry['belief']}\u201d {entry['correction']}"


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

    wrong: list[tuple[Any, str, Option]] = []  # (value, text, option)
    dropped = 0
    texts = {answer_text}
    for d in ask.distractors:
        scen = apply_set(scenario, fill(d.set, params)) if d.set else scenario
        mis = frozenset({d.misconception}) if d.emulator else frozenset()
        try:
            wtrace = trace if (scen is scenario and not mis) else cache.run(fam.engine, scen, mis)
            if _capped(wtrace):
                raise Redraw("the wrong belief never settles")
            wvalue = read_answer(ask, wtrace, params)
        except (ScenarioError, Redraw):
            dropped += 1
            continue
        if d.transform:
            wvalue = normalise(ask, transform(d.transform, wvalue))
        try:
            wtext = value_text(ask, wvalue, params)
        except Redraw:
            dropped += 1
            continue
        if wvalue == value or wtext == answer_text:
            dropped += 1  # this misconception gives the true answer here: it cannot be a wrong option
            continue
        if wtext in texts:
            continue  # two misconceptions, one wrong value: the first one names it
        texts.add(wtext)
        replay = d.replay()
        if d.set:
            replay["set"] = fill(d.set, params)
        wrong.append((wvalue, wtext, Option(wtext, False, _misconception_why(d.misconception), d.misconception,
                                            "misconception", replay)))
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
        notes = [f"With the misconception \u201c{_belief(o.misconception)}\u201d you would predict "
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
    for cand in _neighbours(ask, value, trace, rng, params):
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


def _belief(mid: str | None) -> str:
    from study.content import load_rules

    return load_rules().misconceptions[mid]["belief"].rstrip(".") if mid else ""


def _rule_statement(rule_id: str) -> str:
    from study.content import load_rules

    return load_rules().rules[rule_id]["statement"]


# -- whole runs ------------------------------------------------------------------------------------------------

@dataclass
class Report:
    """What a generation run did: for the bench, `--stats` and the tests."""

    per_template: Counter = field(default_factory=Counter)
    redraws: dict[str, Counter] = field(default_factory=lambda: defaultdict(Counter))
    given_up: Counter = field(default_factory=Counter)
    left_out: Counter = field(default_factory=Counter)  # items the exam form could not ask fairly, per template
    duplicates: int = 0
    runs: int = 0
    hits: int = 0


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
    report = Report()
    return tuple(generate_all(seed, report=report)), report


def generate(seed: int = 0, section: str | None = None) -> list[Question]:
    """The generated questions for a seed (cached per process), optionally those of one section."""
    from study.content import top_section

    questions = list(_cached(seed)[0])
    if section:
        questions = [q for q in questions if top_section(q.section) == top_section(section)]
    return questions


def generation_report(seed: int = 0) -> Report:
    return _cached(seed)[1]
