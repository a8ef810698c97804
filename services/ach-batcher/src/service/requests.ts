// Asking the control consumer to do something and waiting for its answer: append a command,
// wait (bounded) until the control group has committed past it, read the result from its outbox.

import { randomUUID } from 'node:crypto';
import { PaystreamError } from '@paystream/core';
import { TOPICS } from '@paystream/eventing';
import { positionAfter } from '@paystream/log';
import type { JsonValue } from '@paystream/readstore';
import type { Engines } from '@paystream/runtime';
import { type CloseSource, CONTROL_GROUP, type ControlCommand, commandRecord } from './control.js';
import { loadOutbox } from './processor.js';

export const DEFAULT_REQUEST_TIMEOUT_MS = 30_000;

export function newCommandId(): string {
  return `achcmd_${randomUUID().replaceAll('-', '')}`;
}

export async function eventsEnd(engines: Engines) {
  return await engines.log.endPosition([TOPICS.events]);
}

/** Appends `cmd` and returns its position on the control topic. */
export async function submit(engines: Engines, cmd: ControlCommand) {
  return positionAfter(await engines.log.append([commandRecord(cmd)]));
}

export async function submitAndWait(
  engines: Engines,
  cmd: ControlCommand,
  timeoutMs: number,
): Promise<JsonValue> {
  const position = await submit(engines, cmd);
  if (!(await engines.log.waitForGroup(CONTROL_GROUP, position, timeoutMs))) {
    throw new PaystreamError(
      'timeout',
      `the ACH control consumer has not applied command ${cmd.commandId} within ${timeoutMs} ms; it stays queued and will be applied`,
    );
  }
  const outbox = await loadOutbox(engines, cmd.commandId);
  if (!outbox)
    throw new PaystreamError('ach_internal', `command ${cmd.commandId} was consumed without an outbox`);
  return outbox.result;
}

export async function closeCommand(
  engines: Engines,
  options: { upToMs: number; includeOpen: boolean; source: CloseSource; tenantId?: string },
): Promise<ControlCommand> {
  return {
    v: 1,
    kind: 'close',
    commandId: newCommandId(),
    requestedAtMs: engines.clock.nowMs(),
    eventsPosition: await eventsEnd(engines),
    upToMs: options.upToMs,
    includeOpen: options.includeOpen,
    source: options.source,
    ...(options.tenantId === undefined ? {} : { tenantId: options.tenantId }),
  };
}
