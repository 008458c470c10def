"""The live classroom's room and HTTP side, driven over loopback as students' pages would (urllib with a cookie
jar per student). Every server here binds 127.0.0.1 on a free port and is stopped by the test."""

from __future__ import annotations

import csv
import io
import json
import urllib.error
import urllib.request
from http.cookiejar import CookieJar

import pytest

from study.classroom.room import CODE_ALPHABET, CODE_LENGTH, Room, card_payload, summary_csv
from study.classroom.server import ClassServer
from study.classroom.store import ClassStore
from study.demo import Card


@pytest.fixture(autouse=True)
def _private_home(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("STUDY_HOME", str(tmp_path / "home"))


def _card(question: str = "How many runs?", correct: int = 2) -> dict:
    card = Card(question=question, options=["1", "2", "3", "4"], correct=correct,
                sources=["near number", "stream-skips-failed-batch", "truth", "lab option"])
    whys = ["✗ a nearby number", "✗ the belief: skipped", "✓ what the emulator does", "✗ another outcome"]
    return card_payload(card, whys, "Stop 1 of 2 · lab · playlist", "lab-x", 0)


class Student:
    """One browser: its own cookie jar, so its token travels as the page's cookie would."""

    def __init__(self, base: str, code: str) -> None:
        self.base, self.code = base, code
        self.jar = CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))

    def call(self, path: str, body: dict | None = None) -> tuple[int, dict]:
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(self.base + path, data=data,
                                     headers={"Content-Type": "application/json"} if data else {})
        try:
            with self.opener.open(req, timeout=5) as resp:
                return resp.status, json.loads(resp.read())
        except urllib.error.HTTPError as err:
            return err.code, json.loads(err.read() or b"{}")

    def join(self, code: str | None = None, nickname: str = "") -> tuple[int, dict]:
        return self.call("/api/join", {"code": code or self.code, "nickname": nickname})

    def state(self, version: int = -1, code: str | None = None) -> tuple[int, dict]:
        # v=-1 never equals the room's version, so the long poll answers at once.
        return self.call(f"/api/state?code={code or self.code}&v={version}")

    def answer(self, card: str, option: int, code: str | None = None) -> tuple[int, dict]:
        return self.call("/api/answer", {"code": code or self.code, "card": card, "option": option})

    def token(self) -> str | None:
        return next((c.value for c in self.jar if c.name == "study_class"), None)


@pytest.fixture
def room_server(tmp_path):
    store = ClassStore(tmp_path / "class.sqlite3")
    room = Room.open(store, "demo-playlist", "A demo playlist")
    server = ClassServer(room, "127.0.0.1", 0, poll_seconds=0.5)
    server.start_in_thread()
    yield room, server, f"http://127.0.0.1:{server.port}"
    server.stop_thread()
    store.close()


def test_room_code_is_six_characters_of_the_alphabet(room_server) -> None:
    room, _, _ = room_server
    assert len(room.code) == CODE_LENGTH and set(room.code) <= set(CODE_ALPHABET)


def test_joining_with_a_wrong_code_is_refused(room_server) -> None:
    room, _, base = room_server
    wrong = "".join(ch for ch in CODE_ALPHABET if ch not in room.code)[:6].ljust(6, "2")
    if wrong == room.code:
        wrong = wrong[::-1]
    student = Student(base, room.code)
    status, body = student.join(code=wrong)
    assert status == 403 and body["error"] == "wrong room code"
    assert student.token() is None and room.students == {}
    assert student.state(code=wrong)[0] == 403
    assert student.call("/api/join", {"code": ""})[0] == 403
    assert student.call("/api/join", {"nickname": "no code"})[0] == 403
    # the right code, in any case, is accepted
    status, body = student.join(code=room.code.lower())
    assert status == 200 and body["joined"] and len(room.students) == 1


def test_an_answer_outside_an_open_card_is_refused(room_server) -> None:
    room, _, base = room_server
    student = Student(base, room.code)
    student.join()
    status, body = student.answer("1.1", 0)
    assert status == 409 and "no card is open" in body["error"]
    room.open_card("1.1", _card())
    assert student.answer("1.2", 0)[0] == 409  # not the open card
    assert student.answer("1.1", 7)[0] == 400  # not an option
    assert student.answer("1.1", 1)[0] == 200
    room.reveal()
    status, body = student.answer("1.1", 2)
    assert status == 409 and "revealed" in body["error"]
    room.close_card()
    assert student.answer("1.1", 2)[0] == 409
    assert room.cards["1.1"].answers == {student.token(): 1}
    # a student who never joined cannot answer either
    room.open_card("1.2", _card())
    assert Student(base, room.code).answer("1.2", 0)[0] == 403


def test_one_answer_per_student_per_card(room_server) -> None:
    room, _, base = room_server
    a, b = Student(base, room.code), Student(base, room.code)
    a.join(nickname="Ada")
    b.join()
    room.open_card("1.1", _card())
    a.answer("1.1", 0)
    a.answer("1.1", 3)  # a change of mind replaces the first answer
    status, body = a.answer("1.1", 3)
    assert status == 200 and body["answered"] == 1
    b.answer("1.1", 2)
    assert room.presenter_view()["counts"] == [0, 0, 1, 1]
    assert room.store.answers(room.code, "1.1") == {a.token(): 3, b.token(): 2}


def test_the_distribution_stays_hidden_from_students_until_the_reveal(room_server) -> None:
    room, _, base = room_server
    students = [Student(base, room.code) for _ in range(3)]
    for s in students:
        s.join()
    room.open_card("1.1", _card(correct=2))
    for s, option in zip(students, (0, 2, 2)):
        s.answer("1.1", option)
    status, view = students[0].state()
    card = view["card"]
    assert card["state"] == "open" and card["mine"] == 0
    assert "correct" not in card and "explain" not in card and "right" not in card
    text = json.dumps(view)
    assert "counts" not in text and "answered" not in text and "truth" not in text and "✓" not in text
    room.reveal()
    card = students[0].state()[1]["card"]
    assert card["state"] == "revealed" and card["correct"] == 2 and card["right"] is False
    assert card["explain"][0].startswith("C: ✓") and card["explain"][1].startswith("A: ✗")
    assert students[1].state()[1]["card"]["right"] is True
    # still no other student's answers after the reveal: only one's own
    assert "counts" not in json.dumps(students[1].state()[1])


def test_a_reload_keeps_the_students_identity(room_server) -> None:
    room, _, base = room_server
    student = Student(base, room.code)
    student.join(nickname="Grace")
    token = student.token()
    room.open_card("1.1", _card())
    student.answer("1.1", 1)
    # A reload: the page asks for the state with the cookie it has; it is still in the room, with its answer.
    status, view = student.state()
    assert status == 200 and view["joined"] and view["nickname"] == "Grace" and view["card"]["mine"] == 1
    # Joining again (a second tab, the join form) keeps the same token and does not count twice.
    student.join()
    assert student.token() == token and len(room.students) == 1 and room.students[token] == "Grace"
    # A browser without the cookie is somebody else.
    other = Student(base, room.code)
    assert other.state()[1]["joined"] is False
    other.join()
    assert other.token() != token and len(room.students) == 2


def test_a_presenter_restart_resumes_the_room(tmp_path) -> None:
    path = tmp_path / "class.sqlite3"
    store = ClassStore(path)
    room = Room.open(store, "demo-playlist", "A demo playlist")
    server = ClassServer(room, "127.0.0.1", 0, poll_seconds=0.5)
    server.start_in_thread()
    student = Student(f"http://127.0.0.1:{server.port}", room.code)
    student.join(nickname="Lin")
    room.set_scene({"text": "Lab 1 of 3 · stop 1"})
    room.open_card("1.1", _card())
    student.answer("1.1", 2)
    room.reveal()
    code = room.code
    server.stop_thread()
    store.close()

    store = ClassStore(path)
    again = Room.open(store, "demo-playlist", "A demo playlist")
    assert again.resumed and again.code == code
    assert again.scene["text"] == "Lab 1 of 3 · stop 1"
    assert list(again.students.values()) == ["Lin"]
    assert again.cards["1.1"].answers == {student.token(): 2} and again.cards["1.1"].revealed
    server = ClassServer(again, "127.0.0.1", 0, poll_seconds=0.5)
    server.start_in_thread()
    try:
        student.base = f"http://127.0.0.1:{server.port}"  # the page reconnects (same origin in a real class)
        status, view = student.state()
        assert status == 200 and view["joined"] and view["nickname"] == "Lin"
        again.open_card("1.1", _card())  # the presenter reaches the stop again: the revealed card stays closed
        assert student.state()[1]["card"]["right"] is True
        assert student.answer("1.1", 0)[0] == 409
        # another playlist, or --fresh, gets a room of its own
        assert Room.open(store, "other", "Other").code != code
        assert Room.open(store, "demo-playlist", "A demo playlist", fresh=True).code != code
    finally:
        server.stop_thread()
        store.close()


def test_the_summary_csv_matches_the_answers_given(room_server) -> None:
    room, _, base = room_server
    students = [Student(base, room.code) for _ in range(5)]
    for s in students:
        s.join()
    given = {"1.1": [2, 2, 1, 1, 1], "1.2": [0, 0, 0, 3]}  # the 5th student skips card 1.2
    for card_id, options in given.items():
        room.open_card(card_id, _card(f"question {card_id}", correct=2 if card_id == "1.1" else 0))
        for s, option in zip(students, options):
            assert s.answer(card_id, option)[0] == 200
        room.reveal()
        room.close_card()
    rows = list(csv.DictReader(io.StringIO(summary_csv(room.summary()))))
    assert [r["card"] for r in rows] == ["1.1", "1.2"]
    first, second = rows
    assert (first["A"], first["B"], first["C"], first["D"]) == ("0", "3", "2", "0")
    assert first["answered"] == "5" and first["right"] == "2" and float(first["share_right"]) == 0.4
    assert first["top_wrong"] == "B" and first["top_wrong_count"] == "3"
    assert first["misconception"] == "stream-skips-failed-batch" and first["why"] == "the belief: skipped"
    assert second["answered"] == "4" and second["right"] == "3" and float(second["share_right"]) == 0.75
    assert second["top_wrong"] == "D" and second["misconception"] == "lab option"
    assert second["why"] == "another outcome"
    assert second["question"] == "question 1.2"


def test_requests_are_bounded(room_server) -> None:
    room, server, base = room_server
    student = Student(base, room.code)
    status, _ = student.call("/api/join", {"code": room.code, "nickname": "x" * 5000})
    assert status == 413  # bodies over 2 KiB are refused before they are read
    status, body = student.join(nickname="  a\x00very\tlong  nickname that goes on and on  ")
    assert status == 200 and room.students[student.token()] == "avery long nickname that"
    room.open_card("1.1", _card())
    codes = [student.answer("1.1", i % 4)[0] for i in range(40)]
    assert codes.count(429) > 0 and codes[0] == 200  # a burst of 20, then 5 a second
    assert Student(base, room.code).call("/api/presenter/reveal", {})[0] == 403  # the presenter API wants its key


def test_page_loads_nothing_from_elsewhere(room_server) -> None:
    _, _, base = room_server
    with urllib.request.urlopen(base + "/", timeout=5) as resp:
        page = resp.read().decode()
        csp = resp.headers["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "connect-src 'self'" in csp
    assert "http://" not in page and "https://" not in page and "//fonts" not in page
    assert 'name="viewport"' in page


def test_study_class_export_writes_the_rooms_summary(tmp_path, capsys) -> None:
    from study.cli import main

    store = ClassStore()  # the learner's data directory (STUDY_HOME, private to this test)
    room = Room.open(store, "stream-poison-record", "A poison record")
    tokens = [room.join(None) for _ in range(3)]
    room.open_card("1.1", _card())
    for token, option in zip(tokens, (2, 2, 0)):
        room.answer(token, "1.1", option)
    room.reveal()
    out = tmp_path / "summary.csv"
    assert main(["class", "stream-poison-record", "--export", str(out)]) == 0
    assert out.read_text() == summary_csv(room.summary())
    assert "How many runs?,3,2,0.667,1,0,2,0,C" in out.read_text()
    room.end()
    assert main(["class", "stream-poison-record", "--export", str(out)]) == 2  # an ended room is not resumed
    assert "no open room" in capsys.readouterr().err
    store.close()


def test_a_full_room_refuses_newcomers_but_not_returning_students(tmp_path) -> None:
    from study.classroom.room import Refused

    store = ClassStore(tmp_path / "class.sqlite3")
    room = Room.open(store, "p", "P", max_students=2)
    first = room.join(None)
    room.join(None)
    with pytest.raises(Refused) as refused:
        room.join(None)
    assert refused.value.status == 503
    assert room.join(first, "back again") == first and len(room.students) == 2
    store.close()


def test_a_corrupt_classroom_database_is_moved_aside_and_a_fresh_one_started(tmp_path) -> None:
    path = tmp_path / "class.sqlite3"
    path.write_bytes(b"this is not a database" * 100)
    store = ClassStore(path)
    assert store.message and "moved to" in store.message
    assert len(list(tmp_path.glob("class.sqlite3.corrupt-*"))) == 1
    room = Room.open(store, "p", "P")
    assert room.join(None) in store.students(room.code)
    store.close()
