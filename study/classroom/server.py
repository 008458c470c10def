"""The room's HTTP side (aiohttp): the students' page, their long-polled state, joins and answers, and a
presenter API guarded by a secret key (for a headless room, as the benchmark runs one).

Safe by default: every call names the room code; request bodies are small and bounded; each student (and each
address, for joins) has a token bucket; the page loads nothing from anywhere but this server.
"""

from __future__ import annotations

import asyncio
import hmac
import secrets
import threading
import time
from collections.abc import Callable
from pathlib import Path

from aiohttp import web

from study.classroom.room import Refused, Room, normal_code

COOKIE = "study_class"
COOKIE_MAX_AGE = 7 * 24 * 3600
MAX_BODY = 2048  # bytes: a join or an answer is a few dozen
POLL_SECONDS = 20.0  # a long poll answers at the latest after this, so a dead connection is noticed
PAGE = Path(__file__).with_name("page.html")
PAGE_HEADERS = {
    "Cache-Control": "no-store",
    # Nothing from other origins: the page works in a room without internet, and nothing else can be injected.
    "Content-Security-Policy": "default-src 'self'; script-src 'self' 'unsafe-inline'; "
                               "style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}


class Buckets:
    """Token buckets per key (a student's token, or an address for joins): `rate` per second, `burst` at once."""

    def __init__(self, rate: float, burst: float, clock: Callable[[], float] = time.monotonic,
                 max_keys: int = 20_000) -> None:
        self.rate, self.burst, self.clock, self.max_keys = rate, burst, clock, max_keys
        self.state: dict[str, tuple[float, float]] = {}

    def allow(self, key: str) -> bool:
        now = self.clock()
        tokens, last = self.state.get(key, (self.burst, now))
        tokens = min(self.burst, tokens + (now - last) * self.rate)
        if len(self.state) >= self.max_keys and key not in self.state:
            # Forget buckets that have refilled: they hold nothing a fresh bucket would not.
            full = [k for k, (t, at) in self.state.items() if t + (now - at) * self.rate >= self.burst]
            for k in full:
                del self.state[k]
            if len(self.state) >= self.max_keys:
                return False
        if tokens < 1:
            self.state[key] = (tokens, now)
            return False
        self.state[key] = (tokens - 1, now)
        return True


class ClassServer:
    """Serves one room. `card_source(item, stop)` -> (card id, card payload) lets the presenter API open cards
    by position (headless rooms); the TUI presenter calls the Room directly instead."""

    def __init__(self, room: Room, host: str = "127.0.0.1", port: int = 8000, *, presenter_key: str | None = None,
                 card_source: Callable[[int, int], tuple[str, dict]] | None = None,
                 poll_seconds: float = POLL_SECONDS, join_rate: float = 50.0, join_burst: float = 1000.0,
                 student_rate: float = 5.0, student_burst: float = 20.0) -> None:
        self.room = room
        self.host = host
        self.port = port
        self.presenter_key = presenter_key or secrets.token_urlsafe(24)
        self.card_source = card_source
        self.poll_seconds = poll_seconds
        self.joins = Buckets(join_rate, join_burst)
        self.calls = Buckets(student_rate, student_burst)
        self.page = PAGE.read_bytes()
        self.loop: asyncio.AbstractEventLoop | None = None
        self._events: dict[str, asyncio.Event] = {}
        self._runner: web.AppRunner | None = None
        self._thread: threading.Thread | None = None
        room.listeners.append(self._room_changed)

    # -- the app -------------------------------------------------------------------------------------------
    def make_app(self) -> web.Application:
        app = web.Application(client_max_size=MAX_BODY)
        app.add_routes([
            web.get("/", self.handle_page),
            web.get("/api/state", self.handle_state),
            web.post("/api/join", self.handle_join),
            web.post("/api/answer", self.handle_answer),
            web.get("/api/presenter", self.handle_presenter),
            web.post("/api/presenter/{action}", self.handle_presenter_action),
        ])
        return app

    async def start(self) -> None:
        """Bind and serve on the running loop (raises OSError if the port is taken)."""
        self.loop = asyncio.get_running_loop()
        self._events = {"public": asyncio.Event(), "presenter": asyncio.Event()}
        self._runner = web.AppRunner(self.make_app(), access_log=None, handle_signals=False,
                                     shutdown_timeout=1.0)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.host, self.port, reuse_address=True)
        await site.start()
        if self.port == 0:
            self.port = site._server.sockets[0].getsockname()[1]

    async def close(self) -> None:
        for event in self._events.values():
            event.set()  # long polls answer at once
        if self._runner is not None:
            await self._runner.cleanup()

    def start_in_thread(self) -> None:
        """Serve from a thread of its own (the presenter's screen keeps the main one); returns once bound."""
        ready = threading.Event()
        failure: list[BaseException] = []
        loop = asyncio.new_event_loop()

        def run() -> None:
            asyncio.set_event_loop(loop)
            try:
                loop.run_until_complete(self.start())
            except BaseException as err:  # reported to the caller below
                failure.append(err)
                ready.set()
                return
            ready.set()
            loop.run_forever()
            loop.run_until_complete(self.close())
            loop.close()

        self._thread = threading.Thread(target=run, name="class-server", daemon=True)
        self._thread.start()
        ready.wait(30)
        if failure:
            raise failure[0]

    def stop_thread(self) -> None:
        if self._thread is not None and self.loop is not None:
            self.loop.call_soon_threadsafe(self.loop.stop)
            self._thread.join(10)

    # -- waking long polls ---------------------------------------------------------------------------------
    def _room_changed(self, kind: str) -> None:
        loop = self.loop
        if loop is not None and not loop.is_closed():
            loop.call_soon_threadsafe(self._wake, kind)

    def _wake(self, kind: str) -> None:
        event = self._events.get(kind)
        if event is not None:
            event.set()
            self._events[kind] = asyncio.Event()

    async def _wait(self, kind: str, seen: int, current: Callable[[], int]) -> None:
        if seen != current():
            return
        event = self._events[kind]
        try:
            await asyncio.wait_for(event.wait(), self.poll_seconds)
        except TimeoutError:
            pass

    # -- helpers -------------------------------------------------------------------------------------------
    def _check_code(self, code: object) -> None:
        if not hmac.compare_digest(normal_code(code).encode(), self.room.code.encode()):
            raise Refused(403, "wrong room code")

    @staticmethod
    def _token(request: web.Request) -> str | None:
        return request.cookies.get(COOKIE)

    @staticmethod
    async def _body(request: web.Request) -> dict:
        try:
            data = await request.json()
        except web.HTTPRequestEntityTooLarge:
            raise Refused(413, f"request too large (at most {MAX_BODY} bytes)") from None
        except (ValueError, UnicodeDecodeError):
            raise Refused(400, "expected a JSON object") from None
        if not isinstance(data, dict):
            raise Refused(400, "expected a JSON object")
        return data

    @staticmethod
    def _refused(err: Refused) -> web.Response:
        return web.json_response({"error": err.message}, status=err.status)

    # -- students ------------------------------------------------------------------------------------------
    async def handle_page(self, request: web.Request) -> web.Response:
        return web.Response(body=self.page, content_type="text/html", charset="utf-8", headers=PAGE_HEADERS)

    async def handle_state(self, request: web.Request) -> web.Response:
        try:
            self._check_code(request.query.get("code"))
            token = self._token(request)
            if not self.calls.allow(token or request.remote or "?"):
                raise Refused(429, "too many requests: slow down")
            try:
                seen = int(request.query.get("v", "-1"))
            except ValueError:
                raise Refused(400, "v: expected a number") from None
        except Refused as err:
            return self._refused(err)
        await self._wait("public", seen, lambda: self.room.public_version)
        return web.json_response(self.room.student_view(token), headers={"Cache-Control": "no-store"})

    async def handle_join(self, request: web.Request) -> web.Response:
        try:
            if not self.joins.allow(request.remote or "?"):
                raise Refused(429, "too many joins from this address: wait a moment")
            data = await self._body(request)
            self._check_code(data.get("code"))
            token = self.room.join(self._token(request), data.get("nickname", ""))
        except Refused as err:
            return self._refused(err)
        response = web.json_response(self.room.student_view(token))
        response.set_cookie(COOKIE, token, max_age=COOKIE_MAX_AGE, httponly=True, samesite="Strict", path="/")
        return response

    async def handle_answer(self, request: web.Request) -> web.Response:
        token = self._token(request)
        try:
            if not self.calls.allow(token or request.remote or "?"):
                raise Refused(429, "too many requests: slow down")
            data = await self._body(request)
            self._check_code(data.get("code"))
            answered = self.room.answer(token, data.get("card"), data.get("option"))
        except Refused as err:
            return self._refused(err)
        return web.json_response({"answered": answered, "view": self.room.student_view(token)})

    # -- the presenter (headless rooms, the benchmark) -----------------------------------------------------
    def _check_presenter(self, request: web.Request) -> None:
        key = request.headers.get("X-Presenter-Key", "")
        if not hmac.compare_digest(key.encode(), self.presenter_key.encode()):
            raise Refused(403, "presenter key required")

    async def handle_presenter(self, request: web.Request) -> web.Response:
        try:
            self._check_presenter(request)
            seen = int(request.query.get("v", "-1"))
        except Refused as err:
            return self._refused(err)
        except ValueError:
            return self._refused(Refused(400, "v: expected a number"))
        await self._wait("presenter", seen, lambda: self.room.presenter_version)
        return web.json_response(self.room.presenter_view())

    async def handle_presenter_action(self, request: web.Request) -> web.Response:
        try:
            self._check_presenter(request)
            data = await self._body(request)
            action = request.match_info["action"]
            if action == "open":
                if self.card_source is None:
                    raise Refused(404, "this room opens cards from the presenter's screen")
                try:
                    card_id, card = self.card_source(int(data["item"]), int(data["stop"]))
                except (KeyError, ValueError, TypeError, IndexError):
                    raise Refused(400, "open: expected {item, stop} of the playlist") from None
                self.room.open_card(card_id, card)
            elif action == "reveal":
                self.room.reveal()
            elif action == "close":
                self.room.close_card()
            elif action == "scene":
                self.room.set_scene({"text": str(data.get("text", ""))[:500]})
            elif action == "summary":
                return web.json_response(self.room.summary())
            else:
                raise Refused(404, f"{action}: not a presenter action")
        except Refused as err:
            return self._refused(err)
        return web.json_response(self.room.presenter_view())
