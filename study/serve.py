"""`study serve`: the app in the room's browsers (textual-serve). Every visitor gets an app process of their own,
with a progress store of their own in a fresh directory, never the instructor's."""

from __future__ import annotations

import ipaddress
import os
import shlex
import sys
import tempfile

LOOPBACK_NAMES = {"localhost", "ip6-localhost"}


def is_loopback(host: str) -> bool:
    if host in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def visitor_command() -> str:
    return f"{shlex.quote(sys.executable)} -m study --visitor"


def start_visitor_home() -> str:
    """Called in each visitor's process: a private STUDY_HOME, so nobody shares a progress store."""
    home = tempfile.mkdtemp(prefix="study-visitor-")
    os.environ["STUDY_HOME"] = home
    return home


def serve(host: str, port: int, public_url: str | None) -> int:
    from textual_serve.server import Server

    if not is_loopback(host):
        print(f"study serve: warning: listening on {host}, not loopback: anyone who can reach this machine on port "
              f"{port} can open the app. Use --host 127.0.0.1 to keep it local.", file=sys.stderr)
    url = public_url or f"http://{host}:{port}"
    print(f"study serve: open {url} (add ?fontsize=24 for a projector); Ctrl+C stops", file=sys.stderr)
    server = Server(visitor_command(), host=host, port=port, title="Lambda study", public_url=public_url)
    server.serve()
    return 0
