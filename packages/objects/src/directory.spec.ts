import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { objectStoreContract } from './contract.js';
import { DirectoryObjectStore } from './directory.js';

objectStoreContract('directory', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'paystream-objects-'));
  return {
    store: new DirectoryObjectStore(join(dir, 'root')),
    cleanup: async () => rmSync(dir, { recursive: true }),
  };
});

describe('directory object store', () => {
  const dirs: string[] = [];
  const tmp = () => {
    const d = mkdtempSync(join(tmpdir(), 'paystream-objects-'));
    dirs.push(d);
    return d;
  };
  afterEach(() => {
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });

  it('never writes outside its root, whatever the key', async () => {
    const base = tmp();
    const store = new DirectoryObjectStore(join(base, 'root'));
    for (const key of ['../escape', 'x/../../escape', '../root2/escape']) {
      await expect(store.put(key, Buffer.from('x'))).rejects.toMatchObject({ code: 'invalid_object_key' });
    }
    expect(existsSync(join(base, 'escape'))).toBe(false);
    expect(existsSync(join(base, 'root2'))).toBe(false);
  });

  it('leaves no temp files behind and keeps them out of listings', async () => {
    const base = tmp();
    const store = new DirectoryObjectStore(base);
    await store.put('a/b', Buffer.from('1'));
    await store.put('a/b', Buffer.from('2'));
    expect(await store.putIfAbsent('a/b', Buffer.from('3'))).toBe(false);
    expect(readdirSync(join(base, '.tmp-writes'))).toEqual([]);
    expect(await store.list('')).toEqual(['a/b']);
  });

  it('reports a key whose parent is an object as a conflict', async () => {
    const store = new DirectoryObjectStore(tmp());
    await store.put('a', Buffer.from('1'));
    await expect(store.put('a/b', Buffer.from('2'))).rejects.toMatchObject({ code: 'object_key_conflict' });
  });
});
