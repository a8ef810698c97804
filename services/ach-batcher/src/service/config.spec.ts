import { describe, expect, it } from 'vitest';
import { loadAchConfig } from './config.js';
import { commandRecord, decodeCommand } from './control.js';

describe('ACH configuration', () => {
  it('has working defaults: the Fed same-day windows, 2,500 entries per batch', () => {
    const c = loadAchConfig({});
    expect(c.windows.sameDayDeadlines).toEqual(['10:30', '14:45', '16:45']);
    expect(c.maxEntriesPerBatch).toBe(2500);
    expect(c.originator.odfiRoutingNumber).toBe('021000021');
  });

  it('names the variable that is wrong', () => {
    expect(() => loadAchConfig({ ACH_ODFI_ROUTING: '021000022' })).toThrow(/ACH_ODFI_ROUTING/);
    expect(() => loadAchConfig({ ACH_MAX_ENTRIES_PER_BATCH: '0' })).toThrow(/ACH_MAX_ENTRIES_PER_BATCH/);
    expect(() => loadAchConfig({ ACH_COMPANY_ID: '123' })).toThrow(/ACH_COMPANY_ID/);
    expect(() => loadAchConfig({ ACH_SAME_DAY_DEADLINES: '14:45,10:30' })).toThrow(/ascending/);
  });
});

describe('control commands', () => {
  const close = {
    v: 1 as const,
    kind: 'close' as const,
    commandId: 'achcmd_0123456789',
    requestedAtMs: 1,
    eventsPosition: { 'paystream.events/0': 3 },
    upToMs: 2,
    includeOpen: true,
    source: 'http' as const,
  };

  it('round-trips through a record', () => {
    expect(decodeCommand(Buffer.from(commandRecord(close).value))).toEqual(close);
  });

  it('rejects what is not a command, with a stable code', () => {
    for (const bad of [
      'nope',
      '{"v":2}',
      JSON.stringify({ ...close, kind: 'drop' }),
      JSON.stringify({ ...close, upToMs: 'x' }),
    ]) {
      expect(() => decodeCommand(Buffer.from(bad))).toThrow(
        expect.objectContaining({ code: 'invalid_control_command' }),
      );
    }
  });
});
