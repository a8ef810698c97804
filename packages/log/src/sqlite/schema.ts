// Tables of the embedded log. One SQLite file (WAL) holds topics, records, committed group
// offsets and the partition leases that make consumer groups work across processes.

import type Database from 'better-sqlite3';

export function migrate(db: Database.Database): void {
  db.exec(`
    CREATE TABLE IF NOT EXISTS topics (
      name TEXT PRIMARY KEY,
      partitions INTEGER NOT NULL CHECK (partitions > 0)
    );
    -- One row per appended record batch per partition (see segments.ts).
    CREATE TABLE IF NOT EXISTS segments (
      topic TEXT NOT NULL,
      partition INTEGER NOT NULL,
      base_offset INTEGER NOT NULL,
      last_offset INTEGER NOT NULL CHECK (last_offset >= base_offset),
      ts INTEGER NOT NULL,
      records BLOB NOT NULL
    );
    CREATE UNIQUE INDEX IF NOT EXISTS segments_position ON segments (topic, partition, last_offset);
    CREATE TABLE IF NOT EXISTS group_offsets (
      group_id TEXT NOT NULL,
      topic TEXT NOT NULL,
      partition INTEGER NOT NULL,
      next_offset INTEGER NOT NULL,
      PRIMARY KEY (group_id, topic, partition)
    ) WITHOUT ROWID;
    CREATE TABLE IF NOT EXISTS group_members (
      group_id TEXT NOT NULL,
      member_id TEXT NOT NULL,
      heartbeat_ms INTEGER NOT NULL,
      PRIMARY KEY (group_id, member_id)
    ) WITHOUT ROWID;
    CREATE TABLE IF NOT EXISTS partition_leases (
      group_id TEXT NOT NULL,
      topic TEXT NOT NULL,
      partition INTEGER NOT NULL,
      member_id TEXT NOT NULL,
      expires_ms INTEGER NOT NULL,
      PRIMARY KEY (group_id, topic, partition)
    ) WITHOUT ROWID;
  `);
}
