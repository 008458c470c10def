"""`study serve`: the app in the room's browsers (textual-serve). Every visitor gets an app process of their own,
with a progress store of their own, never the instructor's.

A visitor is known by a random token in a cookie, so a reload (or the page's Restart) opens their own store again;
stores nobody has opened for `--forget-after` days are removed. The page is our own template: the terminal font
comes from textual-serve's own static files (nothing is fetched from the internet) and the terminal takes keys
as soon as it appears, without a click.
"""

from __future__ import annotations

import asyncio
import logging
import os
import re
import secrets
import shlex
import shutil
import sys
import time
from pathlib import Path

from study.classroom.network import join_host, warn_if_public

COOKIE = "study_visitor"
TOKEN_RE = re.compile(r"^[A-Za-z0-9_-]{16,64}$")
VISITORS_DIR = "visitors"
FORGET_AFTER_DAYS = 14.0
SWEEP_SECONDS = 3600.0
# What our page adds to textual-serve's: the terminal font from the server's own static files (a classroom may
# have no internet), and a script that gives the terminal the keyboard without a click.
FONT_FACES = """<style>
      @font-face { font-family: "Roboto Mono"; font-style: normal; font-weight: 100 700;
        src: url("{{ config.static.url }}fonts/RobotoMono-VariableFont_wght.ttf") format("truetype"); }
      @font-face { font-family: "Roboto Mono"; font-style: italic; font-weight: 100 700;
        src: url("{{ config.static.url }}fonts/RobotoMono-Italic-VariableFont_wght.ttf") format("truetype"); }
    </style>"""
FOCUS_SCRIPT = """<script>
      // Keys reach the app without a click: focus the terminal's input as soon as it exists, and again
      // whenever the page gets the focus back (a reload, another tab).
      function studyFocusTerminal() {
        const input = document.querySelector(".xterm-helper-textarea");
        if (input && document.activeElement !== input) input.focus({ preventScroll: true });
        return !!input;
      }
      window.addEventListener("load", () => {
        let tries = 0;
        const timer = setInterval(() => {
          const ready = studyFocusTerminal() && document.body.classList.contains("-first-byte");
          if (ready || ++tries > 300) clearInterval(timer);
        }, 100);
      });
      window.addEventListener("focus", studyFocusTerminal);
      document.addEventListener("visibilitychange", () => { if (!document.hidden) studyFocusTerminal(); });
    </script>
  </head>"""
EXTERNAL_LINK = re.compile(r"<link[^>]*href=\"https?://[^\"]*\"[^>]*/?>", re.S)
log = logging.getLogger("study.serve")


def visitor_command(home: Path) -> str:
    return f"{shlex.quote(sys.executable)} -m study --visitor-home {shlex.quote(str(home))}"


def start_visitor_home(home: str) -> str:
    """Called in each visitor's process: their own STUDY_HOME, so nobody shares a progress store."""
    Path(home).mkdir(parents=True, exist_ok=True)
    os.environ["STUDY_HOME"] = home
    return home


def visitors_root() -> Path:
    from study import paths

    return paths.user_data_dir() / VISITORS_DIR


def visitor_home(root: Path, token: str) -> Path:
    if not TOKEN_RE.match(token):
        raise ValueError("not a visitor token")
    return root / token


def forget_abandoned(root: Path, max_age_days: float, now: float | None = None) -> list[Path]:
    """Remove the stores of visitors not seen for `max_age_days` (their directory's time is touched on every
    visit). Returns what was removed."""
    now = time.time() if now is None else now
    removed = []
    if not root.is_dir():
        return removed
    for home in root.iterdir():
        if not home.is_dir() or not TOKEN_RE.match(home.name):
            continue
        try:
            age_days = (now - home.stat().st_mtime) / 86400
        except OSError:
            continue
        if age_days > max_age_days:
            shutil.rmtree(home, ignore_errors=True)
            removed.append(home)
    return removed


def page_template(original: str) -> str:
    """textual-serve's page with every stylesheet from another site replaced by our local font, and the focus
    script. Refuses a template that would still load anything from the internet."""
    page = EXTERNAL_LINK.sub(FONT_FACES, original)
    page = page.replace("</head>", FOCUS_SCRIPT, 1)
    leftover = re.findall(r"(?:src|href)=\"(https?://[^\"]*)\"", page)
    if leftover:
        raise RuntimeError(f"the textual-serve page still loads {leftover}: study/serve.py needs updating")
    return page


def make_server(host: str, port: int, public_url: str | None, root: Path, forget_after_days: float):
    import aiohttp_jinja2
    from aiohttp import web
    from textual_serve.app_service import AppService
    from textual_serve.server import Server, to_int

    class VisitorServer(Server):
        """textual-serve's server with our page and a progress store per visitor token."""

        async def _make_app(self) -> web.Application:
            import jinja2

            app = await super()._make_app()
            original = (self.templates_path / "app_index.html").read_text(encoding="utf-8")
            aiohttp_jinja2.setup(app, loader=jinja2.DictLoader({"app_index.html": page_template(original)}))
            return app

        async def on_startup(self, app: web.Application) -> None:
            removed = forget_abandoned(root, forget_after_days)
            if removed:
                log.info("removed %d visitor stores unused for %g days", len(removed), forget_after_days)
            app["sweeper"] = asyncio.get_running_loop().create_task(self._sweep())
            self.console.print(f"Serving the app on {self.public_url}; visitors' stores in {root}")

        async def on_shutdown(self, app: web.Application) -> None:
            app["sweeper"].cancel()

        async def _sweep(self) -> None:
            while True:
                await asyncio.sleep(SWEEP_SECONDS)
                forget_abandoned(root, forget_after_days)

        async def handle_index(self, request: web.Request) -> web.StreamResponse:
            response = await super().handle_index(request)
            if not TOKEN_RE.match(request.cookies.get(COOKIE, "")):
                response.set_cookie(COOKIE, secrets.token_urlsafe(18), max_age=int(forget_after_days * 86400),
                                    httponly=True, samesite="Strict", path="/")
            return response

        async def handle_websocket(self, request: web.Request) -> web.WebSocketResponse:
            token = request.cookies.get(COOKIE, "")
            if not TOKEN_RE.match(token):
                token = secrets.token_urlsafe(18)  # cookies refused: a store for this visit only
            home = visitor_home(root, token)
            home.mkdir(parents=True, exist_ok=True)
            os.utime(home)  # seen today: not abandoned
            websocket = web.WebSocketResponse(heartbeat=15)
            width = to_int(request.query.get("width", "80"), 80)
            height = to_int(request.query.get("height", "24"), 24)
            app_service: AppService | None = None
            try:
                await websocket.prepare(request)
                app_service = AppService(visitor_command(home), write_bytes=websocket.send_bytes,
                                         write_str=websocket.send_str, close=websocket.close,
                                         download_manager=self.download_manager, debug=self.debug)
                await app_service.start(width, height)
                await self._process_messages(websocket, app_service)
            except asyncio.CancelledError:
                await websocket.close()
            except Exception as error:  # one visitor's broken connection must not stop the server
                log.exception(error)
            finally:
                if app_service is not None:
                    await app_service.stop()
            return websocket

    return VisitorServer("study (one app per visitor)", host=host, port=port, title="Lambda study",
                         public_url=public_url)


def serve(host: str, port: int, public_url: str | None, forget_after_days: float = FORGET_AFTER_DAYS) -> int:
    warn_if_public("study serve", host, port)
    url = public_url or f"http://{join_host(host)}:{port}"
    print(f"study serve: open {url} (add ?fontsize=24 for a projector); Ctrl+C stops", file=sys.stderr)
    server = make_server(host, port, public_url, visitors_root(), forget_after_days)
    server.serve()
    return 0
