// The price table (config/prices.json): loaded once and checked, so a missing source, a
// fractional price or a misspelt brand fails at start, not in a report.

import { readFileSync } from 'node:fs';
import { PaystreamError } from '@paystream/core';

export interface SourcedPrice {
  readonly source: string;
  readonly asOf: string;
  readonly estimate: boolean;
  readonly note?: string;
}

export interface FixedPrice extends SourcedPrice {
  /** Billionths of a minor unit (1 cent = 1e9). */
  readonly nanoMinor: number;
  readonly unit: string;
}

export interface CardNetworkPrice extends SourcedPrice {
  readonly interchangePpm: number;
  readonly interchangeFixedNanoMinor: number;
  readonly networkPpm: number;
  readonly networkPerAuthNanoMinor: number;
}

export interface PriceTable {
  readonly currency: string;
  readonly reviewedOn: string;
  readonly infrastructure: {
    readonly kmsRequest: FixedPrice;
    readonly dynamodbWriteRequestUnit: FixedPrice;
    readonly dynamodbReadRequestUnit: FixedPrice;
    readonly mskBrokerHour: FixedPrice;
    readonly mskStorageGbMonth: FixedPrice;
    readonly computeVcpuHour: FixedPrice;
    readonly computeGbHour: FixedPrice;
  };
  readonly deployment: {
    readonly mskBrokers: number;
    readonly mskStorageGb: number;
    readonly computeVcpus: number;
    readonly computeGb: number;
    readonly hoursPerMonth: number;
    readonly assumedEventsPerMonth: number;
    readonly dynamodbWriteUnitsPerEvent: number;
    readonly dynamodbReadUnitsPerEvent: number;
    readonly kmsRequestsPerPayment: number;
  };
  readonly ach: {
    readonly perEntry: FixedPrice;
    readonly perBatch: FixedPrice;
    readonly perFile: FixedPrice;
  };
  readonly cardNetworks: Readonly<Record<string, CardNetworkPrice>> & { readonly default: CardNetworkPrice };
  readonly acquirer: SourcedPrice & { readonly markupPpm: number; readonly markupFixedNanoMinor: number };
  readonly processorBaseline: SourcedPrice & {
    readonly cardPpm: number;
    readonly cardFixedNanoMinor: number;
    readonly payoutPpm: number;
    readonly payoutFixedNanoMinor: number;
  };
}

export const DEFAULT_PRICES_PATH = new URL('../../config/prices.json', import.meta.url);

function bad(path: string, message: string): PaystreamError {
  return new PaystreamError('invalid_price_table', `prices.json ${path}: ${message}`, path);
}

/** Every number in the table is a non-negative safe integer; every price names its source. */
function check(value: unknown, path: string): void {
  if (typeof value === 'number') {
    if (!Number.isSafeInteger(value) || value < 0)
      throw bad(path, `must be a non-negative integer, got ${value}`);
    return;
  }
  if (Array.isArray(value)) {
    for (const [i, v] of value.entries()) check(v, `${path}[${i}]`);
    return;
  }
  if (value !== null && typeof value === 'object') {
    const o = value as Record<string, unknown>;
    const isPrice = Object.keys(o).some((k) => k === 'nanoMinor' || k.endsWith('Ppm'));
    if (isPrice) {
      for (const k of ['source', 'asOf']) {
        if (typeof o[k] !== 'string' || (o[k] as string).length === 0)
          throw bad(`${path}.${k}`, 'every price needs a source and a date');
      }
      if (typeof o.estimate !== 'boolean')
        throw bad(`${path}.estimate`, 'say whether the price is an estimate');
    }
    for (const [k, v] of Object.entries(o)) if (!k.startsWith('$')) check(v, `${path}.${k}`);
  }
}

export function parsePriceTable(json: unknown): PriceTable {
  check(json, '$');
  const t = json as PriceTable;
  if (!t.cardNetworks?.default) throw bad('cardNetworks.default', 'is required');
  if (!t.deployment || t.deployment.assumedEventsPerMonth <= 0)
    throw bad('deployment.assumedEventsPerMonth', 'must be positive');
  return t;
}

export function loadPriceTable(path: string | URL = DEFAULT_PRICES_PATH): PriceTable {
  return parsePriceTable(JSON.parse(readFileSync(path, 'utf8')));
}
