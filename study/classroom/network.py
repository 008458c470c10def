"""Where a server listens and the address to give people: shared by the browser face (`study serve`) and the
live classroom (`study class`), which both warn before listening beyond this machine."""

from __future__ import annotations

import ipaddress
import socket
import sys

LOOPBACK_NAMES = {"localhost", "ip6-localhost"}


def is_loopback(host: str) -> bool:
    if host in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def warn_if_public(prog: str, host: str, port: int) -> None:
    if not is_loopback(host):
        print(f"{prog}: warning: listening on {host}, not loopback: anyone who can reach this machine on port "
              f"{port} can open it. Use --host 127.0.0.1 to keep it local.", file=sys.stderr)


def join_host(host: str) -> str:
    """The host to print in an address. Listening on every interface: this machine's first address that is not
    loopback, as its own name resolves (no traffic is sent), else its name; --public-url overrides both."""
    if host in ("0.0.0.0", "::", ""):
        name = socket.gethostname()
        try:
            infos = socket.getaddrinfo(name, None, socket.AF_INET)
        except OSError:
            return name
        addresses = [info[4][0] for info in infos if not ipaddress.ip_address(info[4][0]).is_loopback]
        return addresses[0] if addresses else name
    return f"[{host}]" if ":" in host else host
