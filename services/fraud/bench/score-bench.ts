// Scoring latency in-process: p50/p99 per event and events per second, over generated traffic
// (validation + feature update + model + rules, exactly what score() does in the service).
//   npm run bench -w @paystream/fraud [-- --events 200000] [--json]
// A bench, not a test: figures depend on the machine, so nothing here asserts a budget.

import { parseArgs } from 'node:util';
import { generate } from '../src/generator/generate.js';
import { loadModelFile } from '../src/model/load.js';
import { loadRulesFile } from '../src/rules/load.js';
import { createScorer } from '../src/score.js';

const { values } = parseArgs({
  options: { events: { type: 'string', default: '200000' }, json: { type: 'boolean', default: false } },
});
const events = Number(values.events);
if (!Number.isSafeInteger(events) || events < 1) throw new Error(`--events must be a positive integer`);
/** JIT warm-up: scored but not timed. */
const WARMUP_EVENTS = Math.min(20_000, Math.floor(events / 10));

// ~0.5 payments per customer per day: size the simulation to yield enough events.
const customers = Math.max(1_000, Math.ceil((events + WARMUP_EVENTS) / 0.5 / 30));
const data = generate({ seed: 99, customers, days: 30, warmupDays: 3 });
const payments = data.records.slice(0, events + WARMUP_EVENTS).map((r) => r.payment);
if (payments.length < events + WARMUP_EVENTS) throw new Error(`generated only ${payments.length} events`);

const scorer = createScorer({ model: loadModelFile(), rules: loadRulesFile() });
for (let i = 0; i < WARMUP_EVENTS; i += 1) scorer.score(payments[i]!);

const heapBefore = process.memoryUsage().heapUsed;
const latenciesNs = new Float64Array(events);
let declined = 0;
const started = process.hrtime.bigint();
for (let i = 0; i < events; i += 1) {
  const t0 = process.hrtime.bigint();
  const a = scorer.score(payments[WARMUP_EVENTS + i]!);
  latenciesNs[i] = Number(process.hrtime.bigint() - t0);
  if (a.decision === 'decline') declined += 1;
}
const totalNs = Number(process.hrtime.bigint() - started);
latenciesNs.sort();
const pct = (q: number): number => latenciesNs[Math.min(events - 1, Math.floor(q * events))]! / 1000;

const result = {
  events,
  warmupEvents: WARMUP_EVENTS,
  latencyUsP50: Number(pct(0.5).toFixed(2)),
  latencyUsP99: Number(pct(0.99).toFixed(2)),
  latencyUsP999: Number(pct(0.999).toFixed(2)),
  latencyUsMax: Number((latenciesNs[events - 1]! / 1000).toFixed(2)),
  eventsPerSecond: Math.round(events / (totalNs / 1e9)),
  declined,
  trackedKeys: scorer.stats().keys,
  heapUsedMb: Number((process.memoryUsage().heapUsed / 1e6).toFixed(1)),
  heapGrowthMb: Number(((process.memoryUsage().heapUsed - heapBefore) / 1e6).toFixed(1)),
  node: process.version,
};
if (values.json) {
  console.log(JSON.stringify(result));
} else {
  console.log(`scored ${events} events (after ${WARMUP_EVENTS} warm-up) on Node ${process.version}`);
  console.log(
    `latency per event: p50 ${result.latencyUsP50} µs, p99 ${result.latencyUsP99} µs, ` +
      `p99.9 ${result.latencyUsP999} µs, max ${result.latencyUsMax} µs`,
  );
  console.log(`throughput: ${result.eventsPerSecond} events/s (timing overhead included)`);
  console.log(`tracked keys: ${JSON.stringify(result.trackedKeys)}, heap used ${result.heapUsedMb} MB`);
}
