"""The run as written beside the what-if's run: a few outcome rows, the ones that differ highlighted."""

from __future__ import annotations

from collections import Counter

from rich.table import Table
from rich.text import Text
from textual.widget import Widget

from study.playback import short_target
from study.tui import palette


def outcome_rows(trace: dict | None, error: str | None = None) -> dict[str, str]:
    """What a room compares between two runs, as label -> text."""
    if trace is None:
        return {"outcome": f"refused: {error or 'the configuration is invalid'}"}
    summary = trace.get("summary") or {}
    rows = {
        "runs": str(summary.get("invocations", 0)),
        "errors": str(summary.get("errors", 0)),
        "last event at": f"{float(summary.get('end') or 0):g} s",
    }
    inputs = trace.get("inputs") or {}
    if len(inputs) <= 3:
        for iid, info in inputs.items():
            rows[iid] = str(info.get("final"))
    else:
        finals = Counter(str(info.get("final")) for info in inputs.values())
        rows[f"{len(inputs)} inputs"] = " · ".join(f"{word} {n}" for word, n in sorted(finals.items()))
    lost = ignored_failures(trace)
    if lost:
        rows["reported failed, deleted anyway"] = " ".join(lost) + " (silently lost)"
    sinks = Counter(short_target(d.get("target", "?")) + f" ({d.get('kind')})" for d in trace.get("deliveries") or [])
    rows["delivered to"] = " · ".join(f"{name} ×{n}" for name, n in sorted(sinks.items())) or "nothing"
    return rows


def ignored_failures(trace: dict) -> list[str]:
    """Inputs a handler reported in batchItemFailures while the mapping does not read that report
    (ReportBatchItemFailures off): the run counts as a success, so they are deleted unprocessed."""
    types = (trace.get("trigger") or {}).get("FunctionResponseTypes")
    if types is None or "ReportBatchItemFailures" in (types or []):
        return []
    lost: list[str] = []
    for inv in trace.get("invocations") or []:
        response = inv.get("response")
        if inv.get("status") != "success" or not isinstance(response, dict):
            continue
        failed = {f.get("itemIdentifier") for f in response.get("batchItemFailures") or [] if isinstance(f, dict)}
        records = ((inv.get("event") or {}).get("Records") or []) if isinstance(inv.get("event"), dict) else []
        for iid, record in zip(inv.get("inputs") or [], records):
            ident = record.get("messageId") or (record.get("kinesis") or {}).get("sequenceNumber") or (
                record.get("dynamodb") or {}).get("SequenceNumber")
            if ident in failed and iid not in lost:
                lost.append(iid)
    return lost


class DemoCompare(Widget):
    DEFAULT_CSS = """
    DemoCompare { height: auto; width: 1fr; padding: 0 1; border: heavy $secondary; background: $background; }
    """

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.original: dict[str, str] = {}
        self.variant: dict[str, str] = {}
        self.label = ""

    def show(self, original: dict[str, str], variant: dict[str, str], label: str) -> None:
        self.original, self.variant, self.label = original, variant, label
        self.refresh(layout=True)

    def differs(self) -> bool:
        return self.original != self.variant

    def render(self) -> Table:
        st = palette.styles(self.app)
        table = Table.grid(padding=(0, 3), expand=True)
        table.add_column(style=st["label"], no_wrap=True, ratio=1)
        table.add_column(ratio=2)
        table.add_column(ratio=2)
        table.add_row("", Text("as written", style=st["label"]), Text(f"what-if: {self.label}", style=st["accent"]))
        for key in dict.fromkeys([*self.original, *self.variant]):
            a, b = self.original.get(key, "—"), self.variant.get(key, "—")
            changed = a != b
            table.add_row(key, Text(a), Text(b + ("  ◀ changed" if changed else ""),
                                             style=st["accent"] if changed else ""))
        return table
