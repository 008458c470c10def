"""Template parameters: one parameter set drawn for a seed, and skeletons and texts filled from it.

A parameter is drawn from `choices`, a `range`, a `sample` or a `repeat` (questions/templates/*.yaml); `{p}` and
`{p.key}` placeholders then fill the scenario skeleton, the stem and the explanation.
"""

from __future__ import annotations

import copy
import hashlib
import json
import random
from dataclasses import dataclass
from typing import Any

from study.quiz.template_model import PLACEHOLDER, Family


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
                out[name] = Drawn([p["value"] for p in picked], join_items([p.get("text") or plain(p["value"])
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
        return PLACEHOLDER.sub(lambda m: plain(_lookup(params, m.group(1), m.group(2)))
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


def plain(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, list):
        return join_items([plain(v) for v in value])
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
        return plain(value)

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
