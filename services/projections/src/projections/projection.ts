// A projection: a small handler named after the read model it builds. It reads and stages
// items through the batch's Work and must be idempotent under the version rules of tables.ts.

import type { TableDef } from '@paystream/readstore';
import type { PayloadType } from '@paystream/schemas';
import type { Maybe, ProjectedEvent, Work } from '../work.js';

export interface Projection {
  readonly name: string;
  readonly tables: readonly TableDef[];
  /** The event types it reacts to (the projector calls it for these only). */
  readonly types: readonly PayloadType[];
  /** Synchronous when every read it makes is answered by the Work (see Maybe). */
  apply(event: ProjectedEvent, work: Work): Maybe<void>;
}
