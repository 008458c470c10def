"""Rich renderings of a trace and a price for the terminal (`study sim`, `study price`)."""

from __future__ import annotations

from collections import Counter

from rich.console import Console
from rich.table import Table
from rich.text import Text

STATUS_STYLE = {"success": "green", "error": "red", "timeout": "red", "partial": "yellow", "running": "cyan"}
FINAL_STYLE = {"succeeded": "green", "failed": "red", "dead_lettered": "magenta", "dropped": "red",
               "filtered": "dim", "coalesced": "dim", "pending": "cyan"}
MAX_ROWS = 400


def _t(x: float | None) -> str:
    return "-" if x is None else f"{x:,.3f}".rstrip("0").rstrip(".") + "s"


def _ids(ids: list[str], limit: int = 8) -> str:
    if len(ids) <= limit:
        return ", ".join(ids)
    return ", ".join(ids[:limit]) + f" … (+{len(ids) - limit})"


def print_trace(trace: dict, console: Console | None = None) -> None:
    console = console or Console()
    s = trace["summary"]
    t = trace["trigger"]
    console.print(Text(trace["title"], style="bold"))
    console.print(f"[dim]trigger[/] {t['type']}   [dim]profile[/] {trace['profile']}   [dim]seed[/] {trace['seed']}"
                  + (f"   [dim]section[/] {trace['section']}" if trace.get("section") else ""))
    invs = trace["invocations"]
    table = Table(title="Invocations", show_lines=False, header_style="bold")
    table.add_column("#", justify="right")
    table.add_column("start", justify="right")
    table.add_column("end", justify="right")
    table.add_column("inputs")
    table.add_column("try", justify="right")
    table.add_column("env", justify="right")
    table.add_column("outcome")
    for inv in invs[:MAX_ROWS]:
        outcome = Text(inv["status"], style=STATUS_STYLE.get(inv["status"], ""))
        if inv.get("error") and isinstance(inv["error"], dict):
            outcome.append(f" {inv['error'].get('errorType', '')}", style="dim")
        env = f"{inv['instance']}{'*' if inv['cold_start'] else ''}"
        batch = _ids(inv["inputs"])
        if inv.get("shard"):
            batch = f"[dim]{inv['shard'][-3:]}[/] {batch}"
        table.add_row(str(inv["n"]), _t(inv["start"]), _t(inv["end"]), batch, str(inv["attempt"]), env, outcome)
    if len(invs) > MAX_ROWS:
        table.caption = f"first {MAX_ROWS} of {len(invs)} invocations (use --json for all)"
    else:
        table.caption = "env: execution environment, * = cold start"
    console.print(table)

    if trace["deliveries"]:
        d = Table(title="Deliveries", header_style="bold")
        d.add_column("t", justify="right")
        d.add_column("kind")
        d.add_column("target")
        d.add_column("inputs")
        d.add_column("what")
        for entry in trace["deliveries"][:MAX_ROWS]:
            msg = entry["message"]
            what = ""
            if isinstance(msg, dict):
                ctx = msg.get("requestContext") or (msg.get("detail") or {}).get("requestContext") or {}
                if ctx:
                    what = f"{ctx.get('condition')} · approximateInvokeCount {ctx.get('approximateInvokeCount')}"
                elif "messageId" in msg:
                    what = f"message, receive count {msg.get('attributes', {}).get('ApproximateReceiveCount')}"
            if entry.get("attributes"):
                a = entry["attributes"]
                name = "ERROR_CODE" if entry["kind"] == "target_dlq" else "ErrorCode"  # EventBridge's or Lambda's
                what = f"event as-is · {name} {a.get(name)}"
            d.add_row(_t(entry["t"]), entry["kind"], entry["target"].split(":")[-1], _ids(entry["inputs"]), what)
        console.print(d)

    if trace["http"]:
        h = Table(title="Responses to the caller", header_style="bold")
        h.add_column("input")
        h.add_column("status", justify="right")
        h.add_column("headers")
        h.add_column("body")
        for entry in trace["http"]:
            body = entry["body"] if len(entry["body"]) < 60 else entry["body"][:57] + "..."
            h.add_row(entry["input"], str(entry["status"]), ", ".join(f"{k}: {v}" for k, v in entry["headers"].items()),
                      body)
        console.print(h)

    inputs = trace["inputs"]
    f = Table(title="Where every input ended", header_style="bold")
    f.add_column("input")
    f.add_column("final")
    f.add_column("at", justify="right")
    f.add_column("runs", justify="right")
    f.add_column("receives", justify="right")
    f.add_column("targets")
    for iid, st in list(inputs.items())[:MAX_ROWS]:
        f.add_row(iid, Text(st["final"], style=FINAL_STYLE.get(st["final"], "")), _t(st["at"]), str(st["attempts"]),
                  "-" if st["receive_count"] is None else str(st["receive_count"]),
                  ", ".join(x.split(":")[-1] for x in st["targets"]))
    if len(inputs) > MAX_ROWS:
        f.caption = f"first {MAX_ROWS} of {len(inputs)} inputs"
    console.print(f)
    finals = Counter(v["final"] for v in inputs.values())
    console.print(
        f"[bold]{s['invocations']}[/] invocations · {s['errors']} errors · {s['throttles']} throttles · "
        f"max concurrency {s['max_concurrency']} · {s['gb_seconds']:.6g} GB-s · ${s['cost_usd']:.8f} (no free tier) · "
        f"ended at {_t(s['end'])} ({s['stopped_by']})")
    console.print("  ".join(f"[{FINAL_STYLE.get(k, '')}]{k}[/] {v}" for k, v in sorted(finals.items())))


def print_price(cost, console: Console | None = None) -> None:
    console = console or Console()
    t = Table(title="A month of Lambda (x86, us-east-1, with the free tier)", header_style="bold")
    t.add_column("")
    t.add_column("amount", justify="right")
    t.add_column("cost", justify="right")
    t.add_row("requests", f"{cost.requests:,} ({cost.billable_requests:,} after 1,000,000 free)",
              f"${cost.requests_usd:,.2f}")
    t.add_row("compute", f"{cost.gb_seconds:,.2f} GB-s ({cost.billable_gb_seconds:,.2f} after 400,000 free)",
              f"${cost.compute_usd:,.2f}")
    t.add_row("[bold]total[/]", "", f"[bold]${cost.total_usd:,.2f}[/]")
    t.caption = (f"{cost.memory_mb} MB = {cost.memory_mb / 1024:g} GB · each call billed {cost.billed_ms} ms "
                 "(rounded up to 1 ms) · $0.20 per 1M requests · $0.0000166667 per GB-s")
    console.print(t)


def print_challenge_result(challenge, result, console: Console | None = None) -> None:
    """A graded challenge (`study code ID --file`): each scenario's checks, what went wrong and the rule."""
    console = console or Console(highlight=False)
    n, total = result.score
    head = Text(f"{challenge.id}: ", style="bold")
    head.append("passed" if result.passed else "not yet", style="green bold" if result.passed else "red bold")
    head.append(f"  {n}/{total} checks")
    console.print(head)
    for run in result.runs:
        title = Text(f"\n{run.name}", style="bold")
        title.append(" (hidden scenario)" if run.hidden else "", style="dim")
        console.print(title)
        for err in run.errors[:3]:
            console.print(Text(f"  your function: {err}", style="yellow"))
        for check in run.checks:
            line = Text("  ✓ " if check.passed else "  ✗ ", style="green" if check.passed else "red")
            line.append(check.name)
            if check.rule:
                line.append(f"  [{check.rule}]", style="dim")
            console.print(line)
            if not check.passed:
                console.print(Text(f"      {check.detail}", style="red"))
                if check.inputs:
                    console.print(Text(f"      inputs that ended wrong: {_ids(check.inputs)}", style="dim"))
    if not result.passed:
        console.print(Text(f"\nstudy code {challenge.id} --solution shows the model solution; F3 in the app's Code "
                           "screen too.", style="dim"))
