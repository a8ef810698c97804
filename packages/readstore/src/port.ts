// The read-model store port. Projections write read models here and the read API queries them.
// Tables are defined in code (defineTable) and created idempotently from those definitions, so
// SQLite and DynamoDB hold the same shapes and a replay can build them again in a fresh
// namespace (the table-name prefix) and compare.
//
// Every write is version-checked: putIfNewer writes only when the stored version is lower or
// absent. Projections pass the event's position as the version, so a redelivered or replayed
// event changes nothing. Items are plain JSON whose numbers are all safe integers (money is
// integer minor units; nothing in a read model is a float).

import { PaystreamError } from '@paystream/core';

export type JsonPrimitive = string | number | boolean | null;
export type JsonValue = JsonPrimitive | JsonValue[] | { [key: string]: JsonValue };
export type Item = { [attribute: string]: JsonValue };
export type KeyValue = string | number;
/** The key attributes of an item (extra attributes are ignored, so an item is a valid key). */
export type KeyInput = { [attribute: string]: JsonValue };

export type AttrType = 'string' | 'number';
export interface Attr {
  readonly name: string;
  readonly type: AttrType;
}
/** An attribute name (a string key) or a name with its type. */
export type AttrInput = string | { name: string; type: AttrType };

export interface IndexDef {
  readonly name: string;
  readonly pk: Attr;
  readonly sk?: Attr;
}

export interface TableDef {
  readonly name: string;
  readonly pk: Attr;
  readonly sk?: Attr;
  readonly indexes: readonly IndexDef[];
}

export interface TableDefInput {
  name: string;
  key: { pk: AttrInput; sk?: AttrInput };
  indexes?: { name: string; pk: AttrInput; sk?: AttrInput }[];
}

export interface VersionedItem {
  item: Item;
  version: number;
}

/** An item as a store holds it (see ReadStore.scanText). */
export interface StoredItem {
  readonly key: KeyValue[];
  readonly version: number;
  readonly json: string;
}

export interface QueryOptions {
  /** Query a secondary index instead of the table's own key. */
  index?: string;
  /** The partition-key value (of the index when `index` is given). */
  pk: KeyValue;
  /** Only sort keys starting with this string. */
  skPrefix?: string;
  /** Only sort keys within these inclusive bounds. Not together with skPrefix. */
  range?: { gte?: KeyValue; lte?: KeyValue };
  /** Page size, 1..MAX_QUERY_LIMIT. */
  limit: number;
  /** From a previous page's nextCursor. */
  cursor?: string;
  /**
   * Sort-key order, ascending by default. Items tied on an index sort key come in an order that
   * is stable for paging but engine-specific (DynamoDB does not use the table key), so callers
   * must not rely on it.
   */
  descending?: boolean;
}

export interface Page {
  items: Item[];
  /** Non-null exactly when more items follow. Opaque. */
  nextCursor: string | null;
}

export type WriteOp =
  | { type: 'putIfNewer'; table: TableDef; item: Item; version: number }
  | { type: 'delete'; table: TableDef; key: KeyInput };

/** One item to read in a batchGet: its table and key. */
export interface TableKey {
  readonly table: TableDef;
  readonly key: KeyInput;
}

export interface ReadStore {
  /** Creates missing tables and indexes; an existing table must match its definition. */
  ensureTables(defs: readonly TableDef[]): Promise<void>;
  /** Drops the tables (replay namespaces); missing tables are ignored. */
  dropTables(defs: readonly TableDef[]): Promise<void>;
  get(table: TableDef, key: KeyInput): Promise<Item | null>;
  /**
   * Many items, of one or several tables, as get would return each (null: absent), in the
   * order asked; a key asked twice is read once. Every key is validated before anything is
   * read. DynamoDB reads them with one BatchGetItem per MAX_BATCH_GET_KEYS distinct keys,
   * SQLite with one statement per table: a consumer batch's reads cost one round trip, not one
   * per event.
   */
  batchGet(keys: readonly TableKey[]): Promise<(Item | null)[]>;
  /** Writes when the stored version is lower or absent; returns whether it wrote. */
  putIfNewer(table: TableDef, item: Item, version: number): Promise<boolean>;
  delete(table: TableDef, key: KeyInput): Promise<void>;
  query(table: TableDef, opts: QueryOptions): Promise<Page>;
  /**
   * All or nothing, at most MAX_TRANSACTION_ITEMS ops, each item at most once. Returns false
   * and writes nothing when any putIfNewer finds a stored version that is not lower.
   */
  transactWrite(ops: readonly WriteOp[]): Promise<boolean>;
  /**
   * Optional fast path for a namespace with a single writer (a replay building a fresh
   * namespace): writes every item with its version, unconditionally — an item already stored
   * under the same key is replaced whatever its version. At most MAX_BULK_LOAD_ITEMS items, each
   * key at most once; all items are validated before anything is written. Not atomic as a
   * whole (DynamoDB writes it in batches of 25): a failed call may leave some items written, so
   * the caller must be able to start over (replay drops the namespace).
   */
  bulkLoad?(table: TableDef, items: readonly VersionedItem[]): Promise<void>;
  /** Every item with its version, in key order, for replay comparison. Bounded by maxItems. */
  scan(table: TableDef, maxItems?: number): Promise<VersionedItem[]>;
  /**
   * Optional: scan without parsing — every item's key values, version and JSON text as stored
   * (canonical JSON, as validateItem writes it), in key order. Lets a comparison of two stores
   * compare texts and parse only the items whose texts differ.
   */
  scanText?(table: TableDef, maxItems?: number): Promise<StoredItem[]>;
  close(): Promise<void>;
}

/** DynamoDB TransactWriteItems accepts at most 100 actions; SQLite enforces the same. */
export const MAX_TRANSACTION_ITEMS = 100;
export const MAX_QUERY_LIMIT = 1000;
/** DynamoDB BatchGetItem reads at most 100 keys per request. */
export const MAX_BATCH_GET_KEYS = 100;
/** Items per bulkLoad call: bounds the memory a call holds (validated JSON of every item). */
export const MAX_BULK_LOAD_ITEMS = 50_000;
export const DEFAULT_SCAN_MAX_ITEMS = 1_000_000;
/** DynamoDB's item limit is 400 KB including names; keep a margin for our own attributes. */
export const MAX_ITEM_BYTES = 350 * 1024;
/** DynamoDB: partition keys up to 2048 bytes, sort keys up to 1024. One bound for both. */
export const MAX_KEY_BYTES = 1024;
/** Attribute used for the version in stores that keep it inside the item. */
export const VERSION_ATTRIBUTE = '__version';

const TABLE_NAME = /^[A-Za-z][A-Za-z0-9_]{2,63}$/;
const ATTR_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;
export const PREFIX = /^([A-Za-z][A-Za-z0-9_]{0,31})?$/;

function configError(message: string, field: string): PaystreamError {
  return new PaystreamError('invalid_table_definition', message, field);
}

function attr(input: AttrInput, field: string): Attr {
  const a = typeof input === 'string' ? { name: input, type: 'string' as const } : input;
  if (!ATTR_NAME.test(a.name) || a.name.startsWith('__')) {
    throw configError(`${field}: attribute name ${JSON.stringify(a.name)} is not allowed`, field);
  }
  if (a.type !== 'string' && a.type !== 'number')
    throw configError(`${field}: type must be string or number`, field);
  return Object.freeze({ name: a.name, type: a.type });
}

export function defineTable(input: TableDefInput): TableDef {
  if (!TABLE_NAME.test(input.name)) {
    throw configError(`table name ${JSON.stringify(input.name)} must match ${TABLE_NAME}`, 'name');
  }
  const pk = attr(input.key.pk, 'key.pk');
  const sk = input.key.sk === undefined ? undefined : attr(input.key.sk, 'key.sk');
  if (sk && sk.name === pk.name) throw configError('sort key must differ from partition key', 'key.sk');
  const seen = new Set<string>();
  const indexes = (input.indexes ?? []).map((ix, i) => {
    if (!TABLE_NAME.test(ix.name))
      throw configError(`index name ${JSON.stringify(ix.name)} is not allowed`, `indexes.${i}`);
    if (seen.has(ix.name)) throw configError(`index ${ix.name} is defined twice`, `indexes.${i}`);
    seen.add(ix.name);
    const ipk = attr(ix.pk, `indexes.${i}.pk`);
    const isk = ix.sk === undefined ? undefined : attr(ix.sk, `indexes.${i}.sk`);
    if (isk && isk.name === ipk.name)
      throw configError('index sort key must differ from its partition key', `indexes.${i}`);
    return Object.freeze(isk ? { name: ix.name, pk: ipk, sk: isk } : { name: ix.name, pk: ipk });
  });
  // An attribute has one type everywhere (DynamoDB AttributeDefinitions demand it).
  const types = new Map<string, AttrType>();
  for (const a of [pk, sk, ...indexes.flatMap((ix) => [ix.pk, ix.sk])]) {
    if (!a) continue;
    const t = types.get(a.name);
    if (t && t !== a.type)
      throw configError(`attribute ${a.name} is declared both ${t} and ${a.type}`, a.name);
    types.set(a.name, a.type);
  }
  return Object.freeze(sk ? { name: input.name, pk, sk, indexes } : { name: input.name, pk, indexes });
}

/** The definition as stored beside a table, to detect a changed definition. */
export function definitionFingerprint(def: TableDef): string {
  return JSON.stringify({
    pk: def.pk,
    sk: def.sk ?? null,
    indexes: def.indexes.map((i) => [i.name, i.pk, i.sk ?? null]),
  });
}

export function assertPrefix(prefix: string): string {
  if (!PREFIX.test(prefix)) {
    throw new PaystreamError('invalid_config', `table prefix must match ${PREFIX}`, 'prefix');
  }
  return prefix;
}

export function findIndex(table: TableDef, name: string): IndexDef {
  const ix = table.indexes.find((i) => i.name === name);
  if (!ix) throw new PaystreamError('unknown_index', `table ${table.name} has no index ${name}`, 'index');
  return ix;
}

// ---- validation ----------------------------------------------------------------------------

function invalidItem(message: string, field?: string): PaystreamError {
  return new PaystreamError('invalid_item', message, field);
}

/**
 * Checks that `value` is plain JSON with safe-integer numbers. The path of the offending value
 * (`item.a[2].b`) is only spelled out when a check fails: building it for every attribute cost
 * more than the checks themselves on replay's bulk loads.
 */
function checkJson(value: unknown, path: string, depth: number): void {
  walkJson(value, depth, path, []);
}

function failJson(root: string, trail: readonly (string | number)[], message: (at: string) => string): never {
  let at = root;
  for (const step of trail) at += typeof step === 'number' ? `[${step}]` : `.${step}`;
  throw invalidItem(message(at), at);
}

function walkJson(v: unknown, depth: number, root: string, trail: (string | number)[]): void {
  if (depth > 32) failJson(root, trail, (at) => `${at} is nested too deeply`);
  if (v === null || typeof v === 'string' || typeof v === 'boolean') return;
  if (typeof v === 'number') {
    if (!Number.isSafeInteger(v)) {
      failJson(
        root,
        trail,
        (at) => `${at} must be a safe integer; read models hold no floats (money is minor units)`,
      );
    }
    return;
  }
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) {
      trail.push(i);
      walkJson(v[i], depth + 1, root, trail);
      trail.pop();
    }
    return;
  }
  if (typeof v === 'object' && Object.getPrototypeOf(v) === Object.prototype) {
    const o = v as Record<string, unknown>;
    for (const k of Object.keys(o)) {
      if (k === '') failJson(root, trail, (at) => `${at} has an empty attribute name`);
      const x = o[k];
      if (x === undefined) continue;
      // Strings, booleans and null need no descent unless they sit too deep.
      if ((typeof x === 'string' || typeof x === 'boolean' || x === null) && depth < 32) continue;
      trail.push(k);
      walkJson(x, depth + 1, root, trail);
      trail.pop();
    }
    return;
  }
  failJson(root, trail, (at) => `${at} is not a JSON value`);
}

function checkKeyValue(a: Attr, value: unknown, what: string): KeyValue {
  if (a.type === 'string') {
    if (typeof value !== 'string' || value.length === 0)
      throw invalidItem(`${what} ${a.name} must be a non-empty string`, a.name);
    if (Buffer.byteLength(value, 'utf8') > MAX_KEY_BYTES)
      throw invalidItem(`${what} ${a.name} is too long`, a.name);
    return value;
  }
  if (typeof value !== 'number' || !Number.isSafeInteger(value)) {
    throw invalidItem(`${what} ${a.name} must be a safe integer`, a.name);
  }
  return value;
}

export function keyOf(table: TableDef, key: KeyInput): KeyValue[] {
  if (typeof key !== 'object' || key === null) throw invalidItem('key must be an object', 'key');
  const pk = checkKeyValue(table.pk, key[table.pk.name], 'key attribute');
  return table.sk ? [pk, checkKeyValue(table.sk, key[table.sk.name], 'key attribute')] : [pk];
}

/** The index key values of an item, or null when the item is not in that (sparse) index. */
export function indexKeyOf(ix: IndexDef, item: Item): KeyValue[] | null {
  const pkv = item[ix.pk.name];
  const skv = ix.sk ? item[ix.sk.name] : undefined;
  if (pkv === undefined || (ix.sk && skv === undefined)) return null;
  const pk = checkKeyValue(ix.pk, pkv, `index ${ix.name} attribute`);
  return ix.sk ? [pk, checkKeyValue(ix.sk, skv, `index ${ix.name} attribute`)] : [pk];
}

/** Validates an item and returns its canonical JSON text. */
export function validateItem(table: TableDef, item: Item): string {
  return validated(table, item).json;
}

/** validateItem, also returning the item's key (keyOf), which bulk loads need as well. */
function validated(table: TableDef, item: Item): { json: string; key: KeyValue[] } {
  ONE_ITEM.clear();
  const key = ONE_ITEM.item(table, item);
  return { json: ONE_ITEM.text(), key };
}

/**
 * The canonical JSON of an item the one-pass writer (CanonicalBytes) did not take: refuses it
 * the way validateItem always has (reserved names first, then what checkJson finds, with its
 * path), or writes it by the definition (an item with a `__proto__` attribute, which the copy
 * drops).
 */
function canonicalJsonOfUnusual(item: Item): string {
  for (const k of Object.keys(item)) {
    if (k.startsWith('__')) throw invalidItem(`attribute names starting with __ are reserved: ${k}`, k);
  }
  checkJson(item, 'item', 0);
  return JSON.stringify(canonical(item));
}

/**
 * batchGet's keys, validated, grouped by table with duplicates removed: per table, the distinct
 * keys (their key values) and for each input position the index of its key in that list.
 */
export function groupBatchGet(keys: readonly TableKey[]): {
  tables: Map<TableDef, KeyValue[][]>;
  at: { table: TableDef; index: number }[];
} {
  const tables = new Map<TableDef, KeyValue[][]>();
  const seen = new Map<TableDef, Map<string, number>>();
  const at: { table: TableDef; index: number }[] = [];
  for (const { table, key } of keys) {
    const k = keyOf(table, key);
    let list = tables.get(table);
    let ids = seen.get(table);
    if (list === undefined || ids === undefined) {
      list = [];
      ids = new Map();
      tables.set(table, list);
      seen.set(table, ids);
    }
    const id = JSON.stringify(k);
    let index = ids.get(id);
    if (index === undefined) {
      index = list.length;
      list.push(k);
      ids.set(id, index);
    }
    at.push({ table, index });
  }
  return { tables, at };
}

export function assertVersion(version: number): void {
  if (!Number.isSafeInteger(version) || version < 0) {
    throw new PaystreamError(
      'invalid_version',
      `version must be a non-negative safe integer, got ${version}`,
      'version',
    );
  }
}

export function assertLimit(limit: number): void {
  if (!Number.isSafeInteger(limit) || limit < 1 || limit > MAX_QUERY_LIMIT) {
    throw new PaystreamError('invalid_limit', `limit must be 1..${MAX_QUERY_LIMIT}`, 'limit');
  }
}

export function assertTransaction(ops: readonly WriteOp[]): void {
  if (ops.length === 0)
    throw new PaystreamError('invalid_transaction', 'a transaction needs at least one op', 'ops');
  if (ops.length > MAX_TRANSACTION_ITEMS) {
    throw new PaystreamError(
      'transaction_too_large',
      `a transaction holds at most ${MAX_TRANSACTION_ITEMS} ops (DynamoDB TransactWriteItems), got ${ops.length}`,
      'ops',
    );
  }
  const seen = new Set<string>();
  for (const op of ops) {
    const key = op.type === 'putIfNewer' ? op.item : op.key;
    if (op.type === 'putIfNewer') {
      validateItem(op.table, op.item);
      assertVersion(op.version);
    }
    const id = JSON.stringify([op.table.name, keyOf(op.table, key)]);
    if (seen.has(id)) {
      throw new PaystreamError(
        'duplicate_item_in_transaction',
        `a transaction may touch each item once (${op.table.name})`,
        'ops',
      );
    }
    seen.add(id);
  }
}

/** A bulk-loaded item after validation: its key values and canonical JSON. */
export interface ValidatedItem {
  readonly key: KeyValue[];
  readonly json: string;
  readonly version: number;
}

/** Validates a bulkLoad call once, before anything is written; returns every item's key and JSON. */
export function assertBulkLoad(table: TableDef, items: readonly VersionedItem[]): ValidatedItem[] {
  assertBulkLoadSize(items);
  // Keys of one attribute are told apart by value (a table's key attribute has one type).
  const seen = new Set<KeyValue>();
  const out: ValidatedItem[] = new Array(items.length);
  for (let i = 0; i < items.length; i++) {
    const v = items[i]!;
    const { json, key } = validated(table, v.item);
    assertVersion(v.version);
    assertFirstOf(seen, table, key);
    out[i] = { key, json, version: v.version };
  }
  return out;
}

function assertBulkLoadSize(items: readonly VersionedItem[]): void {
  if (!Array.isArray(items)) throw invalidItem('items must be an array', 'items');
  if (items.length > MAX_BULK_LOAD_ITEMS) {
    throw new PaystreamError(
      'bulk_load_too_large',
      `bulkLoad takes at most ${MAX_BULK_LOAD_ITEMS} items, got ${items.length}`,
      'items',
    );
  }
}

function assertFirstOf(seen: Set<KeyValue>, table: TableDef, key: KeyValue[]): void {
  const id = key.length === 1 ? key[0]! : JSON.stringify(key);
  if (seen.has(id)) {
    throw new PaystreamError(
      'duplicate_item_in_bulk_load',
      `a bulk load may hold each item once (${table.name} ${JSON.stringify(key)})`,
      'items',
    );
  }
  seen.add(id);
}

/** A bulkLoad call validated as assertBulkLoad does, with the JSON texts as UTF-8 bytes. */
export interface EncodedBulkLoad {
  readonly keys: KeyValue[][];
  /** Every item's canonical JSON, one after the other; item i ends at ends[i]. */
  readonly text: Buffer;
  readonly ends: Float64Array;
}

/**
 * assertBulkLoad for a store that wants the texts as UTF-8 bytes (SqliteReadStore's writer
 * thread): the same checks and errors, in the same order, and the same bytes, but written
 * straight into one buffer instead of built as strings and then encoded. `text` owns its
 * memory (it can be moved to another thread).
 */
export function encodeBulkLoad(table: TableDef, items: readonly VersionedItem[]): EncodedBulkLoad {
  assertBulkLoadSize(items);
  const seen = new Set<KeyValue>();
  const keys: KeyValue[][] = new Array(items.length);
  const ends = new Float64Array(items.length);
  const w = new CanonicalBytes(items.length * 512); // replay's items average about 500 bytes
  for (let i = 0; i < items.length; i++) {
    const v = items[i]!;
    keys[i] = w.item(table, v.item);
    assertVersion(v.version);
    assertFirstOf(seen, table, keys[i]!);
    ends[i] = w.length;
  }
  return { keys, text: w.take(), ends };
}

/** Sort-key condition of a query, validated against the attribute type. */
export type SkCondition =
  | { kind: 'prefix'; prefix: string }
  | { kind: 'range'; gte?: KeyValue; lte?: KeyValue }
  | null;

export function skConditionOf(sk: Attr | undefined, opts: QueryOptions): SkCondition {
  if (opts.skPrefix === undefined && opts.range === undefined) return null;
  if (!sk) throw new PaystreamError('invalid_query', 'this key has no sort key to filter on', 'skPrefix');
  if (opts.skPrefix !== undefined && opts.range !== undefined) {
    throw new PaystreamError('invalid_query', 'use skPrefix or range, not both', 'range');
  }
  if (opts.skPrefix !== undefined) {
    if (sk.type !== 'string' || typeof opts.skPrefix !== 'string' || opts.skPrefix === '') {
      throw new PaystreamError(
        'invalid_query',
        'skPrefix needs a string sort key and a non-empty prefix',
        'skPrefix',
      );
    }
    return { kind: 'prefix', prefix: opts.skPrefix };
  }
  const r = opts.range ?? {};
  if (r.gte === undefined && r.lte === undefined) return null;
  for (const v of [r.gte, r.lte]) if (v !== undefined) checkKeyValue(sk, v, 'range bound');
  return {
    kind: 'range',
    ...(r.gte !== undefined ? { gte: r.gte } : {}),
    ...(r.lte !== undefined ? { lte: r.lte } : {}),
  };
}

// ---- cursors ------------------------------------------------------------------------------

interface CursorBody {
  t: string;
  i: string | null;
  p: KeyValue;
  k: KeyValue[];
}

/**
 * The key attributes of the last item of a page, in the order [index pk, index sk?, pk, sk?]
 * (index queries) or [pk, sk?]. Both adapters resume strictly after that key.
 */
export function cursorKeyOf(table: TableDef, ix: IndexDef | undefined, item: Item): KeyValue[] {
  const base = keyOf(table, item);
  if (!ix) return base;
  const ik = indexKeyOf(ix, item);
  if (!ik) throw new PaystreamError('invalid_cursor', 'item is not in the index');
  return [...ik, ...base];
}

export function encodeCursor(
  table: TableDef,
  ix: IndexDef | undefined,
  pk: KeyValue,
  key: KeyValue[],
): string {
  const body: CursorBody = { t: table.name, i: ix?.name ?? null, p: pk, k: key };
  return Buffer.from(JSON.stringify(body), 'utf8').toString('base64url');
}

export function decodeCursor(
  table: TableDef,
  ix: IndexDef | undefined,
  pk: KeyValue,
  cursor: string,
): KeyValue[] {
  const bad = () => new PaystreamError('invalid_cursor', 'cursor is not valid for this query', 'cursor');
  let body: CursorBody;
  try {
    if (!/^[A-Za-z0-9_-]+$/.test(cursor)) throw bad();
    body = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as CursorBody;
  } catch {
    throw bad();
  }
  if (
    typeof body !== 'object' ||
    body === null ||
    body.t !== table.name ||
    body.i !== (ix?.name ?? null) ||
    body.p !== pk
  ) {
    throw bad();
  }
  const attrs = [...(ix ? [ix.pk, ix.sk] : []), table.pk, table.sk].filter((a): a is Attr => a !== undefined);
  if (!Array.isArray(body.k) || body.k.length !== attrs.length) throw bad();
  attrs.forEach((a, i) => {
    const v = body.k[i];
    if (a.type === 'string' ? typeof v !== 'string' : !Number.isSafeInteger(v)) throw bad();
  });
  return body.k;
}

// ---- ordering and shape -------------------------------------------------------------------

/** Objects with keys sorted, recursively: both adapters return the same shape, byte for byte. */
export function canonical<T extends JsonValue>(value: T): T {
  if (Array.isArray(value)) return value.map((v) => canonical(v)) as T;
  if (value !== null && typeof value === 'object') {
    const out: { [k: string]: JsonValue } = {};
    for (const k of sortedKeys(value)) {
      const v = (value as { [k: string]: JsonValue })[k];
      if (v !== undefined) out[k] = canonical(v);
    }
    return out as T;
  }
  return value;
}

/** An object's attributes as found and sorted. */
interface KeyOrder {
  readonly keys: string[];
  readonly sorted: string[];
  /**
   * The order JSON.stringify writes canonical's copy in: integer-like names first, in numeric
   * order (objects enumerate them that way whatever the insertion order), then the rest sorted.
   */
  readonly written: string[];
  /** For each name in `written`, its position in `keys`. */
  readonly at: number[];
  /** A name starting with `__` (reserved on items). */
  readonly reserved: boolean;
  /** An empty name (refused) or `__proto__` (dropped by canonical's copy). */
  readonly unusual: boolean;
}

/**
 * Attribute orders seen before and their sorted orders, by first attribute. Items of one table
 * come in a handful of orders (the projections build them with literals), so sorting each one's
 * keys again was a third of canonical(). Bounded: user-defined maps (payment metadata) bring
 * orders of their own, and past the bounds keys are simply sorted.
 */
const SORTED_ORDERS = new Map<string, KeyOrder[]>();
const MAX_ORDER_FIRST_KEYS = 256;
const MAX_ORDERS_PER_FIRST_KEY = 8;
const MAX_ORDER_KEYS = 64;

function sortedKeys(o: object): string[] {
  const keys = Object.keys(o);
  return keys.length < 2 ? keys : sortedOrder(o, keys).sorted;
}

function keyOrder(keys: string[], sorted: string[]): KeyOrder {
  const copy: Record<string, number> = {};
  for (const k of sorted) copy[k] = 0;
  const written = Object.keys(copy);
  const position = new Map(keys.map((k, i) => [k, i]));
  return {
    keys,
    sorted,
    written,
    at: written.map((k) => position.get(k)!),
    reserved: keys.some((k) => k.startsWith('__')),
    unusual: keys.some((k) => k === '' || k === '__proto__'),
  };
}

const NO_KEYS: KeyOrder = keyOrder([], []);

function sortedOrder(o: object, keys = Object.keys(o)): KeyOrder {
  const n = keys.length;
  if (n === 0) return NO_KEYS;
  if (n > MAX_ORDER_KEYS) return keyOrder(keys, [...keys].sort());
  const first = keys[0]!;
  let known = SORTED_ORDERS.get(first);
  if (known !== undefined) {
    next: for (const order of known) {
      if (order.keys.length !== n) continue;
      for (let i = 1; i < n; i++) if (order.keys[i] !== keys[i]) continue next;
      return order;
    }
  } else if (SORTED_ORDERS.size < MAX_ORDER_FIRST_KEYS) {
    known = [];
    SORTED_ORDERS.set(first, known);
  }
  const order = keyOrder(keys, [...keys].sort());
  if (known !== undefined && known.length < MAX_ORDERS_PER_FIRST_KEY) known.push(order);
  return order;
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;

/**
 * Canonical JSON (JSON.stringify(canonical(item)), byte for byte) as UTF-8, appended to a
 * growing buffer in one pass: no sorted copy, no string per attribute, no text to encode for a
 * bulk load. Strings of printable ASCII (nearly all: ids, codes, names) are copied byte by byte;
 * any other string is written as JSON.stringify writes it. Replay writes every item through
 * here, and the walk, the copy and their garbage were most of a bulk load's cost.
 */
class CanonicalBytes {
  #buf: Buffer;
  #at = 0;

  constructor(capacity = 1 << 16) {
    this.#buf = Buffer.allocUnsafe(capacity);
  }

  get length(): number {
    return this.#at;
  }

  /** Validates `item` as validateItem does and appends its canonical JSON; returns its key. */
  item(table: TableDef, item: Item): KeyValue[] {
    if (typeof item !== 'object' || item === null || Array.isArray(item))
      throw invalidItem('item must be an object');
    const start = this.#at;
    if (!this.#value(item, 0)) {
      this.#at = start;
      const json = canonicalJsonOfUnusual(item);
      this.#room(json.length * 3);
      this.#at += this.#buf.write(json, this.#at, 'utf8');
    }
    const key = keyOf(table, item);
    for (const ix of table.indexes) indexKeyOf(ix, item);
    if (this.#at - start > MAX_ITEM_BYTES) throw invalidItem(`item exceeds ${MAX_ITEM_BYTES} bytes`);
    return key;
  }

  clear(): void {
    this.#at = 0;
  }

  /** The bytes written, as a string. */
  text(): string {
    return this.#buf.toString('utf8', 0, this.#at);
  }

  /** The bytes written, in a buffer of their own. */
  take(): Buffer {
    const out = Buffer.allocUnsafeSlow(this.#at);
    this.#buf.copy(out, 0, 0, this.#at);
    return out;
  }

  #room(bytes: number): void {
    if (this.#at + bytes <= this.#buf.length) return;
    const bigger = Buffer.allocUnsafe(Math.max(this.#buf.length * 2, this.#at + bytes));
    this.#buf.copy(bigger, 0, 0, this.#at);
    this.#buf = bigger;
  }

  /**
   * Appends v's canonical JSON; false (leaving partial output) for what checkJson refuses, a
   * reserved name at the top and a `__proto__` attribute: canonicalJsonOfUnusual's cases.
   */
  #value(v: unknown, depth: number): boolean {
    if (depth > 32) return false;
    if (typeof v === 'string') this.#string(v);
    else if (typeof v === 'number') {
      if (!Number.isSafeInteger(v)) return false;
      this.#integer(v);
    } else if (v === null) this.#ascii('null');
    else if (typeof v === 'boolean') this.#ascii(v ? 'true' : 'false');
    else if (Array.isArray(v)) {
      this.#byte(0x5b);
      for (let i = 0; i < v.length; i++) {
        if (i > 0) this.#byte(0x2c);
        if (!this.#value(v[i], depth + 1)) return false;
      }
      this.#byte(0x5d);
    } else return this.#object(v, depth);
    return true;
  }

  #object(v: unknown, depth: number): boolean {
    if (typeof v !== 'object' || v === null || Object.getPrototypeOf(v) !== Object.prototype) return false;
    const o = v as Record<string, unknown>;
    const order = sortedOrder(o);
    if (order.unusual || (depth === 0 && order.reserved)) return false;
    // The values in one call, in the order of Object.keys (which `order` was matched on), then
    // picked in written order: a lookup by name per attribute, on objects of every shape, cost more.
    const values = Object.values(o);
    this.#byte(0x7b);
    let first = true;
    for (let i = 0; i < order.written.length; i++) {
      const value = values[order.at[i]!];
      if (value === undefined) continue; // as JSON.stringify leaves it out
      if (!first) this.#byte(0x2c);
      first = false;
      this.#string(order.written[i]!);
      this.#byte(0x3a);
      if (!this.#value(value, depth + 1)) return false;
    }
    this.#byte(0x7d);
    return true;
  }

  #byte(c: number): void {
    this.#room(1);
    this.#buf[this.#at++] = c;
  }

  /**
   * A safe integer's decimal digits, as String() writes them, without making the string. Split
   * in two parts below 1e8 so the digits come from small-integer arithmetic: a remainder of a
   * number past 2^31 (every timestamp) is a floating-point fmod call.
   */
  #integer(v: number): void {
    this.#room(17); // a sign and at most 16 digits
    let n = v;
    if (n < 0) {
      this.#buf[this.#at++] = 0x2d;
      n = -n;
    }
    if (n < 1e8) {
      this.#digits(n, 1);
      return;
    }
    let high = Math.floor(n / 1e8);
    let low = n - high * 1e8;
    // The division is rounded: put the remainder back in range.
    if (low < 0) {
      high -= 1;
      low += 1e8;
    } else if (low >= 1e8) {
      high += 1;
      low -= 1e8;
    }
    this.#digits(high, 1);
    this.#digits(low, 8);
  }

  /** The digits of 0 <= n < 1e8, zero-padded to at least `width`. */
  #digits(n: number, width: number): void {
    let count = 1;
    for (let x = n; x >= 10; x = (x / 10) | 0) count += 1;
    const end = this.#at + Math.max(count, width);
    const b = this.#buf;
    for (let at = end - 1, x = n; at >= this.#at; at--, x = (x / 10) | 0) b[at] = 0x30 + (x % 10);
    this.#at = end;
  }

  /** Text known to be ASCII with nothing to escape. */
  #ascii(s: string): void {
    this.#room(s.length);
    const b = this.#buf;
    let at = this.#at;
    for (let i = 0; i < s.length; i++) b[at++] = s.charCodeAt(i);
    this.#at = at;
  }

  #string(s: string): void {
    const n = s.length;
    this.#room(n + 2);
    const b = this.#buf;
    let at = this.#at;
    b[at++] = QUOTE;
    for (let i = 0; i < n; i++) {
      const c = s.charCodeAt(i);
      if (c < 0x20 || c > 0x7e || c === QUOTE || c === BACKSLASH) {
        // Escapes or non-ASCII: JSON.stringify's text, encoded (at most 3 bytes per UTF-16 unit).
        const json = JSON.stringify(s);
        this.#room(json.length * 3);
        this.#at += this.#buf.write(json, this.#at, 'utf8');
        return;
      }
      b[at++] = c;
    }
    b[at++] = QUOTE;
    this.#at = at;
  }
}

/** validateItem's writer (it runs synchronously, one item at a time). */
const ONE_ITEM = new CanonicalBytes();

/** DynamoDB's key order: numbers numerically, strings by UTF-8 bytes (SQLite BINARY agrees). */
export function compareKeyValues(a: KeyValue, b: KeyValue): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  return Buffer.compare(Buffer.from(String(a), 'utf8'), Buffer.from(String(b), 'utf8'));
}

export function compareKeys(a: readonly KeyValue[], b: readonly KeyValue[]): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    const c = compareKeyValues(a[i]!, b[i]!);
    if (c !== 0) return c;
  }
  return a.length - b.length;
}

export function assertScanBound(maxItems: number): void {
  if (!Number.isSafeInteger(maxItems) || maxItems < 1) {
    throw new PaystreamError('invalid_limit', 'maxItems must be a positive integer', 'maxItems');
  }
}

export function scanTooLarge(table: TableDef, maxItems: number): PaystreamError {
  return new PaystreamError(
    'scan_too_large',
    `table ${table.name} holds more than ${maxItems} items`,
    'maxItems',
  );
}
