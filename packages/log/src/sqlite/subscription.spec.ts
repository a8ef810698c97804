import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { LogRecord } from '../port.js';
import { SqliteEventLog } from './sqlite-event-log.js';

describe('sqlite subscription wake-ups', () => {
  const cleanup: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const c of cleanup.splice(0).reverse()) await c();
  });

  it('sees appends made through another connection (as another process would) by polling', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'paystream-sub-'));
    // Two spellings of one file: separate connections and separate in-process wakers, so the
    // consumer can only learn of the writer's appends from PRAGMA data_version.
    const consumerLog = new SqliteEventLog({ path: join(dir, 'log.db'), pollIntervalMs: 10 });
    const writerLog = new SqliteEventLog({ path: `${dir}/./log.db` });
    cleanup.push(async () => rmSync(dir, { recursive: true, force: true }));
    cleanup.push(() => consumerLog.close());
    cleanup.push(() => writerLog.close());
    await writerLog.createTopics([{ name: 'payouts', partitions: 4 }]);
    const seen: LogRecord[] = [];
    await consumerLog.subscribe({ groupId: 'ach', topics: ['payouts'] }, async (batch) => {
      seen.push(...batch.records);
    });
    for (let i = 0; i < 20; i++) {
      await writerLog.append([{ topic: 'payouts', key: `prv_${i % 5}`, value: Buffer.from(`payout ${i}`) }]);
    }
    const deadline = Date.now() + 5_000;
    while (seen.length < 20 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    expect(seen.map((r) => r.value.toString()).sort()).toEqual(
      Array.from({ length: 20 }, (_, i) => `payout ${i}`).sort(),
    );
    expect(await consumerLog.waitForGroup('ach', await writerLog.endPosition(['payouts']), 5_000)).toBe(true);
  });
});
