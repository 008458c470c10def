"""`study check` is clean on the shipped content, and names file and line for broken content."""

from __future__ import annotations

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
