// Structured logs (pino) with card, account and secret fields redacted at the logger, so a
// careless `log.info({ body })` still cannot write a card number.

import pino, { type Logger } from 'pino';

export type { Logger };

/** Paths censored wherever they appear, one or two levels deep (request bodies, errors, events). */
export const REDACT_PATHS = [
  'number',
  'cvc',
  'accountNumber',
  'apiKey',
  'password',
  'secret',
  'authorization',
  '*.number',
  '*.cvc',
  '*.accountNumber',
  '*.apiKey',
  '*.authorization',
  '*.*.number',
  '*.*.cvc',
  '*.*.accountNumber',
  'req.headers.authorization',
  'req.headers["idempotency-key"]',
  'headers.authorization',
];

export function createLogger(
  options: { level?: string; name?: string; destination?: pino.DestinationStream } = {},
): Logger {
  return pino(
    {
      name: options.name ?? 'paystream',
      level: options.level ?? process.env.LOG_LEVEL ?? 'info',
      redact: { paths: REDACT_PATHS, censor: '[redacted]' },
      base: { pid: process.pid },
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    options.destination,
  );
}
