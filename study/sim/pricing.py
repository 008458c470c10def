"""Lambda prices (x86, us-east-1) and the monthly free tier (docs/emulator.md §9)."""

from __future__ import annotations

import math
from dataclasses import dataclass

from study.sim.misconceptions import NONE, Switched

REQUEST_USD = 0.0000002  # $0.20 per million requests
GB_SECOND_USD = 0.0000166667  # about $1.00 per 60,000 GB-s: AWS's real rate, in both profiles
CHAPTER_GB_SECOND_USD = 0.0000016667  # the chapter's misprint ($1.00 per 600,000 GB-s): only for a misconception
FREE_REQUESTS = 1_000_000
FREE_GB_SECONDS = 400_000


def gb_second_price(misconceptions=NONE) -> float:
    return CHAPTER_GB_SECOND_USD if "chapter-duration-price" in misconceptions else GB_SECOND_USD


def run_cost(requests: int, gb_seconds: float, misconceptions=NONE) -> float:
    """A scenario run's cost without the free tier (the trace's summary.cost_usd)."""
    return requests * REQUEST_USD + gb_seconds * gb_second_price(misconceptions)


@dataclass(frozen=True)
class MonthlyCost:
    requests: int
    memory_mb: int
    duration_ms: float
    billed_ms: int
    gb_seconds: float
    billable_gb_seconds: float
    billable_requests: int
    requests_usd: float
    compute_usd: float
    total_usd: float

    def to_json(self) -> dict:
        return {
            "requests": self.requests, "memory_mb": self.memory_mb, "duration_ms": self.duration_ms,
            "billed_ms": self.billed_ms, "gb_seconds": self.gb_seconds,
            "billable_gb_seconds": self.billable_gb_seconds, "billable_requests": self.billable_requests,
            "requests_usd": self.requests_usd, "compute_usd": self.compute_usd, "total_usd": self.total_usd,
        }


def monthly_cost(memory_mb: int, duration_ms: float, requests: int, misconceptions=NONE) -> MonthlyCost:
    """A month of `requests` invocations of `duration_ms` each at `memory_mb`, with the free tier (pricing.free-tier)."""
    misconceptions = Switched(misconceptions)
    billed_ms = max(1, math.ceil(duration_ms - 1e-9))
    gb_seconds = requests * billed_ms / 1000 * memory_mb / 1024
    free_req = 0 if "no-free-tier" in misconceptions else FREE_REQUESTS
    free_gbs = 0 if "no-free-tier" in misconceptions else FREE_GB_SECONDS
    billable_requests = max(0, requests - free_req)
    billable_gbs = max(0.0, gb_seconds - free_gbs)
    requests_usd = round(billable_requests * REQUEST_USD, 10)
    compute_usd = round(billable_gbs * gb_second_price(misconceptions), 10)
    return MonthlyCost(
        requests=requests, memory_mb=memory_mb, duration_ms=duration_ms, billed_ms=billed_ms,
        gb_seconds=round(gb_seconds, 6), billable_gb_seconds=round(billable_gbs, 6),
        billable_requests=billable_requests, requests_usd=requests_usd, compute_usd=compute_usd,
        total_usd=round(requests_usd + compute_usd, 10),
    )
