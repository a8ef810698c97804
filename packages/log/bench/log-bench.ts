// `npm run bench:log` — per engine: batched append throughput, and append→consume throughput
// with p50/p99 latency; for Kafka, next to a raw kafkajs producer/consumer on the same broker.
// `--json` prints one JSON object; `--engine sqlite|kafka` runs one engine.

import { benchSqlite, type LogBenchResult } from './sqlite-bench.js';

const args = process.argv.slice(2);
const json = args.includes('--json');
const engineArg = args.includes('--engine') ? args[args.indexOf('--engine') + 1] : 'all';
const events = Number(process.env.BENCH_EVENTS ?? 200_000);

const results: LogBenchResult[] = [];
if (engineArg === 'all' || engineArg === 'sqlite') {
  // FULL (the default) fsyncs every commit; NORMAL survives process crashes but not power loss.
  results.push(await benchSqlite(events, 'FULL'));
  results.push(await benchSqlite(events, 'NORMAL'));
}
if (engineArg === 'all' || engineArg === 'kafka') {
  const { benchKafkaWithLocalBroker } = await import('./kafka-bench.js');
  results.push(...(await benchKafkaWithLocalBroker(Math.min(events, 200_000))));
}

if (json) {
  console.log(JSON.stringify({ results }, null, 2));
} else {
  console.table(
    results.map((r) => ({
      engine: r.engine,
      'append ev/s': r.appendEventsPerSecond,
      'append→consume ev/s': r.consumeEventsPerSecond,
      'p50 ms': r.endToEndP50Ms,
      'p99 ms': r.endToEndP99Ms,
      events: r.events,
    })),
  );
}
