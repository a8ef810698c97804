// The whole product in one process on the embedded engines, driven over real HTTP: the
// README's walk-through and more, then a scan of everything at rest for card and account
// numbers.

import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { loadConfig } from '@paystream/runtime';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Running, runServices } from '../src/compose.js';
import { availableServices } from '../src/services.js';
import { burstCards, marketplaceDay, SECRETS } from './scenario.js';

const dataDir = mkdtempSync(join(tmpdir(), 'paystream-e2e-'));
const logLines: string[] = [];
let running: Running;
const key = 'psk_e2e_embedded_tenant_key_000000000000';

beforeAll(async () => {
  const config = loadConfig({
    PAYSTREAM_DATA: dataDir,
    PORT: '0',
    PAYSTREAM_API_KEY: key,
    LOG_LEVEL: 'debug',
  });
  const destination = new Writable({
    write(chunk, _enc, done) {
      logLines.push(String(chunk));
      done();
    },
  });
  running = await runServices(config, availableServices(), { logDestination: destination });
}, 60_000);

afterAll(async () => {
  await running?.lifecycle.close();
  rmSync(dataDir, { recursive: true, force: true });
});

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? filesUnder(p) : [p];
  });
}

describe('paystream start (embedded), end to end over HTTP', () => {
  it('runs a marketplace day: hold, release, refund, declines, fraud, card testing, ACH payout', async () => {
    await marketplaceDay({ url: running.url, key }, { waitMs: 15_000, burst: 12 });
  }, 120_000);

  it('keeps no plaintext card or account number at rest or in the logs', () => {
    const secrets = [...SECRETS.cards, ...SECRETS.accounts, ...burstCards(12)];
    const files = filesUnder(dataDir);
    expect(files.some((f) => f.endsWith('log.db'))).toBe(true);
    for (const f of files) {
      const bytes = readFileSync(f);
      for (const s of secrets) expect(bytes.includes(Buffer.from(s)), `${s} found in ${f}`).toBe(false);
    }
    const logs = logLines.join('');
    expect(logs.length).toBeGreaterThan(0);
    for (const s of secrets) expect(logs.includes(s), `${s} found in the logs`).toBe(false);
  });
});
