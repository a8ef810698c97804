// The DynamoDB read-model tables, as plain data in the shape of @paystream/readstore's
// TableDefInput (name, key, indexes), with every attribute typed.
//
// THESE MUST MIRROR THE PROJECTIONS' OWN DEFINITIONS. The projections service defines its tables
// in code (defineTable) and DynamoDbReadStore.ensureTables creates them when missing and refuses
// to start when an existing table has a different key or index (table_definition_mismatch). CDK
// creates them first, so a difference here breaks the deployment at start-up, not at synth.
// Until the projections import this file (or a test compares the two), deploy/test/tables.spec.ts
// checks that each definition is valid for defineTable and that the CDK tables carry exactly the
// key schema, attribute types and ALL-projection GSIs that DynamoDbReadStore would create.
//
// Key convention: the partition key `pk` is `<tenantId>#<id>`, so tenants never share a
// partition and every lookup is one GetItem. Index keys hold the same tenant prefix.

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

const s = (name: string): AttrDef => ({ name, type: 'string' });
const n = (name: string): AttrDef => ({ name, type: 'number' });

export const TABLES: readonly TableDef[] = [
  {
    // pk = tenantId#paymentId
    name: 'payments',
    key: { pk: s('pk') },
    indexes: [
      // customerKey = tenantId#customerId, newest last by log position
      { name: 'by_customer', pk: s('customerKey'), sk: n('position') },
      { name: 'by_provider', pk: s('providerKey'), sk: n('position') },
    ],
  },
  {
    // pk = tenantId#escrowId
    name: 'escrows',
    key: { pk: s('pk') },
    indexes: [{ name: 'by_payment', pk: s('paymentKey') }],
  },
  {
    // pk = tenantId#providerId, one item per currency
    name: 'provider_balances',
    key: { pk: s('pk'), sk: s('currency') },
    indexes: [],
  },
  {
    // pk = tenantId#payoutId
    name: 'payouts',
    key: { pk: s('pk') },
    indexes: [
      { name: 'by_provider', pk: s('providerKey'), sk: n('position') },
      { name: 'by_batch', pk: s('batchKey'), sk: n('position') },
    ],
  },
  {
    // pk = tenantId#batchId; tenantKey = tenantId, to list a tenant's batches in order
    name: 'ach_batches',
    key: { pk: s('pk') },
    indexes: [{ name: 'by_tenant', pk: s('tenantKey'), sk: n('position') }],
  },
  {
    // pk = tenantId#accountId (e.g. provider:{id}:payable), one item per currency
    name: 'ledger_accounts',
    key: { pk: s('pk'), sk: s('currency') },
    indexes: [],
  },
  {
    // pk = tenantId#entryId; aggregateKey = tenantId#aggregateId (the payment or payout)
    name: 'journal_entries',
    key: { pk: s('pk') },
    indexes: [{ name: 'by_aggregate', pk: s('aggregateKey'), sk: n('position') }],
  },
  {
    // pk = tenantId#paymentId; dayKey = tenantId#YYYY-MM-DD for the per-day roll-up
    name: 'costs',
    key: { pk: s('pk') },
    indexes: [{ name: 'by_day', pk: s('dayKey'), sk: n('position') }],
  },
  {
    // pk = tenantId#idempotencyKey; kept at least 24 h (DESIGN.md §4), then expired by TTL
    name: 'idempotency',
    key: { pk: s('pk') },
    indexes: [],
    ttlAttribute: 'expiresAtEpochSeconds',
  },
  {
    // pk = tenantId; apiKeyHash = hash of a secret API key, for Bearer authentication
    name: 'tenants',
    key: { pk: s('pk') },
    indexes: [{ name: 'by_api_key_hash', pk: s('apiKeyHash') }],
  },
];

/** The DynamoDB attribute type of an attribute definition. */
export function dynamoType(a: AttrDef): 'S' | 'N' {
  return a.type === 'string' ? 'S' : 'N';
}
