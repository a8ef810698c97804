// The ach-batcher service: two consumers and a timer.
//
//   events consumer (group paystream-ach-batcher, TOPICS.events): keeps payout accounts and
//     pending released funds in the ReadStore (projection.ts).
//   control consumer (group paystream-ach-batcher-control, one-partition control topic): the
//     only writer of payouts, files and returns. Window closes, settlements and return files
//     are commands on that topic, so every replica, timer, HTTP call and CLI run agrees on
//     one order and a window is closed once (control.ts, processor.ts).
//   timer (clock port, every ACH_TIMER_INTERVAL_MS): when a window's cut-off has passed or a
//     payout's settlement time has come, appends a close command.
//
// `closeWindowsNow(ctx)` is what `npx paystream ach close-windows` runs.

import { directoryOptions, TenantDirectory } from '@paystream/auth';
import { TOPICS } from '@paystream/eventing';
import type { Subscription } from '@paystream/log';
import type { JsonValue } from '@paystream/readstore';
import type { RouteRegistrar, RunningService, ServiceContext, ServiceModule } from '@paystream/runtime';
import { windowsClosingBetween } from './calendar/windows.js';
import { initialControlState, LOOKBACK_MS } from './service/close.js';
import { type AchConfig, loadAchConfig } from './service/config.js';
import { ACH_CONTROL_TOPIC, CONTROL_GROUP, EVENTS_GROUP } from './service/control.js';
import { ControlProcessor } from './service/processor.js';
import { PROJECTED_TYPES, projectEvents } from './service/projection.js';
import { closeCommand, DEFAULT_REQUEST_TIMEOUT_MS, submit, submitAndWait } from './service/requests.js';
import { achRoutes } from './service/routes.js';
import { ACH_TABLES, CONTROL_STATE, type ControlStateRow, PAYOUTS, WINDOWS } from './service/state.js';

export interface AchBatcherOptions {
  /** Defaults to loadAchConfig(process.env). */
  readonly config?: AchConfig;
  /** How long HTTP calls wait for the control consumer. Default 30 s. */
  readonly requestTimeoutMs?: number;
}

export interface RunningAchBatcher extends RunningService {
  /** One timer pass now (the interval timer calls the same). Resolves when it has looked. */
  tick(): Promise<void>;
}

/** Creates the topic and tables the batcher needs; safe to call from every process. */
export async function prepareAch(ctx: ServiceContext): Promise<void> {
  await ctx.engines.log.createTopics([{ name: ACH_CONTROL_TOPIC, partitions: 1 }]);
  await ctx.engines.readStore.ensureTables(ACH_TABLES);
}

export function createAchBatcherService(options: AchBatcherOptions = {}): ServiceModule {
  return {
    name: 'ach-batcher',
    // Window closes and return files are commands on the control topic, answered through the
    // outbox, and NACHA files are read from the stores: the API process serves these routes.
    async api(ctx: ServiceContext): Promise<RouteRegistrar> {
      await prepareAch(ctx);
      const directory = new TenantDirectory(ctx.engines.readStore, directoryOptions(ctx.config));
      await directory.init();
      return achRoutes({
        engines: ctx.engines,
        directory,
        requestTimeoutMs: options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS,
      });
    },
    async start(ctx: ServiceContext): Promise<RunningAchBatcher> {
      const config = options.config ?? loadAchConfig();
      const { engines, logger } = ctx;
      await prepareAch(ctx);

      const subs: Subscription[] = [];
      subs.push(
        await engines.bus.consume(
          { groupId: EVENTS_GROUP, topics: [TOPICS.events], types: PROJECTED_TYPES },
          async (records) => {
            await projectEvents(engines.readStore, records, logger);
          },
        ),
      );
      const processor = new ControlProcessor({ engines, config, logger });
      subs.push(
        await engines.log.subscribe(
          { groupId: CONTROL_GROUP, topics: [ACH_CONTROL_TOPIC] },
          processor.handle,
        ),
      );

      // The timer asks at most once per due thing until the control group has passed the ask.
      let inFlight: Record<string, number> | null = null;
      let ticking: Promise<void> | null = null;
      const look = async (): Promise<void> => {
        if (inFlight) {
          const done = await engines.log.committed(CONTROL_GROUP, [ACH_CONTROL_TOPIC]);
          if (Object.entries(inFlight).some(([k, v]) => (done[k] ?? 0) < v)) return;
          inFlight = null;
        }
        const now = engines.clock.nowMs();
        const state =
          ((await engines.readStore.get(CONTROL_STATE, {
            name: 'control',
          })) as unknown as ControlStateRow | null) ?? initialControlState();
        const from = Math.max(state.lastCutoffMs ?? Number.NEGATIVE_INFINITY, now - LOOKBACK_MS);
        let due = false;
        for (const w of windowsClosingBetween(from, now, config.windows)) {
          if (!(await engines.readStore.get(WINDOWS, { windowId: w.id }))) {
            due = true;
            break;
          }
        }
        if (!due) {
          const settle = await engines.readStore.query(PAYOUTS, {
            index: 'unsettled',
            pk: 'in_transit',
            range: { lte: now },
            limit: 1,
          });
          due = settle.items.length > 0;
        }
        if (!due) return;
        const cmd = await closeCommand(engines, { upToMs: now, includeOpen: false, source: 'timer' });
        inFlight = { ...(await submit(engines, cmd)) };
        logger.info({ commandId: cmd.commandId, upToMs: now }, 'ACH window cut-off passed; close requested');
      };
      const tick = async (): Promise<void> => {
        ticking ??= look()
          .catch((err: unknown) => logger.error({ err }, 'ACH window timer failed; will retry'))
          .finally(() => {
            ticking = null;
          });
        await ticking;
      };
      const timer = setInterval(() => void tick(), config.timerIntervalMs);
      timer.unref();
      let stopped = false;

      return {
        health: [{ name: 'ach-batcher', check: () => !stopped }],
        tick,
        async stop() {
          stopped = true;
          clearInterval(timer);
          await ticking;
          for (const s of subs.reverse()) await s.stop();
        },
      };
    },
  };
}

export const achBatcherService: ServiceModule = createAchBatcherService();

/**
 * Closes every elapsed window and the one still open, now, and returns the close summary.
 * For `npx paystream ach close-windows`: unless told a batcher already runs in this process,
 * it runs one (joining the consumer groups alongside any server) until the command is applied.
 */
export async function closeWindowsNow(
  ctx: ServiceContext,
  options: { timeoutMs?: number; runConsumers?: boolean; config?: AchConfig } = {},
): Promise<JsonValue> {
  const timeoutMs = options.timeoutMs ?? 60_000;
  const running =
    options.runConsumers === false
      ? null
      : await createAchBatcherService(options.config ? { config: options.config } : {}).start(ctx);
  try {
    await prepareAch(ctx);
    const cmd = await closeCommand(ctx.engines, {
      upToMs: ctx.engines.clock.nowMs(),
      includeOpen: true,
      source: 'cli',
    });
    return await submitAndWait(ctx.engines, cmd, timeoutMs);
  } finally {
    await running?.stop();
  }
}
