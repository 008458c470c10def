"""The progress database's schema: numbered migrations, applied in order when a file is opened."""

from __future__ import annotations

import sqlite3
from pathlib import Path

# Each migration takes the schema from version n-1 to n; never edit one that has shipped, add another.
MIGRATIONS: list[tuple[int, tuple[str, ...]]] = [
    (1, (
        """CREATE TABLE answers (
            id INTEGER PRIMARY KEY,
            at TEXT NOT NULL,
            question_id TEXT NOT NULL,
            rule TEXT,
            rules TEXT NOT NULL,
            correct INTEGER NOT NULL,
            seconds REAL,
            rating INTEGER NOT NULL,
            kind TEXT,
            source TEXT NOT NULL,
            session TEXT
        )""",
        """CREATE TABLE cards (
            rule_id TEXT PRIMARY KEY,
            card_json TEXT NOT NULL,
            reps INTEGER NOT NULL,
            updated TEXT NOT NULL
        )""",
        """CREATE TABLE reviews (
            id INTEGER PRIMARY KEY,
            answer_id INTEGER NOT NULL REFERENCES answers(id),
            rule_id TEXT NOT NULL,
            at TEXT NOT NULL,
            rating INTEGER NOT NULL,
            correct INTEGER NOT NULL,
            seconds REAL,
            due TEXT NOT NULL
        )""",
        "CREATE INDEX reviews_rule ON reviews(rule_id, at)",
        "CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
        """CREATE TABLE exams (
            id INTEGER PRIMARY KEY,
            started TEXT NOT NULL,
            deadline TEXT NOT NULL,
            finished TEXT,
            n INTEGER NOT NULL,
            minutes REAL NOT NULL,
            seed INTEGER NOT NULL,
            correct INTEGER,
            timed_out INTEGER NOT NULL DEFAULT 0
        )""",
        """CREATE TABLE exam_items (
            exam_id INTEGER NOT NULL REFERENCES exams(id),
            idx INTEGER NOT NULL,
            question_json TEXT NOT NULL,
            answer_json TEXT,
            correct INTEGER,
            flagged INTEGER NOT NULL DEFAULT 0,
            seconds REAL NOT NULL DEFAULT 0,
            PRIMARY KEY (exam_id, idx)
        )""",
    )),
    # Labs: each attempt's predictions and score, whether the outcome was revealed without predicting, and the
    # what-ifs tried (each with its own prediction and score).
    (2, (
        """CREATE TABLE lab_attempts (
            id INTEGER PRIMARY KEY,
            lab TEXT NOT NULL,
            at TEXT NOT NULL,
            predictions_json TEXT NOT NULL,
            right INTEGER NOT NULL,
            answered INTEGER NOT NULL,
            asked INTEGER NOT NULL,
            revealed INTEGER NOT NULL DEFAULT 0
        )""",
        "CREATE INDEX lab_attempts_lab ON lab_attempts(lab, at)",
        """CREATE TABLE lab_whatifs (
            id INTEGER PRIMARY KEY,
            attempt_id INTEGER NOT NULL REFERENCES lab_attempts(id),
            at TEXT NOT NULL,
            setting TEXT NOT NULL,
            predictions_json TEXT NOT NULL,
            right INTEGER NOT NULL,
            answered INTEGER NOT NULL
        )""",
    )),
]
SCHEMA_VERSION = MIGRATIONS[-1][0]


class Unusable(Exception):
    """The file is a database we must not touch (newer schema, or busy beyond the timeout)."""


def migrate(conn: sqlite3.Connection, path: Path) -> None:
    """Bring the database to SCHEMA_VERSION, in one transaction; refuses a file it must not touch."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        if "schema_version" not in tables:
            if tables:
                raise sqlite3.DatabaseError("not a progress database (it has other tables)")
            conn.execute("CREATE TABLE schema_version (version INTEGER NOT NULL)")
            conn.execute("INSERT INTO schema_version (version) VALUES (0)")
        row = conn.execute("SELECT version FROM schema_version").fetchone()
        if row is None:
            raise sqlite3.DatabaseError("schema_version is empty")
        version = int(row[0])
        if version > SCHEMA_VERSION:
            raise Unusable(f"{path} was written by a newer version of study (schema {version}, "
                       f"this one knows {SCHEMA_VERSION}); it was left untouched and progress "
                       "made now will not be saved")
        for target, statements in MIGRATIONS:
            if target <= version:
                continue
            for statement in statements:
                conn.execute(statement)
            conn.execute("UPDATE schema_version SET version = ?", (target,))
        conn.execute("COMMIT")
    except BaseException:
        rollback(conn)
        raise


def rollback(conn: sqlite3.Connection) -> None:
    # Never let a failed rollback (on a broken file) hide the error that caused it.
    if conn.in_transaction:
        try:
            conn.execute("ROLLBACK")
        except sqlite3.Error:
            pass

