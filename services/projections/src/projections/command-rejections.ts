// command_rejections and rejections: why a command was refused (fact rule), by its command id,
// so a client that got a position back can learn that its command was rejected downstream; and
// by the payment it was about, so the payment and escrow reads show their `lastRejection`.
// Both come from CommandRejected events on the log, so a replay rebuilds them.

import type { Envelope } from '@paystream/schemas';
import { COMMAND_REJECTIONS, REJECTIONS } from '../tables.js';
import { ignoreResult, isType, type Maybe, type ProjectedEvent, type Work } from '../work.js';
import type { Projection } from './projection.js';

export const commandRejectionsProjection: Projection = {
  name: 'command_rejections',
  types: ['CommandRejected'],
  tables: [COMMAND_REJECTIONS, REJECTIONS],
  apply({ envelope: e }: ProjectedEvent, work: Work): Maybe<void> {
    if (!isType(e, 'CommandRejected')) return;
    const first = byCommand(work, e);
    if (first instanceof Promise) return first.then(() => byTarget(work, e));
    return byTarget(work, e);
  },
};

function byCommand(work: Work, e: Envelope<'CommandRejected'>): Maybe<void> {
  const d = e.payload;
  return ignoreResult(
    work.putFact(COMMAND_REJECTIONS, {
      commandId: d.commandId,
      tenantId: e.tenantId,
      aggregateId: e.aggregateId,
      commandType: d.commandType,
      code: d.code,
      message: d.message,
      field: d.field,
      rejectedAtMs: e.occurredAtMs,
    }),
  );
}

function byTarget(work: Work, e: Envelope<'CommandRejected'>): Maybe<void> {
  const d = e.payload;
  return ignoreResult(
    work.putFact(REJECTIONS, {
      commandId: d.commandId,
      tenantId: e.tenantId,
      // Absent (not null) without a target: the by_target index is sparse.
      ...(d.targetId ? { targetId: d.targetId } : {}),
      eventAggregateId: e.aggregateId,
      commandType: d.commandType,
      code: d.code,
      message: d.message,
      field: d.field,
      rejectedAtMs: e.occurredAtMs,
    }),
  );
}
