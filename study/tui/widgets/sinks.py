"""Where things end up: the DLQ, the on-success and on-failure destinations, the queue's redrive DLQ,
or the caller for synchronous calls, each as a box that fills during playback."""

from __future__ import annotations

from rich.text import Text
from textual.widget import Widget

from study.playback import STREAMS, short_target
from study.tui import palette
from study.tui.widgets.now_line import labelled

LABEL = 12
KIND_WORDS = {"dlq": "DLQ", "on_failure": "OnFailure", "on_success": "OnSuccess", "redrive": "redrive DLQ",
              "target_dlq": "rule's DLQ",
              "http": "caller"}


class Sinks(Widget):
    DEFAULT_CSS = """
    Sinks { height: auto; width: 1fr; }
    """

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.view = None
        self.configured: list[tuple[str, str]] = []
        self.trigger_type = ""

    def set_targets(self, configured: list[tuple[str, str]], trigger_type: str = "") -> None:
        self.configured = configured
        self.trigger_type = trigger_type
        self.refresh()

    def show(self, view) -> None:
        self.view = view
        # Relayout only when what has arrived changes (the line may wrap onto more lines); not every frame.
        key = tuple((t, info[1]) for t, info in view.sinks.items()) if view is not None else ()
        self.refresh(layout=key != getattr(self, "_key", None))
        self._key = key

    def render(self):
        return labelled("ends up", self._text(), palette.styles(self.app), LABEL)

    def _text(self) -> Text:
        st = palette.styles(self.app)
        out = Text()  # wraps beside its label: every input that reached a target is listed
        v = self.view
        targets = list(self.configured)
        if v is not None:
            for target, info in v.sinks.items():
                if all(target != t for t, _ in targets):
                    targets.append((target, info[0]))
        if not targets:
            if self.trigger_type == "sqs":
                words = "no redrive policy: a failed message returns to the queue until it succeeds or expires"
            elif self.trigger_type in ("kinesis", "dynamodb"):
                words = "no on-failure destination: a discarded batch is lost"
            else:
                words = "no DLQ or destination: a failed event is lost"
            out.append(words, style=st["muted"])
            return out
        for target, kind in targets:
            info = v.sinks.get(target) if v is not None else None
            count = info[1] if info else 0
            name = "caller" if target == "client" else short_target(target)
            word = KIND_WORDS.get(kind, kind)
            style = st["muted"]
            if count:
                style = st["success"] if kind in ("on_success", "http") else st["error"]
            out.append(f"▕{word} {name}" if kind != "http" else "▕caller", style=st["label"])
            if info and kind == "http":
                out.append(f" {count} · last HTTP {info[3]}", style=style)
            else:
                ids = info[2] if info else ()
                last = " ".join(ids) + (f" +{count - len(ids)} more" if info and count > len(ids) else "")
                if last and kind == "on_failure" and self.trigger_type in STREAMS:
                    # A stream's on-failure destination gets the batch's metadata; the records are discarded.
                    last = f"metadata of {last} (records discarded)"
                out.append(f" {count}" + (f" ☠ {last}" if last and kind != "on_success" else
                                          (f" ✓ {last}" if last else "")), style=style)
            out.append("▏ ", style=st["label"])
        return out
