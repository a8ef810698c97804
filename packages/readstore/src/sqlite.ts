// The embedded read store: one SQLite table per read-model table, each row holding the item as
// canonical JSON, its version, its key columns and explicit columns for every index key (NULL
// when the item is not in that sparse index, as in DynamoDB). WAL keeps readers off the writer.
//
// Key columns are declared without a type so SQLite keeps values as given: numbers compare as
// numbers and text compares by bytes (BINARY), which is DynamoDB's order too.

import { closeSync, fsyncSync, openSync } from 'node:fs';
import { resolve } from 'node:path';
import { invariant, PaystreamError } from '@paystream/core';
import Database from 'better-sqlite3';
import {
  assertBulkLoad,
  assertLimit,
  assertPrefix,
  assertScanBound,
  assertTransaction,
  assertVersion,
  cursorKeyOf,
  DEFAULT_SCAN_MAX_ITEMS,
  decodeCursor,
  definitionFingerprint,
  encodeBulkLoad,
  encodeCursor,
  findIndex,
  groupBatchGet,
  type IndexDef,
  type Item,
  indexKeyOf,
  type KeyInput,
  type KeyValue,
  keyOf,
  type Page,
  type QueryOptions,
  type ReadStore,
  type StoredItem,
  scanTooLarge,
  skConditionOf,
  type TableDef,
  type TableKey,
  type VersionedItem,
  validateItem,
  type WriteOp,
} from './port.js';
import { SqliteBulkWriter } from './sqlite-writer.js';

export interface SqliteReadStoreOptions {
  /** Database file, or ':memory:'. */
  filename: string;
  /** Prefix for every table name, so a replay can build into a fresh namespace. */
  prefix?: string;
  /**
   * A database built from elsewhere and thrown away if the build fails (a replay namespace, a
   * new file): its rollback journal is kept in memory and nothing is fsynced while it is
   * written; close() fsyncs the file once. A crash mid-build can leave the file corrupt, which
   * is why only a new, disposable file may be opened this way.
   */
  scratch?: boolean;
  /**
   * Run bulkLoad's inserts on a writer thread (sqlite-writer.ts): bulkLoad validates and
   * serializes on the calling thread and resolves once the thread has written the items;
   * every other call first waits for the loads in flight.
   */
  writerThread?: boolean;
}

/** A row that differs between two stores (SqliteReadStore.diffRows); null: absent on that side. */
export interface RowDiff {
  readonly key: KeyValue[];
  readonly here: StoredItem | null;
  readonly there: StoredItem | null;
}

/** Page cache of a scratch database while it is built (KiB): the B-trees being filled stay in memory. */
const SCRATCH_CACHE_KIB = 64 * 1024;

/** Keys per batchGet statement (two bound values each at most, well within SQLite's limit). */
const BATCH_GET_CHUNK = 500;

/** Thrown inside a transaction to roll it back when a version check fails. */
class StaleWrite extends Error {}

const q = (name: string) => `"${name}"`;

interface Layout {
  table: string;
  keyCols: string[];
  indexCols: Map<string, { pk: string; sk?: string }>;
  /** All columns written by putIfNewer, in order. */
  writeCols: string[];
}

export class SqliteReadStore implements ReadStore {
  readonly #db: Database.Database;
  readonly #prefix: string;
  readonly #statements = new Map<string, Database.Statement>();
  readonly #meta: string;
  readonly #filename: string;
  readonly #scratch: boolean;
  readonly #writer: SqliteBulkWriter | null;
  readonly #layouts = new Map<TableDef, Layout>();

  constructor(opts: SqliteReadStoreOptions) {
    this.#prefix = assertPrefix(opts.prefix ?? '');
    this.#filename = opts.filename;
    this.#scratch = opts.scratch ?? false;
    this.#db = new Database(opts.filename);
    const pragmas = this.#scratch
      ? // Rollback still works (transactWrite relies on it); durability comes from close().
        ['journal_mode = MEMORY', 'synchronous = OFF', `cache_size = -${SCRATCH_CACHE_KIB}`]
      : // Read models are rebuilt from the log after an OS crash, so NORMAL's durability suffices.
        ['journal_mode = WAL', 'synchronous = NORMAL'];
    for (const p of [...pragmas, 'busy_timeout = 5000']) this.#db.pragma(p);
    const shared = opts.filename !== ':memory:' && opts.filename !== '';
    if (opts.writerThread === true && !shared) {
      throw new PaystreamError('invalid_config', 'a writer thread needs a database file', 'writerThread');
    }
    this.#writer =
      opts.writerThread === true
        ? new SqliteBulkWriter(opts.filename, [...pragmas, 'busy_timeout = 5000'])
        : null;
    this.#meta = `${this.#prefix}readstore_tables`;
    this.#db.exec(
      `CREATE TABLE IF NOT EXISTS ${q(this.#meta)} (name TEXT PRIMARY KEY, definition TEXT NOT NULL)`,
    );
  }

  #layout(def: TableDef): Layout {
    const known = this.#layouts.get(def);
    if (known !== undefined) return known;
    const keyCols = def.sk ? ['k_pk', 'k_sk'] : ['k_pk'];
    const indexCols = new Map<string, { pk: string; sk?: string }>();
    const writeCols = [...keyCols];
    for (const ix of def.indexes) {
      const cols = ix.sk ? { pk: `i_${ix.name}_pk`, sk: `i_${ix.name}_sk` } : { pk: `i_${ix.name}_pk` };
      indexCols.set(ix.name, cols);
      writeCols.push(cols.pk, ...(cols.sk ? [cols.sk] : []));
    }
    writeCols.push('version', 'item');
    const layout = { table: `${this.#prefix}${def.name}`, keyCols, indexCols, writeCols };
    this.#layouts.set(def, layout);
    return layout;
  }

  /**
   * Waits for the writer thread's loads in flight, so this connection sees (and never races)
   * them. Callers skip the await when there is no writer thread: a store without one runs each
   * call's SQL as it is made, as it always has.
   */
  async #settled(): Promise<void> {
    if (this.#writer !== null) await this.#writer.drain();
  }

  #stmt(sql: string): Database.Statement {
    let s = this.#statements.get(sql);
    if (!s) {
      try {
        s = this.#db.prepare(sql);
      } catch (err) {
        throw tableNotFoundOr(err);
      }
      this.#statements.set(sql, s);
    }
    return s;
  }

  async ensureTables(defs: readonly TableDef[]): Promise<void> {
    if (this.#writer !== null) await this.#settled();
    this.#db.transaction(() => {
      for (const def of defs) {
        const l = this.#layout(def);
        const fp = definitionFingerprint(def);
        const row = this.#stmt(`SELECT definition FROM ${q(this.#meta)} WHERE name = ?`).get(l.table) as
          | { definition: string }
          | undefined;
        if (row) {
          if (row.definition !== fp) {
            throw new PaystreamError(
              'table_definition_mismatch',
              `table ${l.table} exists with a different key or index definition`,
              'table',
            );
          }
          continue;
        }
        const cols = l.writeCols
          .map((c) =>
            c === 'version' ? 'version INTEGER NOT NULL' : c === 'item' ? 'item TEXT NOT NULL' : q(c),
          )
          .join(', ');
        this.#db.exec(`CREATE TABLE ${q(l.table)} (${cols}, PRIMARY KEY (${l.keyCols.map(q).join(', ')}))`);
        for (const [name, c] of l.indexCols) {
          const on = [c.pk, ...(c.sk ? [c.sk] : []), ...l.keyCols].map(q).join(', ');
          this.#db.exec(
            `CREATE INDEX ${q(`${l.table}__${name}`)} ON ${q(l.table)} (${on}) WHERE ${q(c.pk)} IS NOT NULL`,
          );
        }
        this.#stmt(`INSERT INTO ${q(this.#meta)} (name, definition) VALUES (?, ?)`).run(l.table, fp);
      }
    })();
  }

  async dropTables(defs: readonly TableDef[]): Promise<void> {
    if (this.#writer !== null) await this.#settled();
    this.#statements.clear();
    this.#db.transaction(() => {
      for (const def of defs) {
        const l = this.#layout(def);
        this.#db.exec(`DROP TABLE IF EXISTS ${q(l.table)}`);
        this.#db.prepare(`DELETE FROM ${q(this.#meta)} WHERE name = ?`).run(l.table);
      }
    })();
  }

  /** One statement per table (per BATCH_GET_CHUNK keys): `WHERE (key columns) IN (VALUES …)`. */
  async batchGet(keys: readonly TableKey[]): Promise<(Item | null)[]> {
    const { tables, at } = groupBatchGet(keys);
    if (this.#writer !== null && keys.length > 0) await this.#settled();
    const found = new Map<TableDef, (Item | null)[]>();
    for (const [table, list] of tables) {
      const l = this.#layout(table);
      const items: (Item | null)[] = new Array(list.length).fill(null);
      const index = new Map(list.map((k, i) => [JSON.stringify(k), i]));
      for (let start = 0; start < list.length; start += BATCH_GET_CHUNK) {
        const chunk = list.slice(start, start + BATCH_GET_CHUNK);
        const cols = l.keyCols.map(q).join(', ');
        const tuple = `(${l.keyCols.map(() => '?').join(', ')})`;
        const sql =
          l.keyCols.length === 1
            ? `SELECT ${cols}, item FROM ${q(l.table)} WHERE ${cols} IN (${chunk.map(() => '?').join(', ')})`
            : `SELECT ${cols}, item FROM ${q(l.table)} WHERE (${cols}) IN (VALUES ${chunk.map(() => tuple).join(', ')})`;
        const rows = this.#stmt(sql).all(...chunk.flat()) as Record<string, KeyValue | string>[];
        for (const row of rows) {
          const k = JSON.stringify(l.keyCols.map((c) => row[c]));
          const i = index.get(k);
          if (i !== undefined) items[i] = JSON.parse(row.item as string) as Item;
        }
      }
      found.set(table, items);
    }
    return at.map(({ table, index }) => found.get(table)![index]!);
  }

  async get(table: TableDef, key: KeyInput): Promise<Item | null> {
    if (this.#writer !== null) await this.#settled();
    const l = this.#layout(table);
    const k = keyOf(table, key);
    const where = l.keyCols.map((c) => `${q(c)} = ?`).join(' AND ');
    const row = this.#stmt(`SELECT item FROM ${q(l.table)} WHERE ${where}`).get(...k) as
      | { item: string }
      | undefined;
    return row ? (JSON.parse(row.item) as Item) : null;
  }

  #put(table: TableDef, item: Item, version: number): boolean {
    const json = validateItem(table, item);
    assertVersion(version);
    const l = this.#layout(table);
    const values: (KeyValue | null)[] = [...keyOf(table, item)];
    for (const ix of table.indexes) {
      const ik = indexKeyOf(ix, item);
      values.push(ik ? ik[0]! : null);
      if (ix.sk) values.push(ik ? ik[1]! : null);
    }
    values.push(version, json);
    const nonKey = l.writeCols.filter((c) => !l.keyCols.includes(c));
    const sql =
      `INSERT INTO ${q(l.table)} (${l.writeCols.map(q).join(', ')}) VALUES (${l.writeCols.map(() => '?').join(', ')}) ` +
      `ON CONFLICT (${l.keyCols.map(q).join(', ')}) DO UPDATE SET ${nonKey.map((c) => `${q(c)} = excluded.${q(c)}`).join(', ')} ` +
      `WHERE excluded.version > ${q(l.table)}.version`;
    return this.#stmt(sql).run(...values).changes === 1;
  }

  #delete(table: TableDef, key: KeyInput): void {
    const l = this.#layout(table);
    const where = l.keyCols.map((c) => `${q(c)} = ?`).join(' AND ');
    this.#stmt(`DELETE FROM ${q(l.table)} WHERE ${where}`).run(...keyOf(table, key));
  }

  async putIfNewer(table: TableDef, item: Item, version: number): Promise<boolean> {
    if (this.#writer !== null) await this.#settled();
    return this.#put(table, item, version);
  }

  async delete(table: TableDef, key: KeyInput): Promise<void> {
    if (this.#writer !== null) await this.#settled();
    this.#delete(table, key);
  }

  async transactWrite(ops: readonly WriteOp[]): Promise<boolean> {
    if (this.#writer !== null) await this.#settled();
    assertTransaction(ops);
    try {
      this.#db.transaction(() => {
        for (const op of ops) {
          if (op.type === 'delete') this.#delete(op.table, op.key);
          else if (!this.#put(op.table, op.item, op.version)) throw new StaleWrite();
        }
      })();
      return true;
    } catch (err) {
      if (err instanceof StaleWrite) return false;
      throw err;
    }
  }

  /**
   * One prepared INSERT OR REPLACE in one transaction; every item validated (and serialized)
   * once, up front. With a writer thread, the rows are handed to it, flattened, and the call
   * resolves once they are written.
   */
  async bulkLoad(table: TableDef, items: readonly VersionedItem[]): Promise<void> {
    const l = this.#layout(table);
    // The item's JSON is the last column: a bound string inline, bytes on the writer thread.
    const insertSql = (item: string) =>
      `INSERT OR REPLACE INTO ${q(l.table)} (${l.writeCols.map(q).join(', ')}) ` +
      `VALUES (${[...l.writeCols.slice(0, -1).map(() => '?'), item].join(', ')})`;
    if (this.#writer !== null) {
      // Every column but the item's JSON as values, the JSON texts as one buffer of UTF-8 (moved
      // to the thread, not copied). The thread binds each text's bytes, stored as TEXT by the
      // CAST: the same value as a bound string, without decoding it and encoding it again.
      const { keys, text, ends } = encodeBulkLoad(table, items);
      if (keys.length === 0) return;
      const width = l.writeCols.length - 1;
      const values: (KeyValue | null)[] = new Array(keys.length * width);
      let at = 0;
      for (let i = 0; i < keys.length; i++) {
        for (const k of keys[i]!) values[at++] = k;
        for (const ix of table.indexes) {
          const ik = indexKeyOf(ix, items[i]!.item);
          values[at++] = ik ? ik[0]! : null;
          if (ix.sk) values[at++] = ik ? ik[1]! : null;
        }
        values[at++] = items[i]!.version;
      }
      invariant(at === values.length, 'every row has one value per column');
      await this.#writer.insert(insertSql('CAST(? AS TEXT)'), width, values, text, ends);
      return;
    }
    const valid = assertBulkLoad(table, items);
    if (valid.length === 0) return;
    const insert = this.#stmt(insertSql('?'));
    this.#db.transaction(() => {
      for (let i = 0; i < valid.length; i++) {
        const v = valid[i]!;
        const item = items[i]!.item;
        const values: (KeyValue | null)[] = v.key; // keyOf's own array, extended in place
        for (const ix of table.indexes) {
          const ik = indexKeyOf(ix, item);
          values.push(ik ? ik[0]! : null);
          if (ix.sk) values.push(ik ? ik[1]! : null);
        }
        values.push(v.version, v.json);
        insert.run(values);
      }
    })();
  }

  async query(table: TableDef, opts: QueryOptions): Promise<Page> {
    if (this.#writer !== null) await this.#settled();
    assertLimit(opts.limit);
    const l = this.#layout(table);
    const ix: IndexDef | undefined = opts.index === undefined ? undefined : findIndex(table, opts.index);
    const pkAttr = ix ? ix.pk : table.pk;
    const skAttr = ix ? ix.sk : table.sk;
    const cols = ix ? l.indexCols.get(ix.name)! : { pk: 'k_pk', sk: table.sk ? 'k_sk' : undefined };
    if (pkAttr.type === 'string' ? typeof opts.pk !== 'string' : !Number.isSafeInteger(opts.pk)) {
      throw new PaystreamError('invalid_query', `pk must be a ${pkAttr.type}`, 'pk');
    }
    const cond = skConditionOf(skAttr, opts);
    // Keyset order: the sort key, then the table key to break ties in an index.
    const order = ix ? [...(cols.sk ? [cols.sk] : []), ...l.keyCols] : cols.sk ? [cols.sk] : ['k_pk'];
    const where: string[] = [`${q(cols.pk)} = ?`];
    const params: KeyValue[] = [opts.pk];
    if (cols.sk) where.push(`${q(cols.sk)} IS NOT NULL`);
    if (cond?.kind === 'prefix' && cols.sk) {
      where.push(`${q(cols.sk)} >= ? AND substr(${q(cols.sk)}, 1, ?) = ?`);
      // substr counts code points, not UTF-16 units.
      params.push(cond.prefix, [...cond.prefix].length, cond.prefix);
    } else if (cond?.kind === 'range' && cols.sk) {
      if (cond.gte !== undefined) {
        where.push(`${q(cols.sk)} >= ?`);
        params.push(cond.gte);
      }
      if (cond.lte !== undefined) {
        where.push(`${q(cols.sk)} <= ?`);
        params.push(cond.lte);
      }
    }
    if (opts.cursor !== undefined) {
      const k = decodeCursor(table, ix, opts.pk, opts.cursor);
      // The cursor is [index pk, index sk?, pk, sk?]; the index pk is fixed by the query.
      const after = ix ? k.slice(1) : cols.sk ? k.slice(1) : k.slice(0, 1);
      where.push(
        `(${order.map(q).join(', ')}) ${opts.descending ? '<' : '>'} (${order.map(() => '?').join(', ')})`,
      );
      params.push(...after);
    }
    const dir = opts.descending ? 'DESC' : 'ASC';
    const sql =
      `SELECT item FROM ${q(l.table)} WHERE ${where.join(' AND ')} ` +
      `ORDER BY ${order.map((c) => `${q(c)} ${dir}`).join(', ')} LIMIT ?`;
    const rows = this.#stmt(sql).all(...params, opts.limit + 1) as { item: string }[];
    const items = rows.slice(0, opts.limit).map((r) => JSON.parse(r.item) as Item);
    const last = items[items.length - 1];
    const nextCursor =
      rows.length > opts.limit && last
        ? encodeCursor(table, ix, opts.pk, cursorKeyOf(table, ix, last))
        : null;
    return { items, nextCursor };
  }

  async scan(table: TableDef, maxItems = DEFAULT_SCAN_MAX_ITEMS): Promise<VersionedItem[]> {
    if (this.#writer !== null) await this.#settled();
    assertScanBound(maxItems);
    const l = this.#layout(table);
    const rows = this.#stmt(
      `SELECT item, version FROM ${q(l.table)} ORDER BY ${l.keyCols.map(q).join(', ')} LIMIT ?`,
    ).all(maxItems + 1) as { item: string; version: number }[];
    if (rows.length > maxItems) throw scanTooLarge(table, maxItems);
    return rows.map((r) => ({ item: JSON.parse(r.item) as Item, version: r.version }));
  }

  async scanText(table: TableDef, maxItems = DEFAULT_SCAN_MAX_ITEMS): Promise<StoredItem[]> {
    if (this.#writer !== null) await this.#settled();
    assertScanBound(maxItems);
    const l = this.#layout(table);
    const rows = this.#stmt(
      `SELECT ${l.keyCols.map(q).join(', ')}, version, item FROM ${q(l.table)} ORDER BY ${l.keyCols.map(q).join(', ')} LIMIT ?`,
    )
      .raw()
      .all(maxItems + 1) as (KeyValue | number | string)[][];
    if (rows.length > maxItems) throw scanTooLarge(table, maxItems);
    const n = l.keyCols.length;
    return rows.map((r) => ({
      key: r.slice(0, n) as KeyValue[],
      version: r[n] as number,
      json: r[n + 1] as string,
    }));
  }

  /**
   * The rows of `table` that differ between this store and `other` (another SQLite read store,
   * in its own file or this one): keys only here, only there, or with a different version or
   * stored text. SQLite compares them itself, with the other file attached to this connection
   * for the call, so equal rows — nearly all of them, in a replay — never become JavaScript
   * strings. In key order: this store's side first, then the keys only in `other`.
   */
  async diffRows(
    table: TableDef,
    other: SqliteReadStore,
  ): Promise<{ here: number; there: number; rows: RowDiff[] }> {
    if (this.#writer !== null) await this.#settled();
    if (other.#writer !== null) await other.#settled();
    const file = (f: string) => (f === '' || f === ':memory:' ? null : resolve(f));
    const mine = file(this.#filename);
    const theirs = file(other.#filename);
    const shared = mine !== null && mine === theirs;
    if (!shared && (mine === null || theirs === null)) {
      throw new PaystreamError('invalid_query', 'diffRows compares stores in database files', 'other');
    }
    const here = `main.${q(this.#layout(table).table)}`;
    const l = other.#layout(table);
    const schema = shared ? 'main' : 'diff_other';
    const there = `${schema}.${q(l.table)}`;
    const keys = l.keyCols.map(q);
    const on = keys.map((c) => `a.${c} = b.${c}`).join(' AND ');
    const order = (side: string) => keys.map((c) => `${side}.${c}`).join(', ');
    const sql =
      `SELECT 0 AS side, ${order('a')}, a.version, a.item, b.version, b.item FROM ${here} a ` +
      `LEFT JOIN ${there} b ON ${on} WHERE b.${keys[0]} IS NULL OR a.version <> b.version OR a.item <> b.item ` +
      `UNION ALL SELECT 1, ${order('b')}, NULL, NULL, b.version, b.item FROM ${there} b ` +
      `LEFT JOIN ${here} a ON ${on} WHERE a.${keys[0]} IS NULL ORDER BY 1, ${keys.map((_, i) => i + 2).join(', ')}`;
    if (!shared) this.#db.prepare('ATTACH DATABASE ? AS diff_other').run(theirs);
    try {
      const count = (t: string) =>
        (this.#db.prepare(`SELECT count(*) AS n FROM ${t}`).get() as { n: number }).n;
      const n = keys.length;
      const rows = (this.#db.prepare(sql).raw().all() as (KeyValue | null)[][]).map((r): RowDiff => {
        const key = r.slice(1, 1 + n) as KeyValue[];
        const [hv, hi, tv, ti] = r.slice(1 + n) as [
          number | null,
          string | null,
          number | null,
          string | null,
        ];
        return {
          key,
          here: hv === null ? null : { key, version: hv, json: hi! },
          there: tv === null ? null : { key, version: tv, json: ti! },
        };
      });
      return { here: count(here), there: count(there), rows };
    } catch (err) {
      throw tableNotFoundOr(err);
    } finally {
      if (!shared) this.#db.prepare('DETACH DATABASE diff_other').run();
    }
  }

  async close(): Promise<void> {
    if (this.#writer !== null) await this.#writer.close();
    this.#statements.clear();
    if (!this.#db.open) return;
    this.#db.close();
    if (this.#scratch && this.#filename !== ':memory:' && this.#filename !== '') {
      // The one fsync of a scratch database (see SqliteReadStoreOptions.scratch).
      const fd = openSync(this.#filename, 'r+');
      try {
        fsyncSync(fd);
      } finally {
        closeSync(fd);
      }
    }
  }
}

/** SQLite's "no such table" as our table_not_found (ensureTables was not run); else `err`. */
function tableNotFoundOr(err: unknown): unknown {
  if (err instanceof Error && /no such table/.test(err.message)) {
    return new PaystreamError(
      'table_not_found',
      'read-model table does not exist; run ensureTables first',
      'table',
    );
  }
  return err;
}
