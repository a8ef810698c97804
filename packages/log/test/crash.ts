// The crash test shared by both engines: kill a producing, transforming process with SIGKILL
// mid-batch, restart it, and check that (1) no acknowledged append is lost, (2) no output is
// duplicated, (3) the restarted consumer starts exactly at the committed offsets, and (4) once
// caught up, every input has exactly one output.

import { fork } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { expect } from 'vitest';
import type { EventLog, LogRecord } from '../src/port.js';
import { GROUP, IN, OUT, PARTITIONS } from './crash-topics.js';

const CHILD = new URL('./crash-child.ts', import.meta.url).pathname;

function startChild(engine: string, connection: string, dir: string, mode: string) {
  const child = fork(CHILD, [engine, connection, join(dir, 'acks'), join(dir, `first-${mode}`), mode], {
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const ready = new Promise<void>((resolve, reject) => {
    child.once('message', () => resolve());
    child.once('exit', (code) => reject(new Error(`crash child exited early with ${code}`)));
  });
  return { child, ready };
}

async function readTopic(log: EventLog, topic: string): Promise<LogRecord[]> {
  const out: LogRecord[] = [];
  for (let p = 0; p < PARTITIONS; p++) {
    for (let from = 0; ; ) {
      const page = await log.read(topic, p, from, 5_000);
      if (page.length === 0) break;
      out.push(...page);
      from = page.at(-1)!.offset + 1;
    }
  }
  return out;
}

export async function crashTest(
  engine: string,
  connection: string,
  observer: EventLog,
  runMs: number,
): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), `paystream-crash-${engine}-`));
  const first = startChild(engine, connection, dir, 'produce+consume');
  await first.ready;
  await sleep(runMs);
  first.child.kill('SIGKILL');
  await new Promise((r) => first.child.once('exit', r));

  const acked = readFileSync(join(dir, 'acks'), 'utf8').split('\n').filter(Boolean).map(Number);
  expect(acked.length, 'the child acknowledged some appends before it was killed').toBeGreaterThan(0);
  const inputs = new Set((await readTopic(observer, IN)).map((r) => Number(r.value.toString())));
  for (const batchStart of acked) {
    for (let i = 0; i < 100; i++)
      expect(inputs.has(batchStart + i), `acknowledged ${batchStart + i} lost`).toBe(true);
  }
  const committedBefore = await observer.committed(GROUP, [IN]);
  const outsBefore = (await readTopic(observer, OUT)).map((r) => Number(r.value.toString()));
  expect(new Set(outsBefore).size, 'outputs duplicated before restart').toBe(outsBefore.length);

  const second = startChild(engine, connection, dir, 'consume');
  await second.ready;
  const end = await observer.endPosition([IN]);
  expect(await observer.waitForGroup(GROUP, end, 120_000)).toBe(true);
  second.child.kill('SIGTERM');
  await new Promise((r) => second.child.once('exit', r));
  await sleep(100);

  const firstAfter = readFileSync(join(dir, 'first-consume'), 'utf8').split('\n').filter(Boolean);
  for (const line of firstAfter) {
    const [p, offset] = line.split(' ').map(Number);
    expect(offset, `partition ${p} restarted at its committed offset`).toBe(committedBefore[`${IN}/${p}`]);
  }
  const outs = (await readTopic(observer, OUT)).map((r) => Number(r.value.toString()));
  expect(new Set(outs).size, 'an input was processed twice').toBe(outs.length);
  expect(outs.length, 'every input has exactly one output').toBe(inputs.size);
}
