"""`study export anki|csv FILE`: the rules (as cloze notes) and the hand-written questions, for Anki or a sheet.

Note GUIDs come from rule and question ids, so importing a re-export updates the same notes.
"""

from __future__ import annotations

import csv
import html
import itertools
import os
import re
import sqlite3
import sys
import tempfile
import time
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from study.content import basis_words
from study.sim.errors import ScenarioError

# Fixed forever: Anki keys note types and decks by these ids, so changing one would duplicate every note.
RULE_MODEL_ID = 1729034611
QUESTION_MODEL_ID = 1729034612
DECK_ID = 1729034610
DECK_NAME = "AWS Lambda (Developer Associate, chapter 18)"
MAX_CLOZES = 3
LETTERS = "ABCDEFGHIJ"
CSV_COLUMNS = ["type", "id", "guid", "section", "rules", "title", "text", "options", "answer", "explanation"]


@dataclass(frozen=True)
class ExportSummary:
    path: Path
    rules: int
    questions: int

    @property
    def notes(self) -> int:
        return self.rules + self.questions


# ---------------------------------------------------------------------- content
def bank_questions(bank_dir: Path | None = None) -> list[dict]:
    """The hand-written questions (questions/bank/*.yaml), checked enough to export."""
    from study import paths
    from study.sim import yamlpos

    bank_dir = bank_dir or paths.questions_dir() / "bank"
    out: list[dict] = []
    for file in sorted(Path(bank_dir).glob("*.yaml")):
        data, marks = yamlpos.load_file(str(file))

        def bad(where: tuple, message: str, file: Path = file, marks: Any = marks) -> ScenarioError:
            return ScenarioError(message, str(file), *(marks.get(where) or (None, None)))

        if not isinstance(data, dict) or not isinstance(data.get("questions"), list):
            raise bad((), "expected a mapping with a `questions:` list")
        for i, q in enumerate(data["questions"]):
            if not isinstance(q, dict):
                raise bad(("questions", i), "a question must be a mapping")
            for key in ("id", "section", "stem"):
                if not isinstance(q.get(key), str) or not q[key].strip():
                    raise bad(("questions", i), f"{key}: required text")
            options = q.get("options")
            if not isinstance(options, list) or not options or not all(isinstance(o, dict) for o in options):
                raise bad(("questions", i, "options"), "options: expected a list of {text, correct, why}")
            out.append(q)
    return out


def _rules(rules: Mapping[str, Mapping] | None) -> Mapping[str, Mapping]:
    if rules is not None:
        return rules
    from study.content import load_rules

    return load_rules().rules


# Spans worth hiding in a rule's statement, best first: numbers with their units, AWS's names for settings
# and actions, then service names (which matter most in the statements that list services).
_NUMBER = re.compile(
    r"(?<![\w.])-?\$?\d(?:[\d,]*\d)?(?:\.\d+)?(?:\s?(?:%|GB-seconds|ms|MB|GB|KB|seconds?|minutes?|hours?|days?|"
    r"requests?|retries|times|attempts?|messages?|records?))?(?![\w-])")
_NAME = re.compile(
    r"\b(?:[A-Z][a-z0-9]+(?:[A-Z][a-z0-9]*)+(?:\.[A-Z][A-Za-z0-9]+)*"  # BisectBatchOnFunctionError
    r"|[A-Z][A-Z0-9]*_[A-Z0-9_]+"  # TRIM_HORIZON
    r"|[a-z][\w-]*[:.][A-Za-z][\w.:-]*[A-Za-z])\b")  # sqs:ReceiveMessage, lambda.multi_value_headers.enabled
_SERVICES = {"DynamoDB", "CloudFront", "EventBridge", "CodeCommit", "CodePipeline", "CloudWatch", "DocumentDB",
             "CloudFormation", "ApiGateway", "StepFunctions"}


def cloze(statement: str, max_clozes: int = MAX_CLOZES) -> str:
    """The statement with its key numbers and names as Anki clozes ({{c1::...}}), HTML-escaped.

    A statement with neither hides its second half (the consequence) instead, so every rule gets a card.
    """
    names = [m for m in _NAME.finditer(statement) if len(m.group()) >= 5]  # not IoT, not SNS
    tiers = [list(_NUMBER.finditer(statement)), [m for m in names if m.group() not in _SERVICES],
             [m for m in names if m.group() in _SERVICES]]
    spans: list[tuple[int, int]] = []
    for m in itertools.chain.from_iterable(tiers):
        if len(spans) >= max_clozes:
            break
        if any(m.start() < e and s < m.end() for s, e in spans):
            continue
        spans.append((m.start(), m.end()))
    if not spans:
        spans = [_second_half(statement)]
    spans.sort()
    out, pos = [], 0
    for n, (start, end) in enumerate(spans, 1):
        out.append(html.escape(statement[pos:start]))
        out.append(f"{{{{c{n}::{html.escape(statement[start:end])}}}}}")
        pos = end
    out.append(html.escape(statement[pos:]))
    return "".join(out)


def _second_half(statement: str) -> tuple[int, int]:
    text = statement.rstrip(".")
    depth, outside = 0, []
    for ch in text:  # never cut inside parentheses or braces
        depth += ch in "({["
        depth -= ch in ")}]"
        outside.append(depth == 0)
    cuts = [m.end() for m in re.finditer(r"; |, (?:so|and|which|while|whereas|but) |, ", text)
            if 0.3 * len(text) <= m.end() <= 0.75 * len(text) and outside[m.start()]]
    if not cuts:
        return (0, len(text))
    cut = min(cuts, key=lambda c: abs(c - len(text) / 2))
    return (cut, len(text))


def _letters(indexes: list[int]) -> str:
    return ", ".join(LETTERS[i] for i in indexes)


def _question_parts(q: Mapping) -> dict[str, Any]:
    options = q.get("options") or []
    correct = [i for i, o in enumerate(options) if o.get("correct")]
    stem = str(q["stem"])
    if q.get("kind") == "multi" and "choose" not in stem.lower():
        stem += f" (Choose {len(correct)}.)"
    return {"stem": stem, "options": options, "correct": correct}


# ---------------------------------------------------------------------- Anki
def _models():
    import genanki

    css = (".card { font-family: sans-serif; font-size: 18px; text-align: left; }\n"
           ".cloze { font-weight: bold; color: #1d6fb8; }\n.meta { color: #888; font-size: 14px; }\n"
           "li.correct { font-weight: bold; }")
    rule_model = genanki.Model(
        RULE_MODEL_ID, "Lambda study: rule (cloze)", model_type=genanki.Model.CLOZE,
        fields=[{"name": "Text"}, {"name": "Extra"}, {"name": "Rule"}, {"name": "Section"}],
        templates=[{"name": "Cloze", "qfmt": "{{cloze:Text}}",
                    "afmt": "{{cloze:Text}}<hr>{{Extra}}<div class=meta>{{Rule}} &middot; {{Section}}</div>"}],
        css=css)
    question_model = genanki.Model(
        QUESTION_MODEL_ID, "Lambda study: question",
        fields=[{"name": "Id"}, {"name": "Stem"}, {"name": "Options"}, {"name": "Answer"},
                {"name": "Explanation"}, {"name": "Section"}, {"name": "Rules"}],
        templates=[{"name": "Question", "qfmt": "{{Stem}}<br>{{Options}}",
                    "afmt": "{{FrontSide}}<hr id=answer><b>{{Answer}}</b>{{Explanation}}"
                            "<div class=meta>{{Section}} &middot; {{Rules}}</div>"}],
        css=css, sort_field_index=0)
    return rule_model, question_model


def _tags(section: str, rules: list[str]) -> list[str]:
    return [f"section::{section}"] + [f"rule::{r}" for r in rules]


def build_deck(rules: Mapping[str, Mapping] | None = None, questions: list[dict] | None = None):
    import genanki

    rules = _rules(rules)
    questions = bank_questions() if questions is None else questions
    rule_model, question_model = _models()
    deck = genanki.Deck(DECK_ID, DECK_NAME, description="Rules and questions from the lambda-study app.")
    for rule_id, rule in rules.items():
        title = html.escape(str(rule.get("title", rule_id)))
        text = f"<b>{title}</b><br>{cloze(str(rule['statement']))}"
        extra = "".join(f"<p>Not: {html.escape(m['belief'])}<br>{html.escape(m['correction'])}</p>"
                        for m in rule.get("misconceptions") or ())
        if basis_words(rule):
            extra += f"<p>Basis: {html.escape(basis_words(rule))}</p>"
        deck.add_note(genanki.Note(model=rule_model, fields=[text, extra, html.escape(rule_id),
                                                             html.escape(str(rule.get("section", "")))],
                                   guid=genanki.guid_for(rule_id), tags=_tags(str(rule.get("section", "")),
                                                                              [rule_id])))
    for q in questions:
        parts = _question_parts(q)
        options = "<ol type=A>" + "".join(f"<li>{html.escape(str(o.get('text', '')))}</li>"
                                          for o in parts["options"]) + "</ol>"
        answer = _letters(parts["correct"])
        explanation = "<ol type=A>" + "".join(
            f"<li{' class=correct' if o.get('correct') else ''}>{html.escape(str(o.get('why', '')))}</li>"
            for o in parts["options"]) + "</ol>"
        fields = [html.escape(str(q["id"])), html.escape(parts["stem"]), options, answer, explanation,
                  html.escape(str(q["section"])), html.escape(" ".join(q.get("rules") or []))]
        deck.add_note(genanki.Note(model=question_model, fields=fields, guid=genanki.guid_for(str(q["id"])),
                                   tags=_tags(str(q["section"]), list(q.get("rules") or []))))
    return deck


def export_anki(path: str | Path, rules: Mapping[str, Mapping] | None = None,
                questions: list[dict] | None = None, timestamp: float | None = None) -> ExportSummary:
    """Write an .apkg. `timestamp` is the notes' modification time: Anki updates an existing note on import
    only when the incoming one is newer, so the default is now; tests pass a fixed one for exact bytes."""
    import genanki

    rules = _rules(rules)
    questions = bank_questions() if questions is None else questions
    deck = build_deck(rules, questions)
    path = Path(path)
    timestamp = time.time() if timestamp is None else timestamp
    fd, db_name = tempfile.mkstemp(suffix=".anki2")
    os.close(fd)
    try:
        conn = sqlite3.connect(db_name)
        try:
            genanki.Package(deck).write_to_db(conn.cursor(), timestamp, itertools.count(int(timestamp * 1000)))
            conn.commit()
        finally:
            conn.close()
        _write_atomic(path, lambda tmp: _zip_package(tmp, Path(db_name), timestamp))
    finally:
        os.unlink(db_name)
    return ExportSummary(path, len(rules), len(questions))


def _zip_package(target: Path, db_file: Path, timestamp: float) -> None:
    stamp = time.gmtime(max(timestamp, 315532800))[:6]  # zip dates start in 1980
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr(zipfile.ZipInfo("collection.anki2", stamp), db_file.read_bytes())
        z.writestr(zipfile.ZipInfo("media", stamp), "{}")


def _write_atomic(path: Path, write) -> None:
    # Written beside the target and renamed, so a failed export never leaves half a file behind.
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent if str(path.parent) else ".")
    os.close(fd)
    try:
        write(Path(tmp))
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


# ---------------------------------------------------------------------- CSV
def csv_rows(rules: Mapping[str, Mapping] | None = None, questions: list[dict] | None = None) -> list[dict]:
    import genanki

    rules = _rules(rules)
    questions = bank_questions() if questions is None else questions
    rows = []
    for rule_id, rule in rules.items():
        rows.append({
            "type": "rule", "id": rule_id, "guid": genanki.guid_for(rule_id), "section": rule.get("section", ""),
            "rules": rule_id, "title": rule.get("title", ""), "text": rule["statement"], "options": "",
            "answer": "",
            "explanation": "\n".join([f"Not: {m['belief']} {m['correction']}"
                                      for m in rule.get("misconceptions") or ()]
                                     + ([f"Basis: {basis_words(rule)}"] if basis_words(rule) else [])),
        })
    for q in questions:
        parts = _question_parts(q)
        rows.append({
            "type": "question", "id": q["id"], "guid": genanki.guid_for(str(q["id"])), "section": q["section"],
            "rules": " ".join(q.get("rules") or []), "title": "", "text": parts["stem"],
            "options": "\n".join(f"{LETTERS[i]}) {o.get('text', '')}" for i, o in enumerate(parts["options"])),
            "answer": _letters(parts["correct"]),
            "explanation": "\n".join(f"{LETTERS[i]}: {o.get('why', '')}" for i, o in enumerate(parts["options"])),
        })
    return rows


def export_csv(path: str | Path, rules: Mapping[str, Mapping] | None = None,
               questions: list[dict] | None = None) -> ExportSummary:
    rules = _rules(rules)
    questions = bank_questions() if questions is None else questions
    rows = csv_rows(rules, questions)
    path = Path(path)

    def write(tmp: Path) -> None:
        with tmp.open("w", encoding="utf-8", newline="") as f:
            writer = csv.DictWriter(f, fieldnames=CSV_COLUMNS)
            writer.writeheader()
            writer.writerows(rows)
    _write_atomic(path, write)
    return ExportSummary(path, len(rules), len(questions))


# ---------------------------------------------------------------------- command
def export_command(args: Any) -> int:
    """`study export anki FILE.apkg` or `study export csv FILE`; exit 2 with a message on bad input."""
    path = Path(args.file)
    try:
        if args.format == "anki":
            if path.suffix.lower() != ".apkg":
                print(f"{path}: expected a file name ending in .apkg (Anki imports packages by that name)",
                      file=sys.stderr)
                return 2
            summary = export_anki(path)
        elif args.format == "csv":
            summary = export_csv(path)
        else:
            print(f"unknown export format {args.format!r}: expected anki or csv", file=sys.stderr)
            return 2
    except ScenarioError as err:
        print(err, file=sys.stderr)
        return 2
    except OSError as err:
        print(f"{path}: cannot write ({err.strerror or err})", file=sys.stderr)
        return 2
    print(f"wrote {summary.path}: {summary.rules} rules and {summary.questions} questions "
          f"({summary.notes} notes)")
    return 0
