"""The acceptance cases' expectation format, and answer paths into a trace (`inputs.e1.final`, `invocations[*].start`)."""

from __future__ import annotations

import re
from typing import Any

from study.sim.scenario.arns import expand_arn

_MISSING = object()


class PathError(ValueError):
    pass


_TOKEN = re.compile(r"([^.\[\]]+)|\[(\*|\d+)\]")


def parse_path(path: str) -> list[str | int]:
    if not isinstance(path, str) or not path.strip():
        raise PathError("an answer path is dotted keys with [N] or [*], e.g. inputs.e1.final")
    parts: list[str | int] = []
    pos = 0
    text = path.strip()
    while pos < len(text):
        if text[pos] == ".":
            pos += 1
            continue
        m = _TOKEN.match(text, pos)
        if not m:
            raise PathError(f"cannot read the path {path!r} at {text[pos:]!r}")
        if m.group(1) is not None:
            parts.append(m.group(1))
        else:
            parts.append("*" if m.group(2) == "*" else int(m.group(2)))
        pos = m.end()
    return parts


def resolve(trace: Any, path: str) -> Any:
    """The value at `path` in the trace; `[*]` maps over a list. Raises PathError when it does not resolve."""
    return _walk(trace, parse_path(path), path)


def _walk(value: Any, parts: list, whole: str) -> Any:
    if not parts:
        return value
    head, rest = parts[0], parts[1:]
    if head == "*":
        if not isinstance(value, list):
            raise PathError(f"{whole}: [*] needs a list")
        return [_walk(v, rest, whole) for v in value]
    if isinstance(head, int):
        if not isinstance(value, list) or not -len(value) <= head < len(value):
            raise PathError(f"{whole}: no element [{head}]")
        return _walk(value[head], rest, whole)
    if isinstance(value, dict):
        if head in value:
            return _walk(value[head], rest, whole)
        if head.isdigit() and int(head) in value:
            return _walk(value[int(head)], rest, whole)
    raise PathError(f"{whole}: no key {head!r}")


# -- matching ---------------------------------------------------------------------------------------------------

def _is_num(x: Any) -> bool:
    return isinstance(x, int | float) and not isinstance(x, bool)


def _short_form(x: Any) -> Any:
    if isinstance(x, str) and re.fullmatch(r"(sqs|sns|lambda|events|s3):[^:]+", x):
        return expand_arn(x)
    return x


def matches(expected: Any, actual: Any, where: str = "") -> list[str]:
    """Recursive subset match (docs/scenario-format.md): the differences, empty when it matches."""
    if isinstance(expected, dict):
        if not isinstance(actual, dict):
            return [f"{where or '.'}: expected a mapping, got {actual!r}"]
        if expected == {} and actual != {}:
            return [f"{where or '.'}: expected an empty mapping, got {actual!r}"]
        out = []
        for k, v in expected.items():
            if k not in actual:
                if str(k) in actual:
                    k2 = str(k)
                else:
                    out.append(f"{where}.{k}: missing")
                    continue
            else:
                k2 = k
            out.extend(matches(v, actual[k2], f"{where}.{k}"))
        return out
    if isinstance(expected, list):
        if not isinstance(actual, list):
            return [f"{where}: expected a list, got {actual!r}"]
        if len(expected) != len(actual):
            return [f"{where}: expected {len(expected)} items, got {len(actual)}: {actual!r}"]
        out = []
        for i, (e, a) in enumerate(zip(expected, actual)):
            out.extend(matches(e, a, f"{where}[{i}]"))
        return out
    if _is_num(expected):
        if _is_num(actual) and abs(expected - actual) <= 1e-6:
            return []
        return [f"{where}: expected {expected!r}, got {actual!r}"]
    if isinstance(expected, bool) or expected is None:
        if type(actual) is type(expected) and actual == expected:
            return []
        return [f"{where}: expected {expected!r}, got {actual!r}"]
    if isinstance(expected, str):
        if actual == expected or (isinstance(actual, str) and _short_form(expected) == actual):
            return []
        return [f"{where}: expected {expected!r}, got {actual!r}"]
    if expected == actual:
        return []
    return [f"{where}: expected {expected!r}, got {actual!r}"]


def check_case(expect: dict, trace: dict | None, error: str | None) -> list[str]:
    """Every difference between a case's `expect` block and what the run gave (empty = the case passes)."""
    if "error" in expect:
        if error is None:
            return [f"expected the configuration to be refused with {expect['error']!r}, but it ran"]
        if str(expect["error"]).lower() not in error.lower():
            return [f"expected an error containing {expect['error']!r}, got {error!r}"]
        return []
    if error is not None:
        return [f"the scenario was refused: {error}"]
    assert trace is not None
    invs = trace["invocations"]
    out: list[str] = []
    simple = {
        "starts": [i["start"] for i in invs],
        "batches": [i["inputs"] for i in invs],
        "statuses": [i["status"] for i in invs],
        "attempt_numbers": [i["attempt"] for i in invs],
        "cold_starts": [i["cold_start"] for i in invs],
    }
    for key, value in expect.items():
        if key == "invocations":
            if len(invs) != value:
                out.append(f"invocations: expected {value}, got {len(invs)}")
        elif key in simple:
            out.extend(matches(value, simple[key], key))
        elif key == "inputs":
            for iid, want in value.items():
                if str(iid) not in trace["inputs"]:
                    out.append(f"inputs.{iid}: no such input in the trace")
                else:
                    out.extend(matches(want, trace["inputs"][str(iid)], f"inputs.{iid}"))
        elif key == "deliveries":
            out.extend(matches(value, trace["deliveries"], "deliveries"))
        elif key == "http":
            by_input = {h["input"]: h for h in trace["http"]}
            if len(value) != len(trace["http"]):
                out.append(f"http: expected {len(value)} responses, got {len(trace['http'])}")
            for want in value:
                got = by_input.get(want.get("input"))
                if got is None:
                    out.append(f"http: no response for {want.get('input')!r}")
                else:
                    out.extend(matches(want, got, f"http[{want.get('input')}]"))
        elif key == "events":
            for n, want in value.items():
                n = int(n)
                if not 1 <= n <= len(invs):
                    out.append(f"events.{n}: there is no invocation {n}")
                else:
                    out.extend(matches(want, invs[n - 1]["event"], f"events.{n}"))
        elif key == "summary":
            out.extend(matches(value, trace["summary"], "summary"))
        elif key == "absent":
            for n, keys in value.items():
                n = int(n)
                if not 1 <= n <= len(invs):
                    out.append(f"absent.{n}: there is no invocation {n}")
                    continue
                event = invs[n - 1]["event"]
                for k in keys:
                    if isinstance(event, dict) and k in event:
                        out.append(f"absent.{n}: {k!r} is in the event")
        elif key == "paths":
            # Ours: {path: value} checked through the same answer paths labs and questions use.
            for path, want in value.items():
                try:
                    got = resolve(trace, path)
                except PathError as err:
                    out.append(str(err))
                    continue
                out.extend(matches(want, got, path))
        else:
            out.append(f"{key}: not an expectation this runner knows")
    return out
