// Realistic-looking fixtures for tests, benches and the moov-io/ach cross-check. Routing numbers
// are real-format ABA numbers that pass the 3-7-1 checksum; account numbers are made up and are
// deliberately not card-shaped (no 15-16 digit Luhn strings).

import { mulberry32 } from '@paystream/core';
import type { NachaEntryInput, NachaFileInput, NachaOriginator } from './file.js';

export const ROUTING = {
  /** JPMorgan Chase, New York: the ODFI in these fixtures. */
  chaseNy: '021000021',
  /** Federal Reserve Bank of Boston. */
  fedBoston: '011000015',
  /** U.S. Bank, Minneapolis. */
  usBankMn: '091000019',
  bankOfAmericaCa: '121000358',
  bankOfAmericaNy: '026009593',
  wellsFargoTx: '111000025',
} as const;

export const RDFI_ROUTINGS: readonly string[] = [
  ROUTING.fedBoston,
  ROUTING.usBankMn,
  ROUTING.bankOfAmericaCa,
  ROUTING.bankOfAmericaNy,
  ROUTING.wellsFargoTx,
];

export const ORIGINATOR: NachaOriginator = {
  immediateDestination: ROUTING.chaseNy,
  immediateDestinationName: 'JPMORGAN CHASE BANK',
  immediateOrigin: ROUTING.chaseNy,
  immediateOriginName: 'PAYSTREAM MARKETPLACE',
  odfiRoutingNumber: ROUTING.chaseNy,
  companyName: 'PAYSTREAM',
  companyIdentification: '1465123987',
};

const FIRST = ['MARIA', 'JAMES', 'AISHA', 'CHEN', 'OLGA', 'DIEGO', 'PRIYA', 'SAM', 'NOOR', 'LUCAS'];
const LAST = [
  'GARCIA',
  'OKAFOR',
  'NGUYEN',
  'SMITH',
  'KOWALSKI',
  'HASSAN',
  'ROSSI',
  'TANAKA',
  'BROWN',
  'SILVA',
];
const COMPANIES = [
  'ACME PLUMBING LLC',
  'BLUE DOOR CLEANING',
  'NORTHSIDE TUTORS INC',
  'RIVERA DOG WALKING',
  'CEDAR MOVERS CO',
];

/** A deterministic PRNG so generated files are reproducible. */
export const prng = mulberry32;

export interface GenerateOptions {
  readonly seed?: number;
  readonly business?: boolean;
  readonly debits?: boolean;
  /** Mix checking (22/27) and savings (32/37). Default true. */
  readonly mixAccountTypes?: boolean;
  readonly maxAmountCents?: number;
}

/** n payout entries: provider payouts to people (PPD) or businesses (CCD). */
export function generateEntries(n: number, options: GenerateOptions = {}): NachaEntryInput[] {
  const rand = prng(options.seed ?? 42);
  const max = options.maxAmountCents ?? 250_000;
  const out: NachaEntryInput[] = [];
  for (let i = 0; i < n; i++) {
    const savings = (options.mixAccountTypes ?? true) && rand() < 0.3;
    const code = options.debits ? (savings ? 37 : 27) : savings ? 32 : 22;
    const name = options.business
      ? (COMPANIES[i % COMPANIES.length] as string)
      : `${FIRST[Math.floor(rand() * FIRST.length)]} ${LAST[Math.floor(rand() * LAST.length)]}`;
    out.push({
      transactionCode: code,
      rdfiRoutingNumber: RDFI_ROUTINGS[Math.floor(rand() * RDFI_ROUTINGS.length)] as string,
      dfiAccountNumber: String(100_000 + Math.floor(rand() * 900_000_000)),
      amountCents: 1 + Math.floor(rand() * max),
      identificationNumber: `PO${String(i + 1).padStart(9, '0')}`,
      receiverName: name,
    });
  }
  return out;
}

export function sampleFile(
  entries: readonly NachaEntryInput[],
  overrides: Partial<NachaFileInput> = {},
): NachaFileInput {
  return {
    originator: ORIGINATOR,
    fileCreationDate: '2026-03-02',
    fileCreationTime: '1015',
    fileIdModifier: 'A',
    batches: [
      { secCode: 'PPD', companyEntryDescription: 'PAYOUT', effectiveEntryDate: '2026-03-02', entries },
    ],
    ...overrides,
  };
}
