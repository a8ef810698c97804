// The data plane of SqliteReadStore's bulk loads, on a thread of its own: the calling thread
// validates and serializes the items (everything that can refuse them), this thread only runs
// the prepared INSERTs, in order, one transaction per load. Inserting the 75,000 rows of a
// 100,000-event replay costs 0.6–0.8 s of CPU, a quarter of the rebuild; on this thread it
// overlaps the projection of the next partition instead of adding to it.
//
// The thread is plain JavaScript (no TypeScript loader to start: it is up in tens of
// milliseconds) that needs nothing but the SQLite driver. Its connection is the store's second
// one on the same file; the store waits for the loads in flight before it reads or writes
// through its own (drain), so the two never contend for the lock.

import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import { invariant, PaystreamError } from '@paystream/core';

/** Loads queued on the thread at most; the next load waits for one to finish (back-pressure). */
export const MAX_QUEUED_LOADS = 64;

const SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.filename);
for (const p of workerData.pragmas) db.pragma(p);
const statements = new Map();
const insertAll = db.transaction((sql, width, values, text, ends) => {
  let st = statements.get(sql);
  if (st === undefined) {
    st = db.prepare(sql);
    statements.set(sql, st);
  }
  const row = new Array(width + 1);
  let start = 0;
  for (let r = 0, i = 0; r < ends.length; r++, i += width) {
    for (let j = 0; j < width; j++) row[j] = values[i + j];
    row[width] = text.subarray(start, ends[r]);
    start = ends[r];
    st.run(row);
  }
});
parentPort.on('message', (m) => {
  if (m.type === 'close') {
    statements.clear();
    db.close();
    parentPort.postMessage({ id: m.id, ok: true });
    parentPort.close();
    return;
  }
  try {
    insertAll(m.sql, m.width, m.values, Buffer.from(m.text), m.ends);
    parentPort.postMessage({ id: m.id, ok: true });
  } catch (err) {
    parentPort.postMessage({ id: m.id, ok: false, message: String((err && err.message) || err), code: err && err.code });
  }
});
`;

interface Pending {
  resolve(): void;
  reject(err: Error): void;
}

type Reply = { id: number; ok: true } | { id: number; ok: false; message: string; code?: string };

export class SqliteBulkWriter {
  readonly #worker: Worker;
  readonly #pending = new Map<number, Pending>();
  #next = 1;
  #failure: Error | null = null;
  #closed = false;

  constructor(filename: string, pragmas: readonly string[]) {
    const driver = createRequire(import.meta.url).resolve('better-sqlite3');
    // No execArgv: the thread needs no TypeScript loader (tsx would otherwise start in it too).
    this.#worker = new Worker(SOURCE, {
      eval: true,
      execArgv: [],
      workerData: { driver, filename, pragmas },
    });
    // Idle, the thread must not keep the process alive; while loads are in flight it must.
    this.#worker.unref();
    this.#worker.on('message', (m: Reply) => this.#settle(m));
    this.#worker.on('error', (err) => this.#fail(err));
    this.#worker.on('exit', (code) => {
      if (!this.#closed || this.#pending.size > 0) this.#fail(new Error(`exited with code ${code}`));
    });
  }

  /**
   * Inserts rows with `sql` (one ? per column, the last one for a text, bound as its UTF-8 bytes:
   * write it `CAST(? AS TEXT)` to store it as text): row r is the `width` values
   * values[r * width ..] followed by text[ends[r - 1] .. ends[r]). `text` is moved to the
   * thread: the caller must not use it afterwards.
   */
  async insert(
    sql: string,
    width: number,
    values: readonly unknown[],
    text: Buffer,
    ends: Float64Array,
  ): Promise<void> {
    invariant(values.length === ends.length * width, 'a row is `width` values and a text');
    // allocUnsafeSlow buffers own their ArrayBuffer; a pooled one would move the whole pool.
    invariant(text.byteOffset === 0 && text.byteLength === text.buffer.byteLength, 'text owns its memory');
    if (this.#failure) throw this.#failure;
    if (this.#closed) throw new PaystreamError('readstore_unavailable', 'the bulk writer is closed');
    while (this.#pending.size >= MAX_QUEUED_LOADS) await this.#oldest();
    const id = this.#next++;
    const done = new Promise<void>((resolve, reject) => this.#pending.set(id, { resolve, reject }));
    if (this.#pending.size === 1) this.#worker.ref();
    try {
      this.#worker.postMessage({ type: 'insert', id, sql, width, values, text: text.buffer, ends }, [
        text.buffer as ArrayBuffer,
        ends.buffer as ArrayBuffer,
      ]);
    } catch (err) {
      this.#settle({ id, ok: false, message: (err as Error).message });
    }
    await done;
  }

  /**
   * Resolves once every load handed over so far has settled (a failed one is reported to its
   * own caller). Rejects only when the thread itself is gone.
   */
  async drain(): Promise<void> {
    while (this.#pending.size > 0) await this.#oldest();
    if (this.#failure) throw this.#failure;
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    try {
      await this.drain().catch(() => {});
      if (this.#failure) return;
      const id = this.#next++;
      const done = new Promise<void>((resolve, reject) => this.#pending.set(id, { resolve, reject }));
      this.#worker.ref();
      this.#closed = true;
      this.#worker.postMessage({ type: 'close', id });
      await done;
    } finally {
      this.#closed = true;
      await this.#worker.terminate();
    }
  }

  /** Waits for the oldest load in flight to settle, whichever way. */
  async #oldest(): Promise<void> {
    const first = this.#pending.keys().next();
    if (first.done) return;
    const id = first.value;
    await new Promise<void>((resolve) => {
      const p = this.#pending.get(id)!;
      this.#pending.set(id, {
        resolve: () => {
          p.resolve();
          resolve();
        },
        reject: (err) => {
          p.reject(err);
          resolve();
        },
      });
    });
  }

  #settle(m: Reply): void {
    const p = this.#pending.get(m.id);
    if (!p) return;
    this.#pending.delete(m.id);
    if (this.#pending.size === 0) this.#worker.unref();
    if (m.ok) p.resolve();
    // The load's own caller gets the error (its transaction was rolled back); like an inline
    // load, a failed one does not stop the loads after it.
    else if (/no such table/.test(m.message)) {
      p.reject(
        new PaystreamError(
          'table_not_found',
          'read-model table does not exist; run ensureTables first',
          'table',
        ),
      );
    } else p.reject(new PaystreamError('readstore_unavailable', `bulk load failed: ${m.message}`));
  }

  #fail(err: Error): void {
    const failure = new PaystreamError(
      'readstore_unavailable',
      `the bulk writer thread failed: ${err.message}`,
    );
    this.#failure ??= failure;
    for (const p of this.#pending.values()) p.reject(failure);
    this.#pending.clear();
  }
}
