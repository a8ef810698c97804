// The control consumer: for each command, load its outbox or plan and store it (first writer
// wins), apply its state mutations (version-checked, idempotent), and append its events in the
// same commit as the command's offset. See control.ts for why this is effectively once.

import { invariant, PaystreamError } from '@paystream/core';
import { EventBus } from '@paystream/eventing';
import type { Batch, BatchContext, Position } from '@paystream/log';
import type { Engines, Logger } from '@paystream/runtime';
import { planClose } from './close.js';
import type { AchConfig } from './config.js';
import {
  type ControlCommand,
  decodeCommand,
  EVENTS_GROUP,
  loadRecord,
  type Outbox,
  outboxKey,
  type StateOp,
} from './control.js';
import { planReturns } from './returns.js';
import { RELEASES, type ReleaseRow, TABLES_BY_NAME } from './state.js';

/** How long a command waits for the events group to reach the position it was made at. */
export const EVENTS_CATCH_UP_TIMEOUT_MS = 30_000;

export interface ProcessorDeps {
  readonly engines: Engines;
  readonly config: AchConfig;
  readonly logger: Logger;
}

export async function loadOutbox(engines: Engines, commandId: string): Promise<Outbox | null> {
  const bytes = await engines.objects.get(outboxKey(commandId));
  return bytes ? (JSON.parse(bytes.toString('utf8')) as Outbox) : null;
}

export class ControlProcessor {
  constructor(private readonly deps: ProcessorDeps) {}

  readonly handle = async (batch: Batch, ctx: BatchContext): Promise<void> => {
    for (const record of batch.records) {
      let cmd: ControlCommand;
      try {
        cmd = decodeCommand(record.value);
      } catch (err) {
        const reason = err instanceof PaystreamError ? `${err.code}: ${err.message}` : String(err);
        ctx.append([EventBus.deadLetterRecord(record, reason)]);
        continue;
      }
      const outbox = await this.#outboxFor(cmd);
      await this.#apply(outbox.ops);
      ctx.append(outbox.records.map(loadRecord));
      this.deps.logger.info(
        { commandId: cmd.commandId, kind: cmd.kind, events: outbox.records.length },
        'ach control command applied',
      );
    }
  };

  async #outboxFor(cmd: ControlCommand): Promise<Outbox> {
    const { engines } = this.deps;
    const existing = await loadOutbox(engines, cmd.commandId);
    if (existing) return existing;
    await this.#waitForEvents(cmd.eventsPosition);
    const planned =
      cmd.kind === 'close' ? await planClose(this.deps, cmd) : await planReturns(this.deps, cmd);
    const wrote = await engines.objects.putIfAbsent(
      outboxKey(cmd.commandId),
      Buffer.from(JSON.stringify(planned), 'utf8'),
      'application/json',
    );
    if (wrote) return planned;
    // Someone planned it first (a member that lost its lease mid-command): theirs stands.
    const winner = await loadOutbox(engines, cmd.commandId);
    invariant(winner !== null, `outbox ${cmd.commandId} vanished`);
    return winner;
  }

  async #waitForEvents(position: Position): Promise<void> {
    const reached = await this.deps.engines.log.waitForGroup(
      EVENTS_GROUP,
      position,
      EVENTS_CATCH_UP_TIMEOUT_MS,
    );
    if (!reached) {
      // Throwing redelivers the command later (with backoff): never close on a stale view.
      throw new PaystreamError(
        'ach_events_lagging',
        `the ${EVENTS_GROUP} consumer has not caught up with the events this command must see`,
      );
    }
  }

  async #apply(ops: readonly StateOp[]): Promise<void> {
    const store = this.deps.engines.readStore;
    for (const op of ops) {
      if (op.op === 'put') {
        const table = TABLES_BY_NAME.get(op.table);
        invariant(table !== undefined, `unknown table ${op.table} in an outbox`);
        await store.putIfNewer(table, op.item, op.version);
        continue;
      }
      for (const releaseId of op.releaseIds) {
        const row = (await store.get(RELEASES, { releaseId })) as unknown as ReleaseRow | null;
        invariant(row !== null, `claimed release ${releaseId} is not stored`);
        const { pendingCurrency: _wasPending, ...rest } = row;
        const claimed: ReleaseRow = {
          ...rest,
          claimedBy: op.windowId,
          bankAccountId: op.bankAccountId,
        };
        await store.putIfNewer(RELEASES, claimed as unknown as Parameters<typeof store.putIfNewer>[1], 2);
      }
    }
  }
}
