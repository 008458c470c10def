"""A student's side of a room, for the terminal (`study join URL CODE`): the same HTTP calls the page makes, with
the student's token kept in a file (the page keeps it in a cookie), so a restarted `study join` is the same
student with the same answers."""

from __future__ import annotations

import json
import os
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

from study.classroom.server import COOKIE, POLL_SECONDS

TOKENS_FILE = "class-tokens.json"


class ClassError(Exception):
    """The room said no (wrong code, no open card...) or cannot be reached; the message is for the student."""

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.status = status


def origin(url: str) -> str:
    parts = urllib.parse.urlsplit(url if "://" in url else f"http://{url}")
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ClassError(f"{url!r} is not an address such as http://10.0.0.5:8000")
    return f"{parts.scheme}://{parts.netloc}"


class TokenFile:
    """Tokens by server origin, in the learner's data directory (readable by its owner only)."""

    def __init__(self, path: Path | None = None) -> None:
        if path is None:
            from study import paths

            path = paths.user_data_dir() / TOKENS_FILE
        self.path = path

    def _all(self) -> dict:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        return data if isinstance(data, dict) else {}

    def get(self, key: str) -> str | None:
        token = self._all().get(key)
        return token if isinstance(token, str) else None

    def put(self, key: str, token: str) -> None:
        data = self._all()
        if data.get(key) == token:
            return
        data[key] = token
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_suffix(".tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            json.dump(data, f, indent=1)
        os.replace(tmp, self.path)


class ClassClient:
    def __init__(self, url: str, code: str, tokens: TokenFile | None = None) -> None:
        self.base = origin(url)
        self.code = code.strip().upper()
        self.tokens = tokens or TokenFile()
        self.token = self.tokens.get(self.base)

    def _call(self, path: str, body: dict | None = None, timeout: float = 10.0) -> dict:
        data = None if body is None else json.dumps(body).encode()
        headers = {"Content-Type": "application/json"} if data is not None else {}
        if self.token:
            headers["Cookie"] = f"{COOKIE}={self.token}"
        request = urllib.request.Request(self.base + path, data=data, headers=headers)
        try:
            with urllib.request.urlopen(request, timeout=timeout) as resp:
                self._keep_token(resp.headers.get_all("Set-Cookie") or [])
                return json.loads(resp.read())
        except urllib.error.HTTPError as err:
            try:
                message = json.loads(err.read()).get("error", "")
            except ValueError:
                message = ""
            raise ClassError(message or f"the server answered {err.code}", err.code) from None
        except (urllib.error.URLError, OSError, ValueError) as err:
            reason = getattr(err, "reason", err)
            raise ClassError(f"cannot reach the class at {self.base} ({reason})") from None

    def _keep_token(self, cookies: list[str]) -> None:
        for header in cookies:
            name, _, rest = header.partition("=")
            if name.strip() == COOKIE:
                token = rest.split(";", 1)[0].strip()
                if token:
                    self.token = token
                    self.tokens.put(self.base, token)

    def join(self, nickname: str = "") -> dict:
        return self._call("/api/join", {"code": self.code, "nickname": nickname})

    def state(self, version: int = -1) -> dict:
        query = urllib.parse.urlencode({"code": self.code, "v": version})
        return self._call(f"/api/state?{query}", timeout=POLL_SECONDS + 10)

    def answer(self, card: str, option: int) -> dict:
        return self._call("/api/answer", {"code": self.code, "card": card, "option": option})["view"]
