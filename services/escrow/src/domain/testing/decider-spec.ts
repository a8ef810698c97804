// Given / When / Then for the payment decider, in the style of Emmett's DeciderSpecification:
// given past events, when a command, then these new events — or this error, and nothing else.
// The given state is deep-frozen, so a decide() that tried to mutate it would throw.

import { PaystreamError } from '@paystream/core';
import { expect } from 'vitest';
import type { EscrowCommand } from '../commands.js';
import { decide } from '../decide.js';
import type { EscrowEvent } from '../events.js';
import { evolveAll } from '../evolve.js';
import { initialState, type PaymentState } from '../state.js';

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}

export interface Then {
  /** The command produces exactly these events, and they apply cleanly to the state. */
  thenEmits(expected: readonly EscrowEvent[]): PaymentState;
  /** The command is rejected with this code (and field), producing nothing. */
  thenRejects(code: string, field?: string): PaystreamError;
}

export function given(history: readonly EscrowEvent[]): { when(command: EscrowCommand): Then } {
  const state = deepFreeze(evolveAll(initialState(), history));
  const snapshot = structuredClone(state);
  return {
    when(command) {
      return {
        thenEmits(expected) {
          const events = decide(command, state);
          expect(events).toEqual(expected);
          expect(state).toEqual(snapshot);
          // Deciding again is identical: a redelivered command yields the same events.
          expect(decide(command, state)).toEqual(events);
          return evolveAll(state, events);
        },
        thenRejects(code, field) {
          let caught: unknown;
          try {
            decide(command, state);
          } catch (e) {
            caught = e;
          }
          expect(caught).toBeInstanceOf(PaystreamError);
          const err = caught as PaystreamError;
          expect({ code: err.code, message: typeof err.message }).toEqual({ code, message: 'string' });
          if (field !== undefined) expect(err.field).toBe(field);
          expect(state).toEqual(snapshot);
          return err;
        },
      };
    },
  };
}
