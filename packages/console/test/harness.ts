// What the console's browser tests and screenshot script share: Debian's Chromium found on this
// machine (never downloaded), and a seeded demo day kept running while they look at it.

import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { TenantDirectory } from '@paystream/auth';
import { type DemoRunning, runDemo } from '@paystream/cli/demo';
import { type Browser, chromium } from 'playwright-core';

const CANDIDATES = ['chromium', 'chromium-browser', 'google-chrome-stable', 'google-chrome'];

/** The system Chromium: PAYSTREAM_CHROMIUM, else the first of CANDIDATES on PATH; null if none. */
export function findChromium(): string | null {
  const given = process.env.PAYSTREAM_CHROMIUM;
  if (given) return existsSync(given) ? given : null;
  for (const name of CANDIDATES) {
    try {
      const path = execFileSync('which', [name], { encoding: 'utf8' }).trim();
      if (path) return path;
    } catch {
      // not this one
    }
  }
  return null;
}

export const CHROMIUM_MISSING =
  'the console tests need a Chromium browser: install Debian’s `chromium` package (apt-get install -y chromium) or set PAYSTREAM_CHROMIUM to its path';

export async function launchChromium(): Promise<Browser> {
  const executablePath = findChromium();
  if (executablePath === null) throw new Error(CHROMIUM_MISSING);
  return await chromium.launch({
    executablePath,
    headless: true,
    // --no-sandbox: containers (CI, this machine) run as root without user namespaces.
    args: ['--no-sandbox', '--disable-dev-shm-usage', '--disable-gpu'],
  });
}

export interface SeededDay extends DemoRunning {
  /** A key of tenant `default` with the read scope only. */
  readonly readKey: string;
  /** Stops the system (the demo run then finishes). */
  stop(): Promise<void>;
}

export const READ_KEY = 'psk_console_read_only_key_for_tests_000000';

/**
 * Runs a seeded demo day (embedded, fresh data dir) and hands over the running system, with a
 * few payments left in review; stop() lets the demo finish and close everything.
 */
export async function seedDemoDay(payments = 240, seed = 42): Promise<SeededDay> {
  let release!: () => void;
  const held = new Promise<void>((r) => {
    release = r;
  });
  let ready!: (d: DemoRunning) => void;
  const started = new Promise<DemoRunning>((r) => {
    ready = r;
  });
  const finished = runDemo({
    json: true,
    seed,
    payments,
    engine: 'embedded',
    data: null,
    progress: false,
    leaveInReview: 3,
    whileRunning: async (d) => {
      ready(d);
      await held;
    },
  });
  const demo = await Promise.race([
    started,
    finished.then(() => Promise.reject(new Error('the demo ended early'))),
  ]);
  const directory = new TenantDirectory(demo.running.engines.readStore);
  await directory.addKey('default', READ_KEY, ['read'], 'console read-only');
  return {
    ...demo,
    readKey: READ_KEY,
    async stop() {
      release();
      await finished;
    },
  };
}
