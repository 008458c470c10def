"""`study questions` and `study quiz` as a user runs them: the JSON listing and the quiz in a subprocess, through
pipes; the stats, the plain listing and the refusals through `study.cli.main` in this process, which generates the
question bank once instead of once per child process."""

from __future__ import annotations

import contextlib
import io
import json
import os
import subprocess
import sys
import tempfile

import pytest

from study.quiz.grade import expected_letters

_HOME = tempfile.mkdtemp(prefix="study-test-home-")  # never the real user's progress


def _study(*args: str, stdin: str = "") -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "study", *args], input=stdin, capture_output=True, text=True,
                          timeout=120, env={**os.environ, "STUDY_HOME": _HOME})


def _study_here(*args: str) -> subprocess.CompletedProcess:
    """`study ARGS` through the command line's entry point in this process (STUDY_HOME is the test's own)."""
    from study.cli import main

    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(list(args))
    return subprocess.CompletedProcess(["study", *args], code, out.getvalue(), err.getvalue())


@pytest.fixture(scope="module")
def as_json():
    result = _study("questions", "--json")
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_questions_json_parses_with_the_issue_fields(as_json) -> None:
    assert len(as_json) >= 1149
    keys = {"id", "section", "rules", "kind", "stem", "options", "answer", "explanation", "source"}
    for q in as_json:
        assert keys <= set(q), q["id"]
        assert q["source"] in ("generated", "bank")
        assert q["kind"] in ("single", "multi", "numeric", "order")
        for o in q["options"]:
            assert {"text", "correct", "why"} <= set(o)
    simulated = [q for q in as_json if "scenario" in q and "file" not in q["scenario"]]
    assert len(simulated) >= 300
    numeric = [q for q in as_json if q["kind"] == "numeric"]
    assert numeric and all({"value", "precision"} <= set(q["answer"]) for q in numeric)
    wrong = [o for q in simulated for o in q["options"] if not o["correct"] and o["source"] == "misconception"]
    assert wrong and all(o["misconception"] and "replay" in o for o in wrong)


def test_questions_json_is_deterministic(as_json) -> None:
    again = _study("questions", "--json", "--section", "18.13")
    assert again.returncode == 0
    section = json.loads(again.stdout)
    assert section == [q for q in as_json if q["section"] == "18.13"]


def test_questions_stats() -> None:
    result = _study_here("questions", "--stats")
    assert result.returncode == 0, result.stderr
    out = result.stdout
    for heading in ("per section", "per template", "per rule", "per trigger type", "simulation backed"):
        assert heading in out
    assert "rules without a question: none" in out
    stats = json.loads(_study_here("questions", "--stats", "--json").stdout)
    assert stats["generated"] >= 1000 and stats["simulation_templates"] >= 25
    assert len(stats["per_section"]) == 20 and stats["rules_without_question"] == []


def test_questions_plain_listing_marks_answers() -> None:
    result = _study_here("questions", "--section", "6")
    assert result.returncode == 0
    assert "bank.18.6." in result.stdout and "gen.async-retries.runs." in result.stdout
    assert "   * " in result.stdout


def test_bad_section_is_refused_without_traceback() -> None:
    for cmd in (["questions", "--section", "18.99"], ["quiz", "--section", "nonsense"]):
        result = _study_here(*cmd)
        assert result.returncode == 2
        assert "not a section of chapter 18" in result.stderr and "Traceback" not in result.stderr


@pytest.fixture(scope="module")
def right_answers():
    """`study quiz -n 3 --seed 1` in a pipe, answered right: the session planned and the run (read by two tests)."""
    from study.terminal.quiz import plan

    session = plan(1, 3)
    answers = "\n".join(expected_letters(shown) for shown in session) + "\n"
    return session, _study("quiz", "-n", "3", "--seed", "1", stdin=answers)


def test_quiz_in_a_pipe_with_right_answers(right_answers) -> None:
    _, result = right_answers
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "Question 3/3" in out
    assert out.count("Right.") == 3
    assert "Score: 3/3" in out
    assert "Traceback" not in result.stderr


def test_quiz_in_a_pipe_with_wrong_and_bad_answers() -> None:
    from study.terminal.quiz import plan

    # The first seed whose three questions include an option from a named misconception (which questions a seed
    # draws changes as the bank grows).
    def named(session) -> bool:
        return any(o.misconception and not o.correct for shown in session for o in shown.question.options)

    seed, session = next((k, s) for k, s in ((k, plan(k, 3)) for k in range(1, 50)) if named(s))
    lines = []
    for shown in session:
        lines.append("Q")  # not a letter shown: asked again
        if shown.question.kind == "numeric":
            lines.append("999999")
        else:
            right = set(expected_letters(shown).split(","))
            lines.append(next(label for label, _ in shown.labelled() if label not in right) if
                         shown.question.kind != "order" else ",".join(reversed(expected_letters(shown).split(","))))
    result = _study("quiz", "-n", "3", "--seed", str(seed), stdin="\n".join(lines) + "\n")
    assert result.returncode == 0
    out = result.stdout
    assert out.count("not one of the letters shown") + out.count("expected a number") == 3
    assert out.count("Not quite.") == 3 and "Score: 0/3" in out
    # Immediate feedback explains every option, naming the misconception behind a wrong one.
    assert " ✓ " in out and "Misconception:" in out


def test_quiz_stops_gracefully_at_end_of_input() -> None:
    result = _study("quiz", "-n", "5", "--seed", "2", stdin="")
    assert result.returncode == 0
    assert "Score: 0/0" in result.stdout and "stopped after 0 of 5" in result.stdout


def test_quiz_names_the_section_not_the_rule_before_the_answer(right_answers) -> None:
    session, result = right_answers
    out = result.stdout
    for k, shown in enumerate(session, 1):
        before = out.split(f"Question {k}/3", 1)[1].split("Your answer", 1)[0]
        assert f"section {shown.question.section}" in before
        assert not any(rule in before for rule in shown.question.rules), before
        after = out.split(f"Question {k}/3", 1)[1].split("Your answer", 1)[1].split("Question", 1)[0]
        assert "Rules: " + ", ".join(shown.question.rules) in " ".join(after.split())
