import type { ReadQueries } from '@paystream/projections';
import type { Engines } from '@paystream/runtime';
import type { CardCache } from './card-cache.js';

/** What planning commands needs: the clock, the crypto ports, the codec, and the read side. */
export interface CommandDeps {
  readonly engines: Pick<Engines, 'clock' | 'envelope' | 'fingerprints' | 'bus'>;
  readonly queries: ReadQueries;
  /** Card lookups through a bounded cache (cards never change once tokenized). */
  readonly cards: CardCache;
}
