// One member of a consumer group on the embedded log. Owns partitions through leases renewed
// by heartbeats; its batch commits (outputs + offset, fenced by the lease) go through the log's
// group commit, so every group's commits in one turn of the event loop share one fsync.
//
// It reads only partitions known to have grown ("dirty"): appends in this process name their
// partitions; appends by other processes show as a new PRAGMA data_version, checked every poll
// interval, which marks every owned partition dirty.
//
// Handlers in the embedded all-in-one share one event loop with the HTTP server, and a batch
// whose handler never waits on I/O holds that loop for its whole length. So batches are sized
// to about SLICE_MS of handler time (measured as it runs), and the member yields to the event
// loop after each one.

import { randomUUID } from 'node:crypto';
import type Database from 'better-sqlite3';
import type {
  BatchHandler,
  LogRecord,
  OutRecord,
  PartitionRef,
  SubscribeOptions,
  Subscription,
} from '../port.js';
import { partitionKey } from '../position.js';
import type { SqliteEventLog } from './sqlite-event-log.js';

/** The most records a consumer batch may ask for. */
export const MAX_BATCH_LIMIT = 10_000;
const DEFAULT_MAX_BATCH = 500;
const MAX_HANDLER_BACKOFF_MS = 5_000;
/** Target handler time per batch. */
const SLICE_MS = 10;
const MIN_ADAPTIVE_BATCH = 8;

const yieldToEventLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

interface Owned {
  readonly topic: string;
  readonly partition: number;
  next: number;
  retryAtMs: number;
  failures: number;
}

/** The heartbeat's statements, prepared once per log connection. */
function heartbeatStatements(db: Database.Database) {
  return {
    upsertMember: db.prepare(
      'INSERT INTO group_members (group_id, member_id, heartbeat_ms) VALUES (?, ?, ?) ON CONFLICT (group_id, member_id) DO UPDATE SET heartbeat_ms = excluded.heartbeat_ms',
    ),
    expireMembers: db.prepare('DELETE FROM group_members WHERE group_id = ? AND heartbeat_ms <= ?'),
    members: db.prepare('SELECT member_id FROM group_members WHERE group_id = ? ORDER BY member_id'),
    release: db.prepare(
      'DELETE FROM partition_leases WHERE group_id = ? AND topic = ? AND partition = ? AND member_id = ?',
    ),
    lease: db.prepare(
      'SELECT member_id, expires_ms FROM partition_leases WHERE group_id = ? AND topic = ? AND partition = ?',
    ),
    takeLease: db.prepare(
      'INSERT INTO partition_leases (group_id, topic, partition, member_id, expires_ms) VALUES (?, ?, ?, ?, ?) ON CONFLICT (group_id, topic, partition) DO UPDATE SET member_id = excluded.member_id, expires_ms = excluded.expires_ms',
    ),
    renewLeases: db.prepare(
      'UPDATE partition_leases SET expires_ms = ? WHERE group_id = ? AND member_id = ?',
    ),
    leaveLeases: db.prepare('DELETE FROM partition_leases WHERE group_id = ? AND member_id = ?'),
    leaveMember: db.prepare('DELETE FROM group_members WHERE group_id = ? AND member_id = ?'),
  };
}
type HeartbeatStatements = ReturnType<typeof heartbeatStatements>;
const statementsByDb = new WeakMap<Database.Database, HeartbeatStatements>();

export class SqliteSubscription implements Subscription {
  readonly groupId: string;
  readonly #log: SqliteEventLog;
  readonly #options: SubscribeOptions;
  readonly #handler: BatchHandler;
  readonly #onStopped: () => void;
  readonly #memberId = randomUUID();
  readonly #maxBatch: number;
  readonly #sql: HeartbeatStatements;
  /** Owned partitions → next offset to deliver. */
  readonly #owned = new Map<string, Owned>();
  /** Owned partitions that may hold records past `next`. */
  readonly #dirty = new Set<string>();
  #stopping = false;
  #loop: Promise<void> | undefined;
  #lastHeartbeatMs = 0;
  /** Group members at the last rebalance, and how many partitions that gave this member. */
  #membership = '';
  #assigned = -1;
  #lastPollMs = 0;
  #dataVersion = -1;
  #wake: (() => void) | undefined;
  /** Moving average of handler time per record, for sizing batches to SLICE_MS. */
  #msPerRecord = 0;

  constructor(log: SqliteEventLog, options: SubscribeOptions, handler: BatchHandler, onStopped: () => void) {
    this.#log = log;
    this.#options = options;
    this.#handler = handler;
    this.#onStopped = onStopped;
    this.groupId = options.groupId;
    this.#maxBatch = Math.min(Math.max(1, options.maxBatchRecords ?? DEFAULT_MAX_BATCH), MAX_BATCH_LIMIT);
    let sql = statementsByDb.get(log.db);
    if (!sql) {
      sql = heartbeatStatements(log.db);
      statementsByDb.set(log.db, sql);
    }
    this.#sql = sql;
  }

  start(): void {
    this.#log.db.transaction(() => this.#heartbeat()).immediate();
    this.#loop = this.#run();
  }

  async stop(): Promise<void> {
    this.#stopping = true;
    this.#wake?.();
    await this.#loop;
  }

  /**
   * Renews this member and its leases, and (when the group's membership changed or a partition
   * it should own is still held by someone else) rebalances. Runs inside a transaction.
   */
  #heartbeat(): void {
    const { options } = this.#log;
    const sql = this.#sql;
    const now = Date.now();
    this.#lastHeartbeatMs = now;
    const expires = now + options.sessionTimeoutMs;
    {
      sql.upsertMember.run(this.groupId, this.#memberId, now);
      sql.expireMembers.run(this.groupId, now - options.sessionTimeoutMs);
      const members = (sql.members.all(this.groupId) as { member_id: string }[]).map((m) => m.member_id);
      const membership = members.join(',');
      if (membership === this.#membership && this.#owned.size === this.#assigned) {
        sql.renewLeases.run(expires, this.groupId, this.#memberId); // the steady state
        return;
      }
      this.#membership = membership;
      const me = members.indexOf(this.#memberId);
      const all: { topic: string; partition: number }[] = [];
      for (const t of [...this.#options.topics].sort()) {
        for (let p = 0; p < this.#log.partitionCount(t); p++) all.push({ topic: t, partition: p });
      }
      const mine = new Set(
        all.filter((_, i) => i % members.length === me).map((tp) => partitionKey(tp.topic, tp.partition)),
      );
      this.#assigned = mine.size;
      // Release what is no longer ours, so its new owner can take it at its next heartbeat.
      const revoked: PartitionRef[] = [];
      for (const [k, o] of this.#owned) {
        if (!mine.has(k)) {
          sql.release.run(this.groupId, o.topic, o.partition, this.#memberId);
          this.#owned.delete(k);
          this.#dirty.delete(k);
          revoked.push({ topic: o.topic, partition: o.partition });
        }
      }
      this.#notify('onRevoked', revoked);
      const assigned: PartitionRef[] = [];
      for (const tp of all) {
        const k = partitionKey(tp.topic, tp.partition);
        if (!mine.has(k)) continue;
        const lease = sql.lease.get(this.groupId, tp.topic, tp.partition) as
          | { member_id: string; expires_ms: number }
          | undefined;
        const free = !lease || lease.member_id === this.#memberId || lease.expires_ms <= now;
        if (!free) continue; // the previous owner releases it on its next heartbeat, or its lease expires
        sql.takeLease.run(this.groupId, tp.topic, tp.partition, this.#memberId, expires);
        if (!this.#owned.has(k)) {
          const committed = this.#log.stmt.committed.get(this.groupId, tp.topic, tp.partition) as
            | { n: number }
            | undefined;
          let next = committed?.n;
          if (next === undefined) {
            const head = this.#log.stmt.head.get(tp.topic, tp.partition) as { m: number | null };
            next = this.#options.start === 'end' ? (head.m === null ? 0 : head.m + 1) : 0;
          }
          this.#owned.set(k, { ...tp, next, retryAtMs: 0, failures: 0 });
          this.#dirty.add(k);
          assigned.push(tp);
        }
      }
      this.#notify('onAssigned', assigned);
    }
  }

  /** A listener that throws is reported; it must not stop the member. */
  #notify(which: 'onAssigned' | 'onRevoked', partitions: readonly PartitionRef[]): void {
    if (partitions.length === 0) return;
    try {
      this.#options[which]?.(partitions);
    } catch (err) {
      this.#log.options.onHandlerError?.(err, { groupId: this.groupId, topic: '', partition: -1 });
    }
  }

  /** Marks every owned partition dirty when another connection has committed since last asked. */
  #pollOtherWriters(now: number): void {
    this.#lastPollMs = now;
    const version = this.#log.dataVersion();
    if (version === this.#dataVersion) return;
    this.#dataVersion = version;
    for (const k of this.#owned.keys()) this.#dirty.add(k);
  }

  async #run(): Promise<void> {
    const { options, waker } = this.#log;
    const onAppend = (keys: readonly string[]) => {
      let any = false;
      for (const k of keys) {
        if (this.#owned.has(k)) {
          this.#dirty.add(k);
          any = true;
        }
      }
      if (any) this.#wake?.();
    };
    waker.on('append', onAppend);
    try {
      while (!this.#stopping) {
        const now = Date.now();
        if (now - this.#lastHeartbeatMs >= options.heartbeatIntervalMs) {
          // Through the group commit: renewing leases shares the fsync of the turn's commits.
          this.#lastHeartbeatMs = now;
          try {
            await this.#log.groupCommit.run(() => this.#heartbeat());
          } catch (err) {
            // Retried at the next interval; leases outlive several missed heartbeats.
            this.#log.options.onHandlerError?.(err, { groupId: this.groupId, topic: '', partition: -1 });
          }
        }
        if (now - this.#lastPollMs >= options.pollIntervalMs) this.#pollOtherWriters(now);
        const commits: Promise<void>[] = [];
        let nextRetryMs = Number.POSITIVE_INFINITY;
        for (const k of [...this.#dirty]) {
          if (this.#stopping) break;
          const owned = this.#owned.get(k);
          if (!owned) {
            this.#dirty.delete(k);
            continue;
          }
          if (owned.retryAtMs > now) {
            nextRetryMs = Math.min(nextRetryMs, owned.retryAtMs);
            continue;
          }
          this.#dirty.delete(k);
          const limit = this.#batchLimit();
          const records = this.#log.readRecords(owned.topic, owned.partition, owned.next, limit);
          if (records.length === 0) continue;
          if (records.length === limit) this.#dirty.add(k); // more after this batch
          const commit = await this.#process(k, owned, records);
          if (commit) commits.push(commit);
          await yieldToEventLoop();
        }
        if (commits.length > 0) {
          await Promise.all(commits);
          continue;
        }
        if (this.#stopping) break;
        const hasReady = [...this.#dirty].some((k) => (this.#owned.get(k)?.retryAtMs ?? 0) <= Date.now());
        if (hasReady) continue;
        const waitMs = Math.max(0, Math.min(options.pollIntervalMs, nextRetryMs - Date.now()));
        await new Promise<void>((resolve) => {
          const timer = setTimeout(done, waitMs);
          function done() {
            clearTimeout(timer);
            resolve();
          }
          this.#wake = done;
        });
        this.#wake = undefined;
      }
    } finally {
      waker.off('append', onAppend);
      this.#leave();
    }
  }

  #backOff(k: string, owned: Owned, err: unknown): void {
    owned.failures += 1;
    owned.retryAtMs = Date.now() + Math.min(MAX_HANDLER_BACKOFF_MS, 50 * 2 ** Math.min(owned.failures, 10));
    this.#dirty.add(k);
    this.#log.options.onHandlerError?.(err, {
      groupId: this.groupId,
      topic: owned.topic,
      partition: owned.partition,
    });
  }

  #batchLimit(): number {
    if (this.#msPerRecord <= 0) return this.#maxBatch;
    const fit = Math.floor(SLICE_MS / this.#msPerRecord);
    return Math.min(this.#maxBatch, Math.max(MIN_ADAPTIVE_BATCH, fit));
  }

  /** Runs the handler; returns the pending commit of its outputs and offset, if it succeeded. */
  async #process(k: string, owned: Owned, records: LogRecord[]): Promise<Promise<void> | undefined> {
    const staged: OutRecord[] = [];
    const started = performance.now();
    try {
      await this.#handler(
        { topic: owned.topic, partition: owned.partition, records },
        { append: (out) => void staged.push(...out) },
      );
      const perRecord = (performance.now() - started) / records.length;
      this.#msPerRecord = this.#msPerRecord === 0 ? perRecord : 0.8 * this.#msPerRecord + 0.2 * perRecord;
    } catch (err) {
      this.#backOff(k, owned, err);
      return undefined;
    }
    const next = records.at(-1)!.offset + 1;
    const { stmt } = this.#log;
    return this.#log.groupCommit
      .run(() => {
        if (!stmt.fenced.get(this.groupId, owned.topic, owned.partition, this.#memberId)) return false;
        if (staged.length > 0) this.#log.appendInTransaction(staged);
        stmt.commit.run(this.groupId, owned.topic, owned.partition, next);
        return true;
      })
      .then(
        (committed) => {
          if (!committed) {
            // Lost the partition to another member: it redelivers from the last commit.
            this.#owned.delete(k);
            this.#dirty.delete(k);
            this.#notify('onRevoked', [{ topic: owned.topic, partition: owned.partition }]);
            return;
          }
          owned.next = next;
          owned.failures = 0;
        },
        (err: unknown) => this.#backOff(k, owned, err),
      );
  }

  #leave(): void {
    try {
      const { db } = this.#log;
      db.transaction(() => {
        this.#sql.leaveLeases.run(this.groupId, this.#memberId);
        this.#sql.leaveMember.run(this.groupId, this.#memberId);
      }).immediate();
    } catch {
      /* the database may already be closed during shutdown */
    }
    const revoked = [...this.#owned.values()].map((o) => ({ topic: o.topic, partition: o.partition }));
    this.#owned.clear();
    this.#dirty.clear();
    this.#notify('onRevoked', revoked);
    this.#onStopped();
  }
}
