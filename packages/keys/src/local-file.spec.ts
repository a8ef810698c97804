import { spawn } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PaystreamError } from '@paystream/core';
import { afterEach, describe, expect, it } from 'vitest';
import { keyManagerContract } from './contract.js';
import { LocalFileKeyManager } from './local-file.js';

keyManagerContract('local master-key file', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'paystream-keys-'));
  const masterKeyFile = join(dir, 'master.key');
  return {
    keys: new LocalFileKeyManager({ masterKeyFile }),
    reopen: async () => new LocalFileKeyManager({ masterKeyFile }),
    cleanup: async () => rmSync(dir, { recursive: true, force: true }),
  };
});

describe('local master-key file', () => {
  const dirs: string[] = [];
  const tempFile = () => {
    const dir = mkdtempSync(join(tmpdir(), 'paystream-keys-'));
    dirs.push(dir);
    return join(dir, 'nested', 'master.key');
  };
  afterEach(() => {
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });

  const codeOf = (fn: () => unknown): string | undefined => {
    try {
      fn();
    } catch (e) {
      return e instanceof PaystreamError ? e.code : `not a PaystreamError: ${String(e)}`;
    }
    return undefined;
  };

  it('creates a 32-byte key with mode 0600 even under a permissive umask', () => {
    const file = tempFile();
    const old = process.umask(0o000);
    try {
      new LocalFileKeyManager({ masterKeyFile: file });
    } finally {
      process.umask(old);
    }
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readFileSync(file).length).toBe(32);
  });

  it('gives processes starting together one key, none a half-written file', async () => {
    // Services started at once on one PAYSTREAM_DATA all create the key file; each must end
    // up with the key of whichever won, never key_file_invalid from reading it mid-write. (The
    // old window, between creating the file and writing it, was microseconds wide: this run does
    // not reliably hit it; it checks the outcome, and the link-into-place design closes it.)
    const file = tempFile();
    const module = fileURLToPath(new URL('./local-file.ts', import.meta.url));
    const script = `const { LocalFileKeyManager } = await import(${JSON.stringify(module)});
      console.log(new LocalFileKeyManager({ masterKeyFile: ${JSON.stringify(file)} }).keyId);`;
    const run = () =>
      new Promise<string>((resolve, reject) => {
        const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script]);
        let out = '';
        let err = '';
        child.stdout.on('data', (d) => (out += d));
        child.stderr.on('data', (d) => (err += d));
        child.on('exit', (code) => (code === 0 ? resolve(out.trim()) : reject(new Error(err))));
      });
    const ids = await Promise.all(Array.from({ length: 8 }, run));
    expect(new Set(ids).size).toBe(1);
    expect(ids[0]).toBe(new LocalFileKeyManager({ masterKeyFile: file }).keyId);
    expect(statSync(file).mode & 0o777).toBe(0o600);
  }, 60_000);

  it('keeps the existing key and key id on restart', () => {
    const file = tempFile();
    const a = new LocalFileKeyManager({ masterKeyFile: file });
    const bytes = readFileSync(file);
    const b = new LocalFileKeyManager({ masterKeyFile: file });
    expect(b.keyId).toBe(a.keyId);
    expect(a.keyId).toMatch(/^local:[0-9a-f]{16}$/);
    expect(readFileSync(file).equals(bytes)).toBe(true);
  });

  it.each([0o644, 0o640, 0o604, 0o660, 0o700, 0o666])('refuses to start when the file mode is %o', (mode) => {
    const file = tempFile();
    new LocalFileKeyManager({ masterKeyFile: file });
    chmodSync(file, mode);
    expect(codeOf(() => new LocalFileKeyManager({ masterKeyFile: file }))).toBe(
      mode & 0o077 ? 'key_file_insecure' : undefined,
    );
  });

  it('accepts a stricter mode (0400)', () => {
    const file = tempFile();
    const a = new LocalFileKeyManager({ masterKeyFile: file });
    chmodSync(file, 0o400);
    expect(new LocalFileKeyManager({ masterKeyFile: file }).keyId).toBe(a.keyId);
  });

  it('refuses a key file of the wrong size', () => {
    const file = tempFile();
    new LocalFileKeyManager({ masterKeyFile: file });
    writeFileSync(file, Buffer.alloc(16), { mode: 0o600 });
    expect(codeOf(() => new LocalFileKeyManager({ masterKeyFile: file }))).toBe('key_file_invalid');
  });
});
