"""The learner's history in SQLite: answers, one FSRS card per rule, settings and exam attempts.

Every answer is committed as it is given (WAL, synchronous=FULL); a corrupt file is moved aside, never a crash.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Callable, Iterable, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta, tzinfo
from pathlib import Path
from typing import Any

from fsrs import Card, Rating, Scheduler

from study.quiz import srs

FILE_NAME = "progress.sqlite3"
BUSY_TIMEOUT_MS = 10_000

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
]
SCHEMA_VERSION = MIGRATIONS[-1][0]

# Errors that mean the file itself is bad or cannot be read: it is moved aside. Others (a full disk, an I/O
# error) leave the file alone, since it may well be fine once the machine is.
_BAD_FILE = {"SQLITE_CORRUPT", "SQLITE_NOTADB", "SQLITE_CANTOPEN", "SQLITE_PERM", "SQLITE_READONLY",
             "SQLITE_AUTH"}
# Errors in the middle of a session worth reopening (and if need be recovering) the database for.
_REOPEN = _BAD_FILE | {"SQLITE_IOERR"}


class _Unusable(Exception):
    """The file is a database we must not touch (newer schema, or busy beyond the timeout)."""


def _utc_now() -> datetime:
    return datetime.now(UTC)


def _iso(moment: datetime) -> str:
    return srs.utc(moment).isoformat()


def _dt(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text) if text else None


@dataclass(frozen=True)
class Answer:
    """One committed answer and the cards it moved."""

    id: int
    at: datetime
    question_id: str
    rules: tuple[str, ...]
    correct: bool
    seconds: float | None
    rating: Rating
    source: str
    cards: dict[str, Card] = field(default_factory=dict)


@dataclass(frozen=True)
class Tally:
    correct: int = 0
    total: int = 0

    @property
    def fraction(self) -> float:
        return self.correct / self.total if self.total else 0.0

    def add(self, correct: bool) -> Tally:
        return Tally(self.correct + int(bool(correct)), self.total + 1)


@dataclass(frozen=True)
class SectionMastery:
    section: str
    mastery: float  # mean recall probability of the section's rules (0 for a rule never reviewed)
    reviewed: int
    total: int


RECALL_HORIZON = timedelta(days=1)


@dataclass(frozen=True)
class SectionRecall:
    section: str
    mastery: float  # the chance of recalling the section's rules at the next review (see recall_by_section)
    accuracy: Tally
    reviewed: int
    total: int


@dataclass(frozen=True)
class RuleState:
    rule_id: str
    section: str
    title: str
    state: str  # new | learning | review | relearning
    retrievability: float
    stability: float | None
    difficulty: float | None
    due: datetime | None
    reps: int


@dataclass(frozen=True)
class ExamSummary:
    id: int
    started: datetime
    deadline: datetime
    finished: datetime | None
    n: int
    minutes: float
    seed: int
    correct: int | None
    timed_out: bool

    @property
    def score(self) -> float | None:
        return None if self.correct is None or not self.n else self.correct / self.n


@dataclass
class ExamItemRow:
    idx: int
    question: dict
    answer: Any
    correct: bool | None
    flagged: bool
    seconds: float


class Store:
    """The progress database. `recovered_from` names the file moved aside if the old one was unusable,
    and `message` says what happened, for the UI to show; `persistent` is False if nothing can be saved."""

    def __init__(self, path: str | Path | None = None, *, now: Callable[[], datetime] | None = None,
                 busy_timeout_ms: int = BUSY_TIMEOUT_MS):
        if path is None:
            from study import paths

            path = paths.user_data_dir() / FILE_NAME
        self.path = Path(path)
        self.now = now or _utc_now
        self.busy_timeout_ms = busy_timeout_ms
        self.recovered_from: Path | None = None
        self.message: str | None = None
        self.persistent = True
        self._lock = threading.RLock()
        self._conn = self._open()

    # ------------------------------------------------------------------ opening, recovery, migrations
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
            self._migrate(conn)
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
        except _Unusable as err:
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
        except (sqlite3.DatabaseError, OSError, _Unusable):
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
        except (sqlite3.DatabaseError, OSError, _Unusable) as err:
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

    def _migrate(self, conn: sqlite3.Connection) -> None:
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
                raise _Unusable(f"{self.path} was written by a newer version of study (schema {version}, "
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
            _rollback(conn)
            raise

    @property
    def schema_version(self) -> int:
        return int(self._read("SELECT version FROM schema_version")[0][0])

    def close(self) -> None:
        with self._lock:
            self._conn.close()

    def __enter__(self) -> Store:
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
                _rollback(self._conn)
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

    @property
    def desired_retention(self) -> float:
        raw = self.get_setting("desired_retention")
        try:
            return srs.check_retention(float(raw)) if raw is not None else srs.DEFAULT_RETENTION
        except ValueError:
            return srs.DEFAULT_RETENTION

    def set_desired_retention(self, value: float, *, reschedule: bool = True) -> None:
        """Change the target recall probability; with `reschedule`, replay every rule's reviews so the
        due dates follow the new target at once (as Anki's "reschedule cards on change")."""
        value = srs.check_retention(value)
        self.set_setting("desired_retention", repr(value))
        if reschedule:
            self._reschedule_all()

    def scheduler(self) -> Scheduler:
        return srs.make_scheduler(self.desired_retention)

    def _reschedule_all(self) -> None:
        scheduler = self.scheduler()

        def work() -> None:
            with self._tx() as c:
                rows = c.execute("SELECT rule_id, at, rating, seconds FROM reviews ORDER BY rule_id, at, id")
                history: dict[str, list[tuple[str, int, float | None]]] = {}
                for rule_id, at, rating, seconds in rows:
                    history.setdefault(rule_id, []).append((at, rating, seconds))
                for rule_id, reviews in history.items():
                    card = srs.new_card(rule_id, datetime.fromisoformat(reviews[0][0]))
                    for at, rating, seconds in reviews:
                        card = srs.review(scheduler, card, Rating(rating), datetime.fromisoformat(at), seconds)
                    c.execute("UPDATE cards SET card_json = ? WHERE rule_id = ?", (card.to_json(), rule_id))
        self._guard(work)

    # ------------------------------------------------------------------ coding challenges
    # Their two tables are created on first use (IF NOT EXISTS), outside the numbered migrations, so they never
    # compete with another feature's migration number.
    _CHALLENGE_TABLES = (
        """CREATE TABLE IF NOT EXISTS challenge_code (
            challenge_id TEXT PRIMARY KEY,
            code TEXT NOT NULL,
            updated TEXT NOT NULL
        )""",
        """CREATE TABLE IF NOT EXISTS challenge_runs (
            id INTEGER PRIMARY KEY,
            challenge_id TEXT NOT NULL,
            at TEXT NOT NULL,
            passed INTEGER NOT NULL,
            checks_passed INTEGER NOT NULL,
            checks_total INTEGER NOT NULL,
            code TEXT NOT NULL
        )""",
        "CREATE INDEX IF NOT EXISTS challenge_runs_id ON challenge_runs(challenge_id, at)",
    )

    def _challenges_ready(self) -> None:
        with self._lock:
            if getattr(self, "_challenges_conn", None) is self._conn:
                return

            def work() -> None:
                with self._tx() as c:
                    for statement in self._CHALLENGE_TABLES:
                        c.execute(statement)
            self._guard(work)
            self._challenges_conn = self._conn

    def save_challenge_code(self, challenge_id: str, code: str) -> None:
        """The learner's code as typed (saved on every edit, so nothing is lost)."""
        self._challenges_ready()
        at = _iso(self.now())

        def work() -> None:
            with self._tx() as c:
                c.execute("INSERT INTO challenge_code (challenge_id, code, updated) VALUES (?, ?, ?) "
                          "ON CONFLICT(challenge_id) DO UPDATE SET code = excluded.code, updated = excluded.updated",
                          (challenge_id, code, at))
        self._guard(work)

    def challenge_code(self, challenge_id: str) -> str | None:
        self._challenges_ready()
        rows = self._read("SELECT code FROM challenge_code WHERE challenge_id = ?", (challenge_id,))
        return rows[0][0] if rows else None

    def record_challenge_run(self, challenge_id: str, passed: bool, checks_passed: int, checks_total: int,
                             code: str, rules: Iterable[str] = ()) -> Answer | None:
        """Keep one graded run. A pass reviews the challenge's rules in the scheduler, at most once a day per
        challenge (grading again and again in one sitting is not spaced practice); returns that review."""
        self._challenges_ready()
        at = srs.utc(self.now())

        def work() -> bool:
            with self._tx() as c:
                c.execute("INSERT INTO challenge_runs (challenge_id, at, passed, checks_passed, checks_total, code) "
                          "VALUES (?, ?, ?, ?, ?, ?)",
                          (challenge_id, _iso(at), int(bool(passed)), checks_passed, checks_total, code))
                today = _iso(start_of_day(at))
                row = c.execute("SELECT COUNT(*) FROM answers WHERE question_id = ? AND at >= ?",
                                (f"challenge:{challenge_id}", today)).fetchone()
                return bool(row[0])
        reviewed_today = self._guard(work)
        rules = tuple(rules)
        if not passed or reviewed_today or not rules:
            return None
        return self.record_answer(f"challenge:{challenge_id}", rules, True, None, kind="code", source="challenge",
                                  at=at)

    def challenge_bests(self) -> dict[str, tuple[bool, int, int]]:
        """Challenge id -> its best run: (passed, checks passed, checks in all)."""
        self._challenges_ready()
        rows = self._read("SELECT challenge_id, passed, checks_passed, checks_total FROM challenge_runs "
                          "ORDER BY challenge_id, passed DESC, checks_passed DESC, id")
        out: dict[str, tuple[bool, int, int]] = {}
        for cid, passed, n, total in rows:
            out.setdefault(cid, (bool(passed), int(n), int(total)))
        return out

    def challenge_tries(self, challenge_id: str) -> int:
        self._challenges_ready()
        return int(self._read("SELECT COUNT(*) FROM challenge_runs WHERE challenge_id = ?", (challenge_id,))[0][0])

    # ------------------------------------------------------------------ answers and cards
    def record_answer(self, question_id: str, rules: Iterable[str], correct: bool, seconds: float | None, *,
                      kind: str | None = None, has_scenario: bool = False, source: str = "practice",
                      session: str | None = None, rating: Rating | None = None, at: datetime | None = None,
                      rule: str | None = None) -> Answer:
        """Commit one answer and review every rule it exercises, in one transaction. `rule` is the rule the
        question was drawn for in practice (None in exams)."""
        at = srs.utc(at or self.now())
        rules = tuple(dict.fromkeys(rules))
        rating = rating or srs.rating_for(correct, seconds, kind, has_scenario)
        scheduler = self.scheduler()

        def work() -> Answer:
            with self._tx() as c:
                return self._record(c, scheduler, question_id, rules, correct, seconds, kind, source,
                                    session, rating, at, rule)
        return self._guard(work)

    def _record(self, c: sqlite3.Connection, scheduler: Scheduler, question_id: str, rules: tuple[str, ...],
                correct: bool, seconds: float | None, kind: str | None, source: str, session: str | None,
                rating: Rating, at: datetime, rule: str | None = None) -> Answer:
        cur = c.execute(
            "INSERT INTO answers (at, question_id, rule, rules, correct, seconds, rating, kind, source, session) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (_iso(at), question_id, rule, json.dumps(list(rules)), int(bool(correct)), seconds, int(rating),
             kind, source, session))
        answer_id = int(cur.lastrowid)
        cards: dict[str, Card] = {}
        for rule_id in rules:
            # Read, review and write inside the same IMMEDIATE transaction: another instance reviewing the
            # same rule waits for us instead of overwriting our review.
            row = c.execute("SELECT card_json, reps FROM cards WHERE rule_id = ?", (rule_id,)).fetchone()
            card = Card.from_json(row[0]) if row else srs.new_card(rule_id, at)
            card = srs.review(scheduler, card, rating, at, seconds)
            c.execute("INSERT INTO cards (rule_id, card_json, reps, updated) VALUES (?, ?, 1, ?) "
                      "ON CONFLICT(rule_id) DO UPDATE SET card_json = excluded.card_json, "
                      "reps = reps + 1, updated = excluded.updated", (rule_id, card.to_json(), _iso(at)))
            c.execute("INSERT INTO reviews (answer_id, rule_id, at, rating, correct, seconds, due) "
                      "VALUES (?, ?, ?, ?, ?, ?, ?)",
                      (answer_id, rule_id, _iso(at), int(rating), int(bool(correct)), seconds, _iso(card.due)))
            cards[rule_id] = card
        return Answer(answer_id, at, question_id, rules, bool(correct), seconds, rating, source, cards)

    def answers(self, source: str | None = None) -> list[Answer]:
        sql = "SELECT id, at, question_id, rules, correct, seconds, rating, source FROM answers"
        args: tuple = ()
        if source is not None:
            sql += " WHERE source = ?"
            args = (source,)
        rows = self._read(sql + " ORDER BY id", args)
        return [Answer(r[0], datetime.fromisoformat(r[1]), r[2], tuple(json.loads(r[3])), bool(r[4]), r[5],
                       Rating(r[6]), r[7]) for r in rows]

    def answer_count(self) -> int:
        return int(self._read("SELECT COUNT(*) FROM answers")[0][0])

    def has_progress(self) -> bool:
        return self.answer_count() > 0

    def card(self, rule_id: str) -> Card | None:
        rows = self._read("SELECT card_json FROM cards WHERE rule_id = ?", (rule_id,))
        return Card.from_json(rows[0][0]) if rows else None

    def cards(self) -> dict[str, Card]:
        rows = self._read("SELECT rule_id, card_json FROM cards ORDER BY rule_id")
        return {rule_id: Card.from_json(text) for rule_id, text in rows}

    def reps(self) -> dict[str, int]:
        return dict(self._read("SELECT rule_id, reps FROM cards"))

    def review_log(self, rule_id: str | None = None) -> list[tuple[str, datetime, Rating, bool]]:
        """(rule_id, at, rating, correct) of every review, oldest first."""
        sql = "SELECT rule_id, at, rating, correct FROM reviews"
        args: tuple = ()
        if rule_id is not None:
            sql += " WHERE rule_id = ?"
            args = (rule_id,)
        rows = self._read(sql + " ORDER BY at, id", args)
        return [(r[0], datetime.fromisoformat(r[1]), Rating(r[2]), bool(r[3])) for r in rows]

    def due_rules(self, now: datetime | None = None) -> list[tuple[str, datetime]]:
        """Rules whose card is due at `now`, most overdue first."""
        now = srs.utc(now or self.now())
        due = [(rule_id, card.due) for rule_id, card in self.cards().items() if card.due <= now]
        return sorted(due, key=lambda item: (item[1], item[0]))

    def rules_first_reviewed_since(self, since: datetime) -> set[str]:
        """Rules whose very first review happened at or after `since` (new rules introduced)."""
        rows = self._read("SELECT rule_id FROM reviews GROUP BY rule_id HAVING MIN(at) >= ?", (_iso(since),))
        return {r[0] for r in rows}

    def new_rules_practised_since(self, since: datetime) -> set[str]:
        """Rules drawn as new practice items since `since`: their very first review came from a question
        drawn for them (not from a question that touched them on the way)."""
        rows = self._read(
            "SELECT r.rule_id FROM reviews r JOIN answers a ON a.id = r.answer_id "
            "WHERE r.at >= ? AND a.rule = r.rule_id "
            "AND NOT EXISTS (SELECT 1 FROM reviews p WHERE p.rule_id = r.rule_id AND p.id < r.id)", (_iso(since),))
        return {r[0] for r in rows}

    # ------------------------------------------------------------------ stats
    def forecast(self, days: int = srs.FORECAST_DAYS, now: datetime | None = None,
                 tz: tzinfo | None = None) -> list[tuple[date, int]]:
        """Reviews due per calendar day for the next `days` days, today (with anything overdue) first."""
        return srs.forecast(self.cards().values(), now or self.now(), days, tz)

    def rule_states(self, rules: Mapping[str, Mapping] | None = None,
                    now: datetime | None = None) -> list[RuleState]:
        """Every rule's memory state, in the order of rules.yaml (the mastery grid)."""
        rules = _rules_or_default(rules)
        now = now or self.now()
        scheduler = self.scheduler()
        cards = self.cards()
        reps = self.reps()
        out = []
        for rule_id, rule in rules.items():
            card = cards.get(rule_id)
            out.append(RuleState(
                rule_id=rule_id, section=_top(rule.get("section", "")), title=str(rule.get("title", rule_id)),
                state=srs.state_name(card), retrievability=srs.retrievability(scheduler, card, now),
                stability=card.stability if card else None, difficulty=card.difficulty if card else None,
                due=card.due if card else None, reps=reps.get(rule_id, 0)))
        return out

    def mastery_by_section(self, rules: Mapping[str, Mapping] | None = None,
                           now: datetime | None = None) -> dict[str, SectionMastery]:
        """Mean FSRS recall probability of each section's rules at `now` (never-reviewed rules count 0)."""
        grouped: dict[str, list[RuleState]] = {}
        for state in self.rule_states(rules, now):
            grouped.setdefault(state.section, []).append(state)
        return {
            section: SectionMastery(section, sum(s.retrievability for s in states) / len(states),
                                    sum(1 for s in states if s.state != "new"), len(states))
            for section, states in sorted(grouped.items(), key=lambda kv: _section_key(kv[0]))
        }

    def recall_by_section(self, rules: Mapping[str, Mapping] | None = None,
                          now: datetime | None = None) -> dict[str, SectionRecall]:
        """What the map, Stats and the exam review show: per section, the mean over its rules of the chance of
        recalling the rule at the next review (a rule never practised counts 0), next to the section's accuracy.
        A rule's chance is the lower of FSRS's recall probability a day from now and its answers' smoothed
        accuracy ((right + 1) / (answers + 2)): a fresh review alone never reads as 100%, and failing a rule
        pulls it down however recent the review."""
        rules = _rules_or_default(rules)
        now = now or self.now()
        accuracy = self.accuracy_by_rule()
        grouped: dict[str, list[tuple[float, Tally, bool]]] = {}
        for state in self.rule_states(rules, now + RECALL_HORIZON):
            tally = accuracy.get(state.rule_id, Tally())
            chance = min(state.retrievability, (tally.correct + 1) / (tally.total + 2)) if tally.total else 0.0
            grouped.setdefault(state.section, []).append((chance, tally, state.state != "new"))
        out = {}
        for section, rows in sorted(grouped.items(), key=lambda kv: _section_key(kv[0])):
            acc = Tally(sum(t.correct for _, t, _ in rows), sum(t.total for _, t, _ in rows))
            out[section] = SectionRecall(section, sum(c for c, _, _ in rows) / len(rows), acc,
                                         sum(1 for *_, seen in rows if seen), len(rows))
        return out

    def accuracy_by_rule(self, source: str | None = None) -> dict[str, Tally]:
        sql = "SELECT rule_id, SUM(correct), COUNT(*) FROM reviews"
        args: tuple = ()
        if source is not None:
            sql += " WHERE answer_id IN (SELECT id FROM answers WHERE source = ?)"
            args = (source,)
        rows = self._read(sql + " GROUP BY rule_id ORDER BY rule_id", args)
        return {r[0]: Tally(int(r[1]), int(r[2])) for r in rows}

    # ------------------------------------------------------------------ exams
    def exam_create(self, *, started: datetime, deadline: datetime, n: int, minutes: float, seed: int,
                    questions: list[dict]) -> int:
        def work() -> int:
            with self._tx() as c:
                cur = c.execute("INSERT INTO exams (started, deadline, n, minutes, seed) VALUES (?, ?, ?, ?, ?)",
                                (_iso(started), _iso(deadline), n, minutes, seed))
                exam_id = int(cur.lastrowid)
                c.executemany("INSERT INTO exam_items (exam_id, idx, question_json) VALUES (?, ?, ?)",
                              [(exam_id, i, _dumps(q)) for i, q in enumerate(questions)])
                return exam_id
        return self._guard(work)

    def exam_save_item(self, exam_id: int, idx: int, *, answer: Any = None, flagged: bool = False,
                       seconds: float = 0.0) -> None:
        def work() -> None:
            with self._tx() as c:
                c.execute("UPDATE exam_items SET answer_json = ?, flagged = ?, seconds = ? "
                          "WHERE exam_id = ? AND idx = ?",
                          (None if answer is None else _dumps(answer), int(flagged), float(seconds), exam_id, idx))
        self._guard(work)

    def exam_finish(self, exam_id: int, *, finished: datetime, timed_out: bool,
                    items: list[tuple[int, Any, bool, bool, float]],
                    answers: list[dict] | None = None) -> list[Answer]:
        """Mark the attempt submitted: items are (idx, answer, correct, flagged, seconds); each of `answers`
        (record_answer keyword arguments) reviews its rules, all in one transaction."""
        scheduler = self.scheduler()
        at = srs.utc(finished)

        def work() -> list[Answer]:
            with self._tx() as c:
                done = c.execute("SELECT finished FROM exams WHERE id = ?", (exam_id,)).fetchone()
                if done is None:
                    raise KeyError(f"no exam {exam_id}")
                if done[0] is not None:
                    raise ValueError(f"exam {exam_id} was already submitted")
                c.executemany(
                    "UPDATE exam_items SET answer_json = ?, correct = ?, flagged = ?, seconds = ? "
                    "WHERE exam_id = ? AND idx = ?",
                    [(None if a is None else _dumps(a), int(ok), int(fl), float(s), exam_id, idx)
                     for idx, a, ok, fl, s in items])
                c.execute("UPDATE exams SET finished = ?, correct = ?, timed_out = ? WHERE id = ?",
                          (_iso(at), sum(1 for it in items if it[2]), int(timed_out), exam_id))
                out = []
                for a in answers or ():
                    rating = srs.rating_for(a["correct"], a.get("seconds"), a.get("kind"),
                                            a.get("has_scenario", False))
                    out.append(self._record(c, scheduler, a["question_id"], tuple(dict.fromkeys(a["rules"])),
                                            a["correct"], a.get("seconds"), a.get("kind"), "exam",
                                            f"exam:{exam_id}", rating, at))
                return out
        return self._guard(work)

    def exam_history(self) -> list[ExamSummary]:
        """Every attempt, newest first (unfinished ones have `finished` None)."""
        rows = self._read("SELECT id, started, deadline, finished, n, minutes, seed, correct, timed_out "
                          "FROM exams ORDER BY started DESC, id DESC")
        return [_exam_summary(r) for r in rows]

    def exam(self, exam_id: int) -> tuple[ExamSummary, list[ExamItemRow]]:
        found = self._read("SELECT id, started, deadline, finished, n, minutes, seed, correct, timed_out "
                           "FROM exams WHERE id = ?", (exam_id,))
        if not found:
            raise KeyError(f"no exam {exam_id}")
        items = self._read("SELECT idx, question_json, answer_json, correct, flagged, seconds FROM exam_items "
                           "WHERE exam_id = ? ORDER BY idx", (exam_id,))
        return _exam_summary(found[0]), [
            ExamItemRow(r[0], json.loads(r[1]), None if r[2] is None else json.loads(r[2]),
                        None if r[3] is None else bool(r[3]), bool(r[4]), float(r[5])) for r in items]


def _exam_summary(r: tuple) -> ExamSummary:
    return ExamSummary(id=r[0], started=datetime.fromisoformat(r[1]), deadline=datetime.fromisoformat(r[2]),
                       finished=_dt(r[3]), n=r[4], minutes=r[5], seed=r[6], correct=r[7],
                       timed_out=bool(r[8]))


def _rollback(conn: sqlite3.Connection) -> None:
    # Never let a failed rollback (on a broken file) hide the error that caused it.
    if conn.in_transaction:
        try:
            conn.execute("ROLLBACK")
        except sqlite3.Error:
            pass


def _dumps(value: Any) -> str:
    return json.dumps(value, sort_keys=True, default=str)


def _is_busy(err: BaseException) -> bool:
    return getattr(err, "sqlite_errorname", "") in ("SQLITE_BUSY", "SQLITE_LOCKED") or "locked" in str(err)


def _top(section: str) -> str:
    return ".".join(str(section).split(".")[:2])


def _section_key(section: str) -> tuple:
    return tuple(int(p) if p.isdigit() else 0 for p in section.split("."))


def _rules_or_default(rules: Mapping[str, Mapping] | None) -> Mapping[str, Mapping]:
    if rules is not None:
        return rules
    from study.content import load_rules

    return load_rules().rules


def start_of_day(moment: datetime, tz: tzinfo | None = None) -> datetime:
    """Midnight of `moment`'s calendar day in `tz` (None: local), as UTC."""
    local = moment.astimezone(tz) if tz is not None else moment.astimezone()
    midnight = local.replace(hour=0, minute=0, second=0, microsecond=0)
    return midnight.astimezone(UTC)


__all__ = ["Answer", "ExamItemRow", "ExamSummary", "RuleState", "SectionMastery", "Store", "Tally",
           "start_of_day", "SCHEMA_VERSION", "MIGRATIONS"]
