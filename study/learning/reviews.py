"""Answers and the FSRS card of each rule they review: committing an answer, reading cards and review history,
the learner's target retention (changing it replays every rule's reviews)."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable
from datetime import datetime

from fsrs import Card, Rating, Scheduler

from study.learning import srs
from study.learning.database import Database, iso
from study.learning.records import Answer


class Reviews(Database):
    """The answers, cards and reviews tables."""

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
            (iso(at), question_id, rule, json.dumps(list(rules)), int(bool(correct)), seconds, int(rating),
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
                      "reps = reps + 1, updated = excluded.updated", (rule_id, card.to_json(), iso(at)))
            c.execute("INSERT INTO reviews (answer_id, rule_id, at, rating, correct, seconds, due) "
                      "VALUES (?, ?, ?, ?, ?, ?, ?)",
                      (answer_id, rule_id, iso(at), int(rating), int(bool(correct)), seconds, iso(card.due)))
            cards[rule_id] = card
        return Answer(answer_id, at, question_id, rules, bool(correct), seconds, rating, source, cards)

    def answers(self, source: str | None = None) -> list[Answer]:
        rows = self._read_where("SELECT id, at, question_id, rules, correct, seconds, rating, source FROM answers",
                                "source = ?", source, "ORDER BY id")
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
        rows = self._read_where("SELECT rule_id, at, rating, correct FROM reviews", "rule_id = ?", rule_id,
                                "ORDER BY at, id")
        return [(r[0], datetime.fromisoformat(r[1]), Rating(r[2]), bool(r[3])) for r in rows]

    def due_rules(self, now: datetime | None = None) -> list[tuple[str, datetime]]:
        """Rules whose card is due at `now`, most overdue first."""
        now = srs.utc(now or self.now())
        due = [(rule_id, card.due) for rule_id, card in self.cards().items() if card.due <= now]
        return sorted(due, key=lambda item: (item[1], item[0]))

    def rules_first_reviewed_since(self, since: datetime) -> set[str]:
        """Rules whose very first review happened at or after `since` (new rules introduced)."""
        rows = self._read("SELECT rule_id FROM reviews GROUP BY rule_id HAVING MIN(at) >= ?", (iso(since),))
        return {r[0] for r in rows}

    def new_rules_practised_since(self, since: datetime) -> set[str]:
        """Rules drawn as new practice items since `since`: their very first review came from a question
        drawn for them (not from a question that touched them on the way)."""
        rows = self._read(
            "SELECT r.rule_id FROM reviews r JOIN answers a ON a.id = r.answer_id "
            "WHERE r.at >= ? AND a.rule = r.rule_id "
            "AND NOT EXISTS (SELECT 1 FROM reviews p WHERE p.rule_id = r.rule_id AND p.id < r.id)", (iso(since),))
        return {r[0] for r in rows}
