"""Learning state (layer 4 of docs/architecture.md): what the learner has done and what comes next. No Textual,
no Rich; the faces (study.terminal, study.tui) drive these.

    from study.learning import Store, PracticeSession, ExamSession
    store = Store()                                     # the progress database (store.py and its parts)
    session = PracticeSession(store, provider)          # due rules first, then new ones (practice.py)
    exam = ExamSession.start(store, questions, n=20)    # an exam attempt (exam.py)

srs.py holds the FSRS scheduling rules the store and the sessions share. The package root imports nothing heavy;
the names below load their modules on first use.
"""

from __future__ import annotations

from typing import Any

__all__ = ["Store", "PracticeSession", "ExamSession"]

_WHERE = {"Store": "study.learning.store", "PracticeSession": "study.learning.practice",
          "ExamSession": "study.learning.exam"}


def __getattr__(name: str) -> Any:
    if name in _WHERE:
        import importlib

        return getattr(importlib.import_module(_WHERE[name]), name)
    raise AttributeError(name)
