"""Send one payment command to Paystream's inbound topic, as an upstream service would.

    python producer.py --brokers 127.0.0.1:9092 --tenant default \
        --idempotency-key order-8812-charge --payment-method card_... \
        --customer cus_maya --provider prov_rex --amount 4200 --currency USD

Prints one JSON line: the record's partition and offset, and the payment id Paystream will give
the payment (computable up front: see paystream_ids.payment_id). See docs/KAFKA.md.
"""

import argparse
import json
import sys

from confluent_kafka import Producer

from paystream_ids import payment_id

INBOUND_TOPIC = "paystream.inbound"


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--brokers", required=True)
    p.add_argument("--tenant", default="default")
    p.add_argument("--idempotency-key", required=True)
    p.add_argument("--payment-method", required=True, help="a card id from POST /v1/payment-methods/cards")
    p.add_argument("--customer", required=True)
    p.add_argument("--provider", required=True)
    p.add_argument("--amount", type=int, required=True, help="integer minor units (cents)")
    p.add_argument("--currency", default="USD")
    args = p.parse_args()

    # The value is UTF-8 JSON: the command type, the tenant, the idempotency key, and exactly the
    # body POST /v1/payments would take. Never a card number: tokenize over HTTPS first.
    record = {
        "type": "payment.create",
        "tenantId": args.tenant,
        "idempotencyKey": args.idempotency_key,
        "body": {
            "amount": args.amount,
            "currency": args.currency,
            "customerId": args.customer,
            "providerId": args.provider,
            "paymentMethodId": args.payment_method,
        },
    }
    producer = Producer(
        {
            "bootstrap.servers": args.brokers,
            # Retries never duplicate or reorder a record (and Paystream dedupes by key anyway).
            "enable.idempotence": True,
            "acks": "all",
            # Kafka's Java default (murmur2), the partitioner Paystream uses for its own topics.
            "partitioner": "murmur2_random",
        }
    )
    delivered = {}

    def on_delivery(err, msg):
        if err is not None:
            delivered["error"] = str(err)
        else:
            delivered.update(partition=msg.partition(), offset=msg.offset())

    # Keyed by the idempotency key (or the resource id for commands on an existing payment).
    producer.produce(
        INBOUND_TOPIC,
        key=args.idempotency_key.encode("utf-8"),
        value=json.dumps(record).encode("utf-8"),
        on_delivery=on_delivery,
    )
    if producer.flush(30) != 0 or "error" in delivered:
        print(json.dumps({"error": delivered.get("error", "not delivered within 30 s")}), file=sys.stderr)
        return 1
    print(
        json.dumps(
            {
                "topic": INBOUND_TOPIC,
                "partition": delivered["partition"],
                "offset": delivered["offset"],
                "paymentId": payment_id(args.tenant, args.idempotency_key),
            }
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
