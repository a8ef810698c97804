"""The formulas docs/KAFKA.md documents, in Python: ids and the per-aggregate hash chain."""

import hashlib

GENESIS_HASH = "0" * 64


def payment_id(tenant_id: str, idempotency_key: str) -> str:
    """'pay_' + the first 26 hex digits of sha256(tenant ‖ 0x1f ‖ key), UTF-8."""
    digest = hashlib.sha256(f"{tenant_id}\x1f{idempotency_key}".encode("utf-8")).hexdigest()
    return "pay_" + digest[:26]


def escrow_id(payment_id_: str) -> str:
    """'esc_' + the first 26 hex digits of sha256(payment id)."""
    return "esc_" + hashlib.sha256(payment_id_.encode("utf-8")).hexdigest()[:26]


def chain_hash(prev_hash: str, canonical_avro: bytes) -> str:
    """sha256(prevHash as UTF-8 ‖ Avro binary of the envelope with hash = "" and schemaId = 0)."""
    return hashlib.sha256(prev_hash.encode("utf-8") + canonical_avro).hexdigest()
