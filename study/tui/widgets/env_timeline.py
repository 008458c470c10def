"""The run timeline: one lane per execution environment (λ1, λ2, …), each run a bar from its start to its end
coloured by outcome, a retry or redelivery joined to the run it repeats by a dotted link, and the playhead.
When everything happens at one instant, the axis counts steps instead of seconds and says so."""

from __future__ import annotations

from bisect import bisect_left
from dataclasses import dataclass

from rich.text import Text
from textual.widget import Widget

from study.tui import palette

GUTTER = 8  # matches TimelineBar, so the two axes line up
CHART_ROWS = 3  # rows of the runs-at-once chart (eight levels a row)
CHART_FROM = 256  # environments from which the lanes give way to the chart (a mapping scaling to hundreds)
BARS = " ▁▂▃▄▅▆▇█"


@dataclass(frozen=True)
class Run:
    n: int
    lane: int  # the environment (instance number)
    start: float
    end: float
    start_pos: int  # timeline index of invoke_start (0-based)
    end_pos: int  # timeline index of invoke_end, or the last index when it never ends
    status: str
    repeats: int | None  # n of the earlier run this one retries or redelivers


def runs_of(entries: list[dict]) -> list[Run]:
    """Every run in the timeline, in start order, with the earlier run it repeats (same input seen before)."""
    starts: dict[int, tuple[int, dict]] = {}
    ends: dict[int, tuple[int, dict]] = {}
    for i, e in enumerate(entries):
        if e["kind"] == "invoke_start":
            starts[e["n"]] = (i, e)
        elif e["kind"] == "invoke_end":
            ends[e["n"]] = (i, e)
    last_run_of: dict[str, int] = {}
    out: list[Run] = []
    for n, (i, e) in sorted(starts.items(), key=lambda kv: kv[1][0]):
        j, end = ends.get(n, (len(entries) - 1, {"t": entries[-1]["t"], "status": "running"}))
        repeats = None
        for iid in e.get("inputs") or []:
            if iid in last_run_of:
                repeats = last_run_of[iid] if repeats is None else max(repeats, last_run_of[iid])
        for iid in e.get("inputs") or []:
            last_run_of[iid] = n
        out.append(Run(n, int(e.get("instance") or 0), float(e["t"]), float(end["t"]), i, j,
                       str(end.get("status", "running")), repeats))
    return out


class EnvTimeline(Widget):
    DEFAULT_CSS = """
    EnvTimeline { height: auto; width: 1fr; }
    """

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.model = None
        self.runs: list[Run] = []
        self.lanes: list[int] = []
        self.pos = 0
        self.max_lanes = 4

    def set_model(self, model) -> None:
        self.model = model
        self._series: dict[int, dict] = {}
        # An aggregated run has no run list (its entries are a sample): it is drawn as counts over time.
        self.runs = runs_of(model.entries) if not model.aggregated else []
        self.lanes = sorted({r.lane for r in self.runs})
        self.starts = [r.start_pos for r in self.runs]
        self.by_n = {r.n: r for r in self.runs}
        self.by_lane: dict[int, list[Run]] = {}
        for r in self.runs:
            self.by_lane.setdefault(r.lane, []).append(r)
        self.lane_starts = {lane: [r.start_pos for r in rs] for lane, rs in self.by_lane.items()}
        self._cols: dict[int, dict[int, tuple[int, int]]] = {}  # width -> run n -> (start, end) columns
        self.refresh(layout=True)

    def show(self, pos: int) -> None:
        if pos != self.pos:
            self.pos = pos
            self.refresh()

    def _shown_lanes(self) -> tuple[list[int], int]:
        limit = self.max_lanes if self.app.size.height < 40 else 3 * self.max_lanes
        if len(self.lanes) <= limit:
            return self.lanes, 0
        return self.lanes[:limit - 1], len(self.lanes) - (limit - 1)

    def _aggregate(self) -> bool:
        """Far too many environments to draw one lane each (or an aggregated run): a chart of runs at once."""
        return self.model is not None and (self.model.aggregated or len(self.lanes) > CHART_FROM)

    def get_content_height(self, container, viewport, width: int) -> int:
        if self.model is not None and self._aggregate():
            return CHART_ROWS + 2
        if self.model is None or not self.runs:
            return 1
        shown, more = self._shown_lanes()
        return len(shown) + (1 if more else 0) + 1

    def _col(self, t: float, pos: int, width: int) -> int:
        return self.model.column(t, pos + 1, width)

    def render(self) -> Text:
        st = palette.styles(self.app)
        if self.model is None:
            return Text("")
        if self._aggregate():
            return self._chart(st)
        if not self.runs:
            return Text("runs".ljust(GUTTER) + "no run yet: nothing invoked the function", style=st["muted"])
        width = max(10, self.size.width - GUTTER)
        shown, more = self._shown_lanes()
        rows = [[(" ", "")] * width for _ in shown]
        colour = {"success": st["success"], "error": st["error"], "timeout": st["error"],
                  "partial": st["accent"], "running": st["label"]}
        pos = self.pos
        cols = self._cols.setdefault(width, {})
        started = bisect_left(self.starts, pos)
        shown_started = 0
        now_col = self._col(self.model.time_at(pos), pos - 1, width) if pos else 0

        def span(r: Run) -> tuple[int, int, bool]:
            """A started run's start and end columns (its end is the playhead while it runs)."""
            finished = r.end_pos < pos
            got = cols.get(r.n) if finished else None
            if got is None:
                c0 = self._col(r.start, r.start_pos, width)
                got = (c0, max(c0, self._col(r.end, r.end_pos, width) if finished else now_col))
                if finished:
                    cols[r.n] = got
            return got[0], got[1], finished

        # Only the shown lanes' runs are drawn (a run's columns are computed once per width).
        for k, lane in enumerate(shown):
            lane_runs = self.by_lane.get(lane, [])
            n_started = bisect_left(self.lane_starts.get(lane, []), pos)
            shown_started += n_started
            row = rows[k]
            for r in lane_runs[:n_started]:
                c0, c1, finished = span(r)
                if r.repeats is not None:
                    # The dotted link from the end of the run this one repeats to this run's start (drawn on
                    # this run's lane; the ↻ at its start marks it as a repeat wherever the earlier run was).
                    e0 = span(self.by_n[r.repeats])[1]
                    for c in range(e0 + 1, c0):
                        if row[c][0] == " ":
                            row[c] = ("┄", st["accent"])
                style = colour.get(r.status if finished else "running", st["label"])
                row[c0:c1 + 1] = [("█" if finished else "▒", style)] * (c1 + 1 - c0)
                if c1 > c0:
                    row[c0] = ("▐", style)  # where one run ends and the next begins stays visible
                if r.repeats is not None:
                    row[c0] = ("↻", f"bold {style}")
        hidden_runs = started - shown_started
        head = self._col(self.model.time_at(pos), max(0, pos - 1), width) if pos else 0
        out = Text(no_wrap=True, overflow="crop")
        for k, lane in enumerate(shown):
            if k:
                out.append("\n")
            out.append(f"λ{lane}".ljust(GUTTER), style=st["label"])
            for c, (ch, style) in enumerate(rows[k]):
                if c == head and ch == " ":
                    ch, style = "│", st["muted"]
                out.append(ch, style=style)
        if more:
            out.append("\n")
            out.append(f"+{more} more environments" + (f" ({hidden_runs} runs so far)" if hidden_runs else ""),
                       style=st["muted"])
        out.append("\n")
        out.append(" " * GUTTER)
        for word, style in (("█ ok", st["success"]), ("█ error", st["error"]), ("█ partial", st["accent"]),
                            ("▒ running", st["label"])):
            out.append(word, style=style)
            out.append(" ")
        out.append("↻┄ repeat", style=st["accent"])
        if self.model.by_step:
            out.append("  axis = steps, all at t = 0", style=st["muted"])
        return out

    # -- many environments: counts over time -----------------------------------------------------------------

    def _chart(self, st: dict) -> Text:
        """Runs going at once over time (up to the playhead) as a block chart, the backlog as a sparkline when the
        run is aggregated, and a line of figures."""
        model = self.model
        width = max(10, self.size.width - GUTTER)
        series = self._series.get(width)
        if series is None:
            series = self._series[width] = model.series(width)
        running = series["running"]
        pos = self.pos
        head = self._col(model.time_at(pos), max(0, pos - 1), width) if pos else -1
        top = max(running) or 1
        out = Text(no_wrap=True, overflow="crop")
        levels = CHART_ROWS * (len(BARS) - 1)
        for row in range(CHART_ROWS - 1, -1, -1):
            label = "running" if row == CHART_ROWS - 1 else ""
            out.append(label.ljust(GUTTER), style=st["label"])
            cells = []
            for c in range(head + 1):
                v = running[c]
                level = 0 if not v else max(1, round(v / top * levels))
                cells.append(BARS[max(0, min(len(BARS) - 1, level - row * (len(BARS) - 1)))])
            out.append("".join(cells), style=st["primary"])
            if head + 1 < width:
                out.append("│" if head >= 0 else " ", style=st["muted"])
            out.append("\n")
        backlog = series.get("backlog")
        out.append("backlog".ljust(GUTTER), style=st["label"])
        if backlog is not None:
            most = max(backlog) or 1
            out.append("".join(BARS[0 if not b else max(1, round(b / most * (len(BARS) - 1)))]
                               for b in backlog[:head + 1]), style=st["warning"])
        else:
            out.append("(one lane per environment is too many to draw: runs at once above)", style=st["muted"])
        out.append("\n")
        view = model.view() if model.aggregated else None
        now = view.running if view is not None else None
        words = [f"most at once {top:,}"]
        if now is not None:
            words.append(f"now {now:,}")
        if model.aggregated:
            words.append(f"one column = {max(model.end, 0) / width:,.1f} s, counts per slice of "
                         f"{model.slice_s:g} s")
        else:
            words.append(f"{len(self.lanes):,} environments")
        out.append(" " * GUTTER + " · ".join(words), style=st["muted"])
        return out
