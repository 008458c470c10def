"""How well each rule and section is known: memory states, mastery and recall by section, accuracy, the
review forecast (the map, Stats and the exam review read these)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime, timedelta, tzinfo

from study.content import section_key, top_section
from study.learning import srs
from study.learning.records import RuleState, SectionMastery, SectionRecall, Tally
from study.learning.reviews import Reviews

RECALL_HORIZON = timedelta(days=1)


class Mastery(Reviews):
    """Read-only views over the cards and reviews."""

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
                rule_id=rule_id, section=top_section(rule.get("section", "")), title=str(rule.get("title", rule_id)),
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
            for section, states in sorted(grouped.items(), key=lambda kv: section_key(kv[0]))
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
        for section, rows in sorted(grouped.items(), key=lambda kv: section_key(kv[0])):
            acc = Tally(sum(t.correct for _, t, _ in rows), sum(t.total for _, t, _ in rows))
            out[section] = SectionRecall(section, sum(c for c, _, _ in rows) / len(rows), acc,
                                         sum(1 for *_, seen in rows if seen), len(rows))
        return out

    def accuracy_by_rule(self, source: str | None = None) -> dict[str, Tally]:
        rows = self._read_where("SELECT rule_id, SUM(correct), COUNT(*) FROM reviews",
                                "answer_id IN (SELECT id FROM answers WHERE source = ?)", source,
                                "GROUP BY rule_id ORDER BY rule_id")
        return {r[0]: Tally(int(r[1]), int(r[2])) for r in rows}


def _rules_or_default(rules: Mapping[str, Mapping] | None) -> Mapping[str, Mapping]:
    if rules is not None:
        return rules
    from study.content import load_rules

    return load_rules().rules
