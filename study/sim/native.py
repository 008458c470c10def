"""The C renderer of study.sim.group_trace (study/sim/_bulktext.c), where the install built it (hatch_build.py).

A missing or stale build (its source digest differs from the .c file beside it) means the Python renderer: the
same bytes, slower. The digests come from the libcrypto that Python's hashlib has loaded where there is one (its
SHA-256 uses the CPU's SHA instructions), else from the portable C in the module.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

_loaded: object = None  # the module, False once it could not be used


def module():
    """study.sim._bulktext, built from the .c file beside it, or None."""
    global _loaded
    if _loaded is None:
        _loaded = _load() or False
    return _loaded or None


def _load():
    try:
        from study.sim import _bulktext
    except ImportError:
        return None
    if not current(_bulktext, Path(__file__).with_name("_bulktext.c")):
        return None  # built from another version of the source: reinstall to rebuild it
    _bulktext.use_libcrypto(libcrypto())
    return _bulktext


def current(built, source: Path) -> bool:
    """Whether a built module comes from this source file (a wheel without the source: yes)."""
    if not source.exists():
        return True
    return getattr(built, "source", None) == hashlib.sha256(source.read_bytes()).hexdigest()


def libcrypto() -> str | None:
    """The path of the libcrypto this process has loaded for hashlib (Linux), or None."""
    try:
        import _hashlib  # noqa: F401  (loads libcrypto)

        with open("/proc/self/maps", encoding="utf-8", errors="replace") as maps:
            for line in maps:
                path = line.rstrip("\n").split(None, 5)[-1]
                if "/libcrypto.so" in path:
                    return path
    except (ImportError, OSError):
        pass
    return None


def renderer(tpl, segments, seed):
    """A `Render` of the C module with group_trace.PyRender's methods, or None where the module is not built."""
    mod = module()
    if mod is None:
        return None
    texts = (*tpl.arrive, *tpl.batch, *tpl.env[0], *tpl.env[1], *tpl.start, *tpl.end, *tpl.delete, *tpl.log,
             *tpl.invocation, *tpl.record, tpl.list_nl, tpl.event_head, tpl.event_sep, tpl.event_tail, f"{seed}|")
    segs = [(s.prefix, s.prefix_json, s.body_is_id, s.body_json, s.body_md5, s.sent) for s in segments]
    return mod.Render(texts, segs)
