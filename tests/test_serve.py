"""`study serve` starts, answers HTTP on loopback, and stops; visitors get private stores."""

from __future__ import annotations

import asyncio
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import textual_serve

from study.classroom.network import is_loopback
from study.learning.store import FILE_NAME, Store
from study.serve import forget_abandoned, page_template, visitor_command


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_serve_answers_http_on_loopback_and_stops() -> None:
    port = _free_port()
    proc = subprocess.Popen([sys.executable, "-m", "study", "serve", "--port", str(port)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        body = None
        for _ in range(200):  # bounded: at most ~20 s for the server to come up
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/?fontsize=28", timeout=1) as resp:
                    assert resp.status == 200
                    body = resp.read().decode()
                    break
            except OSError:
                if proc.poll() is not None:
                    break
                time.sleep(0.1)
        assert body is not None, proc.stderr.read() if proc.poll() is not None else "server did not answer"
        assert "Lambda study" in body
        assert "28" in body  # the projector font size reaches the page
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    assert proc.returncode is not None


def test_loopback_detection_and_visitor_command(tmp_path) -> None:
    assert is_loopback("127.0.0.1") and is_loopback("localhost") and is_loopback("::1")
    assert not is_loopback("0.0.0.0") and not is_loopback("192.0.2.10")
    assert visitor_command(tmp_path / "v").endswith(f"-m study --visitor-home {tmp_path / 'v'}")


def test_a_visitor_process_uses_the_home_it_is_given(tmp_path) -> None:
    code = "import os, study.serve as s; s.start_visitor_home(os.environ['V']); print(os.environ['STUDY_HOME'])"
    home = tmp_path / "visitors" / ("a" * 24)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         env={**os.environ, "STUDY_HOME": "/instructor", "V": str(home)}).stdout.strip()
    assert out == str(home) and home.is_dir()


def test_abandoned_visitor_stores_are_removed_after_the_configured_age(tmp_path) -> None:
    root = tmp_path / "visitors"
    old, recent = root / ("o" * 24), root / ("r" * 24)
    for home in (old, recent):
        (home / "progress.sqlite3").parent.mkdir(parents=True)
        (home / "progress.sqlite3").write_bytes(b"")
    stray = root / "not-a-visitor"  # anything else in the folder is left alone
    stray.mkdir()
    now = time.time()
    os.utime(old, (now - 15 * 86400, now - 15 * 86400))
    os.utime(recent, (now - 2 * 86400, now - 2 * 86400))
    os.utime(stray, (now - 99 * 86400, now - 99 * 86400))
    assert forget_abandoned(root, 14, now) == [old]
    assert not old.exists() and recent.exists() and stray.exists()
    assert forget_abandoned(root, 1, now) == [recent]


def test_the_page_loads_nothing_from_the_internet_and_takes_keys_without_a_click() -> None:
    original = (Path(textual_serve.__file__).parent / "templates" / "app_index.html").read_text()
    assert "fonts.googleapis.com" in original  # what the fix is for
    page = page_template(original)
    assert "googleapis" not in page
    assert not re.findall(r'(?:src|href)="https?://', page)
    assert "RobotoMono-VariableFont_wght.ttf" in page  # the font from the server's own static files
    assert ".xterm-helper-textarea" in page and "focus(" in page


def _visitor_homes(root: Path) -> list[str]:
    """The --visitor-home of every running process started for a visitor under `root`."""
    homes = []
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            args = (proc / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if b"--visitor-home" in args:
            home = args[args.index(b"--visitor-home") + 1].decode()
            if home.startswith(str(root)):
                homes.append(home)
    return homes


def test_a_visitor_keeps_their_progress_store_across_a_reload(tmp_path) -> None:
    import aiohttp

    port = _free_port()
    home = tmp_path / "instructor"
    root = home / "visitors"
    proc = subprocess.Popen([sys.executable, "-m", "study", "serve", "--port", str(port)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env={**os.environ, "STUDY_HOME": str(home)})

    async def visit(session) -> str:
        """Open the page's websocket as the browser does; returns the visitor home its app process was given."""
        async with session.ws_connect(f"http://127.0.0.1:{port}/ws?width=80&height=24") as ws:
            await ws.send_json(["resize", {"width": 80, "height": 24}])
            deadline = time.monotonic() + 30
            homes: list[str] = []
            while time.monotonic() < deadline and not homes:  # bounded: the app process starts
                try:
                    await ws.receive(timeout=0.5)
                except TimeoutError:
                    pass
                homes = _visitor_homes(root)
            assert len(homes) == 1, homes
            return homes[0]

    async def run() -> tuple[str, str, str]:
        base = f"http://127.0.0.1:{port}/"
        for _ in range(200):  # bounded: at most ~20 s for the server to come up
            try:
                with urllib.request.urlopen(base, timeout=1):
                    break
            except OSError:
                assert proc.poll() is None, proc.stderr.read()
                await asyncio.sleep(0.1)
        jar = aiohttp.CookieJar(unsafe=True)
        async with aiohttp.ClientSession(cookie_jar=jar) as browser:
            async with browser.get(base) as resp:
                assert resp.status == 200 and "study_visitor" in resp.cookies
                page = await resp.text()
            assert "googleapis" not in page
            first = await visit(browser)
            # What practice in that app saves: an answer in the progress store of the visitor's home.
            with Store(Path(first) / FILE_NAME) as store:
                store.record_answer("q-serve-test", ["invoke.sync"], True, 3.0)
            for _ in range(100):  # the app process ends with its page
                if not _visitor_homes(root):
                    break
                await asyncio.sleep(0.1)
            async with browser.get(base) as resp:  # a reload keeps the cookie: no new token is set
                assert "study_visitor" not in resp.cookies
            again = await visit(browser)
        async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as other:
            async with other.get(base):
                pass
            for _ in range(100):
                if not _visitor_homes(root):
                    break
                await asyncio.sleep(0.1)
            somebody_else = await visit(other)
        return first, again, somebody_else

    try:
        first, again, somebody_else = asyncio.run(run())
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    # The reload's app process opens the same home, so the same progress store with the answer in it.
    assert first == again
    with Store(Path(again) / FILE_NAME) as store:
        assert [a.question_id for a in store.answers()] == ["q-serve-test"]
    assert somebody_else != first and Path(somebody_else).parent == root
