"""Reviews due per day for the coming weeks, as a bar plot (textual-plotext)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from textual_plotext import PlotextPlot


class StatsForecast(PlotextPlot):
    DEFAULT_CSS = """
    StatsForecast { height: 1fr; min-height: 10; }
    """

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.days: list[tuple[date, int]] = []

    def show(self, days: Sequence[tuple[date, int]]) -> None:
        """`days`: (day, reviews due) from study.learning.store.Store.forecast, today first."""
        self.days = list(days)
        plt = self.plt
        plt.clear_data()
        plt.clear_figure()
        if not self.days:
            self.refresh()
            return
        xs = list(range(len(self.days)))
        counts = [n for _d, n in self.days]
        plt.bar(xs, counts, width=0.6)
        step = 7 if len(xs) > 10 else 1
        ticks = xs[::step]
        plt.xticks(ticks, ["today" if i == 0 else self.days[i][0].strftime("%b %d") for i in ticks])
        top = max(counts) if counts else 0
        ystep = max(1, -(-top // 4))
        plt.yticks(list(range(0, top + ystep, ystep)))
        plt.title("reviews due per day")
        self.refresh()
