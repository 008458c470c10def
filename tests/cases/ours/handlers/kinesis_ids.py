"""§6.5: checks each Kinesis record's eventID (shardId:sequenceNumber), sequence order and base64 data."""

import base64


def handler(event, context):
    records = event["Records"]
    seqs = [int(r["kinesis"]["sequenceNumber"]) for r in records]
    return {
        "ids_match": all(
            r["eventID"] == f"shardId-000000000001:{r['kinesis']['sequenceNumber']}" for r in records
        ),
        "increasing": all(a < b for a, b in zip(seqs, seqs[1:])),
        "decoded": [base64.b64decode(r["kinesis"]["data"]).decode() for r in records],
    }
