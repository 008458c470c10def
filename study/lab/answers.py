"""A learner's answer: parsed from what they typed, compared with the trace's value, shown back in their words."""

from __future__ import annotations

import math
import re
from typing import Any

from study.lab.lab_file import Outcome, Prediction, is_missing, is_number
from study.playback.states import STREAMS

_TRUE = {"y", "yes", "true", "t", "1"}
_FALSE = {"n", "no", "false", "f", "0"}


def _scalar(text: str) -> Any:
    word = text.strip()
    low = word.lower()
    if low in ("true", "false"):
        return low == "true"
    if low in ("null", "none"):
        return None
    num = word[:-1] if low.endswith("s") and is_number(word[:-1]) else word
    if is_number(num):
        f = float(num.replace("_", ""))
        return int(f) if f.is_integer() and "." not in num and "e" not in num.lower() else f
    return word



def parse_answer(pred: Prediction, text: str, shape: Any = None) -> tuple[Any, str | None]:
    """The learner's typed answer as a value, or (None, what is wrong). Blank is (None, None): no prediction.
    `shape` is the kind of value the path holds (for lists of lists), never the answer itself."""
    text = (text or "").strip()
    if not text:
        return None, None
    kind = pred.kind
    if kind == "number":
        value = _scalar(text)
        if isinstance(value, bool) or not isinstance(value, int | float):
            return None, f"{text!r} is not a number"
        return value, None
    if kind == "bool":
        low = text.lower()
        if low in _TRUE:
            return True, None
        if low in _FALSE:
            return False, None
        return None, "answer yes or no"
    if kind == "choice":
        for opt in pred.options:
            if opt.lower() == text.lower():
                return opt, None
        if text.isdigit() and 1 <= int(text) <= len(pred.options):
            return pred.options[int(text) - 1], None
        return None, "pick one of: " + ", ".join(pred.options)
    if kind == "list":
        nested = isinstance(shape, list) and any(isinstance(x, list) for x in shape)
        if isinstance(shape, list) and shape and all(isinstance(x, bool) for x in shape):
            words = [w for w in re.split(r"[,\s]+", text.strip().strip("[]")) if w]
            bad = [w for w in words if w.lower() not in _TRUE | _FALSE]
            if bad:
                return None, f"answer yes or no for each, e.g. yes, no (not {bad[0]!r})"
            return [w.lower() in _TRUE for w in words], None
        cleaned = text.strip().strip("[]") if not nested else text.strip()
        if nested or ";" in text or "|" in text:
            groups = [g for g in re.split(r"\]\s*,\s*\[|[;|]", cleaned) if g.strip()]
            return [[_scalar(x) for x in re.split(r"[,\s]+", g.strip().strip("[]")) if x] for g in groups], None
        return [_scalar(x) for x in re.split(r"[,\s]+", cleaned) if x], None
    return text, None


def same(expected: Any, actual: Any, text: bool = False) -> bool:
    """Numbers within 1e-6, lists element-wise, text ignoring case and surrounding space."""
    if isinstance(expected, bool) or isinstance(actual, bool):
        return expected is actual if isinstance(expected, bool) and isinstance(actual, bool) else (
            str(expected).lower() == str(actual).lower())
    if isinstance(expected, int | float) and isinstance(actual, int | float):
        return math.isclose(expected, actual, rel_tol=0, abs_tol=1e-6)
    if isinstance(expected, list) and isinstance(actual, list):
        return len(expected) == len(actual) and all(same(a, b, text) for a, b in zip(expected, actual))
    if isinstance(expected, str) and isinstance(actual, str):
        return expected.strip().lower() == actual.strip().lower() if text else expected == actual
    if isinstance(expected, str) and actual is not None and not isinstance(actual, list | dict):
        return expected == str(actual)
    return expected == actual


def actual_for(pred: Prediction, outcome: Outcome) -> Any:
    """The outcome's value for a prediction, as the kind compares it."""
    value = outcome.value(pred.answer)
    if pred.answer.strip() == "error" and pred.kind == "bool":
        return outcome.error is not None
    return value


def grade(pred: Prediction, predicted: Any, outcome: Outcome) -> bool | None:
    """True/False, or None when there was no prediction."""
    if predicted is None:
        return None
    actual = actual_for(pred, outcome)
    if is_missing(actual):
        return False
    if pred.answer.strip() == "error" and pred.kind == "text":
        return bool(actual) and str(predicted).lower() in str(actual).lower()
    if pred.kind == "choice" and isinstance(predicted, str) and len(predicted) > 1 and predicted[0] == '"' == \
            predicted[-1]:
        return isinstance(actual, str) and actual == predicted[1:-1]  # the text "256", not the number 256
    return same(predicted, actual, text=pred.kind in ("text", "choice"))


def show(value: Any) -> str:
    """A value as the learner reads it."""
    if is_missing(value):
        return "(nothing there)"
    if value is None:
        return "none"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, list):
        if any(isinstance(x, list) for x in value):
            return "; ".join(" ".join(show(y) for y in x) if isinstance(x, list) else show(x) for x in value)
        return ", ".join(show(x) for x in value)
    if isinstance(value, dict):
        import json

        return json.dumps(value, sort_keys=True)
    return str(value)


STREAM_DEAD = "discarded; its batch's metadata sent to the on-failure destination"


def final_label(word: str, trigger_type: str) -> str:
    """A final state as the learner reads it. On a stream, `dead_lettered` means the record was discarded and
    only its batch's metadata went to the on-failure destination: say so, keeping the trace's name."""
    if word == "dead_lettered" and trigger_type in STREAMS:
        return f"{STREAM_DEAD} (dead_lettered)"
    return word


def display(value: Any, trigger_type: str) -> str:
    """`show`, with final states in the learner's words for this trigger."""
    text = show(value)
    return final_label(text, trigger_type) if isinstance(value, str) else text
