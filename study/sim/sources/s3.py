"""S3 event notifications: an object written or removed notifies the function asynchronously, if its key passes
the prefix/suffix filters (s3.*, docs/emulator.md §4)."""

from __future__ import annotations

from study.sim import payloads
from study.sim.engine import Engine
from study.sim.scenario.checker import Checker, TriggerRules
from study.sim.scenario.profiles import PROFILES
from study.sim.sources.async_ import ASYNC_KEYS, AsyncSource, check_settings
from study.sim.sources.base import MAPPING_ONLY_HINTS

S3_OPS = {
    "put": "ObjectCreated:Put",
    "post": "ObjectCreated:Post",
    "copy": "ObjectCreated:Copy",
    "multipart": "ObjectCreated:CompleteMultipartUpload",
    "delete": "ObjectRemoved:Delete",
}


def check_trigger(c: Checker, raw: dict, p: tuple, function: dict) -> dict:
    settings = check_settings(c, raw, p)
    bucket = c.string(raw, "Bucket", p, "demo-bucket")
    versioning = c.boolean(raw, "Versioning", p, False)
    events = raw.get("Events", ["s3:ObjectCreated:*"])
    if not isinstance(events, list) or not events:
        raise c.fail((*p, "Events"), "Events: expected a list such as [\"s3:ObjectCreated:*\"]")
    known = {"s3:ObjectCreated:*", "s3:ObjectRemoved:*"} | {"s3:" + e for e in S3_OPS.values()} | {
        "s3:ObjectRemoved:DeleteMarkerCreated"}
    for i, e in enumerate(events):
        if e not in known:
            raise c.fail((*p, "Events", i), f"Events: {e!r} is not an event type this emulator models; expected "
                         f"one of {', '.join(sorted(known))}")
    filt = c.mapping(raw.get("Filter"), (*p, "Filter"), "Filter")
    hint = {"Contains": "Contains: S3 filters match a key's prefix or suffix only; there is no 'contains' "
            "(use Suffix: .jpg for 'name ends in .jpg')"}
    c.unknown(filt, {"Prefix", "Suffix"}, (*p, "Filter"), "Filter", hint)
    for k in ("Prefix", "Suffix"):
        v = filt.get(k)
        if v is not None and ("*" in str(v) or "?" in str(v)):
            raise c.fail((*p, "Filter", k), f"{k}: S3 filters take no wildcards; write the literal prefix or suffix "
                         "(InvalidArgument: Unable to validate the following destination configurations)")
    return {**settings, "Bucket": bucket, "Versioning": versioning, "Events": list(events),
            "Filter": {"Prefix": filt.get("Prefix"), "Suffix": filt.get("Suffix")},
            "BucketArn": f"arn:aws:s3:::{bucket}"}


def check_input(c: Checker, one: dict, p: tuple, trigger: dict) -> None:
    op = c.string(one, "op", p, "put", tuple(S3_OPS))
    one["op"] = op
    key = one.get("key")
    if not isinstance(key, str) or not key:
        raise c.fail((*p, "key") if "key" in one else p, "key: required, the object's key (text)")
    size = one.get("size", 0)
    if isinstance(size, bool) or not isinstance(size, int) or size < 0:
        raise c.fail((*p, "size"), "size: expected a number of bytes")
    one["size"] = size


RULES = TriggerRules(keys=frozenset({"Bucket", "Versioning", "Events", "Filter"}) | ASYNC_KEYS, check=check_trigger,
                     input_keys=frozenset({"at", "id", "op", "key", "size"}), check_input=check_input,
                     hints=MAPPING_ONLY_HINTS,
                     unpermitted="the function's resource-based policy has no statement for {principal} "
                                 "(InvalidArgument: Unable to validate the following destination configurations)")


class S3Source(AsyncSource):
    accept_rule = "s3.async"

    def __init__(self, engine: Engine):
        super().__init__(engine)
        self._sequencer = 0

    def start(self) -> None:
        # Coalescing (s3.coalescing, the exam profile: scenario/profiles.py): same key, same instant, no versioning: only the last write notifies.
        super().start()
        self.coalesced: set[str] = set()
        if PROFILES[self.s.profile].s3_coalescing and not self.t["Versioning"]:
            last_of: dict[tuple[int, str], str] = {}
            for item in self.s.inputs:
                if item["op"] != "delete":
                    last_of[(item["at_ms"], item["key"])] = item["id"]
            for item in self.s.inputs:
                if item["op"] != "delete" and last_of[(item["at_ms"], item["key"])] != item["id"]:
                    self.coalesced.add(item["id"])

    def arrive(self, item: dict) -> None:
        e = self.e
        iid = item["id"]
        name = S3_OPS[item["op"]]
        if item["op"] == "delete" and self.t["Versioning"]:
            name = "ObjectRemoved:DeleteMarkerCreated"
        e.tl("arrive", "s3.event-types", input=iid, key=item["key"], event=name)
        if not self._matches(item, name):
            e.tl("filtered", "s3.filters", input=iid, key=item["key"])
            e.settle(iid, "filtered")
            return
        if iid in self.coalesced:
            e.tl("coalesced", "s3.coalescing", input=iid, key=item["key"])
            e.settle(iid, "coalesced")
            return
        self._sequencer += 1
        sequencer = f"{0x0055AED6DCD90281E5 + e.now * 1000 + self._sequencer:018X}"
        event = {"Records": [payloads.s3_record(e, item, self.t, name, sequencer)]}
        self.accept([iid], event, iid)

    def _matches(self, item: dict, name: str) -> bool:
        wanted = False
        for ev in self.t["Events"]:
            ev = ev.removeprefix("s3:")
            if ev == name or (ev.endswith(":*") and name.startswith(ev[:-1])):
                wanted = True
        if not wanted:
            return False
        # Filters compare with the key as the event carries it, URL-encoded (s3.filters):
        # AWS asks for filter values written that way, so a raw space in a filter never matches.
        key = payloads.s3_event_key(item["key"])
        prefix, suffix = self.t["Filter"]["Prefix"], self.t["Filter"]["Suffix"]
        if "s3-filter-contains" in self.e.mis:
            return (not prefix or prefix in key) and (not suffix or suffix in key)
        return (not prefix or key.startswith(prefix)) and (not suffix or key.endswith(suffix))
