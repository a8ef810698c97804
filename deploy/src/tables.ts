// The DynamoDB read-model tables, as plain data in the shape of @paystream/readstore's
// TableDefInput (name, key, indexes), with every attribute typed.
//
// They are the services' own definitions (defineTable in each service), converted: the services
// create them with DynamoDbReadStore.ensureTables when missing and refuse to start when an
// existing table has a different key or index, so CDK must create exactly these.

import { ACH_TABLES } from '@paystream/ach-batcher';
import { AUTH_TABLES } from '@paystream/auth';
import { CARD_VAULT_TABLE } from '@paystream/escrow';
import { IDEMPOTENCY_TABLE } from '@paystream/ingest';
import { PROJECTION_TABLES } from '@paystream/projections';
import type { TableDef as StoreTableDef } from '@paystream/readstore';
import { WEBHOOK_TABLES } from '@paystream/webhooks';

export type AttrType = 'string' | 'number';

export interface AttrDef {
  readonly name: string;
  readonly type: AttrType;
}

export interface IndexDef {
  readonly name: string;
  readonly pk: AttrDef;
  readonly sk?: AttrDef;
}

export interface TableDef {
  /** Suffix after the table prefix (PAYSTREAM_TABLE_PREFIX, default `paystream_`). */
  readonly name: string;
  readonly key: { readonly pk: AttrDef; readonly sk?: AttrDef };
  readonly indexes: readonly IndexDef[];
  /**
   * Deploy-only: DynamoDB TTL attribute (epoch seconds). Not part of the read-store definition,
   * which neither sets nor checks TTL; an item without the attribute is never expired.
   */
  readonly ttlAttribute?: string;
}

function fromStore(def: StoreTableDef): TableDef {
  const attr = (a: { name: string; type: AttrType }): AttrDef => ({ name: a.name, type: a.type });
  return {
    name: def.name,
    key: def.sk ? { pk: attr(def.pk), sk: attr(def.sk) } : { pk: attr(def.pk) },
    indexes: def.indexes.map((i) =>
      i.sk ? { name: i.name, pk: attr(i.pk), sk: attr(i.sk) } : { name: i.name, pk: attr(i.pk) },
    ),
  };
}

/**
 * Every table a service creates with ensureTables, taken from the services' own definitions so
 * the stack cannot drift from the code: tenants and API keys, ingest idempotency, the escrow
 * card vault, the ACH batcher's working state, the projections' read models, and the webhook
 * endpoints, events and deliveries.
 */
export const SERVICE_TABLES: readonly StoreTableDef[] = [
  ...AUTH_TABLES,
  IDEMPOTENCY_TABLE,
  CARD_VAULT_TABLE,
  ...ACH_TABLES,
  ...PROJECTION_TABLES,
  ...WEBHOOK_TABLES,
];

export const TABLES: readonly TableDef[] = SERVICE_TABLES.map(fromStore);

/** The DynamoDB attribute type of an attribute definition. */
export function dynamoType(a: AttrDef): 'S' | 'N' {
  return a.type === 'string' ? 'S' : 'N';
}
