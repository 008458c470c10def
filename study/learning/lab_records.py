"""Lab attempts in the progress database: each attempt's predictions and score (graded predictions review their
rules), the what-ifs tried, and every lab's record."""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import datetime

from study.learning import srs
from study.learning.database import dumps, iso
from study.learning.records import LabResult
from study.learning.reviews import Reviews


class LabRecords(Reviews):
    """The lab_attempts and lab_whatifs tables."""

    def record_lab_attempt(self, lab: str, predictions: list[dict], *, revealed: bool = False,
                           rules: Iterable[str] = (), at: datetime | None = None) -> int:
        """Store one lab attempt. `predictions` are dicts with question, answer (the learner's value or None),
        actual and right (True/False/None for no prediction) and optionally rule. Each graded prediction reviews
        its rule (or the lab's `rules`) in the scheduler, as a question does; blanks review nothing."""
        at = srs.utc(at or self.now())
        scheduler = self.scheduler()
        graded = [p for p in predictions if p.get("right") is not None]
        fallback = tuple(dict.fromkeys(rules))

        def work() -> int:
            with self._tx() as c:
                cur = c.execute(
                    "INSERT INTO lab_attempts (lab, at, predictions_json, right, answered, asked, revealed) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?)",
                    (lab, iso(at), dumps(predictions), sum(1 for p in graded if p["right"]), len(graded),
                     len(predictions), int(revealed)))
                attempt = int(cur.lastrowid)
                # One review per rule and attempt: right only when every prediction resting on it was right.
                by_rule: dict[str, bool] = {}
                for p in graded:
                    for rule in ((p["rule"],) if p.get("rule") else fallback):
                        by_rule[rule] = by_rule.get(rule, True) and bool(p["right"])
                for rule, ok in by_rule.items():
                    self._record(c, scheduler, f"lab:{lab}", (rule,), ok, None, "lab", "lab",
                                 f"lab-attempt:{attempt}", srs.rating_for(ok, None, "lab", True), at)
                return attempt
        return self._guard(work)

    def record_lab_whatif(self, attempt_id: int, setting: str, predictions: list[dict],
                          at: datetime | None = None) -> int:
        """A what-if tried within an attempt, with the prediction made for it (same dict shape)."""
        at = srs.utc(at or self.now())
        graded = [p for p in predictions if p.get("right") is not None]

        def work() -> int:
            with self._tx() as c:
                cur = c.execute(
                    "INSERT INTO lab_whatifs (attempt_id, at, setting, predictions_json, right, answered) "
                    "VALUES (?, ?, ?, ?, ?, ?)",
                    (attempt_id, iso(at), setting, dumps(predictions), sum(1 for p in graded if p["right"]),
                     len(graded)))
                return int(cur.lastrowid)
        return self._guard(work)

    def lab_attempts(self, lab: str) -> list[dict]:
        """One lab's attempts, oldest first, each with its predictions and what-ifs."""
        rows = self._read("SELECT id, at, predictions_json, right, answered, asked, revealed FROM lab_attempts "
                          "WHERE lab = ? ORDER BY id", (lab,))
        out = []
        for r in rows:
            whatifs = self._read("SELECT setting, predictions_json, right, answered FROM lab_whatifs "
                                 "WHERE attempt_id = ? ORDER BY id", (r[0],))
            out.append({"id": r[0], "at": datetime.fromisoformat(r[1]), "predictions": json.loads(r[2]),
                        "right": r[3], "answered": r[4], "asked": r[5], "revealed": bool(r[6]),
                        "whatifs": [{"setting": w[0], "predictions": json.loads(w[1]), "right": w[2],
                                     "answered": w[3]} for w in whatifs]})
        return out

    def lab_results(self) -> dict[str, LabResult]:
        """Every attempted lab's record, by lab name."""
        rows = self._read("SELECT a.lab, a.at, a.right, a.asked, a.revealed, "
                          "(SELECT COUNT(*) FROM lab_whatifs w WHERE w.attempt_id = a.id) "
                          "FROM lab_attempts a ORDER BY a.id")
        out: dict[str, LabResult] = {}
        for lab, at, right, asked, revealed, whatifs in rows:
            prev = out.get(lab)
            best = (right, asked) if prev is None or right * max(prev.best_asked, 1) > prev.best_right * max(
                asked, 1) else (prev.best_right, prev.best_asked)
            out[lab] = LabResult(lab, (prev.attempts if prev else 0) + 1, right, asked, best[0], best[1],
                                 datetime.fromisoformat(at), bool(revealed), (prev.whatifs if prev else 0) + whatifs)
        return out
