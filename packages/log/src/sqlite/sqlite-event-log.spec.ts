import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { eventLogContract } from '../contract.js';
import { SqliteEventLog } from './sqlite-event-log.js';

eventLogContract('sqlite', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'paystream-log-'));
  const log = new SqliteEventLog({
    path: join(dir, 'log.db'),
    heartbeatIntervalMs: 100,
    sessionTimeoutMs: 2_000,
  });
  return {
    log,
    cleanup: async () => {
      await log.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
});
