// Compares two sets of read models table by table (scan: every item with its version, in key
// order). Items are equal when their canonical JSON and their versions are equal.

import { canonical, type ReadStore, type TableDef, type VersionedItem } from '@paystream/readstore';

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
    const a = new Map<string, VersionedItem>();
    for (const v of await live.scan(table)) a.set(keyText(table, v), v);
    const b = new Map<string, VersionedItem>();
    for (const v of await rebuilt.scan(table)) b.set(keyText(table, v), v);
    let onlyLive = 0;
    let onlyRebuilt = 0;
    let different = 0;
    for (const [k, v] of a) {
      const w = b.get(k);
      if (!w) {
        onlyLive += 1;
        note({ table: table.name, key: k, kind: 'only_live', live: v, rebuilt: null });
      } else if (body(v) !== body(w)) {
        different += 1;
        note({ table: table.name, key: k, kind: 'different', live: v, rebuilt: w });
      }
    }
    for (const [k, w] of b) {
      if (!a.has(k)) {
        onlyRebuilt += 1;
        note({ table: table.name, key: k, kind: 'only_rebuilt', live: null, rebuilt: w });
      }
    }
    out.push({ table: table.name, live: a.size, rebuilt: b.size, onlyLive, onlyRebuilt, different });
  }
  return { tables: out, differences };
}
