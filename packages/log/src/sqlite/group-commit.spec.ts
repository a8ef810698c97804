import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { SqliteEventLog } from './sqlite-event-log.js';

describe('sqlite group commit', () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });

  async function openLog(): Promise<SqliteEventLog> {
    const dir = mkdtempSync(join(tmpdir(), 'paystream-gc-'));
    dirs.push(dir);
    const log = new SqliteEventLog({ path: join(dir, 'log.db') });
    await log.createTopics([{ name: 'payments', partitions: 3 }]);
    return log;
  }

  const record = (key: string, n: number) => ({
    topic: 'payments',
    key,
    value: Buffer.from(`capture ${n}`),
  });

  it('commits appends made in one turn of the event loop in one transaction', async () => {
    const log = await openLog();
    const before = log.groupCommit.commits;
    const positions = await Promise.all(
      Array.from({ length: 50 }, (_, i) => log.append([record(`pay_${i % 7}`, i)])),
    );
    expect(log.groupCommit.commits - before).toBe(1);
    const end = await log.endPosition(['payments']);
    expect(Object.values(end).reduce((a, b) => a + b, 0)).toBe(50);
    // Each append got its own distinct position, in its partition's order.
    const seen = new Set(positions.map(([p]) => `${p!.partition}/${p!.offset}`));
    expect(seen.size).toBe(50);
    await log.close();
  });

  it('rolls back only the write that failed; its neighbours in the same commit land', async () => {
    const log = await openLog();
    const ok1 = log.append([record('pay_a', 1)]);
    const bad = log.append([record('x'.repeat(70_000), 2)]); // a key longer than a segment allows
    const ok2 = log.append([record('pay_b', 3)]);
    await expect(bad).rejects.toMatchObject({ code: 'key_too_long' });
    const [[a], [b]] = await Promise.all([ok1, ok2]);
    const read = [
      ...(await log.read('payments', a!.partition, a!.offset, 1)),
      ...(await log.read('payments', b!.partition, b!.offset, 1)),
    ];
    expect(read.map((r) => r.value.toString())).toEqual(['capture 1', 'capture 3']);
    const end = await log.endPosition(['payments']);
    expect(Object.values(end).reduce((x, y) => x + y, 0)).toBe(2);
    await log.close();
  });

  it('close() waits for queued appends', async () => {
    const log = await openLog();
    const pending = log.append([record('pay_c', 4)]);
    await log.close();
    await expect(pending).resolves.toHaveLength(1);
  });
});
