// Benchmarks for the pure ACH parts: writing a 100,000-entry NACHA file (goal: < 2 s), reading
// it back with full validation, and netting 1,000,000 releases.
//   npx tsx services/ach-batcher/bench/nacha-bench.ts [--json]

import { performance } from 'node:perf_hooks';
import { windowsOn } from '../src/calendar/windows.js';
import { netReleases, type Release } from '../src/domain/netting.js';
import { buildNachaFile } from '../src/nacha/file.js';
import { generateEntries, sampleFile } from '../src/nacha/fixtures.js';
import { readNachaFile } from '../src/nacha/reader.js';

const ENTRIES = 100_000;
const RELEASES = 1_000_000;
const PROVIDERS = 20_000;
const GOAL_WRITE_MS = 2_000;

function time<T>(fn: () => T): { ms: number; value: T } {
  const start = performance.now();
  const value = fn();
  return { ms: performance.now() - start, value };
}

const entries = generateEntries(ENTRIES, { seed: 7 });
const write = time(() => buildNachaFile(sampleFile(entries)));
const read = time(() => readNachaFile(write.value.text));
if (read.value.fileControl.entryAddendaCount !== ENTRIES)
  throw new Error('bench: read-back entry count differs');

const [window] = windowsOn('2026-03-02');
if (!window) throw new Error('bench: no window');
const releases: Release[] = Array.from({ length: RELEASES }, (_, i) => ({
  releaseId: `rel_${String(i).padStart(8, '0')}`,
  providerId: `prov_${i % PROVIDERS}`,
  amountMinor: 100 + ((i * 7919) % 250_000),
  currency: 'USD',
  releasedAtMs: window.closesAtMs - 1 - (i % 3_600_000),
}));
const net = time(() =>
  netReleases(releases, {
    window,
    nextDayEffectiveEntryDate: '2026-03-03',
    sameDayEntryLimitCents: 100_000_000,
  }),
);

const result = {
  writeEntries: ENTRIES,
  writeMs: Math.round(write.ms),
  writeEntriesPerSecond: Math.round(ENTRIES / (write.ms / 1000)),
  fileBytes: write.value.text.length,
  batches: write.value.batches.length,
  readValidateMs: Math.round(read.ms),
  netReleases: RELEASES,
  netMs: Math.round(net.ms),
  netReleasesPerSecond: Math.round(RELEASES / (net.ms / 1000)),
  payouts: net.value.payouts.length,
  writeGoalMs: GOAL_WRITE_MS,
  writeGoalMet: write.ms < GOAL_WRITE_MS,
  node: process.version,
};

if (process.argv.includes('--json')) {
  process.stdout.write(`${JSON.stringify(result)}\n`);
} else {
  const rows: [string, string][] = [
    [
      `write NACHA, ${ENTRIES.toLocaleString('en-US')} entries (${result.batches} batches)`,
      `${result.writeMs} ms`,
    ],
    ['  entries per second', result.writeEntriesPerSecond.toLocaleString('en-US')],
    ['read + validate the same file', `${result.readValidateMs} ms`],
    [
      `net ${RELEASES.toLocaleString('en-US')} releases → ${result.payouts.toLocaleString('en-US')} payouts`,
      `${result.netMs} ms`,
    ],
    ['  releases per second', result.netReleasesPerSecond.toLocaleString('en-US')],
    [`goal: write < ${GOAL_WRITE_MS} ms`, result.writeGoalMet ? 'met' : 'MISSED'],
  ];
  const w = Math.max(...rows.map((r) => r[0].length));
  for (const [k, v] of rows) process.stdout.write(`${k.padEnd(w)}  ${v}\n`);
}
if (!result.writeGoalMet) process.exitCode = 1;
