// A Python virtualenv for a pinned requirements file, created once under the cache folder and
// keyed by the file's hash (a changed pin makes a new venv); pip's own cache makes a rebuild
// quick. moto.ts predates this and keeps its own venv.

import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { CACHE_DIR, MissingPrerequisite } from './process.js';

const run = promisify(execFile);

/** Returns the venv's python for `requirementsFile`, installing it on first use. */
export async function ensurePythonVenv(name: string, requirementsFile: string): Promise<string> {
  const hash = createHash('sha256').update(readFileSync(requirementsFile)).digest('hex').slice(0, 16);
  const dir = join(CACHE_DIR, 'python', `${name}-${hash}`);
  const python = join(dir, 'bin', 'python');
  const marker = join(dir, '.paystream-installed');
  if (existsSync(marker) && existsSync(python)) return python;
  try {
    await run('python3', ['-c', 'import venv, ensurepip'], { timeout: 30_000 });
  } catch {
    throw new MissingPrerequisite(
      'python3 (with venv and ensurepip)',
      `${name} runs on Python 3 (apt-get install python3 python3-venv)`,
    );
  }
  // A half-built venv from an interrupted run is not worth repairing.
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  try {
    await run('python3', ['-m', 'venv', dir], { timeout: 5 * 60_000 });
    await run(python, ['-m', 'pip', 'install', '--disable-pip-version-check', '-q', '-r', requirementsFile], {
      timeout: 15 * 60_000,
      maxBuffer: 64 * 1024 * 1024,
    });
  } catch (err) {
    const e = err as { stdout?: string; stderr?: string; message: string };
    throw new Error(
      `could not install ${requirementsFile} into ${dir}: ${e.message}\n${e.stdout ?? ''}\n${e.stderr ?? ''}`,
    );
  }
  writeFileSync(marker, `${new Date().toISOString()}\n`);
  return python;
}
