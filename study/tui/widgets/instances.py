"""Execution environments: each one cold (starting), running a batch, or idle and warm; many become counts."""

from __future__ import annotations

from rich.text import Text
from textual.widget import Widget

from study import playback as pm
from study.tui import palette

LABEL = 12


class Instances(Widget):
    DEFAULT_CSS = """
    Instances { height: 1; width: 1fr; }
    """

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.view = None

    def show(self, view) -> None:
        self.view = view
        self.refresh()

    def render(self) -> Text:
        st = palette.styles(self.app)
        v = self.view
        out = Text(no_wrap=True, overflow="ellipsis")
        out.append(f"{'functions':<{LABEL}}", style=st["label"])
        if v is None:
            return out
        live = [(inst, env) for inst, env in v.envs.items() if env[0] != pm.ENV_GONE]
        width = self.size.width - LABEL
        chips = []
        for inst, (state, n, inputs, cold) in sorted(live):
            if state == pm.ENV_BUSY:
                what = f"#{n} " + (" ".join(inputs[:3]) + ("…" if len(inputs) > 3 else "")) if inputs else f"#{n}"
                chips.append((f"λ{inst} ▶ {what}{' ❄' if cold else ''}", st["busy"]))
            elif state == pm.ENV_INIT:
                chips.append((f"λ{inst} ❄ init", st["cold"]))
            else:
                chips.append((f"λ{inst} idle", st["idle"]))
        need = sum(len(c) + 1 for c, _ in chips)
        if need <= width and not v.aggregated:
            for text, style in chips:
                out.append(text, style=style)
                out.append(" ")
            if not chips:
                out.append("no execution environment yet", style=st["muted"])
            gone = v.env_counts[pm.ENV_GONE]
            if gone:
                out.append(f" {gone} expired", style=st["muted"])
            return out
        c = v.env_counts
        n_live = len(live) if not v.aggregated else sum(c) - c[pm.ENV_GONE]
        out.append(f"{n_live:,} environments: ", style=st["label"])
        out.append(f" ▶ {c[pm.ENV_BUSY]:,} running ", style=st["busy"])
        out.append(" ")
        out.append(f" {c[pm.ENV_IDLE]:,} idle ", style=st["idle"])
        out.append(" ")
        out.append(f" ❄ {c[pm.ENV_INIT]:,} starting ", style=st["cold"])
        out.append(f"  cold starts {v.cold_starts:,}", style=st["muted"])
        return out
