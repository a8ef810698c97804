// Compares two sets of read models table by table (scan: every item with its version, in key
// order). Items are equal when their canonical JSON and their versions are equal.
//
// Most of a replay's compare time was parsing items that turn out equal, so stored texts are
// compared first and only items whose texts differ are parsed: two SQLite stores by SQLite
// itself (diffRows), stores that can hand out their texts (scanText) text to text here.

import {
  canonical,
  type Item,
  type ReadStore,
  SqliteReadStore,
  type StoredItem,
  type TableDef,
  type VersionedItem,
} from '@paystream/readstore';

export interface TableDiff {
  readonly table: string;
  readonly live: number;
  readonly rebuilt: number;
  readonly onlyLive: number;
  readonly onlyRebuilt: number;
  readonly different: number;
}

export interface ItemDiff {
  readonly table: string;
  readonly key: string;
  readonly kind: 'only_live' | 'only_rebuilt' | 'different';
  readonly live: VersionedItem | null;
  readonly rebuilt: VersionedItem | null;
}

/** At most this many item differences are kept for the report; counts are always complete. */
export const MAX_REPORTED_DIFFERENCES = 50;

function keyText(table: TableDef, v: VersionedItem): string {
  const pk = v.item[table.pk.name];
  return table.sk ? JSON.stringify([pk, v.item[table.sk.name]]) : JSON.stringify([pk]);
}

function body(v: VersionedItem): string {
  return `${v.version}\u0000${JSON.stringify(canonical(v.item))}`;
}

export async function compareTables(
  tables: readonly TableDef[],
  live: ReadStore,
  rebuilt: ReadStore,
): Promise<{ tables: TableDiff[]; differences: ItemDiff[] }> {
  const out: TableDiff[] = [];
  const differences: ItemDiff[] = [];
  const note = (d: ItemDiff) => {
    if (differences.length < MAX_REPORTED_DIFFERENCES) differences.push(d);
  };
  for (const table of tables) {
    if (live instanceof SqliteReadStore && rebuilt instanceof SqliteReadStore) {
      out.push(await compareInSqlite(table, live, rebuilt, note));
      continue;
    }
    const [a, b] = await Promise.all([itemsOf(live, table), itemsOf(rebuilt, table)]);
    let onlyLive = 0;
    let onlyRebuilt = 0;
    let different = 0;
    for (const [k, v] of a) {
      const w = b.get(k);
      if (!w) {
        onlyLive += 1;
        note({ table: table.name, key: k, kind: 'only_live', live: parsed(v), rebuilt: null });
      } else if (!same(v, w)) {
        different += 1;
        note({ table: table.name, key: k, kind: 'different', live: parsed(v), rebuilt: parsed(w) });
      }
    }
    for (const [k, w] of b) {
      if (!a.has(k)) {
        onlyRebuilt += 1;
        note({ table: table.name, key: k, kind: 'only_rebuilt', live: null, rebuilt: parsed(w) });
      }
    }
    out.push({ table: table.name, live: a.size, rebuilt: b.size, onlyLive, onlyRebuilt, different });
  }
  return { tables: out, differences };
}

/** Two SQLite stores: SQLite finds the rows whose texts differ; only those are parsed. */
async function compareInSqlite(
  table: TableDef,
  live: SqliteReadStore,
  rebuilt: SqliteReadStore,
  note: (d: ItemDiff) => void,
): Promise<TableDiff> {
  const d = await live.diffRows(table, rebuilt);
  let onlyLive = 0;
  let onlyRebuilt = 0;
  let different = 0;
  for (const r of d.rows) {
    const key = JSON.stringify(r.key);
    if (r.there === null) {
      onlyLive += 1;
      note({ table: table.name, key, kind: 'only_live', live: parsed(r.here!), rebuilt: null });
    } else if (r.here === null) {
      onlyRebuilt += 1;
      note({ table: table.name, key, kind: 'only_rebuilt', live: null, rebuilt: parsed(r.there) });
    } else if (!same(r.here, r.there)) {
      different += 1;
      note({ table: table.name, key, kind: 'different', live: parsed(r.here), rebuilt: parsed(r.there) });
    }
  }
  return { table: table.name, live: d.here, rebuilt: d.there, onlyLive, onlyRebuilt, different };
}

/** An item of one side: parsed, or as stored (parsed only if it has to be). */
type Side = VersionedItem | StoredItem;

function isStored(v: Side): v is StoredItem {
  return typeof (v as StoredItem).json === 'string';
}

function parsed(v: Side): VersionedItem {
  return isStored(v) ? { item: JSON.parse(v.json) as Item, version: v.version } : v;
}

/**
 * Equal versions and equal items. Two stored texts that are equal are equal items (a store
 * writes the canonical JSON of the item); texts that differ are parsed and compared as scan
 * results are, so a live row written in some older form is not reported for its form alone.
 */
function same(v: Side, w: Side): boolean {
  if (v.version !== w.version) return false;
  if (isStored(v) && isStored(w) && v.json === w.json) return true;
  return body(parsed(v)) === body(parsed(w));
}

/** A table's items by key text: as stored when the store can scan texts, else parsed. */
async function itemsOf(store: ReadStore, table: TableDef): Promise<Map<string, Side>> {
  const m = new Map<string, Side>();
  if (store.scanText) {
    for (const v of await store.scanText(table)) m.set(JSON.stringify(v.key), v);
  } else {
    for (const v of await store.scan(table)) m.set(keyText(table, v), v);
  }
  return m;
}
