"""Rooms, students, cards and answers in SQLite (WAL), next to the progress store.

Each change is one short transaction. synchronous=NORMAL: with WAL a commit survives the app being killed (what a
presenter quitting or crashing does), and a class of hundreds answering within seconds is not held up by an fsync
per answer. A file that is not a usable database is moved aside with a message and a fresh one started.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from datetime import UTC, datetime
from pathlib import Path

FILE_NAME = "classroom.sqlite3"
SCHEMA_VERSION = 1

SCHEMA = (
    """CREATE TABLE rooms (
        code TEXT PRIMARY KEY,
        playlist TEXT NOT NULL,
        title TEXT NOT NULL,
        created TEXT NOT NULL,
        ended TEXT,
        scene_json TEXT NOT NULL DEFAULT '{}'
    )""",
    "CREATE INDEX rooms_playlist ON rooms(playlist, created)",
    """CREATE TABLE students (
        room TEXT NOT NULL REFERENCES rooms(code),
        token TEXT NOT NULL,
        nickname TEXT NOT NULL DEFAULT '',
        joined TEXT NOT NULL,
        PRIMARY KEY (room, token)
    )""",
    """CREATE TABLE cards (
        room TEXT NOT NULL REFERENCES rooms(code),
        card_id TEXT NOT NULL,
        seq INTEGER NOT NULL,
        card_json TEXT NOT NULL,
        opened TEXT NOT NULL,
        revealed TEXT,
        PRIMARY KEY (room, card_id)
    )""",
    """CREATE TABLE answers (
        room TEXT NOT NULL,
        card_id TEXT NOT NULL,
        token TEXT NOT NULL,
        option INTEGER NOT NULL,
        at TEXT NOT NULL,
        PRIMARY KEY (room, card_id, token)
    )""",
)


def now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds")


class ClassStore:
    """The classroom database. `message` says what happened if the old file had to be moved aside."""

    def __init__(self, path: str | Path | None = None):
        if path is None:
            from study import paths

            path = paths.user_data_dir() / FILE_NAME
        self.path = Path(path)
        self.message: str | None = None
        self._lock = threading.RLock()
        self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            self.conn = self._connect()
        except sqlite3.DatabaseError as err:
            moved = self.path.with_name(f"{self.path.name}.corrupt-{datetime.now(UTC):%Y%m%dT%H%M%SZ}")
            self.path.rename(moved)
            for suffix in ("-wal", "-shm"):
                side = self.path.with_name(self.path.name + suffix)
                if side.exists():
                    side.rename(moved.with_name(moved.name + suffix))
            self.message = (f"The classroom database {self.path} was unreadable ({err}); it was moved to "
                            f"{moved.name} and a fresh one was started.")
            self.conn = self._connect()

    def _connect(self) -> sqlite3.Connection:
        conn = sqlite3.connect(str(self.path), timeout=10, isolation_level=None, check_same_thread=False)
        try:
            conn.execute("PRAGMA journal_mode = WAL")
            conn.execute("PRAGMA synchronous = NORMAL")
            row = conn.execute("PRAGMA quick_check").fetchone()
            if row is None or row[0] != "ok":
                raise sqlite3.DatabaseError(f"integrity check failed: {row[0] if row else 'no answer'}")
            version = conn.execute("PRAGMA user_version").fetchone()[0]
            if version == 0:
                tables = conn.execute("SELECT count(*) FROM sqlite_master WHERE type = 'table'").fetchone()[0]
                if tables:
                    raise sqlite3.DatabaseError("not a classroom database (it has other tables)")
                conn.execute("BEGIN IMMEDIATE")
                for sql in SCHEMA:
                    conn.execute(sql)
                conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
                conn.execute("COMMIT")
            elif version != SCHEMA_VERSION:
                raise sqlite3.DatabaseError(f"schema version {version}, expected {SCHEMA_VERSION}")
        except BaseException:
            conn.close()
            raise
        return conn

    def close(self) -> None:
        with self._lock:
            self.conn.close()

    def _write(self, sql: str, args: tuple) -> None:
        with self._lock:
            self.conn.execute(sql, args)

    def _read(self, sql: str, args: tuple = ()) -> list[tuple]:
        with self._lock:
            return self.conn.execute(sql, args).fetchall()

    # -- rooms ---------------------------------------------------------------------------------------------
    def create_room(self, code: str, playlist: str, title: str) -> None:
        self._write("INSERT INTO rooms (code, playlist, title, created) VALUES (?, ?, ?, ?)",
                    (code, playlist, title, now_iso()))

    def open_room(self, playlist: str) -> str | None:
        """The code of the newest room of this playlist that was not ended, if any."""
        rows = self._read("SELECT code FROM rooms WHERE playlist = ? AND ended IS NULL ORDER BY created DESC "
                          "LIMIT 1", (playlist,))
        return rows[0][0] if rows else None

    def room(self, code: str) -> dict | None:
        rows = self._read("SELECT code, playlist, title, created, ended, scene_json FROM rooms WHERE code = ?",
                          (code,))
        if not rows:
            return None
        code, playlist, title, created, ended, scene = rows[0]
        return {"code": code, "playlist": playlist, "title": title, "created": created, "ended": ended,
                "scene": json.loads(scene)}

    def codes(self) -> set[str]:
        return {r[0] for r in self._read("SELECT code FROM rooms")}

    def save_scene(self, code: str, scene: dict) -> None:
        self._write("UPDATE rooms SET scene_json = ? WHERE code = ?", (json.dumps(scene), code))

    def end_room(self, code: str) -> None:
        self._write("UPDATE rooms SET ended = ? WHERE code = ?", (now_iso(), code))

    # -- students ------------------------------------------------------------------------------------------
    def add_student(self, code: str, token: str, nickname: str) -> None:
        self._write("INSERT INTO students (room, token, nickname, joined) VALUES (?, ?, ?, ?) "
                    "ON CONFLICT (room, token) DO UPDATE SET nickname = excluded.nickname",
                    (code, token, nickname, now_iso()))

    def students(self, code: str) -> dict[str, str]:
        return dict(self._read("SELECT token, nickname FROM students WHERE room = ?", (code,)))

    # -- cards and answers ---------------------------------------------------------------------------------
    def save_card(self, code: str, card_id: str, card: dict) -> None:
        seq = self._read("SELECT coalesce(max(seq), 0) + 1 FROM cards WHERE room = ?", (code,))[0][0]
        self._write("INSERT INTO cards (room, card_id, seq, card_json, opened) VALUES (?, ?, ?, ?, ?) "
                    "ON CONFLICT (room, card_id) DO NOTHING", (code, card_id, seq, json.dumps(card), now_iso()))

    def reveal_card(self, code: str, card_id: str) -> None:
        self._write("UPDATE cards SET revealed = coalesce(revealed, ?) WHERE room = ? AND card_id = ?",
                    (now_iso(), code, card_id))

    def cards(self, code: str) -> list[tuple[str, dict, bool]]:
        """(card id, card, revealed) in the order the cards were first opened."""
        return [(cid, json.loads(card), revealed is not None) for cid, card, revealed in
                self._read("SELECT card_id, card_json, revealed FROM cards WHERE room = ? ORDER BY seq", (code,))]

    def save_answer(self, code: str, card_id: str, token: str, option: int) -> None:
        self._write("INSERT INTO answers (room, card_id, token, option, at) VALUES (?, ?, ?, ?, ?) "
                    "ON CONFLICT (room, card_id, token) DO UPDATE SET option = excluded.option, at = excluded.at",
                    (code, card_id, token, option, now_iso()))

    def answers(self, code: str, card_id: str) -> dict[str, int]:
        return dict(self._read("SELECT token, option FROM answers WHERE room = ? AND card_id = ?", (code, card_id)))
