"""Where a wrong prediction and the run part ways: the first timeline entry that shows the difference, and the rule
that decided it; and the times a prediction marks on the timeline."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from study.lab.answers import actual_for, grade, same
from study.lab.lab_file import Outcome, Prediction
from study.playback.entries import entry_inputs


@dataclass
class Divergence:
    index: int | None  # timeline index of the entry where the prediction and the run part ways
    note: str
    rule: str | None


def _first_diff(predicted: Any, actual: Any) -> int | None:
    if not isinstance(predicted, list) or not isinstance(actual, list):
        return None
    for i, (p, a) in enumerate(zip(predicted, actual)):
        if not same(p, a, text=True):
            return i
    if len(predicted) != len(actual):
        return min(len(predicted), len(actual))
    return None


def _find(entries: list[dict], pred, start: int = 0) -> int | None:
    for i in range(start, len(entries)):
        if pred(entries[i]):
            return i
    return None


def _rule_near(entries: list[dict], index: int, ids: list[str]) -> str | None:
    """The rule that explains an entry: its own, or the closest one before it about the same inputs."""
    if entries[index].get("rule"):
        return entries[index]["rule"]
    wanted = set(ids)
    for j in range(index - 1, -1, -1):
        e = entries[j]
        if e.get("rule") and (not wanted or wanted & set(entry_inputs(e))) and e["kind"] not in (
                "env_create", "env_reuse", "arrive"):
            return e["rule"]
    for j in range(index + 1, min(len(entries), index + 4)):
        if entries[j].get("rule") and entries[j]["kind"] not in ("env_create", "env_reuse"):
            return entries[j]["rule"]
    return None


def divergence(pred: Prediction, predicted: Any, outcome: Outcome, fallback_rule: str | None) -> Divergence | None:
    """Where the run first differs from the prediction (None when they agree or nothing was predicted)."""
    if predicted is None or grade(pred, predicted, outcome):
        return None
    rule = pred.rule or fallback_rule
    if outcome.trace is None:
        return Divergence(None, f"the configuration was refused: {outcome.error}", rule)
    if pred.answer.strip() == "error":
        return Divergence(None, "the configuration was accepted and the scenario ran", rule)
    from study.sim.expect import parse_path

    entries = outcome.trace.get("timeline") or []
    actual = actual_for(pred, outcome)
    parts = parse_path(pred.answer)
    head = parts[0]
    index: int | None = None
    note = ""
    if head == "invocations" and len(parts) >= 2:
        invs = outcome.trace.get("invocations") or []
        if parts[1] == "*":
            j = _first_diff(predicted, actual) if isinstance(predicted, list) else 0
        else:
            j = parts[1] if isinstance(parts[1], int) else 0
        field_name = parts[2] if len(parts) > 2 else ""
        if j is None:
            j = 0
        if j >= len(invs):
            index = len(entries) - 1 if entries else None
            note = f"you predicted run #{j + 1}, but only {len(invs)} ran"
        else:
            kind = "invoke_end" if field_name in ("end", "status", "error", "response", "billed_ms") else "invoke_start"
            n = invs[j]["n"]
            index = _find(entries, lambda e: e["kind"] == kind and e.get("n") == n)
            note = f"run #{n} is the first that differs"
    elif head == "summary" and len(parts) >= 2:
        key = parts[1]
        p = predicted if isinstance(predicted, int | float) and not isinstance(predicted, bool) else None
        a = actual if isinstance(actual, int | float) and not isinstance(actual, bool) else None
        if key in ("invocations", "requests") and p is not None and a is not None:
            if p < a:
                nth = max(0, int(p))
                index = _nth(entries, lambda e: e["kind"] == "invoke_start", nth)
                note = f"run #{nth + 1} is one you did not expect"
            else:
                index = _last(entries, lambda e: e["kind"] == "invoke_end")
                note = f"the last run (#{int(a)}) is here; nothing ran after it"
        elif key == "errors" and p is not None and a is not None and p < a:
            index = _nth(entries, lambda e: e["kind"] == "invoke_end" and e.get("status") in ("error", "timeout"),
                         max(0, int(p)))
            note = f"error #{int(p) + 1} is one you did not expect"
        elif key == "throttles" and p is not None and a is not None and p < a:
            index = _nth(entries, lambda e: e["kind"] == "throttle", max(0, int(p)))
            note = f"throttle #{int(p) + 1} is one you did not expect"
        elif key == "max_concurrency" and p is not None:
            index = _concurrency_point(entries, int(p), a)
            note = "concurrency passes your figure here" if a is not None and p < a else "the busiest moment"
        else:
            index = len(entries) - 1 if entries else None
            note = f"summary.{key} is the total at the end of the run"
    elif head == "inputs" and len(parts) >= 2:
        iid = str(parts[1])
        key = parts[2] if len(parts) > 2 else "final"
        info = (outcome.trace.get("inputs") or {}).get(iid) or {}
        mentions = [i for i, e in enumerate(entries) if iid in entry_inputs(e)]
        p = predicted if isinstance(predicted, int | float) and not isinstance(predicted, bool) else None
        if key in ("attempts", "receive_count") and p is not None and isinstance(actual, int) and p < actual:
            starts = [i for i in mentions if entries[i]["kind"] == "invoke_start"]
            nth = max(0, int(p))
            index = starts[nth] if nth < len(starts) else (starts[-1] if starts else None)
            note = f"run {nth + 1} with {iid} is one you did not expect"
        else:
            index = _settling(entries, mentions, info)
            note = f"{iid} ends {info.get('final', '?')} here"
    elif head == "deliveries":
        dels = [i for i, e in enumerate(entries) if e["kind"] == "deliver" and e.get("delivery") != "http"]
        j = parts[1] if len(parts) > 1 and isinstance(parts[1], int) else 0
        if parts[1:2] == ["*"]:
            j = _first_diff(predicted, actual) or 0
        if dels:
            index = dels[min(j, len(dels) - 1)]
            note = "the delivery to a DLQ or destination"
        else:
            note = "nothing was sent to a DLQ or destination"
    elif head == "http":
        https = outcome.trace.get("http") or []
        j = parts[1] if len(parts) > 1 and isinstance(parts[1], int) else (_first_diff(predicted, actual) or 0)
        if j < len(https):
            iid = https[j].get("input")
            mentions = [i for i, e in enumerate(entries) if iid in entry_inputs(e)]
            index = mentions[-1] if mentions else None
            note = f"the answer to {iid}"
    if index is None and not note:
        note = "the outcome differs (no single step of the timeline shows it)"
    if index is not None:
        ids = entry_inputs(entries[index])
        rule = _rule_near(entries, index, ids) or rule
    return Divergence(index, note, rule)


def _nth(entries: list[dict], pred, nth: int) -> int | None:
    count = 0
    for i, e in enumerate(entries):
        if pred(e):
            if count == nth:
                return i
            count += 1
    return None


def _last(entries: list[dict], pred) -> int | None:
    for i in range(len(entries) - 1, -1, -1):
        if pred(entries[i]):
            return i
    return None


def _concurrency_point(entries: list[dict], limit: int, actual: Any) -> int | None:
    running, best, best_i = 0, -1, None
    for i, e in enumerate(entries):
        if e["kind"] == "invoke_start":
            running += 1
            if running > limit and isinstance(actual, int) and limit < actual:
                return i
            if running > best:
                best, best_i = running, i
        elif e["kind"] == "invoke_end":
            running -= 1
    return best_i


def _settling(entries: list[dict], mentions: list[int], info: dict) -> int | None:
    """The entry that settled an input's fate: the last one about it at its `at` time."""
    if not mentions:
        return None
    at = info.get("at")
    if at is not None:
        at_t = [i for i in mentions if abs(float(entries[i]["t"]) - float(at)) < 1e-9]
        if at_t:
            return at_t[-1]
    return mentions[-1]


def time_markers(pred: Prediction, predicted: Any) -> list[float]:
    """Predicted times to place on the timeline."""
    if not pred.is_time or predicted is None:
        return []
    values = predicted if isinstance(predicted, list) else [predicted]
    return [float(v) for v in values if isinstance(v, int | float) and not isinstance(v, bool)]
