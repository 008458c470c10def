"""study/sim/batch_response.py, the one reader of partial batch responses, agrees with the two readers it is to
replace (SqsSource._partial, sqs.partial-batch; StreamSource._partial, stream.partial-batch) on every response
shape, valid or not. The comparison skips once those methods are gone."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from study.sim.batch_response import failed_item_ids

IDS = ["m1", "m2", "m3"]
RESPONSES = [
    None, {}, "", [], "x", 0, {"batchItemFailures": None}, {"batchItemFailures": []}, {"other": 1},
    {"batchItemFailures": {}}, {"batchItemFailures": "m1"}, {"batchItemFailures": [{"itemIdentifier": "m2"}]},
    {"batchItemFailures": [{"itemIdentifier": "m3"}, {"itemIdentifier": "m1"}, {"itemIdentifier": "m3"}]},
    {"batchItemFailures": [{"itemIdentifier": "m9"}]}, {"batchItemFailures": [{"itemIdentifier": ""}]},
    {"batchItemFailures": [{"itemIdentifier": 2}]}, {"batchItemFailures": [{}]}, {"batchItemFailures": ["m1"]},
    {"batchItemFailures": [{"itemIdentifier": "m1"}, "m2"]},
]


@pytest.mark.parametrize("response", RESPONSES, ids=repr)
def test_agrees_with_the_sqs_reader(response) -> None:
    from study.sim import sqs

    reader = getattr(getattr(sqs, "SqsSource", None), "_partial", None)
    if reader is None:
        pytest.skip("the SQS source no longer has its own reader")
    by_id = {i: SimpleNamespace(iid=i) for i in IDS}
    got = failed_item_ids(response, by_id)
    old = reader(None, SimpleNamespace(response=response), by_id)
    assert (None if got is None else [by_id[i] for i in got]) == old


@pytest.mark.parametrize("response", RESPONSES, ids=repr)
def test_agrees_with_the_stream_reader(response) -> None:
    from study.sim import streams

    reader = getattr(getattr(streams, "StreamSource", None), "_partial", None)
    if reader is None:
        pytest.skip("the stream source no longer has its own reader")
    records = [SimpleNamespace(sequence_number=i) for i in IDS]
    got = failed_item_ids(response, IDS)
    cut = None if got is None else (min(IDS.index(i) for i in got) if got else len(IDS))
    assert cut == reader(None, SimpleNamespace(response=response), records)
