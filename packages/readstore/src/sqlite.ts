// The embedded read store: one SQLite table per read-model table, each row holding the item as
// canonical JSON, its version, its key columns and explicit columns for every index key (NULL
// when the item is not in that sparse index, as in DynamoDB). WAL keeps readers off the writer.
//
// Key columns are declared without a type so SQLite keeps values as given: numbers compare as
// numbers and text compares by bytes (BINARY), which is DynamoDB's order too.

import { PaystreamError } from '@paystream/core';
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
  encodeCursor,
  findIndex,
  type IndexDef,
  type Item,
  indexKeyOf,
  type KeyInput,
  type KeyValue,
  keyOf,
  type Page,
  type QueryOptions,
  type ReadStore,
  scanTooLarge,
  skConditionOf,
  type TableDef,
  type VersionedItem,
  validateItem,
  type WriteOp,
} from './port.js';

export interface SqliteReadStoreOptions {
  /** Database file, or ':memory:'. */
  filename: string;
  /** Prefix for every table name, so a replay can build into a fresh namespace. */
  prefix?: string;
}

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

  constructor(opts: SqliteReadStoreOptions) {
    this.#prefix = assertPrefix(opts.prefix ?? '');
    this.#db = new Database(opts.filename);
    this.#db.pragma('journal_mode = WAL');
    // Read models are rebuilt from the log after an OS crash, so NORMAL's durability suffices.
    this.#db.pragma('synchronous = NORMAL');
    this.#db.pragma('busy_timeout = 5000');
    this.#meta = `${this.#prefix}readstore_tables`;
    this.#db.exec(
      `CREATE TABLE IF NOT EXISTS ${q(this.#meta)} (name TEXT PRIMARY KEY, definition TEXT NOT NULL)`,
    );
  }

  #layout(def: TableDef): Layout {
    const keyCols = def.sk ? ['k_pk', 'k_sk'] : ['k_pk'];
    const indexCols = new Map<string, { pk: string; sk?: string }>();
    const writeCols = [...keyCols];
    for (const ix of def.indexes) {
      const cols = ix.sk ? { pk: `i_${ix.name}_pk`, sk: `i_${ix.name}_sk` } : { pk: `i_${ix.name}_pk` };
      indexCols.set(ix.name, cols);
      writeCols.push(cols.pk, ...(cols.sk ? [cols.sk] : []));
    }
    writeCols.push('version', 'item');
    return { table: `${this.#prefix}${def.name}`, keyCols, indexCols, writeCols };
  }

  #stmt(sql: string): Database.Statement {
    let s = this.#statements.get(sql);
    if (!s) {
      try {
        s = this.#db.prepare(sql);
      } catch (err) {
        if (err instanceof Error && /no such table/.test(err.message)) {
          throw new PaystreamError(
            'table_not_found',
            'read-model table does not exist; run ensureTables first',
            'table',
          );
        }
        throw err;
      }
      this.#statements.set(sql, s);
    }
    return s;
  }

  async ensureTables(defs: readonly TableDef[]): Promise<void> {
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
    this.#statements.clear();
    this.#db.transaction(() => {
      for (const def of defs) {
        const l = this.#layout(def);
        this.#db.exec(`DROP TABLE IF EXISTS ${q(l.table)}`);
        this.#db.prepare(`DELETE FROM ${q(this.#meta)} WHERE name = ?`).run(l.table);
      }
    })();
  }

  async get(table: TableDef, key: KeyInput): Promise<Item | null> {
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
    return this.#put(table, item, version);
  }

  async delete(table: TableDef, key: KeyInput): Promise<void> {
    this.#delete(table, key);
  }

  async transactWrite(ops: readonly WriteOp[]): Promise<boolean> {
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

  /** One prepared INSERT OR REPLACE in one transaction; every item validated once, up front. */
  async bulkLoad(table: TableDef, items: readonly VersionedItem[]): Promise<void> {
    const valid = assertBulkLoad(table, items);
    if (valid.length === 0) return;
    const l = this.#layout(table);
    const insert = this.#stmt(
      `INSERT OR REPLACE INTO ${q(l.table)} (${l.writeCols.map(q).join(', ')}) VALUES (${l.writeCols.map(() => '?').join(', ')})`,
    );
    this.#db.transaction(() => {
      for (let i = 0; i < valid.length; i++) {
        const v = valid[i]!;
        const item = items[i]!.item;
        const values: (KeyValue | null)[] = [...v.key];
        for (const ix of table.indexes) {
          const ik = indexKeyOf(ix, item);
          values.push(ik ? ik[0]! : null);
          if (ix.sk) values.push(ik ? ik[1]! : null);
        }
        values.push(v.version, v.json);
        insert.run(...values);
      }
    })();
  }

  async query(table: TableDef, opts: QueryOptions): Promise<Page> {
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
    assertScanBound(maxItems);
    const l = this.#layout(table);
    const rows = this.#stmt(
      `SELECT item, version FROM ${q(l.table)} ORDER BY ${l.keyCols.map(q).join(', ')} LIMIT ?`,
    ).all(maxItems + 1) as { item: string; version: number }[];
    if (rows.length > maxItems) throw scanTooLarge(table, maxItems);
    return rows.map((r) => ({ item: JSON.parse(r.item) as Item, version: r.version }));
  }

  async close(): Promise<void> {
    this.#statements.clear();
    if (this.#db.open) this.#db.close();
  }
}
