"""Exam attempts in the progress database: each drawn exam's questions, answers as they are given, the
submission (which reviews every item's rules), history and review."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from study.learning import srs
from study.learning.database import dumps, iso
from study.learning.records import Answer, ExamItemRow, ExamSummary
from study.learning.reviews import Reviews


class ExamRecords(Reviews):
    """The exams and exam_items tables."""

    def exam_create(self, *, started: datetime, deadline: datetime, n: int, minutes: float, seed: int,
                    questions: list[dict]) -> int:
        def work() -> int:
            with self._tx() as c:
                cur = c.execute("INSERT INTO exams (started, deadline, n, minutes, seed) VALUES (?, ?, ?, ?, ?)",
                                (iso(started), iso(deadline), n, minutes, seed))
                exam_id = int(cur.lastrowid)
                c.executemany("INSERT INTO exam_items (exam_id, idx, question_json) VALUES (?, ?, ?)",
                              [(exam_id, i, dumps(q)) for i, q in enumerate(questions)])
                return exam_id
        return self._guard(work)

    def exam_save_item(self, exam_id: int, idx: int, *, answer: Any = None, flagged: bool = False,
                       seconds: float = 0.0) -> None:
        def work() -> None:
            with self._tx() as c:
                c.execute("UPDATE exam_items SET answer_json = ?, flagged = ?, seconds = ? "
                          "WHERE exam_id = ? AND idx = ?",
                          (None if answer is None else dumps(answer), int(flagged), float(seconds), exam_id, idx))
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
                    [(None if a is None else dumps(a), int(ok), int(fl), float(s), exam_id, idx)
                     for idx, a, ok, fl, s in items])
                c.execute("UPDATE exams SET finished = ?, correct = ?, timed_out = ? WHERE id = ?",
                          (iso(at), sum(1 for it in items if it[2]), int(timed_out), exam_id))
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



def _dt(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text) if text else None
