// The operator commands: replay, audit verify, ach close-windows. Each opens the same engines
// `start` uses (PAYSTREAM_DATA or the Kafka-mode variables) and exits 0 only on success.

import { closeWindowsNow } from '@paystream/ach-batcher';
import { replay, verifyEventLog } from '@paystream/projections';
import { type Config, createLogger, createMetrics, openEngines } from '@paystream/runtime';
import cliProgress from 'cli-progress';

async function withEngines<T>(
  config: Config,
  run: (ctx: Awaited<ReturnType<typeof context>>) => Promise<T>,
): Promise<T> {
  const ctx = await context(config);
  try {
    return await run(ctx);
  } finally {
    await ctx.engines.close();
  }
}

async function context(config: Config) {
  const logger = createLogger({ level: process.env.LOG_LEVEL ?? 'warn' });
  const engines = await openEngines(config, { logger });
  return { config, engines, logger, metrics: createMetrics() };
}

function bar(label: string): cliProgress.SingleBar {
  return new cliProgress.SingleBar(
    {
      format: `${label} |{bar}| {percentage}% | {value}/{total} events | {rate} events/s`,
      hideCursor: true,
      noTTYOutput: false,
      stream: process.stderr,
    },
    cliProgress.Presets.shades_classic,
  );
}

/** `paystream replay [--swap]`: exit 0 only when the rebuilt read models equal the live ones. */
export async function replayCommand(
  config: Config,
  options: { swap: boolean; json: boolean },
): Promise<number> {
  return await withEngines(config, async (ctx) => {
    const progress = bar('replay');
    let started = false;
    const result = await replay(ctx, {
      swap: options.swap,
      onProgress: (p) => {
        if (!started) {
          progress.start(p.totalEvents, 0, { rate: 0 });
          started = true;
        }
        progress.setTotal(Math.max(p.totalEvents, p.events));
        progress.update(p.events, { rate: Math.round(p.eventsPerSecond) });
      },
    });
    if (started) progress.stop();
    if (options.json) {
      console.log(JSON.stringify(result, null, 2));
    } else {
      console.log(
        `replayed ${result.events} events in ${result.rebuildMs} ms (${Math.round(result.eventsPerSecond)} events/s) into ${result.namespace}`,
      );
      console.table(result.tables);
      for (const d of result.differences) console.log('difference:', JSON.stringify(d));
      console.log(
        result.equal
          ? `rebuilt read models equal the live ones${result.swapped ? '; rebuilt set swapped in' : ''}`
          : 'rebuilt read models DIFFER from the live ones',
      );
    }
    return result.equal ? 0 : 1;
  });
}

/** `paystream audit verify`: exit 0 only when the whole chain verifies; else name the first bad event. */
export async function auditVerifyCommand(config: Config, options: { json: boolean }): Promise<number> {
  return await withEngines(config, async (ctx) => {
    const report = await verifyEventLog(ctx.engines);
    if (options.json) {
      console.log(JSON.stringify(report, null, 2));
    } else if (report.ok) {
      console.log(
        `audit ok: ${report.events} events in ${report.aggregates} aggregates verify (${report.elapsedMs} ms)`,
      );
    } else {
      console.log(`audit FAILED: ${report.problemCount} problem(s); first bad event:`);
      console.log(JSON.stringify(report.firstProblem, null, 2));
    }
    return report.ok ? 0 : 1;
  });
}

/** `paystream ach close-windows`: close open ACH windows now and print what was written. */
export async function closeWindowsCommand(config: Config): Promise<number> {
  return await withEngines(config, async (ctx) => {
    const summary = await closeWindowsNow(ctx);
    console.log(JSON.stringify(summary, null, 2));
    return 0;
  });
}
