"""The learner's history in SQLite: answers, one FSRS card per rule, settings, exam, lab and challenge attempts.

    from study.learning.store import Store
    store = Store()                      # $STUDY_HOME/progress.sqlite3 (or the user data dir)
    store.record_answer("q1", ["async.retry-schedule"], correct=True, seconds=12.0)
    store.recall_by_section()            # what the map and Stats show

`Store` is put together from one class per kind of record, each in its own module: the file and its recovery
(database.py, schema.py for the migrations), answers and cards (reviews.py), mastery (mastery.py), exams, labs
and coding challenges (exam_records.py, lab_records.py, challenge_records.py). Every answer is committed as it is
given (WAL, synchronous=FULL); a corrupt file is moved aside, never a crash.
"""

from __future__ import annotations

from study.learning.challenge_records import ChallengeRecords
from study.learning.database import FILE_NAME, start_of_day
from study.learning.exam_records import ExamRecords
from study.learning.lab_records import LabRecords
from study.learning.mastery import Mastery
from study.learning.records import (
    Answer,
    ExamItemRow,
    ExamSummary,
    LabResult,
    RuleState,
    SectionMastery,
    SectionRecall,
    Tally,
)
from study.learning.schema import MIGRATIONS, SCHEMA_VERSION


class Store(Mastery, ExamRecords, LabRecords, ChallengeRecords):
    """The progress database. `recovered_from` names the file moved aside if the old one was unusable,
    and `message` says what happened, for the UI to show; `persistent` is False if nothing can be saved."""


__all__ = ["Answer", "ExamItemRow", "ExamSummary", "FILE_NAME", "LabResult", "MIGRATIONS", "RuleState",
           "SCHEMA_VERSION", "SectionMastery", "SectionRecall", "Store", "Tally", "start_of_day"]
