"""`study serve` starts, answers HTTP on loopback, and stops; visitors get private stores."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request

from study.serve import is_loopback, visitor_command


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


def test_loopback_detection_and_visitor_command() -> None:
    assert is_loopback("127.0.0.1") and is_loopback("localhost") and is_loopback("::1")
    assert not is_loopback("0.0.0.0") and not is_loopback("192.0.2.10")
    assert visitor_command().endswith("-m study --visitor")


def test_each_visitor_gets_a_private_study_home() -> None:
    code = "import os, study.serve as s; s.start_visitor_home(); print(os.environ['STUDY_HOME'])"
    homes = {subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            env={**os.environ, "STUDY_HOME": "/instructor"}).stdout.strip() for _ in range(2)}
    assert len(homes) == 2 and "/instructor" not in homes
