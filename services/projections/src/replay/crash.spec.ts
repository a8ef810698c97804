// SIGKILL the projector mid-stream, several times, restart it, and the read models must equal
// a full replay: nothing lost, nothing applied twice.

import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { TOPICS } from '@paystream/eventing';
import { openTestEngines, type TestEngines } from '@paystream/runtime/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createReadQueries, PROJECTIONS_GROUP } from '../read-queries-impl.js';
import { generateHistory } from '../testing/history.js';
import { replay } from './replay.js';

const CHILD = fileURLToPath(new URL('../testing/projector-child.ts', import.meta.url));

function startChild(dataDir: string): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', CHILD, dataDir], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    child.stdout!.once('data', () => resolve(child));
    child.once('exit', (code) => reject(new Error(`projector child exited (${code})`)));
  });
}

describe('projector crash', () => {
  let t: TestEngines;
  let total = 0;

  beforeAll(async () => {
    t = await openTestEngines();
    const events = generateHistory(t.engines.bus.codec, { minEvents: 20_000, seed: 5 });
    total = events.length;
    for (let i = 0; i < events.length; i += 5_000) await t.engines.bus.publish(events.slice(i, i + 5_000));
  }, 60_000);
  afterAll(async () => t.cleanup());

  async function consumed(): Promise<number> {
    const c = await t.engines.log.committed(PROJECTIONS_GROUP, [TOPICS.events]);
    return Object.values(c).reduce((a, b) => a + b, 0);
  }

  it('loses and duplicates nothing across SIGKILLs', { timeout: 150_000 }, async () => {
    const kills: number[] = [];
    for (let round = 1; round <= 2; round++) {
      const before = await consumed();
      const child = await startChild(t.dataDir);
      // Kill once it has committed some more, while it is still busy with the rest.
      const target = before + Math.floor((total - before) / 3);
      while ((await consumed()) < target) await new Promise((r) => setTimeout(r, 5));
      child.kill('SIGKILL');
      await new Promise((r) => child.once('exit', r));
      kills.push(await consumed());
    }
    expect(kills.at(-1)!).toBeLessThan(total);
    // The last member's partition leases expire (session timeout), then a fresh one finishes.
    const child = await startChild(t.dataDir);
    try {
      expect(await createReadQueries(t.engines).catchUp(30_000)).toBe(true);
    } finally {
      child.kill('SIGKILL');
      await new Promise((r) => child.once('exit', r));
    }
    const r = await replay({ config: t.config, engines: t.engines });
    expect(r.differences).toEqual([]);
    expect(r.equal).toBe(true);
    expect(r.events).toBe(total);
  });
});
