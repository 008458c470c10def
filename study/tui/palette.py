"""Colours and symbols for record states, taken from the active Textual theme so chips follow the theme."""

from __future__ import annotations

from study import playback as pm

SYMBOLS = {
    pm.UNSEEN: " ", pm.WAITING: "·", pm.IN_FLIGHT: "▶", pm.RETRY: "↻", pm.SUCCEEDED: "✓", pm.FAILED: "✗",
    pm.DEAD: "☠", pm.DROPPED: "∅", pm.FILTERED: "-", pm.COALESCED: "≈", pm.THROTTLED: "‖", pm.ENDED: "·",
}
LEGEND_ORDER = (pm.WAITING, pm.IN_FLIGHT, pm.RETRY, pm.THROTTLED, pm.SUCCEEDED, pm.FAILED, pm.DEAD, pm.DROPPED,
                pm.FILTERED, pm.COALESCED)
_cache: dict[str, dict] = {}


def _solid(value: str | None, fallback: str) -> str:
    if not value or not value.startswith("#"):
        return fallback
    return value[:7]


def styles(app) -> dict:
    """State -> Rich style string, plus a few named roles (muted, cursor, predicted, diverged)."""
    key = str(getattr(app, "theme", "")) + ("/dark" if getattr(app.current_theme, "dark", True) else "/light")
    cached = _cache.get(key)
    if cached is not None:
        return cached
    v = app.get_css_variables()
    fg = _solid(v.get("foreground"), "#e0e0e0")
    bg = _solid(v.get("background"), "#121212")
    primary = _solid(v.get("primary"), "#0178d4")
    warning = _solid(v.get("warning"), "#fea62b")
    error = _solid(v.get("error"), "#b93c5b")
    success = _solid(v.get("success"), "#4ebf71")
    accent = _solid(v.get("accent"), "#fea62b")
    muted = _solid(v.get("surface"), "#1e1e1e")
    out = {
        pm.UNSEEN: f"{fg} on {muted}",
        pm.WAITING: f"{fg} on {_solid(v.get('primary-muted'), primary)}",
        pm.IN_FLIGHT: f"bold {bg} on {warning}",
        pm.RETRY: f"bold {warning} on {_solid(v.get('warning-muted'), muted)}",
        pm.SUCCEEDED: f"{success} on {_solid(v.get('success-muted'), muted)}",
        pm.FAILED: f"bold {fg} on {error}",
        pm.DEAD: f"bold {fg} on {_solid(v.get('error-muted'), error)}",
        pm.DROPPED: f"strike {fg} on {muted}",
        pm.FILTERED: f"dim {fg} on {muted}",
        pm.COALESCED: f"dim {fg} on {muted}",
        pm.THROTTLED: f"bold {bg} on {accent}",
        pm.ENDED: f"{fg} on {muted}",
        "muted": f"dim {fg}",
        "label": f"bold {fg}",
        "primary": primary,
        "warning": warning,
        "error": f"bold {error}",
        "success": success,
        "accent": f"bold {accent}",
        "cursor": f"bold {bg} on {primary}",
        "cold": f"bold {fg} on {primary}",
        "busy": f"bold {bg} on {warning}",
        "idle": f"{success} on {_solid(v.get('success-muted'), muted)}",
        "gone": f"dim {fg} on {muted}",
    }
    _cache[key] = out
    return out


def chip(text, state: int, st: dict) -> tuple[str, str]:
    """A record as a chip: its id and a state symbol (readable without colour too)."""
    return f" {text}{SYMBOLS.get(state, '')}", st.get(state, "")
