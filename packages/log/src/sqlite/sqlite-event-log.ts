// The embedded event log: Kafka's topic / partition / offset / consumer-group semantics on one
// SQLite file. A consumer's outputs and its offset commit share one SQLite transaction, and
// that transaction first checks the member still holds the partition's lease, so a member that
// lost its partition (a pause, a crash, a rebalance) can never commit: effectively once.

import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { PaystreamError } from '@paystream/core';
import Database from 'better-sqlite3';
import { partitionFor } from '../partitioner.js';
import type {
  BatchHandler,
  EventLog,
  LogRecord,
  OutRecord,
  RecordPosition,
  SeekTarget,
  SubscribeOptions,
  Subscription,
  TopicSpec,
} from '../port.js';
import { covers, type Position, partitionKey } from '../position.js';
import { migrate } from './schema.js';
import { decodeSegment, encodeSegment, MAX_RECORDS_PER_SEGMENT, type SegmentRow } from './segments.js';

export interface SqliteEventLogOptions {
  /** Path of the SQLite file; its folder is created if missing. */
  readonly path: string;
  /** FULL fsyncs every commit (no acknowledged append lost even on power loss). */
  readonly synchronous?: 'FULL' | 'NORMAL';
  /** Upper bound on how late another process's appends are noticed. */
  readonly pollIntervalMs?: number;
  /** A member silent for this long loses its partitions. */
  readonly sessionTimeoutMs?: number;
  readonly heartbeatIntervalMs?: number;
  /** Where handler failures are reported (they are retried, never dropped). */
  readonly onHandlerError?: (
    err: unknown,
    where: { groupId: string; topic: string; partition: number },
  ) => void;
}

const DEFAULT_MAX_BATCH = 500;
const MAX_BATCH_LIMIT = 10_000;
const MAX_HANDLER_BACKOFF_MS = 5_000;

// Appends in one process wake that process's consumers at once; other processes poll.
const wakers = new Map<string, EventEmitter>();
function wakerFor(path: string): EventEmitter {
  let w = wakers.get(path);
  if (!w) {
    w = new EventEmitter();
    w.setMaxListeners(0);
    wakers.set(path, w);
  }
  return w;
}

export class SqliteEventLog implements EventLog {
  readonly engine = 'sqlite' as const;
  readonly db: Database.Database;
  readonly options: Required<Omit<SqliteEventLogOptions, 'onHandlerError'>> &
    Pick<SqliteEventLogOptions, 'onHandlerError'>;
  readonly waker: EventEmitter;
  readonly #partitions = new Map<string, number>();
  readonly #subscriptions = new Set<SqliteSubscription>();
  #closed = false;

  readonly stmt: {
    insert: Database.Statement;
    head: Database.Statement;
    read: Database.Statement;
    committed: Database.Statement;
    commit: Database.Statement;
  };

  constructor(options: SqliteEventLogOptions) {
    this.options = {
      synchronous: 'FULL',
      pollIntervalMs: 25,
      sessionTimeoutMs: 10_000,
      heartbeatIntervalMs: 1_000,
      ...options,
    };
    if (options.path !== ':memory:') mkdirSync(dirname(options.path), { recursive: true });
    this.db = new Database(options.path);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma(`synchronous = ${this.options.synchronous}`);
    this.db.pragma('busy_timeout = 10000');
    migrate(this.db);
    this.waker = wakerFor(options.path);
    this.stmt = {
      insert: this.db.prepare(
        'INSERT INTO segments (topic, partition, base_offset, last_offset, ts, records) VALUES (?, ?, ?, ?, ?, ?)',
      ),
      head: this.db.prepare('SELECT max(last_offset) AS m FROM segments WHERE topic = ? AND partition = ?'),
      read: this.db.prepare(
        'SELECT topic, partition, base_offset, last_offset, ts, records FROM segments WHERE topic = ? AND partition = ? AND last_offset >= ? ORDER BY last_offset LIMIT ?',
      ),
      committed: this.db.prepare(
        'SELECT next_offset AS n FROM group_offsets WHERE group_id = ? AND topic = ? AND partition = ?',
      ),
      commit: this.db.prepare(
        'INSERT INTO group_offsets (group_id, topic, partition, next_offset) VALUES (?, ?, ?, ?) ON CONFLICT (group_id, topic, partition) DO UPDATE SET next_offset = excluded.next_offset',
      ),
    };
  }

  #assertOpen(): void {
    if (this.#closed) throw new PaystreamError('log_closed', 'the event log is closed');
  }

  async createTopics(specs: readonly TopicSpec[]): Promise<void> {
    this.#assertOpen();
    const get = this.db.prepare('SELECT partitions FROM topics WHERE name = ?');
    const put = this.db.prepare('INSERT INTO topics (name, partitions) VALUES (?, ?)');
    this.db
      .transaction(() => {
        for (const s of specs) {
          if (!/^[A-Za-z0-9._-]{1,200}$/.test(s.name)) {
            throw new PaystreamError('invalid_topic', `topic name ${JSON.stringify(s.name)} is not valid`);
          }
          const row = get.get(s.name) as { partitions: number } | undefined;
          if (row && row.partitions !== s.partitions) {
            throw new PaystreamError(
              'topic_mismatch',
              `topic ${s.name} exists with ${row.partitions} partitions, not ${s.partitions}`,
            );
          }
          if (!row) put.run(s.name, s.partitions);
          this.#partitions.set(s.name, s.partitions);
        }
      })
      .immediate();
  }

  async partitionsOf(topic: string): Promise<number> {
    return this.partitionCount(topic);
  }

  partitionCount(topic: string): number {
    const cached = this.#partitions.get(topic);
    if (cached !== undefined) return cached;
    const row = this.db.prepare('SELECT partitions FROM topics WHERE name = ?').get(topic) as
      | { partitions: number }
      | undefined;
    if (!row) throw new PaystreamError('unknown_topic', `topic ${topic} does not exist`);
    this.#partitions.set(topic, row.partitions);
    return row.partitions;
  }

  /** Appends inside the caller's transaction; the caller wakes consumers after commit. */
  appendInTransaction(records: readonly OutRecord[]): RecordPosition[] {
    // Group by partition, keeping input order, so each partition's share becomes one segment.
    const groups = new Map<string, { topic: string; partition: number; indexes: number[] }>();
    records.forEach((r, i) => {
      const partition = partitionFor(r.key, this.partitionCount(r.topic));
      const k = partitionKey(r.topic, partition);
      let g = groups.get(k);
      if (!g) {
        g = { topic: r.topic, partition, indexes: [] };
        groups.set(k, g);
      }
      g.indexes.push(i);
    });
    const now = Date.now();
    const out = new Array<RecordPosition>(records.length);
    for (const g of groups.values()) {
      const head = this.stmt.head.get(g.topic, g.partition) as { m: number | null };
      let next = head.m === null ? 0 : head.m + 1;
      for (let from = 0; from < g.indexes.length; from += MAX_RECORDS_PER_SEGMENT) {
        const chunk = g.indexes.slice(from, from + MAX_RECORDS_PER_SEGMENT);
        this.stmt.insert.run(
          g.topic,
          g.partition,
          next,
          next + chunk.length - 1,
          now,
          encodeSegment(chunk.map((i) => records[i]!)),
        );
        for (const i of chunk) out[i] = { topic: g.topic, partition: g.partition, offset: next++ };
      }
    }
    return out;
  }

  /** Up to `maxRecords` records of one partition from `fromOffset`, unpacked from their segments. */
  readRecords(topic: string, partition: number, fromOffset: number, maxRecords: number): LogRecord[] {
    const out: LogRecord[] = [];
    let from = fromOffset;
    while (out.length < maxRecords) {
      const rows = this.stmt.read.all(topic, partition, from, 16) as SegmentRow[];
      if (rows.length === 0) break;
      for (const row of rows) decodeSegment(row, from, out);
      from = rows.at(-1)!.last_offset + 1;
    }
    return out.length > maxRecords ? out.slice(0, maxRecords) : out;
  }

  async append(records: readonly OutRecord[]): Promise<RecordPosition[]> {
    this.#assertOpen();
    if (records.length === 0) return [];
    const positions = this.db.transaction(() => this.appendInTransaction(records)).immediate();
    this.waker.emit('append');
    return positions;
  }

  async subscribe(options: SubscribeOptions, handler: BatchHandler): Promise<Subscription> {
    this.#assertOpen();
    for (const t of options.topics) this.partitionCount(t);
    const sub = new SqliteSubscription(this, options, handler, () => this.#subscriptions.delete(sub));
    this.#subscriptions.add(sub);
    sub.start();
    return sub;
  }

  committedOffset(groupId: string, topic: string, partition: number): number {
    const row = this.stmt.committed.get(groupId, topic, partition) as { n: number } | undefined;
    return row?.n ?? 0;
  }

  async committed(groupId: string, topics: readonly string[]): Promise<Position> {
    const out: Record<string, number> = {};
    for (const t of topics) {
      for (let p = 0; p < this.partitionCount(t); p++)
        out[partitionKey(t, p)] = this.committedOffset(groupId, t, p);
    }
    return out;
  }

  async endPosition(topics: readonly string[]): Promise<Position> {
    const out: Record<string, number> = {};
    for (const t of topics) {
      for (let p = 0; p < this.partitionCount(t); p++) {
        const row = this.stmt.head.get(t, p) as { m: number | null };
        out[partitionKey(t, p)] = row.m === null ? 0 : row.m + 1;
      }
    }
    return out;
  }

  async seekGroup(groupId: string, topic: string, target: SeekTarget): Promise<void> {
    this.#assertOpen();
    const live = this.db
      .prepare('SELECT count(*) AS n FROM group_members WHERE group_id = ? AND heartbeat_ms > ?')
      .get(groupId, Date.now() - this.options.sessionTimeoutMs) as { n: number };
    if (live.n > 0) {
      throw new PaystreamError(
        'group_active',
        `group ${groupId} has running members; stop them before seeking`,
      );
    }
    const end = await this.endPosition([topic]);
    this.db
      .transaction(() => {
        for (let p = 0; p < this.partitionCount(topic); p++) {
          const offset =
            target === 'beginning' ? 0 : target === 'end' ? (end[partitionKey(topic, p)] ?? 0) : target[p];
          if (offset !== undefined) this.stmt.commit.run(groupId, topic, p, offset);
        }
      })
      .immediate();
  }

  async waitForGroup(groupId: string, position: Position, timeoutMs: number): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    const reached = (): boolean => {
      const current: Record<string, number> = {};
      for (const k of Object.keys(position)) {
        const slash = k.lastIndexOf('/');
        current[k] = this.committedOffset(groupId, k.slice(0, slash), Number(k.slice(slash + 1)));
      }
      return covers(current, position);
    };
    while (!reached()) {
      const left = deadline - Date.now();
      if (left <= 0 || this.#closed) return false;
      await new Promise<void>((resolve) => {
        const done = () => {
          clearTimeout(timer);
          this.waker.off('commit', done);
          resolve();
        };
        const timer = setTimeout(done, Math.min(left, this.options.pollIntervalMs));
        this.waker.once('commit', done);
      });
    }
    return true;
  }

  async read(topic: string, partition: number, fromOffset: number, maxRecords: number): Promise<LogRecord[]> {
    this.#assertOpen();
    return this.readRecords(
      topic,
      partition,
      fromOffset,
      Math.min(Math.max(1, maxRecords), MAX_BATCH_LIMIT * 10),
    );
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    await Promise.all([...this.#subscriptions].map((s) => s.stop()));
    this.#closed = true;
    this.db.close();
  }
}

/** One member of a consumer group. Owns partitions through leases renewed by heartbeats. */
class SqliteSubscription implements Subscription {
  readonly groupId: string;
  readonly #log: SqliteEventLog;
  readonly #options: SubscribeOptions;
  readonly #handler: BatchHandler;
  readonly #onStopped: () => void;
  readonly #memberId = randomUUID();
  readonly #maxBatch: number;
  /** Owned partitions → next offset to deliver. */
  readonly #owned = new Map<
    string,
    { topic: string; partition: number; next: number; retryAtMs: number; failures: number }
  >();
  #stopping = false;
  #loop: Promise<void> | undefined;
  #lastHeartbeatMs = 0;
  #wake: (() => void) | undefined;

  constructor(log: SqliteEventLog, options: SubscribeOptions, handler: BatchHandler, onStopped: () => void) {
    this.#log = log;
    this.#options = options;
    this.#handler = handler;
    this.#onStopped = onStopped;
    this.groupId = options.groupId;
    this.#maxBatch = Math.min(Math.max(1, options.maxBatchRecords ?? DEFAULT_MAX_BATCH), MAX_BATCH_LIMIT);
  }

  start(): void {
    this.#heartbeat();
    this.#loop = this.#run();
  }

  async stop(): Promise<void> {
    this.#stopping = true;
    this.#wake?.();
    await this.#loop;
  }

  #heartbeat(): void {
    const { db, options } = this.#log;
    const now = Date.now();
    this.#lastHeartbeatMs = now;
    const expires = now + options.sessionTimeoutMs;
    const topics = this.#options.topics;
    db.transaction(() => {
      db.prepare(
        'INSERT INTO group_members (group_id, member_id, heartbeat_ms) VALUES (?, ?, ?) ON CONFLICT (group_id, member_id) DO UPDATE SET heartbeat_ms = excluded.heartbeat_ms',
      ).run(this.groupId, this.#memberId, now);
      db.prepare('DELETE FROM group_members WHERE group_id = ? AND heartbeat_ms <= ?').run(
        this.groupId,
        now - options.sessionTimeoutMs,
      );
      const members = (
        db
          .prepare('SELECT member_id FROM group_members WHERE group_id = ? ORDER BY member_id')
          .all(this.groupId) as {
          member_id: string;
        }[]
      ).map((m) => m.member_id);
      const me = members.indexOf(this.#memberId);
      const all: { topic: string; partition: number }[] = [];
      for (const t of [...topics].sort()) {
        for (let p = 0; p < this.#log.partitionCount(t); p++) all.push({ topic: t, partition: p });
      }
      const mine = new Set(
        all.filter((_, i) => i % members.length === me).map((tp) => partitionKey(tp.topic, tp.partition)),
      );
      // Release what is no longer ours, so its new owner can take it at its next heartbeat.
      for (const [k, o] of this.#owned) {
        if (!mine.has(k)) {
          db.prepare(
            'DELETE FROM partition_leases WHERE group_id = ? AND topic = ? AND partition = ? AND member_id = ?',
          ).run(this.groupId, o.topic, o.partition, this.#memberId);
          this.#owned.delete(k);
        }
      }
      for (const tp of all) {
        const k = partitionKey(tp.topic, tp.partition);
        if (!mine.has(k)) continue;
        const lease = db
          .prepare(
            'SELECT member_id, expires_ms FROM partition_leases WHERE group_id = ? AND topic = ? AND partition = ?',
          )
          .get(this.groupId, tp.topic, tp.partition) as { member_id: string; expires_ms: number } | undefined;
        const free = !lease || lease.member_id === this.#memberId || lease.expires_ms <= now;
        if (!free) continue; // the previous owner releases it on its next heartbeat, or its lease expires
        db.prepare(
          'INSERT INTO partition_leases (group_id, topic, partition, member_id, expires_ms) VALUES (?, ?, ?, ?, ?) ON CONFLICT (group_id, topic, partition) DO UPDATE SET member_id = excluded.member_id, expires_ms = excluded.expires_ms',
        ).run(this.groupId, tp.topic, tp.partition, this.#memberId, expires);
        if (!this.#owned.has(k)) {
          const committed = db
            .prepare(
              'SELECT next_offset AS n FROM group_offsets WHERE group_id = ? AND topic = ? AND partition = ?',
            )
            .get(this.groupId, tp.topic, tp.partition) as { n: number } | undefined;
          let next = committed?.n;
          if (next === undefined) {
            const head = this.#log.stmt.head.get(tp.topic, tp.partition) as { m: number | null };
            next = this.#options.start === 'end' ? (head.m === null ? 0 : head.m + 1) : 0;
          }
          this.#owned.set(k, { ...tp, next, retryAtMs: 0, failures: 0 });
        }
      }
    }).immediate();
  }

  async #run(): Promise<void> {
    const { options, waker } = this.#log;
    try {
      while (!this.#stopping) {
        if (Date.now() - this.#lastHeartbeatMs >= options.heartbeatIntervalMs) this.#heartbeat();
        let worked = false;
        for (const [k, owned] of this.#owned) {
          if (this.#stopping) break;
          if (owned.retryAtMs > Date.now()) continue;
          const records = this.#log.readRecords(owned.topic, owned.partition, owned.next, this.#maxBatch);
          if (records.length === 0) continue;
          worked = true;
          await this.#process(k, owned, records);
        }
        if (!worked && !this.#stopping) {
          await new Promise<void>((resolve) => {
            const done = () => {
              clearTimeout(timer);
              waker.off('append', done);
              this.#wake = undefined;
              resolve();
            };
            const timer = setTimeout(done, options.pollIntervalMs);
            waker.once('append', done);
            this.#wake = done;
          });
        }
      }
    } finally {
      this.#leave();
    }
  }

  async #process(
    k: string,
    owned: { topic: string; partition: number; next: number; retryAtMs: number; failures: number },
    records: LogRecord[],
  ): Promise<void> {
    const staged: OutRecord[] = [];
    try {
      await this.#handler(
        { topic: owned.topic, partition: owned.partition, records },
        { append: (out) => void staged.push(...out) },
      );
    } catch (err) {
      owned.failures += 1;
      owned.retryAtMs = Date.now() + Math.min(MAX_HANDLER_BACKOFF_MS, 50 * 2 ** Math.min(owned.failures, 10));
      this.#log.options.onHandlerError?.(err, {
        groupId: this.groupId,
        topic: owned.topic,
        partition: owned.partition,
      });
      return;
    }
    const last = records.at(-1)!;
    const { db, stmt } = this.#log;
    const fenced = db.prepare(
      'SELECT 1 AS ok FROM partition_leases WHERE group_id = ? AND topic = ? AND partition = ? AND member_id = ?',
    );
    const committed = db
      .transaction(() => {
        if (!fenced.get(this.groupId, owned.topic, owned.partition, this.#memberId)) return false;
        if (staged.length > 0) this.#log.appendInTransaction(staged);
        stmt.commit.run(this.groupId, owned.topic, owned.partition, last.offset + 1);
        return true;
      })
      .immediate();
    if (!committed) {
      // Lost the partition to another member: it redelivers from the last commit.
      this.#owned.delete(k);
      return;
    }
    owned.next = last.offset + 1;
    owned.failures = 0;
    if (staged.length > 0) this.#log.waker.emit('append');
    this.#log.waker.emit('commit');
  }

  #leave(): void {
    try {
      const { db } = this.#log;
      db.transaction(() => {
        db.prepare('DELETE FROM partition_leases WHERE group_id = ? AND member_id = ?').run(
          this.groupId,
          this.#memberId,
        );
        db.prepare('DELETE FROM group_members WHERE group_id = ? AND member_id = ?').run(
          this.groupId,
          this.#memberId,
        );
      }).immediate();
    } catch {
      /* the database may already be closed during shutdown */
    }
    this.#owned.clear();
    this.#onStopped();
  }
}
