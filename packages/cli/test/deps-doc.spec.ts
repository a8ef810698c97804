// docs/DEPENDENCIES.md is generated from package-lock.json (`npm run deps:doc`); a dependency
// change that forgets to regenerate it fails here, so the list with its licences stays true.

import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

describe('docs/DEPENDENCIES.md', () => {
  it('is what npm run deps:doc makes from the lockfile', async () => {
    const run = promisify(execFile);
    const { stdout, stderr } = await run('npx', ['tsx', 'scripts/deps-doc.ts', '--check'], {
      cwd: ROOT,
    }).catch((err: { stdout?: string; stderr?: string }) => ({
      stdout: err.stdout ?? '',
      stderr: err.stderr ?? 'failed',
    }));
    expect(stderr, stdout).toBe('');
  }, 60_000);
});
