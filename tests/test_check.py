"""`study check` is clean on the shipped content, and names file and line for broken content."""

from __future__ import annotations

import io
import os
import shutil
import subprocess
import sys
from pathlib import Path

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


def test_broken_content_is_reported_with_file_and_line(tmp_path: Path) -> None:
    shutil.copytree(ROOT / "content", tmp_path / "content")
    shutil.copytree(ROOT / "questions", tmp_path / "questions")
    lesson = tmp_path / "content" / "lessons" / "18.06.md"
    lesson.write_text(lesson.read_text().replace("rules: [", "rules: [no.such-rule, ", 1))
    (tmp_path / "content" / "lessons" / "18.07.md").unlink()
    rules = tmp_path / "content" / "rules.yaml"
    rules.write_text(rules.read_text().replace("lookalikes: [lambda.ec2-vs-lambda]", "lookalikes: [lambda.nope]", 1))
    lab = tmp_path / "content" / "labs" / "zz-broken.yaml"
    lab.write_text("title: broken\ntrigger: {type: async, MaximumRetryAttempts: 9}\ninputs: []\n"
                   "lab: {description: x, rules: [async.retry-schedule], predict: [{question: q, answer: summary.x}]}\n")
    r = check(tmp_path)
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
           "lab: {description: x, rules: [s3.filters], predict: [{question: q, answer: summary.invocations}]}\n")
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
