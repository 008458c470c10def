"""Reading a template question's answer from a trace, and showing a value as an option's text.

A simulation question's key is a path into a trace (or a count, a set of input ids, an order); MISSING marks a
path that does not resolve, Redraw a parameter set that makes a poor question.
"""

from __future__ import annotations

import base64
import binascii
import json
import random
from typing import Any

from study.quiz.model import format_number, quantize
from study.quiz.template_model import Ask
from study.quiz.template_params import Drawn, fill, fill_text, join_items, plain

MISSING = object()


class Redraw(Exception):
    """This parameter set makes a poor question (no answer, a tie, too few distinct wrong options): draw again."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


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
        text = join_items([plain(v) for v in value])
    elif isinstance(value, str):
        text = value
    else:
        text = json.dumps(value, sort_keys=True)
    fmt = spec.get("format")
    if fmt and fmt != "json":
        text = fmt.replace("{}", text)
    return text


def neighbours(ask: Ask, value: Any, trace: dict, rng: random.Random, params: dict[str, Drawn]) -> list[Any]:
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

