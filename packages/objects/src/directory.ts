// The embedded object store: one file per object under a root directory. Writes go to a temp
// file that is fsynced and then renamed over the target, so a crash leaves the old object or the
// new one. putIfAbsent links the temp file into place, which fails atomically if the key exists.

import { randomBytes } from 'node:crypto';
import { link, mkdir, open, readdir, readFile, rename, unlink } from 'node:fs/promises';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { PaystreamError } from '@paystream/core';
import {
  assertListLimit,
  assertObjectKey,
  assertPrefix,
  byteOrder,
  DEFAULT_LIST_LIMIT,
  type ObjectStore,
} from './port.js';

const TMP_DIR = '.tmp-writes';

function errno(err: unknown): string | undefined {
  return (err as NodeJS.ErrnoException).code;
}

export class DirectoryObjectStore implements ObjectStore {
  readonly #root: string;

  constructor(root: string) {
    this.#root = resolve(root);
  }

  #path(key: string): string {
    assertObjectKey(key);
    const p = resolve(this.#root, key);
    // Defence in depth behind the key rules: never touch anything outside the root.
    if (!p.startsWith(this.#root + sep)) {
      throw new PaystreamError('invalid_object_key', 'object key escapes the store', 'key');
    }
    return p;
  }

  async #writeTemp(bytes: Uint8Array): Promise<string> {
    const dir = join(this.#root, TMP_DIR);
    await mkdir(dir, { recursive: true });
    const tmp = join(dir, `.tmp-${randomBytes(12).toString('hex')}`);
    const fh = await open(tmp, 'wx', 0o600);
    try {
      await fh.writeFile(bytes);
      await fh.sync();
    } finally {
      await fh.close();
    }
    return tmp;
  }

  async #syncDir(dir: string): Promise<void> {
    const fh = await open(dir, 'r');
    try {
      await fh.sync();
    } finally {
      await fh.close();
    }
  }

  async #prepareParent(target: string): Promise<void> {
    try {
      await mkdir(dirname(target), { recursive: true });
    } catch (err) {
      if (errno(err) === 'EEXIST' || errno(err) === 'ENOTDIR') {
        throw new PaystreamError('object_key_conflict', 'a parent of this key is itself an object', 'key');
      }
      throw err;
    }
  }

  async put(key: string, bytes: Uint8Array, _contentType?: string): Promise<void> {
    const target = this.#path(key);
    await this.#prepareParent(target);
    const tmp = await this.#writeTemp(bytes);
    try {
      await rename(tmp, target);
    } catch (err) {
      await unlink(tmp).catch(() => undefined);
      if (errno(err) === 'EISDIR' || errno(err) === 'ENOTDIR' || errno(err) === 'ENOTEMPTY') {
        throw new PaystreamError('object_key_conflict', 'this key is a prefix of other objects', 'key');
      }
      throw err;
    }
    await this.#syncDir(dirname(target));
  }

  async putIfAbsent(key: string, bytes: Uint8Array, _contentType?: string): Promise<boolean> {
    const target = this.#path(key);
    await this.#prepareParent(target);
    const tmp = await this.#writeTemp(bytes);
    try {
      await link(tmp, target);
    } catch (err) {
      if (errno(err) === 'EEXIST') return false;
      throw err;
    } finally {
      await unlink(tmp).catch(() => undefined);
    }
    await this.#syncDir(dirname(target));
    return true;
  }

  async get(key: string): Promise<Buffer | null> {
    try {
      return await readFile(this.#path(key));
    } catch (err) {
      const code = errno(err);
      if (code === 'ENOENT' || code === 'EISDIR' || code === 'ENOTDIR') return null;
      throw err;
    }
  }

  async list(prefix: string, limit = DEFAULT_LIST_LIMIT): Promise<string[]> {
    assertPrefix(prefix);
    assertListLimit(limit);
    // Start the walk at the deepest directory the prefix names, not at the root.
    const slash = prefix.lastIndexOf('/');
    const startDir = slash < 0 ? this.#root : join(this.#root, prefix.slice(0, slash));
    const keys: string[] = [];
    const walk = async (dir: string): Promise<void> => {
      let entries: import('node:fs').Dirent[];
      try {
        entries = await readdir(dir, { withFileTypes: true });
      } catch (err) {
        if (errno(err) === 'ENOENT' || errno(err) === 'ENOTDIR') return;
        throw err;
      }
      for (const e of entries) {
        if (e.name === TMP_DIR) continue;
        const full = join(dir, e.name);
        const key = relative(this.#root, full).split(sep).join('/');
        if (e.isDirectory()) {
          if (prefix.startsWith(`${key}/`) || `${key}/`.startsWith(prefix)) await walk(full);
        } else if (e.isFile() && key.startsWith(prefix)) {
          keys.push(key);
        }
      }
    };
    await walk(startDir);
    return keys.sort(byteOrder).slice(0, limit);
  }

  async delete(key: string): Promise<void> {
    try {
      await unlink(this.#path(key));
    } catch (err) {
      const code = errno(err);
      if (code === 'ENOENT' || code === 'EISDIR' || code === 'ENOTDIR' || code === 'EPERM') return;
      throw err;
    }
  }
}
