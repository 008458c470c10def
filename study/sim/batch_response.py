"""A partial batch response (`ReportBatchItemFailures`), read once for every event source mapping.

With `FunctionResponseTypes: [ReportBatchItemFailures]` the function may answer
`{"batchItemFailures": [{"itemIdentifier": ID}, ...]}`: an SQS message id (sqs.partial-batch) or a stream record's
sequence number (stream.partial-batch). No response, an empty object, an empty string, no `batchItemFailures` key
or an empty list means complete success. Anything else that is not a list of objects whose `itemIdentifier` is one
of the batch's ids is invalid, and AWS then treats the whole batch as failed.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any


def failed_item_ids(response: Any, batch_ids: Collection[str]) -> list[str] | None:
    """The ids the response names as failed, first mention first and each once; [] for complete success; None for
    an invalid response. An SQS mapping retries those messages; a stream checkpoints before the lowest of them."""
    if response is None or response == {} or response == "":
        return []
    if not isinstance(response, dict):
        return None
    items = response.get("batchItemFailures")
    if items is None or items == []:
        return []
    if not isinstance(items, list):
        return None
    out: list[str] = []
    for entry in items:
        if not isinstance(entry, dict):
            return None
        ident = entry.get("itemIdentifier")
        if not isinstance(ident, str) or not ident or ident not in batch_ids:
            return None
        if ident not in out:
            out.append(ident)
    return out
