// startProcess with a fixed log file: a process killed and started again under the same name
// appends to one log, and kill() takes the whole process group down at once; with failFastOnExit
// a process that dies while starting fails the start at once.

import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startProcess } from './process.js';

const dir = mkdtempSync(join(tmpdir(), 'paystream-testkit-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A node process that prints a line, then idles until killed. */
function sleeper(line: string, logFile: string) {
  return startProcess({
    name: 'sleeper',
    command: process.execPath,
    args: ['-e', `console.log(${JSON.stringify(line)}); setInterval(() => {}, 1000);`],
    logFile,
    ready: async () => existsSync(logFile) && readFileSync(logFile, 'utf8').includes(line),
    readyTimeoutMs: 20_000,
  });
}

describe('startProcess with logFile', () => {
  it('appends every start of the same service to one log, in a folder it creates', async () => {
    const logFile = join(dir, 'nested', 'sleeper.log');
    const first = await sleeper('first start', logFile);
    expect(first.logFile).toBe(logFile);
    await first.kill();
    expect(first.exited()).toBe(true);

    const second = await sleeper('second start', logFile);
    expect(second.pid).not.toBe(first.pid);
    await second.stop(2_000);
    expect(second.exited()).toBe(true);
    expect(readFileSync(logFile, 'utf8')).toBe('first start\nsecond start\n');
  });

  it('with failFastOnExit, gives up as soon as the process exits while starting', async () => {
    const t0 = Date.now();
    await expect(
      startProcess({
        name: 'quitter',
        command: process.execPath,
        args: ['-e', 'process.exit(3)'],
        logFile: join(dir, 'quitter.log'),
        ready: async () => false,
        readyTimeoutMs: 60_000,
        failFastOnExit: true,
      }),
    ).rejects.toThrow(/quitter exited with code 3/);
    expect(Date.now() - t0).toBeLessThan(10_000);
  });
});
