"""Question files: the bank and the templates validate, and bad files get file:line:col problems."""

from __future__ import annotations

import re
import shutil

import pytest

from study import paths
from study.quiz.bank import load_bank
from study.quiz.check import check_questions
from study.quiz.templates import load_templates

WHERE = re.compile(r"^(?P<file>.+\.yaml):(?P<line>\d+):(?P<col>\d+): ")


def test_every_bank_question_validates() -> None:
    bank = load_bank()
    assert [str(p) for p in bank.problems] == []
    assert len(bank.questions) == 151
    for q in bank.questions:
        assert q.source == "bank" and q.where and re.search(r"questions/bank/18\.\d\d\.yaml:\d+$", q.where)


def test_project_templates_validate() -> None:
    templates = load_templates()
    assert [str(p) for p in templates.problems] == []
    assert len(templates.asks) >= 25 and len(templates.facts) >= 5


def test_check_questions_is_clean_for_the_project() -> None:
    assert [str(p) for p in check_questions()] == []


BAD_TEMPLATES = """\
templates:
  - id: broken
    section: "18.6"
    rules: [async.retry-attempts, no.such-rule]
    trigger: async
    params:
      n: {range: [1, 3]}
    scenario:
      trigger: {type: async}
      inputs: [{at: "{m}", id: e1}]
    setup: "x"
    questions:
      - id: q
        stem: "{setup} {n} runs?"
        answer: {path: summary.invocations, kind: numeric}
        distractors: [async-three-retries, not-a-misconception, retries-not-billed]
        colour: red
"""


def _problems_by_message(problems):
    out = {}
    for p in problems:
        m = WHERE.match(str(p))
        assert m, f"no file:line:col in {p}"
        out[str(p)[m.end():]] = (m.group("file"), int(m.group("line")), int(m.group("col")))
    return out


def test_bad_template_file_gives_positions(tmp_path) -> None:
    (tmp_path / "bad.yaml").write_text(BAD_TEMPLATES)
    problems = load_templates(tmp_path).problems
    found = _problems_by_message(problems)
    text = "\n".join(found)
    assert "'no.such-rule' is not a rule id" in text
    assert "{m} is not a declared parameter" in text
    assert "'not-a-misconception' is not a misconception id" in text
    assert "'retries-not-billed' is not a rule change the emulator can switch on" in text
    assert "colour: not a key of a template question" in text
    assert "precision: a numeric answer states its precision" in text
    lines = {msg.split(":")[0]: where[1] for msg, where in found.items()}
    assert lines["rules"] == 4  # the rule list's line
    assert found[next(m for m in found if m.startswith("colour"))][1:] == (17, 9)
    assert all(where[0].endswith("bad.yaml") for where in found.values())


def test_broken_yaml_gives_its_position(tmp_path) -> None:
    (tmp_path / "syntax.yaml").write_text("templates:\n  - id: x\n    section: [18.6\n")
    problems = load_templates(tmp_path).problems
    assert len(problems) == 1 and WHERE.match(str(problems[0])) and "not valid YAML" in str(problems[0])


def test_bad_bank_file_gives_positions(tmp_path) -> None:
    (tmp_path / "18.06.yaml").write_text("""\
questions:
  - id: bank.t.1
    section: "18.6"
    rules: [async.retry-attempts]
    kind: single
    stem: "Two right answers?"
    options:
      - {text: a, correct: true, why: yes}
      - {text: b, correct: true, why: also}
  - id: bank.t.1
    section: "19.2"
    rules: [nope]
    kind: essay
    stem: ""
    options: [{text: a}]
""")
    bank = load_bank(tmp_path)
    found = _problems_by_message(bank.problems)
    text = "\n".join(found)
    assert "exactly one correct option, found 2" in text
    assert "'bank.t.1' is already used" in text
    assert "'19.2' is not a section of chapter 18" in text
    assert "'nope' is not a rule id" in text
    assert "kind: 'essay'" in text
    assert "options: expected a list of at least two options" in text
    assert bank.questions == []
    assert found[next(m for m in found if "already used" in m)][1] == 10


def test_check_questions_reports_bad_files(tmp_path) -> None:
    root = tmp_path / "questions"
    shutil.copytree(paths.questions_dir() / "bank", root / "bank")
    (root / "templates").mkdir()
    (root / "templates" / "bad.yaml").write_text(BAD_TEMPLATES)
    (root / "bank" / "18.01.yaml").write_text("questions: [{id: bank.x}]\n")
    problems = [str(p) for p in check_questions(root)]
    assert any("bad.yaml:4:" in p for p in problems)
    assert any("18.01.yaml:1:" in p and "section" in p for p in problems)


def test_check_reports_a_template_that_yields_nothing(tmp_path) -> None:
    root = tmp_path / "questions"
    (root / "bank").mkdir(parents=True)
    (root / "templates").mkdir()
    (root / "templates" / "never.yaml").write_text("""\
templates:
  - id: never
    section: "18.3"
    rules: [sync.no-retry]
    trigger: sync
    draws: 3
    scenario:
      trigger: {type: sync}
      inputs: [{at: 0, id: c1}]
    questions:
      - id: runs
        stem: "How many runs?"
        answer: {path: summary.invocations, kind: single}
        distractors: [sync-retries]
""")
    problems = [str(p) for p in check_questions(root)]
    # The call succeeds, so "Lambda retries a failing sync call" predicts the same single run: never a question.
    assert len(problems) == 1 and "never.yaml:11:" in problems[0] and "produced no question" in problems[0]


@pytest.mark.parametrize("command", ["questions", "quiz"])
def test_commands_refuse_bad_question_files(tmp_path, monkeypatch, capsys, command) -> None:
    root = tmp_path / "questions"
    (root / "bank").mkdir(parents=True)
    (root / "templates").mkdir()
    (root / "templates" / "bad.yaml").write_text(BAD_TEMPLATES)
    monkeypatch.setattr(paths, "questions_dir", lambda: root)
    from argparse import Namespace

    from study.terminal.questions import questions_command
    from study.terminal.quiz import quiz_command

    args = Namespace(json=False, seed=0, section=None, stats=False, n=3)
    status = (questions_command if command == "questions" else quiz_command)(args)
    err = capsys.readouterr().err
    assert status == 2
    assert "bad.yaml:4:" in err and "Traceback" not in err
