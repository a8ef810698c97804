import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, it } from 'vitest';
import { SqliteEventLog } from '../src/sqlite/sqlite-event-log.js';
import { crashTest } from './crash.js';

describe('sqlite event log under SIGKILL', () => {
  const path = join(mkdtempSync(join(tmpdir(), 'paystream-crash-db-')), 'log.db');
  const observer = new SqliteEventLog({ path });
  afterAll(() => observer.close());

  it('loses no acknowledged append and processes nothing past a committed offset twice', async () => {
    await crashTest('sqlite', path, observer, 1_500);
  }, 120_000);
});
