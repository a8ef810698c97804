// The production read store on DynamoDB. Tables and global secondary indexes come from the same
// definitions as the SQLite tables (on-demand billing, indexes project all attributes). The
// version lives in the item as `__version`; every put is conditional on it:
//
//   attribute_not_exists(<pk>) OR __version < :v
//
// so redelivered and replayed events change nothing. Gets, table queries and scans are strongly
// consistent; index queries are eventually consistent in AWS (DynamoDB Local applies them at once).

import { setTimeout as sleep } from 'node:timers/promises';
import {
  CreateTableCommand,
  DeleteTableCommand,
  DescribeTableCommand,
  DynamoDBClient,
  type GlobalSecondaryIndex,
  ResourceNotFoundException,
  type TableDescription,
} from '@aws-sdk/client-dynamodb';
import {
  BatchGetCommand,
  type BatchGetCommandOutput,
  BatchWriteCommand,
  type BatchWriteCommandOutput,
  DeleteCommand,
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  type QueryCommandInput,
  type QueryCommandOutput,
  ScanCommand,
  TransactWriteCommand,
  type TransactWriteCommandInput,
} from '@aws-sdk/lib-dynamodb';
import { PaystreamError } from '@paystream/core';
import {
  type Attr,
  assertBulkLoad,
  assertLimit,
  assertPrefix,
  assertScanBound,
  assertTransaction,
  assertVersion,
  canonical,
  compareKeys,
  cursorKeyOf,
  DEFAULT_SCAN_MAX_ITEMS,
  decodeCursor,
  encodeCursor,
  findIndex,
  groupBatchGet,
  type IndexDef,
  type Item,
  type KeyInput,
  type KeyValue,
  keyOf,
  MAX_BATCH_GET_KEYS,
  type Page,
  type QueryOptions,
  type ReadStore,
  scanTooLarge,
  skConditionOf,
  type TableDef,
  type TableKey,
  VERSION_ATTRIBUTE,
  type VersionedItem,
  validateItem,
  type WriteOp,
} from './port.js';

export interface DynamoDbReadStoreOptions {
  region: string;
  endpoint?: string;
  credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
  /** Prefix for every table name, so a replay can build into a fresh namespace. */
  prefix?: string;
  maxAttempts?: number;
  /** Per-request socket timeout. Default 10 s. */
  requestTimeoutMs?: number;
  /** How long ensureTables waits for new tables and indexes to become ACTIVE. Default 120 s. */
  tableActiveTimeoutMs?: number;
}

type Keyed = Record<string, KeyValue>;

/** Transaction conflicts (another transaction touching an item) are retried this many times. */
const TRANSACTION_CONFLICT_RETRIES = 3;
/** BatchWriteItem takes at most 25 put requests. */
const BATCH_WRITE_ITEMS = 25;
/** Batches of one bulkLoad in flight at once. */
const BULK_LOAD_CONCURRENCY = 4;
/** Rounds a batch's unprocessed items are retried (with backoff) before the load fails. */
const UNPROCESSED_RETRIES = 8;

function errorName(err: unknown): string {
  return err instanceof Error ? err.name : 'UnknownError';
}

function attrType(a: Attr): 'S' | 'N' {
  return a.type === 'string' ? 'S' : 'N';
}

function keySchema(pk: Attr, sk: Attr | undefined) {
  return [
    { AttributeName: pk.name, KeyType: 'HASH' as const },
    ...(sk ? [{ AttributeName: sk.name, KeyType: 'RANGE' as const }] : []),
  ];
}

function sameKeySchema(
  actual: { AttributeName?: string; KeyType?: string }[] | undefined,
  expected: { AttributeName: string; KeyType: string }[],
): boolean {
  const norm = (ks: { AttributeName?: string; KeyType?: string }[]) =>
    JSON.stringify(ks.map((k) => [k.AttributeName, k.KeyType]).sort());
  return norm(actual ?? []) === norm(expected);
}

export class DynamoDbReadStore implements ReadStore {
  readonly #raw: DynamoDBClient;
  readonly #doc: DynamoDBDocumentClient;
  readonly #prefix: string;
  readonly #activeTimeoutMs: number;

  constructor(opts: DynamoDbReadStoreOptions) {
    this.#prefix = assertPrefix(opts.prefix ?? '');
    this.#activeTimeoutMs = opts.tableActiveTimeoutMs ?? 120_000;
    this.#raw = new DynamoDBClient({
      region: opts.region,
      maxAttempts: opts.maxAttempts ?? 3,
      // A stuck connection fails the request instead of hanging it.
      requestHandler: {
        connectionTimeout: 3_000,
        requestTimeout: opts.requestTimeoutMs ?? 10_000,
        throwOnRequestTimeout: true,
      },
      ...(opts.endpoint ? { endpoint: opts.endpoint } : {}),
      ...(opts.credentials ? { credentials: opts.credentials } : {}),
    });
    this.#doc = DynamoDBDocumentClient.from(this.#raw, {
      marshallOptions: { removeUndefinedValues: true, convertEmptyValues: false },
      unmarshallOptions: { wrapNumbers: false },
    });
  }

  /** The SDK client, for instrumentation (request counters); its DocumentClient shares its middleware. */
  get sdkClient(): DynamoDBClient {
    return this.#raw;
  }

  #name(def: TableDef): string {
    return `${this.#prefix}${def.name}`;
  }

  #unavailable(op: string, err: unknown): PaystreamError {
    if (err instanceof ResourceNotFoundException) {
      return new PaystreamError(
        'table_not_found',
        'read-model table does not exist; run ensureTables first',
        'table',
      );
    }
    if (err instanceof PaystreamError) return err;
    return new PaystreamError('readstore_unavailable', `DynamoDB ${op} failed: ${errorName(err)}`);
  }

  async #describe(name: string): Promise<TableDescription | null> {
    try {
      return (await this.#raw.send(new DescribeTableCommand({ TableName: name }))).Table ?? null;
    } catch (err) {
      if (err instanceof ResourceNotFoundException) return null;
      throw this.#unavailable('DescribeTable', err);
    }
  }

  #checkMatches(def: TableDef, t: TableDescription): void {
    const mismatch = () =>
      new PaystreamError(
        'table_definition_mismatch',
        `table ${this.#name(def)} exists with a different key or index definition`,
        'table',
      );
    if (!sameKeySchema(t.KeySchema, keySchema(def.pk, def.sk))) throw mismatch();
    const gsis = t.GlobalSecondaryIndexes ?? [];
    if (gsis.length !== def.indexes.length) throw mismatch();
    for (const ix of def.indexes) {
      const g = gsis.find((x) => x.IndexName === ix.name);
      if (!g || !sameKeySchema(g.KeySchema, keySchema(ix.pk, ix.sk))) throw mismatch();
    }
    const types = new Map((t.AttributeDefinitions ?? []).map((a) => [a.AttributeName, a.AttributeType]));
    for (const a of [def.pk, def.sk, ...def.indexes.flatMap((i) => [i.pk, i.sk])]) {
      if (a && types.get(a.name) !== attrType(a)) throw mismatch();
    }
  }

  async #create(def: TableDef): Promise<void> {
    const attrs = new Map<string, Attr>();
    for (const a of [def.pk, def.sk, ...def.indexes.flatMap((i) => [i.pk, i.sk])])
      if (a) attrs.set(a.name, a);
    const gsis: GlobalSecondaryIndex[] = def.indexes.map((ix) => ({
      IndexName: ix.name,
      KeySchema: keySchema(ix.pk, ix.sk),
      Projection: { ProjectionType: 'ALL' },
    }));
    try {
      await this.#raw.send(
        new CreateTableCommand({
          TableName: this.#name(def),
          BillingMode: 'PAY_PER_REQUEST',
          KeySchema: keySchema(def.pk, def.sk),
          AttributeDefinitions: [...attrs.values()].map((a) => ({
            AttributeName: a.name,
            AttributeType: attrType(a),
          })),
          ...(gsis.length > 0 ? { GlobalSecondaryIndexes: gsis } : {}),
        }),
      );
    } catch (err) {
      // Another process is creating it: fall through to the wait and the definition check.
      if (errorName(err) !== 'ResourceInUseException') throw this.#unavailable('CreateTable', err);
    }
  }

  async #waitActive(def: TableDef): Promise<TableDescription> {
    const deadline = Date.now() + this.#activeTimeoutMs;
    for (;;) {
      const t = await this.#describe(this.#name(def));
      const active =
        t?.TableStatus === 'ACTIVE' &&
        (t.GlobalSecondaryIndexes ?? []).every((g) => g.IndexStatus === 'ACTIVE');
      if (t && active) return t;
      if (Date.now() > deadline) {
        throw new PaystreamError(
          'readstore_unavailable',
          `table ${this.#name(def)} did not become ACTIVE in time`,
        );
      }
      await sleep(200);
    }
  }

  async ensureTables(defs: readonly TableDef[]): Promise<void> {
    for (const def of defs) {
      const existing = await this.#describe(this.#name(def));
      if (!existing) await this.#create(def);
      this.#checkMatches(def, await this.#waitActive(def));
    }
  }

  async dropTables(defs: readonly TableDef[]): Promise<void> {
    for (const def of defs) {
      try {
        await this.#raw.send(new DeleteTableCommand({ TableName: this.#name(def) }));
      } catch (err) {
        if (err instanceof ResourceNotFoundException) continue;
        throw this.#unavailable('DeleteTable', err);
      }
      const deadline = Date.now() + this.#activeTimeoutMs;
      while ((await this.#describe(this.#name(def))) !== null) {
        if (Date.now() > deadline)
          throw new PaystreamError('readstore_unavailable', 'table deletion timed out');
        await sleep(200);
      }
    }
  }

  #keyAttrs(table: TableDef, key: KeyInput): Keyed {
    const [pk, sk] = keyOf(table, key);
    return table.sk ? { [table.pk.name]: pk!, [table.sk.name]: sk! } : { [table.pk.name]: pk! };
  }

  #fromStored(stored: Record<string, unknown>): VersionedItem {
    const { [VERSION_ATTRIBUTE]: version, ...rest } = stored;
    return { item: canonical(rest as Item), version: Number(version) };
  }

  async get(table: TableDef, key: KeyInput): Promise<Item | null> {
    const Key = this.#keyAttrs(table, key);
    try {
      const out = await this.#doc.send(
        new GetCommand({ TableName: this.#name(table), Key, ConsistentRead: true }),
      );
      return out.Item ? this.#fromStored(out.Item).item : null;
    } catch (err) {
      throw this.#unavailable('GetItem', err);
    }
  }

  /**
   * BatchGetItem, strongly consistent, with up to MAX_BATCH_GET_KEYS distinct keys of any
   * tables per request; unprocessed keys are asked again (with backoff, bounded).
   */
  async batchGet(keys: readonly TableKey[]): Promise<(Item | null)[]> {
    const { tables, at } = groupBatchGet(keys);
    const byName = new Map<string, { table: TableDef; index: Map<string, number>; items: (Item | null)[] }>();
    const wanted: { name: string; key: Keyed }[] = [];
    for (const [table, list] of tables) {
      const name = this.#name(table);
      byName.set(name, {
        table,
        index: new Map(list.map((k, i) => [JSON.stringify(k), i])),
        items: new Array(list.length).fill(null),
      });
      for (const k of list) wanted.push({ name, key: this.#keyAttrs(table, this.#keyInput(table, k)) });
    }
    for (let start = 0; start < wanted.length; start += MAX_BATCH_GET_KEYS) {
      let pending: Record<string, { Keys: Keyed[]; ConsistentRead: true }> = {};
      for (const w of wanted.slice(start, start + MAX_BATCH_GET_KEYS)) {
        const forTable = pending[w.name] ?? { Keys: [], ConsistentRead: true };
        forTable.Keys.push(w.key);
        pending[w.name] = forTable;
      }
      for (let attempt = 0; Object.keys(pending).length > 0; attempt++) {
        if (attempt > UNPROCESSED_RETRIES) {
          throw new PaystreamError(
            'readstore_unavailable',
            `DynamoDB BatchGetItem left keys unprocessed after ${UNPROCESSED_RETRIES} retries`,
          );
        }
        if (attempt > 0) await sleep(Math.min(2_000, 25 * 2 ** attempt));
        let out: BatchGetCommandOutput;
        try {
          out = await this.#doc.send(new BatchGetCommand({ RequestItems: pending }));
        } catch (err) {
          throw this.#unavailable('BatchGetItem', err);
        }
        for (const [name, stored] of Object.entries(out.Responses ?? {})) {
          const t = byName.get(name);
          if (t === undefined) continue;
          for (const s of stored) {
            const { item } = this.#fromStored(s);
            const i = t.index.get(JSON.stringify(keyOf(t.table, item)));
            if (i !== undefined) t.items[i] = item;
          }
        }
        pending = (out.UnprocessedKeys ?? {}) as typeof pending;
      }
    }
    return at.map(({ table, index }) => byName.get(this.#name(table))!.items[index]!);
  }

  /** Key values (as keyOf gives them) back into a key object. */
  #keyInput(table: TableDef, k: readonly KeyValue[]): KeyInput {
    return table.sk ? { [table.pk.name]: k[0]!, [table.sk.name]: k[1]! } : { [table.pk.name]: k[0]! };
  }

  #putInput(table: TableDef, item: Item, version: number) {
    validateItem(table, item);
    assertVersion(version);
    return {
      TableName: this.#name(table),
      Item: { ...canonical(item), [VERSION_ATTRIBUTE]: version },
      ConditionExpression: 'attribute_not_exists(#pk) OR #v < :v',
      ExpressionAttributeNames: { '#pk': table.pk.name, '#v': VERSION_ATTRIBUTE },
      ExpressionAttributeValues: { ':v': version },
    };
  }

  async putIfNewer(table: TableDef, item: Item, version: number): Promise<boolean> {
    const input = this.#putInput(table, item, version);
    try {
      await this.#doc.send(new PutCommand(input));
      return true;
    } catch (err) {
      if (errorName(err) === 'ConditionalCheckFailedException') return false;
      throw this.#unavailable('PutItem', err);
    }
  }

  async delete(table: TableDef, key: KeyInput): Promise<void> {
    const Key = this.#keyAttrs(table, key);
    try {
      await this.#doc.send(new DeleteCommand({ TableName: this.#name(table), Key }));
    } catch (err) {
      throw this.#unavailable('DeleteItem', err);
    }
  }

  async transactWrite(ops: readonly WriteOp[]): Promise<boolean> {
    assertTransaction(ops);
    const items: NonNullable<TransactWriteCommandInput['TransactItems']> = ops.map((op) =>
      op.type === 'putIfNewer'
        ? { Put: this.#putInput(op.table, op.item, op.version) }
        : { Delete: { TableName: this.#name(op.table), Key: this.#keyAttrs(op.table, op.key) } },
    );
    for (let attempt = 0; ; attempt++) {
      try {
        await this.#doc.send(new TransactWriteCommand({ TransactItems: items }));
        return true;
      } catch (err) {
        if (errorName(err) !== 'TransactionCanceledException')
          throw this.#unavailable('TransactWriteItems', err);
        const reasons = (err as { CancellationReasons?: { Code?: string }[] }).CancellationReasons ?? [];
        const codes = reasons.map((r) => r.Code ?? 'None');
        if (codes.includes('ConditionalCheckFailed')) return false;
        if (codes.includes('TransactionConflict') && attempt < TRANSACTION_CONFLICT_RETRIES) {
          await sleep(20 * 2 ** attempt);
          continue;
        }
        throw new PaystreamError(
          'readstore_unavailable',
          `DynamoDB transaction cancelled: ${codes.join(',')}`,
        );
      }
    }
  }

  /** BatchWriteItem in batches of 25 (a few in flight); unprocessed items are retried, bounded. */
  async bulkLoad(table: TableDef, items: readonly VersionedItem[]): Promise<void> {
    assertBulkLoad(table, items);
    const name = this.#name(table);
    const requests = items.map((v) => ({
      PutRequest: { Item: { ...canonical(v.item), [VERSION_ATTRIBUTE]: v.version } },
    }));
    const batches: (typeof requests)[] = [];
    for (let i = 0; i < requests.length; i += BATCH_WRITE_ITEMS)
      batches.push(requests.slice(i, i + BATCH_WRITE_ITEMS));
    const writeBatch = async (batch: typeof requests): Promise<void> => {
      let pending = batch;
      for (let attempt = 0; pending.length > 0; attempt++) {
        if (attempt > UNPROCESSED_RETRIES) {
          throw new PaystreamError(
            'readstore_unavailable',
            `DynamoDB BatchWriteItem left ${pending.length} items unprocessed after ${UNPROCESSED_RETRIES} retries`,
          );
        }
        if (attempt > 0) await sleep(Math.min(2_000, 25 * 2 ** attempt));
        let out: BatchWriteCommandOutput;
        try {
          out = await this.#doc.send(new BatchWriteCommand({ RequestItems: { [name]: pending } }));
        } catch (err) {
          throw this.#unavailable('BatchWriteItem', err);
        }
        pending = (out.UnprocessedItems?.[name] ?? []) as typeof requests;
      }
    };
    for (let i = 0; i < batches.length; i += BULK_LOAD_CONCURRENCY) {
      await Promise.all(batches.slice(i, i + BULK_LOAD_CONCURRENCY).map(writeBatch));
    }
  }

  async query(table: TableDef, opts: QueryOptions): Promise<Page> {
    assertLimit(opts.limit);
    const ix: IndexDef | undefined = opts.index === undefined ? undefined : findIndex(table, opts.index);
    const pkAttr = ix ? ix.pk : table.pk;
    const skAttr = ix ? ix.sk : table.sk;
    if (pkAttr.type === 'string' ? typeof opts.pk !== 'string' : !Number.isSafeInteger(opts.pk)) {
      throw new PaystreamError('invalid_query', `pk must be a ${pkAttr.type}`, 'pk');
    }
    const cond = skConditionOf(skAttr, opts);
    const names: Record<string, string> = { '#pk': pkAttr.name };
    const values: Record<string, KeyValue> = { ':pk': opts.pk };
    let expr = '#pk = :pk';
    if (cond && skAttr) {
      names['#sk'] = skAttr.name;
      if (cond.kind === 'prefix') {
        expr += ' AND begins_with(#sk, :prefix)';
        values[':prefix'] = cond.prefix;
      } else if (cond.gte !== undefined && cond.lte !== undefined) {
        expr += ' AND #sk BETWEEN :gte AND :lte';
        values[':gte'] = cond.gte;
        values[':lte'] = cond.lte;
      } else if (cond.gte !== undefined) {
        expr += ' AND #sk >= :gte';
        values[':gte'] = cond.gte;
      } else if (cond.lte !== undefined) {
        expr += ' AND #sk <= :lte';
        values[':lte'] = cond.lte;
      }
    }
    let startKey: Keyed | undefined;
    if (opts.cursor !== undefined) {
      const k = decodeCursor(table, ix, opts.pk, opts.cursor);
      const attrs = [...(ix ? [ix.pk, ix.sk] : []), table.pk, table.sk].filter(
        (a): a is Attr => a !== undefined,
      );
      startKey = Object.fromEntries(attrs.map((a, i) => [a.name, k[i]!]));
    }
    // DynamoDB BETWEEN with gte > lte is an error; SQLite returns nothing. Agree on nothing.
    if (
      cond?.kind === 'range' &&
      cond.gte !== undefined &&
      cond.lte !== undefined &&
      compareKeys([cond.gte], [cond.lte]) > 0
    ) {
      return { items: [], nextCursor: null };
    }
    // Ask for one item more than the page so nextCursor is non-null exactly when more follow.
    // A response can stop short of Limit (1 MB per page), hence the loop; it is bounded because
    // every round either adds items or ends.
    const want = opts.limit + 1;
    const collected: Record<string, unknown>[] = [];
    for (;;) {
      const input: QueryCommandInput = {
        TableName: this.#name(table),
        KeyConditionExpression: expr,
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: values,
        Limit: want - collected.length,
        ScanIndexForward: !opts.descending,
        ...(ix ? { IndexName: ix.name } : { ConsistentRead: true }),
        ...(startKey ? { ExclusiveStartKey: startKey } : {}),
      };
      let out: QueryCommandOutput;
      try {
        out = await this.#doc.send(new QueryCommand(input));
      } catch (err) {
        throw this.#unavailable('Query', err);
      }
      collected.push(...(out.Items ?? []));
      if (!out.LastEvaluatedKey || collected.length >= want) break;
      startKey = out.LastEvaluatedKey as Keyed;
    }
    const items = collected.slice(0, opts.limit).map((s) => this.#fromStored(s).item);
    const last = items[items.length - 1];
    const nextCursor =
      collected.length > opts.limit && last
        ? encodeCursor(table, ix, opts.pk, cursorKeyOf(table, ix, last))
        : null;
    return { items, nextCursor };
  }

  async scan(table: TableDef, maxItems = DEFAULT_SCAN_MAX_ITEMS): Promise<VersionedItem[]> {
    assertScanBound(maxItems);
    const rows: VersionedItem[] = [];
    let startKey: Record<string, unknown> | undefined;
    do {
      let out: { Items?: Record<string, unknown>[]; LastEvaluatedKey?: Record<string, unknown> };
      try {
        out = await this.#doc.send(
          new ScanCommand({
            TableName: this.#name(table),
            ConsistentRead: true,
            ...(startKey ? { ExclusiveStartKey: startKey } : {}),
          }),
        );
      } catch (err) {
        throw this.#unavailable('Scan', err);
      }
      for (const s of out.Items ?? []) rows.push(this.#fromStored(s));
      if (rows.length > maxItems) throw scanTooLarge(table, maxItems);
      startKey = out.LastEvaluatedKey;
    } while (startKey);
    // Scan order is hash order; sort into key order so both adapters compare equal.
    return rows.sort((a, b) => compareKeys(keyOf(table, a.item), keyOf(table, b.item)));
  }

  async close(): Promise<void> {
    this.#doc.destroy();
    this.#raw.destroy();
  }
}
