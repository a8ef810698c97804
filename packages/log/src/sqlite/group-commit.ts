// Group commit: every write to the embedded log (an ingest request's append, each consumer
// group's batch commit) used to be its own transaction, so its own fsync — and better-sqlite3
// fsyncs on the event loop, so the whole process waited on the disk once per write. Writes
// queued in one turn of the event loop now share one transaction and one fsync. Each runs in
// its own savepoint, so a write that throws rolls back alone and its neighbours still commit.
// A write's promise settles only after the shared commit: durability is unchanged.

import type Database from 'better-sqlite3';

interface Pending {
  readonly write: () => unknown;
  readonly resolve: (value: unknown) => void;
  readonly reject: (err: unknown) => void;
}

export class GroupCommit {
  readonly #db: Database.Database;
  readonly #afterCommit: () => void;
  /** Runs its argument in a savepoint when called inside a transaction. */
  readonly #savepoint: (write: () => unknown) => unknown;
  #queue: Pending[] = [];
  #flushing: Promise<void> | null = null;
  /** Transactions committed and writes they carried, for metrics and tests. */
  commits = 0;
  writes = 0;

  constructor(db: Database.Database, afterCommit: () => void) {
    this.#db = db;
    this.#afterCommit = afterCommit;
    this.#savepoint = db.transaction((write: () => unknown) => write());
  }

  /** Runs `write` inside the next shared transaction; resolves with its result once durable. */
  run<T>(write: () => T): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.#queue.push({ write, resolve: resolve as (v: unknown) => void, reject });
      if (this.#flushing === null) {
        this.#flushing = new Promise<void>((done) =>
          // setImmediate, not a microtask: lets pending I/O (more requests) join this commit.
          setImmediate(() => {
            this.#flush();
            done();
          }),
        );
      }
    });
  }

  /** Resolves once everything queued so far is committed (or failed). */
  async drain(): Promise<void> {
    while (this.#flushing !== null) await this.#flushing;
  }

  #flush(): void {
    const batch = this.#queue;
    this.#queue = [];
    this.#flushing = null;
    const results: ({ ok: true; value: unknown } | { ok: false; err: unknown })[] = [];
    try {
      this.#db
        .transaction(() => {
          for (const p of batch) {
            try {
              results.push({ ok: true, value: this.#savepoint(p.write) });
            } catch (err) {
              results.push({ ok: false, err });
            }
          }
        })
        .immediate();
    } catch (err) {
      // The commit itself failed (busy beyond the timeout, disk full): nothing was written.
      for (const p of batch) p.reject(err);
      return;
    }
    this.commits += 1;
    this.writes += batch.length;
    this.#afterCommit();
    batch.forEach((p, i) => {
      const r = results[i]!;
      if (r.ok) p.resolve(r.value);
      else p.reject(r.err);
    });
  }
}
