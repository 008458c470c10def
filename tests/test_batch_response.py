"""study/sim/batch_response.py, the one reader of partial batch responses (sqs.partial-batch, stream.partial-batch),
on every response shape, valid or not, and what the SQS and stream sources make of its answer."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from study.sim.batch_response import failed_item_ids
from study.sim.sqs import SqsSource
from study.sim.streams import StreamSource

IDS = ["m1", "m2", "m3"]
# response -> the ids it names as failed ([] complete success, None invalid: the whole batch failed)
EXPECTED = [
    (None, []), ({}, []), ("", []), ([], None), ("x", None), (0, None),
    ({"batchItemFailures": None}, []), ({"batchItemFailures": []}, []), ({"other": 1}, []),
    ({"batchItemFailures": {}}, None), ({"batchItemFailures": "m1"}, None),
    ({"batchItemFailures": [{"itemIdentifier": "m2"}]}, ["m2"]),
    ({"batchItemFailures": [{"itemIdentifier": "m3"}, {"itemIdentifier": "m1"}, {"itemIdentifier": "m3"}]},
     ["m3", "m1"]),
    ({"batchItemFailures": [{"itemIdentifier": "m9"}]}, None), ({"batchItemFailures": [{"itemIdentifier": ""}]}, None),
    ({"batchItemFailures": [{"itemIdentifier": 2}]}, None), ({"batchItemFailures": [{}]}, None),
    ({"batchItemFailures": ["m1"]}, None), ({"batchItemFailures": [{"itemIdentifier": "m1"}, "m2"]}, None),
]


@pytest.mark.parametrize(("response", "failed"), EXPECTED, ids=[repr(r) for r, _ in EXPECTED])
def test_the_reader(response, failed) -> None:
    assert failed_item_ids(response, IDS) == failed


@pytest.mark.parametrize(("response", "failed"), EXPECTED, ids=[repr(r) for r, _ in EXPECTED])
def test_an_sqs_mapping_retries_the_named_messages(response, failed) -> None:
    by_id = {i: SimpleNamespace(iid=i) for i in IDS}
    got = SqsSource._partial(None, SimpleNamespace(response=response), by_id)
    assert got == (None if failed is None else [by_id[i] for i in failed])


@pytest.mark.parametrize(("response", "failed"), EXPECTED, ids=[repr(r) for r, _ in EXPECTED])
def test_a_stream_checkpoints_before_the_lowest_named_record(response, failed) -> None:
    records = [SimpleNamespace(sequence_number=i) for i in IDS]
    cut = StreamSource._partial(None, SimpleNamespace(response=response), records)
    assert cut == (None if failed is None else min((IDS.index(i) for i in failed), default=len(IDS)))
