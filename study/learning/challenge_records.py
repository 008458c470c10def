"""Coding challenges in the progress database: the learner's code as typed, every graded run, and the review a
pass earns (at most once a day per challenge)."""

from __future__ import annotations

from collections.abc import Iterable

from study.learning import srs
from study.learning.database import iso, start_of_day
from study.learning.records import Answer
from study.learning.reviews import Reviews


class ChallengeRecords(Reviews):
    """The challenge_code and challenge_runs tables."""

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
        at = iso(self.now())

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
                          (challenge_id, iso(at), int(bool(passed)), checks_passed, checks_total, code))
                today = iso(start_of_day(at))
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
