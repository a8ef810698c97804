// The embedded data dir holds holder names, routing numbers, e-mails and addresses (read.db,
// log.db and their -wal/-shm files), the master key and the sealed NACHA files: owner only.
// New files are born 0600 (umask 077, set for the whole process before anything is opened)
// and an existing install made before this is fixed on start (dirs 0700, files 0600).

import { chmodSync, lstatSync, mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

/** Bound on entries fixed on one start (the objects dir holds one file per NACHA file and outbox). */
export const MAX_ENTRIES_FIXED = 1_000_000;

export function secureDataDir(dir: string): { fixed: number } {
  try {
    process.umask(0o077);
  } catch {
    // Worker threads cannot change the umask; the walk below and the stores' own modes still apply.
  }
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  let fixed = 0;
  let seen = 0;
  const walk = (path: string): void => {
    if (seen++ >= MAX_ENTRIES_FIXED) return;
    const st = lstatSync(path);
    if (st.isSymbolicLink()) return;
    const want = st.isDirectory() ? 0o700 : 0o600;
    if ((st.mode & 0o777) !== want) {
      chmodSync(path, want);
      fixed += 1;
    }
    if (st.isDirectory()) for (const name of readdirSync(path)) walk(join(path, name));
  };
  walk(dir);
  return { fixed };
}
