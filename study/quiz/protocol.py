"""What practice and exams need of any question (a study.quiz.model.Question, or a plain dict such as a
snapshot): reading its fields, the default grading, and the plain-JSON snapshot kept with exam attempts.
Pure: no store, no UI."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any, Protocol


class QuestionLike(Protocol):
    """What practice and exams need of a question (a dict with these keys works too); named apart from
    study.quiz.model.Question, which is one such question."""

    id: str
    section: str
    rules: Sequence[str]
    kind: str
    options: Sequence[Any]


# grade(question, answer) -> right or wrong; multiple-answer questions are all-or-nothing.
Grade = Callable[[Any, Any], bool]


def qattr(question: Any, name: str, default: Any = None) -> Any:
    if isinstance(question, Mapping):
        return question.get(name, default)
    return getattr(question, name, default)


def rules_of(question: Any) -> tuple[str, ...]:
    return tuple(qattr(question, "rules", ()) or ())


def options_of(question: Any) -> list[dict]:
    """The options as plain dicts {text, correct, why}."""
    return [{"text": str(qattr(o, "text", "")), "correct": bool(qattr(o, "correct", False)),
             "why": str(qattr(o, "why", "") or "")} for o in qattr(question, "options", ()) or ()]


def correct_choice(question: Any) -> tuple[int, ...]:
    return tuple(i for i, o in enumerate(options_of(question)) if o["correct"])


def chosen(question: Any, answer: Any) -> tuple[int, ...]:
    """The options an answer picks, as sorted indexes: the answer may be an option index or text, or a
    collection of them. Anything else (a typed number) picks no option."""
    if answer is None:
        return ()
    texts = {o["text"]: i for i, o in enumerate(options_of(question))}
    items = [answer] if isinstance(answer, int | str) else answer
    if isinstance(items, Mapping) or not isinstance(items, Iterable):
        return ()
    out = set()
    for a in items:
        if isinstance(a, bool):
            continue
        if isinstance(a, int) and 0 <= a < len(texts):
            out.add(a)
        elif isinstance(a, str) and a in texts:
            out.add(texts[a])
    return tuple(sorted(out))


def grade_choice(question: Any, answer: Any) -> bool:
    """The default grading, for question objects and their plain-data snapshots alike.

    single/multi: right when exactly the correct options are picked (by index or text), so multiple answer
    is all-or-nothing; numeric: the number at the answer's stated precision; order: the texts in order.
    """
    kind = qattr(question, "kind", "single")
    expected = qattr(question, "answer")
    if answer is None:
        return False
    if kind == "numeric" and isinstance(expected, Mapping):
        try:
            given = Decimal(str(answer).replace("$", "").replace(",", "").split()[0])
        except (InvalidOperation, IndexError):
            return False
        precision = Decimal(str(expected.get("precision", 1)))
        return _at(given, precision) == _at(Decimal(str(expected["value"])), precision)
    if kind == "order":
        return isinstance(answer, list | tuple) and [str(a) for a in answer] == [str(e) for e in expected or ()]
    if not qattr(question, "options"):
        return str(answer).strip().lower() == str(expected).strip().lower()
    picked = chosen(question, answer)
    if isinstance(answer, list | tuple | set | frozenset) and len(picked) != len(set(answer)):
        return False  # something picked that is not an option
    return bool(picked) and picked == correct_choice(question)


def _at(value: Decimal, precision: Decimal) -> Decimal:
    return (value / precision).quantize(Decimal(1), rounding=ROUND_HALF_UP)


def has_scenario(question: Any) -> bool:
    return qattr(question, "scenario") is not None


def _plain(value: Any) -> Any:
    if value is None or isinstance(value, str | int | float | bool):
        return value
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [_plain(v) for v in value]
    if hasattr(value, "__dataclass_fields__"):
        return {k: _plain(getattr(value, k)) for k in value.__dataclass_fields__}
    if hasattr(value, "to_dict"):
        return _plain(value.to_dict())
    return str(value)


def snapshot(question: Any) -> dict:
    """A question as plain JSON data, as it was shown (kept with exam attempts for review and replay).

    Everything the question's own `to_json()` gives is kept (template, params, scenario ...), so a face can
    rebuild or replay it; the protocol's fields are always present."""
    if isinstance(question, Mapping):
        base = _plain(dict(question))
    elif callable(getattr(question, "to_json", None)):
        base = _plain(question.to_json())
    else:
        base = {}
    options = options_of(question)
    raw = base.get("options")
    if isinstance(raw, list) and len(raw) == len(options) and all(isinstance(o, dict) for o in raw):
        options = [{**o, **clean} for o, clean in zip(raw, options)]
    base.update({
        "id": str(qattr(question, "id", "")),
        "section": str(qattr(question, "section", "")),
        "rules": list(rules_of(question)),
        "kind": str(qattr(question, "kind", "single") or "single"),
        "stem": str(qattr(question, "stem", "")),
        "options": options,
        "answer": _plain(qattr(question, "answer")),
        "explanation": _plain(qattr(question, "explanation")),
        "source": _plain(qattr(question, "source")),
        "scenario": _plain(qattr(question, "scenario")),
    })
    return base
