"""`study check` is clean on the shipped content, and names file and line for broken content."""

from __future__ import annotations

import io
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def check(data_root: Path | None = None) -> subprocess.CompletedProcess:
    env = dict(os.environ)
    if data_root is not None:
        env["STUDY_DATA"] = str(data_root)
    return subprocess.run([sys.executable, "-m", "study", "check"], capture_output=True, text=True, env=env)


def test_shipped_content_is_clean() -> None:
    r = check()
    assert r.returncode == 0, r.stdout[-4000:] + r.stderr[-2000:]
    assert "all clean" in r.stdout


def _copy_content(tmp_path: Path) -> None:
    shutil.copytree(ROOT / "content", tmp_path / "content")
    shutil.copytree(ROOT / "questions", tmp_path / "questions")


@pytest.fixture(scope="module")
def broken(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, subprocess.CompletedProcess]:
    """One copy of the content with every defect the tests below plant (each in a different file, and `study check`
    reports every problem it finds, not the first), checked once: each run of `study check` generates the whole
    question bank again (2 to 3 s of CPU)."""
    root = tmp_path_factory.mktemp("broken-content")
    _copy_content(root)
    # A lesson naming an unknown rule, a missing lesson, a rule with an unknown lookalike, a lab out of range.
    lesson = root / "content" / "lessons" / "18.06.md"
    lesson.write_text(lesson.read_text().replace("rules: [", "rules: [no.such-rule, ", 1))
    (root / "content" / "lessons" / "18.07.md").unlink()
    rules = root / "content" / "rules.yaml"
    rules.write_text(rules.read_text().replace("lookalikes: [lambda.ec2-vs-lambda]", "lookalikes: [lambda.nope]", 1))
    lab = root / "content" / "labs" / "zz-broken.yaml"
    lab.write_text("title: broken\ntrigger: {type: async, MaximumRetryAttempts: 9}\ninputs: []\n"
                   "lab: {description: x, rules: [async.retry-schedule], predict: [{question: q, answer: summary.x}]}\n")
    # This run's answers planted in a title and in briefs.
    labs = root / "content" / "labs"
    alb = labs / "18.04-alb-invalid-response-502.yaml"
    alb.write_text(alb.read_text().replace("title: ", 'title: "The client gets 502" #', 1))  # a choice answer
    age = labs / "18.06-async-event-age.yaml"
    age.write_text(age.read_text().replace("  brief: >-\n", "  brief: >-\n    The record is sent at 105 s.\n", 1))
    perm = labs / "18.10-s3-permission-refused.yaml"
    perm.write_text(perm.read_text().replace("  brief: >-\n", "  brief: >-\n    S3 refused it.\n", 1))
    # A lab that starts with NUL bytes: YAML cannot read it at all.
    unreadable = labs / "18.13-sqs-partial-batch.yaml"
    unreadable.write_bytes(b"\x00\x01\x02\x03\x04title: x\ntrigger: {type: sync}\n")
    # A lab whose debrief is missing.
    timeout = labs / "18.01-timeout.yaml"
    timeout.write_text(timeout.read_text().replace("  debrief: >-", "  description: >-", 1))
    return root, check(root)


def test_broken_content_is_reported_with_file_and_line(broken) -> None:
    root, r = broken
    lesson = root / "content" / "lessons" / "18.06.md"
    rules = root / "content" / "rules.yaml"
    lab = root / "content" / "labs" / "zz-broken.yaml"
    assert r.returncode != 0
    out = r.stdout
    assert f"{lesson}:" in out and "no.such-rule" in out
    assert "no lesson for section 18.7" in out
    assert f"{rules}:" in out and "lambda.nope" in out
    assert f"{lab}:2:" in out and "MaximumRetryAttempts" in out
    assert "Traceback" not in r.stderr


def test_a_filter_value_aws_wants_encoded_is_warned_about(tmp_path: Path, monkeypatch) -> None:
    from study import check as study_check
    from study.sim.payloads import s3_filter_encoded, s3_filter_unencoded

    assert s3_filter_unencoded("my photos/#1") == " #" and s3_filter_unencoded("my+photos/%231") == ""
    assert s3_filter_encoded("my photos/#1") == "my+photos/%231"
    labs = tmp_path / "content" / "labs"
    labs.mkdir(parents=True)
    lab = ("title: t\ntrigger:\n  type: s3\n  Filter: {Prefix: \"my photos/\", Suffix: .jpg}\n"
           "inputs: [{at: 0, id: o1, op: put, key: \"my photos/a.jpg\", size: 1}]\n"
           "lab: {brief: x, debrief: y, rules: [s3.filters], predict: [{question: q, answer: summary.invocations}]}\n")
    (labs / "raw-space.yaml").write_text(lab)
    (labs / "encoded.yaml").write_text(lab.replace("my photos/\"", "my+photos/\""))
    shutil.copy(ROOT / "content" / "rules.yaml", tmp_path / "content" / "rules.yaml")
    monkeypatch.setenv("STUDY_DATA", str(tmp_path))
    warnings: list[str] = []
    problems, n = study_check._labs({"s3.filters"}, warnings)
    assert not problems and n == 2
    assert len(warnings) == 1, warnings
    assert warnings[0].startswith(f"{labs / 'raw-space.yaml'}:4:")
    assert "Filter.Prefix" in warnings[0] and "a space" in warnings[0] and "'my+photos/'" in warnings[0]
    out = io.StringIO()
    monkeypatch.setattr(study_check, "_lessons", lambda ids: ([], 0))
    monkeypatch.setattr(study_check, "_questions", lambda: ([], None))
    monkeypatch.setattr(study_check, "_demos", lambda names: ([], None))
    monkeypatch.setattr("study.content.check_rules", lambda: [])
    assert study_check.run_check(out) == 0  # AWS accepts the filter: a warning, not a problem
    assert "1 warning(s)" in out.getvalue() and "all clean" not in out.getvalue()


def test_a_giveaway_in_a_brief_or_title_is_refused(broken) -> None:
    """The brief is read before predicting: planting this run's answers in a copy makes `study check` fail,
    naming the file and line."""
    root, r = broken
    labs = root / "content" / "labs"
    alb = labs / "18.04-alb-invalid-response-502.yaml"
    age = labs / "18.06-async-event-age.yaml"
    perm = labs / "18.10-s3-permission-refused.yaml"
    assert r.returncode != 0
    out = r.stdout
    assert f"{alb}:1: the title gives an answer away" in out and "'502'" in out
    brief_line = next(i for i, t in enumerate(age.read_text().splitlines(), 1) if t.startswith("  brief:"))
    assert f"{age}:{brief_line}: the brief gives an answer away" in out and "105" in out
    assert f"{perm}:" in out and "'refused'" in out
    # A number the setup shows is not a giveaway: the 60 s maximum age is a setting.
    assert "contains 60," not in out
    assert "Traceback" not in r.stderr


def test_a_lab_without_brief_or_debrief_is_reported(broken) -> None:
    root, r = broken
    lab = root / "content" / "labs" / "18.01-timeout.yaml"
    assert r.returncode != 0 and f"{lab}:" in r.stdout and "lab.debrief: missing" in r.stdout


def test_an_unreadable_lab_is_listed_at_its_first_byte(broken) -> None:
    """A lab that starts with NUL bytes: `study check` lists it at 1:1 and fails (status 1, its "problems
    found"), without a traceback."""
    root, r = broken
    unreadable = root / "content" / "labs" / "18.13-sqs-partial-batch.yaml"
    out = r.stdout + r.stderr
    assert r.returncode == 1, out[-2000:]
    assert "Traceback" not in out
    assert f"{unreadable}:1:1: the control character U+0000" in out, out[-2000:]
