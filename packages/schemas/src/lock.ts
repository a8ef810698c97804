// schemas/avro/lock.json records every version of the envelope schema that was ever released.
// It is the embedded registry (version n has id n) and the compatibility baseline: the current
// schema must read data written by every locked version, and may not differ from the newest
// locked version without being locked (`npm run schemas:lock`).

import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { avroType, backwardIncompatibility, fingerprintOf } from './avro.js';
import { type AvroSchema, type Catalog, loadCatalog, SCHEMA_DIR } from './catalog.js';

export interface LockedVersion {
  readonly version: number;
  readonly fingerprint: string;
  readonly schema: AvroSchema;
}

export interface SchemaLock {
  readonly subject: string;
  readonly versions: readonly LockedVersion[];
}

export const LOCK_FILE = join(SCHEMA_DIR, 'lock.json');

export function readLock(path = LOCK_FILE): SchemaLock {
  if (!existsSync(path)) throw new Error(`${path} is missing: run \`npm run schemas:lock\``);
  return JSON.parse(readFileSync(path, 'utf8')) as SchemaLock;
}

export interface LockCheck {
  readonly upToDate: boolean;
  /** One message per locked version the current schema cannot read. */
  readonly incompatibilities: readonly string[];
}

export function checkLock(catalog: Catalog = loadCatalog(), lock: SchemaLock = readLock()): LockCheck {
  const current = avroType(catalog.envelope);
  const incompatibilities: string[] = [];
  for (const v of lock.versions) {
    const problem = backwardIncompatibility(current, avroType(v.schema));
    if (problem) incompatibilities.push(`v${v.version}: ${problem}`);
  }
  const newest = lock.versions.at(-1);
  return { upToDate: newest?.fingerprint === fingerprintOf(current), incompatibilities };
}

/** Appends the current schema as a new version if it changed and stays backward compatible. */
export function updateLock(path = LOCK_FILE, catalog: Catalog = loadCatalog()): { added: number | null } {
  const lock: SchemaLock = existsSync(path)
    ? readLock(path)
    : { subject: 'paystream.Envelope', versions: [] };
  const check = checkLock(catalog, lock);
  if (check.incompatibilities.length > 0) {
    throw new Error(
      `the schema change is not backward compatible:\n  ${check.incompatibilities.join('\n  ')}`,
    );
  }
  if (check.upToDate) return { added: null };
  const version = lock.versions.length + 1;
  const next: SchemaLock = {
    ...lock,
    versions: [
      ...lock.versions,
      { version, fingerprint: fingerprintOf(avroType(catalog.envelope)), schema: catalog.envelope },
    ],
  };
  writeFileSync(path, `${JSON.stringify(next, null, 1)}\n`);
  return { added: version };
}
