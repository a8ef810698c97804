// Chaos on the embedded engines: the six services as six processes on one PAYSTREAM_DATA
// (one SQLite log, one SQLite read store), each SIGKILLed and restarted at random under load,
// poison on the commands and inbound topics; then every invariant (see src/invariants.ts).

import { describe, it } from 'vitest';
import { chaosOptions } from '../src/scenario.js';
import { runScenario } from './run.js';

describe('chaos, embedded engines, one process per service', () => {
  it('keeps every invariant while services are SIGKILLed under load', async () => {
    await runScenario(chaosOptions('embedded'));
  });
});
