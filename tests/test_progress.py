"""The progress store: where it lives, committed answers, corrupt files, migrations, two instances, stats."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
from datetime import UTC, timedelta

import pytest
from clock import T0, Clock
from fsrs import Card

import study.learning.schema as schema
from study.learning.store import SCHEMA_VERSION, Store, Tally

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))




RULES = {
    "a.one": {"section": "18.6", "title": "One"},
    "a.two": {"section": "18.6.4", "title": "Two"},
    "b.one": {"section": "18.9", "title": "Three"},
}


def _child(code: str, db: str) -> subprocess.Popen:
    script = textwrap.dedent(code)
    env = dict(os.environ, PYTHONPATH=REPO + os.pathsep + os.environ.get("PYTHONPATH", ""))
    return subprocess.Popen([sys.executable, "-c", script, db], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, env=env)


# ---------------------------------------------------------------------- location and schema
def test_default_location_is_the_user_data_dir(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("STUDY_HOME", str(tmp_path / "home"))
    store = Store()
    assert store.path == tmp_path / "home" / "progress.sqlite3"
    assert store.path.exists() and store.persistent and store.message is None
    with sqlite3.connect(store.path) as raw:
        assert raw.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert raw.execute("SELECT version FROM schema_version").fetchone()[0] == SCHEMA_VERSION
    assert store.schema_version == SCHEMA_VERSION


def test_answers_are_committed_as_given(tmp_path) -> None:
    clock = Clock()
    writer = Store(tmp_path / "p.sqlite3", now=clock)
    reader = Store(tmp_path / "p.sqlite3", now=clock)
    writer.record_answer("q1", ["a.one", "a.two"], correct=True, seconds=12.5, kind="single")
    # No close, no flush: another connection already sees the answer and both reviews.
    assert [(a.question_id, a.rules, a.correct, a.seconds) for a in reader.answers()] == [
        ("q1", ("a.one", "a.two"), True, 12.5)]
    assert set(reader.cards()) == {"a.one", "a.two"}
    with sqlite3.connect(tmp_path / "p.sqlite3") as raw:
        assert raw.execute("SELECT COUNT(*) FROM reviews").fetchone()[0] == 2


def test_migrations_run_in_order_and_keep_data(tmp_path, monkeypatch) -> None:
    path = tmp_path / "p.sqlite3"
    Store(path, now=Clock()).record_answer("q1", ["a.one"], True, 10)
    extra = (SCHEMA_VERSION + 1, ("ALTER TABLE answers ADD COLUMN note TEXT",
                                  "UPDATE answers SET note = 'migrated'"))
    monkeypatch.setattr(schema, "MIGRATIONS", [*schema.MIGRATIONS, extra])
    monkeypatch.setattr(schema, "SCHEMA_VERSION", SCHEMA_VERSION + 1)
    store = Store(path, now=Clock())
    assert store.schema_version == SCHEMA_VERSION + 1
    assert store.answer_count() == 1
    with sqlite3.connect(path) as raw:
        assert raw.execute("SELECT note FROM answers").fetchone()[0] == "migrated"
    # Opening again does not run the migration twice (ALTER TABLE would fail if it did).
    assert Store(path, now=Clock()).schema_version == SCHEMA_VERSION + 1


# ---------------------------------------------------------------------- bad files
def test_garbage_file_is_moved_aside_and_a_fresh_one_started(tmp_path) -> None:
    path = tmp_path / "progress.sqlite3"
    garbage = b"this is not a database\x00\xff" * 200
    path.write_bytes(garbage)
    store = Store(path, now=Clock())
    assert store.persistent
    assert store.recovered_from is not None and store.recovered_from.read_bytes() == garbage
    assert store.recovered_from.name.startswith("progress.sqlite3.corrupt-20250303T090000Z")
    assert "moved" in store.message and store.recovered_from.name in store.message
    store.record_answer("q1", ["a.one"], True, 10)
    assert Store(path, now=Clock()).answer_count() == 1


def test_damaged_pages_are_detected(tmp_path) -> None:
    path = tmp_path / "progress.sqlite3"
    store = Store(path, now=Clock())
    for i in range(300):
        store.record_answer(f"question-{i}" * 5, ["a.one", "a.two"], i % 2 == 0, 10)
    store.close()
    with sqlite3.connect(path) as raw:
        raw.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    data = bytearray(path.read_bytes())
    assert len(data) > 4 * 4096
    data[2 * 4096:3 * 4096] = b"\xa5" * 4096  # wreck a whole page past the header
    path.write_bytes(bytes(data))
    fresh = Store(path, now=Clock())
    assert fresh.recovered_from is not None and fresh.answer_count() == 0
    assert fresh.recovered_from.read_bytes() == bytes(data)


def test_a_foreign_sqlite_file_is_moved_aside(tmp_path) -> None:
    path = tmp_path / "progress.sqlite3"
    with sqlite3.connect(path) as raw:
        raw.execute("CREATE TABLE photos (id INTEGER)")
    store = Store(path, now=Clock())
    assert store.recovered_from is not None and "not a progress database" in store.message
    assert store.answer_count() == 0


def test_a_newer_schema_is_left_untouched(tmp_path) -> None:
    path = tmp_path / "progress.sqlite3"
    Store(path, now=Clock()).record_answer("q1", ["a.one"], True, 10)
    with sqlite3.connect(path) as raw:
        raw.execute("UPDATE schema_version SET version = 999")
    before = path.read_bytes()
    store = Store(path, now=Clock())
    assert not store.persistent and store.recovered_from is None
    assert "newer version" in store.message
    store.record_answer("q2", ["a.one"], True, 10)  # works, in memory
    assert path.read_bytes() == before


def test_an_impossible_location_falls_back_to_memory(tmp_path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("I am a file, not a directory")
    store = Store(blocker / "sub" / "progress.sqlite3", now=Clock())
    assert not store.persistent and "will not be saved" in store.message
    store.record_answer("q1", ["a.one"], True, 10)
    assert store.answer_count() == 1


def test_corruption_found_mid_session_recovers(tmp_path) -> None:
    path = tmp_path / "progress.sqlite3"
    store = Store(path, now=Clock())
    store.record_answer("q1", ["a.one"], True, 10)
    # Another program destroys the file while the app is running.
    store._conn.close()
    for suffix in ("", "-wal", "-shm"):
        p = path.with_name(path.name + suffix)
        if p.exists():
            p.unlink()
    path.write_bytes(b"\x00garbage" * 1000)
    store._conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    answer = store.record_answer("q2", ["a.one"], True, 10)
    assert answer.id == 1 and store.recovered_from is not None
    assert [a.question_id for a in Store(path, now=Clock()).answers()] == ["q2"]


# ---------------------------------------------------------------------- two instances
def test_two_instances_in_one_process_do_not_lose_reviews(tmp_path) -> None:
    clock = Clock()
    one = Store(tmp_path / "p.sqlite3", now=clock)
    two = Store(tmp_path / "p.sqlite3", now=clock)
    for i in range(10):
        (one if i % 2 else two).record_answer(f"q{i}", ["a.one"], True, 30)
        clock.advance(days=1)
    assert one.reps() == two.reps() == {"a.one": 10}
    assert one.card("a.one").last_review == T0 + timedelta(days=9)
    assert len(two.review_log("a.one")) == 10


CONCURRENT_WRITER = """
    import sys
    from datetime import datetime, timezone
    from study.learning.store import Store
    store = Store(sys.argv[1], now=lambda: datetime(2025, 3, 3, 9, 0, tzinfo=timezone.utc))
    print("ready", flush=True)
    for i in range(60):
        store.record_answer(f"child-{i}", ["a.one", "b.one"], i % 3 != 0, 20)
    print("done", flush=True)
"""


def test_two_processes_at_once_are_safe(tmp_path) -> None:
    db = str(tmp_path / "p.sqlite3")
    Store(db)  # created first so both open an existing file
    child = _child(CONCURRENT_WRITER, db)
    assert child.stdout.readline().strip() == "ready"
    store = Store(db, now=lambda: T0)
    for i in range(60):
        store.record_answer(f"parent-{i}", ["a.one", "a.two"], True, 20)
    out, err = child.communicate(timeout=60)
    assert child.returncode == 0, err
    assert "done" in out
    assert store.answer_count() == 120
    # Each card's read-review-write happened inside one transaction: no review overwrote another.
    assert store.reps() == {"a.one": 120, "a.two": 60, "b.one": 60}
    assert len(store.review_log("a.one")) == 120


KILLED_WRITER = """
    import sys
    from datetime import datetime, timedelta, timezone
    from study.learning.store import Store
    t0 = datetime(2025, 3, 3, 9, 0, tzinfo=timezone.utc)
    store = Store(sys.argv[1])
    for i in range(100000):
        answer = store.record_answer(f"q{i}", ["a.one", "a.two"], i % 4 != 0, 10 + i % 50,
                                     at=t0 + timedelta(minutes=i))
        print(answer.id, f"q{i}", flush=True)  # printed only after the commit returned
"""


def test_killing_the_process_loses_no_committed_answer(tmp_path) -> None:
    db = str(tmp_path / "p.sqlite3")
    child = _child(KILLED_WRITER, db)
    reported = []
    while len(reported) < 40:
        line = child.stdout.readline()
        assert line, child.stderr.read()
        reported.append(tuple(line.split()))
    os.kill(child.pid, signal.SIGKILL)
    rest, _ = child.communicate(timeout=30)
    reported += [tuple(line.split()) for line in rest.splitlines() if line.strip()]
    assert child.returncode == -signal.SIGKILL
    store = Store(db)
    assert store.recovered_from is None and store.message is None
    saved = {(str(a.id), a.question_id) for a in store.answers()}
    assert set(reported) <= saved
    # At most the one answer in flight when the signal hit was committed without being reported.
    assert len(saved) - len(reported) <= 1
    # Each committed answer kept its reviews with it (one transaction per answer).
    assert store.reps()["a.one"] == len(saved)


# ---------------------------------------------------------------------- stats
def test_stats_mastery_forecast_accuracy(tmp_path) -> None:
    clock = Clock()
    store = Store(tmp_path / "p.sqlite3", now=clock)
    assert not store.has_progress()
    store.record_answer("q1", ["a.one"], True, 30)
    store.record_answer("q2", ["a.one", "b.one"], False, 30)
    clock.advance(minutes=1)
    store.record_answer("q3", ["b.one"], True, 5)
    assert store.has_progress()
    assert store.accuracy_by_rule() == {"a.one": Tally(1, 2), "b.one": Tally(1, 2)}
    assert store.accuracy_by_rule("exam") == {}
    assert Tally(1, 2).fraction == 0.5

    states = {s.rule_id: s for s in store.rule_states(RULES)}
    assert states["a.two"].state == "new" and states["a.two"].retrievability == 0.0
    assert states["a.one"].state == "learning" and states["a.one"].reps == 2
    mastery = store.mastery_by_section(RULES)
    assert list(mastery) == ["18.6", "18.9"]
    assert mastery["18.6"].total == 2 and mastery["18.6"].reviewed == 1
    scheduler = store.scheduler()
    expected = (scheduler.get_card_retrievability(store.card("a.one"), clock()) + 0.0) / 2
    assert mastery["18.6"].mastery == pytest.approx(expected)
    later = store.mastery_by_section(RULES, now=clock() + timedelta(days=20))
    assert later["18.9"].mastery < mastery["18.9"].mastery

    days = store.forecast(tz=UTC)
    assert len(days) == 30 and sum(c for _, c in days) == 2
    due = {rid: c.due for rid, c in store.cards().items()}
    for rid, when in due.items():
        offset = (when.date() - clock().date()).days
        assert days[offset][1] >= 1, (rid, when)


def test_due_rules_and_new_rules_introduced(tmp_path) -> None:
    clock = Clock()
    store = Store(tmp_path / "p.sqlite3", now=clock)
    store.record_answer("q1", ["a.one"], False, 30)   # Again: due in 1 minute
    store.record_answer("q2", ["a.two"], True, 30)    # Good: due in 10 minutes
    assert store.due_rules() == []
    clock.advance(minutes=2)
    assert [r for r, _ in store.due_rules()] == ["a.one"]
    clock.advance(minutes=10)
    assert [r for r, _ in store.due_rules()] == ["a.one", "a.two"]
    assert store.rules_first_reviewed_since(T0) == {"a.one", "a.two"}
    assert store.rules_first_reviewed_since(T0 + timedelta(seconds=1)) == set()
    card = store.card("a.one")
    assert isinstance(card, Card) and json.loads(card.to_json())["card_id"] == store.card("a.one").card_id


def test_four_right_of_ten_in_a_section_reads_under_60_percent(tmp_path, monkeypatch) -> None:
    from datetime import timedelta

    from study.content import load_rules

    monkeypatch.setenv("STUDY_HOME", str(tmp_path))
    rules = load_rules().rules
    section = [r for r, x in rules.items() if x["section"].split(".")[:2] == ["18", "1"]]
    store = Store(tmp_path / "p.db", now=lambda: T0)
    for i, ok in enumerate([1, 0, 0, 1, 0, 0, 1, 0, 1, 0]):
        store.record_answer(f"q{i}", [section[i % len(section)]], bool(ok), 20.0, kind="single",
                            at=T0 + timedelta(minutes=i))
    now = T0 + timedelta(minutes=11)
    got = store.recall_by_section(now=now)["18.1"]
    assert got.accuracy == Tally(4, 10)
    assert got.mastery < 0.6
    # Every answer right moves it up, and it still is not 100% after one review each.
    other = Store(tmp_path / "q.db", now=lambda: T0)
    for i, rid in enumerate(section):
        other.record_answer(f"r{i}", [rid], True, 20.0, kind="single", at=T0 + timedelta(minutes=i))
    best = other.recall_by_section(now=T0 + timedelta(minutes=len(section) + 1))["18.1"]
    assert got.mastery < best.mastery < 1.0


def test_lab_attempts_are_kept_scored_and_review_their_rules(tmp_path) -> None:
    path = tmp_path / "p.sqlite3"
    # A store written before labs were recorded (schema 1) gains the lab tables and keeps its answers.
    old = sqlite3.connect(path)
    for sql in schema.MIGRATIONS[0][1]:
        old.execute(sql)
    old.execute("CREATE TABLE schema_version (version INTEGER NOT NULL)")
    old.execute("INSERT INTO schema_version (version) VALUES (1)")
    old.commit()
    old.close()
    store = Store(path, now=Clock())
    assert store.schema_version == SCHEMA_VERSION and store.lab_results() == {}
    preds = [{"question": "q1", "answer": 3, "right": True, "rule": None},
             {"question": "q2", "answer": None, "right": None, "rule": None},
             {"question": "q3", "answer": "x", "right": False, "rule": "async.destinations"}]
    first = store.record_lab_attempt("18.06-x", preds, rules=["async.retry-schedule"])
    store.record_lab_whatif(first, "MaximumRetryAttempts = 0", [{"question": "q1", "answer": 1, "right": True}])
    second = store.record_lab_attempt("18.06-x", [dict(p, right=None) for p in preds], revealed=True)
    result = store.lab_results()["18.06-x"]
    assert (result.attempts, result.last_right, result.last_asked, result.revealed) == (2, 0, 3, True)
    assert (result.best_right, result.best_asked, result.whatifs) == (1, 3, 1)
    attempts = store.lab_attempts("18.06-x")
    assert [a["id"] for a in attempts] == [first, second]
    assert attempts[0]["answered"] == 2 and attempts[0]["whatifs"][0]["right"] == 1
    # Graded predictions reviewed their rules (the lab's own when the prediction names none); blanks nothing.
    reviewed = {a.rules[0]: a.correct for a in store.answers("lab")}
    assert reviewed == {"async.retry-schedule": True, "async.destinations": False}
    assert store.card("async.retry-schedule") is not None
