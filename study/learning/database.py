"""The progress database's file: opening it (WAL, synchronous=FULL), recovering from a bad one, short write
transactions, and the settings table. The kinds of record live in their own modules (store.py puts them together).

Every answer is committed as it is given; a corrupt file is moved aside, never a crash.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Callable
from contextlib import contextmanager
from datetime import UTC, datetime, tzinfo
from pathlib import Path
from typing import Any, Self

from study.learning import srs
from study.learning.schema import Unusable, migrate, rollback

FILE_NAME = "progress.sqlite3"
BUSY_TIMEOUT_MS = 10_000

# Errors that mean the file itself is bad or cannot be read: it is moved aside. Others (a full disk, an I/O
# error) leave the file alone, since it may well be fine once the machine is.
_BAD_FILE = {"SQLITE_CORRUPT", "SQLITE_NOTADB", "SQLITE_CANTOPEN", "SQLITE_PERM", "SQLITE_READONLY",
             "SQLITE_AUTH"}
# Errors in the middle of a session worth reopening (and if need be recovering) the database for.
_REOPEN = _BAD_FILE | {"SQLITE_IOERR"}


def utc_now() -> datetime:
    return datetime.now(UTC)


def iso(moment: datetime) -> str:
    return srs.utc(moment).isoformat()


def dumps(value: Any) -> str:
    return json.dumps(value, sort_keys=True, default=str)


def start_of_day(moment: datetime, tz: tzinfo | None = None) -> datetime:
    """Midnight of `moment`'s calendar day in `tz` (None: local), as UTC."""
    local = moment.astimezone(tz) if tz is not None else moment.astimezone()
    midnight = local.replace(hour=0, minute=0, second=0, microsecond=0)
    return midnight.astimezone(UTC)



class Database:
    """The progress database's file and connection (store.Store adds the records). `recovered_from` names the
    file moved aside if the old one was unusable, and `message` says what happened, for the UI to show;
    `persistent` is False if nothing can be saved."""

    def __init__(self, path: str | Path | None = None, *, now: Callable[[], datetime] | None = None,
                 busy_timeout_ms: int = BUSY_TIMEOUT_MS):
        if path is None:
            from study import paths

            path = paths.user_data_dir() / FILE_NAME
        self.path = Path(path)
        self.now = now or utc_now
        self.busy_timeout_ms = busy_timeout_ms
        self.recovered_from: Path | None = None
        self.message: str | None = None
        self.persistent = True
        self._lock = threading.RLock()
        self._conn = self._open()

    # ------------------------------------------------------------------ opening, recovery
    def _connect(self, target: str) -> sqlite3.Connection:
        # isolation_level=None: we issue BEGIN IMMEDIATE ourselves, so each write is one short transaction.
        conn = sqlite3.connect(target, timeout=self.busy_timeout_ms / 1000, isolation_level=None,
                               check_same_thread=False)
        try:
            conn.execute(f"PRAGMA busy_timeout = {int(self.busy_timeout_ms)}")
            if target != ":memory:":
                conn.execute("PRAGMA journal_mode = WAL")
            # FULL: a committed answer survives a power cut too, not only a killed process.
            conn.execute("PRAGMA synchronous = FULL")
            conn.execute("PRAGMA foreign_keys = ON")
            row = conn.execute("PRAGMA quick_check").fetchone()
            if row is None or row[0] != "ok":
                raise sqlite3.DatabaseError(f"integrity check failed: {row[0] if row else 'no answer'}")
            migrate(conn, self.path)
        except BaseException:
            conn.close()
            raise
        return conn

    def _open(self) -> sqlite3.Connection:
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as err:
            return self._in_memory(f"cannot create {self.path.parent} ({err.strerror or err}); "
                                   "progress made now will not be saved")
        try:
            return self._connect(str(self.path))
        except Unusable as err:
            return self._in_memory(str(err))
        except (sqlite3.DatabaseError, OSError) as err:
            if _is_busy(err):
                return self._in_memory(f"{self.path} is busy in another instance ({err}); "
                                       "progress made now will not be saved")
            name = getattr(err, "sqlite_errorname", None)
            if name is not None and name not in _BAD_FILE:
                return self._in_memory(f"{self.path} cannot be used just now ({err}); it was left as it is "
                                       "and progress made now will not be saved")
            reason = str(err) or type(err).__name__
        try:
            # Another instance may have just replaced the bad file with a fresh one: never move that aside.
            return self._connect(str(self.path))
        except (sqlite3.DatabaseError, OSError, Unusable):
            pass
        moved = self._move_aside()
        if moved is None:
            return self._in_memory(f"{self.path} is unreadable ({reason}) and could not be moved aside; "
                                   "progress made now will not be saved")
        self.recovered_from = moved
        self.message = (f"The progress database {self.path} was unreadable ({reason}); it was moved to "
                        f"{moved.name} and a fresh one was started.")
        try:
            return self._connect(str(self.path))
        except (sqlite3.DatabaseError, OSError, Unusable) as err:
            return self._in_memory(f"{self.message} The fresh one failed too ({err}); progress made now "
                                   "will not be saved")

    def _in_memory(self, message: str) -> sqlite3.Connection:
        self.persistent = False
        self.message = message
        return self._connect(":memory:")

    def _move_aside(self) -> Path | None:
        stamp = self.now().astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
        target = self.path.with_name(f"{self.path.name}.corrupt-{stamp}")
        n = 1
        while target.exists():
            n += 1
            target = self.path.with_name(f"{self.path.name}.corrupt-{stamp}-{n}")
        try:
            self.path.rename(target)
        except FileNotFoundError:
            # Another instance moved it first (and started the fresh one we will open): name its copy.
            moved = sorted((p for p in self.path.parent.glob(f"{self.path.name}.corrupt-*")
                            if not p.name.endswith(("-wal", "-shm", "-journal"))), key=lambda p: p.stat().st_mtime)
            return moved[-1] if moved else None
        except OSError:
            return None
        # A stale WAL or shared-memory file belongs to the old database, never to the fresh one.
        for suffix in ("-wal", "-shm", "-journal"):
            side = self.path.with_name(self.path.name + suffix)
            try:
                side.rename(target.with_name(target.name + suffix))
            except OSError:
                pass
        return target

    @property
    def schema_version(self) -> int:
        return int(self._read("SELECT version FROM schema_version")[0][0])

    def close(self) -> None:
        with self._lock:
            self._conn.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def _tx(self):
        """One short write transaction; committed when the block ends."""
        with self._lock:
            self._conn.execute("BEGIN IMMEDIATE")
            try:
                yield self._conn
            except BaseException:
                rollback(self._conn)
                raise
            self._conn.execute("COMMIT")

    def _guard(self, work: Callable[[], Any]) -> Any:
        """Run `work`; if the file turns out corrupt mid-session, recover once and retry."""
        try:
            return work()
        except sqlite3.DatabaseError as err:
            if _is_busy(err) or getattr(err, "sqlite_errorname", None) not in _REOPEN:
                raise
            with self._lock:
                try:
                    self._conn.close()
                except sqlite3.Error:
                    pass
                self._conn = self._open()
            return work()

    def _read(self, sql: str, args: tuple = ()) -> list[tuple]:
        def work() -> list[tuple]:
            with self._lock:
                return self._conn.execute(sql, args).fetchall()
        return self._guard(work)

    def _read_where(self, select: str, condition: str, value: object, rest: str) -> list[tuple]:
        """`select`, narrowed by `condition` (one `?`) when `value` is not None, then `rest` (GROUP BY, ORDER BY)."""
        if value is None:
            return self._read(f"{select} {rest}")
        return self._read(f"{select} WHERE {condition} {rest}", (value,))

    # ------------------------------------------------------------------ settings
    def get_setting(self, key: str, default: str | None = None) -> str | None:
        rows = self._read("SELECT value FROM settings WHERE key = ?", (key,))
        return default if not rows else rows[0][0]

    def set_setting(self, key: str, value: str) -> None:
        def work() -> None:
            with self._tx() as c:
                c.execute("INSERT INTO settings (key, value) VALUES (?, ?) "
                          "ON CONFLICT(key) DO UPDATE SET value = excluded.value", (key, str(value)))
        self._guard(work)


def _is_busy(err: BaseException) -> bool:
    return getattr(err, "sqlite_errorname", "") in ("SQLITE_BUSY", "SQLITE_LOCKED") or "locked" in str(err)

