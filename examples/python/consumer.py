"""Read a payment's events from Paystream's events topic with the standard Confluent Avro
deserializer, and check their hash chain.

    python consumer.py --brokers 127.0.0.1:9092 \
        --registry http://127.0.0.1:8081 --payment-id pay_...

Reads every partition of paystream.events from the beginning up to its current end (committed
records only), keeps the records whose key is the payment id (events are keyed by aggregate
id), decodes them with AvroDeserializer + SchemaRegistryClient, recomputes each event's hash
and checks the chain. Prints one JSON line per event, then a summary line. See docs/KAFKA.md.
"""

import argparse
import io
import json
import struct
import sys
import time
import uuid

import fastavro
from confluent_kafka import OFFSET_BEGINNING, Consumer, KafkaError, TopicPartition
from confluent_kafka.schema_registry import SchemaRegistryClient
from confluent_kafka.schema_registry.avro import AvroDeserializer
from confluent_kafka.serialization import MessageField, SerializationContext

from paystream_ids import GENESIS_HASH, chain_hash

EVENTS_TOPIC = "paystream.events"


def canonical_bytes(writer_schema, envelope: dict) -> bytes:
    """The Avro binary of the envelope with hash = "" and schemaId = 0, under its writer schema."""
    buf = io.BytesIO()
    fastavro.schemaless_writer(buf, writer_schema, {**envelope, "hash": "", "schemaId": 0})
    return buf.getvalue()


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--brokers", required=True)
    p.add_argument("--registry", required=True, help="the Confluent-compatible registry URL")
    p.add_argument("--payment-id", required=True)
    p.add_argument("--timeout", type=float, default=60.0, help="seconds")
    args = p.parse_args()

    registry = SchemaRegistryClient({"url": args.registry})
    # return_record_name: the payload union comes back as (record name, fields), so an event can
    # be re-encoded exactly for the hash check.
    deserialize = AvroDeserializer(registry, return_record_name=True)
    writer_schemas = {}

    consumer = Consumer(
        {
            "bootstrap.servers": args.brokers,
            "group.id": f"paystream-example-{uuid.uuid4()}",  # never commits: reads, does not consume
            "enable.auto.commit": False,
            "isolation.level": "read_committed",  # Paystream writes events in transactions
            "enable.partition.eof": True,
        }
    )
    partitions = consumer.list_topics(EVENTS_TOPIC, timeout=10).topics[EVENTS_TOPIC].partitions
    consumer.assign([TopicPartition(EVENTS_TOPIC, p, OFFSET_BEGINNING) for p in partitions])
    at_end = set()
    prev_hash = GENESIS_HASH
    prev_version = 0
    events = 0
    verified = True
    deadline = time.monotonic() + args.timeout
    while len(at_end) < len(partitions):
        if time.monotonic() > deadline:
            print(json.dumps({"error": f"did not reach the end of {EVENTS_TOPIC} in {args.timeout} s"}))
            return 1
        msg = consumer.poll(1.0)
        if msg is None:
            continue
        if msg.error():
            if msg.error().code() == KafkaError._PARTITION_EOF:
                at_end.add(msg.partition())
                continue
            raise RuntimeError(msg.error())
        if msg.key() is None or msg.key().decode("utf-8") != args.payment_id:
            continue
        value = msg.value()
        magic, schema_id = struct.unpack(">bI", value[:5])
        envelope = deserialize(value, SerializationContext(EVENTS_TOPIC, MessageField.VALUE))
        if schema_id not in writer_schemas:
            writer_schemas[schema_id] = fastavro.parse_schema(
                json.loads(registry.get_schema(schema_id).schema_str)
            )
        recomputed = chain_hash(envelope["prevHash"], canonical_bytes(writer_schemas[schema_id], envelope))
        hash_ok = recomputed == envelope["hash"]
        chain_ok = envelope["prevHash"] == prev_hash and envelope["aggregateVersion"] == prev_version + 1
        verified = verified and hash_ok and chain_ok and magic == 0
        prev_hash, prev_version = envelope["hash"], envelope["aggregateVersion"]
        events += 1
        headers = {k: v.decode("utf-8") for k, v in (msg.headers() or [])}
        print(
            json.dumps(
                {
                    "partition": msg.partition(),
                    "offset": msg.offset(),
                    "schemaId": schema_id,
                    "type": envelope["type"],
                    "payloadRecord": envelope["payload"][0],
                    "aggregateId": envelope["aggregateId"],
                    "aggregateVersion": envelope["aggregateVersion"],
                    "headers": headers,
                    "hashOk": hash_ok,
                    "chainOk": chain_ok,
                }
            )
        )
    consumer.close()
    print(json.dumps({"paymentId": args.payment_id, "events": events, "verified": verified}))
    return 0 if verified and events > 0 else 1


if __name__ == "__main__":
    sys.exit(main())
