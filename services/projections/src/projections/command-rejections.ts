// command_rejections: why a command was refused, by its command id (fact rule), so a client
// that got a position back can learn that its command was rejected downstream.

import { COMMAND_REJECTIONS } from '../tables.js';
import { ignoreResult, isType, type Maybe, type ProjectedEvent, type Work } from '../work.js';
import type { Projection } from './projection.js';

export const commandRejectionsProjection: Projection = {
  name: 'command_rejections',
  types: ['CommandRejected'],
  tables: [COMMAND_REJECTIONS],
  apply({ envelope: e }: ProjectedEvent, work: Work): Maybe<void> {
    if (!isType(e, 'CommandRejected')) return;
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
  },
};
