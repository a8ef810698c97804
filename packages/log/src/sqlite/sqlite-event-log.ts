// The embedded event log: Kafka's topic / partition / offset / consumer-group semantics on one
// SQLite file. A consumer's outputs and its offset commit share one SQLite transaction, and
// that transaction first checks the member still holds the partition's lease, so a member that
// lost its partition (a pause, a crash, a rebalance) can never commit: effectively once.

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
import { GroupCommit } from './group-commit.js';
import { migrate } from './schema.js';
import { decodeSegment, encodeSegment, MAX_RECORDS_PER_SEGMENT, type SegmentRow } from './segments.js';
import { MAX_BATCH_LIMIT, SqliteSubscription } from './subscription.js';

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

/** Segments fetched per query when reading; a segment holds up to MAX_RECORDS_PER_SEGMENT. */
const SEGMENTS_PER_READ = 64;

// Appends in one process wake that process's consumers at once, naming the partitions that
// grew (event 'append', string[] of partition keys); other processes' appends are noticed by
// polling PRAGMA data_version. Event 'commit' follows every committed group transaction.
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
  /** Partitions appended to in the group transaction being built; announced after commit. */
  readonly #touched = new Set<string>();
  readonly groupCommit: GroupCommit;
  #closed = false;

  readonly stmt: {
    insert: Database.Statement;
    head: Database.Statement;
    read: Database.Statement;
    committed: Database.Statement;
    commit: Database.Statement;
    fenced: Database.Statement;
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
      fenced: this.db.prepare(
        'SELECT 1 AS ok FROM partition_leases WHERE group_id = ? AND topic = ? AND partition = ? AND member_id = ?',
      ),
    };
    this.groupCommit = new GroupCommit(this.db, () => {
      if (this.#touched.size > 0) {
        const keys = [...this.#touched];
        this.#touched.clear();
        this.waker.emit('append', keys);
      }
      this.waker.emit('commit');
    });
  }

  /** Changes whenever another connection (another process, another instance) commits. */
  dataVersion(): number {
    return this.db.pragma('data_version', { simple: true }) as number;
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
      this.#touched.add(partitionKey(g.topic, g.partition));
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
      const rows = this.stmt.read.all(topic, partition, from, SEGMENTS_PER_READ) as SegmentRow[];
      if (rows.length === 0) break;
      for (const row of rows) decodeSegment(row, from, out);
      from = rows.at(-1)!.last_offset + 1;
    }
    return out.length > maxRecords ? out.slice(0, maxRecords) : out;
  }

  async append(records: readonly OutRecord[]): Promise<RecordPosition[]> {
    this.#assertOpen();
    if (records.length === 0) return [];
    return this.groupCommit.run(() => this.appendInTransaction(records));
  }

  async subscribe(options: SubscribeOptions, handler: BatchHandler): Promise<Subscription> {
    this.#assertOpen();
    for (const t of options.topics) this.partitionCount(t);
    const sub: SqliteSubscription = new SqliteSubscription(this, options, handler, () =>
      this.#subscriptions.delete(sub),
    );
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
    await this.groupCommit.drain();
    this.#closed = true;
    this.db.close();
  }
}
