"""A Powertools batch handler, unchanged from how it would run on AWS."""

from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord

processor = BatchProcessor(event_type=EventType.SQS)


def record_handler(record: SQSRecord):
    if record.body == "bad":
        raise ValueError("cannot process")
    return record.body


def handler(event, context):
    return process_partial_response(event=event, record_handler=record_handler, processor=processor, context=context)
