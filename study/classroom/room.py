"""One class session: who joined, which card is open, who answered what. Thread-safe (the presenter's screen and
the HTTP server call it from different threads); every change is written to the ClassStore as it happens.

What a student may see is decided here, not in the page: `student_view` never carries other students' answers,
and carries the right answer and the explanations only once the presenter has revealed the card.
"""

from __future__ import annotations

import csv
import io
import re
import secrets
import threading
from collections.abc import Callable
from dataclasses import dataclass, field

from study.classroom.store import ClassStore

LETTERS = "ABCD"
# Six characters the presenter's big digits can draw and nobody misreads (no 0/O, 1/I, B/8, D/0).
CODE_ALPHABET = "23456789ACEF"
CODE_LENGTH = 6
TOKEN_RE = re.compile(r"^[A-Za-z0-9_-]{16,64}$")
NICKNAME_MAX = 24
MAX_STUDENTS = 1000


class Refused(Exception):
    """A call the room does not accept: `status` is the HTTP status the server answers with."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def new_code(taken: set[str]) -> str:
    while True:
        code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
        if code not in taken:
            return code


def normal_code(code: object) -> str:
    return code.strip().upper() if isinstance(code, str) else ""


def clean_nickname(nickname: object) -> str:
    """A nickname is optional; anything not printable is dropped and it is cut to NICKNAME_MAX characters."""
    if not isinstance(nickname, str):
        return ""
    text = "".join(" " if ch.isspace() else ch for ch in nickname if ch.isspace() or ch.isprintable())
    return " ".join(text.split())[:NICKNAME_MAX].strip()


def card_id(item: int, stop: int) -> str:
    """A card's id in a room: its lab's place in the playlist and its stop's, from 1 (as the presenter says)."""
    return f"{item + 1}.{stop + 1}"


def card_payload(card, whys: list[str], where: str, lab: str, stop: int) -> dict:
    """What the room keeps of a study.demo.Card: the options, the right one and where each wrong one comes from."""
    return {"question": card.question, "options": list(card.options), "correct": card.correct,
            "sources": list(card.sources), "whys": list(whys), "where": where, "lab": lab, "stop": stop}


@dataclass
class CardState:
    card: dict
    revealed: bool = False
    answers: dict[str, int] = field(default_factory=dict)

    def counts(self) -> list[int]:
        out = [0] * len(self.card["options"])
        for option in self.answers.values():
            out[option] += 1
        return out


class Room:
    def __init__(self, store: ClassStore, code: str, playlist: str, title: str, *,
                 max_students: int = MAX_STUDENTS, resumed: bool = False) -> None:
        self.store = store
        self.code = code
        self.playlist = playlist
        self.title = title
        self.max_students = max_students
        self.resumed = resumed
        self.students: dict[str, str] = {}
        self.cards: dict[str, CardState] = {}
        self.current: str | None = None  # the card on the projector
        self.last: str | None = None  # the card shown before, whose result students keep seeing
        self.scene: dict = {"text": "The class is about to start."}
        # Versions start anywhere, so a page that reconnects to a restarted room never mistakes the new room's
        # version for the one it last saw. public: what students see (a card opened, revealed, the scene moved
        # on); presenter: what the presenter sees (a join, an answer).
        self.public_version = secrets.randbelow(10**9)
        self.presenter_version = secrets.randbelow(10**9)
        self.listeners: list[Callable[[str], None]] = []
        self._lock = threading.RLock()

    @classmethod
    def open(cls, store: ClassStore, playlist: str, title: str, *, fresh: bool = False,
             max_students: int = MAX_STUDENTS) -> Room:
        """The playlist's unfinished room, resumed with its students and answers; or a new one."""
        code = None if fresh else store.open_room(playlist)
        if code is None:
            code = new_code(store.codes())
            store.create_room(code, playlist, title)
            return cls(store, code, playlist, title, max_students=max_students)
        room = cls(store, code, playlist, title, max_students=max_students, resumed=True)
        saved = store.room(code)
        room.scene = saved["scene"] or room.scene
        room.students = store.students(code)
        for card_id, card, revealed in store.cards(code):
            room.cards[card_id] = CardState(card, revealed, store.answers(code, card_id))
        return room

    # -- changes -------------------------------------------------------------------------------------------
    def _changed(self, *kinds: str) -> None:
        if "public" in kinds:
            self.public_version += 1
        self.presenter_version += 1
        for listener in list(self.listeners):
            for kind in kinds:
                listener(kind)

    def join(self, token: str | None, nickname: object = "") -> str:
        """The student's token: theirs again if they have joined before (a reload, a reconnect), else a new one."""
        nick = clean_nickname(nickname)
        with self._lock:
            if token is None or not TOKEN_RE.match(token):
                token = secrets.token_urlsafe(18)
            if token in self.students and not nick:
                return token
            if token not in self.students and len(self.students) >= self.max_students:
                raise Refused(503, f"the room is full ({self.max_students} students)")
            self.students[token] = nick
            self.store.add_student(self.code, token, nick)
        self._changed("presenter")
        return token

    def set_scene(self, scene: dict) -> None:
        with self._lock:
            if scene == self.scene:
                return
            self.scene = dict(scene)
            self.store.save_scene(self.code, self.scene)
        self._changed("public")

    def open_card(self, card_id: str, card: dict) -> None:
        """Put a card on the projector. A card shown before keeps its answers (and stays closed if revealed)."""
        with self._lock:
            if card_id not in self.cards:
                self.cards[card_id] = CardState(card)
                self.store.save_card(self.code, card_id, card)
            self.current = card_id
        self._changed("public")

    def close_card(self) -> None:
        with self._lock:
            if self.current is None:
                return
            self.last, self.current = self.current, None
        self._changed("public")

    def reveal(self) -> None:
        with self._lock:
            state = self.cards.get(self.current) if self.current else None
            if state is None or state.revealed:
                return
            state.revealed = True
            self.store.reveal_card(self.code, self.current)
        self._changed("public")

    def end(self) -> None:
        self.store.end_room(self.code)

    def answer(self, token: str | None, card_id: object, option: object) -> int:
        """Record (or change) a student's answer to the open card; returns how many have answered it."""
        with self._lock:
            if token is None or token not in self.students:
                raise Refused(403, "join the room first")
            state = self.cards.get(self.current) if self.current else None
            if state is None or card_id != self.current:
                raise Refused(409, "no card is open for answers now")
            if state.revealed:
                raise Refused(409, "this card has been revealed: answers are closed")
            if not isinstance(option, int) or isinstance(option, bool) or not 0 <= option < len(
                    state.card["options"]):
                raise Refused(400, f"option: expected 0..{len(state.card['options']) - 1}")
            if state.answers.get(token) == option:
                return len(state.answers)
            state.answers[token] = option
            self.store.save_answer(self.code, self.current, token, option)
            answered = len(state.answers)
        self._changed("presenter")
        return answered

    # -- views ---------------------------------------------------------------------------------------------
    def student_view(self, token: str | None) -> dict:
        with self._lock:
            joined = token is not None and token in self.students
            view: dict = {"room": self.code, "title": self.title, "scene": self.scene.get("text", ""),
                          "joined": joined, "nickname": self.students.get(token, "") if joined else "",
                          "version": self.public_version, "card": None}
            card_id = self.current or self.last
            state = self.cards.get(card_id) if card_id else None
            if state is None or (self.current is None and not state.revealed):
                return view
            card = state.card
            mine = state.answers.get(token) if joined else None
            shown = {"id": card_id, "question": card["question"], "options": card["options"],
                     "where": card.get("where", ""), "mine": mine,
                     "state": "revealed" if state.revealed else "open"}
            if state.revealed:
                correct = card["correct"]
                shown["correct"] = correct
                shown["right"] = None if mine is None else mine == correct
                whys = card.get("whys") or []
                explain = [f"{LETTERS[correct]}: {whys[correct]}"] if correct < len(whys) else []
                if mine is not None and mine != correct and mine < len(whys):
                    explain.append(f"{LETTERS[mine]}: {whys[mine]}")
                shown["explain"] = explain
            view["card"] = shown
            return view

    def presenter_view(self) -> dict:
        with self._lock:
            state = self.cards.get(self.current) if self.current else None
            return {"joined": len(self.students), "card": self.current,
                    "answered": len(state.answers) if state else 0,
                    "counts": state.counts() if state else [],
                    "revealed": bool(state and state.revealed), "version": self.presenter_version}

    def summary(self) -> list[dict]:
        """Per card shown, in order: how many answered, the share right, the most chosen wrong option and the
        misconception behind it."""
        rows = []
        with self._lock:
            for card_id, state in self.cards.items():
                card = state.card
                counts = state.counts()
                answered = sum(counts)
                correct = card["correct"]
                wrong = [(n, i) for i, n in enumerate(counts) if i != correct and n > 0]
                top = max(wrong, key=lambda w: (w[0], -w[1])) if wrong else None
                row = {"card": card_id, "lab": card.get("lab", ""), "stop": card.get("stop", 0) + 1,
                       "question": card["question"], "answered": answered, "right": counts[correct],
                       "share_right": round(counts[correct] / answered, 3) if answered else None,
                       "counts": counts, "correct": LETTERS[correct], "correct_text": card["options"][correct],
                       "top_wrong": LETTERS[top[1]] if top else "", "top_wrong_text":
                           card["options"][top[1]] if top else "", "top_wrong_count": top[0] if top else 0,
                       "misconception": card["sources"][top[1]] if top else "",
                       "why": _first_line(card.get("whys"), top[1]) if top else "",
                       "revealed": state.revealed}
                rows.append(row)
        return rows


def _first_line(whys: list[str] | None, index: int) -> str:
    """Where an option comes from, in words (the belief behind a misconception), without the reveal's mark."""
    if not whys or index >= len(whys):
        return ""
    return whys[index].splitlines()[0].removeprefix("✗ ").removeprefix("✓ ")


CSV_COLUMNS = ["card", "lab", "stop", "question", "answered", "right", "share_right", "A", "B", "C", "D",
               "correct", "correct_text", "top_wrong", "top_wrong_text", "top_wrong_count", "misconception", "why"]


def summary_csv(rows: list[dict]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for row in rows:
        counts = list(row["counts"]) + [""] * (4 - len(row["counts"]))
        writer.writerow([row["card"], row["lab"], row["stop"], row["question"], row["answered"], row["right"],
                         "" if row["share_right"] is None else row["share_right"], *counts, row["correct"],
                         row["correct_text"], row["top_wrong"], row["top_wrong_text"], row["top_wrong_count"],
                         row["misconception"], row["why"]])
    return out.getvalue()
