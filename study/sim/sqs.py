"""SQS event source mapping: long polling, batching window, visibility timeout, redrive, partial batch responses,
FIFO group order, poller scaling and throttled batches (docs/emulator.md §7).

Reserved and account concurrency do not cap the pollers (rules.yaml `sqs.throttled-batch`): a poller receives a
batch whatever the function's concurrency, and when the invoke is throttled it keeps the batch and retries on the
1, 2, 4 ... s back-off until the messages' visibility timeout expires; then it drops the batch and the messages are
received again, their receive count already raised.
"""

from __future__ import annotations

import heapq
from collections import deque

from study.sim import payloads
from study.sim.batch_response import failed_item_ids
from study.sim.engine import P_START, P_VISIBLE, Engine, throttle_delay_s
from study.sim.scenario.defaults import MS
from study.sim.scenario.profiles import PROFILES
from study.sim.sources.base import Source

INITIAL_POLLERS = 5


def pollers_at(now: int, t0: int | None, rate: int, cap: int, max_concurrency: int | None) -> int:
    """sqs.scaling: INITIAL_POLLERS once messages are visible (since t0), `rate` more each whole minute, up to the
    profile's cap and the mapping's MaximumConcurrency."""
    ramp = INITIAL_POLLERS + rate * ((now - t0) // (60 * MS)) if t0 is not None else 0
    n = min(cap, ramp)
    if max_concurrency is not None:
        n = min(n, max_concurrency)
    return n


def next_scale_at(now: int, t0: int) -> int:
    """The next scaling step after `now`: a whole minute after t0."""
    step = 60 * MS
    return t0 + ((now - t0) // step + 1) * step


class Message:
    __slots__ = ("iid", "order", "ids", "_message_id", "body", "group", "dedup_id", "sent_ms",
                 "receive_count", "first_receive_ms", "state", "attributes", "sequence_number", "queue_arn",
                 "visible_at", "token", "held")

    def __init__(self, iid: str, order: int, ids):
        self.iid = iid
        self.order = order
        self.ids = ids
        self._message_id = None
        self.state = "delayed"
        self.receive_count = 0
        self.first_receive_ms = None
        self.token = 0
        self.held = None  # the throttled batch a poller holds this message in, if any

    # Ids are derived (a SHA-256 each) only when a payload, a trace or a batch response reads them.
    @property
    def message_id(self) -> str:
        if self._message_id is None:
            self._message_id = self.ids.uuid("message", self.iid)
        return self._message_id

    @property
    def receipt_handle(self) -> str | None:
        """The handle of the latest receive (none before the first)."""
        if not self.receive_count:
            return None
        return "AQEB" + self.ids.hex(48, "receipt", self.iid, self.receive_count)


class HeldBatch:
    """A received batch whose invoke was throttled: the poller keeps it and retries until its messages reappear."""

    __slots__ = ("messages", "throttle_k", "dropped", "shrunk")

    def __init__(self, messages: list[Message]):
        self.messages = messages
        self.throttle_k = 0
        self.dropped = False
        self.shrunk = False


class SqsSource(Source):
    def __init__(self, engine: Engine):
        super().__init__(engine)
        q = self.t["Queue"]
        self.fifo = q["FifoQueue"]
        self.batch_size = self.t["BatchSize"]
        self.window_ms = self.t["MaximumBatchingWindowInSeconds"] * MS
        self.vt_ms = self.t["effective_visibility_timeout"] * MS
        self.redrive = q["RedrivePolicy"]
        self.rbif = "ReportBatchItemFailures" in self.t["FunctionResponseTypes"]
        self.max_concurrency = self.t["ScalingConfig"]["MaximumConcurrency"]
        self.rate, self.cap = PROFILES[self.s.profile].sqs_scaling  # sqs.scaling: (per minute, cap)
        self.messages: dict[str, Message] = {}  # the messages still in the queue (deleted ones are let go)
        self.n_sent = 0
        self.visible: list[tuple[int, Message]] = []  # standard: heap by send order (sqs.batching)
        self.groups: dict[str, deque[Message]] = {}  # FIFO: each group's undeleted messages, in order
        self.inflight_batches = 0
        self.n_visible = 0
        self.group_inflight: dict[str, int] = {}
        self.t0: int | None = None
        self.window_close: int | None = None
        self.buffer: list[Message] = []
        self.poll_pending_at: int | None = None
        self.scale_at: int | None = None
        self.pollers_seen = INITIAL_POLLERS
        self.bisect = self.t.get("BisectBatchOnFunctionError", False)  # only with the sqs-bisect misconception
        self.queue_arn = q["QueueArn"]
        self.delay_ms = q["DelaySeconds"] * MS
        # Standard queue: visible messages by send order (sqs.batching; docs/emulator.md section 7, the course's
        # model). First-time arrivals come in send order and
        # go to `fresh` (a deque); reappearing messages go to the `visible` heap; receive takes the lower order.
        self.fresh: deque[Message] = deque()
        self.failure_destination = (self.t.get("DestinationConfig") or {}).get("OnFailure", {}).get("Destination")

    # -- arrivals and visibility -----------------------------------------------------------------------------

    def start(self) -> None:
        self.e.arrivals(self.s.inputs, self._arrive_all)

    def arrive(self, item: dict) -> None:
        e = self.e
        iid = item["id"]
        msg = Message(iid, self.n_sent, e.ids)
        self.n_sent += 1
        msg.body = item["body"]
        msg.group = item.get("group")
        msg.dedup_id = str(item.get("dedup_id") or payloads.md5(item["body"]) * 2)[:64] if self.fifo else None
        msg.sent_ms = e.now
        msg.attributes = item.get("attributes")
        msg.sequence_number = f"{18849496460467696128 + msg.order * 65536:020d}" if self.fifo else None
        msg.queue_arn = self.queue_arn
        self.messages[iid] = msg
        e.inputs[iid].receive_count = 0
        if self.fifo:
            self.groups.setdefault(msg.group, deque()).append(msg)
        delay = item.get("delay_ms")
        if delay is None:
            delay = self.delay_ms
        if self.fifo:
            e.tl("arrive", "sqs.batching", input=iid, group=msg.group)
        else:
            e.tl("arrive", "sqs.batching", input=iid)
        if delay:
            msg.token += 1
            e.at(e.now + delay, P_VISIBLE, self.become_visible, msg, msg.token)
        else:
            self._make_visible(msg)

    def become_visible(self, msg: Message, token: int) -> None:
        if msg.token != token or msg.state not in ("delayed", "inflight"):
            return
        if msg.held is not None:
            self._drop_held(msg.held)
        self.e.tl("visible", "sqs.visibility-timeout", input=msg.iid, receive_count=msg.receive_count)
        self._make_visible(msg)

    def _set_state(self, msg: Message, state: str) -> None:
        """Every state change goes through here, so the visible and in-flight counts stay exact."""
        old = msg.state
        if old == "visible":
            self.n_visible -= 1
        elif old == "inflight" and self.fifo:
            self.group_inflight[msg.group] -= 1
        if state == "visible":
            self.n_visible += 1
        elif state == "inflight" and self.fifo:
            self.group_inflight[msg.group] = self.group_inflight.get(msg.group, 0) + 1
        msg.state = state

    def _make_visible(self, msg: Message) -> None:
        self._set_state(msg, "visible")
        if self.t0 is None:
            self.t0 = self.e.now
        if not self.fifo:
            fresh = self.fresh
            if not fresh or fresh[-1].order < msg.order:
                fresh.append(msg)
            else:
                heapq.heappush(self.visible, (msg.order, msg))
        self.request_poll()

    def request_poll(self) -> None:
        now = self.e.now
        if self.poll_pending_at != now:
            self.poll_pending_at = now
            self.e.at(now, P_START, self.poll)

    # -- polling ---------------------------------------------------------------------------------------------

    def pollers(self) -> int:
        return pollers_at(self.e.now, self.t0, self.rate, self.cap, self.max_concurrency)

    def _free(self) -> int:
        """Pollers not holding a batch. The function's concurrency is not looked at (rules.yaml `sqs.throttled-batch`)."""
        if "reserved-caps-pollers" in self.e.mis:
            return min(self.pollers() - self.inflight_batches, self.e.limit - self.e.running)
        return self.pollers() - self.inflight_batches

    def poll(self) -> None:
        e = self.e
        self.poll_pending_at = None
        while True:
            if self.window_ms:
                # With a batching window the poller receives messages as they come (their visibility timeout runs
                # from that receive) and invokes when the window closes or the batch is full (esm.batching).
                if self.window_close is None:
                    if self._free() <= 0 or self._available_count() == 0:
                        break
                    self.window_close = e.now + self.window_ms
                    self.buffer = []
                    e.tl("poll", "esm.batching", window_closes=self.window_close / MS)
                    e.at(self.window_close, P_START, self._window_closed, self.window_close)
                self.buffer.extend(self._take_batch(self.batch_size - len(self.buffer)))
                if len(self.buffer) >= self.batch_size or e.now >= self.window_close:
                    batch, self.buffer, self.window_close = self.buffer, [], None
                    if batch:
                        self._invoke(batch)
                    continue
                break
            if self._free() <= 0:
                break
            batch = self._take_batch(self.batch_size)
            if not batch:
                break
            self._invoke(batch)
        if self._available_count() and self._free() <= 0 and self.pollers() < min(
                self.cap, self.max_concurrency or self.cap) and self.t0 is not None:
            self._schedule_scale()

    def _window_closed(self, close_at: int) -> None:
        if self.window_close == close_at:
            self.poll()

    def _schedule_scale(self) -> None:
        e = self.e
        nxt = next_scale_at(e.now, self.t0)
        if self.scale_at != nxt:
            self.scale_at = nxt
            e.at(nxt, P_START, self._scale, nxt)

    def _scale(self, at: int) -> None:
        n = self.pollers()
        if n != self.pollers_seen:
            self.pollers_seen = n
            self.e.tl("scale", "sqs.scaling", pollers=n)
        self.poll()

    def _available_count(self) -> int:
        if not self.fifo:
            return self.n_visible
        return sum(1 for g in self.groups.values() if self._group_head(g) is not None)

    def _group_head(self, group: deque[Message]) -> Message | None:
        if not group or self.group_inflight.get(group[0].group, 0):
            return None
        return group[0] if group[0].state == "visible" else None

    def _take_batch(self, limit: int) -> list[Message]:
        batch: list[Message] = []
        if not self.fifo:
            visible, fresh = self.visible, self.fresh
            while (visible or fresh) and len(batch) < limit:
                if fresh and (not visible or fresh[0].order < visible[0][0]):
                    msg = fresh.popleft()
                else:
                    msg = heapq.heappop(visible)[1]
                if msg.state != "visible":
                    continue
                if self._receive(msg):
                    batch.append(msg)
            self._watch_visibility(batch)
            return batch
        # sqs.fifo-order: one group per batch; the group whose oldest visible message was sent first.
        ready = [(g[0].order, name) for name, g in self.groups.items() if self._group_head(g) is not None]
        if not ready:
            return batch
        _, name = min(ready)
        group = self.groups[name]
        for msg in list(group):
            if len(batch) >= limit or msg.state != "visible":
                break
            if self._receive(msg):
                batch.append(msg)
        self._watch_visibility(batch)
        return batch

    def _receive(self, msg: Message) -> bool:
        """Receive one message: count it, hide it, or redrive it to the queue's DLQ (sqs.redrive)."""
        e = self.e
        limit = self.redrive["maxReceiveCount"] if self.redrive else None
        if limit is not None and "redrive-extra-receive" in e.mis:
            limit += 1
        if limit is not None and msg.receive_count + 1 > limit:
            self._set_state(msg, "redriven")
            self._drop_from_group(msg)
            if self.failure_destination:
                e.deliver("on_failure", self.failure_destination, [msg.iid], payloads.sqs_redrive_message(e, msg),
                          rule="sqs.no-destinations")
            else:
                e.deliver("redrive", self.redrive["deadLetterTargetArn"], [msg.iid],
                          payloads.sqs_redrive_message(e, msg), rule="sqs.redrive")
            e.tl("redrive", "sqs.redrive", input=msg.iid, receive_count=msg.receive_count)
            e.settle(msg.iid, "dead_lettered")
            return False
        msg.receive_count += 1
        e.inputs[msg.iid].receive_count = msg.receive_count
        if msg.first_receive_ms is None:
            msg.first_receive_ms = e.now
        self._set_state(msg, "inflight")
        msg.token += 1
        msg.visible_at = e.now + self.vt_ms
        return True

    def _watch_visibility(self, batch: list[Message]) -> None:
        """One event for the visibility timeouts of messages received together (same instant, same timeout):
        at that instant each one that is still in flight under this receive reappears, in receive order."""
        if batch and "vt-from-end" not in self.e.mis:
            self.e.at(batch[0].visible_at, P_VISIBLE, self._batch_visible, [(m, m.token) for m in batch])

    def _batch_visible(self, received: list[tuple[Message, int]]) -> None:
        for msg, token in received:
            self.become_visible(msg, token)

    def _delete(self, msg: Message, final: str) -> None:
        """Delete a message from the queue (any pending visibility event is ignored) and settle its fate."""
        self._set_state(msg, "deleted")
        msg.token += 1
        self._drop_from_group(msg)
        self.e.settle(msg.iid, final)
        self.messages.pop(msg.iid, None)
        held = msg.held
        if held is not None:
            # A run that started late let the message reappear and be received again into a throttled batch;
            # the first run's delete removes it, and the held batch goes on without it (the course's model).
            msg.held = None
            held.messages = [m for m in held.messages if m is not msg]
            held.shrunk = True
            if not held.messages:
                held.dropped = True
                self.inflight_batches -= 1

    def _drop_from_group(self, msg: Message) -> None:
        if self.fifo:
            group = self.groups[msg.group]
            if msg in group:
                group.remove(msg)

    # -- invoking --------------------------------------------------------------------------------------------

    def _invoke(self, batch: list[Message]) -> None:
        e = self.e
        if e.lean:
            e.tl("batch")
        else:
            e.tl("batch", "sqs.batching", inputs=[m.iid for m in batch])
        attempt = max(m.receive_count for m in batch)
        event = rid = None
        if e.needs_events:
            event = self._event(batch)
            rid = e.ids.uuid("request", "|".join(m.iid for m in batch), attempt)
        by_message_id = self._by_message_id(batch)
        self.inflight_batches += 1
        if not e.can_run():
            self._throttled(HeldBatch(batch), event, attempt, rid, by_message_id)
            return
        self._start(batch, event, attempt, rid, by_message_id)

    def _event(self, batch: list[Message]) -> dict:
        return {"Records": [payloads.sqs_record(self.e, m, self.t) for m in batch]}

    def _by_message_id(self, batch: list[Message]) -> dict | None:
        """Only a partial batch response names messages (by message id)."""
        return {m.message_id: m for m in batch} if self.rbif else None

    def _start(self, batch: list[Message], event: dict | None, attempt: int, rid: str | None,
               by_message_id: dict | None) -> None:
        self.e.start_run([m.iid for m in batch], event, attempt, rid,
                         lambda inv: self._ended(batch, by_message_id, inv),
                         item_id=lambda iid: self.messages[iid].message_id if iid in self.messages else iid)

    # -- throttled batches -----------------------------------------------------------------------------------

    def _throttled(self, held: HeldBatch, event: dict, attempt: int, rid: str, by_message_id: dict) -> None:
        """The invoke was refused for concurrency: keep the batch and retry after 1, 2, 4 ... s (`sqs.throttled-batch`)."""
        e = self.e
        e.throttles += 1
        delay = throttle_delay_s(held.throttle_k)
        held.throttle_k += 1
        for m in held.messages:
            m.held = held
        e.tl("throttle", "sqs.throttled-batch", inputs=[m.iid for m in held.messages], retry_in=delay)
        e.at(e.now + delay * MS, P_START, self._retry_held, held, event, attempt, rid, by_message_id)

    def _retry_held(self, held: HeldBatch, event: dict, attempt: int, rid: str, by_message_id: dict) -> None:
        if held.dropped:
            return
        if held.shrunk:
            # An earlier run of some of these messages deleted them meanwhile: invoke with the rest.
            event = self._event(held.messages) if self.e.needs_events else None
            by_message_id = self._by_message_id(held.messages)
        if not self.e.can_run():
            self._throttled(held, event, attempt, rid, by_message_id)
            return
        for m in held.messages:
            m.held = None
        self._start(held.messages, event, attempt, rid, by_message_id)

    def _drop_held(self, held: HeldBatch) -> None:
        """A held batch's visibility timeout expired before it ran: the poller lets it go and polls again."""
        held.dropped = True
        self.inflight_batches -= 1
        for m in held.messages:
            m.held = None
        self.e.tl("drop_batch", "sqs.throttled-batch", inputs=[m.iid for m in held.messages])

    def _ended(self, batch: list[Message], by_id: dict, inv) -> None:
        e = self.e
        self.inflight_batches -= 1
        failed: list[Message] | None
        if inv.status == "success":
            failed = self._partial(inv, by_id) if self.rbif else []
            if failed is None:
                inv.status = "error"
                inv.error = {"errorType": "InvalidBatchItemFailuresResponse",
                             "errorMessage": "The batchItemFailures response is not valid; the whole batch failed"}
                failed = list(batch)
            elif failed:
                inv.status = "partial"
                if "partial-batch-ignored" in e.mis:
                    failed = list(batch)
        else:
            failed = list(batch)
            if self.bisect and len(batch) > 1:
                self._bisect(batch)
                self.request_poll()
                return
        if inv.status in ("error", "timeout") and "sqs-error-deletes" in e.mis:
            for m in batch:
                self._delete(m, "dropped")
            e.tl("delete", "sqs.visibility-timeout", inputs=[m.iid for m in batch])
            self.request_poll()
            return
        # A run that started late (after throttles) can outlast the visibility timeout: a message already
        # deleted or moved to the DLQ meanwhile keeps that fate.
        gone = [m for m in batch if m.state in ("deleted", "redriven")]
        if gone:
            failed = [m for m in failed if m not in gone]
        if failed or gone:
            keep = {m.iid for m in failed}
            deleted = [m for m in batch if m.iid not in keep and m not in gone]
        else:
            deleted = batch
        for m in deleted:
            self._delete(m, "succeeded")
        if deleted:
            if e.lean:
                e.tl("delete")
            else:
                e.tl("delete", "sqs.partial-batch" if failed else "sqs.batching", inputs=[m.iid for m in deleted])
        for m in failed:
            if "vt-from-end" in e.mis:
                m.visible_at = e.now + self.vt_ms
                m.token += 1
                e.at(m.visible_at, P_VISIBLE, self.become_visible, m, m.token)
            e.tl("retry_scheduled", "sqs.visibility-timeout", input=m.iid, due=m.visible_at / MS)
        self.request_poll()

    def _partial(self, inv, by_id: dict) -> list[Message] | None:
        """sqs.partial-batch: the messages a partial batch response names, [] for complete success, None when invalid."""
        failed = failed_item_ids(inv.response, by_id)
        return None if failed is None else [by_id[ident] for ident in failed]

    def _bisect(self, batch: list[Message]) -> None:
        """Only under the `sqs-bisect` misconception: split and re-run the halves at once, as a stream would."""
        e = self.e
        half = len(batch) // 2
        e.tl("bisect", "stream.bisect", inputs=[m.iid for m in batch])
        left, right = batch[:half], batch[half:]

        def run(part: list[Message], then: list[Message] | None) -> None:
            ids = [m.iid for m in part]
            event = self._event(part) if e.needs_events else None
            self.inflight_batches += 1

            def done(inv):
                self.inflight_batches -= 1
                if inv.status == "success":
                    for m in part:
                        self._delete(m, "succeeded")
                elif len(part) > 1:
                    self._bisect(part)
                if then:
                    run(then, None)
                self.request_poll()

            if e.can_run():
                rid = e.ids.uuid("bisect", *ids) if e.needs_events else None
                e.start_run(ids, event, max(m.receive_count for m in part), rid, done)
            else:
                self.inflight_batches -= 1

        run(left, right)

    def http_order(self) -> list[str]:
        return []

