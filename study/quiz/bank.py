"""The hand-written bank (questions/bank/*.yaml): loaded and validated, each problem as file:line:col."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from study import paths
from study.quiz.model import Option, Question
from study.sim.errors import ScenarioError

QUESTION_KEYS = {"id", "section", "rules", "kind", "stem", "options", "explanation"}
OPTION_KEYS = {"text", "correct", "why", "misconception"}


@dataclass
class Bank:
    questions: list[Question]
    problems: list[ScenarioError]


def load_bank(directory: str | Path | None = None) -> Bank:
    """Every bank file, validated: problems are collected (with positions), valid questions kept."""
    from study.content import load_rules
    from study.quiz.files import read_yaml

    rules = load_rules()
    root = Path(directory) if directory is not None else paths.questions_dir() / "bank"
    questions: list[Question] = []
    problems: list[ScenarioError] = []
    ids: dict[str, str] = {}
    stems: dict[tuple, str] = {}
    for file in sorted(root.glob("*.yaml")):
        for exact in (False, True):
            try:
                data, marks = read_yaml(file, exact)
            except ScenarioError as err:
                problems.append(err)
                break
            ids_now, stems_now = dict(ids), dict(stems)
            found, trouble = _bank_file(file, data, marks, rules, ids_now, stems_now)
            if trouble and not exact:
                continue  # read it again with positions for the messages
            ids, stems = ids_now, stems_now
            questions += found
            problems += trouble
            break
    return Bank(questions, problems)


def _bank_file(file: Path, data, marks, rules, ids: dict, stems: dict) -> tuple[list[Question], list]:
    from study.content import SECTIONS, top_section

    questions: list[Question] = []
    problems: list[ScenarioError] = []
    id_lines: dict | None = None

    def err(path: tuple, message: str, file=file, marks=marks) -> None:
        where = marks.get(path)
        problems.append(ScenarioError(message, str(file), *(where or (None, None))))

    if not isinstance(data, dict) or not isinstance(data.get("questions"), list):
        err((), "expected a mapping with a `questions:` list")
        return questions, problems
    for key in data:
        if key != "questions":
            err((key,), f"{key}: not a key of a bank file; expected only `questions:`")
    for i, q in enumerate(data["questions"]):
        p = ("questions", i)
        before = len(problems)
        if not isinstance(q, dict):
            err(p, "a question is a mapping with id, section, rules, kind, stem and options")
            continue
        for key in q:
            if key not in QUESTION_KEYS:
                err((*p, key), f"{key}: not a key of a bank question; expected one of "
                    f"{', '.join(sorted(QUESTION_KEYS))}")
        qid = q.get("id")
        if not isinstance(qid, str) or not re.fullmatch(r"bank\.[A-Za-z0-9._-]+", qid):
            err((*p, "id") if "id" in q else p, "id: required, stable text starting with bank. "
                "(e.g. bank.18.6.retry-count-1)")
        elif qid in ids:
            err((*p, "id"), f"id: {qid!r} is already used at {ids[qid]}")
        else:
            ids[qid] = f"{file}:{(marks.get(p) or (0,))[0]}"
        section = q.get("section")
        if not isinstance(section, str) or top_section(section) not in SECTIONS:
            err((*p, "section") if "section" in q else p,
                f"section: {section!r} is not a section of chapter 18; expected text such as \"18.6\"")
        rule_ids = q.get("rules")
        if not isinstance(rule_ids, list) or not rule_ids:
            err((*p, "rules") if "rules" in q else p, "rules: expected a list of rule ids")
            rule_ids = []
        for j, rid in enumerate(rule_ids):
            if not isinstance(rid, str) or rid not in rules.rules:
                err((*p, "rules", j), f"rules: {rid!r} is not a rule id of content/rules.yaml")
        kind = q.get("kind")
        if kind not in ("single", "multi"):
            err((*p, "kind") if "kind" in q else p, f"kind: {kind!r}; a bank question is single or multi")
        stem = q.get("stem")
        if not isinstance(stem, str) or not stem.strip():
            err((*p, "stem") if "stem" in q else p, "stem: required, the question text")
        opts = q.get("options")
        options: list[Option] = []
        if not isinstance(opts, list) or len(opts) < 2:
            err((*p, "options") if "options" in q else p, "options: expected a list of at least two options")
            opts = []
        texts: set[str] = set()
        for j, o in enumerate(opts):
            op = (*p, "options", j)
            if not isinstance(o, dict):
                err(op, "an option is a mapping with text, correct and why")
                continue
            for key in o:
                if key not in OPTION_KEYS:
                    err((*op, key), f"{key}: not a key of an option; expected text, correct, why")
            text, correct, why = o.get("text"), o.get("correct"), o.get("why")
            if not isinstance(text, str) or not text.strip():
                err((*op, "text") if "text" in o else op, "text: required")
                continue
            if text in texts:
                err((*op, "text"), f"text: {text!r} appears twice in this question")
            texts.add(text)
            if not isinstance(correct, bool):
                err((*op, "correct") if "correct" in o else op, "correct: expected true or false")
            if not isinstance(why, str) or not why.strip():
                err((*op, "why") if "why" in o else op, "why: required, why this option is right or wrong")
            mid = o.get("misconception")
            if mid is not None and (not isinstance(mid, str) or mid not in rules.misconceptions):
                err((*op, "misconception"), f"misconception: {mid!r} is not a misconception id of "
                    "content/rules.yaml")
            options.append(Option(text, correct is True, why if isinstance(why, str) else "", mid,
                                  "bank"))
        right = [o for o in options if o.correct]
        if kind == "single" and len(right) != 1 and len(options) == len(opts):
            err((*p, "options"), f"a single-answer question needs exactly one correct option, found {len(right)}")
        if kind == "multi" and not right and len(options) == len(opts):
            err((*p, "options"), "a multiple-answer question needs at least one correct option")
        if isinstance(stem, str):
            shape = (stem, tuple(sorted(texts)))
            if shape in stems:
                err((*p, "stem"), f"the same stem and options as {stems[shape]}")
            stems[shape] = str(qid)
        if len(problems) > before:
            continue
        if marks.get(p) is None and id_lines is None:
            id_lines = _id_lines(file)
        where = marks.get(p) or (id_lines or {}).get(qid)
        shown = _relative(file)
        questions.append(Question(
            id=qid, section=top_section(section),
            rules=tuple(rule_ids), kind=kind, stem=stem.strip(), options=tuple(options),
            answer=right[0].text if kind == "single" else [o.text for o in right],
            explanation=(q.get("explanation") or " ".join(o.why for o in right)).strip(),
            source="bank", where=f"{shown}:{where[0]}" if where else shown,
        ))
    return questions, problems


_ID_LINE = re.compile(r"^\s*(?:-\s*)?id:\s*[\"']?(bank\.[^\"'\s]+)")


def _id_lines(file: Path) -> dict[str, tuple[int, int]]:
    """Where each question starts, when the file was read without positions (the fast path)."""
    out: dict[str, tuple[int, int]] = {}
    for n, line in enumerate(file.read_text(encoding="utf-8").splitlines(), 1):
        m = _ID_LINE.match(line)
        if m:
            out.setdefault(m.group(1), (n, line.index("id:") + 1))
    return out


@lru_cache(maxsize=1)
def cached_bank() -> tuple[Question, ...]:
    return tuple(load_bank().questions)


def _relative(file: Path) -> str:
    base = paths.questions_dir().parent
    try:
        return str(file.resolve().relative_to(base.resolve()))
    except ValueError:
        return str(file)
