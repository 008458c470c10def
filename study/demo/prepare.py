"""What the presenter screen shows of one playlist lab, prepared off the UI thread: the lab run, its playback,
where each stop freezes, the cards and their reasons, and the what-if's run beside it."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from study import lab as lm
from study.demo.cards import card_whys, make_card, stop_index
from study.demo.playlist import DemoItem, apply_whatif
from study.playback import PlaybackModel, short_target


@dataclass
class Variant:
    """The what-if's run: its trace, playback and where each stop freezes in it."""

    trace: dict | None
    model: Any
    positions: list[int]
    error: str | None = None


@dataclass
class ItemRun:
    lab: Any  # study.lab.Lab
    trace: dict | None
    model: Any  # PlaybackModel
    positions: list[int]  # stop -> timeline entries played at the freeze
    cards: list[Any]  # study.demo.cards.Card per stop
    whys: list[list[str]]  # per stop, per option: where the option comes from
    setup: Any
    error: str | None = None
    variant: Variant | None = None
    rows: dict[str, str] = field(default_factory=dict)


def prepare_item(item: DemoItem) -> ItemRun:
    """Run the lab, place its stops, build its cards (pure work; called from a worker thread)."""
    lab = lm.load_lab(item.lab_path)
    outcome = lm.run_lab(lab)
    trace = outcome.trace
    model = PlaybackModel(trace) if trace is not None else None
    positions = [stop_index(trace, s) for s in item.stops] if trace is not None else []
    cards = [make_card(item.lab_path, s) for s in item.stops]
    whys = [card_whys(card) for card in cards]
    return ItemRun(lab=lab, trace=trace, model=model, positions=positions, cards=cards, whys=whys,
                   setup=lm.describe_setup(lab), error=outcome.error, rows=outcome_rows(trace, outcome.error))


def prepare_variant(item: DemoItem) -> Variant:
    """Run the lab with the playlist's what-if and place its stops in that run (called from a worker thread)."""
    from study.sim.errors import ScenarioError
    from study.sim.run import simulate

    try:
        trace = simulate(apply_whatif(item.lab_path, item.whatif))
    except ScenarioError as err:
        return Variant(None, None, [], str(err))
    return Variant(trace, PlaybackModel(trace), [stop_index(trace, s) for s in item.stops])


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
    from study.sim.batch_response import failed_item_ids

    lost: list[str] = []
    for inv in trace.get("invocations") or []:
        if inv.get("status") != "success":
            continue
        records = ((inv.get("event") or {}).get("Records") or []) if isinstance(inv.get("event"), dict) else []
        idents = [record.get("messageId") or (record.get("kinesis") or {}).get("sequenceNumber")
                  or (record.get("dynamodb") or {}).get("SequenceNumber") for record in records]
        failed = failed_item_ids(inv.get("response"), idents) or []  # read as the mapping would have read it
        for iid, ident in zip(inv.get("inputs") or [], idents):
            if ident in failed and iid not in lost:
                lost.append(iid)
    return lost
