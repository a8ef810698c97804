// moto's server mode from PyPI stands in for KMS and S3. It lives in its own virtualenv under the
// cache folder, installed once per pinned version; pip's cache makes a rebuilt venv quick too.

import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { LOCAL_AWS_REGION, type LocalServer, type LocalServerOptions } from './dynamodb.js';
import { CACHE_DIR, MissingPrerequisite, portOr, startProcess } from './process.js';

const run = promisify(execFile);

export const MOTO_VERSION = '5.2.5';

const VENV_DIR = join(CACHE_DIR, 'python', `moto-${MOTO_VERSION}`);
const MARKER = join(VENV_DIR, '.paystream-installed');

async function requirePython(): Promise<void> {
  try {
    await run('python3', ['-c', 'import venv, ensurepip'], { timeout: 30_000 });
  } catch {
    throw new MissingPrerequisite(
      'python3 (with venv and ensurepip)',
      'moto, the local KMS/S3 server, runs on Python 3 (apt-get install python3 python3-venv)',
    );
  }
}

/** Creates the venv and installs moto unless a previous run finished doing so. */
export async function ensureMoto(): Promise<string> {
  const bin = join(VENV_DIR, 'bin', 'moto_server');
  if (existsSync(MARKER) && existsSync(bin) && readFileSync(MARKER, 'utf8').trim() === MOTO_VERSION)
    return bin;
  await requirePython();
  // A half-built venv from an interrupted run is not worth repairing.
  rmSync(VENV_DIR, { recursive: true, force: true });
  mkdirSync(VENV_DIR, { recursive: true });
  try {
    await run('python3', ['-m', 'venv', VENV_DIR], { timeout: 5 * 60_000 });
    await run(
      join(VENV_DIR, 'bin', 'python'),
      ['-m', 'pip', 'install', '--disable-pip-version-check', '-q', `moto[server]==${MOTO_VERSION}`],
      { timeout: 15 * 60_000, maxBuffer: 64 * 1024 * 1024 },
    );
  } catch (err) {
    const e = err as { stdout?: string; stderr?: string; message: string };
    throw new Error(
      `could not install moto ${MOTO_VERSION}: ${e.message}\n${e.stdout ?? ''}\n${e.stderr ?? ''}`,
    );
  }
  if (!existsSync(bin)) throw new Error(`moto installed but ${bin} is missing`);
  writeFileSync(MARKER, MOTO_VERSION);
  return bin;
}

/** A real KMS ListKeys call. moto does not check signatures, so a syntactic header suffices. */
async function listKeysOk(endpoint: string): Promise<boolean> {
  const res = await fetch(endpoint, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-amz-json-1.1',
      'x-amz-target': 'TrentService.ListKeys',
      authorization: `AWS4-HMAC-SHA256 Credential=test/20260101/${LOCAL_AWS_REGION}/kms/aws4_request, SignedHeaders=host, Signature=00`,
    },
    body: '{}',
    signal: AbortSignal.timeout(2000),
  });
  if (res.status !== 200) return false;
  const body = (await res.json()) as { Keys?: unknown };
  return Array.isArray(body.Keys);
}

/** The launcher that gives moto state across restarts. */
const PERSISTENT_LAUNCHER = fileURLToPath(new URL('../python/moto_persistent.py', import.meta.url));

export async function startMoto(opts: LocalServerOptions = {}): Promise<LocalServer> {
  const bin = await ensureMoto();
  const port = await portOr(opts.port);
  const endpoint = `http://127.0.0.1:${port}`;
  const listen = ['-H', '127.0.0.1', '-p', String(port)];
  const proc = await startProcess({
    name: 'moto',
    ...(opts.dataDir
      ? {
          command: join(dirname(bin), 'python'),
          args: [PERSISTENT_LAUNCHER, ...listen],
          env: { PYTHONUNBUFFERED: '1', PAYSTREAM_MOTO_STATE_DIR: opts.dataDir },
        }
      : { command: bin, args: listen, env: { PYTHONUNBUFFERED: '1' } }),
    ready: () => listKeysOk(endpoint),
    readyTimeoutMs: 60_000,
  });
  if (opts.dataDir && existsSync(join(opts.dataDir, 'recording.jsonl'))) {
    try {
      // moto re-sends the recorded requests to itself (recording is paused meanwhile).
      const res = await fetch(`${endpoint}/moto-api/recorder/replay-recording`, {
        method: 'POST',
        signal: AbortSignal.timeout(10 * 60_000),
      });
      if (!res.ok) throw new Error(`HTTP ${res.status}`);
    } catch (err) {
      await proc.stop();
      throw new Error(`moto could not replay its saved state in ${opts.dataDir}: ${(err as Error).message}`);
    }
  }
  return { endpoint, stop: () => proc.stop() };
}
